#include "dtap/nn/generator.hpp"
#include "dtap/nn/model_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace dtap::nn {

Json GeneratorConfig::to_json() const {
  return Json{{"arch", "unet-film"}, {"channels", channels}, {"groups", groups}, {"eps", eps},
              {"phase_periods", phase_periods}, {"output", "luminance"}, {"multiple", multiple()}};
}

GeneratorConfig GeneratorConfig::from_json(const Json& j) {
  GeneratorConfig c;
  try {
    if (j.value("arch", std::string()) != "unet-film") throw Error("architecture is not unet-film");
    c.channels = j.at("channels").get<std::vector<std::int64_t>>();
    c.groups = j.at("groups").get<std::int64_t>();
    c.eps = j.at("eps").get<double>();
    c.phase_periods = j.value("phase_periods", std::vector<double>{});
  } catch (const Json::exception& e) {
    throw Error(std::string("malformed generator architecture: ") + e.what());
  }
  if (c.channels.empty() || c.channels.size() > 6 ||
      std::any_of(c.channels.begin(), c.channels.end(), [](std::int64_t v) { return v < 1 || v > 1024; }))
    throw Error("malformed generator architecture: bad channel list");
  if (c.phase_periods.size() > 8 ||
      std::any_of(c.phase_periods.begin(), c.phase_periods.end(), [](double p) { return !(p >= 2 && p <= 1024); }))
    throw Error("malformed generator architecture: bad phase periods");
  if (c.groups < 0 || !(c.eps > 0 && c.eps <= 1)) throw Error("malformed generator architecture: bad groups or eps");
  return c;
}

FiLMImpl::FiLMImpl(std::int64_t channels) {
  const std::int64_t h = 8;
  hidden = register_module("hidden", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, h, 3).padding(1)));
  gamma = register_module("gamma", torch::nn::Conv2d(torch::nn::Conv2dOptions(h, channels, 1)));
  beta = register_module("beta", torch::nn::Conv2d(torch::nn::Conv2dOptions(h, channels, 1)));
  torch::NoGradGuard no_grad;
  for (auto* conv : {&gamma, &beta}) {
    (*conv)->weight.zero_();
    (*conv)->bias.zero_();
  }
}

torch::Tensor FiLMImpl::forward(const torch::Tensor& x, const torch::Tensor& attention) {
  torch::Tensor a = attention;
  if (a.size(2) != x.size(2) || a.size(3) != x.size(3))
    a = F::interpolate(a, F::InterpolateFuncOptions()
                              .size(std::vector<std::int64_t>{x.size(2), x.size(3)})
                              .mode(torch::kArea));
  torch::Tensor h = torch::silu(hidden(a));
  return (1 + torch::tanh(gamma(h))) * x + torch::tanh(beta(h));
}

namespace {
torch::nn::GroupNorm make_norm(std::int64_t groups, std::int64_t channels) {
  std::int64_t g = groups;
  while (g > 1 && channels % g != 0) --g;
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::max<std::int64_t>(g, 1), channels));
}
}  // namespace

StageImpl::StageImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t groups) {
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1)));
  conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1)));
  if (groups > 0) {
    norm1 = register_module("norm1", make_norm(groups, out));
    norm2 = register_module("norm2", make_norm(groups, out));
  }
  film = register_module("film", FiLM(out));
}

torch::Tensor StageImpl::forward(torch::Tensor x, const torch::Tensor& attention) {
  x = conv1(x);
  if (norm1) x = norm1(x);
  x = torch::silu(x);
  x = conv2(x);
  if (norm2) x = norm2(x);
  x = torch::silu(x);
  return film(x, attention);
}

GeneratorImpl::GeneratorImpl(const GeneratorConfig& config) : config_(config) {
  if (config_.channels.empty()) throw Error("generator: no channels");
  encoder = register_module("encoder", torch::nn::ModuleList());
  decoder = register_module("decoder", torch::nn::ModuleList());
  const auto& ch = config_.channels;
  std::int64_t in = 4 + 2 * static_cast<std::int64_t>(config_.phase_periods.size());  // RGB + mask + phases
  for (std::size_t i = 0; i < ch.size(); ++i) {
    encoder->push_back(Stage(in, ch[i], i == 0 ? 1 : 2, config_.groups));
    in = ch[i];
  }
  bottleneck = register_module("bottleneck", Stage(in, in, 2, config_.groups));
  std::int64_t below = in;
  for (std::size_t k = ch.size(); k-- > 0;) {
    decoder->push_back(Stage(below + ch[k], ch[k], 1, config_.groups));
    below = ch[k];
  }
  head = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(below, 1, 1)));
  torch::NoGradGuard no_grad;
  head->weight.normal_(0.0, 1e-3);
  head->bias.zero_();
}

torch::Tensor GeneratorImpl::direction(const torch::Tensor& x, const torch::Tensor& m) {
  const std::int64_t mult = config_.multiple();
  if (x.dim() != 4 || x.size(1) != 3 || m.dim() != 4 || m.size(1) != 1 || x.size(2) % mult || x.size(3) % mult)
    throw Error("generator: input must be [N,3,H,W] and [N,1,H,W] with H, W multiples of " + std::to_string(mult));
  std::vector<torch::Tensor> skips;
  std::vector<torch::Tensor> inputs = {x * 2 - 1, m};
  if (!config_.phase_periods.empty())
    inputs.push_back(phase_features(x.size(2), x.size(3), x.options()).expand({x.size(0), -1, -1, -1}));
  torch::Tensor h = torch::cat(inputs, 1);
  for (std::size_t i = 0; i < encoder->size(); ++i) {
    h = encoder->at<StageImpl>(i).forward(h, m);
    skips.push_back(h);
  }
  h = bottleneck->forward(h, m);
  for (std::size_t j = 0; j < decoder->size(); ++j) {
    const torch::Tensor& skip = skips[skips.size() - 1 - j];
    h = F::interpolate(h, F::InterpolateFuncOptions()
                              .size(std::vector<std::int64_t>{skip.size(2), skip.size(3)})
                              .mode(torch::kBilinear)
                              .align_corners(false));
    h = decoder->at<StageImpl>(j).forward(torch::cat({h, skip}, 1), m);
  }
  return torch::tanh(head(h));
}

torch::Tensor GeneratorImpl::delta(const torch::Tensor& x, const torch::Tensor& m, double eps) {
  const std::int64_t mult = config_.multiple();
  const std::int64_t H = x.size(2), W = x.size(3);
  const std::int64_t ph = (mult - H % mult) % mult, pw = (mult - W % mult) % mult;
  torch::Tensor xp = x, mp = m;
  if (ph || pw) {
    // Replicate the image's edge and give the padding a zero mask; cut it off after.
    xp = F::pad(x, F::PadFuncOptions({0, pw, 0, ph}).mode(torch::kReplicate));
    mp = F::pad(m, F::PadFuncOptions({0, pw, 0, ph}).mode(torch::kConstant).value(0));
  }
  torch::Tensor d = direction(xp, mp);
  if (ph || pw) d = d.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, H),
                             torch::indexing::Slice(0, W)});
  return eps * d * m;
}

torch::Tensor GeneratorImpl::apply(const torch::Tensor& x, const torch::Tensor& m, double eps) {
  return torch::clamp(x + delta(x, m, eps), 0.0, 1.0);
}

torch::Tensor GeneratorImpl::phase_features(std::int64_t height, std::int64_t width,
                                            const torch::TensorOptions& options) const {
  torch::Tensor y = torch::arange(height, options.dtype(torch::kFloat)).view({1, 1, height, 1});
  std::vector<torch::Tensor> f;
  for (double p : config_.phase_periods) {
    torch::Tensor a = y * (2 * 3.14159265358979323846 / p);
    f.push_back(torch::sin(a));
    f.push_back(torch::cos(a));
  }
  return torch::cat(f, 1).expand({1, -1, height, width}).to(options.dtype());
}

torch::Tensor stripe_template(const torch::Tensor& x, const torch::Tensor& m, std::int64_t period, std::int64_t thickness) {
  const std::int64_t N = x.size(0), H = x.size(2), W = x.size(3);
  torch::Tensor rows = (torch::arange(H, x.options().dtype(torch::kLong)) % period < thickness).to(x.dtype()).view({1, 1, H, 1});
  torch::Tensor lum = x.mean(1, true);  // [N,1,H,W]
  std::vector<torch::Tensor> sign;
  for (std::int64_t n = 0; n < N; ++n) {
    torch::Tensor inside = lum[n].masked_select(m[n] > 0);
    double median = inside.numel() ? inside.median().item<double>() : 1.0;
    sign.push_back(torch::full({1, 1, 1, 1}, median > 0.5 ? -1.0 : 1.0, x.options()));
  }
  return torch::cat(sign, 0) * rows.expand({N, 1, H, W}) * (m > 0).to(x.dtype());
}

std::int64_t GeneratorImpl::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

void save_generator(Generator& generator, const std::string& path, const Json& manifest) {
  Json m = manifest;
  m["eps"] = generator->config().eps;
  m["parameters"] = generator->parameter_count();
  ModelFile::save(*generator, path, "generator", generator->config().to_json(), m);
}

Generator load_generator(const std::string& path, Json* manifest_out) {
  ModelFile file = ModelFile::open(path, "generator");
  GeneratorConfig config;
  try {
    config = GeneratorConfig::from_json(file.arch());
  } catch (const std::exception& e) {
    throw Error("generator model " + path + ": bad architecture record: " + e.what());
  }
  Generator generator(config);
  file.load_into(*generator);
  generator->eval();
  if (manifest_out) *manifest_out = file.manifest();
  return generator;
}

// Rectangles covering mask > 0, grown by `context`, merged while they overlap,
// then grown to a multiple of `mult` where the image allows.
std::vector<cv::Rect> mask_support_rects(const cv::Mat& mask, int context, int mult) {
  if (mask.type() != CV_32F) throw Error("generator: the mask must be one float channel");
  const int H = mask.rows, W = mask.cols;
  cv::Mat bin = mask > 0;
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(bin, labels, stats, centroids, 8, CV_32S);
  const cv::Rect frame(0, 0, W, H);
  std::vector<cv::Rect> rects;
  for (int i = 1; i < n; ++i) {
    cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
               stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    rects.push_back(cv::Rect(r.x - context, r.y - context, r.width + 2 * context, r.height + 2 * context) & frame);
  }
  auto grow = [&](cv::Rect r) {
    int tw = std::min((r.width + mult - 1) / mult * mult, W), th = std::min((r.height + mult - 1) / mult * mult, H);
    int x = std::clamp(r.x - (tw - r.width) / 2, 0, W - tw), y = std::clamp(r.y - (th - r.height) / 2, 0, H - th);
    return cv::Rect(x, y, tw, th);
  };
  for (bool merged = true; merged;) {
    merged = false;
    for (auto& r : rects) r = grow(r);
    for (std::size_t i = 0; i < rects.size() && !merged; ++i)
      for (std::size_t j = i + 1; j < rects.size() && !merged; ++j)
        if ((rects[i] & rects[j]).area() > 0) {
          rects[i] = rects[i] | rects[j];
          rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
        }
  }
  std::sort(rects.begin(), rects.end(), [](const cv::Rect& a, const cv::Rect& b) {
    return std::tie(a.y, a.x) < std::tie(b.y, b.x);
  });
  return rects;
}

cv::Mat protect_image(Generator& generator, const cv::Mat& rgb, const cv::Mat& mask, double eps, int context) {
  torch::NoGradGuard no_grad;
  if (rgb.type() != CV_32FC3 || mask.type() != CV_32F || rgb.size() != mask.size())
    throw Error("generator: image (3 float channels) and mask (1 float channel) must match");
  cv::Mat out = rgb.clone();
  // Only the rectangles go to tensors: converting the whole screenshot costs more than the network does.
  for (const cv::Rect& r : mask_support_rects(mask, context, static_cast<int>(generator->config().multiple()))) {
    cv::Mat x_roi = rgb(r).clone(), m_roi = mask(r).clone();
    torch::Tensor x = torch::from_blob(x_roi.data, {r.height, r.width, 3}, torch::kFloat).permute({2, 0, 1}).unsqueeze(0);
    torch::Tensor m = torch::from_blob(m_roi.data, {1, 1, r.height, r.width}, torch::kFloat);
    torch::Tensor y = torch::clamp(x + generator->delta(x, m, eps), 0.0, 1.0);
    torch::Tensor hwc = y[0].permute({1, 2, 0}).contiguous();
    cv::Mat(r.height, r.width, CV_32FC3, hwc.data_ptr<float>()).copyTo(out(r));
  }
  return out;
}

}  // namespace dtap::nn
