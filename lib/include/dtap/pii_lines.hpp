// The learned part of dtap-annotate: a logistic-regression classifier over
// OCR lines that says whether a line is a person's name or handle written as
// a row title (contact and chat lists, senders, feed authors, account
// headers), from the line's shape and layout rather than from name lists.
// Plain C++ (no LibTorch): trained by `dtap-train pii-lines`, shipped as
// share/dtap/models/pii-lines.json (weights + manifest in one JSON file).
#pragma once
#include <string>
#include <vector>

#include "dtap/ocr.hpp"
#include "dtap/record.hpp"
#include "dtap/run.hpp"

namespace dtap {

struct NameLists;

// Names of the features, in the order line_features() fills them.
const std::vector<std::string>& line_feature_names();

// One feature vector per OCR line of the page. `finding_coverage[i]` is the
// share of line i's characters that the rule recognisers already claim, and
// `below_has_contact[i]` whether the line right below holds a phone, e-mail
// or handle (both from find_pii's first pass).
std::vector<std::vector<float>> line_features(const OcrResult& ocr, const NameLists* lists,
                                              const std::vector<float>& finding_coverage,
                                              const std::vector<bool>& below_has_contact);

class LineClassifier {
 public:
  std::vector<float> weights;  // one per feature
  float bias = 0;
  float threshold = 0.5;       // probability above which a line is taken
  Json manifest;               // how it was made, on what, what it scored

  double probability(const std::vector<float>& features) const;
  // Throws dtap::Error for a missing, corrupt or mismatching file (features
  // that are not this program's).
  static LineClassifier load(const std::string& path);
  void save(const std::string& path) const;  // atomic
  // share/dtap/models/pii-lines.json, loaded once (nullptr when not shipped).
  static const LineClassifier* shipped();
};

// A labelled line for training.
struct LineSample {
  std::vector<float> features;
  bool positive = false;
};

struct LineTrainOptions {
  int epochs = 200;
  double lr = 0.1;
  double l2 = 1e-3;
  double positive_weight = 1.0;  // > 1 favours recall
};

// Full-batch gradient descent on the logistic loss; deterministic.
LineClassifier train_line_classifier(const std::vector<LineSample>& samples, const LineTrainOptions& options,
                                     std::vector<double>* loss_history = nullptr);

// The page's lines labelled against true spans: a line is positive when a
// true span of label name, username or other covers it (box IoU >= 0.4, or
// text similarity >= 0.8 where the truth has no box).
std::vector<LineSample> labelled_lines(const OcrResult& ocr, const Json& truth_pii);

// Rebuilds an OcrResult from dtap-annotate's output record ("words" with text,
// bbox, conf and line).
OcrResult ocr_from_record(const Json& record);

}  // namespace dtap

namespace dtap {

// dtap-train pii-lines: features of every OCR line of dtap-annotate's output
// records (--data), labels from the true spans of the records with the same
// id (--truth), logistic regression, threshold at the best line-level F1 on
// the training lines; writes the model with its manifest.
struct LineTrainRunOptions {
  std::vector<std::string> data, truth;
  std::string output;
  LineTrainOptions train;
  bool use_name_lists = true;
};
// context.force replaces an existing output.
int run_train_pii_lines(const LineTrainRunOptions& options, const RunContext& context, std::ostream& log_out);

}  // namespace dtap
