// dtap-annotate's line classifier: features, training, model file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dtap/error.hpp"
#include "dtap/pii.hpp"
#include "dtap/pii_lines.hpp"
#include "dtap/text.hpp"
#include "test_util.hpp"

namespace {

dtap::OcrResult rows(const std::vector<std::tuple<double, double, std::string>>& lines) {
  dtap::OcrResult r;
  for (const auto& [x0, y, text] : lines) {
    dtap::OcrLine line;
    double x = x0;
    for (const auto& w : dtap::split_whitespace(text)) {
      dtap::OcrWord word{w, dtap::BBox{x, y, 10.0 * w.size(), 20}, 90, static_cast<int>(r.lines.size())};
      line.words.push_back(static_cast<int>(r.words.size()));
      line.bbox = line.words.size() == 1 ? word.bbox : dtap::bbox_union(line.bbox, word.bbox);
      line.text += (line.text.empty() ? "" : " ") + w;
      r.words.push_back(word);
      x += 10.0 * (w.size() + 1);
    }
    r.lines.push_back(line);
  }
  return r;
}

// A chat list: titles (names) over previews, with times on the title rows.
dtap::OcrResult chat_list() {
  return rows({{100, 100, "Zoltan"}, {600, 100, "13:26"}, {100, 125, "See you at the station at six"},
               {100, 200, "Ilse Brandt"}, {600, 200, "Mon"}, {100, 225, "The keys are under the mat"},
               {100, 300, "Archive"}, {100, 400, "Settings and privacy"}});
}

}  // namespace

TEST(PiiLines, FeaturesPerLineAndLabelsFromTruth) {
  auto ocr = chat_list();
  auto f = dtap::page_line_features(ocr);
  ASSERT_EQ(f.size(), ocr.lines.size());
  for (const auto& v : f) EXPECT_EQ(v.size(), dtap::line_feature_names().size());
  const dtap::Json truth = dtap::Json::parse(R"([{"label": "name", "text": "Zoltan", "bbox": [100, 100, 60, 20]},
                                                 {"label": "name", "text": "Ilse Brandt"}])");
  auto labelled = dtap::labelled_lines(ocr, truth);
  ASSERT_EQ(labelled.size(), ocr.lines.size());
  EXPECT_TRUE(labelled[0].positive);   // by box
  EXPECT_TRUE(labelled[3].positive);   // by text (no box)
  EXPECT_FALSE(labelled[2].positive);  // a preview
  EXPECT_FALSE(labelled[6].positive);
}

TEST(PiiLines, TrainingLowersTheLossAndSeparatesTitlesFromPreviews) {
  auto ocr = chat_list();
  const dtap::Json truth = dtap::Json::parse(R"([{"label": "name", "text": "Zoltan"}, {"label": "name", "text": "Ilse Brandt"}])");
  auto samples = dtap::labelled_lines(ocr, truth);
  auto f = dtap::page_line_features(ocr);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i].features = f[i];
  std::vector<double> loss;
  dtap::LineTrainOptions o;
  o.epochs = 50;
  auto c = dtap::train_line_classifier(samples, o, &loss);
  ASSERT_EQ(loss.size(), 50u);
  EXPECT_LT(loss.back(), 0.5 * loss.front());
  EXPECT_GT(c.probability(f[0]), c.probability(f[2]));
  EXPECT_GT(c.probability(f[3]), c.probability(f[6]));
}

TEST(PiiLines, SaveLoadAndCorruptModels) {
  const std::filesystem::path dir = dtap::test::tmp_dir("pii-lines");
  dtap::LineClassifier c;
  c.weights.assign(dtap::line_feature_names().size(), 0.25f);
  c.bias = -1;
  c.threshold = 0.7f;
  c.manifest = {{"made_by", "test"}};
  const std::string path = (dir / "lines.json").string();
  c.save(path);
  auto back = dtap::LineClassifier::load(path);
  EXPECT_EQ(back.weights, c.weights);
  EXPECT_FLOAT_EQ(back.threshold, 0.7f);
  EXPECT_EQ(back.manifest["made_by"], "test");
  // Truncated, not JSON, another kind, other features: one clear error each.
  const std::string text = dtap::test::bytes_of(path);
  auto write = [&](const std::string& name, const std::string& body) {
    std::ofstream((dir / name).string()) << body;
    return (dir / name).string();
  };
  EXPECT_THROW(dtap::LineClassifier::load(write("cut.json", text.substr(0, text.size() / 2))), dtap::Error);
  EXPECT_THROW(dtap::LineClassifier::load(write("png.json", "\x89PNG\r\n")), dtap::Error);
  EXPECT_THROW(dtap::LineClassifier::load(write("kind.json", R"({"kind": "dtap-reader"})")), dtap::Error);
  dtap::Json other = dtap::Json::parse(text);
  other["features"].push_back("extra");
  other["weights"].push_back(1.0);
  EXPECT_THROW(dtap::LineClassifier::load(write("other.json", other.dump())), dtap::Error);
  EXPECT_THROW(dtap::LineClassifier::load((dir / "missing.json").string()), dtap::Error);
}

TEST(PiiLines, OcrFromAnnotatedRecord) {
  const dtap::Json r = dtap::Json::parse(R"({"words": [
      {"text": "Ilse", "bbox": [10, 10, 40, 20], "line": 0}, {"text": "Brandt", "bbox": [55, 10, 60, 20], "line": 0},
      {"text": "13:26", "bbox": [300, 10, 50, 20], "line": 2}]})");
  auto ocr = dtap::ocr_from_record(r);
  ASSERT_EQ(ocr.lines.size(), 2u);  // the empty line 1 is dropped
  EXPECT_EQ(ocr.lines[0].text, "Ilse Brandt");
  EXPECT_EQ(ocr.words[2].line, 1);
}

TEST(PiiLines, TrainingRunRefusesBadInputs) {
  const std::filesystem::path dir = dtap::test::tmp_dir("pii-lines-run");
  auto write = [&](const std::string& name, const std::string& body) {
    std::ofstream((dir / name).string()) << body;
    return (dir / name).string();
  };
  dtap::LineTrainRunOptions o;
  o.data = {write("found.jsonl", R"({"id": "a", "words": [{"text": "Ilse", "bbox": [10, 10, 40, 20], "line": 0}]})" "\n")};
  o.truth = {write("truth.jsonl", R"({"id": "b", "pii": []})" "\n")};
  o.output = (dir / "m.json").string();
  std::ostringstream log;
  EXPECT_THROW(dtap::run_train_pii_lines(o, dtap::RunContext{}, log), dtap::UsageError);  // no id in common
  o.truth = {(dir / "missing.jsonl").string()};
  EXPECT_THROW(dtap::run_train_pii_lines(o, dtap::RunContext{}, log), dtap::UsageError);
  o.truth = {write("truth2.jsonl", R"({"id": "a", "pii": [{"label": "name", "text": "Ilse"}]})" "\n")};
  o.output = o.data[0];
  EXPECT_THROW(dtap::run_train_pii_lines(o, dtap::RunContext{}, log), dtap::UsageError);  // would overwrite its input
  o.output = (dir / "m.json").string();
  EXPECT_EQ(dtap::run_train_pii_lines(o, dtap::RunContext{}, log), 0);
  EXPECT_THROW(dtap::run_train_pii_lines(o, dtap::RunContext{}, log), dtap::UsageError);  // exists, no --force
  EXPECT_NO_THROW(dtap::LineClassifier::load(o.output));
}
