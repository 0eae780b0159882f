// Torch-free parts of dtap-protect: baselines, shards, masks, paths, PSNR.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/protect.hpp"
#include "dtap/quality.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

// A white image with dark "text" strokes everywhere, so every method has something to change.
cv::Mat striped(int w, int h) {
  cv::Mat m(h, w, CV_32FC3, cv::Scalar(1, 1, 1));
  for (int y = 0; y < h; y += 7) cv::line(m, {0, y}, {w - 1, y + 3}, cv::Scalar(0.1, 0.2, 0.3), 2);
  for (int x = 0; x < w; x += 11) cv::line(m, {x, 0}, {x, h - 1}, cv::Scalar(0.3, 0.1, 0.1), 1);
  return m;
}

// Number of pixels that differ between a and b outside / inside the rectangles.
std::pair<int, int> changed(const cv::Mat& a, const cv::Mat& b, const std::vector<cv::Rect>& rects) {
  cv::Mat inside = dtap::rect_mask(a.size(), rects);
  int out = 0, in = 0;
  for (int y = 0; y < a.rows; ++y)
    for (int x = 0; x < a.cols; ++x)
      if (a.at<cv::Vec3f>(y, x) != b.at<cv::Vec3f>(y, x)) (inside.at<float>(y, x) > 0 ? in : out)++;
  return {out, in};
}

}  // namespace

TEST(ProtectBaselines, ChangeOnlyInsidePiiBoxes) {
  cv::Mat img = striped(160, 120);
  std::vector<cv::Rect> boxes = {{10, 10, 60, 20}, {50, 70, 90, 30}};
  for (const std::string method : {"mask", "blur", "mosaic", "noise", "decoy"}) {
    cv::Mat out = dtap::protect_baseline(img, boxes, method, 0.25, 7);
    ASSERT_EQ(out.size(), img.size());
    ASSERT_EQ(out.type(), CV_32FC3);
    auto [outside, inside] = changed(img, out, boxes);
    EXPECT_EQ(outside, 0) << method;
    EXPECT_GT(inside, 100) << method;  // and something did change
  }
  cv::Mat none = dtap::protect_baseline(img, boxes, "none", 0.25, 7);
  EXPECT_EQ(changed(img, none, boxes), std::make_pair(0, 0));
}

TEST(ProtectBaselines, MaskFillsWithTheBackground) {
  cv::Mat img(60, 100, CV_32FC3, cv::Scalar(0.9, 0.8, 0.7));
  cv::putText(img, "Ana Li", {12, 40}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(0, 0, 0), 2);
  cv::Mat out = dtap::protect_baseline(img, {{8, 10, 90, 40}}, "mask", 1, 0);
  cv::Scalar mean, sd;
  cv::meanStdDev(out(cv::Rect(8, 10, 90, 40)), mean, sd);
  EXPECT_NEAR(mean[0], 0.9, 1e-5);
  EXPECT_NEAR(sd[0], 0.0, 1e-6);
}

TEST(ProtectBaselines, FillsAreBoundedByEpsilonWhenGivenOne) {
  cv::Mat img = striped(160, 120);
  std::vector<cv::Rect> boxes = {{10, 10, 60, 20}, {50, 70, 90, 30}};
  for (const std::string method : {"mask", "blur", "mosaic"}) {
    cv::Mat free = dtap::protect_baseline(img, boxes, method, 1, 0);
    EXPECT_GT(cv::norm(free, img, cv::NORM_INF), 0.5) << method;  // unbounded: strokes vanish
    cv::Mat bounded = dtap::protect_baseline(img, boxes, method, 0.2, 0);
    EXPECT_LE(cv::norm(bounded, img, cv::NORM_INF), 0.2 + 1e-6) << method;
    EXPECT_EQ(changed(img, bounded, boxes).first, 0) << method;  // still only inside the boxes
    EXPECT_GT(changed(img, bounded, boxes).second, 100) << method;
    // Where the unbounded change is small it is kept as it is.
    cv::Mat d_free = cv::abs(free - img), d_bounded = cv::abs(bounded - img);
    for (int y = 0; y < img.rows; ++y)
      for (int x = 0; x < img.cols; ++x)
        for (int c = 0; c < 3; ++c)
          if (d_free.at<cv::Vec3f>(y, x)[c] <= 0.2f) {
            ASSERT_NEAR(d_bounded.at<cv::Vec3f>(y, x)[c], d_free.at<cv::Vec3f>(y, x)[c], 1e-6) << method;
          }
  }
}

TEST(ProtectBaselines, NoiseIsBoundedByEpsilonAndFollowsTheMask) {
  cv::Mat img(40, 50, CV_32FC3, cv::Scalar(0.5, 0.5, 0.5));
  cv::Mat mask(40, 50, CV_32F, cv::Scalar(0));
  mask(cv::Rect(0, 0, 25, 40)).setTo(1.0f);
  mask(cv::Rect(25, 0, 25, 20)).setTo(0.5f);
  const double eps = 0.1;
  cv::Mat out = dtap::protect_baseline(img, {}, "noise", eps, 3, mask);
  double max_full = 0, max_half = 0;
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 50; ++x) {
      double d = std::abs(out.at<cv::Vec3f>(y, x)[0] - 0.5);
      float m = mask.at<float>(y, x);
      if (m == 0) {
        EXPECT_EQ(d, 0.0);
      }
      if (m == 1) max_full = std::max(max_full, d);
      if (m == 0.5f) max_half = std::max(max_half, d);
    }
  EXPECT_LE(max_full, eps + 1e-6);
  EXPECT_GT(max_full, eps * 0.8);
  EXPECT_LE(max_half, eps * 0.5 + 1e-6);
  // deterministic per seed, different for another seed
  cv::Mat again = dtap::protect_baseline(img, {}, "noise", eps, 3, mask);
  EXPECT_EQ(cv::norm(out, again, cv::NORM_INF), 0.0);
  cv::Mat other = dtap::protect_baseline(img, {}, "noise", eps, 4, mask);
  EXPECT_GT(cv::norm(out, other, cv::NORM_INF), 0.0);
}

TEST(ProtectBaselines, DecoyIsBoundedByEpsilonEqualisesContrastAndFollowsTheMask) {
  // Black text on white: contrast 1, far above eps.
  cv::Mat img(60, 220, CV_32FC3, cv::Scalar(1, 1, 1));
  cv::putText(img, "ana.li@x.com", {6, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
  const cv::Rect box(2, 10, 210, 40);
  cv::Mat mask(img.size(), CV_32F, cv::Scalar(0));
  mask(cv::Rect(2, 10, 105, 40)).setTo(1.0f);  // the left half only
  const double eps = 0.3;
  cv::Mat out = dtap::protect_baseline(img, {box}, "decoy", eps, 5, mask);
  double max_change = 0, darkest_new = 1, lightest_ink = 0;
  int outside_changed = 0;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      double before = img.at<cv::Vec3f>(y, x)[0], after = out.at<cv::Vec3f>(y, x)[0];
      max_change = std::max(max_change, std::abs(after - before));
      if (mask.at<float>(y, x) == 0 && after != before) ++outside_changed;
      if (mask.at<float>(y, x) > 0 && before > 0.99) darkest_new = std::min(darkest_new, after);  // decoy stroke
      if (mask.at<float>(y, x) > 0 && before < 0.01) lightest_ink = std::max(lightest_ink, after);  // true stroke
    }
  EXPECT_LE(max_change, eps + 1e-5);
  EXPECT_EQ(outside_changed, 0);
  // Decoys reach eps of darkness on white; true strokes are lightened by eps:
  // both end up at about the same grey.
  EXPECT_NEAR(darkest_new, 1 - eps, 0.02);
  EXPECT_NEAR(lightest_ink, eps, 0.02);
  // Seeded: the same seed gives the same glyphs, another seed others.
  EXPECT_EQ(cv::norm(out, dtap::protect_baseline(img, {box}, "decoy", eps, 5, mask), cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(out, dtap::protect_baseline(img, {box}, "decoy", eps, 6, mask), cv::NORM_INF), 0.0);
  // A mask of another size is an error, not a crash.
  EXPECT_THROW(dtap::protect_baseline(img, {box}, "decoy", eps, 5, cv::Mat(10, 10, CV_32F, cv::Scalar(1))), dtap::Error);
}

TEST(ProtectBaselines, UnknownMethodIsAUsageError) {
  cv::Mat img(10, 10, CV_32FC3, cv::Scalar(1, 1, 1));
  EXPECT_THROW(dtap::protect_baseline(img, {}, "dualtap", 0.1, 0), dtap::UsageError);
}

TEST(ProtectShard, ParsesAndCoversEveryRecordOnce) {
  EXPECT_EQ(dtap::parse_shard("2/4").index, 2);
  EXPECT_EQ(dtap::parse_shard("2/4").count, 4);
  for (const std::string bad : {"0/4", "5/4", "4", "/4", "a/b", "1/0", "-1/3", "1/ 2", ""})
    EXPECT_THROW(dtap::parse_shard(bad), dtap::UsageError) << bad;
  for (int n = 1; n <= 5; ++n)
    for (std::size_t i = 0; i < 37; ++i) {
      int owners = 0;
      for (int k = 1; k <= n; ++k) owners += dtap::parse_shard(std::to_string(k) + "/" + std::to_string(n)).contains(i);
      EXPECT_EQ(owners, 1) << i << " of " << n;
    }
}

TEST(ProtectRecord, PiiRectsRoundOutwardAndClip) {
  dtap::Json r = {{"pii", {{{"label", "name"}, {"text", "x"}, {"bbox", {10.4, 5.6, 20.2, 10}}},
                           {{"label", "email"}, {"text", "y"}, {"bbox", {90, 40, 50, 30}}}}}};
  auto rects = dtap::pii_rects(r, cv::Size(100, 50));
  ASSERT_EQ(rects.size(), 2u);
  EXPECT_EQ(rects[0], cv::Rect(10, 5, 21, 11));
  EXPECT_EQ(rects[1], cv::Rect(90, 40, 10, 10));
  dtap::Json bad = {{"pii", {{{"label", "name"}, {"bbox", "nope"}}}}};
  EXPECT_THROW(dtap::pii_rects(bad, cv::Size(100, 50)), dtap::Error);
  EXPECT_TRUE(dtap::pii_rects(dtap::Json::object(), cv::Size(10, 10)).empty());
}

TEST(ProtectRecord, ProtectedPathIsSafe) {
  EXPECT_EQ(dtap::record_output_path("out", {{"id", "a/b"}}, ".png"), "out/a_b.png");
  EXPECT_EQ(dtap::record_output_path("out", {{"image", "x/shot_1.jpg"}}, ".png"), "out/shot_1.png");
  EXPECT_EQ(dtap::record_output_path("out", {{"id", ".."}}, ".png"), "out/_...png");
  EXPECT_THROW(dtap::record_output_path("out", dtap::Json::object(), ".png"), dtap::Error);
}

TEST(ProtectRecord, AttentionMapMustMatchTheImage) {
  fs::path dir = dtap::test::tmp_dir("protect-att");
  cv::Mat a(20, 30, CV_8U, cv::Scalar(0));
  a(cv::Rect(0, 0, 10, 10)).setTo(255);
  cv::imwrite((dir / "a.png").string(), a);
  dtap::Json r = {{"attention", (dir / "a.png").string()}};
  cv::Mat m = dtap::load_record_attention(r, cv::Size(30, 20));
  ASSERT_EQ(m.type(), CV_32F);
  EXPECT_FLOAT_EQ(m.at<float>(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(m.at<float>(15, 25), 0.0f);
  EXPECT_THROW(dtap::load_record_attention(r, cv::Size(31, 20)), dtap::Error);
  EXPECT_THROW(dtap::load_record_attention({{"attention", (dir / "missing.png").string()}}, cv::Size(30, 20)), dtap::Error);
  EXPECT_TRUE(dtap::load_record_attention(dtap::Json::object(), cv::Size(30, 20)).empty());
}

TEST(ProtectQuality, Psnr) {
  cv::Mat a(10, 10, CV_8UC3, cv::Scalar(100, 100, 100)), b = a.clone();
  EXPECT_TRUE(std::isinf(dtap::psnr(a, b)));
  b.at<cv::Vec3b>(0, 0)[0] = 110;  // mse = 100 / 300
  EXPECT_NEAR(dtap::psnr(a, b), 10 * std::log10(255.0 * 255.0 / (100.0 / 300.0)), 1e-9);
  EXPECT_THROW(dtap::psnr(a, cv::Mat(5, 5, CV_8UC3)), dtap::Error);
}
