#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "dtap/error.hpp"
#include "dtap/nn/reader.hpp"
#include "../test_util.hpp"

namespace fs = std::filesystem;
using dtap::BBox;
using namespace dtap::nn;

using dtap::test::tmp_dir;

namespace {
// Finite-difference check of d sum(R * crop) / d image on sampled pixels.
void check_crop_gradient(const BBox& box, std::int64_t H, std::int64_t W) {
  torch::manual_seed(3);
  auto image = torch::rand({3, H, W}, torch::kDouble).set_requires_grad(true);
  auto crop = crop_line(image, box);
  ASSERT_EQ(crop.dim(), 3);
  EXPECT_EQ(crop.size(0), 1);
  EXPECT_EQ(crop.size(1), kLineHeight);
  auto R = torch::randn(crop.sizes(), torch::kDouble);
  (crop * R).sum().backward();
  auto g = image.grad();
  ASSERT_TRUE(g.defined());
  EXPECT_GT(g.abs().sum().item<double>(), 0.0);
  auto f = [&](const torch::Tensor& img) { return (crop_line(img, box) * R).sum().item<double>(); };
  const double eps = 1e-4;
  int checked = 0, nonzero = 0;
  // Pixels inside/around the box and a few far away (their gradient must be 0).
  for (int k = 0; k < 60; ++k) {
    const std::int64_t c = k % 3;
    std::int64_t y, x;
    if (k < 50) {
      y = std::clamp<std::int64_t>(static_cast<std::int64_t>(box.y - 1 + (box.h + 2) * ((k * 37) % 50) / 50.0), 0, H - 1);
      x = std::clamp<std::int64_t>(static_cast<std::int64_t>(box.x - 1 + (box.w + 2) * ((k * 13) % 50) / 50.0), 0, W - 1);
    } else {
      y = H - 1;
      x = W - 1 - (k - 50);
    }
    torch::NoGradGuard ng;
    auto plus = image.detach().clone(), minus = image.detach().clone();
    plus[c][y][x] += eps;
    minus[c][y][x] -= eps;
    const double fd = (f(plus) - f(minus)) / (2 * eps);
    const double an = g[c][y][x].item<double>();
    EXPECT_NEAR(an, fd, 1e-6 + 1e-5 * std::abs(fd)) << "pixel " << c << "," << y << "," << x;
    ++checked;
    nonzero += std::abs(an) > 1e-9;
  }
  EXPECT_EQ(checked, 60);
  EXPECT_GT(nonzero, 20);
}
}  // namespace

TEST(Crop, GradientMatchesFiniteDifferences) {
  check_crop_gradient(BBox{20.3, 10.6, 60.5, 14.2}, 40, 120);  // upsampled
}

TEST(Crop, GradientMatchesFiniteDifferencesWhenSupersampled) {
  check_crop_gradient(BBox{10.0, 8.0, 90.0, 75.0}, 100, 120);  // taller than 2x32: averaged
}

TEST(Crop, ShapeGreyAndWidthCap) {
  auto img = torch::zeros({3, 60, 3000});
  img[0].fill_(1.0);  // pure red -> grey 0.299
  auto c = crop_line(img, BBox{10, 10, 100, 20});
  EXPECT_EQ(c.size(1), 32);
  const auto g = line_geometry(BBox{10, 10, 100, 20});
  EXPECT_EQ(c.size(2), g.width);
  EXPECT_NEAR(c.mean().item<double>(), 0.299, 1e-5);
  auto wide = crop_line(img, BBox{0, 10, 2900, 20});
  EXPECT_EQ(wide.size(2), kMaxLineWidth);
  auto tiny = crop_line(img, BBox{5, 5, 1, 40});
  EXPECT_EQ(tiny.size(2), 8);
  EXPECT_THROW(crop_line(img, BBox{4000, 10, 10, 10}), dtap::Error);
  EXPECT_THROW(crop_line(img, BBox{10, 10, 0, 10}), dtap::Error);
  std::vector<std::int64_t> widths;
  auto s = stack_lines({c, tiny}, &widths);
  EXPECT_EQ(s.sizes(), (std::vector<std::int64_t>{2, 1, 32, c.size(2)}));
  EXPECT_EQ(widths[1], 8);
}

TEST(Charset, EncodeDecodeAndFakerSymbols) {
  const auto& cs = Charset::standard();
  EXPECT_GE(cs.size(), 1 + 95 + 2);
  for (std::string s : {"Hello, World! 42", "\u20AC12.50", "\u00A3 9", "ana.li@mail.com", "DE89 3704 0044"}) {
    auto l = cs.encode(s);
    EXPECT_EQ(cs.decode(l), s);
    EXPECT_TRUE(cs.covers(s));
    for (auto v : l) EXPECT_GT(v, 0);
  }
  EXPECT_FALSE(cs.covers("\u4E2D"));
  EXPECT_EQ(cs.decode(cs.encode("a\u4E2Db")), "ab");  // unknown characters are dropped
}

TEST(Charset, GreedyDecodeCollapsesRepeatsAndBlanks) {
  const auto& cs = Charset::standard();
  const auto a = cs.encode("a")[0], b = cs.encode("b")[0];
  std::vector<std::int64_t> path = {0, a, a, 0, a, b, b, 0, 0, b};
  auto lp = torch::full({static_cast<std::int64_t>(path.size()), cs.size()}, -10.0);
  for (std::size_t t = 0; t < path.size(); ++t) lp[t][path[t]] = 0.0;
  EXPECT_EQ(cs.greedy_decode(lp), "aabb");
  EXPECT_EQ(cs.greedy_decode(torch::zeros({5, cs.size()}).index_fill_(1, torch::tensor({0}), 1.0)), "");
}

TEST(Reader, BothArchitecturesSmallAndShaped) {
  for (const auto& arch : reader_archs()) {
    auto r = make_reader(arch);
    EXPECT_EQ(r->arch(), arch);
    const auto n = parameter_count(*r);
    EXPECT_LT(n, 5'000'000) << arch;
    EXPECT_GT(n, 100'000) << arch;
    r->eval();
    auto out = r->forward(torch::rand({2, 1, 32, 101}));
    EXPECT_EQ(out.size(0), r->output_length(101));
    EXPECT_EQ(out.size(1), 2);
    EXPECT_EQ(out.size(2), Charset::standard().size());
    EXPECT_NEAR(out.exp().sum(2).mean().item<double>(), 1.0, 1e-4);
  }
  EXPECT_THROW(make_reader("transformer"), dtap::UsageError);
}

TEST(Reader, EachArchitectureTrainsAFewStepsAndLowersItsLoss) {
  // Four rendered lines, CTC on their text: 25 Adam steps must cut the loss.
  const std::vector<std::string> texts = {"Ana Lopez", "+1 555 0100", "bob@mail.io", "@zorblat"};
  std::vector<torch::Tensor> crops;
  std::vector<std::int64_t> targets, target_lengths;
  for (const auto& t : texts) {
    cv::Mat img(32, 160, CV_8UC1, cv::Scalar(255));
    cv::putText(img, t, {4, 23}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0), 1, cv::LINE_AA);
    cv::Mat f;
    img.convertTo(f, CV_32F, 1.0 / 255.0);
    crops.push_back(torch::from_blob(f.data, {1, 32, 160}, torch::kFloat).clone());
    auto labels = Charset::standard().encode(t);
    targets.insert(targets.end(), labels.begin(), labels.end());
    target_lengths.push_back(static_cast<std::int64_t>(labels.size()));
  }
  auto batch = stack_lines(crops);
  for (const auto& arch : reader_archs()) {
    torch::manual_seed(3);
    auto r = make_reader(arch);
    r->train();
    torch::optim::Adam opt(r->parameters(), torch::optim::AdamOptions(2e-3));
    auto loss_of = [&] {
      auto lp = r->forward(batch);
      const std::vector<std::int64_t> lengths(texts.size(), std::min(r->output_length(160), lp.size(0)));
      return torch::nn::functional::ctc_loss(lp, torch::tensor(targets), torch::tensor(lengths), torch::tensor(target_lengths),
                                             torch::nn::functional::CTCLossFuncOptions().zero_infinity(true));
    };
    const double before = loss_of().item<double>();
    for (int step = 0; step < 25; ++step) {
      opt.zero_grad();
      auto loss = loss_of();
      loss.backward();
      opt.step();
    }
    const double after = loss_of().item<double>();
    EXPECT_TRUE(std::isfinite(after)) << arch;
    EXPECT_LT(after, 0.7 * before) << arch << ": " << before << " -> " << after;
  }
}

TEST(Reader, SaveLoadRoundTrip) {
  const auto dir = tmp_dir("reader-roundtrip");
  for (const auto& arch : reader_archs()) {
    torch::manual_seed(1);
    auto r = make_reader(arch);
    // Non-trivial batch-norm statistics.
    r->train();
    r->forward(torch::rand({4, 1, 32, 64}));
    r->eval();
    const auto path = dir + "/" + arch + ".pt";
    save_reader(*r, path, dtap::Json{{"seed", 1}});
    ASSERT_TRUE(fs::exists(path + ".json"));
    auto m = read_manifest(path);
    EXPECT_EQ(m["arch"], arch);
    EXPECT_EQ(m["seed"], 1);
    EXPECT_EQ(m["charset"], Charset::standard().symbols());
    auto loaded = load_reader(path);
    EXPECT_EQ(loaded->arch(), arch);
    EXPECT_FALSE(loaded->is_training());
    auto x = torch::rand({1, 1, 32, 80});
    EXPECT_TRUE(torch::allclose(r->forward(x), loaded->forward(x), 1e-6, 1e-6));
    for (const auto& p : loaded->parameters()) EXPECT_FALSE(p.requires_grad());
  }
}

TEST(Reader, BadCheckpointsAreClearErrors) {
  const auto dir = tmp_dir("reader-bad");
  EXPECT_THROW(load_reader(dir + "/missing.pt"), dtap::Error);
  {
    std::ofstream(dir + "/garbage.pt") << "this is not a torch archive";
  }
  try {
    load_reader(dir + "/garbage.pt");
    FAIL() << "no error";
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
  // Truncated real checkpoint.
  auto r = make_reader("crnn");
  save_reader(*r, dir + "/ok.pt", dtap::Json::object());
  {
    std::ifstream in(dir + "/ok.pt", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir + "/trunc.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_THROW(load_reader(dir + "/trunc.pt"), dtap::Error);
  // A torch archive that is not a reader.
  {
    torch::serialize::OutputArchive a;
    a.write("weight", torch::zeros({3}));
    a.save_to(dir + "/other.pt");
  }
  EXPECT_THROW(load_reader(dir + "/other.pt"), dtap::Error);
  // conv weights labelled crnn: wrong architecture.
  {
    auto conv = make_reader("conv");
    torch::serialize::OutputArchive a;
    conv->save(a);
    a.write("dtap_arch", c10::IValue(std::string("crnn")));
    a.write("dtap_charset", c10::IValue(Charset::standard().symbols()));
    a.save_to(dir + "/mislabelled.pt");
  }
  try {
    load_reader(dir + "/mislabelled.pt");
    FAIL() << "no error";
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong architecture"), std::string::npos) << e.what();
  }
}

TEST(Reader, LineLossesAreDifferentiableAndLocal) {
  torch::manual_seed(2);
  auto r = make_reader("conv");
  r->eval();
  auto image = torch::rand({3, 80, 200}).set_requires_grad(true);
  std::vector<BBox> boxes = {BBox{10, 10, 120, 20}, BBox{10, 50, 60, 20}};
  auto losses = line_ctc_losses(*r, image, boxes, {"Hello", "\u4E2D"});  // second encodes to nothing
  ASSERT_EQ(losses.size(0), 2);
  EXPECT_GT(losses[0].item<double>(), 0.0);
  EXPECT_EQ(losses[1].item<double>(), 0.0);
  losses.sum().backward();
  auto g = image.grad().abs().sum(0);
  EXPECT_GT(g.narrow(0, 10, 20).narrow(1, 10, 120).sum().item<double>(), 0.0);
  EXPECT_EQ(g.narrow(0, 50, 30).sum().item<double>(), 0.0);  // nothing from the empty line
  auto texts = read_lines(*r, image.detach(), boxes);
  EXPECT_EQ(texts.size(), 2u);
  // All-empty: zeros that can still be back-propagated.
  auto none = line_ctc_losses(*r, image, {boxes[1]}, {""});
  EXPECT_EQ(none.sum().item<double>(), 0.0);
  EXPECT_NO_THROW(none.sum().backward());
}

TEST(Reader, ImageTensorRoundTrip) {
  cv::Mat m(5, 7, CV_32FC3);
  cv::randu(m, 0.0f, 1.0f);
  auto t = image_to_tensor(m);
  EXPECT_EQ(t.sizes(), (std::vector<std::int64_t>{3, 5, 7}));
  EXPECT_FLOAT_EQ(t[1][2][3].item<float>(), m.at<cv::Vec3f>(2, 3)[1]);
  cv::Mat back = tensor_to_image(t);
  EXPECT_EQ(cv::norm(back, m, cv::NORM_INF), 0.0);
  EXPECT_THROW(image_to_tensor(cv::Mat(3, 3, CV_8UC3)), dtap::Error);
}
