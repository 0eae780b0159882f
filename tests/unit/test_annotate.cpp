#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dtap/annotate.hpp"
#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/synth.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

dtap::SynthScreen screen(const std::string& tpl, int index = 0) {
  dtap::SynthOptions o;
  o.seed = 21;
  o.size = "720x1600";
  o.theme = "light";
  o.templates = {tpl};
  return dtap::render_synth_screen(o, index);
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

TEST(AnnotatePrivScreen, FieldNamesMapToLabels) {
  EXPECT_EQ(dtap::privscreen_label("name"), "name");
  EXPECT_EQ(dtap::privscreen_label("emailAddress"), "email");
  EXPECT_EQ(dtap::privscreen_label("phoneNumbers"), "phone");
  EXPECT_EQ(dtap::privscreen_label("location"), "address");
  EXPECT_EQ(dtap::privscreen_label("address"), "address");
  EXPECT_EQ(dtap::privscreen_label("username"), "username");
  EXPECT_EQ(dtap::privscreen_label("nationality"), "other");
  EXPECT_EQ(dtap::privscreen_label("IP address"), "ip");
  EXPECT_EQ(dtap::privscreen_label("date_of_birth"), "date_of_birth");  // dtap-synth writes dtap labels
  EXPECT_EQ(dtap::privscreen_label("shoe size"), "other");
}

TEST(AnnotatePrivScreen, BothAnswerForms) {
  auto a = dtap::privscreen_answers(dtap::Json::parse(
      R"({"question": "q", "answers": {"name": ["Ana Lopez", "Ben Ito"], "emailAddress": "ana@x.io", "IP address": []}})"));
  EXPECT_EQ(a["name"].size(), 2u);
  EXPECT_EQ(a["email"][0], "ana@x.io");
  EXPECT_FALSE(a.contains("ip"));  // no values, no label
  auto b = dtap::privscreen_answers(dtap::Json::parse(
      R"({"question": "q", "answer": "name: Ana Lopez; emailAddress: ana@x.io ; phoneNumbers: +44 20 7946 0958; junk"})"));
  EXPECT_EQ(b["name"][0], "Ana Lopez");
  EXPECT_EQ(b["email"][0], "ana@x.io");
  EXPECT_EQ(b["phone"][0], "+44 20 7946 0958");
  EXPECT_EQ(b.size(), 3u);
}

TEST(AnnotatePrivScreen, FolderLayoutToRecords) {
  fs::path d = dtap::test::tmp_dir("annotate-privscreen");
  auto s = screen("profile");
  dtap::write_png_atomic((d / "amazon/images/amazon_1.png").string(), s.image);
  dtap::write_png_atomic((d / "amazon/images/amazon_2.png").string(), s.image);
  // Keys say .jpg while the files are .png.
  write(d / "amazon/privacy_qa.json",
        R"({"amazon_1.jpg": {"question": "What is shown?", "answer": "name: Ana Lopez; emailAddress: a@b.io"},
            "amazon_2.jpg": [{"question": "Who?", "answers": {"name": ["Ben Ito"]}}]})");
  write(d / "amazon/normal_qa.json",
        R"({"amazon_1.jpg": [{"question": "To save, what should you tap?", "answer": "Save changes"}],
            "amazon_2.png": {"question": "Cancel?", "answers": ["Cancel"]}})");
  auto records = dtap::privscreen_records(d.string());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["id"], "amazon_1");
  EXPECT_EQ(records[0]["app"], "amazon");
  EXPECT_EQ(records[0]["privacy_qa"][0]["answers"]["email"][0], "a@b.io");
  EXPECT_EQ(records[0]["tasks"][0]["answer"], "Save changes");
  EXPECT_EQ(records[1]["privacy_qa"][0]["answers"]["name"][0], "Ben Ito");
  EXPECT_EQ(records[1]["tasks"][0]["answer"], "Cancel");
  EXPECT_THROW(dtap::privscreen_records((d / "amazon").string()), dtap::UsageError);  // no {app}/images below
}

TEST(AnnotatePrivScreen, BrokenQuestionFileFailsOnlyItsApp) {
  fs::path d = dtap::test::tmp_dir("annotate-privscreen-broken");
  auto s = screen("contacts");
  dtap::write_png_atomic((d / "a/images/a_1.png").string(), s.image);
  dtap::write_png_atomic((d / "b/images/b_1.png").string(), s.image);
  write(d / "a/privacy_qa.json", "{not json");
  auto records = dtap::privscreen_records(d.string());
  ASSERT_EQ(records.size(), 2u);
  ASSERT_TRUE(records[0].contains("error"));
  EXPECT_NE(records[0]["error"].get<std::string>().find("privacy_qa.json"), std::string::npos);
  EXPECT_FALSE(records[1].contains("error"));
}

TEST(AnnotateRecord, FindsWordsAndPiiOnASyntheticScreen) {
  fs::path d = dtap::test::tmp_dir("annotate-record");
  auto s = screen("profile");
  std::string path = (d / "profile.png").string();
  dtap::write_png_atomic(path, s.image);
  dtap::Json r{{"id", "p"}, {"image", path}, {"custom", {{"kept", true}}},
               {"tasks", dtap::Json::array({{{"question", "Where are you?"}, {"answer", "Edit profile"}},
                                             {{"question", "Delete?"}, {"answer", "Delete my account"}}})},
               {"privacy_qa", s.record["privacy_qa"]}};
  dtap::AnnotateOptions o;
  dtap::OcrEngine engine(o.ocr);
  dtap::annotate_record(r, engine, o);
  EXPECT_EQ(r["width"], 720);
  EXPECT_EQ(r["height"], 1600);
  EXPECT_EQ(r["custom"]["kept"], true);  // unknown fields are kept
  EXPECT_GT(r["words"].size(), 10u);
  EXPECT_TRUE(dtap::validate_record(r).empty()) << dtap::validate_record(r).front();
  // The true e-mail and phone are found at their places.
  dtap::PiiScore score;
  score.add(s.record["pii"], r["pii"]);
  for (const auto& [label, c] : score.per_label)
    if (label == "email" || label == "phone") {
      EXPECT_EQ(c.matched_truth, c.truth) << label;
    }
  // Words inside a finding say so; the task answer on the screen got a box, the one not there none.
  bool marked = false;
  for (const auto& w : r["words"]) marked |= w.contains("pii");
  EXPECT_TRUE(marked);
  ASSERT_TRUE(r["tasks"][0].contains("bbox"));
  EXPECT_LT(r["tasks"][0]["bbox"][1].get<double>(), 200);  // the app bar
  EXPECT_FALSE(r["tasks"][1].contains("bbox"));
  ASSERT_TRUE(r["privacy_qa"][0].contains("located"));
  std::size_t with_box = 0;
  for (const auto& l : r["privacy_qa"][0]["located"]) with_box += l.contains("bbox");
  EXPECT_GE(with_box, 3u);
}

TEST(AnnotateRecord, UnreadableImageIsAnError) {
  fs::path d = dtap::test::tmp_dir("annotate-bad");
  write(d / "broken.png", "not a png");
  dtap::AnnotateOptions o;
  dtap::OcrEngine engine(o.ocr);
  dtap::Json r{{"id", "x"}, {"image", (d / "broken.png").string()}};
  EXPECT_THROW(dtap::annotate_record(r, engine, o), dtap::Error);
  dtap::Json no_image{{"id", "y"}};
  EXPECT_THROW(dtap::annotate_record(no_image, engine, o), dtap::Error);
}

TEST(AnnotateRun, BadRecordsGetErrorsTheRestIsProcessed) {
  fs::path d = dtap::test::tmp_dir("annotate-run");
  auto s = screen("settings");
  std::string good = (d / "good.png").string();
  dtap::write_png_atomic(good, s.image);
  std::istringstream in("{\"id\": \"a\", \"image\": \"" + good + "\"}\n{broken\n{\"id\": \"c\", \"image\": \"" +
                        (d / "missing.png").string() + "\"}\n");
  std::ostringstream out;
  dtap::AnnotateOptions o;
  dtap::RunContext context;
  context.jobs = 2;
  int code = dtap::run_annotate(o, context, in, out);
  EXPECT_EQ(code, 1);
  std::istringstream lines(out.str());
  std::vector<dtap::Json> records;
  for (std::string line; std::getline(lines, line);) records.push_back(dtap::Json::parse(line));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records[0]["error"].is_null());
  EXPECT_FALSE(records[0]["pii"].empty());
  EXPECT_NE(records[1]["error"].get<std::string>().find("malformed JSON"), std::string::npos);
  EXPECT_NE(records[2]["error"].get<std::string>().find("no such file"), std::string::npos);
}

TEST(AnnotateLocate, FindsAnswerWindows) {
  dtap::OcrResult ocr;
  auto add_line = [&](std::vector<std::string> words, double y) {
    dtap::OcrLine line;
    double x = 10;
    for (const auto& w : words) {
      line.words.push_back(static_cast<int>(ocr.words.size()));
      ocr.words.push_back({w, dtap::BBox{x, y, 10.0 * w.size(), 20}, 90, static_cast<int>(ocr.lines.size())});
      x += 10.0 * (w.size() + 1);
    }
    ocr.lines.push_back(line);
  };
  add_line({"Save", "changes", "now"}, 100);
  add_line({"+44", "20", "7946", "0958"}, 200);
  auto box = dtap::locate_text(ocr, "Save changes");
  ASSERT_TRUE(box);
  EXPECT_DOUBLE_EQ(box->x, 10);
  EXPECT_DOUBLE_EQ(box->w, 120);
  EXPECT_TRUE(dtap::locate_text(ocr, "+44 20 7946 0958"));
  EXPECT_TRUE(dtap::locate_text(ocr, "79460958"));  // written without the space
  EXPECT_FALSE(dtap::locate_text(ocr, "Delete account"));
}
