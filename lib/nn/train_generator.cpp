// dtap-train generator: the DualTAP protector trained on crops around text.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/nn/runtime.hpp"
#include "dtap/protect.hpp"
#include "dtap/rng.hpp"
#include "dtap/nn/train_generator.hpp"
#include "dtap/nn/distributed.hpp"
#include "dtap/nn/generator.hpp"
#include "dtap/nn/reader.hpp"
#include "dtap/nn/protect_objective.hpp"

namespace fs = std::filesystem;

namespace dtap {

namespace {

struct Crop {
  torch::Tensor image;  // [3,h,w] uint8
  torch::Tensor mask;   // [1,h,w] uint8 (0/1)
  nn::DualTargets targets;
};

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "'");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Crops of `crop` size around each PII span with text, each holding that span
// whole; boxes become crop coordinates. Deterministic for a given rng.
std::vector<Crop> crops_of(const Json& record, const cv::Mat& rgb, const GeneratorTrainOptions& o, Rng& rng) {
  std::vector<Crop> out;
  const int W = rgb.cols, H = rgb.rows, cw = std::min(o.crop_width, W), ch = std::min(o.crop_height, H);
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < record["pii"].size(); ++i) order.push_back(i);
  rng.shuffle(order);
  const cv::Mat full_mask = rect_mask(rgb.size(), pii_rects(record, rgb.size()));
  for (std::size_t i : order) {
    if (static_cast<int>(out.size()) >= o.crops_per_screen) break;
    const Json& span = record["pii"][i];
    if (!span.is_object() || !span.contains("bbox")) continue;
    auto b = BBox::from_json(span["bbox"]);
    if (!b || b->w > cw - 8 || b->h > ch - 8) continue;
    int xlo = std::max(0, static_cast<int>(std::ceil(b->right())) + 4 - cw), xhi = std::min(W - cw, static_cast<int>(b->x) - 4);
    int ylo = std::max(0, static_cast<int>(std::ceil(b->bottom())) + 4 - ch), yhi = std::min(H - ch, static_cast<int>(b->y) - 4);
    if (xlo > xhi || ylo > yhi) continue;
    cv::Rect r(rng.uniform(xlo, xhi), rng.uniform(ylo, yhi), cw, ch);
    Crop c;
    c.targets = nn::record_targets(record, r);
    if (c.targets.pii_boxes.empty()) continue;
    cv::Mat bgr = rgb_float_to_bgr8(rgb(r).clone()), rgb8;
    cv::cvtColor(bgr, rgb8, cv::COLOR_BGR2RGB);
    c.image = torch::from_blob(rgb8.data, {ch, cw, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
    cv::Mat m8;
    full_mask(r).convertTo(m8, CV_8U);
    c.mask = torch::from_blob(m8.data, {1, ch, cw}, torch::kUInt8).clone();
    out.push_back(std::move(c));
  }
  return out;
}

std::string fmt(double v, int precision = 3) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

void make_batch(const std::vector<Crop>& crops, const std::vector<std::size_t>& idx, torch::Tensor* x, torch::Tensor* m,
                std::vector<nn::DualTargets>* targets) {
  std::vector<torch::Tensor> xs, ms;
  targets->clear();
  for (auto i : idx) {
    xs.push_back(crops[i].image.to(torch::kFloat) / 255);
    ms.push_back(crops[i].mask.to(torch::kFloat));
    targets->push_back(crops[i].targets);
  }
  *x = torch::stack(xs);
  *m = torch::stack(ms);
}

}  // namespace

int run_train_generator(const GeneratorTrainOptions& o, const RunContext& context) {
  if (o.output.empty()) throw UsageError("an output checkpoint is required (-o FILE)");
  if (o.data.empty()) throw UsageError("training records are required (--data FILE)");
  if (!(o.eps > 0 && o.eps <= 1)) throw UsageError("--eps must be in (0, 1]");
  if (o.crop_width < 32 || o.crop_height < 32) throw UsageError("--crop must be at least 32x32");
  std::error_code ec;
  const bool exists = fs::exists(o.output, ec);
  if (exists && !o.resume && !context.force)
    throw UsageError("'" + o.output + "' exists (use --resume to go on training it, --force to start again)");
  const std::string device = configure_torch(context);
  if (device != "cpu") log::warn("training runs on the CPU (--device " + device + " is not used by this trainer)");
  nn::ProcessGroup group(o.distributed);
  if (group.world_size() > 1) log::info("data parallel: " + group.describe());
  const int threads = context.threads;
  auto t0 = std::chrono::steady_clock::now();

  // Readers (frozen).
  std::vector<std::string> reader_paths;
  std::vector<std::shared_ptr<nn::Reader>> readers;
  if (o.readers.size() == 1 && o.readers[0] == "none") {
    if (o.lambda_prior <= 0) throw UsageError("--reader none leaves nothing to learn without --lambda-prior > 0");
    log::warn("--reader none: no surrogate reader; training on the structure prior and the penalties only");
  } else {
    readers = nn::load_readers(o.readers, &reader_paths);
  }

  // Data: crops around the PII of every record.
  std::string data_hash_input;
  std::vector<Crop> crops;
  std::size_t screens = 0;
  for (const auto& file : o.data) {
    std::string text = file_bytes(file);
    data_hash_input += sha256_hex(text);
    std::istringstream in(text);
    RecordReader reader(in);
    while (auto rec = reader.next()) {
      if (o.max_screens > 0 && static_cast<int>(screens) >= o.max_screens) break;
      if (rec->contains("error") && !(*rec)["error"].is_null()) continue;
      if (!rec->contains("image") || !rec->contains("pii") || !(*rec)["pii"].is_array()) continue;
      const std::string image = (*rec)["image"].get<std::string>();
      cv::Mat rgb;
      try {
        rgb = load_image_rgb(image, context.max_pixels);
      } catch (const std::exception& e) {
        log::warn(record_name(*rec) + ": skipped: " + e.what());
        continue;
      }
      data_hash_input += sha256_hex(file_bytes(image));
      Rng rng(Rng::derive(context.seed, 1000000 + screens));
      auto c = crops_of(*rec, rgb, o, rng);
      for (auto& x : c) crops.push_back(std::move(x));
      ++screens;
    }
  }
  if (crops.size() < 2) throw Error("the training records give " + std::to_string(crops.size()) + " crops around PII (need 2+)");
  const std::string data_sha = sha256_hex(data_hash_input);
  // Hold out the last crops (a shuffled order, fixed by the seed) for the final metrics.
  {
    Rng rng(Rng::derive(context.seed, 7));
    rng.shuffle(crops);
  }
  std::size_t n_val = std::min(crops.size() - 1,
                               std::max<std::size_t>(1, static_cast<std::size_t>(std::round(crops.size() * o.val_fraction))));
  std::vector<Crop> val(std::make_move_iterator(crops.end() - static_cast<std::ptrdiff_t>(n_val)),
                        std::make_move_iterator(crops.end()));
  crops.resize(crops.size() - n_val);
  log::info(std::to_string(screens) + " screens, " + std::to_string(crops.size()) + " training crops, " +
            std::to_string(val.size()) + " held out; " + std::to_string(readers.size()) + " reader(s)");

  // Model and optimiser (fresh, or resumed).
  nn::GeneratorConfig config;
  config.channels = o.channels;
  config.groups = o.groups;
  config.eps = o.eps;
  // Row-phase inputs at the prior's period and its double: a convolutional net
  // cannot draw periodic bands on a flat background otherwise.
  config.phase_periods = {static_cast<double>(o.prior_period), 2.0 * o.prior_period};
  nn::Generator generator{nullptr};
  int start_step = 0;
  double previous_seconds = 0;
  const std::string opt_path = o.output + ".opt";
  if (o.resume && exists) {
    Json manifest;
    generator = nn::load_generator(o.output, &manifest);
    config = generator->config();
    if (manifest.contains("training") && manifest["training"].is_object()) {
      start_step = manifest["training"].value("steps_done", 0);
      previous_seconds = manifest["training"].value("seconds", 0.0);
    }
    log::info("resuming " + o.output + " at step " + std::to_string(start_step));
  } else {
    torch::manual_seed(context.seed);
    generator = nn::Generator(config);
  }
  generator->train();
  group.broadcast_module(*generator);  // every rank starts from rank 0's weights
  if (group.world_size() > 1)
    log::info("all-reduce per step: " + std::to_string(nn::ProcessGroup::gradient_bytes(*generator)) + " bytes of gradients");
  torch::optim::Adam optimizer(generator->parameters(), torch::optim::AdamOptions(o.lr));
  if (o.resume && exists && fs::exists(opt_path, ec)) {
    try {
      torch::load(optimizer, opt_path);
    } catch (const std::exception&) {
      throw Error("cannot load the optimizer state '" + opt_path + "' (corrupt)");
    }
  }
  nn::ObjectiveWeights weights;
  weights.alpha = o.alpha;
  weights.beta = o.beta;
  weights.kappa = o.kappa;
  weights.lambda_out = o.lambda_out;
  weights.lambda_tv = o.lambda_tv;
  weights.lambda_l2 = o.lambda_l2;
  // Resumed with a budget: the multiplier goes on from where it was.
  if (o.psnr_budget > 0 && o.resume && exists) {
    Json manifest = nn::read_manifest(o.output);
    if (manifest.contains("training") && manifest["training"].contains("lambda_l2_now"))
      weights.lambda_l2 = manifest["training"]["lambda_l2_now"].get<double>();
  }
  const double budget_mse = o.psnr_budget > 0 ? std::pow(10.0, -o.psnr_budget / 10.0) : 0.0;
  weights.lambda_prior = o.lambda_prior;
  nn::EotConfig eot;

  Json metrics;
  // Which reader families the generator saw, and which it never did (the
  // leave-one-family-out evidence of transfer: evaluate it with those).
  std::vector<std::string> families;
  for (const auto& r : readers)
    if (std::find(families.begin(), families.end(), r->arch()) == families.end()) families.push_back(r->arch());
  std::vector<std::string> left_out;
  for (const auto& f : nn::reader_archs())
    if (std::find(families.begin(), families.end(), f) == families.end()) left_out.push_back(f);
  auto manifest_for = [&](int steps_done) {
    double seconds = previous_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Json m;
    m["training"] = {{"data", o.data}, {"data_sha256", data_sha}, {"screens", screens},
                     {"crops", crops.size()}, {"held_out_crops", val.size()},
                     {"crop", std::to_string(o.crop_width) + "x" + std::to_string(o.crop_height)},
                     {"readers", reader_paths}, {"reader_families", families}, {"families_left_out", left_out},
                     {"steps_done", steps_done}, {"steps", o.steps}, {"batch", o.batch},
                     {"lr", o.lr}, {"eot_samples", o.eot_samples}, {"attention", "box"},
                     {"objective", {{"alpha", o.alpha}, {"beta", o.beta}, {"kappa", o.kappa}, {"lambda_out", o.lambda_out},
                                    {"lambda_tv", o.lambda_tv}, {"lambda_l2", o.lambda_l2},
                                    {"psnr_budget", o.psnr_budget}, {"budget_rate", o.budget_rate},
                                    {"lambda_prior", o.lambda_prior}, {"prior_period", o.prior_period},
                                    {"prior_thickness", o.prior_thickness}}},
                     {"seconds", std::round(seconds)}, {"lambda_l2_now", weights.lambda_l2}};
    m["seed"] = context.seed;
    m["threads"] = threads;
    m["world_size"] = group.world_size();
    m["git"] = DTAP_GIT_REV;
    m["metrics"] = metrics;
    return m;
  };
  auto checkpoint = [&](int steps_done) {
    if (group.is_main()) {
      nn::save_generator(generator, o.output, manifest_for(steps_done));
      std::string tmp = opt_path + ".tmp";
      torch::save(optimizer, tmp);
      fs::rename(tmp, opt_path);
    }
    group.barrier();  // complete before any rank goes on (or stops)
  };

  log::Progress progress("steps", static_cast<std::size_t>(std::max(0, o.steps - start_step)));
  double ema_task = 0, ema_priv = 0, ema_unr = 0, ema_psnr = 0;
  bool ema_init = false;
  for (int step = start_step; step < o.steps; ++step) {
    // Everything random in a step comes from (seed, step) and, with several
    // ranks, the rank (each its own batch): resuming gives the same run.
    Rng rng(Rng::derive(context.seed, static_cast<std::uint64_t>(step)));
    if (group.world_size() > 1) rng = Rng(Rng::derive(rng.next(), static_cast<std::uint64_t>(group.rank())));
    std::vector<std::size_t> idx;
    for (int b = 0; b < o.batch; ++b) idx.push_back(static_cast<std::size_t>(rng.next() % crops.size()));
    std::vector<nn::EotTransform> ts;
    for (int s = 0; s < std::max(1, o.eot_samples); ++s) ts.push_back(nn::sample_eot(eot, rng));
    torch::Tensor x, m;
    std::vector<nn::DualTargets> targets;
    make_batch(crops, idx, &x, &m, &targets);
    torch::Tensor delta = generator->delta(x, m, config.eps);
    torch::Tensor x_adv = torch::clamp(x + delta, 0.0, 1.0);
    torch::Tensor prior;
    if (o.lambda_prior > 0) prior = nn::stripe_template(x, m, o.prior_period, o.prior_thickness);
    auto terms = nn::dual_objective(readers, x_adv, delta, m, targets, ts, weights, config.eps, prior);
    optimizer.zero_grad();
    terms.total.backward();
    group.average_gradients(*generator);
    torch::nn::utils::clip_grad_norm_(generator->parameters(), 1.0);
    optimizer.step();
    double mse = (x_adv - x).pow(2).mean().item<double>();
    double psnr_db = mse > 0 ? 10 * std::log10(1.0 / mse) : 99.0;
    if (budget_mse > 0)  // dual ascent on "crop MSE <= the budget's"
      weights.lambda_l2 = std::max(0.0, weights.lambda_l2 + o.budget_rate * (mse / budget_mse - 1.0));
    const double k = ema_init ? 0.9 : 0.0;
    ema_task = k * ema_task + (1 - k) * terms.task;
    ema_priv = k * ema_priv + (1 - k) * terms.privacy;
    ema_unr = k * ema_unr + (1 - k) * terms.unreadable;
    ema_psnr = k * ema_psnr + (1 - k) * psnr_db;
    ema_init = true;
    progress.advance(1, "task " + fmt(ema_task) + " priv " + fmt(ema_priv) + " unread " + fmt(100 * ema_unr, 0) +
                            "% out " + fmt(terms.out, 5) + " tv " + fmt(terms.tv, 4) + " l2 " + fmt(terms.l2) +
                            " prior " + fmt(terms.prior) + " psnr(crop) " + fmt(ema_psnr, 1) + "dB");
    if (!log::stderr_is_fancy() && ((step + 1) % 25 == 0 || step + 1 == o.steps))
      log::info("step " + std::to_string(step + 1) + "/" + std::to_string(o.steps) + ": task " + fmt(ema_task) +
                " priv " + fmt(ema_priv) + " unreadable " + fmt(100 * ema_unr, 0) + "% out " + fmt(terms.out, 5) +
                " tv " + fmt(terms.tv, 4) + " l2 " + fmt(terms.l2) + " prior " + fmt(terms.prior) + " psnr(crop) " + fmt(ema_psnr, 1) + " dB" +
                (budget_mse > 0 ? " lambda_l2 " + fmt(weights.lambda_l2) : std::string()));
    if (o.checkpoint_every > 0 && (step + 1) % o.checkpoint_every == 0 && step + 1 < o.steps) checkpoint(step + 1);
  }
  progress.finish();

  // Held-out metrics (no EOT, then one fixed JPEG-75 + 0.5-scale transformation).
  generator->eval();
  if (group.is_main()) {
    double task = 0, priv = 0, unread = 0, mse_sum = 0, task_j = 0, priv_j = 0, unread_j = 0, clean_task = 0, clean_priv = 0;
    std::size_t n = 0;
    nn::EotTransform jpeg_scale;
    jpeg_scale.jpeg_quality = 75;
    jpeg_scale.scale = 0.5;
    for (std::size_t i = 0; i < val.size(); ++i) {
      torch::Tensor x, m;
      std::vector<nn::DualTargets> t;
      make_batch(val, {i}, &x, &m, &t);
      torch::NoGradGuard no_grad;
      torch::Tensor delta = generator->delta(x, m, config.eps);
      torch::Tensor x_adv = torch::clamp(x + delta, 0.0, 1.0);
      auto a = nn::dual_objective(readers, x_adv, delta, m, t, {}, weights, config.eps);
      auto b = nn::dual_objective(readers, x_adv, delta, m, t, {jpeg_scale}, weights, config.eps);
      auto c = nn::dual_objective(readers, x, delta * 0, m, t, {}, weights, config.eps);
      task += a.task, priv += a.privacy, unread += a.unreadable;
      task_j += b.task, priv_j += b.privacy, unread_j += b.unreadable;
      clean_task += c.task, clean_priv += c.privacy;
      mse_sum += (x_adv - x).pow(2).mean().item<double>();
      ++n;
    }
    if (n) {
      auto r = [](double v) { return std::round(v * 1000) / 1000; };
      metrics = {{"held_out_crops", n},
                 {"clean", {{"task_ctc", r(clean_task / n)}, {"pii_ctc", r(clean_priv / n)}}},
                 {"protected", {{"task_ctc", r(task / n)}, {"pii_ctc", r(priv / n)}, {"pii_unreadable", r(unread / n)}}},
                 {"protected_jpeg75_scale05",
                  {{"task_ctc", r(task_j / n)}, {"pii_ctc", r(priv_j / n)}, {"pii_unreadable", r(unread_j / n)}}},
                 {"psnr_crop_db", r(10 * std::log10(1.0 / std::max(1e-12, mse_sum / n)))}};
      log::info("held out: " + metrics.dump());
    }
  }
  checkpoint(o.steps);
  if (group.world_size() > 1)
    log::info(group.describe() + ": weights sha256 " + nn::ProcessGroup::weights_digest(*generator));
  log::info("wrote " + o.output + " (" + std::to_string(generator->parameter_count()) + " parameters) in " +
            fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0) + " s");
  return 0;
}

}  // namespace dtap
