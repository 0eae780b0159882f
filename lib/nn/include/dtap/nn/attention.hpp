// Contrastive attention maps (dtap-attend), torch-free interface.
#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"
#include "dtap/run.hpp"

namespace dtap {

struct AttentionOptions {
  std::string method = "contrast";  // grad | contrast | box
  std::vector<std::string> readers; // checkpoint paths (ensemble); empty = nn::default_reader_paths()
  std::string device = "cpu";
  // Shaping of the map into a mask (defaults measured by bench/attention-quality.sh).
  // Measured on 50 held-out screens (seed 1001, conv reader): blur 1.5,
  // threshold 0.1, dilate 2 -> 0.84 of the mass in PII boxes, 0.00 in task
  // boxes; blur 2, threshold 0.05, dilate 3 -> 0.80 / 0.00.
  int dilate = 2;          // max-pool / dilation radius in pixels
  double threshold = 0.1;  // values below become 0
  double floor = 0.0;      // M = floor + (1 - floor) * M, so outside regions keep `floor`
  // Added: Gaussian blur (sigma, pixels) of each saliency map before normalising.
  double blur = 1.5;
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

// Added: the boxes and texts attention is computed from. Privacy: the record's
// `pii` entries. Task: `tasks` answers (in their box) and every `words` entry
// that does not overlap a PII box. Entries without text or box are skipped;
// boxes are clipped to the image.
struct AttentionTargets {
  std::vector<BBox> privacy_boxes, task_boxes;
  std::vector<std::string> privacy_texts, task_texts;
};
AttentionTargets attention_targets(const Json& record, int width, int height);

// Added: dtap-attend's batch. For each record from `source`: loads its image,
// computes the map, writes it as an 8-bit grey PNG into out_dir (atomically,
// never over an input) and adds "attention": path and "attend": {...}.
// With context.resume, a record whose map is still there and readable is
// passed on from the earlier stream.
struct AttendOptions {
  AttentionOptions attention;
  std::string out_dir;              // required
  std::vector<std::string> inputs;  // image paths or folders; empty = records from the input stream
};
int run_attend(const AttendOptions& options, const RunContext& context, std::istream& in, std::ostream& out);

}  // namespace dtap
