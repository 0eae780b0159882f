#include "dtap/nn/pgd.hpp"

#include "dtap/error.hpp"
#include "dtap/rng.hpp"
#include "dtap/nn/generator.hpp"

namespace dtap::nn {

torch::Tensor pgd_protect(const std::vector<std::shared_ptr<Reader>>& readers, const torch::Tensor& rgb,
                          const torch::Tensor& mask, const Json& record, const PgdConfig& config) {
  if (readers.empty()) throw Error("pgd: no reader");
  torch::Tensor out = rgb.clone();
  // PII spans without text: hide what the reader reads there on the clean image.
  Json rec = record;
  if (rec.contains("pii") && rec["pii"].is_array()) {
    std::vector<std::size_t> missing;
    std::vector<BBox> boxes;
    for (std::size_t i = 0; i < rec["pii"].size(); ++i) {
      auto& span = rec["pii"][i];
      if (!span.is_object() || !span.contains("bbox")) continue;
      if (span.contains("text") && span["text"].is_string() && !span["text"].get<std::string>().empty()) continue;
      auto b = BBox::from_json(span["bbox"]);
      if (!b) continue;
      missing.push_back(i);
      boxes.push_back(*b);
    }
    if (!missing.empty()) {
      torch::NoGradGuard no_grad;
      auto texts = read_lines(*readers.front(), rgb, boxes);
      for (std::size_t k = 0; k < missing.size(); ++k) rec["pii"][missing[k]]["text"] = texts[k];
    }
  }
  Rng rng(Rng::derive(config.seed, std::hash<std::string>{}(record_name(record)) & 0xffffffffu));
  using torch::indexing::Slice;
  torch::Tensor mask_plane = mask[0].to(torch::kFloat).contiguous();
  const cv::Mat mask_mat(static_cast<int>(mask_plane.size(0)), static_cast<int>(mask_plane.size(1)), CV_32F,
                         mask_plane.data_ptr<float>());
  for (const cv::Rect& r : mask_support_rects(mask_mat, config.context, 16)) {
    DualTargets targets = record_targets(rec, r);
    if (targets.pii_boxes.empty()) continue;  // nothing readable to hide here
    auto ys = Slice(r.y, r.y + r.height), xs = Slice(r.x, r.x + r.width);
    torch::Tensor x = rgb.index({Slice(), ys, xs}).unsqueeze(0);
    torch::Tensor m = mask.index({Slice(), ys, xs}).unsqueeze(0);
    torch::Tensor w = torch::zeros({1, 1, x.size(2), x.size(3)}, x.options()).set_requires_grad(true);
    torch::Tensor prior;
    if (config.weights.lambda_prior > 0) prior = stripe_template(x, m, config.prior_period, config.prior_thickness);
    torch::optim::Adam opt({w}, torch::optim::AdamOptions(config.lr));
    for (int step = 0; step < config.steps; ++step) {
      std::vector<EotTransform> ts;
      for (int s = 0; s < std::max(1, config.eot_samples); ++s) ts.push_back(sample_eot(config.eot, rng));
      torch::Tensor delta = config.eps * torch::tanh(w) * m;
      torch::Tensor x_adv = torch::clamp(x + delta, 0.0, 1.0);
      auto terms = dual_objective(readers, x_adv, delta, m, {targets}, ts, config.weights, config.eps, prior);
      opt.zero_grad();
      terms.total.backward();
      opt.step();
    }
    torch::NoGradGuard no_grad;
    torch::Tensor delta = config.eps * torch::tanh(w) * m;
    out.index_put_({Slice(), ys, xs}, torch::clamp(x[0] + delta[0], 0.0, 1.0));
  }
  return out;
}

}  // namespace dtap::nn
