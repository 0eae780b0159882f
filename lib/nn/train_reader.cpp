// dtap-train reader / eval-reader: training and measuring the surrogate readers.
#include "dtap/nn/train_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/quality.hpp"
#include "dtap/nn/runtime.hpp"
#include "dtap/rng.hpp"
#include "dtap/text.hpp"
#include "dtap/nn/distributed.hpp"
#include "dtap/nn/reader.hpp"

namespace dtap {

namespace {

using nn::Charset;

// One text line: a grey patch around the box (with room for augmentation),
// the box in the patch's pixels and the labels.
struct LineSample {
  cv::Mat patch;  // CV_8UC1
  BBox box;
  std::string text;
  std::vector<std::int64_t> labels;
  std::int64_t width = 0;  // crop width without augmentation
};

struct DataSet {
  std::vector<LineSample> lines;
  Json sources = Json::array();
};

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return sha256_hex(s.str());
}

// Every words / pii entry of the records (deduplicated by text and box).
// `transform` (what a router does to the page: JPEG, downscale) is applied to
// the whole image before the crops; boxes follow its scale.
DataSet load_lines(const std::vector<std::string>& files, int max_lines, bool refuse_heldout, std::int64_t max_pixels,
                   const Transform* transform = nullptr) {
  DataSet set;
  const auto& cs = Charset::standard();
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) throw UsageError("cannot read records from " + file);
    RecordReader reader(in);
    std::size_t records = 0, skipped = 0, lines_before = set.lines.size();
    while (auto rec = reader.next()) {
      const Json& r = *rec;
      if (r.contains("error") && !r["error"].is_null()) {
        ++skipped;
        continue;
      }
      if (refuse_heldout && r.contains("synth") && r["synth"].value("seed", std::uint64_t{0}) == kHeldOutSynthSeed)
        throw UsageError(file + ": " + record_name(r) + " comes from the held-out synthetic seed " +
                         std::to_string(kHeldOutSynthSeed) + "; train on other seeds");
      if (!r.contains("image") || !r["image"].is_string()) {
        ++skipped;
        continue;
      }
      cv::Mat bgr;
      try {
        bgr = load_image_bgr8(r["image"].get<std::string>(), max_pixels);
      } catch (const std::exception& e) {
        // Like the generator's training: one bad record is named and left out.
        log::warn(file + ": " + record_name(r) + ": skipped: " + e.what());
        ++skipped;
        continue;
      }
      double scale = 1;
      if (transform) {
        const int width = bgr.cols;
        bgr = transform->apply(bgr);
        scale = static_cast<double>(bgr.cols) / width;
      }
      cv::Mat grey;
      cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
      std::vector<std::pair<std::string, BBox>> entries;
      for (const char* field : {"words", "pii"}) {
        if (!r.contains(field) || !r[field].is_array()) continue;
        for (const auto& e : r[field]) {
          if (!e.is_object() || !e.contains("text") || !e["text"].is_string() || !e.contains("bbox")) continue;
          auto box = BBox::from_json(e["bbox"]);
          if (box) *box = BBox{box->x * scale, box->y * scale, box->w * scale, box->h * scale};
          if (!box || box->w < 2 || box->h < 4) continue;
          std::string text = e["text"].get<std::string>();
          if (text.empty() || !cs.covers(text)) continue;
          bool dup = false;
          for (const auto& [t, b] : entries)
            if (t == text && iou(b, *box) > 0.9) dup = true;
          if (!dup) entries.emplace_back(text, *box);
        }
      }
      for (const auto& [text, box] : entries) {
        if (max_lines > 0 && static_cast<int>(set.lines.size()) >= max_lines) break;
        const double m = 0.5 * box.h;
        const int x0 = std::max(0, static_cast<int>(std::floor(box.x - m)));
        const int y0 = std::max(0, static_cast<int>(std::floor(box.y - m)));
        const int x1 = std::min(grey.cols, static_cast<int>(std::ceil(box.right() + m)));
        const int y1 = std::min(grey.rows, static_cast<int>(std::ceil(box.bottom() + m)));
        if (x1 - x0 < 2 || y1 - y0 < 2) continue;
        LineSample s;
        s.patch = grey(cv::Rect(x0, y0, x1 - x0, y1 - y0)).clone();
        s.box = BBox{box.x - x0, box.y - y0, box.w, box.h};
        s.text = text;
        s.labels = cs.encode(text);
        s.width = nn::line_geometry(s.box).width;
        set.lines.push_back(std::move(s));
      }
      ++records;
      if (max_lines > 0 && static_cast<int>(set.lines.size()) >= max_lines) break;
    }
    set.sources.push_back(Json{{"path", file},
                               {"sha256", file_sha256(file)},
                               {"records", records},
                               {"skipped_records", skipped},
                               {"lines", set.lines.size() - lines_before}});
  }
  if (set.lines.empty()) throw UsageError("no text lines found in the training records (need words/pii with text and bbox)");
  return set;
}

torch::Tensor patch_tensor(const cv::Mat& grey8) {
  cv::Mat f;
  grey8.convertTo(f, CV_32F, 1.0 / 255.0);
  return torch::from_blob(f.data, {1, f.rows, f.cols}, torch::kFloat).clone();
}

// Router/messenger-like damage, applied to the patch, plus the imprecision of
// OCR boxes (dtap-annotate's boxes are not exact).
torch::Tensor augmented_crop(const LineSample& s, Rng& rng) {
  cv::Mat p = s.patch.clone();
  BBox b = s.box;
  const double h = b.h;
  if (rng.chance(0.7)) {  // box jitter
    const double l = rng.real(-0.08, 0.08) * h, r = rng.real(-0.08, 0.12) * h;
    const double t = rng.real(-0.08, 0.08) * h, bo = rng.real(-0.08, 0.08) * h;
    b = BBox{b.x + l, b.y + t, std::max(2.0, b.w - l + r), std::max(4.0, b.h - t + bo)};
  }
  if (rng.chance(0.5)) {  // small affine: rotation, shear, scale
    const double angle = rng.real(-1.5, 1.5), scale = rng.real(0.95, 1.05), shear = rng.real(-0.12, 0.12);
    cv::Mat A = cv::getRotationMatrix2D(cv::Point2f(static_cast<float>(b.cx()), static_cast<float>(b.cy())), angle, scale);
    A.at<double>(0, 1) += shear;
    A.at<double>(0, 2) -= shear * b.cy();
    cv::warpAffine(p, p, A, p.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  if (rng.chance(0.5)) {  // contrast / brightness
    const double a = rng.real(0.5, 1.15), mean = cv::mean(p)[0];
    const double beta = mean * (1 - a) + rng.real(-20, 20);
    p.convertTo(p, CV_8U, a, beta);
  }
  if (rng.chance(0.3)) {  // blur
    const double sigma = rng.real(0.3, 1.1);
    cv::GaussianBlur(p, p, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  }
  if (rng.chance(0.35)) {  // downscale and back
    const double f = rng.real(0.45, 0.95);
    cv::Mat small;
    cv::resize(p, small, cv::Size(std::max(2, static_cast<int>(p.cols * f)), std::max(2, static_cast<int>(p.rows * f))),
               0, 0, cv::INTER_AREA);
    cv::resize(small, p, p.size(), 0, 0, cv::INTER_LINEAR);
  }
  if (rng.chance(0.3)) {  // noise
    const double sigma = rng.real(2.0, 10.0);
    cv::Mat n(p.size(), CV_32F);
    for (int y = 0; y < n.rows; ++y)
      for (int x = 0; x < n.cols; ++x) {
        // Box-Muller from the deterministic source.
        const double u1 = std::max(1e-12, rng.real()), u2 = rng.real();
        n.at<float>(y, x) = static_cast<float>(sigma * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2));
      }
    cv::Mat f;
    p.convertTo(f, CV_32F);
    f += n;
    f.convertTo(p, CV_8U);
  }
  if (rng.chance(0.35)) {  // JPEG
    std::vector<uchar> buf;
    cv::imencode(".jpg", p, buf, {cv::IMWRITE_JPEG_QUALITY, rng.uniform(40, 95)});
    p = cv::imdecode(buf, cv::IMREAD_GRAYSCALE);
  }
  return nn::crop_line(patch_tensor(p), b);
}

torch::Tensor clean_crop(const LineSample& s) { return nn::crop_line(patch_tensor(s.patch), s.box); }

struct Scores {
  std::size_t lines = 0, exact = 0, ref_chars = 0, edits = 0;
  double accuracy() const { return lines ? static_cast<double>(exact) / lines : 0.0; }
  double cer() const { return ref_chars ? static_cast<double>(edits) / ref_chars : 0.0; }
};

Scores evaluate(nn::Reader& reader, const std::vector<LineSample>& lines, std::size_t limit) {
  Scores sc;
  const std::size_t n = limit ? std::min(limit, lines.size()) : lines.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return lines[a].width < lines[b].width; });
  const bool was_training = reader.is_training();
  reader.eval();
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < n; i += 64) {
    std::vector<torch::Tensor> crops;
    std::vector<std::size_t> idx;
    for (std::size_t j = i; j < std::min(n, i + 64); ++j) {
      crops.push_back(clean_crop(lines[order[j]]));
      idx.push_back(order[j]);
    }
    auto texts = nn::read_crops(reader, crops);
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const auto ref = utf8_to_u32(lines[idx[k]].text), hyp = utf8_to_u32(texts[k]);
      ++sc.lines;
      sc.exact += ref == hyp;
      sc.ref_chars += ref.size();
      sc.edits += levenshtein(ref, hyp);
    }
  }
  reader.train(was_training);
  return sc;
}

std::string fmt(double v, int prec) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(prec) << v;
  return s.str();
}

std::shared_ptr<nn::Reader> load_trainable(const std::string& path, const std::string& arch) {
  auto reader = nn::load_reader(path);
  if (reader->arch() != arch)
    throw UsageError("--resume: " + path + " holds a '" + reader->arch() + "' reader, not '" + arch + "'");
  for (auto& p : reader->parameters()) p.set_requires_grad(true);
  reader->train();
  return reader;
}

}  // namespace

int run_train_reader(const ReaderTrainOptions& o, const RunContext& context) {
  if (o.output.empty()) throw UsageError("-o/--output is required");
  if (o.data.empty()) throw UsageError("--data is required");
  if (o.epochs < 1 || o.batch < 1 || !(o.lr > 0)) throw UsageError("--epochs, --batch and --lr must be positive");
  nn::make_reader(o.arch);  // validates the architecture name early
  std::ifstream probe(o.output);
  const bool exists = static_cast<bool>(probe);
  if (exists && !o.resume && !context.force)
    throw UsageError(o.output + " exists; use --resume to go on training it or --force to replace it");
  std::vector<std::string> inputs = o.data;
  if (!o.val.empty()) inputs.push_back(o.val);
  for (const auto& in : inputs)
    if (in == o.output || in == o.output + ".json") throw UsageError("output " + o.output + " would overwrite input " + in);

  const std::string device = configure_torch(context);
  if (device != "cpu") log::warn("training runs on " + device);
  nn::ProcessGroup group(o.distributed);
  if (group.world_size() > 1) log::info("data parallel: " + group.describe());
  const auto t_load = std::chrono::steady_clock::now();
  DataSet train = load_lines(o.data, o.max_lines, true, context.max_pixels);
  DataSet val;
  if (!o.val.empty()) val = load_lines({o.val}, o.val_lines, true, context.max_pixels);
  log::info("loaded " + std::to_string(train.lines.size()) + " training lines" +
            (o.val.empty() ? "" : " and " + std::to_string(val.lines.size()) + " validation lines") + " in " +
            fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count(), 1) + " s");

  torch::manual_seed(context.seed);
  std::shared_ptr<nn::Reader> reader;
  int start_epoch = 0;
  double seconds_before = 0;
  Json history = Json::array();
  if (o.resume && exists) {
    reader = load_trainable(o.output, o.arch);
    Json m = nn::read_manifest(o.output);
    start_epoch = m.value("epochs_done", 0);
    seconds_before = m.value("train_seconds", 0.0);
    if (m.contains("history")) history = m["history"];
    log::info("resuming " + o.output + " after epoch " + std::to_string(start_epoch));
  } else {
    reader = nn::make_reader(o.arch);
  }
  reader->train();
  group.broadcast_module(*reader);  // every rank starts from rank 0's weights
  if (group.world_size() > 1)
    log::info("all-reduce per step: " + std::to_string(nn::ProcessGroup::gradient_bytes(*reader)) + " bytes of gradients");
  torch::optim::Adam optimizer(reader->parameters(), torch::optim::AdamOptions(o.lr));
  const std::string state_path = o.output + ".state";
  if (o.resume && exists) {
    std::ifstream st(state_path);
    if (st) {
      try {
        torch::load(optimizer, state_path);
      } catch (const std::exception&) {
        throw Error(state_path + ": corrupt optimizer state");
      }
    } else {
      log::warn("no optimizer state at " + state_path + "; Adam starts afresh");
    }
  }
  log::info(o.arch + " reader: " + std::to_string(nn::parameter_count(*reader)) + " parameters, " +
            std::to_string(context.threads) + " threads, seed " + std::to_string(context.seed));

  const std::size_t N = train.lines.size();
  // With W ranks each takes every W-th batch of the epoch's order: an epoch
  // is the same data, in 1/W of the steps.
  const std::size_t W = static_cast<std::size_t>(group.world_size());
  const std::size_t batches_per_epoch = ((N + o.batch - 1) / o.batch) / W;
  const double total_steps = static_cast<double>(batches_per_epoch) * o.epochs;
  const double warmup = std::min(300.0, total_steps / 10);
  auto lr_at = [&](double step) {
    if (step < warmup) return o.lr * (step + 1) / warmup;
    const double t = (step - warmup) / std::max(1.0, total_steps - warmup);
    return o.lr * (0.02 + 0.98 * 0.5 * (1 + std::cos(3.141592653589793 * std::min(1.0, t))));
  };

  Json last_val;
  double last_loss = 0;
  const int end_epoch = o.stop_after > 0 ? std::min(o.epochs, start_epoch + o.stop_after) : o.epochs;
  for (int epoch = start_epoch; epoch < end_epoch; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    Rng rng(Rng::derive(context.seed, static_cast<std::uint64_t>(epoch)));
    // Batches of similar widths (little padding), in random order.
    std::vector<std::pair<std::uint64_t, std::size_t>> keyed(N);
    for (std::size_t i = 0; i < N; ++i) keyed[i] = {rng.next(), i};
    std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
      const auto wa = train.lines[a.second].width / 16, wb = train.lines[b.second].width / 16;
      return wa != wb ? wa < wb : a.first < b.first;
    });
    std::vector<std::vector<std::size_t>> batches;
    for (std::size_t i = 0; i < N; i += o.batch) {
      std::vector<std::size_t> b;
      for (std::size_t j = i; j < std::min(N, i + o.batch); ++j) b.push_back(keyed[j].second);
      batches.push_back(std::move(b));
    }
    rng.shuffle(batches);
    if (W > 1) {
      // This rank's share; every rank does the same number of steps (lockstep all-reduce).
      std::vector<std::vector<std::size_t>> mine;
      for (std::size_t bi = static_cast<std::size_t>(group.rank()); bi < batches_per_epoch * W; bi += W)
        mine.push_back(std::move(batches[bi]));
      batches = std::move(mine);
    }
    log::Progress bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs), batches.size());
    double loss_sum = 0;
    std::size_t loss_n = 0, lines_done = 0;
    for (std::size_t bi = 0; bi < batches.size(); ++bi) {
      const auto& b = batches[bi];
      std::vector<torch::Tensor> crops;
      std::vector<std::int64_t> targets, target_lengths;
      for (auto i : b) {
        Rng r(Rng::derive(rng.next(), i));
        crops.push_back(o.augment ? augmented_crop(train.lines[i], r) : clean_crop(train.lines[i]));
        const auto& l = train.lines[i].labels;
        targets.insert(targets.end(), l.begin(), l.end());
        target_lengths.push_back(static_cast<std::int64_t>(l.size()));
      }
      std::vector<std::int64_t> widths;
      auto x = nn::stack_lines(crops, &widths);
      auto log_probs = reader->forward(x);
      std::vector<std::int64_t> input_lengths;
      for (auto w : widths) input_lengths.push_back(std::min(reader->output_length(w), log_probs.size(0)));
      auto lopt = torch::TensorOptions().dtype(torch::kLong);
      auto loss = torch::nn::functional::ctc_loss(
          log_probs, torch::tensor(targets, lopt), torch::tensor(input_lengths, lopt),
          torch::tensor(target_lengths, lopt),
          torch::nn::functional::CTCLossFuncOptions().blank(0).reduction(torch::kMean).zero_infinity(true));
      const double step = static_cast<double>(epoch) * batches_per_epoch + bi;
      for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr_at(step));
      optimizer.zero_grad();
      loss.backward();
      group.average_gradients(*reader);
      torch::nn::utils::clip_grad_norm_(reader->parameters(), 5.0);
      optimizer.step();
      const double lv = loss.item<double>();
      if (std::isfinite(lv)) {
        loss_sum += lv;
        ++loss_n;
      }
      lines_done += b.size();
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const std::string extra =
          "loss " + fmt(loss_n ? loss_sum / loss_n : 0, 3) + "  " + fmt(lines_done / std::max(el, 1e-9), 0) + " lines/s";
      bar.advance(1, extra);
      // Without a bar (log file, pipe): a line every tenth of an epoch.
      const std::size_t tenth = std::max<std::size_t>(1, batches.size() / 10);
      if (!log::stderr_is_fancy() && (bi + 1) % tenth == 0 && bi + 1 < batches.size())
        log::info("epoch " + std::to_string(epoch + 1) + ": " + std::to_string((bi + 1) * 100 / batches.size()) +
                  "%, " + extra);
    }
    bar.finish();
    // Batch-norm statistics were gathered on each rank's own batches.
    group.average_buffers(*reader);
    last_loss = group.average(loss_n ? loss_sum / loss_n : 0);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    seconds_before += secs;
    Json h{{"epoch", epoch + 1}, {"loss", last_loss}, {"seconds", secs}};
    std::string msg = "epoch " + std::to_string(epoch + 1) + ": loss " + fmt(last_loss, 4) + ", " + fmt(secs, 0) + " s";
    if (!val.lines.empty() && group.is_main()) {
      Scores sc = evaluate(*reader, val.lines, 0);
      last_val = Json{{"lines", sc.lines}, {"exact", sc.accuracy()}, {"cer", sc.cer()}};
      h["val"] = last_val;
      msg += ", validation exact " + fmt(sc.accuracy(), 4) + " CER " + fmt(sc.cer(), 4);
    }
    log::info(msg);
    history.push_back(h);
    Json manifest{{"kind", "dtap-reader"},
                  {"arch", o.arch},
                  {"data", train.sources},
                  {"validation", o.val.empty() ? Json() : val.sources},
                  {"seed", context.seed},
                  {"threads", context.threads},
                  {"world_size", group.world_size()},
                  {"git_revision", DTAP_GIT_REV},
                  {"epochs", o.epochs},
                  {"epochs_done", epoch + 1},
                  {"batch", o.batch},
                  {"lr", o.lr},
                  {"augment", o.augment},
                  {"train_lines", N},
                  {"train_seconds", seconds_before},
                  {"metrics", {{"train_loss", last_loss}, {"validation", last_val}}},
                  {"history", history}};
    if (group.is_main()) {
      nn::save_reader(*reader, o.output, manifest);
      std::ostringstream st;
      torch::save(optimizer, st);
      write_text_atomic(state_path, st.str());
    }
    group.barrier();  // the checkpoint is complete before any rank goes on (or stops)
    reader->train();
  }
  if (group.world_size() > 1)
    log::info(group.describe() + ": weights sha256 " + nn::ProcessGroup::weights_digest(*reader));
  return 0;
}

int run_eval_reader(const ReaderEvalOptions& o, const RunContext& context, std::ostream& out) {
  if (o.models.empty()) throw UsageError("--model is required");
  if (o.data.empty()) throw UsageError("--data is required");
  configure_torch(context);
  std::vector<Transform> transforms;
  for (const auto& spec : o.transforms) transforms.push_back(Transform::parse(spec));
  DataSet set = load_lines(o.data, o.max_lines, false, context.max_pixels);
  std::vector<DataSet> transformed;
  for (const auto& t : transforms) transformed.push_back(load_lines(o.data, o.max_lines, false, context.max_pixels, &t));
  for (const auto& path : o.models) {
    auto reader = nn::load_reader(path);
    const auto t0 = std::chrono::steady_clock::now();
    Scores sc = evaluate(*reader, set.lines, 0);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Json after = Json::object();
    for (std::size_t k = 0; k < transforms.size(); ++k) {
      Scores t = evaluate(*reader, transformed[k].lines, 0);
      after[transforms[k].spec] = Json{{"lines", t.lines}, {"exact", t.accuracy()}, {"cer", t.cer()}};
    }
    Json r{{"model", path},
           {"arch", reader->arch()},
           {"parameters", nn::parameter_count(*reader)},
           {"data", set.sources},
           {"lines", sc.lines},
           {"exact", sc.accuracy()},
           {"cer", sc.cer()},
           {"seconds", secs}};
    if (!transforms.empty()) r["transforms"] = after;
    if (o.record) {
      Json m = nn::read_manifest(path);
      m["heldout"] = Json{{"data", set.sources}, {"lines", sc.lines}, {"exact", sc.accuracy()}, {"cer", sc.cer()}};
      if (!transforms.empty()) m["heldout"]["transforms"] = after;
      write_text_atomic(path + ".json", m.dump(2) + "\n");
    }
    write_record(out, r);
  }
  return 0;
}

}  // namespace dtap
