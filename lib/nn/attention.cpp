// Contrastive attention maps from the surrogate readers' gradients (dtap-attend).
#include "dtap/nn/attention.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/nn/runtime.hpp"
#include "dtap/nn/reader.hpp"

namespace fs = std::filesystem;

namespace dtap {

namespace {

std::optional<BBox> clipped(const std::optional<BBox>& b, int width, int height) {
  if (!b) return std::nullopt;
  const double x0 = std::max(0.0, b->x), y0 = std::max(0.0, b->y);
  const double x1 = std::min<double>(width, b->right()), y1 = std::min<double>(height, b->bottom());
  if (x1 - x0 < 1 || y1 - y0 < 1) return std::nullopt;
  return BBox{x0, y0, x1 - x0, y1 - y0};
}

double overlap_fraction(const BBox& a, const BBox& b) {  // |a ∩ b| / |a|
  const double w = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const double h = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  return (w > 0 && h > 0 && a.area() > 0) ? w * h / a.area() : 0.0;
}

}  // namespace

AttentionTargets attention_targets(const Json& record, int width, int height) {
  AttentionTargets t;
  for (const auto& e : record_pii(record)) {
    auto b = clipped(e.box, width, height);
    if (!b || e.text.empty()) continue;
    t.privacy_boxes.push_back(*b);
    t.privacy_texts.push_back(e.text);
  }
  auto touches_pii = [&](const BBox& b) {
    for (const auto& p : t.privacy_boxes)
      if (overlap_fraction(b, p) > 0.2 || overlap_fraction(p, b) > 0.2) return true;
    return false;
  };
  std::vector<std::pair<BBox, std::string>> words;
  for (const auto& e : record_words(record)) {
    auto b = clipped(e.box, width, height);
    if (!b || e.text.empty() || touches_pii(*b)) continue;
    words.emplace_back(*b, e.text);
    t.task_boxes.push_back(*b);
    t.task_texts.push_back(e.text);
  }
  for (const auto& task : record_tasks(record)) {
    auto b = clipped(task.box, width, height);
    if (!b || task.answer.empty() || touches_pii(*b)) continue;
    // The answer is usually already a word inside the task's box; else the box itself.
    bool covered = false;
    for (const auto& [wb, wt] : words)
      if (wt == task.answer && overlap_fraction(wb, *b) > 0.5) covered = true;
    if (covered) continue;
    t.task_boxes.push_back(*b);
    t.task_texts.push_back(task.answer);
  }
  return t;
}

struct AttentionModel::Impl {
  AttentionOptions options;
  torch::Device device = torch::kCPU;
  std::vector<std::shared_ptr<nn::Reader>> readers;

  // |d sum(CTC) / d pixels| summed over colour, blurred, averaged over the
  // ensemble (each reader's map scaled to max 1); CV_32F [0, 1] or all zero.
  cv::Mat saliency(const torch::Tensor& image, const std::vector<BBox>& boxes, const std::vector<std::string>& texts) {
    const int H = static_cast<int>(image.size(1)), W = static_cast<int>(image.size(2));
    cv::Mat sum = cv::Mat::zeros(H, W, CV_32F);
    if (boxes.empty()) return sum;
    for (auto& reader : readers) {
      auto x = image.detach().clone().set_requires_grad(true);
      auto loss = nn::line_ctc_losses(*reader, x, boxes, texts).sum();
      auto g = torch::autograd::grad({loss}, {x}, {}, false, false, true)[0];
      if (!g.defined()) continue;
      auto s = g.abs().sum(0).to(torch::kCPU).to(torch::kFloat).contiguous();
      cv::Mat m(H, W, CV_32F, s.data_ptr<float>());
      cv::Mat b;
      if (options.blur > 0)
        cv::GaussianBlur(m, b, cv::Size(0, 0), options.blur, options.blur, cv::BORDER_REPLICATE);
      else
        b = m.clone();
      double mx = 0;
      cv::minMaxLoc(b, nullptr, &mx);
      if (mx > 0 && std::isfinite(mx)) sum += b / mx;
    }
    double mx = 0;
    cv::minMaxLoc(sum, nullptr, &mx);
    if (mx > 0) sum /= mx;
    return sum;
  }
};

AttentionModel::AttentionModel(const AttentionOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& o = impl_->options;
  o = options;
  if (o.method != "grad" && o.method != "contrast" && o.method != "box")
    throw UsageError("--method must be grad, contrast or box, not '" + o.method + "'");
  if (o.dilate < 0) throw UsageError("--dilate must be >= 0");
  if (!(o.threshold >= 0 && o.threshold < 1)) throw UsageError("--threshold must be in [0, 1)");
  if (!(o.floor >= 0 && o.floor < 1)) throw UsageError("--floor must be in [0, 1)");
  if (!(o.blur >= 0)) throw UsageError("--blur must be >= 0");
  const std::string dev = select_device(o.device);
  impl_->device = dev == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (o.method != "box") {
    if (o.readers.empty()) o.readers = nn::default_reader_paths();
    for (const auto& path : o.readers) {
      try {
        impl_->readers.push_back(nn::load_reader(path, impl_->device));
      } catch (const Error& e) {
        throw UsageError(e.what());  // a bad --reader is a usage problem of the whole run
      }
    }
  }
}

AttentionModel::~AttentionModel() = default;

const AttentionOptions& AttentionModel::options() const { return impl_->options; }

cv::Mat AttentionModel::compute(const cv::Mat& rgb, const Json& record) {
  const auto& o = impl_->options;
  if (rgb.empty() || rgb.type() != CV_32FC3) throw Error("attention: expected an RGB float image");
  const int H = rgb.rows, W = rgb.cols;
  AttentionTargets t = attention_targets(record, W, H);
  cv::Mat a = cv::Mat::zeros(H, W, CV_32F);
  if (t.privacy_boxes.empty()) return a;
  if (o.method == "box") {
    for (const auto& b : t.privacy_boxes) {
      a(pixel_rect(b, a.size())).setTo(1.0f);
    }
  } else {
    auto image = nn::image_to_tensor(rgb).to(impl_->device);
    a = impl_->saliency(image, t.privacy_boxes, t.privacy_texts);
    if (o.method == "contrast" && !t.task_boxes.empty()) {
      cv::Mat task = impl_->saliency(image, t.task_boxes, t.task_texts);
      a = cv::max(a - task, 0.0);
      double mx = 0;
      cv::minMaxLoc(a, nullptr, &mx);
      if (mx > 0) a /= mx;
    }
    if (o.threshold > 0) cv::threshold(a, a, o.threshold, 0, cv::THRESH_TOZERO);
  }
  if (o.dilate > 0) {
    cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * o.dilate + 1, 2 * o.dilate + 1));
    cv::dilate(a, a, k);
  }
  if (o.floor > 0) a = o.floor + (1.0 - o.floor) * a;
  return a;
}

// ---------------------------------------------------------------- dtap-attend

int run_attend(const AttendOptions& options, const RunContext& context, std::istream& in, std::ostream& out) {
  if (options.out_dir.empty()) throw UsageError("-o/--output is required");
  AttentionOptions ao = options.attention;
  ao.device = configure_torch(context);
  AttentionModel model(ao);
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw UsageError("cannot create " + options.out_dir + ": " + ec.message());
  Json readers = Json::array();
  for (const auto& r : model.options().readers) readers.push_back(r);
  RecordSource source(options.inputs, in);
  BatchOptions batch = batch_options(context, "attention");
  batch.still_complete = [](const Json& done) { return output_is_readable(done, "attention"); };
  auto process = [&](Json& record) {
    require_valid_record(record);
    const std::string image_path = record_image(record);
    const auto t0 = std::chrono::steady_clock::now();
    cv::Mat rgb = load_image_rgb(image_path, context.max_pixels);
    if (record.contains("width") && record["width"].is_number() &&
        (record["width"].get<int>() != rgb.cols || record["height"].get<int>() != rgb.rows))
      throw Error("image " + image_path + " is " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
                  " but the record says " + std::to_string(record["width"].get<int>()) + "x" +
                  std::to_string(record["height"].get<int>()));
    cv::Mat a = model.compute(rgb, record);
    cv::Mat grey;
    a.convertTo(grey, CV_8U, 255.0);
    const std::string path = record_output_path(options.out_dir, record, ".png");
    // With --resume, a map the interrupted run wrote but did not report is redone.
    check_output_path(path, {image_path}, context.force || batch.resume != nullptr);
    write_png_atomic(path, grey);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    record["attention"] = path;
    record["attend"] = Json{{"method", ao.method}, {"readers", readers},    {"dilate", ao.dilate},
                            {"threshold", ao.threshold}, {"floor", ao.floor}, {"blur", ao.blur},
                            {"ms", std::round(ms * 10) / 10}};
  };
  return run_batch([&] { return source.next(); }, process, out, batch).exit_code();
}

}  // namespace dtap
