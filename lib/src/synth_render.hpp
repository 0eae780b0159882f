// Internal to dtap-synth: a phone-screen painter that records every text run.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/freetype.hpp>

#include "dtap/record.hpp"
#include "dtap/rng.hpp"

namespace dtap::synth {

enum class Weight { regular, medium, bold };

struct Theme {
  bool dark = false;
  cv::Scalar bg, surface, text, text2, divider, accent, on_accent, bubble_in, bubble_out, field;
};

// Font files of one family, located through fontconfig.
struct FontFamily {
  std::string name, regular, medium, bold;
};
// The families of dtap-synth's --fonts set ("core" or "wide"); throws
// UsageError for another name and Error when a family is not installed.
const std::vector<FontFamily>& font_families(const std::string& set);

// A piece of a text line; `pii` is the PII label, empty for plain text.
struct Segment {
  std::string text;
  std::string pii;
};

class Painter {
 public:
  Painter(int width, int height, Theme theme, const FontFamily& family);

  cv::Mat image;
  Theme theme;
  double u;  // pixels per dp
  Json words = Json::array(), pii = Json::array(), tasks = Json::array();

  int px(double dp) const { return static_cast<int>(dp * u + 0.5); }
  int width() const { return image.cols; }
  int height() const { return image.rows; }

  // Draws `text` with its line box's top-left at (x, y) (pixels), font size in
  // dp; returns the tight ink box (1 px of background around the glyphs) and
  // records it in `words` (and `pii` when `pii_label` is set). Shrinks the font
  // to fit max_width when given.
  BBox text(const std::string& s, int x, int y, double size_dp, cv::Scalar colour, Weight weight,
            const std::string& role, const std::string& pii_label = "", int max_width = 0);
  int text_width(const std::string& s, double size_dp, Weight weight);
  // Segments on one line (wrapping to the next line when they would overflow);
  // returns the y just below the last line.
  int line(const std::vector<Segment>& segments, int x, int y, double size_dp, cv::Scalar colour, Weight weight,
           const std::string& role, int max_width);

  // A tappable control whose label is a task target: records the task.
  BBox button(const std::string& label, const std::string& question, int x, int y, int w, int h, bool filled);
  BBox chip(const std::string& label, const std::string& question, int x, int y);
  void tab_bar(const std::vector<std::pair<std::string, std::string>>& tabs, int active, Rng& rng);

  void fill_rounded(cv::Rect r, int radius, cv::Scalar colour);
  void outline_rounded(cv::Rect r, int radius, cv::Scalar colour, int thickness);
  void divider(int y, int x0 = 0);
  void avatar(const std::string& initials, int cx, int cy, int r, cv::Scalar colour);
  void icon(int kind, int x, int y, int size, cv::Scalar colour);
  void status_bar(const std::string& time, int battery);
  // App bar with a back arrow (or not) and a title; returns the y below it.
  int app_bar(const std::string& title, bool back, const std::string& title_pii = "");

 private:
  cv::Ptr<cv::freetype::FreeType2> face(Weight weight);
  FontFamily family_;
};

}  // namespace dtap::synth
