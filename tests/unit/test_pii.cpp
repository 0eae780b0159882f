#include <gtest/gtest.h>

#include "dtap/checksum.hpp"
#include "dtap/fake.hpp"
#include "dtap/pii.hpp"

namespace {

// The texts a recogniser found on a line.
std::vector<std::string> texts(std::string_view line, const std::vector<dtap::PiiSpan>& spans) {
  std::vector<std::string> out;
  for (const auto& s : spans) out.emplace_back(line.substr(s.begin, s.end - s.begin));
  return out;
}
using V = std::vector<std::string>;

}  // namespace

TEST(PiiContext, LabelsOnTheLineAndAboveTheValue) {
  auto c = dtap::line_context("Email");
  EXPECT_EQ(c.label, "email");
  EXPECT_TRUE(c.whole_line_label);
  c = dtap::line_context("Date of birth:");
  EXPECT_EQ(c.label, "date_of_birth");
  EXPECT_TRUE(c.whole_line_label);
  c = dtap::line_context("Phone: +44 20 7946 0958");
  EXPECT_EQ(c.label, "phone");
  EXPECT_FALSE(c.whole_line_label);
  EXPECT_EQ(std::string("Phone: +44 20 7946 0958").substr(c.value_begin), "+44 20 7946 0958");
  EXPECT_EQ(dtap::line_context("Order #AB12345678").label, "id_number");
  // Words that merely start like a label are not one; short labels need a colon.
  EXPECT_EQ(dtap::line_context("Orders and returns").label, "");
  EXPECT_EQ(dtap::line_context("To add a contact").label, "");
  EXPECT_EQ(dtap::line_context("To: Ana Lopez").label, "name");
}

TEST(PiiEmail, FindsAddressesNotHandles) {
  std::string line = "or e-mail me at ana.lopez92@gmail.com, thanks";
  EXPECT_EQ(texts(line, dtap::find_emails(line)), V{"ana.lopez92@gmail.com"});
  EXPECT_EQ(texts("f_kim3@hotmail.co.uk", dtap::find_emails("f_kim3@hotmail.co.uk")), V{"f_kim3@hotmail.co.uk"});
  EXPECT_TRUE(dtap::find_emails("@ana.lopez follows you").empty());
  EXPECT_TRUE(dtap::find_emails("name at example dot com").empty());
}

TEST(PiiPhone, InternationalAndNationalFormats) {
  for (std::string p : {"+1 (415) 555-0132", "(415) 555-0132", "415.555.0132", "415-555-0132", "+44 20 7946 0958",
                        "+44 7911 123456", "+49 30 12345678", "06 12 34 56 78", "+33 6 12 34 56 78",
                        "+61 412 345 678", "020 7946 0958"}) {
    std::string line = "Call " + p + " now";
    EXPECT_EQ(texts(line, dtap::find_phones(line)), V{p}) << p;
  }
}

TEST(PiiPhone, NearMissesAreNotPhones) {
  for (std::string line : {"9:41", "Arriving today, 2-4 pm", "Qty 2  $1,204.50", "Total €2,399.00", "14:05 - 18:30",
                           "Version 10.0.19041.1", "v1.2.3.4", "192.168.1.20", "12/05/1990", "1990-05-12",
                           "Battery 85%", "Invoice 123", "123-45-6789", "1234 5678 9012", "USB-C charger 30W",
                           "4111 1111 1111 1111"}) {
    EXPECT_TRUE(dtap::find_phones(line).empty()) << line;
  }
  // A bare number is a phone only when the context says so.
  EXPECT_TRUE(dtap::find_phones("5550132").empty());
  EXPECT_EQ(texts("555 0132 77", dtap::find_phones("555 0132 77", "phone")), V{"555 0132 77"});
}

TEST(PiiIp, Ipv4AndIpv6NotVersions) {
  EXPECT_EQ(texts("Last sign-in from 192.168.14.7", dtap::find_ips("Last sign-in from 192.168.14.7")),
            V{"192.168.14.7"});
  EXPECT_EQ(texts("from 2001:db8:85a3:7:1::42.", dtap::find_ips("from 2001:db8:85a3:7:1::42.")),
            V{"2001:db8:85a3:7:1::42"});
  EXPECT_EQ(texts("fe80::1", dtap::find_ips("fe80::1")), V{"fe80::1"});
  for (std::string line : {"v1.2.3.4", "Version 10.0.19041.1", "Build 4.12.0.1", "256.1.1.1", "1.2.3.4.5",
                           "12:30:45", "Meet at 10:30", "Android 14.0.0.2"})
    EXPECT_TRUE(dtap::find_ips(line).empty()) << line;
}

TEST(PiiCard, LuhnCheckedWithNetworkPrefix) {
  EXPECT_EQ(texts("4111 1111 1111 1111", dtap::find_cards("4111 1111 1111 1111")), V{"4111 1111 1111 1111"});
  EXPECT_EQ(texts("Visa 4012-8888-8888-1881 exp", dtap::find_cards("Visa 4012-8888-8888-1881 exp")),
            V{"4012-8888-8888-1881"});
  EXPECT_EQ(texts("3782 822463 10005", dtap::find_cards("3782 822463 10005")), V{"3782 822463 10005"});  // Amex
  EXPECT_TRUE(dtap::find_cards("4111 1111 1111 1112").empty());  // Luhn fails
  EXPECT_TRUE(dtap::find_cards("1234 5678 9012").empty());       // 12-digit account number
  EXPECT_TRUE(dtap::find_cards("0000 0000 0000 0000").empty());  // no card network starts with 0
  // Under a "Card number" label a misread card is still reported, less sure.
  auto labelled = dtap::find_cards("4111 1111 1111 1112", "card");
  ASSERT_EQ(labelled.size(), 1u);
  EXPECT_LT(labelled[0].score, 0.8);
  EXPECT_EQ(labelled[0].source, "ocr+context");
}

TEST(PiiIban, Mod97Checked) {
  EXPECT_EQ(texts("IBAN DE89 3704 0044 0532 0130 00", dtap::find_ibans("IBAN DE89 3704 0044 0532 0130 00")),
            V{"DE89 3704 0044 0532 0130 00"});
  EXPECT_EQ(texts("GB29NWBK60161331926819", dtap::find_ibans("GB29NWBK60161331926819")), V{"GB29NWBK60161331926819"});
  // A valid IBAN followed by more text keeps only the IBAN.
  EXPECT_EQ(texts("GB29 NWBK 6016 1331 9268 19 Rent", dtap::find_ibans("GB29 NWBK 6016 1331 9268 19 Rent")),
            V{"GB29 NWBK 6016 1331 9268 19"});
  EXPECT_TRUE(dtap::find_ibans("DE88 3704 0044 0532 0130 00").empty());  // check digits wrong
  EXPECT_TRUE(dtap::find_ibans("AB12 CDEF").empty());
}

TEST(PiiDateOfBirth, OnlyWithContext) {
  for (std::string d : {"12/05/1990", "05/12/1990", "1990-05-12", "May 12, 1990", "12 May 1990"})
    EXPECT_EQ(texts(d, dtap::find_dates_of_birth(d, "date_of_birth")), V{d}) << d;
  EXPECT_TRUE(dtap::find_dates_of_birth("12/05/1990", "").empty());
  EXPECT_TRUE(dtap::find_dates_of_birth("Check-in Fri 12 Jun", "date_of_birth").empty());
}

TEST(PiiIdNumber, ContextAndSsnShape) {
  EXPECT_EQ(texts("123-45-6789", dtap::find_id_numbers("123-45-6789", "")), V{"123-45-6789"});
  EXPECT_EQ(texts("#AB12345678", dtap::find_id_numbers("#AB12345678", "id_number")), V{"#AB12345678"});
  EXPECT_EQ(texts("1234 5678 9012", dtap::find_id_numbers("1234 5678 9012", "id_number")), V{"1234 5678 9012"});
  EXPECT_EQ(texts("112-5550123-9876543", dtap::find_id_numbers("112-5550123-9876543", "id_number")),
            V{"112-5550123-9876543"});
  EXPECT_EQ(texts("X12345678", dtap::find_id_numbers("X12345678", "id_number")), V{"X12345678"});
  // No context: codes are not reported; with context, words without digits are not codes.
  EXPECT_TRUE(dtap::find_id_numbers("#AB12345678", "").empty());
  EXPECT_TRUE(dtap::find_id_numbers("Rent June", "id_number").empty());
  EXPECT_TRUE(dtap::find_id_numbers("Invoice 123", "id_number").empty());
}

TEST(PiiUrlToken, OnlyLinksCarryingSecrets) {
  std::string line = "Reset here: https://login.example.org/r?token=a8f3k2m9x0q1.";
  EXPECT_EQ(texts(line, dtap::find_url_tokens(line)), V{"https://login.example.org/r?token=a8f3k2m9x0q1"});
  EXPECT_EQ(texts("share.example.net/r?session=zz81kq0a9b2c",
                  dtap::find_url_tokens("share.example.net/r?session=zz81kq0a9b2c")),
            V{"share.example.net/r?session=zz81kq0a9b2c"});
  EXPECT_EQ(dtap::find_url_tokens("https://x.io/i/Ab3kP9qLm2Zx7Rt5Wv8Yc1").size(), 1u);
  EXPECT_TRUE(dtap::find_url_tokens("https://www.example.com/help").empty());
  EXPECT_TRUE(dtap::find_url_tokens("https://shop.example.com/search?q=shoes").empty());
}

TEST(PiiUsername, HandlesAndContext) {
  EXPECT_EQ(texts("Ana Lopez @ana.lopez", dtap::find_usernames("Ana Lopez @ana.lopez")), V{"@ana.lopez"});
  EXPECT_EQ(texts("@thenoahki.", dtap::find_usernames("@thenoahki.")), V{"@thenoahki"});
  EXPECT_TRUE(dtap::find_usernames("ana@gmail.com").empty());   // part of an e-mail
  EXPECT_TRUE(dtap::find_usernames("meet @ 5").empty());
  EXPECT_EQ(texts("ana_l92", dtap::find_usernames("ana_l92", "username")), V{"ana_l92"});
  EXPECT_TRUE(dtap::find_usernames("ana_l92", "").empty());
}

TEST(PiiAddress, StreetAndCityLines) {
  for (std::string a : {"1427 Oak Street", "12 Maple Ave, Apt 3B", "9 High St", "221B Baker Street",
                        "77 Sunset Blvd, Unit 120", "350 Fifth Avenue"})
    EXPECT_EQ(texts(a, dtap::find_addresses(a)), V{a}) << a;
  EXPECT_EQ(texts("Ship to 4 Elm Road, Portland, OR 97205 today",
                  dtap::find_addresses("Ship to 4 Elm Road, Portland, OR 97205 today")),
            V{"4 Elm Road, Portland, OR 97205"});
  for (std::string c : {"Portland, OR 97205", "Toronto, ON M5V 2T6", "Sydney, NSW 2000", "London SW1A 1AA",
                        "Dublin D02 X285"})
    EXPECT_EQ(texts(c, dtap::find_addresses(c)), V{c}) << c;
  // "10115 Berlin" is a city line only under a street line or an address label.
  EXPECT_TRUE(dtap::find_addresses("10115 Berlin").empty());
  EXPECT_EQ(texts("10115 Berlin", dtap::find_addresses("10115 Berlin", "", true)), V{"10115 Berlin"});
  EXPECT_EQ(texts("Hauptstraße 5", dtap::find_addresses("Hauptstraße 5")), V{"Hauptstraße 5"});
  for (std::string line : {"Qty 2 Running shoes", "2 Factor Authentication", "Check-in Fri 12 Jun", "Backpack 20L",
                           "Top 10 Street Foods"})
    EXPECT_TRUE(dtap::find_addresses(line).empty()) << line;
}

TEST(PiiName, ListsGreetingsAndContext) {
  dtap::NameLists lists;
  lists.first = {"ana", "grace", "noah"};
  lists.last = {"kim", "lopez"};  // sorted, as NameLists expects
  EXPECT_EQ(texts("Ana Lopez", dtap::find_names("Ana Lopez", "", &lists)), V{"Ana Lopez"});
  EXPECT_EQ(texts("Courier: Noah Kim - +1 555", dtap::find_names("Courier: Noah Kim - +1 555", "", &lists)),
            V{"Noah Kim"});
  EXPECT_EQ(texts("Thanks Ana - where should I", dtap::find_names("Thanks Ana - where should I", "", &lists)),
            V{"Ana"});
  // A listed surname after an unknown first name, when the line is just the name.
  EXPECT_EQ(texts("Xavier Lopez", dtap::find_names("Xavier Lopez", "", &lists)), V{"Xavier Lopez"});
  // Without lists: only context finds a name.
  EXPECT_TRUE(dtap::find_names("Zoltan Varga", "", nullptr).empty());
  EXPECT_EQ(texts("Zoltan Varga", dtap::find_names("Zoltan Varga", "name", nullptr)), V{"Zoltan Varga"});
  EXPECT_EQ(texts("Thanks Zoltan - see you", dtap::find_names("Thanks Zoltan - see you", "", nullptr)),
            V{"Zoltan"});
  // Near misses: a listed first name that is an ordinary word in lower case,
  // UI text in title case.
  EXPECT_TRUE(dtap::find_names("by grace of", "", &lists).empty());
  EXPECT_TRUE(dtap::find_names("Save Changes", "", &lists).empty());
  EXPECT_TRUE(dtap::looks_like_person_name("Ana Lopez"));
  EXPECT_FALSE(dtap::looks_like_person_name("Ana"));
  EXPECT_FALSE(dtap::looks_like_person_name("Search contacts"));
  EXPECT_FALSE(dtap::looks_like_person_name("Ana Lopez 9:41"));
  // A greeting before a name that is also a surname: only the name.
  lists.first = {"ana", "chen", "grace", "noah"};
  lists.last = {"chen", "kim", "lopez"};
  EXPECT_EQ(texts("Thanks Chen", dtap::find_names("Thanks Chen", "", &lists)), V{"Chen"});
}

TEST(PiiNameLists, ShippedListsLoad) {
  const auto& l = dtap::NameLists::shipped();
  EXPECT_GT(l.first.size(), 50u);
  EXPECT_TRUE(l.is_first("Ana"));
  EXPECT_TRUE(l.is_last("lopez"));
  EXPECT_FALSE(l.is_first("Settings"));
}

TEST(PiiIban, CheckDigitsMisreadAsLetters) {
  // OCR read "GB09" as "GBO9": the check digits are read back as digits.
  std::string valid = "GB09 IKIF 2823 7765 9369 84";
  ASSERT_TRUE(dtap::iban_valid(valid));
  std::string misread = valid;
  misread[2] = 'O';
  EXPECT_EQ(texts(misread, dtap::find_ibans(misread)), V{misread});
  misread[3] = '8';  // a wrong digit is still wrong
  EXPECT_TRUE(dtap::find_ibans(misread).empty());
  EXPECT_TRUE(dtap::find_ibans("GBOL DEFG HIJK LMNO PQ").empty());
}

TEST(PiiUsername, NoisyHandleUnderLabel) {
  auto found = dtap::find_usernames("nadia_|l44", "username");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_LT(found[0].score, 0.8);
  EXPECT_TRUE(dtap::find_usernames("two words", "username").empty());
}

TEST(PiiAddress, MisreadPostcodeUnderAStreetLine) {
  EXPECT_EQ(texts("Manchester NO Oll", dtap::find_addresses("Manchester NO Oll", "", true)), V{"Manchester NO Oll"});
  EXPECT_TRUE(dtap::find_addresses("Manchester NO Oll").empty());
  EXPECT_TRUE(dtap::find_addresses("Got it, see you at", "", true).empty());
  EXPECT_TRUE(dtap::find_addresses("Payment", "", true).empty());
  EXPECT_TRUE(dtap::find_addresses("Call Mom", "", true).empty());
}

TEST(PiiUsername, FediverseMatrixChannelsAndRepos) {
  std::string line = "Boosted by @ana@social.example.org yesterday";
  EXPECT_EQ(texts(line, dtap::find_usernames(line)), V{"@ana@social.example.org"});
  EXPECT_TRUE(dtap::find_emails(line).empty());  // the handle's server is not an e-mail address
  EXPECT_EQ(texts("@kim.l:matrix.org", dtap::find_usernames("@kim.l:matrix.org")), V{"@kim.l:matrix.org"});
  EXPECT_EQ(texts("#dev-ops", dtap::find_usernames("#dev-ops")), V{"#dev-ops"});
  // Hashtags inside sentences and headings in capitals are not channels.
  EXPECT_TRUE(dtap::find_usernames("Loving the #sunset tonight").empty());
  EXPECT_TRUE(dtap::find_usernames("#1").empty());
  EXPECT_TRUE(dtap::find_usernames("#FFAA00").empty());
  // owner/repo only on code-hosting pages, and never paths, fractions or "and/or".
  EXPECT_EQ(texts("forked from octo-org/widget.js", dtap::find_usernames("forked from octo-org/widget.js", "", true)),
            V{"octo-org/widget.js"});
  EXPECT_TRUE(dtap::find_usernames("forked from octo-org/widget.js").empty());
  for (std::string l : {"src/main/java/App.kt", "and/or", "12/05/1990", "50/50", "https://a.example/b"})
    EXPECT_TRUE(dtap::find_usernames(l, "", true).empty()) << l;
  EXPECT_TRUE(dtap::looks_like_code_hosting({"Code", "Issues 12", "Pull requests 3", "Actions"}));
  EXPECT_FALSE(dtap::looks_like_code_hosting({"Inbox", "Starred", "Sent"}));
}

TEST(PiiSecret, PrefixedKeysTokensAndCodes) {
  for (std::string v : {"sk-proj-4fG7hJ2kL9mN3pQ8rS1tU6vW", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4",
                        "AKIAIOSFODNN7EXAMPLE", "xoxb-1234567890-abcdefghij",
                        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl",
                        "glpat-xY7zQ2wE4rT6yU8iO0pA"}) {
    std::string line = "key " + v;
    EXPECT_EQ(texts(line, dtap::find_secrets(line)), V{v}) << v;
  }
  std::string tok = "token: 9fT3kQ8zL2mX7vB4nR6wY1pD5sH0jC";
  EXPECT_EQ(texts(tok, dtap::find_secrets(tok)), V{"9fT3kQ8zL2mX7vB4nR6wY1pD5sH0jC"});
  EXPECT_EQ(texts("7KQ2-MX9P-4TZA", dtap::find_secrets("7KQ2-MX9P-4TZA")), V{"7KQ2-MX9P-4TZA"});
  EXPECT_EQ(texts("492 817", dtap::find_secrets("492 817")), V{"492 817"});
  // After "Password": a shown password; masked ones are not readable values.
  EXPECT_EQ(texts("Tr0ub4dor&3", dtap::find_secrets("Tr0ub4dor&3", "secret")), V{"Tr0ub4dor&3"});
  EXPECT_TRUE(dtap::find_secrets("********", "secret").empty());
  EXPECT_TRUE(dtap::find_secrets("Change", "secret").empty());
  EXPECT_EQ(dtap::line_context("API key").label, "secret");
  EXPECT_EQ(dtap::line_context("Recovery codes").label, "secret");
}

TEST(PiiSecret, LookAlikesAreNotSecrets) {
  for (std::string line : {"Version 2.14.0-beta.3", "#FFAA00", "commit 3f2a9c1", "Total $1,204.50",
                           "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",  // a commit hash
                           "https://example.com/docs/getting-started", "Settings", "Sign in with Google",
                           "Internationalization", "2024-11-03", "14:05", "123456", "+44 20 7946 0958",
                           "Material You dynamic colours", "ThisIsAVeryLongCamelCaseIdentifier"}) {
    EXPECT_TRUE(dtap::find_secrets(line).empty()) << line;
  }
}

TEST(PiiName, WordsThatAreNamesNeedASurname) {
  const auto& lists = dtap::NameLists::shipped();
  ASSERT_TRUE(lists.is_common("will"));
  // "Will" and "Mark" are given names and words: without a listed surname they stay words.
  EXPECT_TRUE(dtap::find_names("Will Help", "", &lists).empty());
  EXPECT_TRUE(dtap::find_names("Mark Read", "", &lists).empty());
  // Names from the multi-locale lists (not the synthesiser's own lists).
  std::string l = "Meeting with Giulia Bianchi";
  EXPECT_EQ(texts(l, dtap::find_names(l, "", &lists)), V{"Giulia Bianchi"});
}

TEST(PiiNameLists, HeldOutNamesAreNeverTheDetectors) {
  const auto& detector = dtap::NameLists::shipped();
  const auto& heldout = dtap::WordLists::heldout_names();
  ASSERT_GT(heldout.first_names.size(), 1000u);
  ASSERT_GT(heldout.last_names.size(), 1000u);
  for (const auto& n : heldout.first_names) EXPECT_FALSE(detector.is_first(n) || detector.is_last(n)) << n;
  for (const auto& n : heldout.last_names) EXPECT_FALSE(detector.is_first(n) || detector.is_last(n)) << n;
}

TEST(PiiActors, ActivitySendersAndTitles) {
  const auto& lists = dtap::NameLists::shipped();
  auto found = [&](const std::string& line) { return texts(line, dtap::find_actors(line, &lists)); };
  EXPECT_EQ(found("Harry Millward boosted your toot"), V{"Harry Millward"});
  EXPECT_EQ(found("Grimgerde joined the room"), V{"Grimgerde"});
  EXPECT_EQ(found("rx8geek replied to your comment"), V{"rx8geek"});
  EXPECT_EQ(found("Waltraute: see you there"), V{"Waltraute"});
  EXPECT_EQ(found("Meeting with Giulia Bianchi"), V{"Giulia Bianchi"});
  // UI phrasing, pronouns, brands and mail headers are not people.
  for (std::string l : {"You: Hey, what's up?", "Note: backups are off", "Everyone joined the call", "Send to Phone",
                        "Sign in with Google", "Subject: Invoice", "GitHub sent you a code", "New message from"})
    EXPECT_TRUE(found(l).empty()) << l;
  EXPECT_TRUE(dtap::looks_like_row_title("Wotan", &lists));
  EXPECT_TRUE(dtap::looks_like_row_title("Marco B.", &lists));
  EXPECT_TRUE(dtap::looks_like_row_title("miss_brainfart", &lists));
  for (std::string l : {"Settings", "T", "New group", "Steam", "Search contacts", "What are your plans for the weekend?"})
    EXPECT_FALSE(dtap::looks_like_row_title(l, &lists)) << l;
}

TEST(PiiAddress, PostcodeLinesAndMisreadCodes) {
  for (std::string l : {"69 Causewayhead, Penzance TR18 2SR, UK", "Unnamed Road, Hook RG27 OBH, UK"})
    EXPECT_EQ(texts(l, dtap::find_addresses(l)), V{l}) << l;
  for (std::string l : {"Version 2.1, build 12345", "Total, 3 items", "Room 4, floor 2"})
    EXPECT_TRUE(dtap::find_addresses(l).empty()) << l;
}

TEST(PiiSecret, OneTimeCodesReadWithLetters) {
  EXPECT_EQ(texts("475 O74", dtap::find_secrets("475 O74")), V{"475 O74"});
  EXPECT_TRUE(dtap::find_secrets("Step 3 of 4").empty());
}

TEST(PiiUsername, DomainsAndFragmentsAreNotHandles) {
  EXPECT_TRUE(dtap::find_usernames("support@apple.com or @apple.com").empty());
  EXPECT_TRUE(dtap::find_usernames("(sient", "username").empty());
}

TEST(PiiEmail, AddressesCutOffByTheLayout) {
  for (std::string l : {"wadewarren@behance.c...", "bessiecooper@mercede.", "ana@wiki\xE2\x80\xA6 New"})
    EXPECT_EQ(texts(l, dtap::find_emails(l)).size(), 1u) << l;
  EXPECT_EQ(texts("wadewarren@behance.c...", dtap::find_emails("wadewarren@behance.c...")), V{"wadewarren@behance.c"});
  // A handle's server or a sentence's end without an ellipsis is no cut address.
  for (std::string l : {"@ana@social", "write to ana@home", "Go... @team"}) EXPECT_TRUE(dtap::find_emails(l).empty()) << l;
}

TEST(PiiName, TitlesBeforeNames) {
  const auto& lists = dtap::NameLists::shipped();
  auto found = [&](const std::string& l) { return texts(l, dtap::find_names(l, "", &lists)); };
  EXPECT_EQ(found("@ Mr Wade Warren"), V{"Wade Warren"});
  EXPECT_EQ(found("Dr. Okonkwo Adebayo replied"), V{"Okonkwo Adebayo"});
  EXPECT_EQ(found("Mrs Amani Huber Qualified"), V{"Amani Huber Qualified"});
  for (std::string l : {"Dr Who", "Miss Universe", "Mr"}) EXPECT_TRUE(found(l).empty()) << l;
}

TEST(PiiActors, OwnerBeforeAnAddressInAngleBrackets) {
  const auto& lists = dtap::NameLists::shipped();
  auto found = [&](const std::string& l) { return texts(l, dtap::find_actors(l, &lists)); };
  EXPECT_EQ(found("Signed-off-by: leo <leo@example.cn>"), V{"leo"});
  EXPECT_EQ(found("From: Zanele Mokoena <zm@example.org>"), V{"Zanele Mokoena"});
  EXPECT_TRUE(found("Reply to <team@example.org>").empty());
  EXPECT_TRUE(found("Ana <3 you @bob").empty());  // a heart and a mention, no address
}

TEST(PiiActors, HashesAndAcronymsAreNoRowTitles) {
  const auto& lists = dtap::NameLists::shipped();
  for (std::string l : {"832fe28825", "CRM", "GPU-PC", "BING"}) EXPECT_FALSE(dtap::looks_like_row_title(l, &lists)) << l;
  for (std::string l : {"RAGHURAM GANESH", "rx8geek", "JOHN"}) EXPECT_TRUE(dtap::looks_like_row_title(l, &lists)) << l;
}

TEST(PiiNames, APersonInBracketsAtTheEndOfALine) {
  const auto& lists = dtap::NameLists::shipped();
  for (auto [l, want] : std::vector<std::pair<std::string, std::string>>{
           {"Gemeinsam (Ricki Hirner)", "Ricki Hirner"}, {"Team calendar (Wotan Grimgerd)", "Wotan Grimgerd"}})
    EXPECT_EQ(texts(l, dtap::find_names(l, "", &lists)), V{want}) << l;
  for (std::string l : {"Calendar (Read Only)", "Shipping (United States)", "Files (Google Drive)",
                        "Sync (every 15 minutes)"})
    EXPECT_TRUE(dtap::find_names(l, "", &lists).empty()) << l;
}

TEST(PiiNames, CapitalsBeyondAscii) {
  // Listed names whose capital is Latin-1, Greek or Cyrillic.
  const auto& lists = dtap::NameLists::shipped();
  for (std::string l : {"Иван Петров", "Élodie Durand", "Γιώργος Παπαδόπουλος"})
    EXPECT_EQ(texts(l, dtap::find_names(l, "", &lists)), V{l}) << l;
  // Surname particles between a listed first name and a capitalised surname.
  for (std::string l : {"Willem van der Berg", "Maria de la Cruz", "Ludwig van Beethoven"})
    EXPECT_EQ(texts(l, dtap::find_names(l, "", &lists)), V{l}) << l;
  for (std::string l : {"Mark de Table", "Sent to la Paz"}) EXPECT_TRUE(dtap::find_names(l, "", &lists).empty()) << l;
  // A capitalised word is not a name by its capital alone.
  for (std::string l : {"Настройки", "Écran d'accueil", "Übersicht"}) EXPECT_TRUE(dtap::find_names(l, "", &lists).empty()) << l;
}

TEST(PiiUsername, EnsDiscordAndRedditHandles) {
  for (std::string l : {"deepak.eth", "JohnDoe#1953", "/u/spez", "u/spez"})
    EXPECT_EQ(texts(l, dtap::find_usernames(l)), V{l}) << l;
  for (std::string l : {"see page 3/4", "Issue #1234", "ethereum.eth2"}) EXPECT_TRUE(dtap::find_usernames(l).empty()) << l;
}

TEST(PiiSecret, CodesInMessagesButNotBranchRefs) {
  const std::string sms = "Your verification code: 123456, do not share it";
  EXPECT_EQ(texts(sms, dtap::find_secrets(sms)), V{"123456"});
  EXPECT_EQ(texts("login code is 4821", dtap::find_secrets("login code is 4821")), V{"4821"});
  EXPECT_TRUE(dtap::find_secrets("origin/feature/avalonia-12").empty());
  EXPECT_TRUE(dtap::find_secrets("Code 12 of 40").empty());
}

TEST(PiiPhone, BareNumberAloneOnItsLine) {
  EXPECT_EQ(texts("919867959495", dtap::find_phones("919867959495")), V{"919867959495"});
  EXPECT_EQ(texts(" +4567890123 ", dtap::find_phones(" +4567890123 ")), V{"+4567890123"});
  for (std::string l : {"123456789", "12345678901234", "Order 919867959495"}) EXPECT_TRUE(dtap::find_phones(l).empty()) << l;
}
