#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/eval.hpp"
#include "dtap/external.hpp"
#include "dtap/quality.hpp"

namespace fs = std::filesystem;

TEST(EvalRules, ReplyNormalisationStripsActionWords) {
  EXPECT_EQ(dtap::normalise_reply("Tap the \"Add profile\" button."), "the add profile");
  EXPECT_EQ(dtap::normalise_reply("CLICK: Send!"), "send");
}

TEST(EvalRules, ReplyAnswersTask) {
  const std::string q = "To add a new shopper profile, what should you tap?";
  EXPECT_TRUE(dtap::reply_answers_task("You should tap the Add profile button", q, "Add profile"));
  EXPECT_TRUE(dtap::reply_answers_task("add profile", q, "Add profile"));
  EXPECT_FALSE(dtap::reply_answers_task("Tap Settings", q, "Add profile"));
  // Partial words do not count.
  EXPECT_FALSE(dtap::reply_answers_task("Send", "To reply?", "end"));
  // An answer found only in an echo of the question does not count.
  const std::string q2 = "Should you tap Save changes to keep your edits, or what should you tap?";
  EXPECT_FALSE(dtap::reply_answers_task(q2, q2, "Save changes"));
  EXPECT_TRUE(dtap::reply_answers_task(q2 + " Save changes.", q2, "Save changes"));
}

TEST(EvalRules, LeakSimilarityUsesBestWindowAndThreshold) {
  std::vector<std::vector<std::string>> lines = {{"Email"}, {"amara_itol4@hotmail.co.uk"}, {"Phone", "876.442.6991"}};
  EXPECT_GT(dtap::best_leak_similarity(lines, "amara_ito14@hotmail.co.uk"), 0.95);
  EXPECT_DOUBLE_EQ(dtap::best_leak_similarity(lines, "876.442.6991"), 1.0);
  EXPECT_LT(dtap::best_leak_similarity(lines, "Oliver Twist"), 0.6);
  // Half the characters destroyed: below the paper's 0.6.
  EXPECT_LT(dtap::best_leak_similarity({{"87#.#4#.#9#1"}}, "876.442.6991"), 0.6);
}

TEST(EvalRules, GroundingNeedsTextAndBoxCentre) {
  dtap::OcrResult r;
  r.words = {{"Save", {100, 500, 60, 30}, 95, 0}, {"changes", {170, 500, 110, 30}, 95, 0}, {"Cancel", {400, 500, 90, 30}, 95, 1}};
  r.lines = {{"Save changes", {100, 500, 180, 30}, 95, {0, 1}}, {"Cancel", {400, 500, 90, 30}, 95, {2}}};
  dtap::BBox button{80, 480, 240, 70}, elsewhere{600, 480, 200, 70};
  EXPECT_TRUE(dtap::ocr_grounds_answer(r, "Save changes", &button, 0.8));
  EXPECT_FALSE(dtap::ocr_grounds_answer(r, "Save changes", &elsewhere, 0.8));
  EXPECT_FALSE(dtap::ocr_grounds_answer(r, "Sign out", &button, 0.8));
  EXPECT_TRUE(dtap::ocr_grounds_answer(r, "Cancel", nullptr, 0.8));
}

TEST(Quality, PsnrAndSsimOverRegions) {
  cv::Mat a(64, 64, CV_8UC3);
  cv::randu(a, 0, 255);
  EXPECT_TRUE(std::isinf(dtap::psnr(a, a)));
  EXPECT_NEAR(dtap::ssim(a, a), 1.0, 1e-6);
  cv::Mat b = a.clone();
  b(cv::Rect(0, 0, 32, 64)) += cv::Scalar::all(10);  // only the left half differs
  cv::Mat left(64, 64, CV_8U, cv::Scalar(0));
  left(cv::Rect(0, 0, 32, 64)).setTo(255);
  cv::Mat right = left == 0;
  EXPECT_TRUE(std::isinf(dtap::psnr(a, b, right)));
  double p_left = dtap::psnr(a, b, left);
  EXPECT_GT(p_left, 25);
  EXPECT_LT(p_left, 29);  // about 10 per channel where not saturated
  EXPECT_GT(dtap::psnr(a, b), p_left);
  EXPECT_LT(dtap::ssim(a, b, left), dtap::ssim(a, b, right));
  EXPECT_TRUE(std::isnan(dtap::psnr(a, b, cv::Mat(64, 64, CV_8U, cv::Scalar(0)))));
}

TEST(Quality, TransformsParseAndApply) {
  auto t = dtap::Transform::parse("jpeg:75,scale:0.5,blur:1");
  ASSERT_EQ(t.steps.size(), 3u);
  cv::Mat img(100, 80, CV_8UC3, cv::Scalar(200, 100, 50));
  cv::putText(img, "Hi", {10, 50}, cv::FONT_HERSHEY_SIMPLEX, 1, cv::Scalar(0, 0, 0), 2);
  cv::Mat out = t.apply(img);
  EXPECT_EQ(out.size(), cv::Size(40, 50));
  EXPECT_GT(cv::norm(dtap::Transform::parse("jpeg:10").apply(img), img, cv::NORM_L1), 0.0);
  for (const char* bad : {"jpeg", "jpeg:abc", "jpeg:0", "scale:0", "blur:-1", "rotate:5", "jpeg:75,", "jpeg:7x"})
    EXPECT_THROW(dtap::Transform::parse(bad), dtap::UsageError) << bad;
}

TEST(External, SplitCommandHonoursQuotes) {
  auto a = dtap::split_command("client --q '{question}' \"a b\" c\\ d");
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[2], "{question}");
  EXPECT_EQ(a[3], "a b");
  EXPECT_EQ(a[4], "c d");
  EXPECT_THROW(dtap::split_command("x 'open"), dtap::UsageError);
  auto e = dtap::expand_command(a, "/tmp/x.png", "What's the name; rm -rf /?");
  EXPECT_EQ(e[2], "What's the name; rm -rf /?");  // one argument, never a shell
}

TEST(External, RunsRealProgramAndReportsExitCode) {
  auto r = dtap::run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_THROW(dtap::run_command({"/nonexistent/program"}, 5), dtap::Error);
  EXPECT_THROW(dtap::run_command({"no-such-program-dtap"}, 5), dtap::Error);
}

TEST(External, ChattyStderrDoesNotDeadlock) {
  // 1 MB on stderr and stdout: more than a pipe buffer holds.
  auto r = dtap::run_command({"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' e >&2; head -c 1000000 /dev/zero"}, 20);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err.size(), 1000000u);
  EXPECT_EQ(r.out.size(), 1000000u);
}

TEST(External, HangingCommandIsKilledAtTimeout) {
  auto start = std::chrono::steady_clock::now();
  try {
    dtap::run_command({"sh", "-c", "sleep 30; echo late"}, 1);
    FAIL() << "no timeout";
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos);
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(s, 10);
}

TEST(External, ConcurrentCallsDoNotInheritEachOthersPipes) {
  // Batches run commands from several threads. A child forked by one thread must not inherit the
  // stdout pipe of another thread's child, or that call waits for the unrelated (maybe hanging)
  // child to exit: a fast command would time out beside a slow one.
  std::atomic<bool> stop{false};
  std::vector<std::thread> slow;
  for (int t = 0; t < 4; ++t)
    slow.emplace_back([&] {
      while (!stop) dtap::run_command({"sleep", "2"}, 10);
    });
  double worst_s = 0;
  for (int i = 0; i < 300; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = dtap::run_command({"echo", "fast"}, 10);
    worst_s = std::max(worst_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(r.out, "fast\n");
  }
  stop = true;
  for (auto& t : slow) t.join();
  EXPECT_LT(worst_s, 1.5);
}

TEST(EvalSummary, CountsAndRatios) {
  std::vector<dtap::Json> records = {
      {{"eval", {{"pii_total", 4}, {"pii_leaked", 3}, {"pii_exact", 2}, {"tasks_total", 2}, {"tasks_ok", 2},
                 {"by_label", {{"email", {{"total", 1}, {"leaked", 1}, {"exact", 1}}}}},
                 {"transforms", {{"jpeg:75", {{"pii_total", 4}, {"pii_leaked", 1}, {"pii_exact", 0}}}}}}}},
      {{"eval", {{"pii_total", 4}, {"pii_leaked", 1}, {"pii_exact", 0}, {"tasks_total", 2}, {"tasks_ok", 1}}}},
      dtap::Json::object()};
  auto s = dtap::summarise(records);
  EXPECT_EQ(s["records"], 2);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_DOUBLE_EQ(s["plr"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(s["plr_exact"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(s["tsr"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(s["transforms"]["jpeg:75"]["plr"].get<double>(), 0.25);
  std::string table = dtap::format_compare_table({{"clean", s}, {"other", s}});
  EXPECT_NE(table.find("PLR[jpeg:75]"), std::string::npos);
  EXPECT_NE(table.find("0.500"), std::string::npos);
}

TEST(EvalReaders, SpecsParseAndBadOnesAreUsageErrors) {
  using K = dtap::ReaderSpec::Kind;
  auto t = dtap::ReaderSpec::parse("tesseract:script/Latin");
  EXPECT_EQ(t.kind, K::tesseract);
  EXPECT_EQ(t.lang, "script/Latin");
  EXPECT_TRUE(t.gives_boxes());
  EXPECT_EQ(dtap::ReaderSpec::parse("tesseract").lang, "");
  auto r = dtap::ReaderSpec::parse("reader:m.pt");
  EXPECT_EQ(r.kind, K::reader);
  EXPECT_EQ(r.model, "m.pt");
  EXPECT_TRUE(r.gives_boxes());
  EXPECT_FALSE(dtap::ReaderSpec::parse("gocr").gives_boxes());
  EXPECT_EQ(dtap::ReaderSpec::parse("ocrad").kind, K::ocrad);
  EXPECT_TRUE(dtap::ReaderSpec::parse("cmd:client {image}").is_command());
  for (std::string bad : {"tesseract:", "reader:", "gocr2", "cmd:", "cmd:client", "Tesseract"})
    EXPECT_THROW(dtap::ReaderSpec::parse(bad), dtap::UsageError) << bad;
  // A reader router needs the neural page reader; text-only engines cannot be agents.
  dtap::EvalOptions o;
  o.router = "reader";
  EXPECT_THROW(dtap::Evaluator{o}, dtap::UsageError);
  o.router = "tesseract";
  o.agent = "ocrad";
  EXPECT_THROW(dtap::Evaluator{o}, dtap::UsageError);
}
