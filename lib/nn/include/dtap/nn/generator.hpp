// The DualTAP protector: a small fully-convolutional U-Net with spatial FiLM
// from the attention map at every stage. Internal to libdtap_nn (LibTorch).
#pragma once
#include <string>
#include <vector>

#include <torch/torch.h>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap::nn {

struct GeneratorConfig {
  std::vector<std::int64_t> channels = {16, 32, 64, 128};  // encoder widths; a bottleneck of the last width follows
  std::int64_t groups = 4;                                 // GroupNorm groups (0 = no normalisation)
  double eps = 0.25;                                       // L-infinity bound inside the mask, [0,1] units
  // Row-phase inputs sin/cos(2 pi y / P) for each period P (pixels). A purely
  // convolutional net cannot draw periodic structure on a flat background;
  // these let it draw line patterns across glyph strokes (what breaks OCR).
  std::vector<double> phase_periods = {4, 6, 8};
  Json to_json() const;
  static GeneratorConfig from_json(const Json& j);  // throws dtap::Error when malformed
  // The input size must be a multiple of this (2^levels).
  std::int64_t multiple() const { return std::int64_t{1} << channels.size(); }
};

// y = (1 + tanh g) * x + tanh b, g and b from the attention map resized to x;
// zero-initialised, so the stage starts as the identity.
class FiLMImpl : public torch::nn::Module {
 public:
  explicit FiLMImpl(std::int64_t channels);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& attention);
  torch::nn::Conv2d hidden{nullptr}, gamma{nullptr}, beta{nullptr};
};
TORCH_MODULE(FiLM);

// Two 3x3 convolutions (the first may stride 2), GroupNorm, SiLU, then FiLM.
class StageImpl : public torch::nn::Module {
 public:
  StageImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t groups);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& attention);
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  FiLM film{nullptr};
};
TORCH_MODULE(Stage);

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const GeneratorConfig& config = {});
  // x [N,3,H,W] RGB in [0,1], m [N,1,H,W] mask in [0,1]; H and W multiples of
  // config.multiple(). Returns the unit perturbation tanh(.) [N,1,H,W] (one
  // luminance value per pixel, applied to all three channels).
  torch::Tensor direction(const torch::Tensor& x, const torch::Tensor& m);
  // delta = eps * tanh(.) * M  ([N,1,H,W]; any H, W: padded and unpadded inside).
  torch::Tensor delta(const torch::Tensor& x, const torch::Tensor& m, double eps);
  // x_adv = clamp(x + delta, 0, 1)  ([N,3,H,W]).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& m) { return apply(x, m, config_.eps); }
  torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& m, double eps);
  const GeneratorConfig& config() const { return config_; }
  std::int64_t parameter_count() const;
  // The row-phase channels for an input of height H and width W: [1, 2P, H, W].
  torch::Tensor phase_features(std::int64_t height, std::int64_t width, const torch::TensorOptions& options) const;

 private:
  GeneratorConfig config_;
  torch::nn::ModuleList encoder{nullptr}, decoder{nullptr};
  Stage bottleneck{nullptr};
  torch::nn::Conv2d head{nullptr};
};
TORCH_MODULE(Generator);

// The structure prior: every `period`-th band of `thickness` rows inside the
// mask pushed away from the background (-1 on a light background, +1 on a dark
// one: the masked region's median luminance decides), 0 elsewhere. x [N,3,H,W],
// m [N,1,H,W] -> [N,1,H,W]. Measured with Tesseract: such lines across the
// glyphs break its line finding where noise of the same size does not.
torch::Tensor stripe_template(const torch::Tensor& x, const torch::Tensor& m, std::int64_t period, std::int64_t thickness);

// Checkpoint: a ModelFile of kind "generator" (dtap/nn/model_file.hpp; arch =
// the GeneratorConfig; manifest: eps, training data, seed, threads, git
// revision, metrics). load_generator throws dtap::Error for a missing, corrupt
// or mismatching file, never crashes.
void save_generator(Generator& generator, const std::string& path, const Json& manifest);
Generator load_generator(const std::string& path, Json* manifest = nullptr);

// Pixels of context the generator sees around each connected part of the mask:
// the training crops leave at least 4; 16 runs on 30-40% less area than 32
// (three 1080x2400 screens: 0.19 vs 0.26 Mpixel).
constexpr int kSupportContext = 16;

// The rectangles the generator (and PGD) run on: the mask's connected parts,
// grown by `context` pixels, merged when they overlap, each grown to a multiple
// of `multiple`. `mask` is one float channel.
std::vector<cv::Rect> mask_support_rects(const cv::Mat& mask, int context, int multiple);

// Runs the generator only on mask_support_rects at full resolution. Not bit-equal
// to a whole-image pass (GroupNorm statistics are per rectangle); training runs on
// crops the same way. `rgb` CV_32FC3 in [0,1], `mask` CV_32F; returns the protected copy.
cv::Mat protect_image(Generator& generator, const cv::Mat& rgb, const cv::Mat& mask, double eps,
                      int context = kSupportContext);

}  // namespace dtap::nn
