#include "dtap/nn/eot.hpp"

#include <cmath>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace F = torch::nn::functional;

namespace dtap::nn {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

bool EotTransform::identity() const {
  return scale >= 1.0 && jpeg_quality == 0 && blur_sigma <= 0 && angle_deg == 0 && tx == 0 && ty == 0 && zoom == 1.0 &&
         brightness == 0 && contrast == 1.0;
}

std::string EotTransform::describe() const {
  std::ostringstream s;
  s.precision(3);
  if (angle_deg != 0 || tx != 0 || ty != 0 || zoom != 1) s << "affine(" << angle_deg << "deg," << tx << "," << ty << ",x" << zoom << ") ";
  if (blur_sigma > 0) s << "blur:" << blur_sigma << " ";
  if (scale < 1) s << "scale:" << scale << " ";
  if (brightness != 0 || contrast != 1) s << "colour(" << brightness << "," << contrast << ") ";
  if (jpeg_quality) s << "jpeg:" << jpeg_quality << " ";
  std::string out = s.str();
  return out.empty() ? "identity" : out.substr(0, out.size() - 1);
}

BBox EotTransform::map_box(const BBox& box, std::int64_t width, std::int64_t height) const {
  if (angle_deg == 0 && tx == 0 && ty == 0 && zoom == 1) return box;
  // Output pixel q samples input p = R q / zoom + t (centred coordinates), so a
  // point p of the input shows at q = zoom * R^T (p - t).
  const double a = angle_deg * kPi / 180, c = std::cos(a), s = std::sin(a);
  const double cx = width / 2.0, cy = height / 2.0;
  double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
  for (double px : {box.x, box.right()})
    for (double py : {box.y, box.bottom()}) {
      double u = px - cx - tx, v = py - cy - ty;
      double qx = zoom * (c * u + s * v) + cx, qy = zoom * (-s * u + c * v) + cy;
      x0 = std::min(x0, qx), y0 = std::min(y0, qy), x1 = std::max(x1, qx), y1 = std::max(y1, qy);
    }
  return BBox{x0, y0, x1 - x0, y1 - y0};
}

EotTransform sample_eot(const EotConfig& c, Rng& rng) {
  EotTransform t;
  // Every draw happens whatever the outcome, so one stream gives the same
  // sequence of transformations for any configuration of probabilities.
  bool affine = rng.chance(c.p_affine);
  double angle = rng.real(-c.max_rotate_deg, c.max_rotate_deg), tx = rng.real(-c.max_translate_px, c.max_translate_px),
         ty = rng.real(-c.max_translate_px, c.max_translate_px), zoom = 1 + rng.real(-c.max_zoom, c.max_zoom);
  bool blur = rng.chance(c.p_blur);
  double sigma = rng.real(0.3, std::max(0.3, c.blur_sigma_max));
  bool scale = rng.chance(c.p_scale);
  double factor = rng.real(c.scale_min, c.scale_max);
  bool colour = rng.chance(c.p_colour);
  double brightness = rng.real(-c.brightness, c.brightness), contrast = 1 + rng.real(-c.contrast, c.contrast);
  bool jpeg = rng.chance(c.p_jpeg);
  int quality = rng.uniform(c.jpeg_min, c.jpeg_max);
  if (affine) t.angle_deg = angle, t.tx = tx, t.ty = ty, t.zoom = zoom;
  if (blur) t.blur_sigma = sigma;
  if (scale && factor < 0.999) t.scale = factor;
  if (colour) t.brightness = brightness, t.contrast = contrast;
  if (jpeg) t.jpeg_quality = quality;
  return t;
}

torch::Tensor eot_affine(const torch::Tensor& x, double angle_deg, double tx, double ty, double zoom) {
  const double W = static_cast<double>(x.size(3)), H = static_cast<double>(x.size(2));
  const double a = angle_deg * kPi / 180, c = std::cos(a), s = std::sin(a);
  // Normalised coordinates: D^-1 R D / zoom with D = diag(W/2, H/2).
  torch::Tensor theta = torch::tensor({c / zoom, -s * H / W / zoom, tx / (W / 2), s * W / H / zoom, c / zoom, ty / (H / 2)},
                                      x.options().dtype(torch::kFloat))
                            .view({1, 2, 3})
                            .expand({x.size(0), 2, 3});
  torch::Tensor grid = F::affine_grid(theta, {x.size(0), x.size(1), x.size(2), x.size(3)}, false);
  return F::grid_sample(x, grid.to(x.dtype()),
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}

torch::Tensor eot_blur(const torch::Tensor& x, double sigma) {
  if (sigma <= 0) return x;
  const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
  std::vector<float> k(static_cast<std::size_t>(2 * radius + 1));
  float sum = 0;
  for (int i = -radius; i <= radius; ++i) sum += k[static_cast<std::size_t>(i + radius)] = std::exp(-0.5f * i * i / static_cast<float>(sigma * sigma));
  for (auto& v : k) v /= sum;
  const std::int64_t C = x.size(1);
  torch::Tensor kern = torch::tensor(k, x.options());
  torch::Tensor kx = kern.view({1, 1, 1, -1}).repeat({C, 1, 1, 1});
  torch::Tensor ky = kern.view({1, 1, -1, 1}).repeat({C, 1, 1, 1});
  torch::Tensor y = F::pad(x, F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
  y = F::conv2d(y, kx, F::Conv2dFuncOptions().groups(C));
  return F::conv2d(y, ky, F::Conv2dFuncOptions().groups(C));
}

torch::Tensor eot_rescale(const torch::Tensor& x, double scale) {
  if (scale >= 1) return x;
  const std::int64_t H = x.size(2), W = x.size(3);
  std::int64_t h = std::max<std::int64_t>(1, std::llround(H * scale)), w = std::max<std::int64_t>(1, std::llround(W * scale));
  torch::Tensor small = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<std::int64_t>{h, w}).mode(torch::kArea));
  return F::interpolate(small, F::InterpolateFuncOptions()
                                   .size(std::vector<std::int64_t>{H, W})
                                   .mode(torch::kBilinear)
                                   .align_corners(false));
}

torch::Tensor eot_colour(const torch::Tensor& x, double brightness, double contrast) {
  if (brightness == 0 && contrast == 1) return x;
  torch::Tensor mean = x.mean({1, 2, 3}, true).detach();
  return torch::clamp((x - mean) * contrast + mean + brightness, 0.0, 1.0);
}

torch::Tensor eot_jpeg(const torch::Tensor& x, int quality) {
  if (quality <= 0) return x;
  torch::Tensor cpu = x.detach().to(torch::kCPU, torch::kFloat).clamp(0, 1);
  std::vector<torch::Tensor> outs;
  for (std::int64_t n = 0; n < cpu.size(0); ++n) {
    torch::Tensor hwc = (cpu[n].permute({1, 2, 0}) * 255).round().to(torch::kUInt8).contiguous();
    cv::Mat rgb(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_8UC3, hwc.data_ptr<std::uint8_t>());
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) throw Error("EOT: JPEG encoding failed");
    cv::Mat dec = cv::imdecode(bytes, cv::IMREAD_COLOR);
    cv::cvtColor(dec, dec, cv::COLOR_BGR2RGB);
    torch::Tensor t = torch::from_blob(dec.data, {dec.rows, dec.cols, 3}, torch::kUInt8).clone();
    outs.push_back(t.permute({2, 0, 1}).to(torch::kFloat) / 255);
  }
  torch::Tensor decoded = torch::stack(outs).to(x.device(), x.scalar_type());
  return x + (decoded - x).detach();
}

torch::Tensor apply_eot(const torch::Tensor& x, const EotTransform& t) {
  if (x.dim() != 4 || x.size(1) != 3) throw Error("EOT: expected [N,3,H,W]");
  torch::Tensor y = x;
  if (t.angle_deg != 0 || t.tx != 0 || t.ty != 0 || t.zoom != 1) y = eot_affine(y, t.angle_deg, t.tx, t.ty, t.zoom);
  y = eot_blur(y, t.blur_sigma);
  y = eot_rescale(y, t.scale);
  y = eot_colour(y, t.brightness, t.contrast);
  y = eot_jpeg(y, t.jpeg_quality);
  return y;
}

}  // namespace dtap::nn
