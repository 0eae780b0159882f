#include <gtest/gtest.h>

#include "dtap/text.hpp"

TEST(Text, NormaliseLowersAndCollapses) {
  EXPECT_EQ(dtap::normalise_text("  Ana   LI\t"), "ana li");
  EXPECT_EQ(dtap::normalise_text("ÉLODIE"), "élodie");
}

TEST(Text, LevenshteinAndSimilarity) {
  EXPECT_EQ(dtap::levenshtein(U"kitten", U"sitting"), 3u);
  EXPECT_EQ(dtap::levenshtein(U"", U"abc"), 3u);
  EXPECT_DOUBLE_EQ(dtap::text_similarity("Ana Li", "ana li"), 1.0);
  EXPECT_NEAR(dtap::text_similarity("amara_ito14@hotmail.co.uk", "amara_itol4@hotmail.co.uk"), 1 - 1.0 / 25, 1e-9);
  EXPECT_DOUBLE_EQ(dtap::text_similarity("", ""), 1.0);
  EXPECT_DOUBLE_EQ(dtap::text_similarity("abc", ""), 0.0);
  // Multi-byte characters count as one edit.
  EXPECT_NEAR(dtap::text_similarity("€12", "$12"), 2.0 / 3, 1e-9);
}

TEST(Text, BestWindowFindsSpanInsideLongerText) {
  std::vector<std::string> tokens = {"Courier", "Mei", "Sanchez", "-", "+61", "426", "618", "555"};
  std::size_t start = 0, len = 0;
  EXPECT_DOUBLE_EQ(dtap::best_window_similarity(tokens, "+61 426 618 555", &start, &len), 1.0);
  EXPECT_EQ(start, 4u);
  EXPECT_EQ(len, 4u);
  EXPECT_DOUBLE_EQ(dtap::best_window_similarity(tokens, "Mei Sanchez"), 1.0);
  // Values OCR splits oddly still match when joined without spaces.
  EXPECT_DOUBLE_EQ(dtap::best_window_similarity({"4539", "1488"}, "45391488"), 1.0);
  EXPECT_LT(dtap::best_window_similarity(tokens, "Oliver Twist"), 0.6);
  EXPECT_DOUBLE_EQ(dtap::best_window_similarity({}, "x"), 0.0);
}
