// The dual-task objective shared by generator training and the per-image PGD
// baseline. Internal to libdtap_nn (LibTorch).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dtap/nn/eot.hpp"
#include "dtap/nn/reader.hpp"

namespace dtap::nn {

// What one image must keep readable (task lines) and hide (PII lines), in its pixels.
struct DualTargets {
  std::vector<BBox> pii_boxes;
  std::vector<std::string> pii_texts;
  std::vector<BBox> task_boxes;
  std::vector<std::string> task_texts;
};

// The lines of `record` lying wholly inside `region` (a rectangle of the image),
// in the region's coordinates: PII spans (pii[].text; spans without text are
// skipped) and task lines (words that do not touch a PII box, else tasks'
// answers), at most `max_task` of them.
DualTargets record_targets(const Json& record, const cv::Rect& region, std::size_t max_task = 12);

struct ObjectiveWeights {
  double alpha = 1.0;       // task CTC (keep readable)
  double beta = 1.0;        // privacy CTC (make unreadable), bounded by kappa
  double kappa = 3.0;       // per-character CTC beyond which a PII line counts as unreadable
  double lambda_out = 0.05; // ||(1-M) delta||^2 (mean over pixels)
  double lambda_tv = 0.01;  // total variation of delta (mean)
  double lambda_l2 = 0.0;   // mean delta^2 / eps^2 inside the mask (pushes PSNR up once kappa is reached)
  double lambda_prior = 0.0; // mean (delta/eps - prior*M)^2 inside the mask (the structure prior, stripe_template)
};

struct ObjectiveTerms {
  torch::Tensor total;           // scalar, differentiable
  double task = 0, privacy = 0;  // mean CTC (privacy: unbounded, for logging)
  double out = 0, tv = 0, l2 = 0, prior = 0;
  double unreadable = 0;         // share of PII lines with CTC >= kappa
};

// alpha * CTC(task | T(x_adv)) - beta * min(CTC(PII | T(x_adv)), kappa), averaged
// over `transforms` and `readers`, plus the penalties on `delta`.
// x_adv [N,3,H,W], delta and mask [N,1,H,W], one DualTargets per image.
ObjectiveTerms dual_objective(const std::vector<std::shared_ptr<Reader>>& readers, const torch::Tensor& x_adv,
                              const torch::Tensor& delta, const torch::Tensor& mask,
                              const std::vector<DualTargets>& targets, const std::vector<EotTransform>& transforms,
                              const ObjectiveWeights& weights, double eps, const torch::Tensor& prior = {});

// Reader checkpoints: the given paths, or every shipped share/dtap/models/reader-*.pt.
// Throws dtap::Error when none is found or one cannot be loaded.
std::vector<std::shared_ptr<Reader>> load_readers(const std::vector<std::string>& paths, std::vector<std::string>* used = nullptr);

}  // namespace dtap::nn
