#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dtap/run.hpp"
#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using dtap::Json;

TEST(Jsonl, MalformedLineBecomesErrorRecordAndStreamGoesOn) {
  std::istringstream in("{\"id\": \"a\", \"image\": \"a.png\"}\n\n{not json\n[1,2]\n{\"id\": \"b\", \"image\": \"b.png\"}\n");
  dtap::RecordReader reader(in);
  auto a = reader.next();
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["id"], "a");
  auto bad = reader.next();
  ASSERT_TRUE(bad);
  EXPECT_EQ((*bad)["id"], "line 3");
  EXPECT_NE((*bad)["error"].get<std::string>().find("line 3: malformed JSON"), std::string::npos);
  auto arr = reader.next();
  EXPECT_NE((*arr)["error"].get<std::string>().find("not a JSON object"), std::string::npos);
  auto b = reader.next();
  EXPECT_EQ((*b)["id"], "b");
  EXPECT_FALSE(reader.next());
}

TEST(Jsonl, DirectoriesExpandSortedImagesOnly) {
  fs::path d = dtap::test::tmp_dir("expand");
  for (const char* n : {"b.png", "a.JPG", "c.webp", "notes.txt", "d.jpeg"}) std::ofstream(d / n) << "x";
  auto paths = dtap::expand_image_paths({d.string(), "missing.png"});
  ASSERT_EQ(paths.size(), 5u);
  EXPECT_EQ(fs::path(paths[0]).filename(), "a.JPG");
  EXPECT_EQ(fs::path(paths[1]).filename(), "b.png");
  EXPECT_EQ(fs::path(paths[3]).filename(), "d.jpeg");
  EXPECT_EQ(paths[4], "missing.png");
  Json r = dtap::record_for_image(paths[1]);
  EXPECT_EQ(r["id"], "b");
}

TEST(Batch, ErrorsAreRecordedOrderKeptAndExitCodeSet) {
  std::vector<Json> in;
  for (int i = 0; i < 7; ++i) in.push_back(Json{{"id", std::to_string(i)}, {"image", "x.png"}});
  in[5]["error"] = "upstream: broke";
  std::size_t pos = 0;
  auto next = [&]() -> std::optional<Json> {
    if (pos >= in.size()) return std::nullopt;
    return in[pos++];
  };
  std::ostringstream out;
  dtap::BatchOptions opt;
  opt.jobs = 3;
  auto stats = dtap::run_batch(
      next,
      [](Json& r) {
        if (r["id"] == "2") throw dtap::Error("cannot read image");
        r["seen"] = true;
      },
      out, opt);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.passed_on, 1u);
  EXPECT_EQ(stats.exit_code(), 1);
  std::istringstream lines(out.str());
  std::string line;
  int i = 0;
  while (std::getline(lines, line)) {
    Json r = Json::parse(line);
    EXPECT_EQ(r["id"], std::to_string(i));
    if (i == 2) {
      EXPECT_NE(r["error"].get<std::string>().find("cannot read image"), std::string::npos);
    } else if (i == 5) {
      EXPECT_EQ(r["error"], "upstream: broke");
    } else {
      EXPECT_TRUE(r["error"].is_null());
    }
    ++i;
  }
  EXPECT_EQ(i, 7);
}

TEST(Batch, FailFastStopsAfterFirstFailure) {
  int n = 0;
  auto next = [&]() -> std::optional<Json> {
    if (n >= 5) return std::nullopt;
    return Json{{"id", std::to_string(n++)}, {"image", "x"}};
  };
  std::ostringstream out;
  dtap::BatchOptions opt;
  opt.keep_going = false;
  auto stats = dtap::run_batch(next, [](Json& r) { if (r["id"] == "1") throw dtap::Error("bad"); }, out, opt);
  EXPECT_EQ(stats.exit_code(), 1);
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

TEST(Jsonl, MalformedLineErrorNeverQuotesTheLine) {
  // nlohmann quotes what it last read ("...; last read: '...'"): it may be a PII value.
  std::istringstream in("{\"pii\": [{\"text\": \"Jane Roe 555-0142\"}] oops\n");
  dtap::RecordReader reader(in);
  auto bad = reader.next();
  ASSERT_TRUE(bad);
  const std::string error = (*bad)["error"].get<std::string>();
  EXPECT_NE(error.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(error.find("555-0142"), std::string::npos) << error;
  EXPECT_EQ(error.find("last read"), std::string::npos) << error;
}

TEST(Batch, MalformedInputLinesAreThisProgramsFailures) {
  std::istringstream in("{\"id\": \"a\", \"image\": \"a.png\"}\n{broken\n");
  dtap::RecordReader reader(in);
  std::ostringstream out;
  auto stats = dtap::run_batch([&] { return reader.next(); }, [](Json&) {}, out, dtap::BatchOptions{});
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.passed_on, 0u);
  EXPECT_EQ(stats.exit_code(), 1);
}

TEST(Batch, ResumeTakesCompleteDoneRecordsAndProcessesTheRest) {
  fs::path d = dtap::test::tmp_dir("resume");
  const std::string earlier = (d / "earlier.jsonl").string();
  {
    std::ofstream f(earlier);
    f << R"({"id": "0", "image": "0.png", "done": "before"})" << "\n"
      << R"({"id": "1", "image": "1.png", "error": "tool: broke"})" << "\n"   // failed: redone
      << R"({"id": "2", "image": "other.png", "done": "before"})" << "\n"    // another image: redone
      << R"({"id": "3", "image": "3.png", "done": "before"})" << "\n"        // its output is gone: redone
      << R"({"id": "4", "image": "4.png", "do)";                             // cut short: redone
  }
  dtap::RunContext context;
  context.resume = earlier;
  dtap::BatchOptions opt = dtap::batch_options(context, "records");
  ASSERT_TRUE(opt.resume);
  EXPECT_EQ(opt.resume->size(), 3u);
  opt.still_complete = [](const Json& r) { return r["id"] != "3"; };
  std::size_t pos = 0;
  auto next = [&]() -> std::optional<Json> {
    if (pos >= 5) return std::nullopt;
    const std::string id = std::to_string(pos++);
    return Json{{"id", id}, {"image", id + ".png"}};
  };
  std::ostringstream out;
  auto stats = dtap::run_batch(next, [](Json& r) { r["done"] = "now"; }, out, opt);
  EXPECT_EQ(stats.resumed, 1u);
  EXPECT_EQ(stats.processed, 4u);
  std::istringstream lines(out.str());
  std::vector<std::string> done;
  for (std::string line; std::getline(lines, line);) done.push_back(Json::parse(line)["done"]);
  EXPECT_EQ(done, (std::vector<std::string>{"before", "now", "now", "now", "now"}));

  context.resume = (d / "missing.jsonl").string();
  EXPECT_THROW(dtap::batch_options(context, "records"), dtap::UsageError);
}
