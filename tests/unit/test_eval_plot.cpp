#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/eval.hpp"

namespace {

dtap::Json summary(dtap::Json plr, dtap::Json psnr) { return {{"plr", plr}, {"psnr", psnr}}; }

// The chart's colours are its own business: points are the strongly blue
// pixels, the reference line the strongly red ones (text and grid are grey).
cv::Mat blue_pixels(const cv::Mat& bgr) {
  cv::Mat mask;
  cv::inRange(bgr, cv::Scalar(150, 0, 0), cv::Scalar(255, 140, 90), mask);
  return mask;
}
cv::Mat red_pixels(const cv::Mat& bgr) {
  cv::Mat mask;
  cv::inRange(bgr, cv::Scalar(0, 0, 150), cv::Scalar(110, 110, 255), mask);
  return mask;
}

// Centres of the blobs of a mask bigger than a few pixels, left to right.
std::vector<cv::Point2d> blob_centres(const cv::Mat& mask) {
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids);
  std::vector<cv::Point2d> out;
  for (int i = 1; i < n; ++i)
    if (stats.at<int>(i, cv::CC_STAT_AREA) >= 20) out.push_back({centroids.at<double>(i, 0), centroids.at<double>(i, 1)});
  std::sort(out.begin(), out.end(), [](const cv::Point2d& a, const cv::Point2d& b) { return a.x < b.x; });
  return out;
}

const std::vector<std::pair<std::string, dtap::Json>> kSweep = {
    {"unprotected", summary(0.9, nullptr)},
    {"eps-0.4", summary(0.2, 30.0)},
    {"eps-0.1", summary(0.7, 40.0)},
};

}  // namespace

TEST(EvalPlot, HasTheAskedSizeAndIsNotBlank) {
  cv::Mat img = dtap::make_plr_psnr_plot(kSweep, {800, 500});
  ASSERT_EQ(img.type(), CV_8UC3);
  EXPECT_EQ(img.cols, 800);
  EXPECT_EQ(img.rows, 500);
  cv::Mat grey;
  cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
  EXPECT_GT(cv::countNonZero(grey < 128), 2000);  // axes, ticks, labels, title
}

TEST(EvalPlot, PointsLandWhereTheirPsnrAndPlrSay) {
  const cv::Size size(900, 600);
  cv::Mat img = dtap::make_plr_psnr_plot(kSweep, size);
  auto points = blob_centres(blue_pixels(img));
  ASSERT_EQ(points.size(), 2u);
  // PLR runs 0 (bottom) to 1 (top); PSNR grows to the right.
  const cv::Point2d low_psnr = points[0], high_psnr = points[1];  // eps 0.4 (30 dB, 0.2), eps 0.1 (40 dB, 0.7)
  EXPECT_LT(low_psnr.x, size.width / 2.0);
  EXPECT_GT(high_psnr.x, size.width / 2.0);
  EXPECT_GT(low_psnr.y, size.height * 0.6);   // PLR 0.2: low in the frame
  EXPECT_LT(high_psnr.y, size.height * 0.45); // PLR 0.7: high in the frame
  // 0.5 of PLR apart vertically: most of half the plot height.
  EXPECT_NEAR(low_psnr.y - high_psnr.y, 0.5 * size.height * 0.8, 0.1 * size.height);
}

TEST(EvalPlot, UnprotectedStreamIsADashedLineAtItsPlr) {
  const cv::Size size(900, 600);
  cv::Mat red = red_pixels(dtap::make_plr_psnr_plot(kSweep, size));
  // The row with the most red pixels is the line: PLR 0.9, near the top.
  int best_row = 0, best_count = 0;
  for (int y = 0; y < red.rows; ++y)
    if (int c = cv::countNonZero(red.row(y)); c > best_count) best_row = y, best_count = c;
  EXPECT_LT(best_row, size.height * 0.25);
  EXPECT_GT(best_count, size.width / 3);            // spans the plot...
  EXPECT_LT(best_count, size.width * 0.9);          // ...with gaps (dashed)
  // Identical images (the 100 dB cap, e.g. --method none) are a line too, not a point.
  cv::Mat none = dtap::make_plr_psnr_plot({{"none", summary(0.9, 100.0)}, {"eps-0.4", summary(0.2, 30.0)}}, size);
  EXPECT_EQ(blob_centres(blue_pixels(none)).size(), 1u);
  EXPECT_GT(cv::countNonZero(red_pixels(none)), size.width / 3);
}

TEST(EvalPlot, NothingToPlotIsAnError) {
  EXPECT_THROW(dtap::make_plr_psnr_plot({{"empty", summary(nullptr, 30.0)}}), dtap::Error);
  EXPECT_THROW(dtap::make_plr_psnr_plot({}), dtap::Error);
}
