#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/nn/eot.hpp"

using namespace dtap::nn;

TEST(Eot, JpegForwardIsOpenCvAndGradientIsIdentity) {
  torch::manual_seed(1);
  auto x = torch::rand({2, 3, 24, 40}).requires_grad_(true);
  auto y = eot_jpeg(x, 60);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_GT((y - x).abs().max().item<float>(), 0.02);  // the forward really is lossy
  // Same bytes as OpenCV's own round trip of the first image.
  auto hwc = (x[0].detach().permute({1, 2, 0}) * 255).round().to(torch::kUInt8).contiguous();
  cv::Mat rgb(24, 40, CV_8UC3, hwc.data_ptr<std::uint8_t>()), bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> bytes;
  cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 60});
  cv::Mat dec = cv::imdecode(bytes, cv::IMREAD_COLOR);
  EXPECT_NEAR(y[0][2][5][7].item<float>(), dec.at<cv::Vec3b>(5, 7)[0] / 255.0f, 1e-5);  // B of OpenCV = our channel 2
  (y * torch::arange(2 * 3 * 24 * 40).view({2, 3, 24, 40})).sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad(), torch::arange(2 * 3 * 24 * 40).view({2, 3, 24, 40}).to(torch::kFloat)));
}

TEST(Eot, PartsKeepShapeAndPassGradients) {
  auto x = torch::rand({1, 3, 33, 47}).requires_grad_(true);
  EotTransform t;
  t.scale = 0.5;
  t.blur_sigma = 0.8;
  t.angle_deg = 1;
  t.tx = 1.5;
  t.brightness = 0.05;
  t.contrast = 1.1;
  t.jpeg_quality = 80;
  EXPECT_FALSE(t.identity());
  auto y = apply_eot(x, t);
  EXPECT_EQ(y.sizes(), x.sizes());
  y.pow(2).sum().backward();
  EXPECT_GT(x.grad().abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(apply_eot(x, EotTransform{}), x));
}

TEST(Eot, BlurAndRescaleKeepAConstantImage) {
  auto x = torch::full({1, 3, 20, 30}, 0.3);
  EXPECT_TRUE(torch::allclose(eot_blur(x, 1.2), x, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(eot_rescale(x, 0.4), x, 1e-5, 1e-5));
}

TEST(Eot, MapBoxFollowsTheAffineWarp) {
  // A bright square; where it lands after the warp must be where map_box says.
  auto x = torch::zeros({1, 3, 100, 160});
  x.index_put_({0, torch::indexing::Slice(), torch::indexing::Slice(40, 50), torch::indexing::Slice(100, 120)}, 1.0);
  EotTransform t;
  t.angle_deg = 0.0;
  t.tx = 5;
  t.ty = -3;
  t.zoom = 1.0;
  auto y = apply_eot(x, t)[0][0];
  auto on = (y > 0.5).nonzero();
  double y0 = on.select(1, 0).min().item<double>(), x0 = on.select(1, 1).min().item<double>();
  auto b = t.map_box(dtap::BBox{100, 40, 20, 10}, 160, 100);
  EXPECT_NEAR(b.x, x0, 1.0);
  EXPECT_NEAR(b.y, y0, 1.0);
  EXPECT_NEAR(b.w, 20, 1e-9);
  // A rotation grows the box to hold the rotated corners.
  t.angle_deg = 2;
  auto r = t.map_box(dtap::BBox{100, 40, 20, 10}, 160, 100);
  EXPECT_GT(r.w, 20);
  EXPECT_GT(r.h, 10);
}

TEST(Eot, SamplesAreRepeatableAndInRange) {
  EotConfig c;
  dtap::Rng a(42), b(42);
  int jpeg = 0, scaled = 0;
  for (int i = 0; i < 200; ++i) {
    auto s = sample_eot(c, a), t = sample_eot(c, b);
    EXPECT_EQ(s.describe(), t.describe());
    if (s.jpeg_quality) {
      ++jpeg;
      EXPECT_GE(s.jpeg_quality, 60);
      EXPECT_LE(s.jpeg_quality, 95);
    }
    if (s.scale < 1) {
      ++scaled;
      EXPECT_GE(s.scale, 0.4);
    }
    EXPECT_LE(std::abs(s.angle_deg), c.max_rotate_deg);
    EXPECT_LE(std::abs(s.tx), c.max_translate_px);
  }
  EXPECT_GT(jpeg, 50);
  EXPECT_GT(scaled, 50);
}
