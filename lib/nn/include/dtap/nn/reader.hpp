// Surrogate text-line readers (CTC) and the differentiable line crop.
// Internal to libdtap_nn (includes LibTorch); programs use the torch-free
// headers in lib/include/dtap/.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dtap/nn/model_file.hpp"

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap::nn {

constexpr int kLineHeight = 32;     // readers see grey lines of this height
constexpr int kMaxLineWidth = 800;  // crops wider than this are squeezed

// The readers' alphabet; class 0 is the CTC blank. Characters outside it are
// dropped by encode().
class Charset {
 public:
  static const Charset& standard();
  std::int64_t size() const;  // classes including the blank
  std::vector<std::int64_t> encode(const std::string& utf8) const;
  std::string decode(const std::vector<std::int64_t>& labels) const;
  // Greedy CTC decoding of one sequence of log-probabilities [T, C].
  std::string greedy_decode(const torch::Tensor& log_probs) const;
  // Added: whether every character of `utf8` is in the alphabet.
  bool covers(const std::string& utf8) const;
  // Added: the alphabet without the blank, as UTF-8 (recorded in checkpoints).
  std::string symbols() const;
};

// Added: context kept around a box, as a fraction of its height (each side).
constexpr double kLineContext = 0.15;

// Added: where crop_line samples for a box (image pixel-edge coordinates) and
// the output width; `supersample` > 1 when the box is much taller than 32 px
// (sampled finer, then averaged, against aliasing).
struct LineGeometry {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  std::int64_t width = 8;
  int supersample = 1;
};
LineGeometry line_geometry(const BBox& box);

// Differentiable crop: `image` [3, H, W] float RGB in [0, 1] (may require
// grad) and a box in its pixels -> grey line [1, 32, W'] with W' = 32 * w / h
// (at least 8, at most kMaxLineWidth), sampled with grid_sample so gradients
// reach the image's pixels. A few pixels of context are kept around the box.
torch::Tensor crop_line(const torch::Tensor& image, const BBox& box);

// Stacks crops of different widths into [N, 1, 32, Wmax], padding on the right
// with each crop's own right-edge column; also returns each width.
torch::Tensor stack_lines(const std::vector<torch::Tensor>& crops, std::vector<std::int64_t>* widths = nullptr);

class Reader : public torch::nn::Module {
 public:
  // [N, 1, 32, W] in [0, 1] -> log-probabilities [T, N, C], T = output_length(W).
  virtual torch::Tensor forward(torch::Tensor lines) = 0;
  virtual std::int64_t output_length(std::int64_t width) const = 0;
  virtual std::string arch() const = 0;  // "crnn" | "conv" | "svtr"
};

std::shared_ptr<Reader> make_reader(const std::string& arch);
const std::vector<std::string>& reader_archs();  // {"crnn", "conv", "svtr"}
std::int64_t parameter_count(torch::nn::Module& module);  // added

// Checkpoint: a ModelFile of kind "reader" (dtap/nn/model_file.hpp; arch = the
// architecture's name, the character set kept beside it; manifest: training
// data, seed, threads, git revision, metrics). load_reader throws dtap::Error
// for a missing, corrupt, foreign or wrong-architecture file;
// the reader comes back in eval() mode with its parameters frozen
// (requires_grad false): gradients still flow to its input.
void save_reader(Reader& reader, const std::string& path, const Json& manifest);
std::shared_ptr<Reader> load_reader(const std::string& path, const torch::Device& device = torch::kCPU);

// Per-line CTC loss of reading texts[i] in boxes[i] of `image` (differentiable
// with respect to `image`). Returns [N] (each normalised by its target length);
// lines whose text encodes to nothing get 0.
torch::Tensor line_ctc_losses(Reader& reader, const torch::Tensor& image, const std::vector<BBox>& boxes,
                              const std::vector<std::string>& texts);

// Greedy reading of the boxes of `image`.
std::vector<std::string> read_lines(Reader& reader, const torch::Tensor& image, const std::vector<BBox>& boxes);
// Added: greedy reading of ready crops [1, 32, W] (as crop_line makes them).
std::vector<std::string> read_crops(Reader& reader, const std::vector<torch::Tensor>& crops);

// cv::Mat (RGB float32 [0,1], CV_32FC3) <-> tensor [3, H, W] (copies).
torch::Tensor image_to_tensor(const cv::Mat& rgb);
cv::Mat tensor_to_image(const torch::Tensor& chw);

}  // namespace dtap::nn
