// c10d process group for data-parallel training (see distributed.hpp).
#include "dtap/nn/distributed.hpp"

#include <chrono>
#include <cstdlib>
#include <vector>

#ifdef DTAP_WITH_GLOO
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include "dtap/error.hpp"
#include "dtap/record.hpp"

namespace dtap::nn {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < 0 || x > 1 << 20) throw UsageError(std::string(name) + " must be a number, not '" + v + "'");
  return static_cast<int>(x);
}

std::vector<torch::Tensor> float_buffers(torch::nn::Module& module) {
  std::vector<torch::Tensor> out;
  for (auto& b : module.buffers())
    if (b.is_floating_point()) out.push_back(b);
  return out;
}

}  // namespace

#ifdef DTAP_WITH_GLOO
struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  void allreduce(torch::Tensor& t) {
    std::vector<torch::Tensor> v{t};
    group->allreduce(v)->wait();
  }
  void broadcast(torch::Tensor& t) {
    std::vector<torch::Tensor> v{t};
    group->broadcast(v)->wait();
  }
};
#else
struct ProcessGroup::Impl {
  void allreduce(torch::Tensor&) {}
  void broadcast(torch::Tensor&) {}
};
#endif

ProcessGroup::ProcessGroup(const DistributedOptions& o) {
  world_size_ = o.world_size > 0 ? o.world_size : env_int("WORLD_SIZE", 1);
  rank_ = o.rank >= 0 ? o.rank : env_int("RANK", 0);
  if (world_size_ < 1) throw UsageError("the world size must be at least 1");
  if (rank_ >= world_size_)
    throw UsageError("rank " + std::to_string(rank_) + " is not below the world size " + std::to_string(world_size_));
  std::string addr = !o.master_addr.empty() ? o.master_addr : (std::getenv("MASTER_ADDR") ? std::getenv("MASTER_ADDR") : "");
  if (addr.empty()) addr = "127.0.0.1";
  const int port = o.master_port > 0 ? o.master_port : env_int("MASTER_PORT", 29500);
  if (port < 1 || port > 65535) throw UsageError("the master port must be in 1-65535");
  endpoint_ = addr + ":" + std::to_string(port);
  if (world_size_ == 1) return;
#ifdef DTAP_WITH_GLOO
  impl_ = std::make_unique<Impl>();
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(port);
    so.isServer = rank_ == 0;
    so.numWorkers = world_size_;
    so.waitWorkers = true;
    so.timeout = std::chrono::seconds(o.timeout_s);
    impl_->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(o.timeout_s));
    // Rank 0's address is reachable by every rank; the others bind their own host.
    options->devices.push_back(rank_ == 0 ? c10d::ProcessGroupGloo::createDeviceForHostname(addr)
                                          : c10d::ProcessGroupGloo::createDefaultDevice());
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, rank_, world_size_, options);
  } catch (const std::exception& e) {
    throw Error("rendezvous at " + endpoint_ + " failed (rank " + std::to_string(rank_) + " of " +
                std::to_string(world_size_) + "): " + e.what());
  }
#else
  throw UsageError("this build has no c10d Gloo backend (install libgloo-dev and rebuild) for world size " +
                   std::to_string(world_size_));
#endif
}

ProcessGroup::~ProcessGroup() = default;

std::string ProcessGroup::describe() const {
  return "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) +
         (world_size_ > 1 ? " (c10d gloo, " + endpoint_ + ")" : "");
}

void ProcessGroup::broadcast_module(torch::nn::Module& module) {
  if (world_size_ == 1) return;
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    torch::Tensor t = p.detach();
    impl_->broadcast(t);
  }
  for (auto& b : module.buffers()) impl_->broadcast(b);
}

void ProcessGroup::average_gradients(torch::nn::Module& module) {
  if (world_size_ == 1) return;
  std::vector<torch::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  // One flat buffer: one collective per step instead of one per tensor.
  std::vector<torch::Tensor> flat_parts;
  for (auto& g : grads) flat_parts.push_back(g.reshape({-1}));
  torch::Tensor flat = torch::cat(flat_parts);
  impl_->allreduce(flat);
  flat.div_(world_size_);
  std::int64_t at = 0;
  for (auto& g : grads) {
    const std::int64_t n = g.numel();
    g.copy_(flat.narrow(0, at, n).view_as(g));
    at += n;
  }
}

void ProcessGroup::average_buffers(torch::nn::Module& module) {
  if (world_size_ == 1) return;
  torch::NoGradGuard no_grad;
  for (auto& b : float_buffers(module)) {
    impl_->allreduce(b);
    b.div_(world_size_);
  }
}

double ProcessGroup::average(double value) {
  if (world_size_ == 1) return value;
  torch::Tensor t = torch::tensor({value}, torch::kDouble);
  impl_->allreduce(t);
  return t.item<double>() / world_size_;
}

void ProcessGroup::barrier() {
  if (world_size_ == 1) return;
  torch::Tensor t = torch::zeros({1});
  impl_->allreduce(t);
}

std::string ProcessGroup::weights_digest(torch::nn::Module& module) {
  std::string bytes;
  auto add = [&](const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    bytes.append(static_cast<const char*>(c.data_ptr()), static_cast<std::size_t>(c.numel()) * c.element_size());
  };
  for (const auto& p : module.parameters()) add(p);
  for (const auto& b : module.buffers()) add(b);
  return sha256_hex(bytes);
}

std::size_t ProcessGroup::gradient_bytes(torch::nn::Module& module) {
  std::size_t n = 0;
  for (auto& p : module.parameters())
    if (p.requires_grad()) n += static_cast<std::size_t>(p.numel()) * p.element_size();
  return n;
}

}  // namespace dtap::nn
