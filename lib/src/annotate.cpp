// dtap-annotate: OCR + PII findings per record, run over a batch.
#include "dtap/annotate.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>

#include "dtap/run.hpp"
#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/pii_lines.hpp"
#include "dtap/text.hpp"

namespace dtap {

std::optional<BBox> locate_text(const OcrResult& ocr, const std::string& text, double min_similarity) {
  if (normalise_text(text).empty()) return std::nullopt;
  double best = 0;
  std::optional<BBox> where;
  // Windows within one line first (answers rarely span lines), then the page.
  for (const auto& line : ocr.lines) {
    std::vector<std::string> tokens;
    for (int w : line.words) tokens.push_back(ocr.words[static_cast<std::size_t>(w)].text);
    std::size_t start = 0, len = 0;
    double s = best_window_similarity(tokens, text, &start, &len);
    if (s > best && len > 0) {
      best = s;
      BBox box = ocr.words[static_cast<std::size_t>(line.words[start])].bbox;
      for (std::size_t k = start + 1; k < start + len; ++k)
        box = bbox_union(box, ocr.words[static_cast<std::size_t>(line.words[k])].bbox);
      where = box;
    }
  }
  if (best >= min_similarity) return where;
  // A value wrapped over two lines: try consecutive lines joined.
  for (std::size_t i = 0; i + 1 < ocr.lines.size(); ++i) {
    std::vector<std::string> tokens;
    std::vector<int> ids;
    for (std::size_t l = i; l <= i + 1; ++l)
      for (int w : ocr.lines[l].words) {
        tokens.push_back(ocr.words[static_cast<std::size_t>(w)].text);
        ids.push_back(w);
      }
    std::size_t start = 0, len = 0;
    double s = best_window_similarity(tokens, text, &start, &len);
    if (s > best && len > 0) {
      best = s;
      BBox box = ocr.words[static_cast<std::size_t>(ids[start])].bbox;
      for (std::size_t k = start + 1; k < start + len; ++k)
        box = bbox_union(box, ocr.words[static_cast<std::size_t>(ids[k])].bbox);
      where = box;
    }
  }
  return best >= min_similarity ? where : std::nullopt;
}

void annotate_record(Json& record, OcrEngine& engine, const AnnotateOptions& options, std::int64_t max_pixels) {
  const std::string path = record_image(record);
  cv::Mat image = load_image_bgr8(path, max_pixels);
  OcrResult ocr = engine.read(image);
  std::vector<PiiFinding> findings = find_pii(ocr, options.pii, detect_avatars(image, ocr));

  // Which finding each word belongs to (so later programs keep the rest).
  std::vector<const PiiFinding*> word_finding(ocr.words.size(), nullptr);
  for (const auto& f : findings)
    for (int w : f.words) word_finding[static_cast<std::size_t>(w)] = &f;
  Json words = Json::array();
  for (std::size_t i = 0; i < ocr.words.size(); ++i) {
    const OcrWord& w = ocr.words[i];
    Json j{{"text", w.text}, {"bbox", w.bbox.to_json()}, {"conf", std::round(w.conf * 10) / 10}, {"line", w.line}};
    if (word_finding[i]) j["pii"] = word_finding[i]->label;
    words.push_back(std::move(j));
  }
  Json pii = Json::array();
  for (const auto& f : findings) pii.push_back(f.to_json());

  record["width"] = image.cols;
  record["height"] = image.rows;
  record["words"] = std::move(words);
  record["pii"] = std::move(pii);
  // Task answers without a box (PrivScreen's normal_qa): find them on the page.
  if (record.contains("tasks") && record["tasks"].is_array())
    for (auto& task : record["tasks"]) {
      if (!task.is_object() || task.contains("bbox") || !task.contains("answer") || !task["answer"].is_string())
        continue;
      if (auto box = locate_text(ocr, task["answer"].get<std::string>())) task["bbox"] = box->to_json();
    }
  // Privacy answers: where each true value is, when OCR can find it.
  if (record.contains("privacy_qa") && record["privacy_qa"].is_array())
    for (auto& qa : record["privacy_qa"]) {
      if (!qa.is_object() || qa.contains("located")) continue;
      Json answers = privscreen_answers(qa);
      if (answers.empty()) continue;
      Json located = Json::array();
      for (const auto& [label, values] : answers.items())
        for (const auto& v : values) {
          if (!v.is_string()) continue;
          Json span{{"label", label}, {"text", v}};
          if (auto box = locate_text(ocr, v.get<std::string>())) span["bbox"] = box->to_json();
          located.push_back(std::move(span));
        }
      qa["located"] = std::move(located);
    }
  log::debug(record_name(record) + ": " + std::to_string(ocr.words.size()) + " words, " +
             std::to_string(findings.size()) + " PII findings");
}

namespace {

// Tesseract prints its own start-up failure (several lines) to stderr; the
// one-line usage error says the same, so its chatter is silenced meanwhile.
void check_engine_starts(const OcrOptions& options) {
  std::fflush(stderr);
  int saved = ::dup(2);
  int devnull = ::open("/dev/null", O_WRONLY);
  if (saved >= 0 && devnull >= 0) ::dup2(devnull, 2);
  std::string failure;
  try {
    thread_ocr_engine(options);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  std::fflush(stderr);
  if (saved >= 0) {
    ::dup2(saved, 2);
    ::close(saved);
  }
  if (devnull >= 0) ::close(devnull);
  if (!failure.empty()) throw UsageError(failure);
}

}  // namespace


int run_annotate(const AnnotateOptions& given, const RunContext& context, std::istream& in, std::ostream& out) {
  AnnotateOptions options = given;
  // Loaded once, before any record: a bad model is one clear error.
  std::optional<LineClassifier> own_classifier;
  if (options.line_classifier == "shipped") {
    options.pii.line_classifier = LineClassifier::shipped();
  } else if (options.line_classifier != "none") {
    own_classifier = LineClassifier::load(options.line_classifier);
    options.pii.line_classifier = &*own_classifier;
  }
  const auto& inputs = options.inputs;
  if (!options.privscreen_dir.empty() && !inputs.empty())
    throw UsageError("--privscreen takes no image paths");
  std::vector<Json> imported;
  if (!options.privscreen_dir.empty()) imported = privscreen_records(options.privscreen_dir);
  // A bad --lang is a usage error before any output.
  check_engine_starts(options.ocr);
  RecordProcessor process = [&](Json& record) { annotate_record(record, thread_ocr_engine(options.ocr), options, context.max_pixels); };

  std::function<std::optional<Json>()> next;
  std::size_t next_imported = 0;
  RecordSource source(inputs, in);
  if (!options.privscreen_dir.empty()) {
    log::info("PrivScreen import: " + std::to_string(imported.size()) + " screenshots");
    next = [&]() -> std::optional<Json> {
      if (next_imported >= imported.size()) return std::nullopt;
      return std::move(imported[next_imported++]);
    };
  } else {
    next = [&] { return source.next(); };
  }
  return run_batch(next, process, out, batch_options(context, "screens")).exit_code();
}

}  // namespace dtap
