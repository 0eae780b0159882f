#include "dtap/record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "dtap/error.hpp"

namespace dtap {

Json BBox::to_json() const {
  auto num = [](double v) -> Json {
    double r = std::round(v);
    if (std::abs(v - r) < 1e-9) return static_cast<std::int64_t>(r);
    return std::round(v * 100) / 100;
  };
  return Json::array({num(x), num(y), num(w), num(h)});
}

std::optional<BBox> BBox::from_json(const Json& j) {
  if (!j.is_array() || j.size() != 4) return std::nullopt;
  double v[4];
  for (int i = 0; i < 4; ++i) {
    if (!j[i].is_number()) return std::nullopt;
    v[i] = j[i].get<double>();
    if (!std::isfinite(v[i])) return std::nullopt;
  }
  if (v[2] < 0 || v[3] < 0) return std::nullopt;
  return BBox{v[0], v[1], v[2], v[3]};
}

double iou(const BBox& a, const BBox& b) {
  double ix = std::max(0.0, std::min(a.right(), b.right()) - std::max(a.x, b.x));
  double iy = std::max(0.0, std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y));
  double inter = ix * iy;
  double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

BBox bbox_union(const BBox& a, const BBox& b) {
  double x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  double x1 = std::max(a.right(), b.right()), y1 = std::max(a.bottom(), b.bottom());
  return {x0, y0, x1 - x0, y1 - y0};
}

const std::vector<std::string>& pii_labels() {
  static const std::vector<std::string> labels = {
      "name", "email", "phone", "address", "username", "ip", "card",
      "iban", "date_of_birth", "id_number", "url_token", "secret", "other"};
  return labels;
}

bool is_pii_label(std::string_view label) {
  const auto& l = pii_labels();
  return std::find(l.begin(), l.end(), label) != l.end();
}

std::string record_name(const Json& record) {
  if (record.is_object()) {
    auto id = record.find("id");
    if (id != record.end() && id->is_string() && !id->get<std::string>().empty()) return id->get<std::string>();
    auto image = record.find("image");
    if (image != record.end() && image->is_string()) return image->get<std::string>();
  }
  return "(unnamed record)";
}

namespace {

void check_spans(const Json& record, const char* field, bool need_label, bool need_text, double width,
                 double height, std::vector<std::string>& problems) {
  auto it = record.find(field);
  if (it == record.end() || it->is_null()) return;
  if (!it->is_array()) {
    problems.push_back(std::string(field) + " is not an array");
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& span = (*it)[i];
    std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    if (!span.is_object()) {
      problems.push_back(where + " is not an object");
      continue;
    }
    if (need_text) {
      auto text = span.find("text");
      if (text == span.end() || !(text->is_string() || text->is_object()))
        problems.push_back(where + ".text is missing or not a string");
    }
    if (need_label) {
      auto label = span.find("label");
      if (label == span.end() || !label->is_string())
        problems.push_back(where + ".label is missing or not a string");
      else if (!is_pii_label(label->get<std::string>()))
        problems.push_back(where + ".label '" + label->get<std::string>() + "' is not a PII label");
    }
    auto bb = span.find("bbox");
    if (bb == span.end()) {
      if (std::string(field) != "tasks") problems.push_back(where + ".bbox is missing");
      continue;
    }
    auto box = BBox::from_json(*bb);
    if (!box) {
      problems.push_back(where + ".bbox is not [x, y, w, h] with w, h >= 0");
      continue;
    }
    if (width > 0 && height > 0 &&
        (box->x < 0 || box->y < 0 || box->right() > width + 0.5 || box->bottom() > height + 0.5))
      problems.push_back(where + ".bbox lies outside the " + std::to_string(int(width)) + "x" +
                         std::to_string(int(height)) + " image");
  }
}

}  // namespace

std::vector<std::string> validate_record(const Json& record) {
  std::vector<std::string> problems;
  if (!record.is_object()) return {"record is not a JSON object"};
  for (const char* key : {"id", "image", "app", "attention", "protected"}) {
    auto it = record.find(key);
    if (it != record.end() && !it->is_null() && !it->is_string())
      problems.push_back(std::string(key) + " is not a string");
  }
  auto image = record.find("image");
  if (image == record.end() || !image->is_string() || image->get<std::string>().empty())
    problems.push_back("image is missing");
  double width = 0, height = 0;
  for (const char* key : {"width", "height"}) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
      problems.push_back(std::string(key) + " is not a positive integer");
      continue;
    }
    (std::string(key) == "width" ? width : height) = it->get<double>();
  }
  check_spans(record, "words", false, true, width, height, problems);
  check_spans(record, "pii", true, true, width, height, problems);
  check_spans(record, "tasks", false, false, width, height, problems);
  auto tasks = record.find("tasks");
  if (tasks != record.end() && tasks->is_array())
    for (std::size_t i = 0; i < tasks->size(); ++i) {
      const Json& t = (*tasks)[i];
      if (t.is_object() && (!t.contains("answer") || !t["answer"].is_string()))
        problems.push_back("tasks[" + std::to_string(i) + "].answer is missing or not a string");
    }
  auto qa = record.find("privacy_qa");
  if (qa != record.end() && !qa->is_null() && !qa->is_array()) problems.push_back("privacy_qa is not an array");
  auto err = record.find("error");
  if (err != record.end() && !err->is_null() && !err->is_string()) problems.push_back("error is not a string or null");
  return problems;
}

void require_valid_record(const Json& record) {
  auto problems = validate_record(record);
  if (problems.empty()) return;
  std::string msg = "invalid record: " + problems.front();
  if (problems.size() > 1) msg += " (and " + std::to_string(problems.size() - 1) + " more)";
  throw Error(msg);
}

std::string record_image(const Json& record) {
  auto it = record.find("image");
  if (it == record.end() || !it->is_string() || it->get<std::string>().empty())
    throw Error("the record has no \"image\" path");
  return it->get<std::string>();
}

namespace {

std::vector<TextBox> text_boxes(const Json& record, const char* field, const char* label_key) {
  std::vector<TextBox> out;
  auto it = record.find(field);
  if (it == record.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(std::string("\"") + field + "\" is not an array");
  for (const auto& e : *it) {
    if (!e.is_object()) continue;
    TextBox t;
    if (auto l = e.find(label_key); l != e.end() && l->is_string()) t.label = l->get<std::string>();
    if (auto x = e.find("text"); x != e.end() && x->is_string()) t.text = x->get<std::string>();
    if (auto b = e.find("bbox"); b != e.end()) {
      t.bbox_given = true;
      t.box = BBox::from_json(*b);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::vector<TextBox> record_pii(const Json& record) { return text_boxes(record, "pii", "label"); }
std::vector<TextBox> record_words(const Json& record) { return text_boxes(record, "words", "pii"); }

std::vector<RecordTask> record_tasks(const Json& record) {
  std::vector<RecordTask> out;
  auto it = record.find("tasks");
  if (it == record.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (!e.is_object()) continue;
    RecordTask t;
    if (auto q = e.find("question"); q != e.end() && q->is_string()) t.question = q->get<std::string>();
    if (auto a = e.find("answer"); a != e.end() && a->is_string()) t.answer = a->get<std::string>();
    if (auto b = e.find("bbox"); b != e.end()) t.box = BBox::from_json(*b);
    out.push_back(std::move(t));
  }
  return out;
}

std::string record_output_path(const std::string& dir, const Json& record, const std::string& extension) {
  std::string id;
  if (record.contains("id") && record["id"].is_string()) id = record["id"].get<std::string>();
  if (id.empty() && record.contains("image") && record["image"].is_string())
    id = std::filesystem::path(record["image"].get<std::string>()).stem().string();
  if (id.empty()) throw Error("the record has neither an id nor an image");
  for (char& c : id)
    if (c == '/' || c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 32) c = '_';
  if (id == "." || id == "..") id = "_" + id;
  return (std::filesystem::path(dir) / (id + extension)).string();
}

void redact_pii_text(Json& record) {
  auto redact = [](Json& value) {
    if (!value.is_string()) return;
    std::string s = value.get<std::string>();
    value = Json{{"sha256", sha256_hex(s)}, {"len", s.size()}};
  };
  // Where PII values stand: OCR words there carry the same values.
  std::vector<BBox> value_boxes;
  auto redact_span = [&](Json& span) {
    if (!span.is_object()) return;
    if (span.contains("text")) redact(span["text"]);
    if (auto box = span.contains("bbox") ? BBox::from_json(span["bbox"]) : std::nullopt) value_boxes.push_back(*box);
  };
  if (record.contains("pii") && record["pii"].is_array())
    for (auto& span : record["pii"]) redact_span(span);
  if (record.contains("privacy_qa") && record["privacy_qa"].is_array())
    for (auto& qa : record["privacy_qa"]) {
      if (!qa.is_object()) continue;
      if (qa.contains("answer")) redact(qa["answer"]);
      if (qa.contains("answers") && qa["answers"].is_object())
        for (auto& [label, values] : qa["answers"].items()) {
          (void)label;
          if (values.is_array())
            for (auto& v : values) redact(v);
          else
            redact(values);
        }
      // dtap-annotate's located answers: true values the recognisers may have missed.
      if (qa.contains("located") && qa["located"].is_array())
        for (auto& span : qa["located"]) redact_span(span);
    }
  if (record.contains("words") && record["words"].is_array())
    for (auto& word : record["words"]) {
      auto wb = word.is_object() && word.contains("bbox") ? BBox::from_json(word["bbox"]) : std::nullopt;
      if (!wb) continue;
      for (const auto& box : value_boxes) {
        double ix = std::min(wb->right(), box.right()) - std::max(wb->x, box.x);
        double iy = std::min(wb->bottom(), box.bottom()) - std::max(wb->y, box.y);
        if (ix > 0 && iy > 0 && ix * iy >= 0.5 * wb->area()) {
          redact(word["text"]);
          break;
        }
      }
    }
}

// SHA-256 (FIPS 180-4), small and dependency-free.
std::string sha256_hex(std::string_view data) {
  static const std::uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  std::string msg(data);
  std::uint64_t bit_len = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_len >> (8 * i)) & 0xff));
  for (std::size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + chunk + 4 * i);
      w[i] = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
    }
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      std::uint32_t ch = (e & f) ^ (~e & g);
      std::uint32_t t1 = hh + S1 + ch + k[i] + w[i];
      std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      std::uint32_t t2 = S0 + maj;
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  char out[65];
  for (int i = 0; i < 8; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return std::string(out, 64);
}

}  // namespace dtap
