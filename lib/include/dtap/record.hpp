// The screen record: one JSON object per screenshot (DESIGN.md section 3).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dtap {

// Ordered so that records keep the field order they were read with.
using Json = nlohmann::ordered_json;

// bbox = [x, y, w, h] in pixels of the original image.
struct BBox {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  double area() const { return w > 0 && h > 0 ? w * h : 0.0; }
  double cx() const { return x + w / 2; }
  double cy() const { return y + h / 2; }
  Json to_json() const;
  static std::optional<BBox> from_json(const Json& j);  // nullopt when malformed
};

double iou(const BBox& a, const BBox& b);
BBox bbox_union(const BBox& a, const BBox& b);

// PII labels of DESIGN.md, lower case.
const std::vector<std::string>& pii_labels();
bool is_pii_label(std::string_view label);

// Every problem found in a record (empty when valid): types, bbox inside the
// image, labels. Unknown fields are allowed and kept.
std::vector<std::string> validate_record(const Json& record);
// Throws dtap::Error with the first problem (and a count of the others).
void require_valid_record(const Json& record);

// Typed views of a record's fields, so that each program reads them one way.
// The image path; throws dtap::Error when the record has none.
std::string record_image(const Json& record);
// A "pii" or "words" entry: text ("" when it is not a plain string, e.g.
// redacted), label ("pii" label, or a word's "pii" mark), box (nullopt when
// absent or malformed; `bbox_given` tells which).
struct TextBox {
  std::string label, text;
  std::optional<BBox> box;
  bool bbox_given = false;
};
// "pii" entries in order; entries that are not objects are skipped. Throws
// dtap::Error when "pii" is present but not an array.
std::vector<TextBox> record_pii(const Json& record);
std::vector<TextBox> record_words(const Json& record);
// "tasks": a question whose answer is text on the screen, where it is.
struct RecordTask {
  std::string question, answer;
  std::optional<BBox> box;
};
std::vector<RecordTask> record_tasks(const Json& record);

// A record's id for messages: its "id", else its "image", else "line N".
std::string record_name(const Json& record);

// The one output-naming rule (dtap-protect's PNGs, dtap-attend's maps):
// DIR/<id><extension>, the id (else the image's file stem) made file-name safe.
// Throws dtap::Error when the record has neither.
std::string record_output_path(const std::string& dir, const Json& record, const std::string& extension);

// The one redaction path (--redact-text): every pii "text" becomes
// {"sha256": hex, "len": N}, every privacy_qa answer and located answer
// likewise, and so does each OCR word inside one of their boxes, so that a
// record can be shared.
void redact_pii_text(Json& record);

std::string sha256_hex(std::string_view data);

}  // namespace dtap
