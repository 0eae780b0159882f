// Test helper (not installed): "protects" records by filling or blurring their
// PII boxes, so dtap-eval's tests can check that the metrics move both ways.
// Usage: redact-boxes mask|blur|none OUTDIR < records.jsonl > protected.jsonl
#include <filesystem>
#include <iostream>
#include <string>

#include <opencv2/imgproc.hpp>

#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/record.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: redact-boxes mask|blur|none OUTDIR < records.jsonl\n";
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  dtap::RecordReader reader(std::cin);
  while (auto r = reader.next()) {
    cv::Mat img = dtap::load_image_bgr8((*r)["image"]);
    for (const auto& p : (*r)["pii"]) {
      auto b = *dtap::BBox::from_json(p["bbox"]);
      cv::Rect rect(int(b.x), int(b.y), int(b.w), int(b.h));
      rect &= cv::Rect(0, 0, img.cols, img.rows);
      if (mode == "mask") img(rect).setTo(cv::Scalar(0, 0, 0));
      if (mode == "blur") cv::GaussianBlur(img(rect), img(rect), cv::Size(0, 0), std::max(3.0, b.h / 3));
    }
    std::string out = (std::filesystem::path(dir) / ((*r)["id"].get<std::string>() + ".png")).string();
    dtap::write_png_atomic(out, img);
    (*r)["protected"] = out;
    dtap::write_record(std::cout, *r);
  }
  return 0;
}
