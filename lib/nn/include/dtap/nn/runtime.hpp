// LibTorch run-time settings shared by the programs that use models (no torch here).
#pragma once
#include <string>

#include "dtap/run.hpp"

namespace dtap {

// "cpu" or "cuda" for --device cpu|cuda|auto. Asking for cuda where the linked
// LibTorch has none is a UsageError, never a silent fallback.
std::string select_device(const std::string& requested);

// Applies --threads (intra- and inter-op) and --seed to LibTorch; returns the device.
std::string configure_torch(const RunContext& context);

}  // namespace dtap
