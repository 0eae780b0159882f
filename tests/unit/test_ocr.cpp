#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "dtap/ocr.hpp"
#include "dtap/text.hpp"
#include "dtap/synth.hpp"

TEST(Ocr, ReadsSyntheticScreenWithBoxesInOriginalPixels) {
  dtap::SynthOptions o;
  o.seed = 3;
  o.size = "720x1600";
  o.theme = "light";
  o.templates = {"profile"};
  auto screen = dtap::render_synth_screen(o, 0);
  dtap::OcrEngine ocr(dtap::OcrOptions{});
  auto result = ocr.read(screen.image);
  ASSERT_FALSE(result.words.empty());
  ASSERT_FALSE(result.lines.empty());
  // The e-mail value is found, at (about) its true box.
  std::string email;
  dtap::BBox truth;
  for (const auto& p : screen.record["pii"])
    if (p["label"] == "email") {
      email = p["text"];
      truth = *dtap::BBox::from_json(p["bbox"]);
    }
  ASSERT_FALSE(email.empty());
  // The line that overlaps the true e-mail box best reads as the e-mail (OCR
  // may split it into words or miss a character on small text).
  auto check = [&](const dtap::OcrResult& r) {
    const dtap::OcrLine* best = nullptr;
    for (const auto& l : r.lines)
      if (!best || dtap::iou(l.bbox, truth) > dtap::iou(best->bbox, truth)) best = &l;
    ASSERT_NE(best, nullptr);
    EXPECT_GT(dtap::iou(best->bbox, truth), 0.5);
    EXPECT_GT(dtap::best_window_similarity(dtap::split_whitespace(best->text), email), 0.9) << best->text;
    for (int w : best->words) EXPECT_EQ(r.words[static_cast<std::size_t>(w)].line, best - r.lines.data());
  };
  check(result);
  // Tesseract's page layout, upscaled, maps boxes back to original pixels too.
  dtap::OcrOptions big;
  big.layout = "page";
  big.psm = 3;
  big.scale = 2.0;
  dtap::OcrEngine ocr2(big);
  check(ocr2.read(screen.image));
}

TEST(Ocr, BadLanguageIsAClearError) {
  dtap::OcrOptions o;
  o.lang = "xx_nonexistent";
  EXPECT_THROW(dtap::OcrEngine{o}, std::exception);
}

TEST(Ocr, LinesLayoutReadsButtonsAndLightOnDarkText) {
  // A filled pill button with white text and a dark-theme row: Tesseract's
  // page layout tends to miss both.
  dtap::SynthOptions o;
  o.seed = 5;
  o.size = "720x1600";
  o.theme = "dark";
  o.templates = {"bank"};
  auto screen = dtap::render_synth_screen(o, 0);
  dtap::OcrEngine ocr(dtap::OcrOptions{});
  auto result = ocr.read(screen.image);
  for (const auto& task : screen.record["tasks"]) {
    bool found = false;
    for (const auto& line : result.lines) found = found || line.text.find(task["answer"].get<std::string>()) != std::string::npos;
    EXPECT_TRUE(found) << task["answer"];
  }
  auto lines = dtap::detect_text_lines(cv::Mat(100, 100, CV_8U, cv::Scalar(255)));
  EXPECT_TRUE(lines.empty());  // a blank image has no text lines
}

TEST(Ocr, TextBesideAnAvatarIsALineOfItsOwn) {
  // A contact row: a photo avatar (many edges, 100 px) beside a name and a grey
  // preview line. The text lines must not be swallowed into the avatar's box
  // (which OCR then reads as one garbled word).
  cv::Mat g(1600, 640, CV_8U, cv::Scalar(255));  // a phone-sized page: a 100 px blob is no panel there
  cv::RNG rng(7);
  cv::Mat photo(100, 100, CV_8U);
  rng.fill(photo, cv::RNG::UNIFORM, 0, 255);
  photo.copyTo(g(cv::Rect(20, 30, 100, 100)));
  cv::putText(g, "Nad", {140, 60}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(40), 2);
  cv::putText(g, "Nad changed their avatar", {140, 105}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(150), 1);
  for (int i = 0; i < 3; ++i)
    cv::putText(g, "Another row of text", {140, 190 + 40 * i}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(40), 1);
  const auto lines = dtap::detect_text_lines(g);
  bool preview = false;
  for (const auto& r : lines) {
    if (r.x >= 130 && r.y > 70 && r.y + r.height < 120 && r.width > 200) preview = true;
    EXPECT_FALSE(r.x < 120 && r.x + r.width > 140) << "a line joins the avatar and the text: " << r.x << "," << r.y << " "
                                                   << r.width << "x" << r.height;
  }
  EXPECT_TRUE(preview);
}

TEST(Ocr, SmallTextPagesAreReadLargerWithBoxesInOriginalPixels) {
  // A desktop-like page of 12 px lines: the automatic scale (0) reads the page
  // layout at 2x; the words and their boxes must come back in the page's pixels.
  cv::Mat page(800, 1280, CV_8UC3, cv::Scalar(255, 255, 255));
  const std::vector<std::string> rows = {"Inbox", "noreply@example.com  Welcome to the service", "Archive", "Drafts",
                                         "Sent items", "Spam", "Trash", "Settings", "Accounts", "Help and feedback"};
  for (std::size_t i = 0; i < rows.size(); ++i)
    cv::putText(page, rows[i], {30, 40 + 28 * static_cast<int>(i)}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(30, 30, 30), 1,
                cv::LINE_AA);
  for (double scale : {0.0, 1.0}) {
    dtap::OcrOptions o;
    o.scale = scale;
    dtap::OcrEngine ocr(o);
    const auto result = ocr.read(page);
    const dtap::OcrWord* mail = nullptr;
    for (const auto& w : result.words)
      if (w.text == "noreply@example.com") mail = &w;
    ASSERT_NE(mail, nullptr) << "scale " << scale;
    // Drawn from x 30 on the baseline y 68 ("p" and "y" reach below it), about 10 px tall.
    EXPECT_NEAR(mail->bbox.x, 30, 4) << "scale " << scale;
    EXPECT_NEAR(mail->bbox.bottom(), 70, 4) << "scale " << scale;
    EXPECT_LT(mail->bbox.h, 16) << "scale " << scale;
  }
}
