// Expectation over transformation: differentiable samples of what routers and
// messengers do to a screenshot before a model reads it. Internal to libdtap_nn.
#pragma once
#include <string>

#include <torch/torch.h>

#include "dtap/record.hpp"
#include "dtap/rng.hpp"

namespace dtap::nn {

struct EotConfig {
  double p_scale = 0.5, scale_min = 0.4, scale_max = 1.0;  // downscale and back
  double p_jpeg = 0.5;
  int jpeg_min = 60, jpeg_max = 95;                        // straight-through gradient
  double p_blur = 0.3, blur_sigma_max = 1.0;               // Gaussian blur
  double p_affine = 0.3, max_rotate_deg = 1.0, max_translate_px = 2.0, max_zoom = 0.02;
  double p_colour = 0.5, brightness = 0.08, contrast = 0.15;
};

// One sampled transformation (identity by default).
struct EotTransform {
  double scale = 1.0;      // < 1: downscale by this and back
  int jpeg_quality = 0;    // 0 = no JPEG
  double blur_sigma = 0;   // 0 = no blur
  double angle_deg = 0, tx = 0, ty = 0, zoom = 1.0;  // affine about the centre (pixels)
  double brightness = 0, contrast = 1.0;
  bool identity() const;
  std::string describe() const;
  // Where a box of an image of W x H lands under the affine part (the bounding
  // box of its mapped corners); other parts keep boxes in place.
  BBox map_box(const BBox& box, std::int64_t width, std::int64_t height) const;
};

EotTransform sample_eot(const EotConfig& config, Rng& rng);

// Applies `t` to x [N,3,H,W] in [0,1]: affine, blur, down/up-scale, colour,
// JPEG (in that order). Differentiable (JPEG through a straight-through estimator).
torch::Tensor apply_eot(const torch::Tensor& x, const EotTransform& t);

// The parts, usable alone.
torch::Tensor eot_affine(const torch::Tensor& x, double angle_deg, double tx, double ty, double zoom);
torch::Tensor eot_blur(const torch::Tensor& x, double sigma);
torch::Tensor eot_rescale(const torch::Tensor& x, double scale);
torch::Tensor eot_colour(const torch::Tensor& x, double brightness, double contrast);
// Forward: OpenCV JPEG encode/decode at `quality`; backward: identity.
torch::Tensor eot_jpeg(const torch::Tensor& x, int quality);

}  // namespace dtap::nn
