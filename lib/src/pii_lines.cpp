// The line classifier of dtap-annotate: model file, training, labelling.
// (The features themselves are computed in pii.cpp beside the layout rules.)
#include "dtap/pii_lines.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "dtap/run.hpp"
#include "dtap/error.hpp"
#include "dtap/checksum.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/pii.hpp"
#include "dtap/text.hpp"

namespace fs = std::filesystem;

namespace dtap {

double LineClassifier::probability(const std::vector<float>& features) const {
  double z = bias;
  const std::size_t n = std::min(features.size(), weights.size());
  for (std::size_t i = 0; i < n; ++i) z += double(weights[i]) * features[i];
  return 1.0 / (1.0 + std::exp(-z));
}

LineClassifier LineClassifier::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read the line classifier '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  const std::string what = "the line classifier '" + path + "'";
  if (j.is_discarded() || !j.is_object()) throw Error(what + " is not JSON (corrupt or truncated)");
  if (j.value("kind", "") != "dtap-pii-lines") throw Error(what + " is not a dtap-pii-lines model");
  if (!j.contains("features") || !j["features"].is_array() || !j.contains("weights") || !j["weights"].is_array() ||
      !j.contains("bias") || !j["bias"].is_number() || !j.contains("threshold") || !j["threshold"].is_number())
    throw Error(what + " lacks features, weights, bias or threshold");
  std::vector<std::string> names;
  for (const auto& f : j["features"]) {
    if (!f.is_string()) throw Error(what + ": a feature name is not a string");
    names.push_back(f.get<std::string>());
  }
  if (names != line_feature_names())
    throw Error(what + " was trained on other features (" + std::to_string(names.size()) + ", this program has " +
                std::to_string(line_feature_names().size()) + "): retrain it with dtap-train pii-lines");
  LineClassifier c;
  for (const auto& w : j["weights"]) {
    if (!w.is_number()) throw Error(what + ": a weight is not a number");
    c.weights.push_back(w.get<float>());
  }
  if (c.weights.size() != names.size()) throw Error(what + ": " + std::to_string(c.weights.size()) + " weights for " +
                                                    std::to_string(names.size()) + " features");
  c.bias = j["bias"].get<float>();
  c.threshold = j["threshold"].get<float>();
  c.manifest = j.value("manifest", Json::object());
  return c;
}

void LineClassifier::save(const std::string& path) const {
  Json j{{"kind", "dtap-pii-lines"},
         {"features", line_feature_names()},
         {"weights", weights},
         {"bias", bias},
         {"threshold", threshold},
         {"manifest", manifest}};
  write_text_atomic(path, j.dump(1) + "\n");
}

const LineClassifier* LineClassifier::shipped() {
  static const std::optional<LineClassifier> model = []() -> std::optional<LineClassifier> {
    const std::string path = data_path("models/pii-lines.json");
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    return load(path);
  }();
  return model ? &*model : nullptr;
}

LineClassifier train_line_classifier(const std::vector<LineSample>& samples, const LineTrainOptions& o,
                                     std::vector<double>* loss_history) {
  const std::size_t d = line_feature_names().size();
  if (samples.empty()) throw UsageError("no labelled lines to train on");
  LineClassifier c;
  c.weights.assign(d, 0.0f);
  std::vector<double> w(d, 0.0), m(d, 0.0), v(d, 0.0);
  double b = 0, mb = 0, vb = 0;
  const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double total_weight = 0;
  for (const auto& s : samples) total_weight += s.positive ? o.positive_weight : 1.0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    std::vector<double> g(d, 0.0);
    double gb = 0, loss = 0;
    for (const auto& s : samples) {
      if (s.features.size() != d) throw Error("a training line has " + std::to_string(s.features.size()) + " features, not " + std::to_string(d));
      double z = b;
      for (std::size_t i = 0; i < d; ++i) z += w[i] * s.features[i];
      const double p = 1.0 / (1.0 + std::exp(-z));
      const double y = s.positive ? 1.0 : 0.0, weight = s.positive ? o.positive_weight : 1.0;
      loss += -weight * (y * std::log(std::max(p, 1e-12)) + (1 - y) * std::log(std::max(1 - p, 1e-12)));
      const double err = weight * (p - y);
      for (std::size_t i = 0; i < d; ++i) g[i] += err * s.features[i];
      gb += err;
    }
    double reg = 0;
    for (std::size_t i = 0; i < d; ++i) {
      g[i] = g[i] / total_weight + o.l2 * w[i];
      reg += 0.5 * o.l2 * w[i] * w[i];
    }
    gb /= total_weight;
    if (loss_history) loss_history->push_back(loss / total_weight + reg);
    // Adam: the features have very different scales and frequencies.
    const double c1 = 1 - std::pow(beta1, epoch), c2 = 1 - std::pow(beta2, epoch);
    for (std::size_t i = 0; i < d; ++i) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      w[i] -= o.lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + epsilon);
    }
    mb = beta1 * mb + (1 - beta1) * gb;
    vb = beta2 * vb + (1 - beta2) * gb * gb;
    b -= o.lr * (mb / c1) / (std::sqrt(vb / c2) + epsilon);
  }
  for (std::size_t i = 0; i < d; ++i) c.weights[i] = static_cast<float>(w[i]);
  c.bias = static_cast<float>(b);
  return c;
}

std::vector<LineSample> labelled_lines(const OcrResult& ocr, const Json& truth_pii) {
  // Label the lines with the features left empty; the caller fills them.
  std::vector<LineSample> out(ocr.lines.size());
  if (!truth_pii.is_array()) return out;
  for (std::size_t i = 0; i < ocr.lines.size(); ++i) {
    const OcrLine& line = ocr.lines[i];
    for (const auto& t : truth_pii) {
      if (!t.is_object() || !t.contains("label") || !t.contains("text") || !t["text"].is_string()) continue;
      const std::string label = t["label"].get<std::string>();
      if (label != "name" && label != "username" && label != "other") continue;
      auto box = t.contains("bbox") ? BBox::from_json(t["bbox"]) : std::nullopt;
      const bool match = box ? iou(*box, line.bbox) >= 0.4 : text_similarity(line.text, t["text"].get<std::string>()) >= 0.8;
      if (match) out[i].positive = true;
    }
  }
  return out;
}

OcrResult ocr_from_record(const Json& record) {
  OcrResult r;
  if (!record.contains("words") || !record["words"].is_array()) return r;
  for (const auto& w : record["words"]) {
    if (!w.is_object() || !w.contains("text") || !w["text"].is_string() || !w.contains("bbox")) continue;
    auto box = BBox::from_json(w["bbox"]);
    if (!box) continue;
    const int line = w.value("line", -1);
    if (line < 0) continue;
    if (static_cast<std::size_t>(line) >= r.lines.size()) r.lines.resize(static_cast<std::size_t>(line) + 1);
    OcrLine& l = r.lines[static_cast<std::size_t>(line)];
    l.words.push_back(static_cast<int>(r.words.size()));
    l.bbox = l.words.size() == 1 ? *box : bbox_union(l.bbox, *box);
    l.text += (l.text.empty() ? "" : " ") + w["text"].get<std::string>();
    r.words.push_back({w["text"].get<std::string>(), *box, w.value("conf", 0.0f), line});
  }
  // Lines that lost all their words (filtered) would confuse the layout rules.
  OcrResult compact;
  for (const auto& l : r.lines) {
    if (l.words.empty()) continue;
    OcrLine nl = l;
    nl.words.clear();
    const int index = static_cast<int>(compact.lines.size());
    for (int w : l.words) {
      OcrWord word = r.words[static_cast<std::size_t>(w)];
      word.line = index;
      nl.words.push_back(static_cast<int>(compact.words.size()));
      compact.words.push_back(word);
    }
    compact.lines.push_back(nl);
  }
  return compact;
}

}  // namespace dtap

namespace dtap {

int run_train_pii_lines(const LineTrainRunOptions& o, const RunContext& context, std::ostream& log_out) {
  if (o.output.empty()) throw UsageError("-o/--output is required");
  if (o.data.empty() || o.truth.empty()) throw UsageError("--data (dtap-annotate output) and --truth are required");
  std::error_code ec;
  if (fs::exists(o.output, ec) && !context.force) throw UsageError(o.output + " exists; use --force to replace it");
  for (const auto& in : o.data)
    if (in == o.output) throw UsageError("output " + o.output + " would overwrite input " + in);
  std::map<std::string, Json> truth;
  for (const auto& path : o.truth) {
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read --truth file '" + path + "'");
    RecordReader reader(in);
    while (auto r = reader.next())
      if (r->contains("id") && (*r)["id"].is_string()) truth[(*r)["id"].get<std::string>()] = (*r).value("pii", Json::array());
  }
  PiiOptions pii;
  pii.use_name_lists = o.use_name_lists;
  std::vector<LineSample> samples;
  Json sources = Json::array();
  std::size_t records = 0, positives = 0;
  for (const auto& path : o.data) {
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read --data file '" + path + "'");
    RecordReader reader(in);
    std::size_t used = 0;
    while (auto r = reader.next()) {
      if (r->contains("error") && !(*r)["error"].is_null()) continue;
      auto it = truth.find(record_name(*r));
      if (it == truth.end()) continue;
      const OcrResult ocr = ocr_from_record(*r);
      auto labelled = labelled_lines(ocr, it->second);
      auto features = page_line_features(ocr, pii);
      for (std::size_t i = 0; i < labelled.size(); ++i) {
        labelled[i].features = std::move(features[i]);
        positives += labelled[i].positive;
        samples.push_back(std::move(labelled[i]));
      }
      ++used;
    }
    std::ifstream bytes(path, std::ios::binary);
    std::stringstream content;
    content << bytes.rdbuf();
    sources.push_back({{"path", path}, {"sha256", sha256_hex(content.str())}, {"records", used}});
    records += used;
  }
  if (samples.empty()) throw UsageError("no annotated record matched a --truth record by id");
  std::vector<double> history;
  LineClassifier c = train_line_classifier(samples, o.train, &history);
  // Threshold: the best line-level F1 on the training lines.
  double best_f1 = -1, best_t = 0.5, best_p = 0, best_r = 0;
  for (int k = 5; k <= 95; ++k) {
    const double t = k / 100.0;
    std::size_t tp = 0, fp = 0, fn = 0;
    for (const auto& s : samples) {
      const bool yes = c.probability(s.features) >= t;
      tp += yes && s.positive;
      fp += yes && !s.positive;
      fn += !yes && s.positive;
    }
    const double p = tp + fp ? double(tp) / double(tp + fp) : 0, r = tp + fn ? double(tp) / double(tp + fn) : 0;
    const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    if (f1 > best_f1) {
      best_f1 = f1;
      best_t = t;
      best_p = p;
      best_r = r;
    }
  }
  c.threshold = static_cast<float>(best_t);
  auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
  c.manifest = {{"kind", "dtap-pii-lines"},
                {"made_by", "dtap-train pii-lines"},
                {"data", sources},
                {"records", records},
                {"lines", samples.size()},
                {"positive_lines", positives},
                {"epochs", o.train.epochs},
                {"lr", o.train.lr},
                {"l2", o.train.l2},
                {"positive_weight", o.train.positive_weight},
                {"name_lists", o.use_name_lists},
                {"loss", {{"first", r3(history.front())}, {"last", r3(history.back())}}},
                {"training_lines", {{"threshold", best_t}, {"precision", r3(best_p)}, {"recall", r3(best_r)}, {"f1", r3(best_f1)}}}};
  c.save(o.output);
  log_out << c.manifest.dump() << "\n";
  return 0;
}

}  // namespace dtap
