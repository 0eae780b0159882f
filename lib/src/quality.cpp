#include "dtap/quality.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace dtap {

double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  if (a.size() != b.size() || a.type() != b.type()) throw Error("psnr: images differ in size or type");
  if (!mask.empty() && mask.size() != a.size()) throw Error("psnr: the mask differs in size from the images");
  cv::Mat da, db;
  a.convertTo(da, CV_64F);
  b.convertTo(db, CV_64F);
  cv::Mat diff = da - db;
  cv::Mat squared = diff.mul(diff);
  squared = squared.reshape(1, static_cast<int>(a.total()));  // a row per pixel
  cv::Mat per_pixel;
  cv::reduce(squared, per_pixel, 1, cv::REDUCE_SUM);  // summed over channels
  per_pixel = per_pixel.reshape(1, a.rows);
  double n = mask.empty() ? static_cast<double>(a.total()) : static_cast<double>(cv::countNonZero(mask));
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double sse = mask.empty() ? cv::sum(per_pixel)[0] : cv::sum(per_pixel.setTo(0, mask == 0))[0];
  double mse = sse / (n * a.channels());
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  const double peak = a.depth() == CV_8U ? 255.0 : (a.depth() == CV_16U ? 65535.0 : 1.0);
  return 10.0 * std::log10(peak * peak / mse);
}

double ssim(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  CV_Assert(a.size() == b.size());
  auto luma = [](const cv::Mat& m) {
    cv::Mat g, f;
    if (m.channels() == 3) cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
    else g = m;
    g.convertTo(f, CV_32F);
    return f;
  };
  cv::Mat x = luma(a), y = luma(b);
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  auto blur = [](const cv::Mat& m) {
    cv::Mat out;
    cv::GaussianBlur(m, out, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT);
    return out;
  };
  cv::Mat mx = blur(x), my = blur(y);
  cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx), syy = blur(y.mul(y)) - my.mul(my), sxy = blur(x.mul(y)) - mx.mul(my);
  cv::Mat num = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
  cv::Mat den = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
  cv::Mat map;
  cv::divide(num, den, map);
  if (mask.empty()) return cv::mean(map)[0];
  if (cv::countNonZero(mask) == 0) return std::numeric_limits<double>::quiet_NaN();
  return cv::mean(map, mask)[0];
}

Transform Transform::parse(const std::string& spec) {
  Transform t;
  t.spec = spec;
  std::vector<std::string> items;
  for (std::size_t start = 0;;) {
    std::size_t comma = spec.find(',', start);
    items.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& item : items) {
    if (item.empty()) throw UsageError("empty step in transform '" + spec + "'");
    auto colon = item.find(':');
    TransformStep step;
    step.kind = item.substr(0, colon);
    if (colon == std::string::npos) throw UsageError("transform '" + item + "' needs a value (e.g. jpeg:75)");
    try {
      std::size_t used = 0;
      step.value = std::stod(item.substr(colon + 1), &used);
      if (used != item.size() - colon - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw UsageError("transform '" + item + "' has no number after ':'");
    }
    if (step.kind == "jpeg") {
      if (step.value < 1 || step.value > 100) throw UsageError("jpeg quality must be 1-100 in '" + item + "'");
    } else if (step.kind == "scale") {
      if (step.value <= 0.05 || step.value > 4) throw UsageError("scale must be in (0.05, 4] in '" + item + "'");
    } else if (step.kind == "blur") {
      if (step.value <= 0 || step.value > 20) throw UsageError("blur sigma must be in (0, 20] in '" + item + "'");
    } else {
      throw UsageError("unknown transform '" + step.kind + "' (jpeg:Q, scale:F, blur:S)");
    }
    t.steps.push_back(step);
  }
  if (t.steps.empty()) throw UsageError("empty transform");
  return t;
}

cv::Mat Transform::apply(const cv::Mat& bgr8) const {
  cv::Mat img = bgr8.clone();
  for (const auto& s : steps) {
    if (s.kind == "jpeg") {
      std::vector<uchar> buf;
      cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(s.value)});
      img = cv::imdecode(buf, cv::IMREAD_COLOR);
    } else if (s.kind == "scale") {
      cv::resize(img, img, cv::Size(), s.value, s.value, s.value < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    } else if (s.kind == "blur") {
      cv::GaussianBlur(img, img, cv::Size(0, 0), s.value);
    }
  }
  return img;
}

}  // namespace dtap
