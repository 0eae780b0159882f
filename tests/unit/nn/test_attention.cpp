#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include "dtap/nn/attention.hpp"
#include "dtap/error.hpp"
#include "dtap/nn/reader.hpp"
#include "../test_util.hpp"

namespace fs = std::filesystem;
using dtap::Json;

namespace {
// Two tiny untrained readers saved to disk (the ensemble).
std::vector<std::string> tiny_readers() {
  static std::vector<std::string> paths = [] {
    fs::path dir = dtap::test::tmp_dir("attention-readers");
    std::vector<std::string> p;
    for (const auto& arch : dtap::nn::reader_archs()) {
      torch::manual_seed(5);
      auto r = dtap::nn::make_reader(arch);
      r->eval();
      const auto path = (dir / (arch + ".pt")).string();
      dtap::nn::save_reader(*r, path, Json::object());
      p.push_back(path);
    }
    return p;
  }();
  return paths;
}

cv::Mat screen() {
  cv::Mat m(120, 200, CV_32FC3, cv::Scalar(1, 1, 1));
  cv::putText(m, "Ana Li", {12, 36}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 2);
  cv::putText(m, "Send", {12, 96}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 2);
  return m;
}

Json record() {
  return Json::parse(R"({"id": "t", "width": 200, "height": 120,
    "words": [{"text": "Ana Li", "bbox": [10, 18, 80, 24]}, {"text": "Send", "bbox": [10, 78, 60, 24]}],
    "pii": [{"label": "name", "text": "Ana Li", "bbox": [10, 18, 80, 24]}],
    "tasks": [{"question": "?", "answer": "Send", "bbox": [0, 70, 100, 40]}]})");
}

double mass_in(const cv::Mat& a, cv::Rect r) { return cv::sum(a(r))[0]; }
}  // namespace

TEST(Attention, TargetsSplitPrivacyFromTask) {
  auto t = dtap::attention_targets(record(), 200, 120);
  ASSERT_EQ(t.privacy_boxes.size(), 1u);
  EXPECT_EQ(t.privacy_texts[0], "Ana Li");
  ASSERT_EQ(t.task_texts.size(), 1u);  // the PII word is not a task word; the task answer is the word "Send"
  EXPECT_EQ(t.task_texts[0], "Send");
  Json r = record();
  r["tasks"][0]["answer"] = "Go back";  // an answer not among the words: its own box
  t = dtap::attention_targets(r, 200, 120);
  EXPECT_EQ(t.task_texts.size(), 2u);
}

TEST(Attention, NoPiiGivesAllZeroMap) {
  dtap::AttentionOptions o;
  o.readers = tiny_readers();
  o.floor = 0.1;
  dtap::AttentionModel m(o);
  Json r = record();
  r["pii"] = Json::array();
  cv::Mat a = m.compute(screen(), r);
  ASSERT_EQ(a.size(), cv::Size(200, 120));
  EXPECT_EQ(cv::countNonZero(a), 0);
  r.erase("pii");
  EXPECT_EQ(cv::countNonZero(m.compute(screen(), r)), 0);
}

TEST(Attention, BoxMethodFillsPiiBoxes) {
  dtap::AttentionOptions o;
  o.method = "box";
  o.dilate = 0;
  dtap::AttentionModel m(o);
  cv::Mat a = m.compute(screen(), record());
  EXPECT_FLOAT_EQ(a.at<float>(30, 50), 1.0f);
  EXPECT_FLOAT_EQ(a.at<float>(90, 30), 0.0f);
  EXPECT_DOUBLE_EQ(mass_in(a, {10, 18, 80, 24}), cv::sum(a)[0]);
}

TEST(Attention, ContrastMapLiesOnPrivacyNotTask) {
  for (const std::string method : {"grad", "contrast"}) {
    dtap::AttentionOptions o;
    o.readers = tiny_readers();
    o.method = method;
    o.dilate = 0;
    o.threshold = 0;
    dtap::AttentionModel m(o);
    cv::Mat a = m.compute(screen(), record());
    double mn, mx;
    cv::minMaxLoc(a, &mn, &mx);
    EXPECT_GE(mn, 0.0);
    EXPECT_NEAR(mx, 1.0, 1e-6) << method;
    const double total = cv::sum(a)[0];
    // The privacy crop (box + context) holds the map; the task line gets none.
    EXPECT_GT(mass_in(a, {0, 8, 110, 44}) / total, 0.9) << method;
    EXPECT_LT(mass_in(a, {0, 74, 200, 32}) / total, 0.01) << method;
  }
}

TEST(Attention, ShapingFloorAndOptionsChecked) {
  dtap::AttentionOptions o;
  o.method = "box";
  o.dilate = 2;
  o.floor = 0.1;
  dtap::AttentionModel m(o);
  cv::Mat a = m.compute(screen(), record());
  EXPECT_NEAR(a.at<float>(100, 190), 0.1f, 1e-6);
  EXPECT_NEAR(a.at<float>(17, 50), 1.0f, 1e-6);  // dilated one pixel above the box
  dtap::AttentionOptions bad;
  bad.method = "saliency";
  EXPECT_THROW(dtap::AttentionModel{bad}, dtap::UsageError);
  dtap::AttentionOptions missing;
  missing.readers = {"/nonexistent/reader.pt"};
  EXPECT_THROW(dtap::AttentionModel{missing}, dtap::UsageError);
}
