// dtap-protect: the batch driver (records in, protected PNGs + records out).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/nn/runtime.hpp"
#include "dtap/nn/protect.hpp"
#include "dtap/quality.hpp"
#include "dtap/nn/generator.hpp"
#include "dtap/nn/pgd.hpp"

namespace fs = std::filesystem;

namespace dtap {

namespace {

torch::Tensor mat_to_chw(const cv::Mat& m) {
  // CV_32FC3 RGB or CV_32F -> [C,H,W]
  cv::Mat c = m.isContinuous() ? m : m.clone();
  return torch::from_blob(c.data, {c.rows, c.cols, c.channels()}, torch::kFloat).permute({2, 0, 1}).clone();
}

cv::Mat chw_to_rgb(const torch::Tensor& t) {
  torch::Tensor hwc = t.detach().to(torch::kCPU, torch::kFloat).permute({1, 2, 0}).contiguous();
  cv::Mat m(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>());
  return m.clone();
}

}  // namespace

int run_protect(const ProtectOptions& o, const RunContext& context, std::istream& in, std::ostream& out) {
  const auto& methods = protect_methods();
  if (std::find(methods.begin(), methods.end(), o.method) == methods.end())
    throw UsageError("--method must be one of dualtap, pgd, mask, blur, mosaic, noise, decoy, none; not '" + o.method + "'");
  if (o.out_dir.empty()) throw UsageError("an output folder is required (-o DIR)");
  if (o.attention != "box" && o.attention != "record")
    throw UsageError("--attention must be box or record, not '" + o.attention + "'");
  if (o.epsilon > 1) throw UsageError("--epsilon is in [0,1] units (e.g. 0.25 = 64/255), not " + std::to_string(o.epsilon));
  Shard shard = o.shard.empty() ? Shard{} : parse_shard(o.shard);
  configure_torch(context);  // threads and seed (the generator and PGD run on the CPU here)
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (!fs::is_directory(o.out_dir)) throw Error("cannot create the output folder '" + o.out_dir + "'");

  // Models are loaded once, before any record: a bad model is one clear error.
  nn::Generator generator{nullptr};
  std::vector<std::shared_ptr<nn::Reader>> readers;
  std::string model_path;
  double eps = o.epsilon >= 0 ? o.epsilon : kDefaultEpsilon;
  if (o.method == "dualtap") {
    model_path = o.model.empty() ? data_path("models/generator.pt") : o.model;
    Json manifest;
    generator = nn::load_generator(model_path, &manifest);
    if (o.epsilon < 0) eps = generator->config().eps;
  } else if (o.method == "pgd") {
    std::vector<std::string> used;
    readers = nn::load_readers(o.readers, &used);
    for (const auto& p : used) model_path += (model_path.empty() ? "" : ",") + p;
  }
  // mask, blur and mosaic are bounded only when --epsilon is given (1 = unbounded).
  const bool fill = o.method == "mask" || o.method == "blur" || o.method == "mosaic";
  if (fill && o.epsilon < 0) eps = 1;
  const bool uses_eps =
      o.method == "dualtap" || o.method == "pgd" || o.method == "noise" || o.method == "decoy" || (fill && o.epsilon >= 0);

  RecordSource source(o.inputs, in);
  BatchOptions batch = batch_options(context, "screens");
  batch.still_complete = [](const Json& done) { return output_is_readable(done, "protected"); };
  std::size_t position = 0;
  auto next = [&]() -> std::optional<Json> {
    while (true) {
      auto r = source.next();
      if (!r) return r;
      if (shard.contains(position++)) return r;
    }
  };
  auto process = [&](Json& record) {
    const std::string image = record_image(record);
    const std::string target = record_output_path(o.out_dir, record, ".png");
    // With --resume, a PNG the interrupted run wrote but did not report is redone.
    check_output_path(target, {image}, context.force || batch.resume != nullptr);
    using clock = std::chrono::steady_clock;
    auto ms_since = [](clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); };
    auto t_decode = clock::now();
    cv::Mat rgb = load_image_rgb(image, context.max_pixels);
    double io_ms = ms_since(t_decode);
    auto start = clock::now();
    std::vector<cv::Rect> boxes = pii_rects(record, rgb.size());
    cv::Mat protected_rgb;
    if (is_baseline_method(o.method) && o.method != "noise" && o.method != "decoy") {
      protected_rgb = protect_baseline(rgb, boxes, o.method, eps, 0);
    } else {
      // The shipped generator was trained on box masks: a sparse attention map leaves it
      // nearly powerless (demo: PLR 1.0), so the record's map is used only when asked for.
      cv::Mat mask = o.attention == "record" ? load_record_attention(record, rgb.size()) : cv::Mat();
      if (mask.empty()) mask = rect_mask(rgb.size(), boxes);
      if (o.method == "noise" || o.method == "decoy") {
        // Seeded per record, so a record's output does not depend on its neighbours.
        std::uint64_t seed = Rng::derive(context.seed, std::hash<std::string>{}(record_name(record)) & 0xffffffffu);
        protected_rgb = protect_baseline(rgb, boxes, o.method, eps, seed, mask);
      } else if (o.method == "dualtap") {
        protected_rgb = nn::protect_image(generator, rgb, mask, eps);
      } else {
        nn::PgdConfig pc;
        pc.eps = eps;
        pc.steps = o.steps;
        pc.lr = o.pgd_lr;
        pc.eot_samples = o.eot_samples;
        pc.seed = context.seed;
        pc.weights.lambda_l2 = kL2Weight;  // the shipped generator's objective (no structure prior)
        protected_rgb = chw_to_rgb(nn::pgd_protect(readers, mat_to_chw(rgb), mat_to_chw(mask), record, pc));
      }
    }
    double ms = ms_since(start);
    cv::Mat before = rgb_float_to_bgr8(rgb), after = rgb_float_to_bgr8(protected_rgb);
    auto t_encode = clock::now();
    write_png_atomic(target, after);
    io_ms += ms_since(t_encode);
    double p = psnr(before, after);  // quality.hpp
    record["protected"] = target;
    Json info;
    info["method"] = o.method;
    info["model"] = model_path.empty() ? Json() : Json(model_path);
    info["epsilon"] = uses_eps ? Json(eps) : Json();
    info["ms"] = std::round(ms * 10) / 10;        // the protection itself
    info["io_ms"] = std::round(io_ms * 10) / 10;  // decoding + encoding the PNG
    info["psnr"] = std::isfinite(p) ? Json(std::round(p * 100) / 100) : Json();
    info["seed"] = context.seed;
    info["threads"] = context.threads;
    record["protect"] = info;
  };
  return run_batch(next, process, out, batch).exit_code();
}

}  // namespace dtap
