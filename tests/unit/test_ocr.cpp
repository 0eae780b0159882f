#include <gtest/gtest.h>

#include "dtap/ocr.hpp"
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
  // The word that overlaps the true e-mail box best is the e-mail (OCR may
  // miss a character on small text, so compare its start).
  auto best_match = [&](const dtap::OcrResult& r) {
    const dtap::OcrWord* best = nullptr;
    for (const auto& w : r.words)
      if (!best || dtap::iou(w.bbox, truth) > dtap::iou(best->bbox, truth)) best = &w;
    return best;
  };
  const dtap::OcrWord* w = best_match(result);
  ASSERT_NE(w, nullptr);
  EXPECT_GT(dtap::iou(w->bbox, truth), 0.5);
  EXPECT_EQ(w->text.substr(0, 6), email.substr(0, 6));
  EXPECT_GE(w->line, 0);
  // Upscaling maps boxes back to original pixels.
  dtap::OcrOptions big;
  big.scale = 2.0;
  dtap::OcrEngine ocr2(big);
  auto result2 = ocr2.read(screen.image);
  const dtap::OcrWord* w2 = best_match(result2);
  ASSERT_NE(w2, nullptr);
  EXPECT_GT(dtap::iou(w2->bbox, truth), 0.5);
  EXPECT_EQ(w2->text.substr(0, 6), email.substr(0, 6));
}

TEST(Ocr, BadLanguageIsAClearError) {
  dtap::OcrOptions o;
  o.lang = "xx_nonexistent";
  EXPECT_THROW(dtap::OcrEngine{o}, std::exception);
}
