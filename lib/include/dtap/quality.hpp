// Image quality (PSNR, SSIM, over regions) and the transforms routers apply.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace dtap {

// The one PSNR of the project: dB between two images of one size and type
// (8-bit: peak 255, 16-bit: 65535, float: 1) over the pixels where `mask`
// (CV_8U, same size; empty = all) is non-zero. Identical -> +inf; no pixels ->
// NaN. Throws dtap::Error when the images differ in size or type.
double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = cv::Mat());
// Mean SSIM (Gaussian window 11, sigma 1.5, on luma) over the masked pixels.
double ssim(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = cv::Mat());

// One step of what a router or messenger does to an image.
struct TransformStep {
  std::string kind;  // jpeg | scale | blur
  double value = 0;  // quality, factor, sigma
};
// A chain "jpeg:75,scale:0.5,blur:1" applied in order. Throws UsageError when malformed.
struct Transform {
  std::string spec;
  std::vector<TransformStep> steps;
  static Transform parse(const std::string& spec);
  cv::Mat apply(const cv::Mat& bgr8) const;
};

}  // namespace dtap
