// Contrastive attention maps (dtap-attend), torch-free interface.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap {

struct AttentionOptions {
  std::string method = "contrast";  // grad | contrast | box
  std::vector<std::string> readers; // checkpoint paths (ensemble); empty = shipped readers
  std::string device = "cpu";
  // Shaping of the map into a mask (defaults measured by bench/attention-quality.sh).
  int dilate = 3;          // max-pool / dilation radius in pixels
  double threshold = 0.05; // values below become 0
  double floor = 0.0;      // M = floor + (1 - floor) * M, so outside regions keep `floor`
};

// Computes attention for one record from its pii / tasks / words boxes (as
// dtap-annotate wrote them, never ground truth only). `rgb` is the image as
// CV_32FC3 RGB in [0, 1]; returns CV_32F [0, 1] of the same size. A record
// without PII gives an all-zero map.
class AttentionModel {
 public:
  explicit AttentionModel(const AttentionOptions& options);
  ~AttentionModel();
  cv::Mat compute(const cv::Mat& rgb, const Json& record);
  const AttentionOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dtap
