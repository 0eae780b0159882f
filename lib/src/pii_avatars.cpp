// Avatars beside OCR lines: the layout cue that a list row or a chat header
// names a person (a contact, a sender, an account), read from the pixels.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "dtap/pii.hpp"

namespace dtap {

namespace {

// Filled square or round shapes 1.4-`max_size` times the text height `h`, wholly inside
// `strip` of the page (photos or initials on a disc, rounded squares).
std::vector<BBox> avatars_in(const cv::Mat& bgr, const cv::Rect& strip, double h, double max_size) {
  std::vector<BBox> out;
  if (strip.width < 1.5 * h || strip.height < 1.5 * h) return out;
  const cv::Mat crop = bgr(strip);
  // Background: the commonest colour of the strip (16 levels a channel); a
  // photo's colours spread over many bins, a flat background fills one.
  std::vector<int> counts(4096, 0);
  for (int y = 0; y < crop.rows; ++y)
    for (int x = 0; x < crop.cols; ++x) {
      const cv::Vec3b& p = crop.at<cv::Vec3b>(y, x);
      ++counts[(p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4)];
    }
  const int bin = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  cv::Vec3d sum(0, 0, 0);
  int in_bin = 0;
  for (int y = 0; y < crop.rows; ++y)
    for (int x = 0; x < crop.cols; ++x) {
      const cv::Vec3b& p = crop.at<cv::Vec3b>(y, x);
      if (((p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4)) != bin) continue;
      sum += cv::Vec3d(p[0], p[1], p[2]);
      ++in_bin;
    }
  const cv::Vec3b background(static_cast<uchar>(sum[0] / in_bin), static_cast<uchar>(sum[1] / in_bin),
                             static_cast<uchar>(sum[2] / in_bin));
  cv::Mat differs(crop.size(), CV_8U);
  for (int y = 0; y < crop.rows; ++y)
    for (int x = 0; x < crop.cols; ++x) {
      const cv::Vec3b& p = crop.at<cv::Vec3b>(y, x);
      int d = 0;
      for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int(p[c]) - int(background[c])));
      differs.at<uchar>(y, x) = d > 28 ? 255 : 0;
    }
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(differs, labels, stats, centroids, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), ht = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const double fill = double(stats.at<int>(i, cv::CC_STAT_AREA)) / (double(w) * ht);
    if (x == 0 || y == 0 || x + w >= crop.cols || y + ht >= crop.rows) continue;
    if (std::max(w, ht) < 1.4 * h || std::max(w, ht) > max_size * h) continue;
    if (w < 0.75 * ht || w > 1.33 * ht || fill < 0.5) continue;
    out.push_back(BBox{double(strip.x + x), double(strip.y + y), double(w), double(ht)});
  }
  return out;
}

}  // namespace

std::vector<BBox> detect_avatars(const cv::Mat& bgr, const OcrResult& ocr) {
  std::vector<BBox> found;
  if (bgr.empty() || bgr.type() != CV_8UC3) return found;
  const cv::Rect page(0, 0, bgr.cols, bgr.rows);
  for (const OcrLine& line : ocr.lines) {
    // Where the text starts (after any icon read as text) and how tall it is.
    bool unused = false;
    const std::size_t first = leading_icon_words(ocr, line, &unused);
    if (first >= line.words.size()) continue;
    const OcrWord& word = ocr.words[static_cast<std::size_t>(line.words[first])];
    const double h = word.bbox.h, cy = word.bbox.cy();
    if (h < 6) continue;
    BBox text = word.bbox;
    for (std::size_t k = first + 1; k < line.words.size(); ++k) text = bbox_union(text, ocr.words[static_cast<std::size_t>(line.words[k])].bbox);
    // Left of the text (list rows), tall enough for an avatar beside a two-line
    // row; and above it (a name under a picture: stories, contact grids).
    const cv::Rect left = cv::Rect(cv::Point(static_cast<int>(text.x - 6 * h), static_cast<int>(cy - 3 * h)),
                                   cv::Point(static_cast<int>(text.x - 0.15 * h), static_cast<int>(cy + 3.5 * h))) & page;
    const cv::Rect above = cv::Rect(cv::Point(static_cast<int>(text.cx() - 6 * h), static_cast<int>(text.y - 12 * h)),
                                    cv::Point(static_cast<int>(text.cx() + 6 * h), static_cast<int>(text.y - 0.1 * h))) & page;
    for (const bool is_left : {true, false}) {
      for (const BBox& box : avatars_in(bgr, is_left ? left : above, h, is_left ? 5 : 10)) {
        const bool level = is_left ? cy >= box.y && cy <= box.bottom() && text.x - box.right() <= 2.5 * h
                                   : std::abs(box.cx() - text.cx()) <= 0.25 * box.w && text.y - box.bottom() <= 1.5 * h;
        if (level && std::none_of(found.begin(), found.end(), [&](const BBox& f) { return iou(f, box) > 0.5; }))
          found.push_back(box);
      }
    }
  }
  return found;
}

}  // namespace dtap
