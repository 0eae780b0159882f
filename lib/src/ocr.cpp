#include "dtap/ocr.hpp"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace dtap {

struct OcrEngine::Impl {
  tesseract::TessBaseAPI api;
};

OcrEngine::OcrEngine(const OcrOptions& options) : impl_(std::make_unique<Impl>()), options_(options) {
  const char* datapath = options.tessdata.empty() ? nullptr : options.tessdata.c_str();
  if (impl_->api.Init(datapath, options.lang.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    throw Error("cannot start Tesseract with language '" + options.lang +
                "' (is tesseract-ocr-" + options.lang + " installed?)");
  impl_->api.SetPageSegMode(static_cast<tesseract::PageSegMode>(options.psm));
  impl_->api.SetVariable("debug_file", "/dev/null");  // keep Tesseract's chatter off stderr
}

OcrEngine::~OcrEngine() { impl_->api.End(); }

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
  const double s = options_.scale > 0 ? options_.scale : 1.0;
  if (std::abs(s - 1.0) > 1e-6) cv::resize(grey, grey, cv::Size(), s, s, s > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  if (!grey.isContinuous()) grey = grey.clone();

  auto& api = impl_->api;
  api.SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  api.SetSourceResolution(static_cast<int>(300 * s));
  if (api.Recognize(nullptr) != 0) throw Error("Tesseract failed to recognise the image");

  OcrResult result;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return result;
  int current_line = -1;
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE) || current_line < 0) {
      result.lines.push_back({});
      current_line = static_cast<int>(result.lines.size()) - 1;
    }
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    std::string word = text.get();
    while (!word.empty() && std::isspace(static_cast<unsigned char>(word.back()))) word.pop_back();
    float conf = it->Confidence(tesseract::RIL_WORD);
    if (word.empty() || conf < options_.min_conf) continue;
    int x1, y1, x2, y2;
    it->BoundingBox(tesseract::RIL_WORD, &x1, &y1, &x2, &y2);
    BBox box{x1 / s, y1 / s, (x2 - x1) / s, (y2 - y1) / s};
    OcrLine& line = result.lines[static_cast<std::size_t>(current_line)];
    line.words.push_back(static_cast<int>(result.words.size()));
    line.bbox = line.words.size() == 1 ? box : bbox_union(line.bbox, box);
    line.text += (line.text.empty() ? "" : " ") + word;
    line.conf += conf;
    result.words.push_back({word, box, conf, current_line});
  } while (it->Next(tesseract::RIL_WORD));
  // Drop lines whose words were all filtered, and renumber.
  OcrResult packed;
  packed.words = result.words;
  for (auto& line : result.lines) {
    if (line.words.empty()) continue;
    line.conf /= static_cast<float>(line.words.size());
    int index = static_cast<int>(packed.lines.size());
    for (int w : line.words) packed.words[static_cast<std::size_t>(w)].line = index;
    packed.lines.push_back(std::move(line));
  }
  api.Clear();
  return packed;
}

}  // namespace dtap
