// Tesseract OCR in process (libtesseract), shared by dtap-annotate and dtap-eval.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap {

struct OcrWord {
  std::string text;
  BBox bbox;       // pixels of the original image
  float conf = 0;  // 0-100
  int line = -1;   // index into OcrResult::lines
};

struct OcrLine {
  std::string text;  // words joined by single spaces
  BBox bbox;
  float conf = 0;    // mean of its words
  std::vector<int> words;
};

struct OcrResult {
  std::vector<OcrWord> words;
  std::vector<OcrLine> lines;
};

struct OcrOptions {
  std::string lang = "eng";
  int psm = 11;            // Tesseract page segmentation mode (11 = sparse text)
  float min_conf = 0;      // words below this confidence are dropped
  // Upscale factor applied before OCR (boxes are mapped back); 0 = automatic:
  // 2 for the page layout when the page's text lines are under 16 px, else 1.
  double scale = 1.0;
  std::string tessdata;    // empty = Tesseract's default
  int dpi = 0;             // resolution given to Tesseract (0 = let it estimate from text size)
  // "lines": dtap finds text lines itself (edges, grouped into rows), makes
  // each dark-on-light and reads it as one line; robust to buttons, pills and
  // light-on-dark text that Tesseract's page layout misses. "page": Tesseract's
  // own layout analysis with `psm`. "page+lines": the page layout, then
  // dtap's lines where it read nothing (faint, coloured or boxed text).
  std::string layout = "lines";
};

// Tesseract is built with OpenMP: each engine starts its own threads, which
// fight the -j workers and spin (measured: twice the CPU time for the same
// pages). libgomp reads OMP_THREAD_LIMIT only when it is loaded, so when it
// is unset this sets it to 1 and re-executes the program (argv unchanged).
// Returns only when no re-execution happened (already set, or exec failed).
void limit_ocr_threads_or_reexec(char** argv);

// Candidate text-line boxes of a grey image (exposed for tests and tuning).
std::vector<cv::Rect> detect_text_lines(const cv::Mat& grey);

// One Tesseract instance. Not thread-safe: make one per worker thread.
class OcrEngine;
// The one way the programs get an engine: each thread keeps one engine per
// setting (Tesseract is not thread-safe, and starting it costs a few hundred
// ms), made on first use. Throws dtap::Error when Tesseract cannot start.
OcrEngine& thread_ocr_engine(const OcrOptions& options);

class OcrEngine {
 public:
  explicit OcrEngine(const OcrOptions& options);  // throws dtap::Error if Tesseract cannot start
  ~OcrEngine();
  OcrEngine(const OcrEngine&) = delete;
  OcrEngine& operator=(const OcrEngine&) = delete;
  // Reads an 8-bit BGR or grey image.
  OcrResult read(const cv::Mat& image);
  const OcrOptions& options() const { return options_; }

 private:
  void read_page(const cv::Mat& grey, OcrResult& result, double scale);  // Tesseract's layout at `scale`, appended
  // The `lines` (detect_text_lines) not yet in result, read one by one and appended.
  void read_lines(const cv::Mat& grey, const std::vector<cv::Rect>& lines, OcrResult& result);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  OcrOptions options_;
};

}  // namespace dtap
