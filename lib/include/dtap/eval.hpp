// dtap-eval: leakage (PLR), task success (TSR) and image quality.
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/ocr.hpp"
#include "dtap/quality.hpp"
#include "dtap/image.hpp"
#include "dtap/record.hpp"
#include "dtap/run.hpp"

namespace dtap {

// A router or agent:
//   tesseract[:LANG]  libtesseract in process (LANG: any traineddata, e.g. eng, script/Latin)
//   reader[:MODEL]    the project's neural page reader: its text-line detector and a
//                     reader checkpoint (default: the shipped reader-conv.pt)
//   gocr, ocrad       the legacy OCR programs (text only, no boxes: routers only)
//   cmd:<command with {image} and {question}>   any external client, e.g. an MLLM's
struct ReaderSpec {
  enum class Kind { tesseract, reader, gocr, ocrad, command };
  std::string text;                  // as given, for reports
  Kind kind = Kind::tesseract;
  std::string lang;                  // tesseract: traineddata ("" = the OCR options' --lang)
  std::string model;                 // reader: checkpoint ("" = the shipped default)
  std::vector<std::string> command;  // command: argv template
  bool is_command() const { return kind == Kind::command; }
  // Whether it reports where it read each word (needed to ground a task as an agent).
  bool gives_boxes() const { return kind == Kind::tesseract || kind == Kind::reader; }
  static ReaderSpec parse(const std::string& spec);
};

// A whole-page reader other than Tesseract (the neural reader lives in libdtap_nn
// and reaches the evaluator through EvalOptions::page_reader, so this library
// stays free of LibTorch). Not thread-safe: the evaluator makes one per thread.
class PageReader {
 public:
  virtual ~PageReader() = default;
  virtual OcrResult read(const cv::Mat& bgr) = 0;
};
using PageReaderFactory = std::function<std::unique_ptr<PageReader>(const std::string& model)>;
struct EvalOptions {
  std::string router = "tesseract";
  std::string agent = "tesseract";
  std::vector<std::string> transforms;  // each a chain, e.g. "jpeg:75,scale:0.5"
  std::string truth_file;               // JSONL whose pii/tasks/privacy_qa are the truth (by id)
  double timeout_s = 120;
  OcrOptions ocr;
  double leak_threshold = 0.6;    // similarity > this = leaked (the paper's rule)
  double ground_threshold = 0.8;  // task answer found with similarity >= this
  // Makes the reader[:MODEL] page reader (dtap-eval passes libdtap_nn's); empty:
  // a reader router or agent is a usage error.
  PageReaderFactory page_reader;
};

// The paper's normalisation for free-text agent replies: lower case,
// punctuation to spaces, action words (tap, click, press, select, open) and
// control words (button, icon, tab) removed, spaces collapsed.
std::string normalise_reply(const std::string& text);
// A free-text reply answers a task when the normalised answer appears in it
// as whole words, after removing any copy of the question from the reply.
bool reply_answers_task(const std::string& reply, const std::string& question, const std::string& answer);

// Best similarity between a PII value and any window of the reader's text
// (one line of words per entry).
double best_leak_similarity(const std::vector<std::vector<std::string>>& lines, const std::string& value);
// Whether an OCR result grounds `answer` inside `task_box`: a window of words
// with similarity >= threshold whose box centre lies in the task box.
bool ocr_grounds_answer(const OcrResult& ocr, const std::string& answer, const BBox* task_box, double threshold);

class Evaluator {
 public:
  // Throws UsageError for bad specs, Error for a bad truth file. Images above
  // max_pixels are refused (an error record).
  explicit Evaluator(const EvalOptions& options, std::int64_t max_pixels = kDefaultMaxPixels);
  ~Evaluator();
  // Adds "eval" to the record; throws dtap::Error when it cannot (unreadable
  // image, failed router call...). Thread-safe.
  void evaluate(Json& record);
  const EvalOptions& options() const { return options_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  EvalOptions options_;
  std::int64_t max_pixels_;
};

// PSNR reported for identical images (the true value is infinite).
constexpr double kIdenticalPsnr = 100.0;

// Summary over records that carry "eval" (others are counted as errors).
Json summarise(const std::vector<Json>& records);
// One table row per (name, summary): PLR, exact PLR, TSR, PSNR, SSIM..., and
// ratios to the first row.
std::string format_compare_table(const std::vector<std::pair<std::string, Json>>& rows);
// original | attention | protected | |difference| x 8, one row per record.
cv::Mat make_montage(const std::vector<Json>& records, std::size_t count, std::int64_t max_pixels);
// PLR against mean whole-image PSNR, one (name, summary) per stream: a
// labelled point per protected stream; a stream of original images (PSNR
// null, or the 100 dB identical-image cap) is a dashed "unprotected PLR"
// line. `psnr_key`: "psnr" (whole image) or "psnr_pii" (inside the PII boxes,
// the frontier the methods compete on). Throws dtap::Error when no stream has a PLR.
cv::Mat make_plr_psnr_plot(const std::vector<std::pair<std::string, Json>>& rows, cv::Size size = {900, 600},
                           const std::string& psnr_key = "psnr");

// The whole of dtap-eval.
struct EvalRunOptions {
  EvalOptions eval;
  std::vector<std::string> inputs;   // image paths or folders; empty = records from the input stream
  std::vector<std::string> compare;  // --compare: evaluated streams to tabulate instead
  bool json_table = false;           // --compare as JSON
  std::string plot_file;             // --compare: PLR-vs-PSNR chart
  std::string plot_psnr = "whole";   // its x axis: whole | pii
  std::string summary_file;          // the summary goes here instead of the last stdout line
  std::string montage_file;
  std::size_t montage_count = 4;
};
// Records from inputs or `in` evaluated to `out` (context.jobs in parallel),
// then the summary; or, with compare, one table. Returns the exit code.
int run_eval(const EvalRunOptions& options, const RunContext& context, std::istream& in, std::ostream& out);

}  // namespace dtap
