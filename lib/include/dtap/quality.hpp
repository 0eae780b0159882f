// Image quality (PSNR, SSIM, over regions) and the transforms routers apply.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace dtap {

// PSNR in dB between two 8-bit BGR images of one size over the pixels where
// `mask` (CV_8U, same size; empty = all) is non-zero. Identical -> +inf; no
// pixels -> NaN.
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
