// The torch-free part of dtap-protect: baselines, shards, masks, PSNR, paths.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/protect.hpp"
#include "dtap/rng.hpp"

namespace fs = std::filesystem;

namespace dtap {

const std::vector<std::string>& protect_methods() {
  static const std::vector<std::string> methods = {"dualtap", "pgd", "mask",  "blur",
                                                   "mosaic",  "noise", "decoy", "none"};
  return methods;
}

bool is_baseline_method(const std::string& method) {
  return method == "mask" || method == "blur" || method == "mosaic" || method == "noise" || method == "decoy" ||
         method == "none";
}

Shard parse_shard(const std::string& text) {
  auto bad = [&] { return UsageError("--shard must be K/N with 1 <= K <= N (e.g. 2/4), not '" + text + "'"); };
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) throw bad();
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw bad();
    return std::stoi(s);
  };
  Shard shard{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) throw bad();
  return shard;
}

std::vector<cv::Rect> pii_rects(const Json& record, cv::Size size) {
  std::vector<cv::Rect> rects;
  const auto spans = record_pii(record);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!spans[i].bbox_given) throw Error("pii[" + std::to_string(i) + "] has no bbox");
    if (!spans[i].box) throw Error("pii[" + std::to_string(i) + "].bbox is malformed (want [x, y, w, h])");
    cv::Rect r = pixel_rect(*spans[i].box, size);
    if (r.area() > 0) rects.push_back(r);
  }
  return rects;
}

cv::Mat rect_mask(cv::Size size, const std::vector<cv::Rect>& rects) {
  cv::Mat m(size, CV_32F, cv::Scalar(0));
  for (const auto& r : rects) m(r & cv::Rect(0, 0, size.width, size.height)).setTo(1.0f);
  return m;
}

namespace {

// Median colour of the one-pixel border of `r` (the background behind the text).
cv::Vec3f border_median(const cv::Mat& rgb, const cv::Rect& r) {
  std::vector<float> ch[3];
  auto add = [&](int y, int x) {
    const auto& p = rgb.at<cv::Vec3f>(y, x);
    for (int c = 0; c < 3; ++c) ch[c].push_back(p[c]);
  };
  for (int x = r.x; x < r.x + r.width; ++x) {
    add(r.y, x);
    add(r.y + r.height - 1, x);
  }
  for (int y = r.y; y < r.y + r.height; ++y) {
    add(y, r.x);
    add(y, r.x + r.width - 1);
  }
  cv::Vec3f out;
  for (int c = 0; c < 3; ++c) {
    auto mid = ch[c].begin() + static_cast<std::ptrdiff_t>(ch[c].size() / 2);
    std::nth_element(ch[c].begin(), mid, ch[c].end());
    out[c] = *mid;
  }
  return out;
}

// Decoy overprint of one box, in place: random glyphs of the value's size drawn
// so that decoy strokes and the true strokes end up at (nearly) the same
// contrast, every pixel moved by at most eps (times the mask).
void decoy_box(cv::Mat& out, const cv::Mat& rgb, const cv::Rect& r, const cv::Mat& mask, float eps, Rng& rng) {
  const cv::Vec3f bg = border_median(rgb, r);
  // The text colour: mean of the pixels farthest from the background (top 10%).
  std::vector<float> dist;
  dist.reserve(static_cast<std::size_t>(r.area()));
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x) dist.push_back(static_cast<float>(cv::norm(rgb.at<cv::Vec3f>(y, x) - bg)));
  std::vector<float> sorted = dist;
  auto cut_at = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() * 9 / 10);
  std::nth_element(sorted.begin(), cut_at, sorted.end());
  const float cut = *cut_at;
  cv::Vec3f ink(0, 0, 0);
  int n = 0;
  for (int y = r.y, k = 0; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x, ++k)
      if (dist[static_cast<std::size_t>(k)] >= cut) {
        ink += rgb.at<cv::Vec3f>(y, x);
        ++n;
      }
  if (n == 0) return;
  ink *= 1.0f / static_cast<float>(n);
  const cv::Vec3f v = ink - bg;  // background -> text
  const float contrast2 = v.dot(v);
  if (contrast2 < 1e-4f) return;  // no text to hide
  // Per-channel bound: the largest step of any channel along v is eps.
  const float vmax = std::max({std::abs(v[0]), std::abs(v[1]), std::abs(v[2])});
  const float step = std::min(1.0f, eps / vmax);      // the most textness one pixel can gain or lose
  const float level = step;                          // decoy strokes: as dark as eps allows (or full text)
  const float keep = std::max(level, 1.0f - step);   // true strokes: lightened towards the decoys' level
  // Glyphs: random letters and digits at the box's text height, two rows of
  // them offset by half a glyph so that decoy strokes cross the true ones.
  cv::Mat glyphs(r.size(), CV_8U, cv::Scalar(0));
  static const std::string_view alphabet = "ABCDEFGHKLMNPRSTUVWXYZabdeghkmnpqrstuwxyz0123456789@._";
  const double text_h = 0.62 * r.height;
  const double scale = cv::getFontScaleFromHeight(cv::FONT_HERSHEY_SIMPLEX, std::max(4, static_cast<int>(text_h)), 1);
  const int thickness = std::max(1, static_cast<int>(std::lround(r.height / 12.0)));
  const int advance = std::max(3, static_cast<int>(0.55 * r.height));
  for (int pass = 0; pass < 2; ++pass) {
    int x = -rng.uniform(0, advance) + pass * advance / 2;
    while (x < r.width) {
      std::string g(1, alphabet[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(alphabet.size()) - 1))]);
      int baseline = static_cast<int>(0.5 * r.height + 0.5 * text_h) + rng.uniform(-1, 1);
      cv::putText(glyphs, g, {x, baseline}, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255), thickness, cv::LINE_AA);
      x += advance + rng.uniform(-advance / 6, advance / 6);
    }
  }
  for (int y = 0; y < r.height; ++y) {
    const float* m = mask.empty() ? nullptr : mask.ptr<float>(r.y + y) + r.x;
    const unsigned char* g = glyphs.ptr<unsigned char>(y);
    for (int x = 0; x < r.width; ++x) {
      const float weight = m ? m[x] : 1.0f;
      if (weight <= 0) continue;
      const cv::Vec3f p = rgb.at<cv::Vec3f>(r.y + y, r.x + x);
      const float t = std::clamp((p - bg).dot(v) / contrast2, 0.0f, 1.0f);  // textness now
      const float target = std::max(t * keep, level * static_cast<float>(g[x]) / 255.0f);
      const float change = std::clamp(target - t, -step, step) * weight;
      cv::Vec3f& q = out.at<cv::Vec3f>(r.y + y, r.x + x);
      for (int c = 0; c < 3; ++c) q[c] = std::clamp(p[c] + change * v[c], 0.0f, 1.0f);
    }
  }
}

}  // namespace

cv::Mat protect_baseline(const cv::Mat& rgb, const std::vector<cv::Rect>& boxes, const std::string& method,
                         double epsilon, std::uint64_t seed, const cv::Mat& mask) {
  if (rgb.type() != CV_32FC3) throw Error("protect: expected an RGB float image");
  if (!is_baseline_method(method)) throw UsageError("'" + method + "' is not a baseline method");
  cv::Mat out = rgb.clone();
  const cv::Rect frame(0, 0, rgb.cols, rgb.rows);
  if (method == "none") return out;
  if (method == "noise") {
    cv::Mat m = mask.empty() ? rect_mask(rgb.size(), boxes) : mask;
    if (m.size() != rgb.size() || m.type() != CV_32F) throw Error("protect: the mask does not match the image");
    Rng rng(seed);
    const float eps = static_cast<float>(epsilon);
    for (int y = 0; y < out.rows; ++y) {
      const float* mr = m.ptr<float>(y);
      auto* pr = out.ptr<cv::Vec3f>(y);
      for (int x = 0; x < out.cols; ++x) {
        // One value per pixel for all three channels (a luminance change), drawn
        // for every pixel so the pattern does not depend on the mask.
        float u = static_cast<float>(rng.real(-1.0, 1.0));
        if (mr[x] <= 0) continue;
        for (int c = 0; c < 3; ++c) pr[x][c] = std::clamp(pr[x][c] + eps * u * mr[x], 0.0f, 1.0f);
      }
    }
    return out;
  }
  if (method == "decoy") {
    if (!mask.empty() && (mask.size() != rgb.size() || mask.type() != CV_32F))
      throw Error("protect: the mask does not match the image");
    Rng rng(seed);
    for (const auto& box : boxes) {
      cv::Rect r = box & frame;
      if (r.width >= 2 && r.height >= 2) decoy_box(out, rgb, r, mask, static_cast<float>(epsilon), rng);
    }
    return out;
  }
  for (const auto& box : boxes) {
    cv::Rect r = box & frame;
    if (r.area() <= 0) continue;
    cv::Mat roi = out(r);
    if (method == "mask") {
      roi.setTo(cv::Scalar(border_median(rgb, r)));
    } else if (method == "blur") {
      double sigma = std::max(1.5, r.height / 4.0);
      // Blur the box with its surroundings as context, then paste the box back only.
      int pad = static_cast<int>(std::ceil(3 * sigma));
      cv::Rect ctx = cv::Rect(r.x - pad, r.y - pad, r.width + 2 * pad, r.height + 2 * pad) & frame;
      cv::Mat blurred;
      cv::GaussianBlur(rgb(ctx), blurred, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
      blurred(cv::Rect(r.x - ctx.x, r.y - ctx.y, r.width, r.height)).copyTo(roi);
    } else if (method == "mosaic") {
      int cell = std::max(4, r.height / 3);
      for (int y = 0; y < r.height; y += cell)
        for (int x = 0; x < r.width; x += cell) {
          cv::Rect c(x, y, std::min(cell, r.width - x), std::min(cell, r.height - y));
          roi(c).setTo(cv::mean(rgb(r)(c)));
        }
    }
  }
  // Bounded like the generator (--epsilon given): each channel moves by at most
  // eps, so every method can be compared at the same L-infinity budget.
  if (epsilon < 1) {
    const cv::Scalar e(epsilon, epsilon, epsilon);
    cv::Mat hi = rgb + e, lo = rgb - e;
    cv::min(out, hi, out);
    cv::max(out, lo, out);
  }
  return out;
}

cv::Mat load_record_attention(const Json& record, cv::Size size) {
  if (!record.contains("attention") || record["attention"].is_null()) return cv::Mat();
  if (!record["attention"].is_string()) throw Error("\"attention\" is not a path");
  std::string path = record["attention"].get<std::string>();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error("the attention map '" + path + "' does not exist");
  cv::Mat grey = cv::imread(path, cv::IMREAD_GRAYSCALE | cv::IMREAD_ANYDEPTH);
  if (grey.empty()) throw Error("cannot read the attention map '" + path + "'");
  if (grey.size() != size)
    throw Error("the attention map '" + path + "' is " + std::to_string(grey.cols) + "x" + std::to_string(grey.rows) +
                ", the image " + std::to_string(size.width) + "x" + std::to_string(size.height));
  cv::Mat m;
  grey.convertTo(m, CV_32F, grey.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);
  return m;
}

}  // namespace dtap
