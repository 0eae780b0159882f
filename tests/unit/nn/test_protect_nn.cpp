// run_protect end to end (dualtap with a small saved generator, and the baselines).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/nn/protect.hpp"
#include "dtap/nn/generator.hpp"
#include "../test_util.hpp"

namespace fs = std::filesystem;

using dtap::test::tmp_dir;
using dtap::test::bytes_of;

namespace {

// n screenshots of odd size with one PII box each; returns the records as JSON Lines.
std::string make_inputs(const std::string& dir, int n) {
  std::ostringstream lines;
  for (int i = 0; i < n; ++i) {
    cv::Mat img(101, 83, CV_8UC3, cv::Scalar(250, 250, 250));
    cv::putText(img, "Ana " + std::to_string(i), {5, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(20, 20, 20), 1);
    std::string png = dir + "/shot" + std::to_string(i) + ".png";
    cv::imwrite(png, img);
    dtap::Json r = {{"id", "shot" + std::to_string(i)}, {"image", png}, {"width", 83}, {"height", 101},
                    {"pii", {{{"label", "name"}, {"text", "Ana"}, {"bbox", {4, 24, 60, 22}}}}}};
    lines << r.dump() << "\n";
  }
  return lines.str();
}

std::vector<dtap::Json> parse(const std::string& out) {
  std::vector<dtap::Json> v;
  std::istringstream in(out);
  dtap::RecordReader reader(in);
  while (auto r = reader.next()) v.push_back(*r);
  return v;
}

std::string save_loud_generator(const std::string& dir) {
  torch::manual_seed(3);
  dtap::nn::GeneratorConfig c;
  c.channels = {4, 8};
  c.eps = 0.2;
  dtap::nn::Generator g(c);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : g->named_parameters())
      if (p.key().rfind("head", 0) == 0 && p.key().find("weight") != std::string::npos) p.value().normal_(0, 3.0);
  }
  dtap::nn::save_generator(g, dir + "/g.pt", {{"note", "test"}});
  return dir + "/g.pt";
}

}  // namespace

TEST(ProtectRun, DualtapWritesSameSizePngsAndRecords) {
  std::string dir = tmp_dir("protect-run");
  std::istringstream in(make_inputs(dir, 2));
  std::ostringstream out;
  dtap::ProtectOptions o;
  o.model = save_loud_generator(dir);
  o.out_dir = dir + "/out";
  ASSERT_EQ(dtap::run_protect(o, dtap::RunContext{}, in, out), 0);
  auto records = parse(out.str());
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_TRUE(r["error"].is_null());
    EXPECT_EQ(r["protect"]["method"], "dualtap");
    EXPECT_DOUBLE_EQ(r["protect"]["epsilon"].get<double>(), 0.2);  // the model's own
    EXPECT_GT(r["protect"]["psnr"].get<double>(), 10.0);
    cv::Mat a = cv::imread(r["image"].get<std::string>()), b = cv::imread(r["protected"].get<std::string>());
    ASSERT_EQ(b.size(), a.size());
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    cv::Mat outside = diff.clone();
    outside(cv::Rect(4, 24, 60, 22)).setTo(0);
    EXPECT_EQ(cv::norm(outside, cv::NORM_INF), 0.0);
    EXPECT_GT(cv::norm(diff, cv::NORM_INF), 10.0);
    EXPECT_LE(cv::norm(diff, cv::NORM_INF), 0.2 * 255 + 1);
  }
}

TEST(ProtectRun, NeverWritesOverItsInput) {
  std::string dir = tmp_dir("protect-input");
  std::istringstream in(make_inputs(dir, 2));
  std::string before = bytes_of(dir + "/shot0.png");
  std::ostringstream out;
  dtap::ProtectOptions o;
  o.method = "mask";
  o.out_dir = dir;  // shot0.png would land on the input itself
  dtap::RunContext context;
  context.force = true;  // not even with --force
  EXPECT_EQ(dtap::run_protect(o, context, in, out), 1);
  auto records = parse(out.str());
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) EXPECT_NE(r["error"].get<std::string>().find("it is an input"), std::string::npos);
  EXPECT_EQ(bytes_of(dir + "/shot0.png"), before);
}

TEST(ProtectRun, BadRecordsGetErrorsAndTheRestGoesOn) {
  std::string dir = tmp_dir("protect-bad");
  std::string lines = make_inputs(dir, 1) + R"({"id": "ghost", "image": "/nonexistent/x.png"})" + "\n" + "{not json\n" +
                      R"({"id": "nobox", "image": ")" + dir + R"(/shot0.png", "pii": [{"bbox": "x"}]})" + "\n";
  std::istringstream in(lines);
  std::ostringstream out;
  dtap::ProtectOptions o;
  o.method = "blur";
  o.out_dir = dir + "/out";
  EXPECT_EQ(dtap::run_protect(o, dtap::RunContext{}, in, out), 1);
  auto records = parse(out.str());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_TRUE(records[0]["error"].is_null());
  EXPECT_TRUE(fs::exists(dir + "/out/shot0.png"));
  for (int i = 1; i < 4; ++i) EXPECT_TRUE(records[static_cast<std::size_t>(i)]["error"].is_string());
}

TEST(ProtectRun, ShardsCoverEveryRecordExactlyOnce) {
  std::string dir = tmp_dir("protect-shard");
  std::string lines = make_inputs(dir, 7);
  std::multiset<std::string> ids;
  for (int k = 1; k <= 3; ++k) {
    std::istringstream in(lines);
    std::ostringstream out;
    dtap::ProtectOptions o;
    o.method = "none";
    o.out_dir = dir + "/out";
    o.shard = std::to_string(k) + "/3";
    ASSERT_EQ(dtap::run_protect(o, dtap::RunContext{}, in, out), 0);
    for (const auto& r : parse(out.str())) ids.insert(r["id"].get<std::string>());
  }
  ASSERT_EQ(ids.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(ids.count("shot" + std::to_string(i)), 1u);
}

TEST(ProtectRun, CorruptModelIsOneClearError) {
  std::string dir = tmp_dir("protect-corrupt");
  std::string model = save_loud_generator(dir);
  { std::ofstream(model, std::ios::trunc) << "garbage"; }
  std::istringstream in(make_inputs(dir, 1));
  std::ostringstream out;
  dtap::ProtectOptions o;
  o.model = model;
  o.out_dir = dir + "/out";
  try {
    dtap::run_protect(o, dtap::RunContext{}, in, out);
    FAIL() << "no error";
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot load generator model"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(out.str().empty());
}
