// The PGD baseline: the dual-task objective optimised per image on delta
// directly (no generator). Slow; an upper bound the generator is compared to.
#pragma once
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "dtap/protect.hpp"
#include "dtap/nn/generator.hpp"
#include "dtap/nn/protect_objective.hpp"

namespace dtap::nn {

struct PgdConfig {
  double eps = 0.25;
  int steps = 40;
  double lr = 0.1;          // Adam on the pre-tanh variable w, delta = eps * tanh(w) * M
  int eot_samples = 2;
  EotConfig eot;
  ObjectiveWeights weights;
  std::int64_t prior_period = kPriorPeriod, prior_thickness = kPriorThickness;  // structure prior (weights.lambda_prior)
  int context = kSupportContext;  // pixels of context around the mask's support
  std::uint64_t seed = 0;
};

// Protects one image: `rgb` [3,H,W], `mask` [1,H,W], `record` gives the lines
// (pii texts to hide, other words to keep; a PII span without text is read by
// the first reader on the clean image and that reading is hidden). Returns
// x_adv [3,H,W] (no grad). Only the mask's support rectangles are optimised.
torch::Tensor pgd_protect(const std::vector<std::shared_ptr<Reader>>& readers, const torch::Tensor& rgb,
                          const torch::Tensor& mask, const Json& record, const PgdConfig& config);

}  // namespace dtap::nn
