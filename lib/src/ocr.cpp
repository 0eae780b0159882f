#include "dtap/ocr.hpp"

#include <sstream>
#include <memory>
#include <map>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace dtap {

struct OcrEngine::Impl {
  tesseract::TessBaseAPI api;
};

OcrEngine::OcrEngine(const OcrOptions& options) : impl_(std::make_unique<Impl>()), options_(options) {
  const char* datapath = options.tessdata.empty() ? nullptr : options.tessdata.c_str();
  // Script models live in tessdata/script/ upstream but at the top level in
  // Debian's tesseract-ocr-script-* packages: "script/Latin" finds either.
  std::string lang = options.lang;
  if (lang.rfind("script/", 0) == 0) {
    std::string dir = options.tessdata;
    if (dir.empty() && std::getenv("TESSDATA_PREFIX")) dir = std::getenv("TESSDATA_PREFIX");
    if (dir.empty()) dir = "/usr/share/tesseract-ocr/5/tessdata";
    std::error_code ec;
    if (!std::filesystem::exists(dir + "/" + lang + ".traineddata", ec) &&
        std::filesystem::exists(dir + "/" + lang.substr(7) + ".traineddata", ec))
      lang = lang.substr(7);
  }
  if (options.layout != "page" && options.layout != "lines" && options.layout != "page+lines")
    throw Error("unknown OCR layout '" + options.layout + "' (page, lines or page+lines)");
  const bool started = impl_->api.Init(datapath, lang.c_str(), tesseract::OEM_LSTM_ONLY) == 0;
  if (!started)
    throw Error("cannot start Tesseract with language '" + options.lang + "' (is its traineddata installed? "
                "eng: tesseract-ocr-eng, script/Latin: tesseract-ocr-script-latn)");
  impl_->api.SetVariable("debug_file", "/dev/null");  // keep Tesseract's chatter off stderr
}

OcrEngine::~OcrEngine() { impl_->api.End(); }

void limit_ocr_threads_or_reexec(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);
  // exec failed: go on with Tesseract's own threading.
}


namespace {

// Median text-line height (px) under which the page is read at twice its size.
constexpr int kSmallTextHeight = 16;

// The median height of `boxes` (0 for none).
int median_height(const std::vector<cv::Rect>& boxes) {
  if (boxes.empty()) return 0;
  std::vector<int> hs;
  for (const auto& b : boxes) hs.push_back(b.height);
  std::nth_element(hs.begin(), hs.begin() + static_cast<long>(hs.size() / 2), hs.end());
  return hs[hs.size() / 2];
}

struct Blob {
  cv::Rect box;
};

}  // namespace

std::vector<cv::Rect> detect_text_lines(const cv::Mat& grey) {
  // Glyph edges: a morphological gradient above a contrast floor.
  cv::Mat grad, edges;
  cv::morphologyEx(grey, grad, cv::MORPH_GRADIENT, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  cv::threshold(grad, edges, 40, 255, cv::THRESH_BINARY);
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(edges, labels, stats, centroids, 8, CV_32S);
  const int max_h = std::max(12, grey.rows / 12);
  std::vector<cv::Rect> blobs;
  for (int i = 1; i < n; ++i) {
    cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
               stats.at<int>(i, cv::CC_STAT_HEIGHT));
    int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (r.height < 4 || r.height > max_h) continue;           // specks, panels
    if (r.width > grey.cols * 0.9) continue;                   // dividers, bars
    double fill = double(area) / (double(r.width) * r.height);
    if (r.width > 3 * r.height && fill < 0.08) continue;       // outlines of pills and fields
    if (r.height > 4 * r.width && r.height > 40) continue;     // vertical rules
    if (fill < 0.2 && std::min(r.width, r.height) > 40) continue;  // avatar rings, icons
    blobs.push_back(r);
  }
  // The page's typical glyph height: a blob far taller (an avatar, a photo) is no text line.
  const int typical_h = median_height(blobs);
  // Group glyph blobs into lines: vertical overlap and a small horizontal gap.
  std::sort(blobs.begin(), blobs.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.x < b.x; });
  std::vector<cv::Rect> lines;
  std::vector<char> used(blobs.size(), 0);
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    if (used[i]) continue;
    cv::Rect line = blobs[i];
    used[i] = 1;
    // The tallest glyph so far: a line never grows much taller than its glyphs
    // (else blobs chain across rows and a whole panel becomes one "line").
    int glyph_h = blobs[i].height;
    bool grown = true;
    while (grown) {
      grown = false;
      for (std::size_t j = 0; j < blobs.size(); ++j) {
        if (used[j]) continue;
        const cv::Rect& b = blobs[j];
        int overlap = std::min(line.y + line.height, b.y + b.height) - std::max(line.y, b.y);
        int h = std::min(line.height, b.height);
        int gap = std::max(b.x - (line.x + line.width), line.x - (b.x + b.width));
        bool similar_height = b.height < 2.2 * line.height && line.height < 2.2 * b.height;
        // Punctuation (_ . , -) is small and sits off the main band: accept it
        // when it lies within the line's band widened by half its height.
        // Not beside an avatar or a photo: the text lines next to it are lines of their own.
        bool punctuation = b.height < 0.5 * line.height && b.y >= line.y - line.height / 2 &&
                           b.y + b.height <= line.y + line.height + line.height / 2 && line.height <= 3 * typical_h;
        bool aligned = (overlap > 0.5 * h && similar_height) || punctuation;
        const cv::Rect merged = line | b;
        if (aligned && gap < 0.9 * std::max(line.height, b.height) &&
            merged.height <= 1.7 * std::max(glyph_h, b.height)) {
          if (!punctuation) glyph_h = std::max(glyph_h, b.height);
          line = merged;
          used[j] = 1;
          grown = true;
        }
      }
    }
    if (line.width >= 6 && line.height >= 6) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end(), [](const cv::Rect& a, const cv::Rect& b) {
    return a.y + a.height / 2 < b.y + b.height / 2 - 4 || (std::abs((a.y + a.height / 2) - (b.y + b.height / 2)) <= 4 && a.x < b.x);
  });
  return lines;
}

namespace {

// The crop of one line, dark text on a light background, scaled so the line
// is about 48 px high (Tesseract reads best around there). Returns the scale.
double prepare_line(const cv::Mat& grey, const cv::Rect& line, cv::Mat& out, cv::Rect& padded) {
  int pad = std::max(4, line.height / 4);
  padded = cv::Rect(line.x - pad, line.y - pad, line.width + 2 * pad, line.height + 2 * pad) &
           cv::Rect(0, 0, grey.cols, grey.rows);
  cv::Mat crop = grey(padded).clone();
  // The background is what the border holds; text is the other polarity.
  cv::Mat border_mask(crop.size(), CV_8U, cv::Scalar(255));
  border_mask(cv::Rect(2, 2, std::max(0, crop.cols - 4), std::max(0, crop.rows - 4))).setTo(0);
  double border = cv::mean(crop, border_mask)[0];
  double lo, hi;
  cv::minMaxLoc(crop, &lo, &hi);
  if (border - lo < hi - border) crop = 255 - crop;  // light text on dark: invert
  // Stretch contrast so faint text becomes black on white.
  cv::normalize(crop, crop, 0, 255, cv::NORM_MINMAX);
  double scale = std::clamp(48.0 / line.height, 0.5, 4.0);
  cv::resize(crop, out, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  cv::copyMakeBorder(out, out, 10, 10, 10, 10, cv::BORDER_CONSTANT, cv::Scalar(255));
  return scale;
}

// The words Tesseract recognised in its current image (boxes in that image's
// pixels); `starts_line` marks the first kept word of each text line.
struct RecognisedWord {
  std::string text;
  float conf;
  int x1, y1, x2, y2;
  bool starts_line;
};

std::vector<RecognisedWord> recognised_words(tesseract::TessBaseAPI& api, float min_conf) {
  std::vector<RecognisedWord> out;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return out;
  bool line_start = true;
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) line_start = true;
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    std::string word = text.get();
    while (!word.empty() && std::isspace(static_cast<unsigned char>(word.back()))) word.pop_back();
    float conf = it->Confidence(tesseract::RIL_WORD);
    if (word.empty() || conf < min_conf) continue;
    RecognisedWord w{word, conf, 0, 0, 0, 0, line_start};
    it->BoundingBox(tesseract::RIL_WORD, &w.x1, &w.y1, &w.x2, &w.y2);
    out.push_back(std::move(w));
    line_start = false;
  } while (it->Next(tesseract::RIL_WORD));
  return out;
}

// Appends one line made of `words` (already in original-image pixels).
void append_line(OcrResult& result, const std::vector<std::pair<std::string, std::pair<BBox, float>>>& words) {
  if (words.empty()) return;
  OcrLine line;
  const int index = static_cast<int>(result.lines.size());
  for (const auto& [text, box_conf] : words) {
    const auto& [box, conf] = box_conf;
    line.words.push_back(static_cast<int>(result.words.size()));
    line.bbox = line.words.size() == 1 ? box : bbox_union(line.bbox, box);
    line.text += (line.text.empty() ? "" : " ") + text;
    line.conf += conf;
    result.words.push_back({text, box, conf, index});
  }
  line.conf /= static_cast<float>(line.words.size());
  result.lines.push_back(std::move(line));
}

}  // namespace

OcrResult OcrEngine::read(const cv::Mat& image) {
  if (image.empty()) throw Error("OCR on an empty image");
  cv::Mat grey;
  if (image.channels() == 3)
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  else if (image.channels() == 1)
    grey = image;
  else
    throw Error("OCR needs a grey or BGR image");
  if (grey.depth() != CV_8U) throw Error("OCR needs an 8-bit image");
  OcrResult result;
  // Small text (a desktop screenshot's 12-14 px lines) is read twice as large by
  // the page layout: at its own size Tesseract garbles it, and the garbled words
  // then keep the line pass from reading those lines again.
  // dtap's own text lines, found once: for the automatic scale and for the line pass.
  const bool automatic = options_.scale <= 0 && options_.layout != "lines";
  const std::vector<cv::Rect> lines =
      automatic || options_.layout != "page" ? detect_text_lines(grey) : std::vector<cv::Rect>{};
  double scale = options_.scale > 0 ? options_.scale : 1.0;
  if (automatic && lines.size() >= 10 && median_height(lines) < kSmallTextHeight) scale = 2.0;
  if (options_.layout != "lines") read_page(grey, result, scale);
  if (options_.layout != "page") read_lines(grey, lines, result);
  return result;
}

void OcrEngine::read_page(const cv::Mat& original, OcrResult& result, double scale) {
  auto& api = impl_->api;
  cv::Mat grey = original;
  const double s = scale;
  if (std::abs(s - 1.0) > 1e-6) cv::resize(grey, grey, cv::Size(), s, s, s > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  if (!grey.isContinuous()) grey = grey.clone();
  api.SetPageSegMode(static_cast<tesseract::PageSegMode>(options_.psm));
  api.SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  if (options_.dpi > 0) api.SetSourceResolution(static_cast<int>(options_.dpi * s));
  if (api.Recognize(nullptr) != 0) throw Error("Tesseract failed to recognise the image");

  std::vector<std::pair<std::string, std::pair<BBox, float>>> words;
  for (const auto& w : recognised_words(api, options_.min_conf)) {
    if (w.starts_line) {
      append_line(result, words);
      words.clear();
    }
    words.push_back({w.text, {BBox{w.x1 / s, w.y1 / s, (w.x2 - w.x1) / s, (w.y2 - w.y1) / s}, w.conf}});
  }
  append_line(result, words);
  api.Clear();
}

void OcrEngine::read_lines(const cv::Mat& grey, const std::vector<cv::Rect>& lines, OcrResult& result) {
  auto& api = impl_->api;
  // Lines already read (by the page layout) are not read again: only what it missed.
  const std::size_t already = result.words.size();  // words appended below are not looked at
  auto read_before = [&](const cv::Rect& r) {
    double covered = 0;
    for (std::size_t k = 0; k < already; ++k) {
      const OcrWord& w = result.words[k];
      const double ix = std::min<double>(r.x + r.width, w.bbox.right()) - std::max<double>(r.x, w.bbox.x);
      const double iy = std::min<double>(r.y + r.height, w.bbox.bottom()) - std::max<double>(r.y, w.bbox.y);
      if (ix > 0 && iy > 0) covered += ix * iy;
    }
    return covered > 0.3 * r.area();
  };
  api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  for (const cv::Rect& line : lines) {
    if (already > 0 && read_before(line)) continue;
    cv::Mat crop;
    cv::Rect padded;
    double s = prepare_line(grey, line, crop, padded);
    api.SetImage(crop.data, crop.cols, crop.rows, 1, static_cast<int>(crop.step));
    api.SetSourceResolution(300);
    if (api.Recognize(nullptr) != 0) continue;
    std::vector<std::pair<std::string, std::pair<BBox, float>>> words;
    for (const auto& w : recognised_words(api, options_.min_conf)) {
      BBox box{padded.x + (w.x1 - 10) / s, padded.y + (w.y1 - 10) / s, (w.x2 - w.x1) / s, (w.y2 - w.y1) / s};
      box.x = std::max(0.0, box.x);
      box.y = std::max(0.0, box.y);
      box.w = std::min(box.w, grey.cols - box.x);
      box.h = std::min(box.h, grey.rows - box.y);
      words.push_back({w.text, {box, w.conf}});
    }
    append_line(result, words);
  }
  api.Clear();
}

OcrEngine& thread_ocr_engine(const OcrOptions& options) {
  thread_local std::map<std::string, std::unique_ptr<OcrEngine>> engines;
  std::ostringstream key;
  key << options.lang << '/' << options.psm << '/' << options.min_conf << '/' << options.scale << '/'
      << options.tessdata << '/' << options.dpi << '/' << options.layout;
  auto& engine = engines[key.str()];
  if (!engine) engine = std::make_unique<OcrEngine>(options);
  return *engine;
}

}  // namespace dtap
