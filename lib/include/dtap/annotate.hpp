// dtap-annotate: OCR words and PII findings for screen records, and the
// PrivScreen folder import.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "dtap/ocr.hpp"
#include "dtap/pii.hpp"
#include "dtap/record.hpp"
#include "dtap/run.hpp"

namespace dtap {

// Default OCR upscaling, chosen from bench measurements (see dtap-annotate(1)):
// automatic, 2 on pages of small text (desktop screenshots), else 1.
constexpr double kDefaultAnnotateScale = 0;

// OCR settings of dtap-annotate: Tesseract's page layout (sparse text) at
// 300 dpi, then dtap's own lines where it read nothing (faint, coloured and
// boxed text): on the real dev split recall 0.595 -> 0.620 against page
// alone, precision 0.841 -> 0.827 (see dtap-annotate(1)); OcrOptions' own defaults serve the other programs.
inline OcrOptions annotate_ocr_defaults() {
  OcrOptions o;
  o.layout = "page+lines";
  o.dpi = 300;
  o.scale = kDefaultAnnotateScale;
  return o;
}

struct AnnotateOptions {
  OcrOptions ocr = annotate_ocr_defaults();
  PiiOptions pii;
  std::vector<std::string> inputs;  // image paths or folders; empty = records from the input stream
  std::string privscreen_dir;       // import this PrivScreen folder instead of reading records
  // The learned row-title classifier: "none" (rules only), "shipped" or a model
  // file; run_annotate loads it into pii.line_classifier before any record.
  std::string line_classifier = "none";
};

// Annotates one record in place: reads its image, writes width, height,
// words (text, bbox, conf, line, and "pii": label for words inside a finding)
// and pii (the findings); locates tasks and privacy_qa answers that have no
// bbox. Every other field is kept. Throws dtap::Error naming the cause.
void annotate_record(Json& record, OcrEngine& engine, const AnnotateOptions& options,
                     std::int64_t max_pixels = kDefaultMaxPixels);

// Where on the page an answer is: the best window of OCR words with
// similarity >= min_similarity, as the union of their boxes; nullopt when not found.
std::optional<BBox> locate_text(const OcrResult& ocr, const std::string& text, double min_similarity = 0.8);

// ---- PrivScreen import.
// PrivScreen's field names (name, emailAddress, phoneNumbers, location,
// address, username, nationality, "IP address") and dtap's labels -> dtap label.
std::string privscreen_label(const std::string& field);
// {"name": [...], ...} from either "answers": {field: [values] | value} or
// "answer": "field: value; field: value". Labels are dtap's.
Json privscreen_answers(const Json& qa);
// Records for DIR/{app}/images/*: id, image, app, privacy_qa, tasks (from
// normal_qa). Question files are keyed by image file name; a key may name
// .jpg where the file is .png, so keys are matched by stem. Throws
// dtap::UsageError when DIR has no app folder with images.
std::vector<Json> privscreen_records(const std::string& dir);


// The whole program: records from options.inputs (image paths/folders) or `in`
// (JSON Lines), or from options.privscreen_dir; annotated records to `out`
// (context.jobs workers, one OCR engine each). Returns the exit code (0, or 1
// when a record failed).
int run_annotate(const AnnotateOptions& options, const RunContext& context, std::istream& in, std::ostream& out);

}  // namespace dtap
