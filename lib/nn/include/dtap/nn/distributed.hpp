// Data-parallel training over N processes with PyTorch's c10d: rendezvous
// through a TCPStore, gradients all-reduced by the Gloo backend (CPU). Internal
// to libdtap_nn; the c10d headers stay in distributed.cpp.
#pragma once
#include <memory>
#include <string>

#include <torch/torch.h>

#include "dtap/nn/distributed_options.hpp"

namespace dtap::nn {

using dtap::DistributedOptions;

class ProcessGroup {
 public:
  // World size 1: a no-op group. Throws dtap::UsageError for inconsistent
  // settings, dtap::Error when the rendezvous fails.
  explicit ProcessGroup(const DistributedOptions& options);
  ~ProcessGroup();
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  bool is_main() const { return rank_ == 0; }
  std::string describe() const;  // "rank 1 of 2 (gloo, 127.0.0.1:29500)"

  // Rank 0's parameters and buffers to every rank (identical start, or resume).
  void broadcast_module(torch::nn::Module& module);
  // Sum of every rank's gradients divided by the world size, in one buffer.
  void average_gradients(torch::nn::Module& module);
  // Floating-point buffers (batch-norm statistics) averaged over the ranks.
  void average_buffers(torch::nn::Module& module);
  double average(double value);
  void barrier();
  // sha256 of the module's parameters and buffers: equal on every rank after
  // each step (logged at the end of a training to show it).
  static std::string weights_digest(torch::nn::Module& module);
  // Bytes one average_gradients call all-reduces (for the scaling estimate).
  static std::size_t gradient_bytes(torch::nn::Module& module);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0, world_size_ = 1;
  std::string endpoint_;
};

}  // namespace dtap::nn
