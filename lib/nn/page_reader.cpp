// The neural page reader behind dtap-eval's reader[:MODEL] router and agent:
// dtap's own text-line detector, then a surrogate reader on every line.
#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "dtap/nn/page_reader.hpp"
#include "dtap/run.hpp"
#include "dtap/eval.hpp"
#include "dtap/ocr.hpp"
#include "dtap/text.hpp"
#include "dtap/nn/reader.hpp"

namespace dtap {
namespace {

// Readers squeeze crops wider than kMaxLineWidth; a line longer than this many
// heights is cut at its widest word gaps first.
constexpr double kMaxPieceAspect = 22.0;

// Cuts a long line at gaps of blank columns (word spaces) into pieces of at
// most kMaxPieceAspect heights; a line with no usable gap is cut blindly.
std::vector<cv::Rect> split_long_line(const cv::Mat& edges, const cv::Rect& line) {
  const int max_w = std::max(8, static_cast<int>(kMaxPieceAspect * line.height));
  if (line.width <= max_w) return {line};
  cv::Mat cols;
  cv::reduce(edges(line), cols, 0, cv::REDUCE_MAX, CV_8U);
  std::vector<cv::Rect> pieces;
  int start = 0;
  while (line.width - start > max_w) {
    // The middle of the last blank run that ends before start + max_w.
    int cut = -1, run = 0;
    const int min_run = std::max(2, line.height / 4);
    for (int x = start + 1; x < start + max_w; ++x) {
      run = cols.at<unsigned char>(0, x) ? 0 : run + 1;
      if (run >= min_run && x - run / 2 > start + 2 * line.height) cut = x - run / 2;
    }
    if (cut < 0) cut = start + max_w;
    pieces.push_back({line.x + start, line.y, cut - start, line.height});
    start = cut;
  }
  pieces.push_back({line.x + start, line.y, line.width - start, line.height});
  return pieces;
}

class ModelPageReader : public PageReader {
 public:
  explicit ModelPageReader(const std::string& model)
      : reader_(nn::load_reader(model.empty() ? data_path("models/reader-conv.pt") : model)) {}

  OcrResult read(const cv::Mat& bgr) override {
    cv::Mat grey, rgb, edges;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::morphologyEx(grey, edges, cv::MORPH_GRADIENT, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
    cv::threshold(edges, edges, 40, 255, cv::THRESH_BINARY);
    std::vector<cv::Rect> pieces;
    for (const auto& line : detect_text_lines(grey))
      for (const auto& p : split_long_line(edges, line)) pieces.push_back(p);
    OcrResult result;
    if (pieces.empty()) return result;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(rgb, CV_32FC3, 1.0 / 255.0);
    torch::NoGradGuard no_grad;
    const torch::Tensor image = nn::image_to_tensor(rgb);
    constexpr std::size_t kBatch = 32;
    for (std::size_t b = 0; b < pieces.size(); b += kBatch) {
      std::vector<torch::Tensor> crops;
      const std::size_t e = std::min(pieces.size(), b + kBatch);
      for (std::size_t i = b; i < e; ++i) {
        const cv::Rect& r = pieces[i];
        crops.push_back(nn::crop_line(image, BBox{double(r.x), double(r.y), double(r.width), double(r.height)}));
      }
      const auto texts = nn::read_crops(*reader_, crops);
      for (std::size_t i = b; i < e; ++i) add_line(result, pieces[i], texts[i - b]);
    }
    return result;
  }

 private:
  // One OCR line from a piece's text: words get the share of the box that
  // their characters take of the text.
  static void add_line(OcrResult& result, const cv::Rect& r, const std::string& text) {
    const auto words = split_whitespace(text);
    if (words.empty()) return;
    OcrLine line;
    line.text = text;
    line.bbox = BBox{double(r.x), double(r.y), double(r.width), double(r.height)};
    line.conf = 100;
    const double per_char = double(r.width) / std::max<std::size_t>(1, text.size());
    std::size_t at = 0;
    const int index = static_cast<int>(result.lines.size());
    for (const auto& w : words) {
      at = text.find(w, at);
      BBox box{r.x + per_char * double(at), double(r.y), per_char * double(w.size()), double(r.height)};
      at += w.size();
      line.words.push_back(static_cast<int>(result.words.size()));
      result.words.push_back({w, box, 100, index});
    }
    line.text.clear();
    for (int w : line.words) line.text += (line.text.empty() ? "" : " ") + result.words[static_cast<std::size_t>(w)].text;
    result.lines.push_back(std::move(line));
  }

  std::shared_ptr<nn::Reader> reader_;
};

}  // namespace

std::unique_ptr<PageReader> make_model_page_reader(const std::string& model) {
  return std::make_unique<ModelPageReader>(model);
}

}  // namespace dtap
