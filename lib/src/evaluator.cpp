// dtap-eval's per-record evaluation: the router reads, the agent does the tasks, image quality.
#include "dtap/eval.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/external.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/text.hpp"

namespace fs = std::filesystem;

namespace dtap {
namespace {

std::vector<std::vector<std::string>> ocr_lines(const OcrResult& r) {
  std::vector<std::vector<std::string>> lines;
  for (const auto& l : r.lines) {
    std::vector<std::string> tokens;
    for (int w : l.words) tokens.push_back(r.words[static_cast<std::size_t>(w)].text);
    lines.push_back(std::move(tokens));
  }
  return lines;
}

// The privacy question asked of a command router.
std::string privacy_question(const Json& truth) {
  if (truth.contains("privacy_qa") && truth["privacy_qa"].is_array() && !truth["privacy_qa"].empty() &&
      truth["privacy_qa"][0].contains("question") && truth["privacy_qa"][0]["question"].is_string())
    return truth["privacy_qa"][0]["question"];
  return "List every personal detail shown on this screenshot: names, e-mail addresses, phone numbers, postal "
         "addresses, usernames, IP addresses, card and account numbers, dates of birth.";
}

double cap_psnr(double v) { return std::isinf(v) ? kIdenticalPsnr : v; }

Json number_or_null(double v) { return std::isnan(v) ? Json(nullptr) : Json(std::round(v * 10000) / 10000); }

// A temporary image (PNG, or grey PGM for the legacy OCR programs) removed
// when it goes out of scope.
struct TempImage {
  std::string path;
  explicit TempImage(const cv::Mat& img, bool pgm = false) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dtap-eval-XXXXXX" + (pgm ? ".pgm" : ".png");
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = mkstemps(buf.data(), 4);
    if (fd < 0) throw Error("cannot create a temporary image file");
    close(fd);
    path = buf.data();
    if (!pgm) {
      write_png_atomic(path, img);
      return;
    }
    cv::Mat grey;
    cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
    if (!cv::imwrite(path, grey)) throw Error("cannot write a temporary image file");
  }
  ~TempImage() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

}  // namespace

struct Evaluator::Impl {
  ReaderSpec router, agent;
  std::vector<Transform> transforms;
  std::map<std::string, Json> truth;  // by id
  bool has_truth = false;
};

Evaluator::Evaluator(const EvalOptions& options, std::int64_t max_pixels)
    : impl_(std::make_unique<Impl>()), options_(options), max_pixels_(max_pixels) {
  impl_->router = ReaderSpec::parse(options.router);
  impl_->agent = ReaderSpec::parse(options.agent);
  if (impl_->agent.kind == ReaderSpec::Kind::gocr || impl_->agent.kind == ReaderSpec::Kind::ocrad)
    throw UsageError(impl_->agent.text + " reads text without word boxes, so it cannot ground tasks: use it as --router");
  for (const auto* spec : {&impl_->router, &impl_->agent})
    if (spec->kind == ReaderSpec::Kind::reader && !options.page_reader)
      throw UsageError("'" + spec->text + "' needs the neural page reader, which this program was built without");
  for (const auto& t : options.transforms) impl_->transforms.push_back(Transform::parse(t));
  if (!options.truth_file.empty()) {
    std::ifstream in(options.truth_file);
    if (!in) throw UsageError("cannot read --truth file '" + options.truth_file + "'");
    RecordReader reader(in);
    while (auto r = reader.next()) {
      if (r->contains("error") && !(*r)["error"].is_null()) continue;
      if (!r->contains("id") || !(*r)["id"].is_string()) continue;
      impl_->truth[(*r)["id"].get<std::string>()] = *r;
    }
    impl_->has_truth = true;
  }
}

Evaluator::~Evaluator() = default;

void Evaluator::evaluate(Json& record) {
  require_valid_record(record);
  const Json* truth = &record;
  if (impl_->has_truth) {
    auto it = impl_->truth.find(record_name(record));
    if (it == impl_->truth.end()) throw Error("no record with id '" + record_name(record) + "' in the --truth file");
    truth = &it->second;
  }
  const std::string original_path = record_image(record);
  const bool is_protected = record.contains("protected") && record["protected"].is_string();
  const std::string shown_path = is_protected ? record["protected"].get<std::string>() : original_path;
  cv::Mat shown = load_image_bgr8(shown_path, max_pixels_);

  std::vector<TextBox> pii = record_pii(*truth);
  for (auto& p : pii) {
    if (p.text.empty()) throw Error("a PII span has no plain text (redacted records cannot be evaluated)");
    if (p.label.empty()) p.label = "other";
  }

  // One reader per thread and per setting (Tesseract and the page readers are not thread-safe).
  thread_local std::map<std::string, std::unique_ptr<PageReader>> page_readers;
  auto read_page = [&](const ReaderSpec& spec, const cv::Mat& image) -> OcrResult {
    if (spec.kind == ReaderSpec::Kind::reader) {
      auto& reader = page_readers[spec.model];
      if (!reader) reader = options_.page_reader(spec.model);
      return reader->read(image);
    }
    OcrOptions ocr_options = options_.ocr;
    if (!spec.lang.empty()) ocr_options.lang = spec.lang;
    return thread_ocr_engine(ocr_options).read(image);
  };

  // The untransformed image read once per reader (router and agent may be the same).
  std::map<std::string, std::pair<OcrResult, double>> clean_reads;
  auto read_clean = [&](const ReaderSpec& spec) -> const std::pair<OcrResult, double>& {
    auto it = clean_reads.find(spec.text);
    if (it == clean_reads.end()) {
      auto t0 = std::chrono::steady_clock::now();
      OcrResult r = read_page(spec, shown);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      it = clean_reads.emplace(spec.text, std::make_pair(std::move(r), ms)).first;
    }
    return it->second;
  };

  auto call = [&](const std::vector<std::string>& command, const std::string& image_path, const std::string& question) {
    CommandResult r = run_command(expand_command(command, image_path, question), options_.timeout_s);
    if (!r.err.empty()) log::debug(record_name(record) + ": command stderr: " + std::to_string(r.err.size()) + " bytes");
    if (r.exit_code != 0)
      throw Error("command '" + command[0] + "' exited with status " + std::to_string(r.exit_code));
    return r;
  };

  // Leakage under one condition (clean or a transform).
  auto leakage = [&](const Transform* transform) {
    Json result;
    double ms = 0;
    std::vector<std::vector<std::string>> lines;
    const ReaderSpec& router = impl_->router;
    if (router.gives_boxes()) {
      if (transform == nullptr) {
        const auto& [result, clean_ms] = read_clean(router);
        lines = ocr_lines(result);
        ms = clean_ms;
      } else {
        auto t0 = std::chrono::steady_clock::now();
        lines = ocr_lines(read_page(router, transform->apply(shown)));
        ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      }
    } else {
      // External programs read a file: the shown image, or the transformed one.
      const bool legacy = router.kind != ReaderSpec::Kind::command;
      std::optional<TempImage> temp;
      if (transform != nullptr || legacy) temp.emplace(transform ? transform->apply(shown) : shown, legacy);
      const std::string path = temp ? temp->path : shown_path;
      std::vector<std::string> command = router.command;
      if (router.kind == ReaderSpec::Kind::gocr) command = {"gocr", "-f", "UTF8", "-i", "{image}"};
      if (router.kind == ReaderSpec::Kind::ocrad) command = {"ocrad", "-F", "utf8", "{image}"};
      CommandResult r = call(command, path, privacy_question(*truth));
      ms = r.ms;
      std::istringstream in(r.out);
      for (std::string line; std::getline(in, line);) lines.push_back(split_whitespace(line));
    }
    int leaked = 0, exact = 0;
    Json by_label = Json::object(), leaks = Json::array();
    for (const auto& p : pii) {
      double sim = best_leak_similarity(lines, p.text);
      bool is_leak = sim > options_.leak_threshold, is_exact = sim >= 1.0 - 1e-12;
      leaked += is_leak;
      exact += is_exact;
      Json& l = by_label[p.label];
      if (l.is_null()) l = {{"total", 0}, {"leaked", 0}, {"exact", 0}};
      l["total"] = l["total"].get<int>() + 1;
      l["leaked"] = l["leaked"].get<int>() + (is_leak ? 1 : 0);
      l["exact"] = l["exact"].get<int>() + (is_exact ? 1 : 0);
      // Labels and scores only: never the values themselves.
      leaks.push_back({{"label", p.label}, {"similarity", std::round(sim * 1000) / 1000}, {"leaked", is_leak}});
    }
    result["pii_total"] = pii.size();
    result["pii_leaked"] = leaked;
    result["pii_exact"] = exact;
    result["by_label"] = by_label;
    result["leaks"] = leaks;
    result["router_ms"] = std::round(ms * 10) / 10;
    return result;
  };

  Json ev;
  ev["router"] = impl_->router.text;
  ev["agent"] = impl_->agent.text;
  ev["protected"] = is_protected;
  Json clean = leakage(nullptr);
  for (auto& [k, v] : clean.items()) ev[k] = v;

  // Task success on the image as sent (the user's agent sees it untransformed).
  int tasks_total = 0, tasks_ok = 0;
  double agent_ms = 0;
  Json task_results = Json::array();
  if (truth->contains("tasks") && (*truth)["tasks"].is_array()) {
    for (const auto& t : (*truth)["tasks"]) {
      if (!t.contains("answer") || !t["answer"].is_string()) continue;
      ++tasks_total;
      std::string answer = t["answer"], question = t.value("question", "");
      if (impl_->agent.gives_boxes()) {
        std::optional<BBox> box = t.contains("bbox") ? BBox::from_json(t["bbox"]) : std::nullopt;
        const auto& [result, clean_ms] = read_clean(impl_->agent);
        bool ok = ocr_grounds_answer(result, answer, box ? &*box : nullptr, options_.ground_threshold);
        tasks_ok += ok;
        task_results.push_back({{"answer", answer}, {"ok", ok}});
        agent_ms = clean_ms;
      } else {
        CommandResult r = call(impl_->agent.command, shown_path, question);
        agent_ms += r.ms;
        bool ok = reply_answers_task(r.out, question, answer);
        tasks_ok += ok;
        task_results.push_back({{"answer", answer}, {"ok", ok}});
      }
    }
  }
  ev["tasks_total"] = tasks_total;
  ev["tasks_ok"] = tasks_ok;
  ev["task_results"] = task_results;
  ev["agent_ms"] = std::round(agent_ms * 10) / 10;

  if (is_protected) {
    cv::Mat original = load_image_bgr8(original_path, max_pixels_);
    if (original.size() != shown.size())
      throw Error("protected image is " + std::to_string(shown.cols) + "x" + std::to_string(shown.rows) +
                  " but the original is " + std::to_string(original.cols) + "x" + std::to_string(original.rows));
    cv::Mat inside(original.size(), CV_8U, cv::Scalar(0));
    for (const auto& p : pii)
      if (p.box) {
        inside(pixel_rect(*p.box, inside.size())).setTo(255);
      }
    cv::Mat outside = inside == 0;
    ev["psnr"] = number_or_null(cap_psnr(psnr(original, shown)));
    ev["ssim"] = number_or_null(ssim(original, shown));
    ev["psnr_pii"] = number_or_null(cap_psnr(psnr(original, shown, inside)));
    ev["ssim_pii"] = number_or_null(ssim(original, shown, inside));
    ev["psnr_outside"] = number_or_null(cap_psnr(psnr(original, shown, outside)));
    ev["ssim_outside"] = number_or_null(ssim(original, shown, outside));
  }

  if (!impl_->transforms.empty()) {
    Json per = Json::object();
    for (const auto& t : impl_->transforms) per[t.spec] = leakage(&t);
    ev["transforms"] = per;
  }
  record["eval"] = ev;
}

}  // namespace dtap
