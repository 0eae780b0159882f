// Surrogate CTC text-line readers, the differentiable line crop and checkpoints.
#include "dtap/nn/reader.hpp"
#include "dtap/nn/model_file.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/text.hpp"

namespace dtap::nn {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------- charset

namespace {
struct CharsetData {
  std::vector<std::string> symbols;  // index i+1 -> symbols[i]
  std::unordered_map<char32_t, std::int64_t> index;
};

const CharsetData& charset_data() {
  static const CharsetData data = [] {
    CharsetData d;
    std::u32string all;
    for (char32_t c = 32; c < 127; ++c) all.push_back(c);
    // What dtap::Faker and the screen templates emit beyond ASCII, and common
    // typographic marks of real screens.
    all += U"\u20AC\u00A3\u00A5\u00B0\u00B7\u2013\u2014\u2026\u2019\u201C\u201D\u2022";
    for (char32_t c : all) {
      d.index[c] = static_cast<std::int64_t>(d.symbols.size()) + 1;
      d.symbols.push_back(u32_to_utf8(std::u32string(1, c)));
    }
    return d;
  }();
  return data;
}
}  // namespace

const Charset& Charset::standard() {
  static const Charset c;
  return c;
}

std::int64_t Charset::size() const { return static_cast<std::int64_t>(charset_data().symbols.size()) + 1; }

std::vector<std::int64_t> Charset::encode(const std::string& utf8) const {
  const auto& d = charset_data();
  std::vector<std::int64_t> out;
  for (char32_t c : utf8_to_u32(utf8)) {
    auto it = d.index.find(c);
    if (it != d.index.end()) out.push_back(it->second);
  }
  return out;
}

std::string Charset::decode(const std::vector<std::int64_t>& labels) const {
  const auto& d = charset_data();
  std::string out;
  for (auto l : labels)
    if (l > 0 && l <= static_cast<std::int64_t>(d.symbols.size())) out += d.symbols[static_cast<std::size_t>(l - 1)];
  return out;
}

bool Charset::covers(const std::string& utf8) const {
  const auto& d = charset_data();
  for (char32_t c : utf8_to_u32(utf8))
    if (!d.index.count(c)) return false;
  return true;
}

std::string Charset::symbols() const {
  std::string s;
  for (const auto& sym : charset_data().symbols) s += sym;
  return s;
}

std::string Charset::greedy_decode(const torch::Tensor& log_probs) const {
  if (log_probs.dim() != 2) throw Error("greedy_decode: expected [T, C] log-probabilities");
  auto best = log_probs.detach().argmax(1).to(torch::kCPU).to(torch::kLong).contiguous();
  const auto* p = best.data_ptr<std::int64_t>();
  std::vector<std::int64_t> labels;
  std::int64_t prev = 0;
  for (std::int64_t t = 0; t < best.size(0); ++t) {
    if (p[t] != 0 && p[t] != prev) labels.push_back(p[t]);
    prev = p[t];
  }
  return decode(labels);
}

// ---------------------------------------------------------------- crop

LineGeometry line_geometry(const BBox& box) {
  LineGeometry g;
  const double m = kLineContext * std::max(box.h, 1.0);
  g.x0 = box.x - m;
  g.y0 = box.y - m;
  g.x1 = box.x + std::max(box.w, 1.0) + m;
  g.y1 = box.y + std::max(box.h, 1.0) + m;
  const double natural = kLineHeight * (g.x1 - g.x0) / (g.y1 - g.y0);
  g.width = static_cast<std::int64_t>(std::clamp(std::lround(natural), 8L, static_cast<long>(kMaxLineWidth)));
  // Supersampling factor against aliasing when the box is much taller than 32.
  g.supersample = static_cast<int>(std::clamp(std::floor((g.y1 - g.y0) / kLineHeight + 0.25), 1.0, 4.0));
  return g;
}

torch::Tensor crop_line(const torch::Tensor& image, const BBox& box) {
  if (image.dim() != 3 || (image.size(0) != 3 && image.size(0) != 1))
    throw Error("crop_line: expected an image tensor [3, H, W] or [1, H, W]");
  if (!(box.w > 0 && box.h > 0) || !std::isfinite(box.x) || !std::isfinite(box.y))
    throw Error("crop_line: empty or malformed box");
  const std::int64_t H = image.size(1), W = image.size(2);
  if (box.x >= W || box.y >= H || box.right() <= 0 || box.bottom() <= 0)
    throw Error("crop_line: box [" + std::to_string(box.x) + ", " + std::to_string(box.y) + ", " +
                std::to_string(box.w) + ", " + std::to_string(box.h) + "] lies outside the " +
                std::to_string(W) + "x" + std::to_string(H) + " image");
  const LineGeometry g = line_geometry(box);
  // Only the region the samples can touch takes part (cheaper backward).
  const std::int64_t rx0 = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(g.x0)) - 1, 0, W - 1);
  const std::int64_t ry0 = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(g.y0)) - 1, 0, H - 1);
  const std::int64_t rx1 = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(g.x1)) + 1, rx0 + 1, W);
  const std::int64_t ry1 = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(g.y1)) + 1, ry0 + 1, H);
  auto region = image.narrow(1, ry0, ry1 - ry0).narrow(2, rx0, rx1 - rx0).unsqueeze(0);  // [1, C, h, w]
  const double rw = static_cast<double>(rx1 - rx0), rh = static_cast<double>(ry1 - ry0);
  const int s = g.supersample;
  const std::int64_t Ho = kLineHeight * s, Wo = g.width * s;
  auto opts = torch::TensorOptions().dtype(image.dtype()).device(image.device());
  // Sample centres in image pixel-edge coordinates -> grid_sample's [-1, 1] (align_corners=false).
  auto xs = (torch::arange(Wo, opts) + 0.5) * ((g.x1 - g.x0) / static_cast<double>(Wo)) + (g.x0 - rx0);
  auto ys = (torch::arange(Ho, opts) + 0.5) * ((g.y1 - g.y0) / static_cast<double>(Ho)) + (g.y0 - ry0);
  xs = xs * (2.0 / rw) - 1.0;
  ys = ys * (2.0 / rh) - 1.0;
  auto grid = torch::stack({xs.unsqueeze(0).expand({Ho, Wo}), ys.unsqueeze(1).expand({Ho, Wo})}, 2).unsqueeze(0);
  auto sampled = F::grid_sample(region, grid,
                                F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder)
                                    .align_corners(false));  // [1, C, Ho, Wo]
  torch::Tensor grey;
  if (sampled.size(1) == 3)
    grey = sampled.select(1, 0) * 0.299 + sampled.select(1, 1) * 0.587 + sampled.select(1, 2) * 0.114;
  else
    grey = sampled.select(1, 0);
  grey = grey.unsqueeze(1);  // [1, 1, Ho, Wo]
  if (s > 1) grey = F::avg_pool2d(grey, F::AvgPool2dFuncOptions(s).stride(s));
  return grey.squeeze(0);  // [1, 32, W']
}

torch::Tensor stack_lines(const std::vector<torch::Tensor>& crops, std::vector<std::int64_t>* widths) {
  if (crops.empty()) throw Error("stack_lines: no crops");
  std::int64_t wmax = 0;
  for (const auto& c : crops) wmax = std::max(wmax, c.size(2));
  std::vector<torch::Tensor> padded;
  padded.reserve(crops.size());
  if (widths) widths->clear();
  for (const auto& c : crops) {
    const auto w = c.size(2);
    if (widths) widths->push_back(w);
    if (w == wmax)
      padded.push_back(c);
    else
      padded.push_back(torch::cat({c, c.narrow(2, w - 1, 1).expand({c.size(0), c.size(1), wmax - w})}, 2));
  }
  return torch::stack(padded, 0);
}

// ---------------------------------------------------------------- readers

namespace {

// A CNN trunk from a compact description: a channel count is a 3x3
// convolution + batch norm + ReLU; {-kh, -kw} is a max-pool; the last step
// collapses the remaining height 2 with a (2, 1) convolution.
torch::nn::Sequential trunk(const std::vector<std::vector<std::int64_t>>& steps, std::int64_t out_channels) {
  torch::nn::Sequential s;
  std::int64_t c = 1;
  for (const auto& st : steps) {
    if (st[0] < 0) {
      s->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions({-st[0], -st[1]}).stride({-st[0], -st[1]})));
    } else {
      s->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(c, st[0], 3).padding(1).bias(false)));
      s->push_back(torch::nn::BatchNorm2d(st[0]));
      s->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
      c = st[0];
    }
  }
  s->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(c, out_channels, {2, 1}).bias(false)));
  s->push_back(torch::nn::BatchNorm2d(out_channels));
  s->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
  return s;
}

// CNN + BiLSTM (CRNN). Width is divided by 4: one step per 4 input columns.
class CrnnReader : public Reader {
 public:
  CrnnReader() {
    const auto C = Charset::standard().size();
    cnn_ = register_module("cnn", trunk({{16}, {-2, -2}, {32}, {-2, -2}, {64}, {64}, {-2, -1}, {96}, {-2, -1}}, 128));
    rnn_ = register_module("rnn", torch::nn::LSTM(torch::nn::LSTMOptions(128, 96).bidirectional(true)));
    out_ = register_module("out", torch::nn::Linear(192, C));
  }
  torch::Tensor forward(torch::Tensor lines) override {
    auto x = cnn_->forward((lines - 0.5) * 2.0);     // [N, 128, 1, T]
    x = x.squeeze(2).permute({2, 0, 1}).contiguous();  // [T, N, 128]
    x = std::get<0>(rnn_->forward(x));                 // [T, N, 192]
    return torch::log_softmax(out_->forward(x), 2);
  }
  std::int64_t output_length(std::int64_t width) const override { return (width / 2) / 2; }
  std::string arch() const override { return "crnn"; }

 private:
  torch::nn::Sequential cnn_{nullptr};
  torch::nn::LSTM rnn_{nullptr};
  torch::nn::Linear out_{nullptr};
};

// All-convolutional: a CNN trunk, then dilated 1-D convolutions along the line
// (residual) for context instead of a recurrent layer.
class ConvReader : public Reader {
 public:
  ConvReader() {
    const auto C = Charset::standard().size();
    cnn_ = register_module("cnn", trunk({{16}, {-2, -2}, {32}, {-2, -2}, {64}, {-2, -1}, {96}, {-2, -1}}, 128));
    for (int i = 0; i < 3; ++i) {
      const std::int64_t dil = 1 << i;
      seq_.push_back(register_module(
          "seq" + std::to_string(i),
          torch::nn::Sequential(
              torch::nn::Conv1d(torch::nn::Conv1dOptions(128, 128, 5).padding(2 * dil).dilation(dil).bias(false)),
              torch::nn::BatchNorm1d(128), torch::nn::ReLU(torch::nn::ReLUOptions(true)))));
    }
    out_ = register_module("out", torch::nn::Conv1d(torch::nn::Conv1dOptions(128, C, 1)));
  }
  torch::Tensor forward(torch::Tensor lines) override {
    auto x = cnn_->forward((lines - 0.5) * 2.0).squeeze(2);  // [N, 128, T]
    for (auto& s : seq_) x = x + s->forward(x);
    x = out_->forward(x);  // [N, C, T]
    return torch::log_softmax(x.permute({2, 0, 1}), 2);
  }
  std::int64_t output_length(std::int64_t width) const override { return (width / 2) / 2; }
  std::string arch() const override { return "conv"; }

 private:
  torch::nn::Sequential cnn_{nullptr};
  std::vector<torch::nn::Sequential> seq_;
  torch::nn::Conv1d out_{nullptr};
};

// One mixing block of an SVTR-style reader (pre-norm, residual): local mixing
// (a depthwise convolution over 7 neighbouring steps) or global mixing
// (multi-head self-attention over the whole line), then a small MLP.
class MixingBlockImpl : public torch::nn::Module {
 public:
  MixingBlockImpl(std::int64_t dim, std::int64_t heads, bool global) : global_(global) {
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    if (global)
      attention_ = register_module("attention", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(dim, heads)));
    else
      local_ = register_module("local", torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, dim, 7).padding(3).groups(dim)));
    mlp_ = register_module("mlp", torch::nn::Sequential(torch::nn::Linear(dim, 2 * dim), torch::nn::GELU(),
                                                         torch::nn::Linear(2 * dim, dim)));
  }
  torch::Tensor forward(torch::Tensor x) {  // [T, N, D]
    auto y = norm1_->forward(x);
    if (global_)
      y = std::get<0>(attention_->forward(y, y, y));
    else
      y = local_->forward(y.permute({1, 2, 0})).permute({2, 0, 1});
    x = x + y;
    return x + mlp_->forward(norm2_->forward(x));
  }

 private:
  bool global_;
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::MultiheadAttention attention_{nullptr};
  torch::nn::Conv1d local_{nullptr};
  torch::nn::Sequential mlp_{nullptr};
};
TORCH_MODULE(MixingBlock);

// SVTR-style: a small CNN stem, then two local and two global mixing blocks
// along the line (no recurrence): the transformer family of the ensemble.
class SvtrReader : public Reader {
 public:
  SvtrReader() {
    const auto C = Charset::standard().size();
    cnn_ = register_module("cnn", trunk({{16}, {-2, -2}, {32}, {-2, -2}, {64}, {-2, -1}, {96}, {-2, -1}}, 128));
    for (int i = 0; i < 4; ++i) blocks_.push_back(register_module("mix" + std::to_string(i), MixingBlock(128, 4, i >= 2)));
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({128})));
    out_ = register_module("out", torch::nn::Linear(128, C));
  }
  torch::Tensor forward(torch::Tensor lines) override {
    auto x = cnn_->forward((lines - 0.5) * 2.0).squeeze(2).permute({2, 0, 1}).contiguous();  // [T, N, 128]
    for (auto& b : blocks_) x = b->forward(x);
    return torch::log_softmax(out_->forward(norm_->forward(x)), 2);
  }
  std::int64_t output_length(std::int64_t width) const override { return (width / 2) / 2; }
  std::string arch() const override { return "svtr"; }

 private:
  torch::nn::Sequential cnn_{nullptr};
  std::vector<MixingBlock> blocks_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear out_{nullptr};
};

}  // namespace

const std::vector<std::string>& reader_archs() {
  static const std::vector<std::string> a = {"crnn", "conv", "svtr"};
  return a;
}

std::shared_ptr<Reader> make_reader(const std::string& arch) {
  if (arch == "crnn") return std::make_shared<CrnnReader>();
  if (arch == "conv") return std::make_shared<ConvReader>();
  if (arch == "svtr") return std::make_shared<SvtrReader>();
  throw UsageError("unknown reader architecture '" + arch + "' (crnn, conv or svtr)");
}

std::int64_t parameter_count(torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

// ---------------------------------------------------------------- checkpoints

void save_reader(Reader& reader, const std::string& path, const Json& manifest) {
  Json m = manifest;
  m["charset"] = Charset::standard().symbols();
  m["parameters"] = parameter_count(reader);
  if (!m.contains("git_revision")) m["git_revision"] = DTAP_GIT_REV;
  ModelFile::save(reader, path, "reader", reader.arch(), m, {{"charset", Charset::standard().symbols()}});
}

std::shared_ptr<Reader> load_reader(const std::string& path, const torch::Device& device) {
  ModelFile file = ModelFile::open(path, "reader");
  const std::string arch = file.arch().is_string() ? file.arch().get<std::string>() : std::string();
  if (std::find(reader_archs().begin(), reader_archs().end(), arch) == reader_archs().end())
    throw Error("reader model " + path + ": unknown reader architecture " + file.arch().dump());
  if (file.extra("charset") != Charset::standard().symbols())
    throw Error("reader model " + path + ": trained with a different character set");
  auto reader = make_reader(arch);
  file.load_into(*reader);
  reader->to(device);
  reader->eval();
  for (auto& p : reader->parameters()) p.set_requires_grad(false);
  return reader;
}

// ---------------------------------------------------------------- losses and reading

torch::Tensor line_ctc_losses(Reader& reader, const torch::Tensor& image, const std::vector<BBox>& boxes,
                              const std::vector<std::string>& texts) {
  if (boxes.size() != texts.size()) throw Error("line_ctc_losses: boxes and texts differ in number");
  const auto N = static_cast<std::int64_t>(boxes.size());
  auto out = torch::zeros({N}, torch::TensorOptions().dtype(torch::kFloat).device(image.device()));
  std::vector<torch::Tensor> crops;
  std::vector<std::int64_t> index, targets, target_lengths;
  const auto& cs = Charset::standard();
  for (std::int64_t i = 0; i < N; ++i) {
    auto labels = cs.encode(texts[static_cast<std::size_t>(i)]);
    if (labels.empty()) continue;
    crops.push_back(crop_line(image, boxes[static_cast<std::size_t>(i)]).to(torch::kFloat));
    index.push_back(i);
    targets.insert(targets.end(), labels.begin(), labels.end());
    target_lengths.push_back(static_cast<std::int64_t>(labels.size()));
  }
  if (crops.empty()) {
    if (image.requires_grad()) out = out + image.sum().to(torch::kFloat) * 0.0;  // keeps the graph connected
    return out;
  }
  std::vector<std::int64_t> widths;
  auto batch = stack_lines(crops, &widths);
  auto log_probs = reader.forward(batch);  // [T, n, C]
  std::vector<std::int64_t> input_lengths;
  for (auto w : widths) input_lengths.push_back(std::min(reader.output_length(w), log_probs.size(0)));
  auto lopt = torch::TensorOptions().dtype(torch::kLong);
  auto loss = F::ctc_loss(log_probs, torch::tensor(targets, lopt), torch::tensor(input_lengths, lopt),
                          torch::tensor(target_lengths, lopt),
                          F::CTCLossFuncOptions().blank(0).reduction(torch::kNone).zero_infinity(true));
  loss = loss / torch::tensor(target_lengths, lopt).to(loss.device()).to(loss.dtype());
  return out.index_put({torch::tensor(index, lopt).to(out.device())}, loss);
}

std::vector<std::string> read_lines(Reader& reader, const torch::Tensor& image, const std::vector<BBox>& boxes) {
  std::vector<std::string> out;
  if (boxes.empty()) return out;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> crops;
  for (const auto& b : boxes) crops.push_back(crop_line(image, b).to(torch::kFloat));
  return read_crops(reader, crops);
}

std::vector<std::string> read_crops(Reader& reader, const std::vector<torch::Tensor>& crops) {
  std::vector<std::string> out;
  if (crops.empty()) return out;
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> widths;
  auto log_probs = reader.forward(stack_lines(crops, &widths));
  for (std::size_t i = 0; i < crops.size(); ++i) {
    const auto T = std::min(reader.output_length(widths[i]), log_probs.size(0));
    out.push_back(Charset::standard().greedy_decode(log_probs.narrow(0, 0, T).select(1, static_cast<std::int64_t>(i))));
  }
  return out;
}

// ---------------------------------------------------------------- images

torch::Tensor image_to_tensor(const cv::Mat& rgb) {
  if (rgb.empty()) throw Error("image_to_tensor: empty image");
  cv::Mat f;
  if (rgb.type() == CV_32FC3)
    f = rgb.isContinuous() ? rgb : rgb.clone();
  else if (rgb.type() == CV_32FC1)
    cv::merge(std::vector<cv::Mat>{rgb, rgb, rgb}, f);
  else
    throw Error("image_to_tensor: expected an RGB float image (CV_32FC3)");
  return torch::from_blob(f.data, {f.rows, f.cols, 3}, torch::kFloat).permute({2, 0, 1}).clone();
}

cv::Mat tensor_to_image(const torch::Tensor& chw) {
  if (chw.dim() != 3 || (chw.size(0) != 3 && chw.size(0) != 1))
    throw Error("tensor_to_image: expected [3, H, W] or [1, H, W]");
  auto t = chw.detach().to(torch::kCPU).to(torch::kFloat).permute({1, 2, 0}).contiguous();
  const int c = static_cast<int>(chw.size(0));
  cv::Mat m(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), c == 3 ? CV_32FC3 : CV_32FC1, t.data_ptr<float>());
  return m.clone();
}

}  // namespace dtap::nn
