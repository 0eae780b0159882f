#include <algorithm>

#include <torch/torch.h>

#include "dtap/error.hpp"
#include "dtap/nn/runtime.hpp"

namespace dtap {

std::string select_device(const std::string& requested) {
  const bool cuda = torch::cuda::is_available();
  if (requested == "cpu") return "cpu";
  if (requested == "cuda") {
    if (!cuda) throw UsageError("--device cuda: this LibTorch has no CUDA device (built CPU-only or no GPU)");
    return "cuda";
  }
  if (requested == "auto") return cuda ? "cuda" : "cpu";
  throw UsageError("--device must be cpu, cuda or auto, not '" + requested + "'");
}

std::string configure_torch(const RunContext& context) {
  torch::set_num_threads(std::max(1, context.threads));
  static bool interop_set = false;  // may only be set once per process
  if (!interop_set) {
    torch::set_num_interop_threads(1);
    interop_set = true;
  }
  torch::manual_seed(context.seed);
  return select_device(context.device);
}

}  // namespace dtap
