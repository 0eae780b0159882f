#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dtap/error.hpp"
#include "dtap/nn/generator.hpp"
#include "../test_util.hpp"

namespace fs = std::filesystem;
using dtap::nn::Generator;
using dtap::nn::GeneratorConfig;

using dtap::test::tmp_dir;

namespace {

cv::Mat random_rgb(int rows, int cols) {
  cv::Mat x(rows, cols, CV_32FC3);
  cv::theRNG().state = 5;
  cv::randu(x, cv::Scalar::all(0.0), cv::Scalar::all(1.0));
  return x;
}

// Per-pixel largest change over the three channels.
cv::Mat channel_max(const cv::Mat& rgb) {
  std::vector<cv::Mat> c;
  cv::split(rgb, c);
  return cv::max(cv::max(c[0], c[1]), c[2]);
}

// A small generator whose output is far from zero (the shipped init starts near identity).
Generator loud_generator(std::vector<std::int64_t> channels = {4, 8}, double eps = 0.2) {
  torch::manual_seed(3);
  GeneratorConfig c;
  c.channels = channels;
  c.eps = eps;
  Generator g(c);
  torch::NoGradGuard no_grad;
  for (auto& p : g->named_parameters())
    if (p.key().rfind("head", 0) == 0 && p.key().find("weight") != std::string::npos) p.value().normal_(0, 3.0);
  g->eval();
  return g;
}

}  // namespace

TEST(Generator, SmallAndFullyConvolutional) {
  GeneratorConfig c;  // 16-32-64-128
  Generator g(c);
  EXPECT_LT(g->parameter_count(), 2'000'000);
  EXPECT_EQ(c.multiple(), 16);
  torch::NoGradGuard no_grad;
  auto d = g->delta(torch::rand({2, 3, 48, 80}), torch::ones({2, 1, 48, 80}), 0.1);
  EXPECT_EQ(d.sizes(), (std::vector<std::int64_t>{2, 1, 48, 80}));
}

TEST(Generator, FiLMStartsAsIdentity) {
  dtap::nn::FiLM film(6);
  auto x = torch::randn({1, 6, 8, 12});
  auto a = torch::rand({1, 1, 32, 48});
  EXPECT_TRUE(torch::allclose(film->forward(x, a), x));
}

TEST(Generator, DeltaBoundedByEpsTimesMaskAndZeroOutside) {
  auto g = loud_generator();
  torch::NoGradGuard no_grad;
  auto x = torch::rand({1, 3, 64, 96});
  auto m = torch::zeros({1, 1, 64, 96});
  m.index_put_({0, 0, torch::indexing::Slice(10, 30), torch::indexing::Slice(20, 70)}, 1.0);
  m.index_put_({0, 0, torch::indexing::Slice(40, 50), torch::indexing::Slice()}, 0.1);  // a floor
  const double eps = 0.2;
  auto d = g->delta(x, m, eps);
  EXPECT_TRUE((d.abs() <= eps * m + 1e-6).all().item<bool>());
  EXPECT_EQ(d.masked_select(m == 0).abs().max().item<float>(), 0.0f);
  EXPECT_GT(d.masked_select(m == 1).abs().max().item<float>(), 0.5 * eps);  // it does perturb
  EXPECT_LE(d.masked_select(m == 0.1f).abs().max().item<float>(), eps * 0.1 + 1e-6);
  auto y = g->apply(x, m, eps);
  EXPECT_GE(y.min().item<float>(), 0.0f);
  EXPECT_LE(y.max().item<float>(), 1.0f);
}

TEST(Generator, OddSizesRoundTripToTheSameSize) {
  auto g = loud_generator();
  torch::NoGradGuard no_grad;
  auto d = g->delta(torch::rand({1, 3, 37, 53}), torch::ones({1, 1, 37, 53}), 0.1);
  EXPECT_EQ(d.sizes(), (std::vector<std::int64_t>{1, 1, 37, 53}));
  // A 721x1603 screenshot through the support-rectangle path.
  cv::Mat x = random_rgb(1603, 721);
  cv::Mat m(1603, 721, CV_32F, cv::Scalar(0));
  m(cv::Rect(690, 700, 31, 40)).setTo(1.0f);  // touches the right edge
  m(cv::Rect(5, 0, 295, 20)).setTo(1.0f);     // and the top
  cv::Mat y = dtap::nn::protect_image(g, x, m, 0.1);
  ASSERT_EQ(y.size(), x.size());
  ASSERT_EQ(y.type(), CV_32FC3);
  cv::Mat diff = channel_max(cv::abs(y - x));
  double outside_max = 0, max = 0;
  cv::minMaxLoc(diff, nullptr, &outside_max, nullptr, nullptr, m == 0);
  cv::minMaxLoc(diff, nullptr, &max);
  EXPECT_EQ(outside_max, 0.0);
  EXPECT_LE(max, 0.1 + 1e-6);
  EXPECT_GT(max, 0.05);
}

TEST(Generator, SupportRectanglesMatchTheWholeImagePassInBoundsAndSupport) {
  auto g = loud_generator({4, 8});
  cv::Mat x = random_rgb(128, 160);
  cv::Mat m(128, 160, CV_32F, cv::Scalar(0));
  m(cv::Rect(70, 60, 20, 10)).setTo(1.0f);
  cv::Mat fast = dtap::nn::protect_image(g, x, m, 0.2, 48);
  torch::Tensor full;
  {
    torch::NoGradGuard no_grad;
    torch::Tensor xt = torch::from_blob(x.data, {1, 128, 160, 3}, torch::kFloat).permute({0, 3, 1, 2});
    torch::Tensor mt = torch::from_blob(m.data, {1, 1, 128, 160}, torch::kFloat);
    full = (g->apply(xt, mt, 0.2) - xt).abs();
  }
  // Per-rectangle GroupNorm statistics make it differ from a whole-image pass, but the
  // change stays bounded and inside the mask, as the whole-image pass's does.
  cv::Mat diff = channel_max(cv::abs(fast - x));
  double outside_max = 0, max = 0;
  cv::minMaxLoc(diff, nullptr, &outside_max, nullptr, nullptr, m == 0);
  cv::minMaxLoc(diff, nullptr, &max);
  EXPECT_EQ(outside_max, 0.0);
  EXPECT_EQ(full.amax(1)[0].masked_select(torch::from_blob(m.data, {128, 160}, torch::kFloat) == 0).max().item<float>(), 0.0f);
  EXPECT_LE(max, 0.2 + 1e-6);
  EXPECT_GT(max, 0.05);
  auto rects = dtap::nn::mask_support_rects(m, 48, 16);
  ASSERT_EQ(rects.size(), 1u);
  EXPECT_EQ(rects[0].width % 16, 0);
  EXPECT_EQ(rects[0].height % 16, 0);
  EXPECT_TRUE((rects[0] & cv::Rect(70 - 48, 60 - 48, 20 + 96, 10 + 96)) == (cv::Rect(70 - 48, 60 - 48, 20 + 96, 10 + 96) & cv::Rect(0, 0, 160, 128)));
  EXPECT_TRUE(dtap::nn::mask_support_rects(cv::Mat(20, 20, CV_32F, cv::Scalar(0)), 8, 16).empty());
  // Parts further apart than twice the context stay separate rectangles.
  cv::Mat two(200, 200, CV_32F, cv::Scalar(0));
  two(cv::Rect(10, 10, 30, 10)).setTo(1.0f);
  two(cv::Rect(10, 150, 30, 10)).setTo(1.0f);
  EXPECT_EQ(dtap::nn::mask_support_rects(two, 16, 16).size(), 2u);
}

TEST(Generator, SaveLoadAndClearErrors) {
  std::string dir = tmp_dir("generator-io");
  auto g = loud_generator();
  dtap::nn::save_generator(g, dir + "/g.pt", {{"seed", 1}});
  dtap::Json manifest;
  auto h = dtap::nn::load_generator(dir + "/g.pt", &manifest);
  EXPECT_EQ(manifest["kind"], "generator");
  EXPECT_EQ(manifest["arch"]["channels"], dtap::Json::array({4, 8}));
  torch::NoGradGuard no_grad;
  auto x = torch::rand({1, 3, 32, 32}), m = torch::ones({1, 1, 32, 32});
  EXPECT_TRUE(torch::equal(g->delta(x, m, 0.2), h->delta(x, m, 0.2)));

  auto expect_error = [](const std::string& path, const std::string& needle) {
    try {
      dtap::nn::load_generator(path);
      FAIL() << "no error for " << path;
    } catch (const dtap::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    }
  };
  expect_error(dir + "/missing.pt", "not found");
  // Corrupt archive with a valid manifest.
  fs::copy_file(dir + "/g.pt.json", dir + "/bad.pt.json");
  { std::ofstream(dir + "/bad.pt") << "this is not a torch archive"; }
  expect_error(dir + "/bad.pt", "corrupt");
  // Truncated archive.
  fs::copy_file(dir + "/g.pt.json", dir + "/cut.pt.json");
  {
    std::ifstream in(dir + "/g.pt", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir + "/cut.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  expect_error(dir + "/cut.pt", "corrupt");
  // No manifest; a manifest of another kind; another architecture.
  fs::copy_file(dir + "/g.pt", dir + "/bare.pt");
  expect_error(dir + "/bare.pt", "no manifest");
  fs::copy_file(dir + "/g.pt", dir + "/reader.pt");
  { std::ofstream(dir + "/reader.pt.json") << R"({"kind": "reader", "arch": "crnn"})"; }
  expect_error(dir + "/reader.pt", "not a generator");
  fs::copy_file(dir + "/g.pt", dir + "/wide.pt");
  {
    auto j = manifest;
    j["arch"]["channels"] = {8, 16};
    std::ofstream(dir + "/wide.pt.json") << j.dump();
  }
  expect_error(dir + "/wide.pt", "corrupt");
}

TEST(Generator, CheckpointsWrittenBeforeModelFileStillLoad) {
  // The earlier format: torch::save of the module, kind and architecture only in the manifest.
  std::string dir = tmp_dir("generator-legacy");
  auto g = loud_generator();
  torch::save(g, dir + "/old.pt");
  {
    dtap::Json m{{"kind", "generator"}, {"arch", g->config().to_json()}, {"eps", g->config().eps}};
    std::ofstream(dir + "/old.pt.json") << m.dump();
  }
  dtap::Json manifest;
  auto h = dtap::nn::load_generator(dir + "/old.pt", &manifest);
  torch::NoGradGuard no_grad;
  auto x = torch::rand({1, 3, 32, 32}), m = torch::ones({1, 1, 32, 32});
  EXPECT_TRUE(torch::equal(g->delta(x, m, 0.2), h->delta(x, m, 0.2)));
  // Without that manifest it is no dtap model at all.
  fs::remove(dir + "/old.pt.json");
  EXPECT_THROW(dtap::nn::load_generator(dir + "/old.pt"), dtap::Error);
}
