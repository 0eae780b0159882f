// Image loading and atomic writing.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap {

// The one rule from a record's bbox to pixels: rounded outward to whole
// pixels and clipped to an image of `size` (empty when outside it).
cv::Rect pixel_rect(const BBox& box, cv::Size size);

constexpr std::int64_t kDefaultMaxPixels = 50'000'000;

// Loads an image as RGB float32 in [0,1] (CV_32FC3) from 8- or 16-bit PNG,
// JPEG or WebP; grey is expanded, alpha composited on white. Throws dtap::Error
// naming the cause for a missing, corrupt, truncated, 0x0 or too large image;
// the size limit is checked from the header before decoding.
cv::Mat load_image_rgb(const std::string& path, std::int64_t max_pixels = kDefaultMaxPixels);

// Same, as 8-bit BGR (what OpenCV drawing, OCR and PNG writing use).
cv::Mat load_image_bgr8(const std::string& path, std::int64_t max_pixels = kDefaultMaxPixels);

cv::Mat rgb_float_to_bgr8(const cv::Mat& rgb);
cv::Mat bgr8_to_rgb_float(const cv::Mat& bgr);

// Width and height from the file header, without decoding the pixels.
cv::Size read_image_size(const std::string& path);

// Writes a lossless PNG through a temporary file in the same folder and a
// rename, so an interrupted run leaves no half-written image.
void write_png_atomic(const std::string& path, const cv::Mat& bgr_or_grey);
// Writes text the same way (manifests, JSON files).
void write_text_atomic(const std::string& path, const std::string& text);

// --resume: whether the file a done record names in `field` (e.g. "protected")
// is still there and is an image (its header is read; outputs are written atomically).
bool output_is_readable(const Json& record, const std::string& field);

// An output path may not be one of `inputs` (ever) nor an existing file
// (unless force: overwriting earlier outputs). Throws dtap::Error naming why.
void check_output_path(const std::string& out, const std::vector<std::string>& inputs, bool force);

}  // namespace dtap
