#include "dtap/nn/protect_objective.hpp"

#include <algorithm>
#include <filesystem>

#include "dtap/run.hpp"
#include "dtap/error.hpp"
#include "dtap/record.hpp"

namespace fs = std::filesystem;

namespace dtap::nn {

namespace {
bool inside(const BBox& b, const cv::Rect& r) {
  return b.w > 0 && b.h > 0 && b.x >= r.x && b.y >= r.y && b.right() <= r.x + r.width && b.bottom() <= r.y + r.height;
}
bool touches(const BBox& a, const BBox& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}
BBox shifted(const BBox& b, const cv::Rect& r) { return BBox{b.x - r.x, b.y - r.y, b.w, b.h}; }
}  // namespace

DualTargets record_targets(const Json& record, const cv::Rect& region, std::size_t max_task) {
  DualTargets t;
  std::vector<BBox> all_pii;
  if (record.contains("pii") && record["pii"].is_array())
    for (const auto& span : record["pii"]) {
      if (!span.is_object() || !span.contains("bbox")) continue;
      auto b = BBox::from_json(span["bbox"]);
      if (!b) continue;
      all_pii.push_back(*b);
      if (!span.contains("text") || !span["text"].is_string() || span["text"].get<std::string>().empty()) continue;
      if (!inside(*b, region)) continue;
      t.pii_boxes.push_back(shifted(*b, region));
      t.pii_texts.push_back(span["text"].get<std::string>());
    }
  auto add_task = [&](const Json& list, const char* text_key) {
    if (!list.is_array()) return;
    for (const auto& item : list) {
      if (t.task_boxes.size() >= max_task) return;
      if (!item.is_object() || !item.contains("bbox") || !item.contains(text_key) || !item[text_key].is_string()) continue;
      auto b = BBox::from_json(item["bbox"]);
      if (!b || !inside(*b, region)) continue;
      if (std::any_of(all_pii.begin(), all_pii.end(), [&](const BBox& p) { return touches(p, *b); })) continue;
      std::string text = item[text_key].get<std::string>();
      if (text.empty()) continue;
      t.task_boxes.push_back(shifted(*b, region));
      t.task_texts.push_back(text);
    }
  };
  if (record.contains("words")) add_task(record["words"], "text");
  if (t.task_boxes.empty() && record.contains("tasks")) add_task(record["tasks"], "answer");
  return t;
}

ObjectiveTerms dual_objective(const std::vector<std::shared_ptr<Reader>>& readers, const torch::Tensor& x_adv,
                              const torch::Tensor& delta, const torch::Tensor& mask,
                              const std::vector<DualTargets>& targets, const std::vector<EotTransform>& transforms,
                              const ObjectiveWeights& w, double eps, const torch::Tensor& prior) {
  // Without readers only the penalties and the prior remain (dtap-train generator --reader none).
  if (static_cast<std::size_t>(x_adv.size(0)) != targets.size()) throw Error("dual objective: one target set per image");
  const std::int64_t H = x_adv.size(2), W = x_adv.size(3);
  std::vector<EotTransform> ts = transforms.empty() ? std::vector<EotTransform>{EotTransform{}} : transforms;
  torch::Tensor task_sum = torch::zeros({}, x_adv.options()), priv_sum = torch::zeros({}, x_adv.options());
  double task_log = 0, priv_log = 0, unreadable = 0;
  std::int64_t task_n = 0, priv_n = 0;
  for (const auto& t : ts) {
    if (readers.empty()) break;
    torch::Tensor xt = apply_eot(x_adv, t);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto& tg = targets[i];
      std::vector<BBox> pb, tb;
      for (const auto& b : tg.pii_boxes) pb.push_back(t.map_box(b, W, H));
      for (const auto& b : tg.task_boxes) tb.push_back(t.map_box(b, W, H));
      torch::Tensor img = xt[static_cast<std::int64_t>(i)];
      for (const auto& reader : readers) {
        if (!pb.empty()) {
          torch::Tensor l = line_ctc_losses(*reader, img, pb, tg.pii_texts);
          priv_sum = priv_sum + torch::clamp_max(l, w.kappa).sum();
          priv_log += l.sum().item<double>();
          unreadable += (l >= w.kappa).sum().item<double>();
          priv_n += l.size(0);
        }
        if (!tb.empty()) {
          torch::Tensor l = line_ctc_losses(*reader, img, tb, tg.task_texts);
          task_sum = task_sum + l.sum();
          task_log += l.sum().item<double>();
          task_n += l.size(0);
        }
      }
    }
  }
  ObjectiveTerms out;
  torch::Tensor task = task_n ? task_sum / static_cast<double>(task_n) : task_sum;
  torch::Tensor priv = priv_n ? priv_sum / static_cast<double>(priv_n) : priv_sum;
  torch::Tensor outside = ((1 - mask) * delta).pow(2).mean();
  torch::Tensor tv = (delta.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(1)}) -
                      delta.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, -1)}))
                         .abs()
                         .mean() +
                     (delta.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(),
                                   torch::indexing::Slice(1)}) -
                      delta.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(),
                                   torch::indexing::Slice(0, -1)}))
                         .abs()
                         .mean();
  torch::Tensor l2 = delta.pow(2).sum() / (eps * eps * (mask.sum() + 1.0));
  out.total = w.alpha * task - w.beta * priv + w.lambda_out * outside + w.lambda_tv * tv + w.lambda_l2 * l2;
  if (prior.defined() && w.lambda_prior > 0) {
    torch::Tensor on = (mask > 0).to(delta.dtype());
    torch::Tensor p = ((delta / eps - prior * mask).pow(2) * on).sum() / (on.sum() + 1.0);
    out.total = out.total + w.lambda_prior * p;
    out.prior = p.item<double>();
  }
  out.task = task_n ? task_log / static_cast<double>(task_n) : 0;
  out.privacy = priv_n ? priv_log / static_cast<double>(priv_n) : 0;
  out.unreadable = priv_n ? unreadable / static_cast<double>(priv_n) : 0;
  out.out = outside.item<double>();
  out.tv = tv.item<double>();
  out.l2 = l2.item<double>();
  return out;
}

std::vector<std::shared_ptr<Reader>> load_readers(const std::vector<std::string>& paths, std::vector<std::string>* used) {
  const std::vector<std::string> list = paths.empty() ? default_reader_paths() : paths;
  std::vector<std::shared_ptr<Reader>> readers;
  for (const auto& p : list) {
    auto r = load_reader(p);
    r->eval();
    for (auto& param : r->parameters()) param.set_requires_grad(false);
    readers.push_back(r);
  }
  if (used) *used = list;
  return readers;
}

}  // namespace dtap::nn
