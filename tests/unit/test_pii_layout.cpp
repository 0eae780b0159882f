// Layout cues of find_pii on real-screen shapes (icons read as text, avatars,
// member lists, app bars, post headers, handles after display names,
// authenticator pages) and the recognisers added for real screens: each with
// values it must find and look-alikes it must not.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "dtap/ocr.hpp"
#include "dtap/pii.hpp"
#include "dtap/text.hpp"

namespace {

struct Word {
  double x, y, w, h;
  std::string text;
  float conf = 95;
};

// An OCR result with one line per entry of explicit words.
dtap::OcrResult page(const std::vector<std::vector<Word>>& lines) {
  dtap::OcrResult r;
  for (const auto& words : lines) {
    dtap::OcrLine line;
    for (const auto& w : words) {
      dtap::OcrWord word{w.text, dtap::BBox{w.x, w.y, w.w, w.h}, w.conf, static_cast<int>(r.lines.size())};
      line.words.push_back(static_cast<int>(r.words.size()));
      line.bbox = line.words.size() == 1 ? word.bbox : dtap::bbox_union(line.bbox, word.bbox);
      line.text += (line.text.empty() ? "" : " ") + w.text;
      r.words.push_back(word);
    }
    line.conf = 90;
    r.lines.push_back(line);
  }
  return r;
}

// One line of words at (x, y), 12 px per character, 24 px high.
std::vector<Word> text_at(double x, double y, const std::string& text) {
  std::vector<Word> out;
  for (const auto& w : dtap::split_whitespace(text)) {
    out.push_back({x, y, 12.0 * static_cast<double>(w.size()), 24, w});
    x += 12.0 * static_cast<double>(w.size() + 1);
  }
  return out;
}

std::vector<std::string> found(const std::vector<dtap::PiiFinding>& f, const std::string& label = "") {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (label.empty() || x.label == label) out.push_back(x.text);
  return out;
}
using V = std::vector<std::string>;

}  // namespace

TEST(PiiLayout, IconsReadAsTextAreNotPartOfTheLine) {
  // "®@ David": an avatar read as two doubtful symbols, twice the text's height.
  auto ocr = page({{{20, 90, 40, 50, "®@", 38}, {90, 100, 60, 30, "David"}},
                   {{20, 200, 10, 30, "3", 62}, {40, 200, 72, 30, "Walter"}, {124, 200, 84, 30, "boosted"}}});
  bool taller = false;
  EXPECT_EQ(dtap::leading_icon_words(ocr, ocr.lines[0], &taller), 1u);
  EXPECT_TRUE(taller);
  // A short word of text height right before the next one stays.
  EXPECT_EQ(dtap::leading_icon_words(ocr, ocr.lines[1], &taller), 0u);
  auto f = dtap::find_pii(ocr);
  // The icon marks a contact row: the name beside it is found, without the icon's box.
  ASSERT_EQ(found(f, "name"), V{"David"});
  EXPECT_GE(f[0].bbox.x, 90);
}

TEST(PiiLayout, AvatarsAreFilledSquaresOrDiscsBesideOrAboveText) {
  cv::Mat img(400, 600, CV_8UC3, cv::Scalar(250, 250, 250));
  cv::circle(img, {60, 80}, 36, cv::Scalar(90, 140, 200), cv::FILLED);   // a photo disc left of a row
  cv::circle(img, {60, 200}, 36, cv::Scalar(90, 140, 200), 2);           // an outline ring: an icon
  cv::rectangle(img, {50, 290}, {66, 306}, cv::Scalar(60, 60, 60), cv::FILLED);  // a small glyph-sized square
  cv::circle(img, {400, 90}, 50, cv::Scalar(40, 160, 90), cv::FILLED);  // a story picture over its name
  auto ocr = page({text_at(120, 62, "Wotan"), text_at(120, 188, "Fricka"), text_at(120, 286, "Loge"),
                   text_at(376, 148, "Erda")});
  auto avatars = dtap::detect_avatars(img, ocr);
  ASSERT_EQ(avatars.size(), 2u);
  EXPECT_NEAR(avatars[0].cx(), 60, 3);
  EXPECT_NEAR(avatars[0].cy(), 80, 3);
  EXPECT_NEAR(avatars[1].cx(), 400, 3);
  // Beside an avatar, a name-like title is a person; a dictionary word is not.
  auto ocr2 = page({text_at(120, 62, "Wotan"), text_at(120, 92, "See you at the gate"), text_at(376, 148, "Settings")});
  auto f = dtap::find_pii(ocr2, {}, dtap::detect_avatars(img, ocr2));
  EXPECT_EQ(found(f), V{"Wotan"});
  // Without the avatar nothing marks the row.
  EXPECT_TRUE(dtap::find_pii(page({text_at(120, 62, "Wotan")})).empty());
}

TEST(PiiLayout, MemberListColumnsButNotTablesOrMenus) {
  std::vector<std::vector<Word>> nicks, table, menu;
  const std::vector<std::string> names = {"Operators", "@ChanServ", "+bookworm", "acidsys", "_SamSlater_", "adam_p73k", "Abrax", "073AAD6JZ", "NickServ"};
  for (std::size_t i = 0; i < names.size(); ++i) nicks.push_back(text_at(900, 100 + 40.0 * static_cast<double>(i), names[i]));
  auto f = dtap::find_pii(page(nicks));
  // The network's services are listed too, and are no one's nick.
  EXPECT_EQ(found(f), (V{"+bookworm", "acidsys", "_SamSlater_", "adam_p73k", "Abrax", "073AAD6JZ"}));
  // A table column repeats its values; a menu is plain words.
  for (int i = 0; i < 6; ++i) table.push_back(text_at(900, 100 + 40.0 * i, i % 2 ? "DM-Akron" : "DM-Albany"));
  EXPECT_TRUE(dtap::find_pii(page(table)).empty());
  for (const char* w : {"Settings", "Privacy", "Notifications", "Storage", "About", "Help"})
    menu.push_back(text_at(900, 100 + 40.0 * static_cast<double>(menu.size()), w));
  EXPECT_TRUE(dtap::find_pii(page(menu)).empty());
  // A folder's files, and any column on a code-hosting page, are no member list.
  std::vector<std::vector<Word>> files, hosted;
  for (const char* w : {"README.md", "LICENSE", "main.cpp", "setup.cfg", "Makefile.am", "index.ts"})
    files.push_back(text_at(900, 100 + 40.0 * static_cast<double>(files.size()), w));
  EXPECT_TRUE(dtap::find_pii(page(files)).empty());
  // A commit history's column of short hashes is no member list.
  std::vector<std::vector<Word>> hashes;
  for (const char* w : {"832fe28825", "e5b417f841", "cc820302ab", "1661d32505", "5a91017d87", "554aa5892f"})
    hashes.push_back(text_at(900, 100 + 40.0 * static_cast<double>(hashes.size()), w));
  EXPECT_TRUE(dtap::find_pii(page(hashes)).empty());
  hosted = nicks;
  for (const char* w : {"Pull requests", "Issues", "Commits", "Branches", "Releases"})
    hosted.push_back(text_at(40, 100 + 40.0 * static_cast<double>(hosted.size()), w));
  EXPECT_TRUE(dtap::find_pii(page(hosted)).empty());
}

TEST(PiiLayout, AppBarTitlesPostHeadersAndDisplayNames) {
  // "<  jstark" at the top of a chat screen; "Settings" there is no one.
  auto bar = page({text_at(10, 20, "<"), text_at(150, 20, "jstark"), text_at(40, 2000, "Hello there")});
  EXPECT_EQ(found(dtap::find_pii(bar)), V{"jstark"});
  EXPECT_TRUE(dtap::find_pii(page({text_at(10, 20, "<"), text_at(150, 20, "Settings"), text_at(40, 2000, "Hello")})).empty());
  // A comment header over its text; a heading over a paragraph is not a person.
  auto post = page({text_at(40, 300, "rx8geek 38 2"), text_at(40, 345, "Apparently they also think that")});
  EXPECT_EQ(found(dtap::find_pii(post)), V{"rx8geek"});
  EXPECT_TRUE(dtap::find_pii(page({text_at(40, 300, "Description"), text_at(40, 345, "Apparently they also think that")})).empty());
  // A display name before a handle; a sentence before one is not a name.
  auto f = dtap::find_pii(page({text_at(40, 500, "Garima Jain @ragdroid")}));
  EXPECT_EQ(found(f, "name"), V{"Garima Jain"});
  EXPECT_EQ(found(f, "username"), V{"@ragdroid"});
  EXPECT_TRUE(found(dtap::find_pii(page({text_at(40, 500, "Thank you to @ragdroid")})), "name").empty());
  // "Search for @users...": a placeholder, not a handle.
  EXPECT_TRUE(dtap::find_pii(page({text_at(40, 500, "Search for #chats, @users...")})).empty());
  // A label that ends with the phrase, left of the value.
  auto reg = page({text_at(40, 600, "Registered username"), text_at(320, 600, "pgorley")});
  EXPECT_EQ(found(dtap::find_pii(reg), "username"), V{"pgorley"});
}

TEST(PiiLayout, AuthenticatorPagesMakeLoneCodesSecrets) {
  auto ocr = page({text_at(40, 100, "Ente"), text_at(40, 130, "475 074"), text_at(40, 230, "Steam"), text_at(40, 260, "BTC4W"),
                   text_at(40, 360, "Proton"), text_at(40, 390, "123 456"), text_at(40, 490, "Bank"), text_at(40, 520, "45689")});
  EXPECT_EQ(found(dtap::find_pii(ocr), "secret"), (V{"475 074", "BTC4W", "123 456", "45689"}));
  // On another page a lone number or code is a count, a price, a model.
  auto other = page({text_at(40, 100, "Steps"), text_at(40, 130, "45689"), text_at(40, 230, "Model"), text_at(40, 260, "BTC4W")});
  EXPECT_TRUE(dtap::find_pii(other).empty());
}

TEST(PiiRecognisers, RealScreenValuesAndLookAlikes) {
  auto texts = [](std::string_view line, const std::vector<dtap::PiiSpan>& spans) {
    V out;
    for (const auto& s : spans) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  // E-mail addresses whose last dot OCR lost or spaced.
  EXPECT_EQ(texts("photos@ente io", dtap::find_emails("photos@ente io")), V{"photos@ente io"});
  EXPECT_EQ(texts("From: ana@site. com", dtap::find_emails("From: ana@site. com")), V{"ana@site. com"});
  EXPECT_TRUE(dtap::find_emails("meet @ home io").empty());
  EXPECT_TRUE(dtap::find_emails("ana@site now").empty());
  // Truncated identifiers and grouped coin addresses.
  EXPECT_EQ(texts("f84efc79afc29f…7aade28e88980", dtap::find_id_numbers("f84efc79afc29f…7aade28e88980", "")),
            V{"f84efc79afc29f…7aade28e88980"});
  EXPECT_EQ(texts("ring:b2d883a798be...e8367886ec105769", dtap::find_id_numbers("ring:b2d883a798be...e8367886ec105769", "")),
            V{"ring:b2d883a798be...e8367886ec105769"});
  EXPECT_EQ(texts("7 Feb 1HkX 6X8E akds gAys", dtap::find_id_numbers("7 Feb 1HkX 6X8E akds gAys", "")), V{"1HkX 6X8E akds gAys"});
  EXPECT_TRUE(dtap::find_id_numbers("Loading...done", "").empty());
  EXPECT_TRUE(dtap::find_id_numbers("1 Main Road East Side", "").empty());
  // Not secrets: version strings, UUIDs of objects, host names, hex colours.
  for (const char* s : {"3.3.0-dev+2afc49asddbi755105421d22d6333f6c72t442a0", "48ad8b2c-986d-44fd-81ca-00d55b27e19a",
                        "dmi01-binghamton-rtr01-mgmt-lan02", "#3a7bd5"})
    EXPECT_TRUE(dtap::find_secrets(s, "").empty()) << s;
  // A UUID after "API key" is one.
  EXPECT_FALSE(dtap::find_secrets("48ad8b2c-986d-44fd-81ca-00d55b27e19a", "secret").empty());
  // Domains, hyphenated words, dates and brands are no row titles; handles and names are.
  const auto& lists = dtap::NameLists::shipped();
  for (const char* s : {"matrix.org", "lemmy.ml", "read-only", "Aug.", "GitHub", "Félicitations !", "v28.0.5"})
    EXPECT_FALSE(dtap::looks_like_row_title(s, &lists)) << s;
  for (const char* s : {"rx8geek", "miss_brainfart", "Wotan", "Marco B."})
    EXPECT_TRUE(dtap::looks_like_row_title(s, &lists)) << s;
}

TEST(Ocr, PageThenLinesReadsEachLineOnce) {
  cv::Mat img(300, 700, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, "Hello Wotan", {20, 70}, cv::FONT_HERSHEY_SIMPLEX, 1.4, cv::Scalar(0, 0, 0), 3);
  // Grey text and a filled button: Tesseract's page layout reads neither.
  cv::putText(img, "grey note", {20, 200}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(190, 190, 190), 2);
  cv::rectangle(img, {300, 150}, {680, 250}, cv::Scalar(140, 60, 20), cv::FILLED);
  cv::putText(img, "Ana Lopez", {330, 215}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(255, 255, 255), 2);
  dtap::OcrOptions both;
  both.layout = "page+lines";
  both.dpi = 300;
  dtap::OcrOptions page_only = both;
  page_only.layout = "page";
  auto a = dtap::OcrEngine(page_only).read(img);
  auto b = dtap::OcrEngine(both).read(img);
  EXPECT_GT(b.words.size(), a.words.size());
  bool below = false;  // the page+lines reading has words where the page layout read none
  for (const auto& w : b.words) below |= w.bbox.y > 120;
  EXPECT_TRUE(below);
  for (const auto& w : a.words) EXPECT_LT(w.bbox.y, 120);
  // No region is read twice.
  for (std::size_t i = 0; i < b.words.size(); ++i)
    for (std::size_t j = i + 1; j < b.words.size(); ++j) EXPECT_LT(dtap::iou(b.words[i].bbox, b.words[j].bbox), 0.5);
  dtap::OcrOptions bad;
  bad.layout = "columns";
  EXPECT_THROW(dtap::OcrEngine{bad}, std::exception);  // before any image
}

TEST(PiiRecognisers, LinksSecretsAndPhrasesOfRealScreens) {
  auto texts = [](std::string_view line, const std::vector<dtap::PiiSpan>& spans) {
    V out;
    for (const auto& s : spans) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  // Profile links identify a person; a site alone does not.
  const std::string links = "and to https://github.com/Porkepix for youtube.com/c/AgentsofRush ana.tumblr.com";
  EXPECT_EQ(texts(links, dtap::find_profile_links(links)),
            (V{"https://github.com/Porkepix", "youtube.com/c/AgentsofRush", "ana.tumblr.com"}));
  EXPECT_TRUE(dtap::find_profile_links("Open github.com in your browser").empty());
  EXPECT_TRUE(dtap::find_profile_links("see docs.example.com/help").empty());
  // A secret parameter, also split by OCR up to the next '&'; a generated password.
  const std::string otp = "otpauth://totp/a?secret=VVIW5KM4PV6H30NNY 74N4Z3WEHLQAO6M&issuer=x";
  EXPECT_EQ(texts(otp, dtap::find_secrets(otp, "")), V{"VVIW5KM4PV6H30NNY 74N4Z3WEHLQAO6M"});
  EXPECT_EQ(texts("W*Vr(A_,XWSVgzu_*^", dtap::find_secrets("W*Vr(A_,XWSVgzu_*^", "")), V{"W*Vr(A_,XWSVgzu_*^"});
  for (const char* s : {"(a+b)*(c-d)=e/f", "https://example.org/a?b=c", "Hello, World! (again)", "f(x)=x^2+3*x-1;",
                        "/Users/Stephan/Code/GitUI/src", "Foo.Bar-Baz_Qux:Main,Test", "C:\\Users\\Ana\\AppData"})
    EXPECT_TRUE(dtap::find_secrets(s, "").empty()) << s;
  // Phones with a long trunk prefix; not a short count.
  EXPECT_EQ(texts("0176 12345678", dtap::find_phones("0176 12345678")), V{"0176 12345678"});
  EXPECT_TRUE(dtap::find_phones("Build 20240512").empty());
  // Birthdays: dates without a year, but not a recent event's date.
  EXPECT_EQ(texts("Turns 30 on May 12", dtap::find_birthdays("Turns 30 on May 12")), V{"May 12"});
  EXPECT_EQ(texts("12/05/1990", dtap::find_birthdays("12/05/1990")), V{"12/05/1990"});
  EXPECT_TRUE(dtap::find_birthdays("Synced 28 Jul 2099").empty());
  EXPECT_TRUE(dtap::find_birthdays("Version 3.2").empty());
  // A code host's notification subject names its repository; a bracketed date or fraction does not.
  const std::string subject = "Re: [axllent/mailpit] Feature request (Issue #12)";
  EXPECT_EQ(texts(subject, dtap::find_usernames(subject)), V{"axllent/mailpit"});
  EXPECT_TRUE(dtap::find_usernames("Due [12/05] and [1/2] done").empty());
  // Coordinates are a place the user was; French and Italian street forms.
  EXPECT_EQ(texts("51.3000, -1.0000", dtap::find_addresses("51.3000, -1.0000", "")), V{"51.3000, -1.0000"});
  EXPECT_EQ(texts("at 52.5200° N, 13.4050° E", dtap::find_addresses("at 52.5200° N, 13.4050° E", "")), V{"52.5200° N, 13.4050° E"});
  EXPECT_EQ(texts("12 Rue de Rivoli", dtap::find_addresses("12 Rue de Rivoli", "")), V{"12 Rue de Rivoli"});
  for (const char* s : {"v1.2345, 2.0001", "Total 1.5, 2.5", "3.14159"}) EXPECT_TRUE(dtap::find_addresses(s, "").empty()) << s;
  // IRC joins and quits, a handle mid-line after "by", a name in brackets.
  const auto& lists = dtap::NameLists::shipped();
  EXPECT_EQ(texts("erming_ join", dtap::find_actors("erming_ join", &lists)), V{"erming_"});
  const std::string topic = "Topic set by rx8geek on 18 June 2023";
  EXPECT_EQ(texts(topic, dtap::find_actors(topic, &lists)), V{"rx8geek"});
  EXPECT_TRUE(dtap::find_actors("Made by hand in Berlin", &lists).empty());
}

TEST(PiiLayout, BirthdayPagesAndDoubtfulFragments) {
  auto ocr = page({text_at(40, 40, "Birthdays"), text_at(40, 120, "Brunhilde Wagner"), text_at(40, 150, "May 12"),
                   text_at(40, 230, "Synced 28 Jul 2099")});
  EXPECT_EQ(found(dtap::find_pii(ocr), "date_of_birth"), V{"May 12"});
  // The same date on another page is just a date.
  EXPECT_TRUE(found(dtap::find_pii(page({text_at(40, 40, "Events"), text_at(40, 150, "May 12")})), "date_of_birth").empty());
  // A short fragment OCR doubts is no name on layout evidence alone; the same read clearly is.
  auto doubt = page({{{20, 90, 40, 50, "®@", 38}, {90, 100, 36, 30, "wre", 54}}});
  EXPECT_TRUE(dtap::find_pii(doubt).empty());
  auto garbage = page({{{20, 90, 40, 50, "®@", 38}, {90, 100, 72, 30, "Ceamis", 0}}});
  EXPECT_TRUE(dtap::find_pii(garbage).empty());
  auto clear = page({{{20, 90, 40, 50, "®@", 38}, {90, 100, 36, 30, "Nic", 95}}});
  EXPECT_EQ(found(dtap::find_pii(clear)), V{"Nic"});
}

TEST(PiiRecognisers, IntroductionsAndActivityBehindAnIcon) {
  const auto& lists = dtap::NameLists::shipped();
  auto texts = [](std::string_view line, const std::vector<dtap::PiiSpan>& spans) {
    V out;
    for (const auto& s : spans) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  const std::string intro = "Hi! My name is Nic & I'm a fulltime illustrator";
  EXPECT_EQ(texts(intro, dtap::find_names(intro, "", &lists)), V{"Nic"});
  EXPECT_EQ(texts("This is Ana Lopez speaking", dtap::find_names("This is Ana Lopez speaking", "", &lists)), V{"Ana Lopez"});
  // "This is Important", "I'm Happy": words, not names.
  EXPECT_TRUE(dtap::find_names("This is Important", "", &lists).empty());
  EXPECT_TRUE(dtap::find_names("I'm Happy to help", "", &lists).empty());
  EXPECT_EQ(texts("Walter i] boosted", dtap::find_actors("Walter i] boosted", &lists)), V{"Walter"});
}

TEST(PiiLayout, SignaturesUnderAClosing) {
  auto mail = page({text_at(40, 100, "See you on Monday."), text_at(40, 160, "Best regards,"), text_at(40, 190, "Wotan Walsung")});
  EXPECT_EQ(found(dtap::find_pii(mail), "name"), V{"Wotan Walsung"});
  auto cheers = page({text_at(40, 160, "Cheers"), text_at(40, 190, "rx8geek")});
  EXPECT_EQ(found(dtap::find_pii(cheers), "username"), V{"rx8geek"});
  // Under a closing, a plain phrase is no name.
  EXPECT_TRUE(dtap::find_pii(page({text_at(40, 160, "Thanks,"), text_at(40, 190, "The Team")})).empty());
}

TEST(PiiLayout, ChatLogSendersAndRepeatsOfFoundValues) {
  auto log = page({text_at(40, 100, "22:50:52 akik vanfanel64, did you try it"), text_at(40, 130, "22:51:10 vanfanel64 akik, not yet"),
                   text_at(40, 160, "[22:52] <jim> hello there all")});
  auto f = dtap::find_pii(log);
  // Senders, and every later mention of them.
  EXPECT_EQ(found(f), (V{"akik", "vanfanel64", "vanfanel64", "akik", "jim"}));
  for (const auto& x : f) EXPECT_EQ(x.label, "username");
  // A system log is no chat: processes and levels are no nicks; one timed line is no log.
  auto syslog = page({text_at(40, 100, "12:00:01 sshd[42] Accepted key for"), text_at(40, 130, "12:00:02 INFO service started ok"),
                      text_at(40, 160, "12:00:03 kernel: usb 1-1 new device")});
  EXPECT_TRUE(dtap::find_pii(syslog).empty());
  EXPECT_TRUE(dtap::find_pii(page({text_at(40, 100, "09:30 zorblat42 will present the plan")})).empty());
  // A time before a plain word is a log line of something else.
  EXPECT_TRUE(dtap::find_pii(page({text_at(40, 100, "10:30 Meeting about the budget")})).empty());
  // A name a rule is sure of recurs; a row title from layout alone (maybe the app's name) does not spread.
  auto sure = page({text_at(40, 100, "Hi Ana Lopez,"), text_at(40, 300, "Ana Lopez shared a file")});
  EXPECT_EQ(found(dtap::find_pii(sure), "name").size(), 2u);
  auto weak = page({text_at(10, 20, "<"), text_at(150, 20, "Zorblat"), text_at(40, 400, "Welcome to Zorblat today")});
  EXPECT_EQ(found(dtap::find_pii(weak)), V{"Zorblat"});
}

TEST(PiiLayout, ANameRecursAsOcrMisreadsIt) {
  // "Shariq" read "Sharig", "Weyland" read "weyland", a name in brackets: still the person.
  auto misread = page({text_at(40, 100, "Hi Shariq Ansari,"), text_at(40, 200, "Sharig Ansari created the deal"),
                       text_at(40, 300, "Paid (Sharia Ansari) 10.00")});
  EXPECT_EQ(found(dtap::find_pii(misread), "name"), (V{"Shariq Ansari", "Sharig Ansari", "Sharia Ansari"}));
  // Three edits is another name; a dictionary word one edit from a name is that word.
  auto other = page({text_at(40, 100, "Hi Shariq Ansari,"), text_at(40, 200, "Shared Ansaro files"),
                     text_at(40, 400, "Thanks Darren,"), text_at(40, 500, "Barren land ahead")});
  const auto names = found(dtap::find_pii(other));
  EXPECT_NE(std::find(names.begin(), names.end(), "Darren"), names.end());
  for (const auto& t : names) EXPECT_TRUE(t == "Darren" || t == "Shariq Ansari") << t;
}

TEST(PiiRecognisers, PlacesEndingInARegionOrCountry) {
  auto texts = [](std::string_view line) {
    V out;
    for (const auto& s : dtap::find_places(line)) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  // A trip's stops behind a pin icon, with OCR noise after them; chips in brackets.
  EXPECT_EQ(texts("9 Bar Harbor, Maine, US eee oe"), V{"Bar Harbor, Maine, US"});
  EXPECT_EQ(texts("Hancock County, Maine, US"), V{"Hancock County, Maine, US"});
  EXPECT_EQ(texts("(St. Gallen, Switzerland ) (Bavaria, Germany ) ("), (V{"St. Gallen, Switzerland", "Bavaria, Germany"}));
  EXPECT_EQ(texts("Our trip to Garching bei München, Germany"), V{"Garching bei München, Germany"});
  // No region at the end, lists of countries, UI text with commas, lower-case words.
  for (const char* s : {"Bar Harbor", "France, Spain, Italy", "Settings, Privacy, Help", "Sort by name, date",
                        "Maine Coon cats, kittens", "Hello, world", "shipped to germany, fast"})
    EXPECT_TRUE(dtap::find_places(s).empty()) << s;
}

TEST(PiiRecognisers, ALineThatIsOnlyANameNeedsLess) {
  const auto& lists = dtap::NameLists::shipped();
  auto names = [&](std::string_view line) {
    V out;
    for (const auto& s : dtap::find_names(line, "", &lists)) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  // A first name that is also a word with an unlisted surname, a listed first
  // name with a surname that is also a word: names when they are the whole line.
  EXPECT_EQ(names("Peter Weyland"), V{"Peter Weyland"});
  EXPECT_EQ(names("Sophie Stiller"), V{"Sophie Stiller"});
  // Not in running text, and not when both words are words.
  EXPECT_TRUE(names("Ask Peter Weylandt today").empty());
  // A surname only the large census list knows (humannames): after a first
  // name, or after a name-shaped word that no dictionary holds.
  EXPECT_EQ(names("Ask Josh Simmons today"), V{"Josh Simmons"});
  EXPECT_EQ(names("Shariq Ansari"), V{"Shariq Ansari"});
  for (const char* s : {"HELO Loc", "Tesla India", "Edge Cases"}) EXPECT_TRUE(names(s).empty()) << s;
  for (const char* s : {"Grace Period", "Will Help", "Mark Read", "Hope Street"}) EXPECT_TRUE(names(s).empty()) << s;
}

TEST(PiiRecognisers, AccountsOnTerminalAndCodeHostingScreens) {
  auto users = [](std::string_view line) {
    V out;
    for (const auto& s : dtap::find_shell_users(line)) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  EXPECT_EQ(users("alice@laptop:~/projects$ ls -la"), V{"alice@laptop"});
  EXPECT_EQ(users("[bob@web01 ~]$ sudo systemctl restart nginx"), V{"bob@web01"});
  EXPECT_EQ(users("jdoe@MacBook-Pro ~ % git status"), V{"jdoe@MacBook-Pro"});
  EXPECT_EQ(users("ssh -p 2222 deploy@backup"), V{"deploy@backup"});
  EXPECT_EQ(users("cp notes /home/alice/Documents/"), V{"alice"});
  EXPECT_EQ(users("C:\\Users\\jsmith\\Desktop>"), V{"jsmith"});
  EXPECT_EQ(users("-rw-r--r-- 1 jsmith devs 220 Jan 1 .bashrc"), (V{"jsmith", "devs"}));
  EXPECT_EQ(users("Merge pull request #42 from octocat/fix-typo"), V{"octocat"});
  // A connection's or a terminal title's "user@host" alone (a host without a dot is no mail domain).
  EXPECT_EQ(users("mathias@desktop-mathias"), V{"mathias@desktop-mathias"});
  EXPECT_EQ(users("Connected root@public-services"), V{"root@public-services"});
  for (const char* s : {"npm i react@latest", "e9@eeee00e", "fix@2x.png", "pkg@18"}) EXPECT_TRUE(users(s).empty()) << s;
  // E-mail addresses in prose, system accounts and documentation placeholders, paths without a home.
  for (const char* s : {"Contact jane@example.com for help", "cd /home/user/src", "drwxr-xr-x 2 root root 4096 Mar 3 etc",
                        "/usr/local/bin/node", "C:\\Program Files\\App", "Merge branch 'main' into dev"})
    EXPECT_TRUE(users(s).empty()) << s;
  // A code host's events relayed by a chat bot or a mail name the repository on any page; a branch is no account.
  auto repos = [](std::string_view line) {
    V out;
    for (const auto& s : dtap::find_usernames(line, "", false)) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  EXPECT_EQ(repos("Workflow CI failed for quotient-im/Quaternion on branch kitsune/translations"), V{"quotient-im/Quaternion"});
  EXPECT_EQ(repos("KitsuneRal created new issue quotient-im/Quaternion#845"), V{"quotient-im/Quaternion"});
  EXPECT_TRUE(repos("between your mobile and apple/google to solve this issue").empty());
  // Code-hosting activity: the handle before the verb.
  const auto& lists = dtap::NameLists::shipped();
  auto actors = [&](std::string_view line) {
    V out;
    for (const auto& s : dtap::find_actors(line, &lists)) out.emplace_back(line.substr(s.begin, s.end - s.begin));
    return out;
  };
  EXPECT_EQ(actors("octocat opened this issue 3 days ago"), V{"octocat"});
  EXPECT_EQ(actors("mkoenig pushed to main"), V{"mkoenig"});
  EXPECT_TRUE(actors("Issue opened by the team").empty());
}

TEST(PiiLayout, ALineReadTwiceGivesOneFinding) {
  // The page layout and dtap's own lines may both read a line: one finding per place.
  auto ocr = page({text_at(40, 100, "Ana Lopez"), text_at(41, 101, "Ana Lopez"), text_at(40, 300, "Ana Lopez")});
  const auto found = dtap::find_pii(ocr);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_LT(found[0].bbox.y, 200);
  EXPECT_GT(found[1].bbox.y, 200);
}

TEST(PiiLayout, TranscriptSendersAfterOrBesideTheirTime) {
  // A Matrix client's timeline: the time alone with the sender beside it, or the
  // time, an avatar read as a symbol and the sender, the message standing apart.
  auto timeline = page({text_at(40, 100, "<20:37:29>"), text_at(190, 100, "bgt lover"),
                        text_at(500, 100, "oh I see, sorry then for my spiciness"),
                        text_at(40, 160, "11:19:33> % Tom Foster"), text_at(500, 160, "Happy new year from all of us"),
                        text_at(40, 220, "{16:40:59> @ triangularowl"), text_at(500, 220, "is element X on fdroid somewhere")});
  auto f = dtap::find_pii(timeline);
  EXPECT_EQ(found(f), (V{"bgt lover", "Tom Foster", "triangularowl"}));
  // An agenda's or a day's times before plain words, and prices, are no transcript.
  auto agenda = page({text_at(40, 100, "09:00 Opening remarks"), text_at(40, 140, "09:30 Coffee break"),
                      text_at(40, 180, "10:00 Keynote"), text_at(40, 220, "12:30 Lunch")});
  EXPECT_TRUE(dtap::find_pii(agenda).empty());
  auto prices = page({text_at(40, 100, "12.50 Zorblat"), text_at(40, 140, "3.20 Quuxor"), text_at(40, 180, "9.99 Fnordix")});
  EXPECT_TRUE(found(dtap::find_pii(prices), "name").empty());
  EXPECT_TRUE(found(dtap::find_pii(prices), "username").empty());
}

namespace {
// One row per entry at x 90, 80 px apart, each beside a 48 px avatar (appended to `avatars`).
std::vector<std::vector<Word>> rows_beside_avatars(const std::vector<std::string>& entries, std::vector<dtap::BBox>& avatars) {
  std::vector<std::vector<Word>> rows;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const double y = 100 + 80.0 * static_cast<double>(i);
    avatars.push_back({20, y - 12, 48, 48});
    rows.push_back(text_at(90, y, entries[i]));
  }
  return rows;
}
}  // namespace

TEST(PiiLayout, AvatarColumnsShareTheirNamedRowsLabel) {
  // A member list: avatars, two rows that are names by any rule, two that are
  // not ("Ash" is a word, "8th passenger" has no name's shape): all four are the
  // members' names, found again where they recur on the page (a bill's payer);
  // dictionary words are not searched for elsewhere.
  std::vector<dtap::BBox> avatars;
  auto rows = rows_beside_avatars({"Peter Weyland", "Ash", "Anna Berg", "8th passenger"}, avatars);
  rows.push_back(text_at(600, 100, "25.00 (8th passenger - Peter Weyland)"));
  auto f = dtap::find_pii(page(rows), {}, avatars);
  auto names = found(f, "name");
  for (const char* who : {"Peter Weyland", "Ash", "Anna Berg"})
    EXPECT_NE(std::find(names.begin(), names.end(), who), names.end()) << who;
  auto all = found(f);
  EXPECT_EQ(std::count(all.begin(), all.end(), "8th passenger"), 2);
  // Settings beside icons have no named rows; a mail's subject under its sender
  // (level with the same avatar) and a folder in a people list are no names.
  std::vector<std::vector<Word>> settings, inbox;
  std::vector<dtap::BBox> icons, photos;
  settings = rows_beside_avatars({"Wi-Fi", "Bluetooth", "Display", "Sound"}, icons);
  EXPECT_TRUE(dtap::find_pii(page(settings), {}, icons).empty());
  const std::vector<std::string> senders = {"Anna Berg", "Peter Weyland", "Marta Lopez"};
  for (std::size_t i = 0; i < senders.size(); ++i) {
    const double y = 100 + 120.0 * static_cast<double>(i);
    photos.push_back({20, y - 10, 72, 72});
    inbox.push_back(text_at(110, y, senders[i]));
    inbox.push_back(text_at(110, y + 28, "Re: Weekend plans"));
  }
  inbox.push_back(text_at(110, 460, "Direct Messages"));
  photos.push_back({20, 450, 72, 72});
  EXPECT_EQ(found(dtap::find_pii(page(inbox), {}, photos)), (V{"Anna Berg", "Peter Weyland", "Marta Lopez"}));
  // A brand and a labelled entry in a column of names stay out of it.
  std::vector<dtap::BBox> discs;
  auto mixed = rows_beside_avatars({"Peter Weyland", "Anna Berg", "Netflix", "Team: Design"}, discs);
  EXPECT_EQ(found(dtap::find_pii(page(mixed), {}, discs)), (V{"Peter Weyland", "Anna Berg"}));
}

TEST(PiiLayout, SmallSymbolIconsBeforeListRows) {
  // An IRC member list whose person icons OCR reads as "&", half the text's height.
  std::vector<std::vector<Word>> nicks;
  for (const char* nick : {"ChanServ", "cannabis_indica", "SilverRainZ", "globbot", "adct", "est31"}) {
    const double y = 100 + 40.0 * static_cast<double>(nicks.size());
    nicks.push_back({{900, y + 8, 10, 10, "&", 80}, {916, y, 12.0 * static_cast<double>(std::string(nick).size()), 24, nick}});
  }
  auto ocr = page(nicks);
  EXPECT_EQ(dtap::leading_icon_words(ocr, ocr.lines[0], nullptr), 1u);
  auto f = dtap::find_pii(ocr);
  // The network's service is listed too, and is no one's nick.
  EXPECT_EQ(found(f), (V{"cannabis_indica", "SilverRainZ", "globbot", "adct", "est31"}));
  for (const auto& x : f) EXPECT_GE(x.bbox.x, 916);
  // Punctuation OCR cut off the text ("by: Anna") is no icon.
  auto cut = page({{{100, 100, 6, 8, ":", 60}, {110, 100, 48, 24, "Anna"}}});
  EXPECT_EQ(dtap::leading_icon_words(cut, cut.lines[0], nullptr), 0u);
}

TEST(PiiLayout, TableColumnsUnderAPersonHeader) {
  // A helpdesk table: "Contact" over its column of people, beside other columns.
  auto table = page({text_at(900, 100, "Contact"), text_at(1200, 100, "Status"),
                     text_at(900, 150, "Sumit Bhanush"), text_at(1200, 150, "Paused"),
                     text_at(900, 200, "Zorblat Quux"), text_at(1200, 200, "Open"),
                     text_at(900, 250, "kmartin"), text_at(1200, 250, "Resolved")});
  EXPECT_EQ(found(dtap::find_pii(table)), (V{"Sumit Bhanush", "Zorblat Quux", "kmartin"}));
  // A form whose "Owner" label stands over other labels, and a header over a
  // single value, are no table of people.
  auto form = page({text_at(40, 100, "Owner"), text_at(40, 150, "Last Name"), text_at(40, 200, "IBAN"),
                    text_at(40, 250, "Billing (monthly)")});
  EXPECT_TRUE(dtap::find_pii(form).empty());
  auto single = page({text_at(40, 100, "Assignee"), text_at(40, 150, "Zorblat Quux")});
  EXPECT_TRUE(dtap::find_pii(single).empty());
}

TEST(PiiLayout, AuthenticatorEntriesOfLargeGroupedCodes) {
  // Service, account, then the code at twice the size, partly hidden ("6HV 2H").
  auto entry = [](double y, const std::string& service, const std::string& account, const std::string& code) {
    std::vector<std::vector<Word>> lines = {text_at(300, y, service), text_at(300, y + 40, account)};
    std::vector<Word> big;
    double x = 300;
    for (const auto& w : dtap::split_whitespace(code)) {
      big.push_back({x, y + 80, 26.0 * static_cast<double>(w.size()), 56, w});
      x += 26.0 * static_cast<double>(w.size() + 1);
    }
    lines.push_back(big);
    return lines;
  };
  std::vector<std::vector<Word>> page_lines;
  for (auto& l : entry(100, "Steam", "zorblat", "6HV 2H")) page_lines.push_back(l);
  for (auto& l : entry(300, "Blizzard", "quuxor", "948 017 15")) page_lines.push_back(l);
  auto f = dtap::find_pii(page(page_lines));
  EXPECT_EQ(found(f, "secret"), (V{"6HV 2H", "948 017 15"}));
  EXPECT_EQ(found(f, "username"), (V{"zorblat", "quuxor"}));
  // One large grouped line is a heading or a price, not an authenticator.
  std::vector<std::vector<Word>> one;
  for (auto& l : entry(100, "Total", "today", "120 EUR")) one.push_back(l);
  EXPECT_TRUE(dtap::find_pii(page(one)).empty());
  // Large prose cut into short lines is no code.
  std::vector<std::vector<Word>> prose;
  for (auto& l : entry(100, "Welcome", "back", "your cat")) prose.push_back(l);
  for (auto& l : entry(300, "Read", "more", "sons 8 OF")) prose.push_back(l);
  EXPECT_TRUE(found(dtap::find_pii(page(prose)), "secret").empty());
}

TEST(PiiLayout, AnAtHandleDoesNotSpreadToTheBareWord) {
  // The app's own account ("@tooot") is a handle; "tooot" in the title bar or a
  // sentence is the app's name.
  auto f = dtap::find_pii(page({text_at(40, 40, "tooot"), text_at(40, 400, "Follow @tooot for news"),
                                text_at(40, 500, "Thanks for using tooot today")}));
  EXPECT_EQ(found(f), V{"@tooot"});
}
