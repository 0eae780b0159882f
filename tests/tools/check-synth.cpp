// Test helper (not installed): checks dtap-synth records against their images.
// For each record: schema valid, image size matches, 2-8 PII and 2+ tasks,
// every PII span is also a word, and every word box is tight: its border
// rows/columns are one background colour and the glyphs' ink touches the ring
// just inside it. Prints one line per problem; exit 1 if any.
#include <iostream>
#include <string>

#include <opencv2/core.hpp>

#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/record.hpp"

namespace {

bool same(const cv::Vec3b& a, const cv::Vec3b& b) {
  return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]) == 0;
}

// Empty string when tight, else why not.
std::string check_tight(const cv::Mat& img, const dtap::BBox& b) {
  int x0 = static_cast<int>(b.x), y0 = static_cast<int>(b.y);
  int x1 = x0 + static_cast<int>(b.w) - 1, y1 = y0 + static_cast<int>(b.h) - 1;
  if (x0 < 0 || y0 < 0 || x1 >= img.cols || y1 >= img.rows || x1 - x0 < 2 || y1 - y0 < 2) return "box out of range";
  const cv::Vec3b bg = img.at<cv::Vec3b>(y0, x0);
  for (int x = x0; x <= x1; ++x)
    if (!same(img.at<cv::Vec3b>(y0, x), bg) || !same(img.at<cv::Vec3b>(y1, x), bg)) return "ink on top/bottom border";
  for (int y = y0; y <= y1; ++y)
    if (!same(img.at<cv::Vec3b>(y, x0), bg) || !same(img.at<cv::Vec3b>(y, x1), bg)) return "ink on left/right border";
  auto row_has_ink = [&](int y) {
    for (int x = x0 + 1; x < x1; ++x)
      if (!same(img.at<cv::Vec3b>(y, x), bg)) return true;
    return false;
  };
  auto col_has_ink = [&](int x) {
    for (int y = y0 + 1; y < y1; ++y)
      if (!same(img.at<cv::Vec3b>(y, x), bg)) return true;
    return false;
  };
  if (!row_has_ink(y0 + 1) || !row_has_ink(y1 - 1) || !col_has_ink(x0 + 1) || !col_has_ink(x1 - 1))
    return "slack: no ink just inside the border";
  return "";
}

}  // namespace

int main() {
  dtap::RecordReader reader(std::cin);
  std::size_t records = 0, boxes = 0, problems = 0;
  auto problem = [&](const std::string& id, const std::string& what) {
    ++problems;
    std::cout << id << ": " << what << "\n";
  };
  while (auto r = reader.next()) {
    ++records;
    std::string id = dtap::record_name(*r);
    for (const auto& p : dtap::validate_record(*r)) problem(id, p);
    if (!r->contains("error") || !(*r)["error"].is_null()) problem(id, "error is not null");
    if (!r->contains("image")) continue;
    cv::Mat img;
    try {
      img = dtap::load_image_bgr8((*r)["image"]);
    } catch (const std::exception& e) {
      problem(id, e.what());
      continue;
    }
    if (img.cols != (*r)["width"] || img.rows != (*r)["height"]) problem(id, "image size differs from record");
    auto n_pii = (*r)["pii"].size(), n_tasks = (*r)["tasks"].size();
    if (n_pii < 2 || n_pii > 8) problem(id, "PII count " + std::to_string(n_pii) + " not in 2..8");
    if (n_tasks < 2) problem(id, "fewer than 2 tasks");
    for (const auto& w : (*r)["words"]) {
      ++boxes;
      std::string why = check_tight(img, *dtap::BBox::from_json(w["bbox"]));
      if (!why.empty()) problem(id, "word '" + w["text"].get<std::string>() + "' " + w["bbox"].dump() + ": " + why);
    }
    for (const auto& p : (*r)["pii"]) {
      bool found = false;
      for (const auto& w : (*r)["words"]) found = found || (w["bbox"] == p["bbox"] && w["text"] == p["text"]);
      if (!found) problem(id, "a " + p["label"].get<std::string>() + " span has no matching word");
    }
  }
  std::cout << records << " records, " << boxes << " boxes, " << problems << " problems\n";
  return problems == 0 && records > 0 ? 0 : 1;
}
