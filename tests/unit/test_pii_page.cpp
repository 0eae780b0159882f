// find_pii over whole pages (context from the line above, layout cues, boxes)
// and the scoring of findings against true spans.
#include <gtest/gtest.h>

#include "dtap/pii.hpp"
#include "dtap/text.hpp"

namespace {

// An OCR result with one line per entry: text at (x, y), 10 px per character, 20 px high.
dtap::OcrResult page(const std::vector<std::tuple<double, double, std::string>>& lines) {
  dtap::OcrResult r;
  for (const auto& [x0, y, text] : lines) {
    dtap::OcrLine line;
    line.text = text;
    double x = x0;
    for (const auto& w : dtap::split_whitespace(text)) {
      dtap::OcrWord word{w, dtap::BBox{x, y, 10.0 * w.size(), 20}, 90, static_cast<int>(r.lines.size())};
      line.words.push_back(static_cast<int>(r.words.size()));
      line.bbox = line.words.size() == 1 ? word.bbox : dtap::bbox_union(line.bbox, word.bbox);
      r.words.push_back(word);
      x += 10.0 * (w.size() + 1);
    }
    line.conf = 90;
    r.lines.push_back(line);
  }
  return r;
}

// The texts of the findings with this label, in order.
std::vector<std::string> texts_of(const std::vector<dtap::PiiFinding>& f, const std::string& label) {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (x.label == label) out.push_back(x.text);
  return out;
}

const dtap::PiiFinding* find(const std::vector<dtap::PiiFinding>& f, const std::string& label) {
  for (const auto& x : f)
    if (x.label == label) return &x;
  return nullptr;
}

}  // namespace

TEST(PiiPage, LabelOverValueGivesContext) {
  auto ocr = page({{40, 100, "Username"}, {40, 125, "ana_l92"},
                   {40, 170, "Date of birth"}, {40, 195, "12/05/1990"},
                   {40, 240, "Confirmation code"}, {40, 265, "X12345678"},
                   {40, 310, "Phone"}, {40, 335, "555 0132 77"}});
  auto f = dtap::find_pii(ocr);
  ASSERT_NE(find(f, "username"), nullptr);
  EXPECT_EQ(find(f, "username")->text, "ana_l92");
  EXPECT_EQ(find(f, "username")->source, "ocr+context");
  ASSERT_NE(find(f, "date_of_birth"), nullptr);
  EXPECT_EQ(find(f, "date_of_birth")->text, "12/05/1990");
  ASSERT_NE(find(f, "id_number"), nullptr);
  EXPECT_EQ(find(f, "id_number")->text, "X12345678");
  ASSERT_NE(find(f, "phone"), nullptr);
  EXPECT_EQ(find(f, "phone")->text, "555 0132 77");
  EXPECT_EQ(f.size(), 4u);
  // Without the labels the same values are nothing.
  auto bare = dtap::find_pii(page({{40, 125, "ana_l92"}, {40, 195, "12/05/1990"}, {40, 265, "X12345678"}}));
  EXPECT_TRUE(bare.empty());
}

TEST(PiiPage, ContextFromAFarAwayLineDoesNotCount) {
  auto f = dtap::find_pii(page({{40, 100, "Date of birth"}, {40, 400, "12/05/1990"}}));
  EXPECT_TRUE(f.empty());
}

TEST(PiiPage, BoxIsTheUnionOfTheWordsAndCutInsideAWord) {
  auto ocr = page({{40, 100, "Call +44 20 7946 0958 today"}, {40, 200, "Email:ana@mail.com"}});
  auto f = dtap::find_pii(ocr);
  const auto* phone = find(f, "phone");
  ASSERT_NE(phone, nullptr);
  EXPECT_EQ(phone->text, "+44 20 7946 0958");
  // Words "+44" (x 90..120) through "0958" (x 210..250).
  EXPECT_DOUBLE_EQ(phone->bbox.x, 90);
  EXPECT_DOUBLE_EQ(phone->bbox.right(), 250);
  EXPECT_EQ(phone->words.size(), 4u);
  const auto* email = find(f, "email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->text, "ana@mail.com");
  // "Email:" is 6 of the word's 18 characters: the box starts after it.
  EXPECT_NEAR(email->bbox.x, 40 + 180.0 * 6 / 18, 1e-9);
  EXPECT_NEAR(email->bbox.w, 180.0 * 12 / 18, 1e-9);
}

TEST(PiiPage, StreetThenCityLineAndContactRows) {
  dtap::PiiOptions no_lists;
  no_lists.use_name_lists = false;
  auto ocr = page({{40, 100, "Zoltan Varga"}, {40, 125, "+1 (415) 555-0132"},
                   {40, 300, "88 Willow Lane"}, {40, 325, "10115 Berlin"},
                   {40, 500, "Search contacts"}, {40, 525, "Mobile"}});
  auto f = dtap::find_pii(ocr, no_lists);
  ASSERT_NE(find(f, "name"), nullptr);
  EXPECT_EQ(find(f, "name")->text, "Zoltan Varga");
  EXPECT_EQ(find(f, "name")->source, "ocr+layout");
  int addresses = 0;
  for (const auto& x : f) addresses += x.label == "address";
  EXPECT_EQ(addresses, 2);
  // "Search contacts" above "Mobile" is not a name: lower-case second word.
  for (const auto& x : f) EXPECT_NE(x.text, "Search contacts");
}

TEST(PiiPage, AnAddressWrappedByANarrowColumn) {
  // The postcode cut in two by the wrap: found in the lines joined, one finding per line.
  auto f = dtap::find_pii(page({{40, 100, "69 Causewayhead, Penzance TR18"}, {40, 125, "2SR, UK"}}));
  EXPECT_EQ(texts_of(f, "address"), (std::vector<std::string>{"69 Causewayhead, Penzance TR18", "2SR, UK"}));
  // An address whole on its first line stays one finding; the line under it is not pulled in.
  f = dtap::find_pii(page({{40, 100, "12 Baker Street, London"}, {40, 125, "Opening hours 9-5"}}));
  EXPECT_EQ(texts_of(f, "address"), (std::vector<std::string>{"12 Baker Street, London"}));
}

TEST(PiiPage, AWrappedEmailWhoseDotOcrLost) {
  // "noreply@testsite" / "com": the tail is a top-level domain, the dot was lost.
  auto f = dtap::find_pii(page({{40, 100, "noreply@testsite"}, {40, 125, "com"}}));
  EXPECT_EQ(texts_of(f, "email"), (std::vector<std::string>{"noreply@testsite", "com"}));
  // A word under a handle is no domain.
  for (const auto& x : dtap::find_pii(page({{40, 100, "ana@testsite"}, {40, 125, "commented"}}))) EXPECT_NE(x.label, "email");
}

TEST(PiiPage, OverlapsKeepTheSelfCheckingValue) {
  // A card number is also a long digit run; an e-mail contains a handle-like part.
  auto f = dtap::find_pii(page({{40, 100, "Payment"}, {40, 125, "4111 1111 1111 1111"}, {40, 200, "ana@x.io"}}));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].label, "card");
  EXPECT_EQ(f[1].label, "email");
}

TEST(PiiPage, LabelFilter) {
  dtap::PiiOptions only_email;
  only_email.labels = {"email"};
  auto f = dtap::find_pii(page({{40, 100, "ana@x.io +44 20 7946 0958"}}), only_email);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].label, "email");
}

TEST(PiiScore, MatchesByIouTextAndLabel) {
  dtap::Json truth = dtap::Json::array({
      {{"label", "email"}, {"text", "ana@mail.com"}, {"bbox", {100, 100, 200, 30}}},
      {{"label", "phone"}, {"text", "+44 20 7946 0958"}, {"bbox", {100, 200, 200, 30}}},
      {{"label", "name"}, {"text", "Ana Lopez"}, {"bbox", {100, 300, 150, 30}}},
  });
  dtap::Json found = dtap::Json::array({
      {{"label", "email"}, {"text", "ana@mail.con"}, {"bbox", {102, 101, 196, 28}}},  // one char off: similar
      {{"label", "phone"}, {"text", "+44 20 7946 0958"}, {"bbox", {400, 200, 200, 30}}},  // wrong place
      {{"label", "id_number"}, {"text", "Ana Lopez"}, {"bbox", {100, 300, 150, 30}}},  // wrong label
      {{"label", "email"}, {"text", "ana@mail.com"}, {"bbox", {100, 100, 200, 30}}},   // duplicate
  });
  dtap::PiiScore score;
  score.add(truth, found);
  EXPECT_EQ(score.overall.truth, 3u);
  EXPECT_EQ(score.overall.found, 4u);
  EXPECT_EQ(score.overall.matched_truth, 1u);
  EXPECT_EQ(score.overall.matched_found, 1u);  // each true span matched once
  EXPECT_NEAR(score.overall.recall(), 1.0 / 3, 1e-9);
  EXPECT_NEAR(score.overall.precision(), 0.25, 1e-9);
  auto j = score.to_json();
  EXPECT_EQ(j["labels"]["email"]["matched_truth"], 1);
  EXPECT_EQ(j["labels"]["phone"]["recall"], 0.0);
  EXPECT_EQ(j["labels"].begin().key(), "name");  // DESIGN.md's label order
  // Text too different fails even at the right place.
  dtap::PiiScore s2;
  s2.add(truth, dtap::Json::array({{{"label", "name"}, {"text", "Ann Lo"}, {"bbox", {100, 300, 150, 30}}}}));
  EXPECT_EQ(s2.overall.matched_truth, 0u);
}

TEST(PiiPage, WrappedEmailAndListRows) {
  // An address wrapped in a narrow column; a chat row's title beside its time.
  auto ocr = page({{40, 100, "john.doe@exam"}, {40, 125, "ple.com"},
                   {40, 300, "Wotan"}, {600, 300, "13:26"}, {40, 325, "Hey, are you coming tonight?"},
                   {40, 500, "Settings"}, {600, 500, "13:40"}});
  auto f = dtap::find_pii(ocr);
  std::vector<std::string> found;
  for (const auto& x : f) found.push_back(x.label + ":" + x.text);
  EXPECT_NE(std::find(found.begin(), found.end(), "email:john.doe@exam"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "email:ple.com"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "name:Wotan"), found.end());
  for (const auto& x : f) EXPECT_NE(x.text, "Settings");
  // A line that starts with a word after an e-mail is not its tail.
  auto other = page({{40, 100, "ana@pachli.social"}, {40, 125, "When are you free?"}});
  for (const auto& x : dtap::find_pii(other)) EXPECT_NE(x.text, "When");
}
