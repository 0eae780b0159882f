// dtap-eval's figures: the montage and the PLR-vs-PSNR chart.
#include "dtap/eval.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/external.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/text.hpp"

namespace fs = std::filesystem;

namespace dtap {
cv::Mat make_montage(const std::vector<Json>& records, std::size_t count, std::int64_t max_pixels) {
  const int panel_h = 640;
  std::vector<cv::Mat> rows;
  for (const auto& r : records) {
    if (rows.size() >= count) break;
    if (!r.contains("image") || !r["image"].is_string()) continue;
    if (r.contains("error") && !r["error"].is_null()) continue;
    cv::Mat original = load_image_bgr8(r["image"], max_pixels);
    cv::Mat shown = r.contains("protected") && r["protected"].is_string()
                        ? load_image_bgr8(r["protected"], max_pixels) : original.clone();
    if (shown.size() != original.size()) cv::resize(shown, shown, original.size());
    cv::Mat attention(original.size(), CV_8UC3, cv::Scalar(0, 0, 0));
    if (r.contains("attention") && r["attention"].is_string()) {
      cv::Mat a = load_image_bgr8(r["attention"], max_pixels);
      cv::resize(a, attention, original.size());
    }
    cv::Mat diff;
    cv::absdiff(original, shown, diff);
    diff.convertTo(diff, CV_8UC3, 8.0);
    const char* labels[] = {"original", "attention", "protected", "|diff| x8"};
    std::vector<cv::Mat> panels;
    int i = 0;
    for (const cv::Mat* m : {&original, &attention, &shown, &diff}) {
      cv::Mat p;
      double s = double(panel_h) / m->rows;
      cv::resize(*m, p, cv::Size(std::max(1, int(m->cols * s)), panel_h), 0, 0, cv::INTER_AREA);
      cv::rectangle(p, cv::Rect(0, 0, p.cols, 22), cv::Scalar(40, 40, 40), cv::FILLED);
      cv::putText(p, labels[i++], {6, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
      cv::copyMakeBorder(p, p, 2, 2, 2, 2, cv::BORDER_CONSTANT, cv::Scalar(128, 128, 128));
      panels.push_back(p);
    }
    cv::Mat row;
    cv::hconcat(panels, row);
    rows.push_back(row);
  }
  if (rows.empty()) throw Error("no record with a readable image for the montage");
  int width = 0;
  for (const auto& r : rows) width = std::max(width, r.cols);
  for (auto& r : rows)
    if (r.cols < width) cv::copyMakeBorder(r, r, 0, 0, 0, width - r.cols, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  cv::Mat out;
  cv::vconcat(rows, out);
  return out;
}


namespace {

// What the PLR-vs-PSNR chart draws: protected streams as points, streams
// whose images are the originals as horizontal reference lines.
struct PlotPoint {
  std::string name;
  double psnr, plr;
};
struct PlotReference {
  std::string name;
  double plr;
};

// A stream shows the original images when it has no PSNR (nothing was
// protected) or the identical-image cap (e.g. --method none).
bool shows_originals(const Json& summary) {
  const Json psnr = summary.value("psnr", Json());
  return !psnr.is_number() || !std::isfinite(psnr.get<double>()) || psnr.get<double>() >= kIdenticalPsnr;
}

// Tick spacing of 1, 2 or 5 x 10^k giving at most about `intervals` intervals.
double tick_step(double span, int intervals) {
  double raw = span / intervals;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

struct Axis {
  double lo, hi, step;
};

// The PSNR axis covers every point with 1 dB to spare, on whole ticks.
Axis psnr_axis(const std::vector<PlotPoint>& points) {
  if (points.empty()) return {20, 40, 5};
  double lo = points.front().psnr, hi = lo;
  for (const auto& p : points) {
    lo = std::min(lo, p.psnr);
    hi = std::max(hi, p.psnr);
  }
  double step = tick_step(hi - lo + 2, 6);
  return {std::floor((lo - 1) / step) * step, std::ceil((hi + 1) / step) * step, step};
}

std::string format_number(double v, int precision) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

// Decimals that show a tick step exactly (5 -> 0, 0.5 -> 1, 0.25 -> 2).
int decimals_for(double step) {
  int d = 0;
  while (d < 6 && std::abs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-9) ++d;
  return d;
}

const cv::Scalar kInk(0, 0, 0), kGrid(225, 225, 225), kPointColour(190, 90, 20), kReferenceColour(40, 40, 210);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void put_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, const cv::Scalar& colour) {
  cv::putText(img, text, at, kFont, scale, colour, 1, cv::LINE_AA);
}

cv::Size text_size(const std::string& text, double scale) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, scale, 1, &baseline);
}

// Vertical text (bottom to top) centred on `centre`: drawn flat, then rotated.
void put_vertical_text(cv::Mat& img, const std::string& text, cv::Point centre, double scale) {
  cv::Size t = text_size(text, scale);
  cv::Mat flat(t.height + 8, t.width + 4, img.type(), cv::Scalar(255, 255, 255));
  put_text(flat, text, {2, t.height + 3}, scale, kInk);
  cv::Mat upright;
  cv::rotate(flat, upright, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect where(centre.x - upright.cols / 2, centre.y - upright.rows / 2, upright.cols, upright.rows);
  where &= cv::Rect(0, 0, img.cols, img.rows);
  upright(cv::Rect(0, 0, where.width, where.height)).copyTo(img(where));
}

void draw_dashed_line(cv::Mat& img, cv::Point from, cv::Point to, const cv::Scalar& colour) {
  const int dash = 10, gap = 6;
  for (int x = from.x; x < to.x; x += dash + gap)
    cv::line(img, {x, from.y}, {std::min(x + dash, to.x), to.y}, colour, 2, cv::LINE_AA);
}

}  // namespace

cv::Mat make_plr_psnr_plot(const std::vector<std::pair<std::string, Json>>& rows, cv::Size size,
                           const std::string& psnr_key) {
  if (psnr_key != "psnr" && psnr_key != "psnr_pii") throw UsageError("the plot's x axis is psnr or psnr_pii");
  std::vector<PlotPoint> points;
  std::vector<PlotReference> references;
  for (const auto& [name, s] : rows) {
    const Json plr = s.value("plr", Json());
    if (!plr.is_number()) continue;  // no PII scored: nothing to draw
    double y = std::clamp(plr.get<double>(), 0.0, 1.0);
    if (shows_originals(s)) references.push_back({name, y});
    else if (s.value(psnr_key, Json()).is_number()) points.push_back({name, s[psnr_key].get<double>(), y});
  }
  if (points.empty() && references.empty()) throw Error("no compared stream has a PLR to plot");
  if (size.width < 320 || size.height < 240) throw Error("plot size must be at least 320x240");

  cv::Mat img(size, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Rect area(80, 50, size.width - 80 - 30, size.height - 50 - 70);
  const Axis x_axis = psnr_axis(points);
  auto to_pixel = [&](double psnr, double plr) {
    double fx = (psnr - x_axis.lo) / (x_axis.hi - x_axis.lo);
    return cv::Point(area.x + static_cast<int>(std::lround(fx * area.width)),
                     area.y + static_cast<int>(std::lround((1.0 - plr) * area.height)));
  };

  // Grid and ticks: PLR 0..1 by 0.2; PSNR on whole steps.
  for (int i = 0; i <= 5; ++i) {
    double plr = 0.2 * i;
    cv::Point p = to_pixel(x_axis.lo, plr);
    cv::line(img, p, {area.br().x, p.y}, kGrid, 1);
    std::string label = format_number(plr, 1);
    cv::Size t = text_size(label, 0.45);
    put_text(img, label, {area.x - t.width - 8, p.y + t.height / 2}, 0.45, kInk);
  }
  const int x_decimals = decimals_for(x_axis.step);
  const long x_ticks = std::lround((x_axis.hi - x_axis.lo) / x_axis.step);
  for (long i = 0; i <= x_ticks; ++i) {
    double v = x_axis.lo + static_cast<double>(i) * x_axis.step;
    cv::Point p = to_pixel(v, 0);
    cv::line(img, {p.x, area.y}, p, kGrid, 1);
    std::string label = format_number(v, x_decimals);
    cv::Size t = text_size(label, 0.45);
    put_text(img, label, {p.x - t.width / 2, area.br().y + t.height + 8}, 0.45, kInk);
  }
  cv::rectangle(img, area, kInk, 1);

  const std::string x_title = psnr_key == "psnr" ? "mean whole-image PSNR (dB)" : "mean PSNR inside the PII boxes (dB)";
  put_text(img, x_title, {area.x + (area.width - text_size(x_title, 0.55).width) / 2, size.height - 18}, 0.55, kInk);
  put_vertical_text(img, "PLR (share of PII values read)", {24, area.y + area.height / 2}, 0.55);
  const std::string title = "Privacy leakage vs image quality";
  put_text(img, title, {(size.width - text_size(title, 0.7).width) / 2, 32}, 0.7, kInk);

  for (const auto& r : references) {
    cv::Point left = to_pixel(x_axis.lo, r.plr);
    draw_dashed_line(img, left, {area.br().x, left.y}, kReferenceColour);
    std::string label = "unprotected PLR " + format_number(r.plr, 3) + (r.name == "unprotected" ? "" : " (" + r.name + ")");
    cv::Size t = text_size(label, 0.45);
    int label_y = left.y - 8 - t.height > area.y ? left.y - 8 : left.y + t.height + 8;  // stay inside the frame
    // At the left end: weakly protected streams (high PSNR, high PLR) crowd the right.
    put_text(img, label, {area.x + 6, label_y}, 0.45, kReferenceColour);
  }
  for (const auto& p : points) {
    cv::Point at = to_pixel(p.psnr, p.plr);
    cv::circle(img, at, 6, kPointColour, cv::FILLED, cv::LINE_AA);
    cv::circle(img, at, 6, kInk, 1, cv::LINE_AA);
    cv::Size t = text_size(p.name, 0.45);
    int x = at.x + 10 + t.width < area.br().x ? at.x + 10 : at.x - 10 - t.width;  // flip left at the right edge
    int y = at.y - 8 - t.height > area.y ? at.y - 8 : at.y + 10 + t.height;  // below the point at the top edge
    put_text(img, p.name, {x, y}, 0.45, kInk);
  }
  return img;
}

}  // namespace dtap
