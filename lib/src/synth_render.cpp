#include "synth_render.hpp"

#include <fontconfig/fontconfig.h>

#include <map>
#include <mutex>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace dtap::synth {
namespace {

// Path of the best match for family + weight, or "" when fontconfig falls back
// to another family.
std::string match_font(const std::string& family, int weight) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  FcPattern* pattern = FcPatternCreate();
  FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
  FcPatternAddInteger(pattern, FC_WEIGHT, weight);
  FcPatternAddInteger(pattern, FC_SLANT, FC_SLANT_ROMAN);
  FcPatternAddInteger(pattern, FC_WIDTH, FC_WIDTH_NORMAL);
  FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result;
  FcPattern* match = FcFontMatch(nullptr, pattern, &result);
  std::string path;
  if (match != nullptr) {
    FcChar8* file = nullptr;
    FcChar8* got_family = nullptr;
    if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetString(match, FC_FAMILY, 0, &got_family) == FcResultMatch &&
        family == reinterpret_cast<const char*>(got_family))
      path = reinterpret_cast<const char*>(file);
    FcPatternDestroy(match);
  }
  FcPatternDestroy(pattern);
  return path;
}

}  // namespace

namespace {

// `need_bold`: a missing bold face is an error (the core set, whose screens
// every held-out figure is measured on, must not change silently); otherwise
// a family without its own bold or medium face draws those runs with the
// nearest face it has (monospace and display families often lack one).
std::vector<FontFamily> load_families(const std::vector<const char*>& names, bool need_bold, const char* packages) {
  std::vector<FontFamily> out;
  for (const char* name : names) {
    FontFamily f{name, match_font(name, FC_WEIGHT_REGULAR), match_font(name, FC_WEIGHT_MEDIUM),
                 match_font(name, FC_WEIGHT_BOLD)};
    if (f.regular.empty() || (need_bold && f.bold.empty()))
      throw Error(std::string("font family '") + name + "' not found by fontconfig (install " + packages +
                  ": make deps)");
    if (f.bold.empty()) f.bold = f.regular;
    if (f.medium.empty()) f.medium = f.bold;
    out.push_back(f);
  }
  return out;
}

}  // namespace

const std::vector<FontFamily>& font_families(const std::string& set) {
  // core: the three families every held-out figure was measured with (phone
  // UI sans). wide: every Latin text family that make deps installs, in sans,
  // serif, condensed, display and monospace designs, so that readers trained
  // on it meet letter shapes beyond three near-identical sans faces.
  static const std::vector<FontFamily> core = load_families(
      {"Roboto", "Noto Sans", "DejaVu Sans"}, true, "fonts-roboto fonts-noto-core fonts-dejavu-core");
  if (set == "core") return core;
  if (set != "wide") throw UsageError("--fonts must be core or wide, not '" + set + "'");
  static const std::vector<FontFamily> wide = load_families(
      {"Roboto", "Noto Sans", "DejaVu Sans", "Roboto Condensed", "Noto Serif", "Noto Sans Display",
       "DejaVu Serif", "DejaVu Sans Mono", "Inter", "Open Sans", "Lato", "Liberation Sans", "Liberation Serif",
       "Liberation Mono", "Cantarell", "Hack", "Arimo", "Tinos", "Cousine", "JetBrains Mono", "FreeSans",
       "FreeSerif", "FreeMono"},
      false,
      "fonts-roboto fonts-noto-core fonts-dejavu-core fonts-inter fonts-open-sans fonts-lato fonts-liberation2 "
      "fonts-cantarell fonts-hack fonts-croscore fonts-jetbrains-mono fonts-freefont-ttf");
  return wide;
}

Painter::Painter(int width, int height, Theme t, const FontFamily& family)
    : image(height, width, CV_8UC3, t.bg), theme(t), u(width / 412.0), family_(family) {}

cv::Ptr<cv::freetype::FreeType2> Painter::face(Weight weight) {
  // FreeType faces are not thread-safe: one cache per thread.
  thread_local std::map<std::string, cv::Ptr<cv::freetype::FreeType2>> cache;
  const std::string& path =
      weight == Weight::bold ? family_.bold : weight == Weight::medium ? family_.medium : family_.regular;
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  auto ft = cv::freetype::createFreeType2();
  ft->loadFontData(path, 0);
  cache[path] = ft;
  return ft;
}

int Painter::text_width(const std::string& s, double size_dp, Weight weight) {
  int base = 0;
  return face(weight)->getTextSize(s, std::max(6, px(size_dp)), -1, &base).width;
}

BBox Painter::text(const std::string& s, int x, int y, double size_dp, cv::Scalar colour, Weight weight,
                   const std::string& role, const std::string& pii_label, int max_width) {
  while (max_width > 0 && size_dp > 8 && text_width(s, size_dp, weight) > max_width) size_dp -= 0.5;
  const int font_px = std::max(6, px(size_dp));
  const int baseline = y + static_cast<int>(font_px * 0.95);
  // The ink is what changed: compare the region before and after drawing.
  int estimate = text_width(s, size_dp, weight);
  cv::Rect region(x - font_px, y - font_px / 2, estimate + 2 * font_px, font_px * 2);
  region &= cv::Rect(0, 0, image.cols, image.rows);
  cv::Mat before = image(region).clone();
  face(weight)->putText(image, s, cv::Point(x, baseline), font_px, colour, -1, cv::LINE_AA, true);
  cv::Mat diff, grey;
  cv::absdiff(image(region), before, diff);
  cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
  std::vector<cv::Point> ink;
  cv::findNonZero(grey, ink);
  if (ink.empty()) throw Error("text run rendered no ink (font or colour problem)");
  cv::Rect r = cv::boundingRect(ink) + region.tl();
  r = cv::Rect(r.x - 1, r.y - 1, r.width + 2, r.height + 2) & cv::Rect(0, 0, image.cols, image.rows);
  BBox box{double(r.x), double(r.y), double(r.width), double(r.height)};
  Json word{{"text", s}, {"bbox", box.to_json()}, {"role", role}};
  words.push_back(word);
  if (!pii_label.empty()) pii.push_back({{"label", pii_label}, {"text", s}, {"bbox", box.to_json()}, {"source", "synth"}});
  return box;
}

int Painter::line(const std::vector<Segment>& segments, int x, int y, double size_dp, cv::Scalar colour,
                  Weight weight, const std::string& role, int max_width) {
  const int line_h = px(size_dp * 1.45);
  const int space = std::max(2, px(size_dp * 0.3));
  int cx = x;
  for (const auto& seg : segments) {
    if (seg.text.empty()) continue;
    int w = text_width(seg.text, size_dp, weight);
    if (cx > x && cx + w > x + max_width) {
      cx = x;
      y += line_h;
    }
    BBox b = text(seg.text, cx, y, size_dp, colour, weight, seg.pii.empty() ? role : "pii", seg.pii,
                  x + max_width - cx);
    cx = static_cast<int>(b.right()) + space;
  }
  return y + line_h;
}

void Painter::fill_rounded(cv::Rect r, int radius, cv::Scalar colour) {
  radius = std::min({radius, r.width / 2, r.height / 2});
  cv::rectangle(image, cv::Rect(r.x + radius, r.y, r.width - 2 * radius, r.height), colour, cv::FILLED, cv::LINE_AA);
  cv::rectangle(image, cv::Rect(r.x, r.y + radius, r.width, r.height - 2 * radius), colour, cv::FILLED, cv::LINE_AA);
  for (cv::Point c : {cv::Point(r.x + radius, r.y + radius), cv::Point(r.x + r.width - radius - 1, r.y + radius),
                      cv::Point(r.x + radius, r.y + r.height - radius - 1),
                      cv::Point(r.x + r.width - radius - 1, r.y + r.height - radius - 1)})
    cv::circle(image, c, radius, colour, cv::FILLED, cv::LINE_AA);
}

void Painter::outline_rounded(cv::Rect r, int radius, cv::Scalar colour, int thickness) {
  radius = std::min({radius, r.width / 2, r.height / 2});
  int x0 = r.x, y0 = r.y, x1 = r.x + r.width - 1, y1 = r.y + r.height - 1;
  cv::line(image, {x0 + radius, y0}, {x1 - radius, y0}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x0 + radius, y1}, {x1 - radius, y1}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x0, y0 + radius}, {x0, y1 - radius}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x1, y0 + radius}, {x1, y1 - radius}, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x0 + radius, y0 + radius}, {radius, radius}, 180, 0, 90, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x1 - radius, y0 + radius}, {radius, radius}, 270, 0, 90, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x0 + radius, y1 - radius}, {radius, radius}, 90, 0, 90, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x1 - radius, y1 - radius}, {radius, radius}, 0, 0, 90, colour, thickness, cv::LINE_AA);
}

BBox Painter::button(const std::string& label, const std::string& question, int x, int y, int w, int h,
                     bool filled) {
  cv::Rect r(x, y, w, h);
  if (filled)
    fill_rounded(r, h / 2, theme.accent);
  else
    outline_rounded(r, h / 2, theme.accent, std::max(1, px(1.2)));
  const double size = 15;
  int tw = text_width(label, size, Weight::medium);
  int tx = x + std::max(px(8), (w - tw) / 2);
  int ty = y + (h - px(size * 1.2)) / 2;
  text(label, tx, ty, size, filled ? theme.on_accent : theme.accent, Weight::medium, "button", "", w - px(16));
  BBox box{double(x), double(y), double(w), double(h)};
  tasks.push_back({{"question", question}, {"answer", label}, {"bbox", box.to_json()}});
  return box;
}

BBox Painter::chip(const std::string& label, const std::string& question, int x, int y) {
  int w = text_width(label, 14, Weight::medium) + px(28);
  cv::Rect r(x, y, w, px(34));
  fill_rounded(r, px(17), theme.field);
  text(label, x + px(14), y + px(9), 14, theme.text, Weight::medium, "button");
  BBox box{double(x), double(y), double(w), double(px(34))};
  tasks.push_back({{"question", question}, {"answer", label}, {"bbox", box.to_json()}});
  return box;
}

void Painter::tab_bar(const std::vector<std::pair<std::string, std::string>>& tabs, int active, Rng& rng) {
  const int h = px(64);
  const int top = height() - h - px(16);
  cv::rectangle(image, cv::Rect(0, top, width(), height() - top), theme.surface, cv::FILLED);
  cv::line(image, {0, top}, {width(), top}, theme.divider, 1);
  const int cell = width() / static_cast<int>(tabs.size());
  for (std::size_t i = 0; i < tabs.size(); ++i) {
    int cx = static_cast<int>(i) * cell + cell / 2;
    cv::Scalar colour = static_cast<int>(i) == active ? theme.accent : theme.text2;
    icon(rng.uniform(0, 5), cx - px(11), top + px(8), px(22), colour);
    int tw = text_width(tabs[i].first, 12, Weight::medium);
    text(tabs[i].first, cx - tw / 2, top + px(36), 12, colour, Weight::medium, "tab");
    if (!tabs[i].second.empty()) {
      BBox box{double(static_cast<int>(i) * cell), double(top), double(cell), double(h)};
      tasks.push_back({{"question", tabs[i].second}, {"answer", tabs[i].first}, {"bbox", box.to_json()}});
    }
  }
  // Gesture handle.
  cv::line(image, {width() / 2 - px(54), height() - px(8)}, {width() / 2 + px(54), height() - px(8)}, theme.text2,
           std::max(2, px(2.5)), cv::LINE_AA);
}

void Painter::divider(int y, int x0) { cv::line(image, {x0, y}, {width(), y}, theme.divider, std::max(1, px(0.6))); }

void Painter::avatar(const std::string& initials, int cx, int cy, int r, cv::Scalar colour) {
  cv::circle(image, {cx, cy}, r, colour, cv::FILLED, cv::LINE_AA);
  double size = r / u * 0.8;
  int tw = text_width(initials, size, Weight::medium);
  text(initials, cx - tw / 2, cy - px(size * 0.62), size, cv::Scalar(255, 255, 255), Weight::medium, "avatar");
}

void Painter::icon(int kind, int x, int y, int s, cv::Scalar c) {
  const int t = std::max(2, s / 10);
  switch (kind % 6) {
    case 0:  // house
      cv::line(image, {x, y + s / 2}, {x + s / 2, y}, c, t, cv::LINE_AA);
      cv::line(image, {x + s / 2, y}, {x + s, y + s / 2}, c, t, cv::LINE_AA);
      cv::rectangle(image, cv::Rect(x + s / 6, y + s / 2, s * 2 / 3, s / 2), c, t, cv::LINE_AA);
      break;
    case 1:  // magnifier
      cv::circle(image, {x + s * 2 / 5, y + s * 2 / 5}, s * 2 / 7, c, t, cv::LINE_AA);
      cv::line(image, {x + s * 3 / 5, y + s * 3 / 5}, {x + s, y + s}, c, t, cv::LINE_AA);
      break;
    case 2:  // person
      cv::circle(image, {x + s / 2, y + s / 3}, s / 4, c, t, cv::LINE_AA);
      cv::ellipse(image, {x + s / 2, y + s}, {s / 2 - t, s / 3}, 0, 180, 360, c, t, cv::LINE_AA);
      break;
    case 3:  // bell
      cv::ellipse(image, {x + s / 2, y + s * 2 / 3}, {s * 2 / 5, s / 2}, 0, 180, 360, c, t, cv::LINE_AA);
      cv::line(image, {x, y + s * 2 / 3}, {x + s, y + s * 2 / 3}, c, t, cv::LINE_AA);
      cv::circle(image, {x + s / 2, y + s * 5 / 6}, t, c, cv::FILLED, cv::LINE_AA);
      break;
    case 4:  // grid
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          cv::rectangle(image, cv::Rect(x + i * s / 2 + t, y + j * s / 2 + t, s / 2 - 2 * t, s / 2 - 2 * t), c, t,
                        cv::LINE_AA);
      break;
    default:  // heart-ish / chat bubble
      fill_rounded(cv::Rect(x, y + s / 8, s, s * 2 / 3), s / 4, c);
      cv::fillConvexPoly(image, std::vector<cv::Point>{{x + s / 4, y + s * 3 / 4}, {x + s / 2, y + s * 3 / 4}, {x + s / 5, y + s}},
                         c, cv::LINE_AA);
      break;
  }
}

void Painter::status_bar(const std::string& time, int battery) {
  const int h = px(28);
  cv::rectangle(image, cv::Rect(0, 0, width(), h), theme.bg, cv::FILLED);
  text(time, px(18), px(6), 13, theme.text, Weight::medium, "status");
  // Battery, wifi and signal drawn as shapes, like real status icons.
  int right = width() - px(16);
  std::string pct = std::to_string(battery) + "%";
  int tw = text_width(pct, 12, Weight::regular);
  text(pct, right - tw, px(7), 12, theme.text, Weight::regular, "status");
  int bx = right - tw - px(30);
  cv::rectangle(image, cv::Rect(bx, px(9), px(22), px(11)), theme.text, std::max(1, px(1)), cv::LINE_AA);
  cv::rectangle(image, cv::Rect(bx + px(2), px(11), std::max(1, px(18) * battery / 100), px(7)), theme.text,
                cv::FILLED);
  int sx = bx - px(24);
  for (int i = 0; i < 4; ++i)
    cv::rectangle(image, cv::Rect(sx + i * px(4), px(20) - px(3) * (i + 1), px(3), px(3) * (i + 1)), theme.text,
                  cv::FILLED);
  cv::ellipse(image, {sx - px(14), px(20)}, {px(9), px(9)}, 0, 225, 315, theme.text, std::max(1, px(1.6)), cv::LINE_AA);
  cv::ellipse(image, {sx - px(14), px(20)}, {px(5), px(5)}, 0, 225, 315, theme.text, std::max(1, px(1.6)), cv::LINE_AA);
}

int Painter::app_bar(const std::string& title, bool back, const std::string& title_pii) {
  const int top = px(28), h = px(56);
  cv::rectangle(image, cv::Rect(0, top, width(), h), theme.surface, cv::FILLED);
  int x = px(16);
  if (back) {
    int cy = top + h / 2, t = std::max(2, px(2));
    cv::line(image, {x, cy}, {x + px(18), cy}, theme.text, t, cv::LINE_AA);
    cv::line(image, {x, cy}, {x + px(8), cy - px(8)}, theme.text, t, cv::LINE_AA);
    cv::line(image, {x, cy}, {x + px(8), cy + px(8)}, theme.text, t, cv::LINE_AA);
    x += px(40);
  }
  text(title, x, top + px(16), 20, theme.text, Weight::medium, title_pii.empty() ? "title" : "pii", title_pii,
       width() - x - px(60));
  // Overflow menu dots.
  for (int i = 0; i < 3; ++i)
    cv::circle(image, {width() - px(24), top + h / 2 - px(6) + i * px(6)}, std::max(1, px(2)), theme.text, cv::FILLED,
               cv::LINE_AA);
  cv::line(image, {0, top + h}, {width(), top + h}, theme.divider, 1);
  return top + h;
}

}  // namespace dtap::synth
