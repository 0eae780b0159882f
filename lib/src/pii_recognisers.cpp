// The PII recognisers: one function per kind of value, over one OCR line.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <regex>

#include "dtap/checksum.hpp"
#include "dtap/fake.hpp"
#include "dtap/run.hpp"
#include "dtap/pii.hpp"
#include "dtap/text.hpp"

namespace dtap {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// All matches of `re` in `line` as [begin, end).
// Where `re` matches in `line`: the whole match, or its capture `group`.
std::vector<std::pair<std::size_t, std::size_t>> matches(const std::regex& re, std::string_view line, int group = 0) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::string s(line);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
    if ((*it)[group].matched)
      out.push_back({static_cast<std::size_t>(it->position(group)),
                     static_cast<std::size_t>(it->position(group) + it->length(group))});
  return out;
}

// Whether [b, e) overlaps a span already found.
bool overlaps_any(const std::vector<PiiSpan>& found, std::size_t b, std::size_t e) {
  return std::any_of(found.begin(), found.end(), [&](const PiiSpan& s) { return s.begin < e && b < s.end; });
}

// The word just before `pos` (letters only, lower case), skipping spaces.
std::string word_before(std::string_view line, std::size_t pos) {
  std::size_t e = pos;
  while (e > 0 && is_space(line[e - 1])) --e;
  std::size_t b = e;
  while (b > 0 && std::isalpha(static_cast<unsigned char>(line[b - 1]))) --b;
  return lower(line.substr(b, e - b));
}

// Drops trailing sentence punctuation from a span.
void trim_trailing_punct(std::string_view line, std::size_t begin, std::size_t& end) {
  while (end > begin && std::string_view(".,;:!?)]'\"").find(line[end - 1]) != std::string_view::npos) --end;
}

PiiSpan span(std::size_t b, std::size_t e, const char* label, double score, const char* source) {
  return PiiSpan{b, e, label, score, source};
}

bool version_word(const std::string& w) {
  return w == "v" || w == "ver" || w == "version" || w == "build" || w == "release" || w == "firmware" ||
         w == "android" || w == "ios" || w == "kernel" || w == "app";
}

}  // namespace

// ---------------------------------------------------------------- context

namespace {

struct ContextPhrase {
  const char* phrase;
  const char* label;
  bool needs_colon;  // short words that are labels only when followed by ':'
};

const std::vector<ContextPhrase>& context_phrases() {
  // Longer phrases first so that "email address" wins over "email".
  static const std::vector<ContextPhrase> phrases = [] {
    std::vector<ContextPhrase> p = {
        {"e-mail address", "email", false}, {"email address", "email", false}, {"e-mail", "email", false},
        {"email", "email", false}, {"mail", "email", true},
        {"phone number", "phone", false}, {"mobile number", "phone", false}, {"telephone", "phone", false},
        {"phone", "phone", false}, {"mobile", "phone", true}, {"tel", "phone", true}, {"cell", "phone", true},
        {"contact number", "phone", false},
        {"full name", "name", false}, {"first name", "name", false}, {"last name", "name", false},
        {"name", "name", false}, {"guest", "name", false}, {"recipient", "name", false},
        {"courier", "name", false}, {"deliver to", "name", false}, {"shipping to", "name", false},
        {"ship to", "name", false}, {"account holder", "name", false}, {"cardholder", "name", false},
        {"card holder", "name", false}, {"sender", "name", false}, {"passenger", "name", false},
        {"payee", "name", false}, {"beneficiary", "name", false}, {"driver", "name", false},
        {"customer", "name", true}, {"from", "name", true}, {"to", "name", true}, {"contact", "name", true},
        {"home address", "address", false}, {"shipping address", "address", false},
        {"billing address", "address", false}, {"delivery address", "address", false},
        {"address", "address", false}, {"location", "address", true},
        {"username", "username", false}, {"user name", "username", false}, {"handle", "username", false},
        {"user id", "username", false}, {"login", "username", true}, {"screen name", "username", false},
        {"date of birth", "date_of_birth", false}, {"birth date", "date_of_birth", false},
        {"birthday", "date_of_birth", false}, {"dob", "date_of_birth", false}, {"born", "date_of_birth", false},
        {"confirmation code", "id_number", false}, {"confirmation number", "id_number", false},
        {"tracking number", "id_number", false}, {"tracking no", "id_number", false},
        {"order number", "id_number", false}, {"order no", "id_number", false}, {"order id", "id_number", false},
        {"order", "id_number", false}, {"from account", "id_number", false},
        {"account number", "id_number", false}, {"account no", "id_number", false}, {"account", "id_number", true},
        {"passport number", "id_number", false}, {"passport no", "id_number", false}, {"passport", "id_number", false},
        {"national id", "id_number", false}, {"id number", "id_number", false}, {"id no", "id_number", false},
        {"id", "id_number", true}, {"ssn", "id_number", false}, {"social security number", "id_number", false},
        {"booking reference", "id_number", false}, {"booking code", "id_number", false},
        {"booking number", "id_number", false}, {"reference number", "id_number", false},
        {"member id", "id_number", false}, {"customer id", "id_number", false}, {"policy number", "id_number", false},
        {"licence number", "id_number", false}, {"license number", "id_number", false}, {"tax id", "id_number", false},
        {"ticket number", "id_number", false}, {"invoice number", "id_number", false},
        {"iban", "iban", false},
        {"card number", "card", false}, {"credit card", "card", false}, {"debit card", "card", false},
        {"payment", "card", false}, {"card", "card", true},
        {"ip address", "ip", false}, {"last sign-in from", "ip", false}, {"signed in from", "ip", false},
        {"ip", "ip", true},
        {"password", "secret", false}, {"passcode", "secret", false}, {"passphrase", "secret", false},
        {"api key", "secret", false}, {"api token", "secret", false}, {"access token", "secret", false},
        {"auth token", "secret", false}, {"secret key", "secret", false}, {"secret access key", "secret", false},
        {"access key id", "secret", false}, {"access key", "secret", false}, {"private key", "secret", false},
        {"client secret", "secret", false}, {"secret", "secret", false}, {"token", "secret", true},
        {"recovery code", "secret", false}, {"recovery codes", "secret", false}, {"backup code", "secret", false},
        {"backup codes", "secret", false}, {"recovery phrase", "secret", false}, {"seed phrase", "secret", false},
        {"recovery key", "secret", false}, {"pin", "secret", true},
        {"live tracking link", "url_token", false}, {"tracking link", "url_token", false},
        {"link", "url_token", true},
    };
    std::stable_sort(p.begin(), p.end(), [](const ContextPhrase& a, const ContextPhrase& b) {
      return std::string_view(a.phrase).size() > std::string_view(b.phrase).size();
    });
    return p;
  }();
  return phrases;
}

}  // namespace

LineContext line_context(std::string_view line) {
  LineContext ctx;
  std::size_t start = 0;
  while (start < line.size() && is_space(line[start])) ++start;
  std::string low = lower(line.substr(start));
  std::size_t end = low.size();
  while (end > 0 && (is_space(low[end - 1]) || low[end - 1] == ':' || low[end - 1] == '*')) --end;
  for (const auto& p : context_phrases()) {
    std::string_view phrase = p.phrase;
    if (low.compare(0, phrase.size(), phrase) != 0) continue;
    std::size_t after = phrase.size();
    if (after == end) {  // the whole line is the label
      ctx.label = p.label;
      ctx.whole_line_label = true;
      ctx.value_begin = line.size();
      return ctx;
    }
    if (after < low.size() && is_alnum(low[after])) continue;  // "Orders", "Emailed"
    std::size_t v = after;
    bool colon = false;
    while (v < low.size() && (is_space(low[v]) || low[v] == ':')) colon |= low[v++] == ':';
    if (p.needs_colon && !colon) continue;
    ctx.label = p.label;
    ctx.value_begin = start + v;
    return ctx;
  }
  // A short label that ends with the phrase ("Registered username", "Your e-mail"):
  // the whole line is the label.
  if (std::count(low.begin(), low.begin() + static_cast<long>(end), ' ') <= 2)
    for (const auto& p : context_phrases()) {
      std::string_view phrase = p.phrase;
      if (p.needs_colon || end <= phrase.size() + 1 || low.compare(end - phrase.size(), phrase.size(), phrase) != 0 ||
          low[end - phrase.size() - 1] != ' ')
        continue;
      ctx.label = p.label;
      ctx.whole_line_label = true;
      ctx.value_begin = line.size();
      return ctx;
    }
  return ctx;
}

// ---------------------------------------------------------------- e-mail

std::vector<PiiSpan> find_emails(std::string_view line) {
  static const std::regex re(R"([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})");
  std::vector<PiiSpan> out;
  for (auto [b, e] : matches(re, line)) {
    if (b > 0 && line[b - 1] == '@') continue;  // "@ana@social.example": a fediverse handle
    out.push_back(span(b, e, "email", 0.95, "ocr+regex"));
  }
  // OCR often loses the last dot or puts a space after it ("ana@ente io", "ana@site. com").
  static const std::regex spaced(
      R"([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?:\. | )(?:com|org|net|io|de|fr|uk|co|eu|me|ch|nl|at|it|es|info|dev|app)\b)");
  for (auto [b, e] : matches(spaced, line)) {
    if ((b > 0 && line[b - 1] == '@') ||
        overlaps_any(out, b, e))
      continue;
    out.push_back(span(b, e, "email", 0.8, "ocr+regex"));
  }
  // An address cut off by a column or a chip: "ana@behance.c...", "ana@mercede.", "ana@wiki…".
  // The ellipsis is the layout's, not the address's.
  static const std::regex cut(
      R"([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]{2,}(?:\.[A-Za-z0-9-]+)*\.?(?=\.\.\.|\xE2\x80\xA6|\.?$|\.?\s))");
  for (auto [b, e] : matches(cut, line)) {
    if ((b > 0 && line[b - 1] == '@') ||
        overlaps_any(out, b, e))
      continue;
    std::string_view rest = line.substr(e);
    const bool ellipsis = rest.substr(0, 3) == "..." || rest.substr(0, 3) == "\xE2\x80\xA6";
    // Without an ellipsis only a dangling dot says the address was cut ("ana@mercede.").
    if (!ellipsis && line[e - 1] != '.') continue;
    while (e > b && line[e - 1] == '.') --e;
    out.push_back(span(b, e, "email", 0.75, "ocr+regex"));
  }
  return out;
}

// ---------------------------------------------------------------- phone

std::vector<PiiSpan> find_phones(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> out;
  const bool phone_context = context == "phone";
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    bool starts = is_digit(c) || ((c == '+' || c == '(') && i + 1 < line.size() && is_digit(line[i + 1]));
    // A number glued to letters or other numbers is part of something else (v1.2, $12, 3.5).
    if (!starts || (i > 0 && (is_alnum(line[i - 1]) || std::string_view("$€£¥.,/:#%").find(line[i - 1]) !=
                                                            std::string_view::npos))) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < line.size()) {
      char d = line[j];
      if (is_digit(d) || d == '-' || d == '.' || d == '(' || d == ')') { ++j; continue; }
      if (d == ' ' && j + 1 < line.size() && (is_digit(line[j + 1]) || line[j + 1] == '(' || line[j + 1] == '-')) {
        ++j;
        continue;
      }
      break;
    }
    std::size_t e = j;
    while (e > i && !is_digit(line[e - 1]) && line[e - 1] != ')') --e;
    std::size_t next = std::max(j, i + 1);
    // Glued to a following letter, '%', ':' or '/' (units, times, dates, fractions).
    bool glued = j < line.size() && (std::isalpha(static_cast<unsigned char>(line[j])) ||
                                     std::string_view("%:/").find(line[j]) != std::string_view::npos);
    std::string_view cand = line.substr(i, e - i);
    std::string digits = digits_only(cand);
    std::string before = word_before(line, i);
    bool rejected = glued || digits.size() < 7 || digits.size() > 15 || version_word(before);
    if (!rejected) {
      // Groups and their separators.
      std::vector<std::size_t> groups;
      std::string seps;
      std::size_t run = 0;
      for (char d : cand) {
        if (is_digit(d)) {
          ++run;
        } else {
          if (run) groups.push_back(run);
          run = 0;
          if (d != '(' && d != ')') seps.push_back(d);
        }
      }
      if (run) groups.push_back(run);
      bool dots_only = !seps.empty() && seps.find_first_not_of('.') == std::string::npos;
      bool plus = cand[0] == '+';
      bool paren = cand.find('(') != std::string_view::npos && cand.find(')') != std::string_view::npos;
      bool trunk = cand[0] == '0' && digits.size() >= 9 && digits.size() <= 12 && groups.size() >= 2;
      bool us = groups.size() == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4 &&
                seps.size() == 2 && seps[0] == seps[1];
      bool ipv4_shape = dots_only && groups.size() == 4;
      double score = 0;
      const char* source = "ocr+regex";
      if (ipv4_shape) score = 0;
      else if (plus && digits.size() >= 8) score = 0.9;
      else if (paren && digits.size() >= 10) score = 0.85;
      else if (trunk && !dots_only) score = 0.8;
      else if (trunk && dots_only && groups.size() == 5) score = 0.8;  // 06.12.34.56.78
      else if (us) score = 0.8;
      else if (phone_context && !dots_only) { score = 0.7; source = "ocr+context"; }
      if (score > 0) {
        if (phone_context && std::string(source) == "ocr+regex") score = std::min(0.98, score + 0.05);
        out.push_back(span(i, e, "phone", score, source));
      }
    }
    i = next;
  }
  // A number of 10-13 digits alone on its line: a call log's or a contact
  // table's row ("919867959495"), written without separators.
  if (out.empty()) {
    static const std::regex bare(R"(\s*(\+?\d{10,13})\s*)");
    std::smatch m;
    std::string ls(line);
    if (std::regex_match(ls, m, bare))
      out.push_back(span(static_cast<std::size_t>(m.position(1)), static_cast<std::size_t>(m.position(1) + m.length(1)),
                         "phone", phone_context ? 0.75 : 0.6, "ocr+layout"));
  }
  return out;
}

// ---------------------------------------------------------------- IP

std::vector<PiiSpan> find_ips(std::string_view line) {
  std::vector<PiiSpan> out;
  static const std::regex v4(R"(\d{1,3}(?:\.\d{1,3}){3})");
  for (auto [b, e] : matches(v4, line)) {
    if (b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == '.' || line[b - 1] == '-')) continue;
    if (e < line.size() && (is_alnum(line[e]) || (line[e] == '.' && e + 1 < line.size() && is_digit(line[e + 1]))))
      continue;
    if (version_word(word_before(line, b))) continue;
    std::string text(line.substr(b, e - b));
    in_addr addr{};
    if (inet_pton(AF_INET, text.c_str(), &addr) != 1) continue;
    out.push_back(span(b, e, "ip", 0.9, "ocr+regex"));
  }
  static const std::regex v6(R"([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})");
  for (auto [b, e] : matches(v6, line)) {
    if (b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == ':')) continue;
    if (e < line.size() && is_alnum(line[e])) continue;
    std::string text(line.substr(b, e - b));
    in6_addr addr{};
    if (std::count(text.begin(), text.end(), ':') < 2 || inet_pton(AF_INET6, text.c_str(), &addr) != 1) continue;
    out.push_back(span(b, e, "ip", 0.9, "ocr+regex"));
  }
  return out;
}

// ---------------------------------------------------------------- card

std::vector<PiiSpan> find_cards(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> out;
  static const std::regex re(R"(\d(?:[ -]?\d){11,18})");
  for (auto [b, e] : matches(re, line)) {
    if ((b > 0 && is_alnum(line[b - 1])) || (e < line.size() && is_alnum(line[e]))) continue;
    std::string digits = digits_only(line.substr(b, e - b));
    bool network = digits[0] >= '2' && digits[0] <= '6';
    if (digits.size() >= 13 && network && luhn_valid(digits)) {
      out.push_back(span(b, e, "card", context == "card" ? 0.97 : 0.9, "ocr+regex"));
    } else if (context == "card" && digits.size() >= 13) {
      // Labelled as a card but a digit was misread: still someone's card.
      out.push_back(span(b, e, "card", 0.6, "ocr+context"));
    }
  }
  // Masked cards ("**** 4242", "•••• 4242") only where the context says card.
  if (context == "card") {
    static const std::regex masked(R"((?:[*xX•·]{2,4}[ -]?){1,3}\d{4})");
    for (auto [b, e] : matches(masked, line)) out.push_back(span(b, e, "card", 0.7, "ocr+context"));
  }
  return out;
}

// ---------------------------------------------------------------- IBAN

namespace {

// OCR often reads the check digits' 0 as O and 1 as I or l ("GBO9 ..."): the
// check digits are digits, so those letters there are read back as digits.
std::string iban_with_check_digits_fixed(std::string_view text) {
  std::string s(text);
  std::size_t seen = 0;
  for (char& c : s) {
    if (c == ' ') continue;
    if (seen == 2 || seen == 3) {
      if (c == 'O' || c == 'o') c = '0';
      else if (c == 'I' || c == 'l' || c == '|') c = '1';
    }
    if (++seen > 3) break;
  }
  return s;
}

}  // namespace

std::vector<PiiSpan> find_ibans(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> out;
  static const std::regex re(R"([A-Z]{2}[0-9OIl]{2}(?: ?[A-Z0-9]{1,4}){2,8})");
  for (auto [b, e] : matches(re, line)) {
    if (b > 0 && is_alnum(line[b - 1])) continue;
    std::string_view head = line.substr(b, 4);
    if (!is_digit(head[2]) && !is_digit(head[3])) continue;  // "GBOIL..." is a word, not an IBAN
    // The regex may swallow a following group; shorten until the check digits agree.
    std::size_t end = e;
    bool valid = false;
    while (end > b + 14) {
      if ((end == line.size() || !is_alnum(line[end])) &&
          iban_valid(iban_with_check_digits_fixed(line.substr(b, end - b)))) {
        valid = true;
        break;
      }
      --end;
      while (end > b && line[end - 1] == ' ') --end;
    }
    if (valid) {
      out.push_back(span(b, end, "iban", 0.97, "ocr+regex"));
    } else if (context == "iban" && (e == line.size() || !is_alnum(line[e]))) {
      out.push_back(span(b, e, "iban", 0.6, "ocr+context"));
    }
  }
  return out;
}

// ---------------------------------------------------------------- dates of birth

// A month's name or abbreviation as dates write it ("May", "Sept.", "December").
const std::string kMonth = R"((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?)";

std::vector<PiiSpan> find_dates_of_birth(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> out;
  if (context != "date_of_birth") return out;  // a date alone is not personal
  static const std::regex re(R"((?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4})|(?:\d{4}-\d{1,2}-\d{1,2})|(?:)" + kMonth +
                                 R"( \d{1,2},? \d{4})|(?:\d{1,2} )" + kMonth + R"(,? \d{4}))",
                             std::regex::icase);
  for (auto [b, e] : matches(re, line)) {
    if ((b > 0 && is_alnum(line[b - 1])) || (e < line.size() && is_digit(line[e]))) continue;
    out.push_back(span(b, e, "date_of_birth", 0.9, "ocr+context"));
  }
  return out;
}

std::vector<PiiSpan> find_birthdays(std::string_view line) {
  std::vector<PiiSpan> out = find_dates_of_birth(line, "date_of_birth");
  // A date with a recent year is an event's (a sync, a post), not a birth:
  // people born in the last three years are rare in a birthday list.
  static const int this_year = [] {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
  }();
  static const std::regex year(R"((?:^|\D)((?:19|20)\d{2})(?:\D|$))");
  out.erase(std::remove_if(out.begin(), out.end(), [&](const PiiSpan& sp) {
              std::smatch m;
              const std::string t(line.substr(sp.begin, sp.end - sp.begin));
              return std::regex_search(t, m, year) && std::stoi(m.str(1)) > this_year - 3;
            }), out.end());
  if (!out.empty() || std::regex_search(std::string(line), year)) return out;
  // Without a year: "May 12", "12 May", "12/05", "12.05." (a birthday list's dates).
  static const std::regex re(R"((?:)" + kMonth + R"( \d{1,2}(?:st|nd|rd|th)?)|(?:\d{1,2}(?:st|nd|rd|th)?\.? )" + kMonth +
                                 R"()|(?:\d{1,2}/\d{1,2})|(?:\d{1,2}\.\d{1,2}\.))",
                             std::regex::icase);
  for (auto [b, e] : matches(re, line)) {
    if ((b > 0 && is_alnum(line[b - 1])) || (e < line.size() && (is_alnum(line[e]) || line[e] == ':'))) continue;
    out.push_back(span(b, e, "date_of_birth", 0.6, "ocr+context"));
  }
  return out;
}

// ---------------------------------------------------------------- ID / account / order numbers

std::vector<PiiSpan> find_id_numbers(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> ids;
  // Account and device identifiers shown cut in the middle ("f84efc79afc2…7aade28e8898",
  // "ring:b2d883a7...e8367886"), and crypto addresses in groups of four ("1HkX 6X8E akds gAys").
  static const std::regex truncated(R"((?:[a-z]{3,6}:)?[0-9a-fA-F]{6,}(?:\.\.\.|\xE2\x80\xA6)[0-9a-fA-F]{6,})");
  static const std::regex grouped_coin(R"(\b[13bB][1-9A-HJ-NP-Za-km-z]{3}(?: [1-9A-HJ-NP-Za-km-z]{4}){2,}(?: [1-9A-HJ-NP-Za-km-z]{1,4})?)");
  for (auto [b, e] : matches(truncated, line)) ids.push_back(span(b, e, "id_number", 0.75, "ocr+regex"));
  for (auto [b, e] : matches(grouped_coin, line)) {
    std::string_view t = line.substr(b, e - b);
    const bool mixed = std::any_of(t.begin(), t.end(), is_upper) && std::any_of(t.begin(), t.end(), is_digit) &&
                       std::any_of(t.begin(), t.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; });
    if (mixed) ids.push_back(span(b, e, "id_number", 0.7, "ocr+regex"));
  }
  if (!ids.empty()) return ids;
  std::vector<PiiSpan> out;
  // SSN-shaped numbers need no context.
  static const std::regex ssn(R"(\d{3}-\d{2}-\d{4})");
  for (auto [b, e] : matches(ssn, line)) {
    if ((b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == '-')) ||
        (e < line.size() && (is_alnum(line[e]) || line[e] == '-')))
      continue;
    out.push_back(span(b, e, "id_number", context == "id_number" ? 0.9 : 0.7,
                       context == "id_number" ? "ocr+context" : "ocr+regex"));
  }
  if (context != "id_number") return out;
  // After an ID context: the run of code-like tokens (digits, capitals, '#', '-', '/').
  auto code_like = [](std::string_view tok) {
    std::size_t digits = 0, alnum = 0;
    for (char c : tok) {
      if (is_digit(c)) ++digits;
      if (is_alnum(c)) ++alnum;
      else if (std::string_view("#-/.").find(c) == std::string_view::npos) return false;
      if (std::islower(static_cast<unsigned char>(c))) return false;
    }
    return digits >= 3 || (alnum >= 6 && digits >= 2);
  };
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t b = i, e = i;
    std::size_t k = i;
    while (k < line.size()) {
      std::size_t te = k;
      while (te < line.size() && !is_space(line[te])) ++te;
      std::size_t tend = te;
      trim_trailing_punct(line, k, tend);
      if (tend <= k || !code_like(line.substr(k, tend - k))) break;
      e = tend;
      k = te;
      while (k < line.size() && is_space(line[k])) ++k;
    }
    if (e > b) {
      std::string digits = digits_only(line.substr(b, e - b));
      if (digits.size() >= 4) out.push_back(span(b, e, "id_number", 0.85, "ocr+context"));
      i = e;
    } else {
      while (i < line.size() && !is_space(line[i])) ++i;
    }
  }
  return out;
}

// ---------------------------------------------------------------- URLs with tokens

std::vector<PiiSpan> find_url_tokens(std::string_view line) {
  std::vector<PiiSpan> out;
  static const std::regex url(R"((?:https?:/{1,2}|www\.)[^\s]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/[^\s]*[?&][^\s]+)",
                              std::regex::icase);
  static const std::regex secret(
      R"([?&#;](?:token|access_token|id_token|session|sessionid|sid|key|api_key|apikey|auth|code|otp|sig|signature|secret|reset|invite|ticket|pwd|password)=[^&\s]{4,})",
      std::regex::icase);
  static const std::regex long_segment(R"(/[A-Za-z0-9_-]{20,})");
  for (auto [b, e] : matches(url, line)) {
    trim_trailing_punct(line, b, e);
    std::string u(line.substr(b, e - b));
    bool has_secret = std::regex_search(u, secret);
    if (!has_secret) {
      std::smatch m;
      std::string rest = u;
      while (std::regex_search(rest, m, long_segment)) {
        std::string seg = m.str().substr(1);
        bool letters = std::any_of(seg.begin(), seg.end(), [](char c) { return std::isalpha((unsigned char)c); });
        bool digits = std::any_of(seg.begin(), seg.end(), [](char c) { return std::isdigit((unsigned char)c); });
        if (letters && digits) { has_secret = true; break; }
        rest = m.suffix();
      }
    }
    if (has_secret) out.push_back(span(b, e, "url_token", 0.9, "ocr+regex"));
  }
  return out;
}

// Links to a person's profile or site ("github.com/Porkepix",
// "youtube.com/c/AgentsofRush", "ana.tumblr.com"): identify the person, so
// they are PII ("other"); a bare site ("github.com") is not.
std::vector<PiiSpan> find_profile_links(std::string_view line) {
  std::vector<PiiSpan> out;
  static const std::regex profile(
      R"((?:https?://)?(?:www\.|m\.)?(?:(?:github|gitlab|codeberg|twitter|x|instagram|facebook|threads|medium|keybase|twitch|tiktok|bsky)\.(?:com|org|io|net|tv|app)/@?[A-Za-z0-9_.-]{2,}|)"
      R"(linkedin\.com/in/[A-Za-z0-9_-]{2,}|youtube\.com/(?:c/|user/|channel/|@)[A-Za-z0-9_-]{2,}|reddit\.com/u(?:ser)?/[A-Za-z0-9_-]{2,}|t\.me/[A-Za-z0-9_]{3,}|)"
      R"([A-Za-z0-9-]{3,}\.(?:tumblr|github|gitlab|substack|blogspot|wordpress|bsky)\.(?:com|io|social|app))(?:/[^\s]*)?)",
      std::regex::icase);
  for (auto [b, e] : matches(profile, line)) {
    if (b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == '@')) continue;
    trim_trailing_punct(line, b, e);
    out.push_back(span(b, e, "other", 0.8, "ocr+regex"));
  }
  return out;
}

// ---------------------------------------------------------------- usernames

std::vector<PiiSpan> find_usernames(std::string_view line, const std::string& context, bool code_hosting) {
  std::vector<PiiSpan> out;
  auto handle_char = [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; };
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '@' || (i > 0 && !is_space(line[i - 1]) && line[i - 1] != '(')) continue;
    std::size_t e = i + 1;
    while (e < line.size() && (is_alnum(line[e]) || line[e] == '_' || line[e] == '.')) ++e;
    while (e > i + 1 && line[e - 1] == '.') --e;
    if (e - i < 3) continue;
    // Fediverse "@user@server.tld" and Matrix "@user:server.tld": the server belongs to the handle.
    if (e + 1 < line.size() && (line[e] == '@' || line[e] == ':') && is_alnum(line[e + 1])) {
      std::size_t s2 = e + 1;
      while (s2 < line.size() && handle_char(line[s2])) ++s2;
      while (s2 > e + 1 && (line[s2 - 1] == '.' || line[s2 - 1] == '-')) --s2;
      std::string_view server = line.substr(e + 1, s2 - e - 1);
      if (server.find('.') != std::string_view::npos) {
        out.push_back(span(i, s2, "username", 0.95, "ocr+regex"));
        i = s2;
        continue;
      }
    }
    if (e < line.size() && line[e] == '@') continue;
    // "Search for @users...": a placeholder's hint, not a handle.
    if ((line.substr(e, 3) == "..." || line.substr(e, 3) == "\xE2\x80\xA6") && lower(line).find("search") != std::string::npos)
      continue;
    // "@apple.com": the end of an address or a domain, not a handle.
    static const std::regex domain(R"(@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(com|org|net|io|de|fr|uk|co|app|dev|social|edu|gov)$)",
                                   std::regex::icase);
    if (std::regex_match(std::string(line.substr(i, e - i)), domain) || is_irc_service(line.substr(i, e - i))) continue;
    out.push_back(span(i, e, "username", context == "username" ? 0.95 : 0.85, "ocr+regex"));
  }
  // Handles of other networks: an ENS name ("deepak.eth"), a Discord tag
  // ("JohnDoe#1953"), a reddit user ("/u/spez", "u/spez").
  {
    static const std::regex other_networks(
        R"((?:^|[\s(])([a-z0-9][a-z0-9-]{2,}\.eth|[A-Za-z0-9_.]{2,32}#\d{4}|/?u/[A-Za-z0-9_-]{3,20})(?=$|[\s),.!?:]))");
    for (auto [b, e] : matches(other_networks, line, 1))
      if (!overlaps_any(out, b, e)) out.push_back(span(b, e, "username", 0.8, "ocr+regex"));
  }
  // A chat channel alone on its line ("#general", "# random"): a sidebar or title entry.
  {
    std::size_t b = 0;
    while (b < line.size() && is_space(line[b])) ++b;
    if (b < line.size() && line[b] == '#') {
      std::size_t v = b + 1;
      if (v < line.size() && line[v] == ' ') ++v;
      std::size_t e = v;
      while (e < line.size() && (is_alnum(line[e]) || line[e] == '_' || line[e] == '-' || line[e] == '.')) ++e;
      std::size_t rest = e;
      while (rest < line.size() && is_space(line[rest])) ++rest;
      bool lower_case = std::none_of(line.begin() + static_cast<long>(v), line.begin() + static_cast<long>(e), is_upper);
      bool has_letter = std::any_of(line.begin() + static_cast<long>(v), line.begin() + static_cast<long>(e),
                                    [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
      if (e - v >= 3 && rest == line.size() && lower_case && has_letter)
        out.push_back(span(b, e, "username", 0.7, "ocr+layout"));
    }
  }
  // "[owner/repo] Title": a code host's notification subject, on any page.
  {
    static const std::regex bracketed(R"(\[([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9_.-]{1,100})\])");
    for (auto [b, e] : matches(bracketed, line, 1)) {
      const std::string ref(line.substr(b, e - b));
      const std::size_t slash = ref.find('/');
      auto has_letter = [](const std::string& t) { return std::any_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }); };
      if (!has_letter(ref.substr(0, slash)) || !has_letter(ref.substr(slash + 1))) continue;  // "[12/05]"
      if (!overlaps_any(out, b, e))
        out.push_back(span(b, e, "username", 0.75, "ocr+regex"));
    }
  }
  // A code host's event relayed elsewhere (a chat bot, a mail): "Workflow CI failed
  // for owner/repo on branch x", "created issue owner/repo#12".
  static const std::regex code_event(
      R"(\b(workflow|pull request|merge request|new issue|on branch|commit|pushed to|merged|repository)\b|[A-Za-z0-9]/[A-Za-z0-9_.-]+#\d)",
      std::regex::icase);
  if (code_hosting || std::regex_search(line.begin(), line.end(), code_event)) {
    // "owner/repo" (not a path, a date or "and/or").
    static const std::regex repo(R"((?:^|[\s(])([A-Za-z0-9][A-Za-z0-9_.-]{1,38}/[A-Za-z0-9_.-]{2,100}))");
    for (auto [b, e] : matches(repo, line, 1)) {
      if (e < line.size() && (line[e] == '/' || line[e] == ':')) continue;  // a longer path or URL
      trim_trailing_punct(line, b, e);
      std::string_view tok = line.substr(b, e - b);
      std::size_t slash = tok.find('/');
      std::string_view owner = tok.substr(0, slash), name = tok.substr(slash + 1);
      auto letters = [](std::string_view t) {
        return std::count_if(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
      };
      std::string low = lower(tok);
      if (letters(owner) < 1 || letters(name) < 1 || low == "and/or" || low == "w/o" || low == "i/o" ||
          low == "n/a" || low == "tcp/ip" || low == "read/write")
        continue;
      // "on branch kitsune/fix": a branch is named by its author's choice, not an account.
      const std::string before = lower(line.substr(0, b));
      if (before.size() >= 7 && before.compare(before.size() - 7, 7, "branch ") == 0) continue;
      out.push_back(span(b, e, "username", 0.75, "ocr+layout"));
    }
  }
  if (out.empty() && context == "username") {
    // "Username" over a bare handle: the first token that looks like one.
    std::size_t b = 0;
    while (b < line.size() && is_space(line[b])) ++b;
    std::size_t e = b;
    while (e < line.size() && !is_space(line[e])) ++e;
    std::string_view tok = line.substr(b, e - b);
    if (!tok.empty() && !is_alnum(tok[0]) && tok[0] != '@' && tok[0] != '_') return out;  // "(sient": a fragment
    bool handle = tok.size() >= 3 && std::all_of(tok.begin(), tok.end(), [](char c) {
      return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '@';
    });
    // OCR may put a stray '|' or '!' into a handle ("nadia_|l44"): still the handle, less sure.
    bool noisy = !handle && tok.size() >= 3 && std::count_if(tok.begin(), tok.end(), [](char c) {
      return is_alnum(c) || c == '_' || c == '.';
    }) >= static_cast<long>(tok.size()) - 1;
    if ((handle || noisy) && e == line.size())
      out.push_back(span(b, e, "username", handle ? 0.85 : 0.7, "ocr+context"));
  }
  return out;
}

std::vector<PiiSpan> find_shell_users(std::string_view line) {
  std::vector<PiiSpan> out;
  const std::string text(line);
  // Accounts no person owns, and placeholders of documentation.
  auto system_account = [](const std::string& u) {
    static const std::vector<std::string> names = {
        "root", "wheel", "staff", "users", "admin", "nobody", "daemon", "www-data", "adm", "sudo", "docker", "user",
        "username", "yourname", "your-name", "you", "me", "shared", "public", "default", "guest", "runner", "bin", "sys"};
    return std::find(names.begin(), names.end(), lower(u)) != names.end();
  };
  // A prompt or an ssh target: "alice@laptop:~/src$", "[bob@web01 ~]$", "ssh deploy@10.0.0.12".
  static const std::regex user_at_host(R"(([a-z_][a-z0-9_.-]{0,31})@([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]|[A-Za-z0-9]))");
  for (auto [b, e] : matches(user_at_host, line)) {
    if (b > 0 && !is_space(line[b - 1]) && line[b - 1] != '[' && line[b - 1] != '(') continue;
    const std::string before = lower(line.substr(0, b));
    static const std::regex remote_command(R"((^|\s)(ssh|scp|sftp|mosh|rsync|telnet)\s+(-\S+\s+(\d+\s+)?)*$)");  // "ssh -p 2222 user@host"
    const bool command = std::regex_search(before, remote_command);
    const bool prompt = (e < line.size() && line[e] == ':' && e + 1 < line.size() && (line[e + 1] == '~' || line[e + 1] == '/')) ||
                        (e + 1 < line.size() && line[e] == ' ' && line[e + 1] == '~') || (b > 0 && line[b - 1] == '[');
    if (command || prompt) {
      out.push_back(span(b, e, "username", 0.85, "ocr+regex"));
      continue;
    }
    // A terminal's title or a connection list's "alice@laptop" standing alone: a
    // host without a dot is no mail domain ("pkg@latest" is a package's tag).
    const std::string host(line.substr(line.find('@', b) + 1, e - line.find('@', b) - 1));
    static const std::vector<std::string> tags = {"latest", "next", "beta", "alpha", "canary", "stable", "main", "master", "dev"};
    const bool alone = (e == line.size() || is_space(line[e])) && (b == 0 || is_space(line[b - 1])) &&
                       line.find('@', b) - b >= 3;  // "e9@eeee00e" is OCR noise
    const bool named_host = host.find('.') == std::string::npos && host.size() >= 3 &&
                            std::any_of(host.begin(), host.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }) &&
                            std::find(tags.begin(), tags.end(), lower(host)) == tags.end();
    if (alone && named_host) out.push_back(span(b, e, "username", 0.75, "ocr+regex"));
  }
  // A home folder: "/home/alice/", "/Users/jsmith", "C:\Users\jsmith\Desktop".
  static const std::regex home(R"((?:/home/|/Users/|[A-Za-z]:\\Users\\)([A-Za-z0-9][A-Za-z0-9._-]*))");
  for (auto [b, e] : matches(home, line, 1))
    if (!system_account(std::string(line.substr(b, e - b)))) out.push_back(span(b, e, "username", 0.8, "ocr+regex"));
  // The owner (and group) columns of "ls -l": "drwxr-xr-x 2 alice staff 4096 Mar 3 notes".
  static const std::regex listing(R"(^\s*[-dlcbps][rwxsStT-]{9}[.@+]?\s+\d+\s+([A-Za-z_][A-Za-z0-9._-]*)\s+([A-Za-z_][A-Za-z0-9._-]*)\s+\d)");
  std::smatch m;
  if (std::regex_search(text, m, listing))
    for (int g = 1; g <= 2; ++g) {
      if (system_account(m[g].str()) || (g == 2 && m[2].str() == m[1].str())) continue;
      const auto b = static_cast<std::size_t>(m.position(g));
      out.push_back(span(b, b + static_cast<std::size_t>(m.length(g)), "username", 0.75, "ocr+regex"));
    }
  // A pull request's source: "Merge pull request #42 from octocat/fix-typo".
  static const std::regex merge(R"([Pp]ull request #\d+ from ([A-Za-z0-9][A-Za-z0-9-]*)/)");
  for (auto [b, e] : matches(merge, line, 1)) out.push_back(span(b, e, "username", 0.8, "ocr+regex"));
  return out;
}

bool looks_like_code_hosting(const std::vector<std::string>& line_texts) {
  static const std::vector<std::string> cues = {"pull requests", "pull request", "merge requests", "repositories",
                                                "commits", "branches", "issues", "fork", "forks", "stars", "star",
                                                "watch", "releases", "contributors", "code", "wiki", "clone"};
  std::size_t hits = 0;
  std::vector<bool> seen(cues.size(), false);
  for (const auto& text : line_texts) {
    std::string low = lower(text);
    for (std::size_t k = 0; k < cues.size(); ++k) {
      if (seen[k]) continue;
      std::size_t at = low.find(cues[k]);
      if (at == std::string::npos) continue;
      std::size_t end = at + cues[k].size();
      bool word = (at == 0 || !is_alnum(low[at - 1])) && (end == low.size() || !std::isalpha(static_cast<unsigned char>(low[end])));
      if (word) {
        seen[k] = true;
        ++hits;
      }
    }
  }
  return hits >= 3;
}

// ---------------------------------------------------------------- secrets

namespace {

// Bits per character of the token's own character distribution.
double shannon_entropy(std::string_view t) {
  int counts[256] = {};
  for (unsigned char c : t) ++counts[c];
  double h = 0;
  for (int n : counts)
    if (n) {
      double p = double(n) / double(t.size());
      h -= p * std::log2(p);
    }
  return h;
}

int char_classes(std::string_view t) {
  bool lo = false, up = false, dig = false, sym = false;
  for (char c : t) {
    if (std::islower(static_cast<unsigned char>(c))) lo = true;
    else if (is_upper(c)) up = true;
    else if (is_digit(c)) dig = true;
    else sym = true;
  }
  return lo + up + dig + sym;
}

bool is_hex(std::string_view t) {
  return std::all_of(t.begin(), t.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::vector<PiiSpan> find_secrets(std::string_view line, const std::string& context) {
  std::vector<PiiSpan> out;
  static const std::regex prefixed(
      R"((?:sk|pk|rk)[-_](?:live_|test_|proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|)"
      R"((?:AKIA|ASIA)[A-Z0-9]{12,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{20,}|glpat-[A-Za-z0-9_-]{16,}|)"
      R"(npm_[A-Za-z0-9]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|)"
      R"(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,})");
  for (auto [b, e] : matches(prefixed, line)) {
    if (b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == '/' || line[b - 1] == '=')) continue;
    out.push_back(span(b, e, "secret", 0.95, "ocr+regex"));
  }
  // Tokens: whitespace-separated runs, checked for shape.
  std::vector<std::pair<std::size_t, std::size_t>> toks;
  for (std::size_t i = 0; i < line.size();) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t b = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    std::size_t e = i;
    trim_trailing_punct(line, b, e);
    if (e > b) toks.push_back({b, e});
  }
  auto covered = [&](std::size_t b, std::size_t e) { return overlaps_any(out, b, e); };
  static const std::regex token_chars(R"([A-Za-z0-9_+/=.-]+)");
  for (auto [b, e] : toks) {
    std::string_view t = line.substr(b, e - b);
    if (covered(b, e) || t.size() < 20 || !std::regex_match(std::string(t), token_chars)) continue;
    if (t.find("://") != std::string_view::npos || t.find("www.") == 0) continue;
    std::size_t digits = static_cast<std::size_t>(std::count_if(t.begin(), t.end(), is_digit));
    // Commit hashes and UUIDs are public identifiers, version strings
    // ("3.3.0-dev+2afc49...") and host names ("dmi01-binghamton-rtr01") are not keys.
    if (is_hex(t) && (t.size() == 40 || t.size() <= 12)) continue;
    static const std::regex uuid(R"([0-9a-fA-FOol]{8}-[0-9a-fA-FOol]{4}-[0-9a-fA-FOol]{4}-[0-9a-fA-FOol]{4}-[0-9a-fA-FOol]{12})");
    static const std::regex version(R"(v?\d+\.\d+[.\d]*[-+].*)");
    static const std::regex worded(R"((?:^|.*-)[A-Za-z]{5,}(?:-.*|$))");
    const std::string ts(t);
    // A branch or path ref in lower case ("origin/feature/avalonia-12") names things, it hides nothing.
    static const std::regex ref(R"([a-z0-9._-]+(?:/[a-z0-9._-]+)+)");
    static const std::regex ref_word(R"((?:^|.*[/_.-])[a-z]{4,}(?:[/_.-].*|$))");
    if (context != "secret" && (std::regex_match(ts, uuid) || std::regex_match(ts, version) || std::regex_match(ts, worded) ||
                                (std::regex_match(ts, ref) && std::regex_match(ts, ref_word))))
      continue;
    bool random = shannon_entropy(t) >= 3.6 && digits >= 2 && (char_classes(t) >= 3 || (is_hex(t) && t.size() >= 32));
    if (random) out.push_back(span(b, e, "secret", 0.75, "ocr+regex"));
  }
  // A code in a message ("Your verification code: 123456", "login code is 4821").
  {
    static const std::regex code_in_text(
        R"((?:verification|security|login|sign-in|one-time|confirmation|authentication|2fa|otp|access)\s+code(?:\s+is)?:?\s+(\d{4,8})\b)",
        std::regex::icase);
    for (auto [b, e] : matches(code_in_text, line, 1))
      if (!covered(b, e)) out.push_back(span(b, e, "secret", 0.85, "ocr+context"));
  }
  // The value of a secret parameter, also outside a whole URL ("?secret=JBSW...&").
  {
    // OCR may split a long value with a space; up to the next '&' it is one value.
    static const std::regex param(
        R"([?&](?:secret|token|access_token|api_key|apikey|password|pwd)=([A-Za-z0-9_%.~+/-]{6,}(?: [A-Za-z0-9_%.~+/-]+)*(?=&)|[A-Za-z0-9_%.~+/-]{6,}))",
        std::regex::icase);
    for (auto [b, e] : matches(param, line, 1))
      if (!covered(b, e)) out.push_back(span(b, e, "secret", 0.85, "ocr+regex"));
  }
  // A generated password shown in clear: 14-64 characters without spaces,
  // letters, digits and symbols mixed ("W*Vr(A_,XWSVgzu_*^", ">WW)/Gy*fC#)m%KRSz0=").
  for (auto [b, e] : toks) {
    std::string_view t = line.substr(b, e - b);
    if (covered(b, e) || t.size() < 14 || t.size() > 64) continue;
    if (t.find("://") != std::string_view::npos || t.find('@') != std::string_view::npos) continue;
    const int classes = char_classes(t);
    // Symbols of a password, not the separators of paths, domains and
    // identifiers ("/home/Ana/Code", "Foo.Bar-Baz_2", "a:b,c").
    const std::size_t symbols = static_cast<std::size_t>(std::count_if(t.begin(), t.end(), [](char c) {
      return !std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80 &&
             std::string_view("/\\.-_:,'\"").find(c) == std::string_view::npos;
    }));
    const std::size_t upper = static_cast<std::size_t>(std::count_if(t.begin(), t.end(), is_upper));
    const std::size_t lower_case = static_cast<std::size_t>(
        std::count_if(t.begin(), t.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }));
    if (classes >= 3 && symbols >= 2 && upper >= 2 && lower_case >= 2 && shannon_entropy(t) >= 3.5)
      out.push_back(span(b, e, "secret", 0.7, "ocr+regex"));
  }
  // Recovery codes ("4F7K-9QX2-MM3T", "1234-5678").
  static const std::regex recovery(R"(\b[A-Za-z0-9]{4,6}(?:-[A-Za-z0-9]{4,6}){2,7}\b)");
  for (auto [b, e] : matches(recovery, line)) {
    std::string_view t = line.substr(b, e - b);
    // Part of a longer token: a UUID ("48ad8b2c-986d-..."), a host name ("dmi01-...-rtr01").
    const bool inside = (b > 0 && (line[b - 1] == '-' || is_alnum(line[b - 1]))) ||
                        (e < line.size() && (line[e] == '-' || is_alnum(line[e])));
    if (inside && context != "secret") continue;
    // Groups that are words or word-and-number ("mgmt-lan02-rtr01"): a name, not a code.
    static const std::regex worded_groups(R"((?:^|.*-)[A-Za-z]{4,}(?:-.*|$))");
    if (context != "secret" && std::regex_match(std::string(t), worded_groups)) continue;
    bool mixed = std::any_of(t.begin(), t.end(), is_digit) &&
                 std::any_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    if (!covered(b, e) && (mixed || context == "secret")) out.push_back(span(b, e, "secret", context == "secret" ? 0.9 : 0.7, "ocr+regex"));
  }
  // A one-time code alone on a line ("123 456", "123456" under an account in an authenticator).
  {
    static const std::regex otp(R"(\s*(\d{3} ?\d{3}|\d{4} ?\d{4})\s*)");
    std::smatch m;
    // Large digits are often read as letters: O for 0, l or I for 1.
    std::string s(line);
    if (std::count_if(s.begin(), s.end(), is_digit) >= 4)
      for (char& c : s) c = c == 'O' || c == 'o' ? '0' : (c == 'l' || c == 'I') ? '1' : c;
    if (std::regex_match(s, m, otp) && (m.str(1).find(' ') != std::string::npos || context == "secret"))
      out.push_back(span(static_cast<std::size_t>(m.position(1)), static_cast<std::size_t>(m.position(1) + m.length(1)),
                         "secret", 0.65, "ocr+layout"));
  }
  if (context == "secret" && out.empty() && toks.size() == 1) {
    // "Password" over (or before) a shown value: one token, password-like.
    auto [b, e] = toks[0];
    std::string_view t = line.substr(b, e - b);
    bool masked = std::all_of(t.begin(), t.end(), [](char c) { return c == '*' || static_cast<unsigned char>(c) >= 0x80; });
    // A word ("Change", "Hidden") is a field's state, not its value: a shown
    // password has a digit or a symbol as well.
    const bool digit_or_symbol = std::any_of(t.begin(), t.end(), [](char c) { return !std::isalpha(static_cast<unsigned char>(c)); });
    if (!masked && t.size() >= 6 && t.size() <= 128 && char_classes(t) >= 2 && digit_or_symbol)
      out.push_back(span(b, e, "secret", 0.8, "ocr+context"));
  }
  return out;
}

// ---------------------------------------------------------------- addresses

namespace {

// Countries and their subdivisions (share/dtap/pii/regions.txt, from ISO 3166).
const std::vector<std::string>& region_names() {
  static const std::vector<std::string> names = [] {
    auto v = read_word_list(data_path("pii/regions.txt"));
    std::sort(v.begin(), v.end());
    return v;
  }();
  return names;
}

// How many leading words of `part` name a region ("Maine", "US eee" -> 1,
// "New South Wales" -> 3); 0 for none. Sets `end` to the name's end in `part`.
std::size_t region_prefix(std::string_view part, std::size_t& end) {
  const auto& names = region_names();
  std::size_t best = 0, at = 0, words = 0;
  while (at < part.size() && words < 4) {
    std::size_t e = part.find(' ', at);
    if (e == std::string_view::npos) e = part.size();
    ++words;
    if (std::binary_search(names.begin(), names.end(), std::string(part.substr(0, e)))) { best = words; end = e; }
    at = e + 1;
  }
  return best;
}

// A place part before the region: 1-4 words, the first capitalised or a
// house number, the others capitalised or short particles ("bei", "de", "upon").
bool place_part(std::string_view part) {
  auto words = split_whitespace(part);
  if (words.empty() || words.size() > 4) return false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const bool cap = is_upper(w[0]) || static_cast<unsigned char>(w[0]) >= 0x80;
    // One digit alone is more often a map pin read as text than a house number.
    const bool number = i == 0 && words.size() > 1 && w.size() >= 2 && std::all_of(w.begin(), w.end(), is_digit);
    const bool particle = i > 0 && w.size() <= 4 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!cap && !number && !particle) return false;
  }
  return true;
}

}  // namespace

// "Town, Region[, Country]" and "Town, Country" (a trip's stops, a check-in, a
// contact's city): comma-separated place parts that end in a country or a
// subdivision of the gazetteer. Chips in brackets are read one by one.
std::vector<PiiSpan> find_places(std::string_view line) {
  std::vector<PiiSpan> out;
  std::size_t chip_begin = 0;
  while (chip_begin < line.size()) {
    std::size_t chip_end = line.find_first_of("()", chip_begin);
    if (chip_end == std::string_view::npos) chip_end = line.size();
    // The chip's comma-separated parts, trimmed.
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    for (std::size_t b = chip_begin; b <= chip_end;) {
      std::size_t e = line.find(',', b);
      if (e == std::string_view::npos || e > chip_end) e = chip_end;
      std::size_t pb = b, pe = e;
      while (pb < pe && is_space(line[pb])) ++pb;
      while (pe > pb && is_space(line[pe - 1])) --pe;
      parts.push_back({pb, pe});
      b = e + 1;
    }
    // A list of three or more countries or regions ("France, Spain, Italy") is no one's place.
    const bool region_list = parts.size() >= 3 && std::all_of(parts.begin(), parts.end(), [&](const auto& p) {
      std::size_t e = 0;
      return region_prefix(line.substr(p.first, p.second - p.first), e) && e == p.second - p.first;
    });
    for (std::size_t k = 1; k < parts.size() && !region_list; ++k) {
      std::size_t name_end = 0;
      const auto [rb, re] = parts[k];
      if (!region_prefix(line.substr(rb, re - rb), name_end)) continue;
      // The place part before: its last words when icons or other text precede them.
      auto [pb, pe] = parts[k - 1];
      std::string_view before = line.substr(pb, pe - pb);
      std::size_t cut = 0;
      while (cut < before.size() && !place_part(before.substr(cut))) {
        const std::size_t space = before.find(' ', cut);
        if (space == std::string_view::npos) { cut = before.size(); break; }
        cut = space + 1;
      }
      if (cut >= before.size()) continue;
      std::size_t begin = pb + cut, end = rb + name_end;
      // A further region or country after it ("Maine, US").
      while (end == re && k + 1 < parts.size()) {
        const auto [nb, ne] = parts[k + 1];
        std::size_t next_end = 0;
        if (!region_prefix(line.substr(nb, ne - nb), next_end)) break;
        end = nb + next_end;
        ++k;
      }
      out.push_back(span(begin, end, "address", 0.7, "ocr+gazetteer"));
      break;
    }
    chip_begin = chip_end + 1;
  }
  return out;
}

std::vector<PiiSpan> find_addresses(std::string_view line, const std::string& context, bool after_street) {
  std::vector<PiiSpan> out;
  static const std::string street_types =
      "Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Terrace|Ter|Close|"
      "Crescent|Cres|Square|Sq|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Row|Walk|Gardens|Grove|Hill|Mews";
  static const std::regex street(
      R"(\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'.-]*\s+){1,3}(?:)" + street_types +
      R"()\b\.?(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Flat|Floor|Fl|#)\.?\s*#?[A-Za-z0-9-]+)?)");
  static const std::regex european(
      R"(\b[A-Z][a-zäöüß]+(?:straße|strasse|weg|gasse|platz|allee|ring|damm)\s+\d{1,4}[a-z]?\b|)"
      R"(\b\d{1,4},?\s+(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Pp]lace|[Cc]hemin|[Aa]llée|[Ii]mpasse|[Vv]ia|[Pp]iazza|[Cc]alle|[Rr]ua)\s+(?:[A-Za-zéèàç'-]+\s?){1,4})");
  // A position as coordinates ("51.3000, -1.0000", "52.5200° N, 13.4050° E"): where the user was.
  static const std::regex coordinates(
      R"(-?\d{1,2}\.\d{3,}(?:°)?\s?[NS]?,\s?-?\d{1,3}\.\d{3,}(?:°)?\s?[EW]?)");
  for (auto [b, e] : matches(coordinates, line)) {
    while (e > b && line[e - 1] == ' ') --e;
    if ((b > 0 && (is_alnum(line[b - 1]) || line[b - 1] == '.')) || (e < line.size() && is_digit(line[e]))) continue;
    out.push_back(span(b, e, "address", 0.75, "ocr+regex"));
  }
  for (auto [b, e] : matches(street, line)) out.push_back(span(b, e, "address", 0.9, "ocr+regex"));
  for (auto [b, e] : matches(european, line)) {
    while (e > b && is_space(line[e - 1])) --e;
    out.push_back(span(b, e, "address", 0.8, "ocr+regex"));
  }
  if (!out.empty()) {
    // A street line often continues with ", City, ST 12345": take it along.
    static const std::regex tail(
        R"(^,\s*[A-Z][A-Za-z .'-]+(?:,\s*[A-Z]{2,3})?(?:\s+(?:\d{4,5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}))?)");
    for (auto& s : out) {
      std::smatch m;
      std::string rest(line.substr(s.end));
      if (std::regex_search(rest, m, tail)) s.end += static_cast<std::size_t>(m.length(0));
    }
    return out;
  }
  // City / postcode lines: the whole line.
  std::size_t b = 0, e = line.size();
  while (b < e && is_space(line[b])) ++b;
  while (e > b && is_space(line[e - 1])) --e;
  std::string whole(line.substr(b, e - b));
  static const std::regex us_au_ca(
      R"([A-Z][A-Za-z .'-]+,\s*[A-Z]{2,3}\s+(?:\d{4,5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d))");
  static const std::regex uk_ie(R"([A-Z][A-Za-z .'-]+,?\s+(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d{2}\s?[A-Z0-9]{4}))");
  static const std::regex eu(R"(\d{4,5}(?:\s?[A-Z]{2})?\s+[A-Z][A-Za-zäöüéèàç.'-]+(?:\s[A-Z][A-Za-zäöüéèàç.'-]+){0,2})");
  // Under a street line, a city with a postcode OCR misread ("Manchester NO Oll").
  static const std::regex loose_city(R"([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+)?,? ([A-Z0-9]{1,4} ?[A-Za-z0-9]{2,3}))");
  auto postcode_like = [&] {
    std::smatch m;
    if (!std::regex_match(whole, m, loose_city)) return false;
    std::string code = m.str(1);  // digits, or the letters OCR reads for them
    return std::count_if(code.begin(), code.end(), [](char c) { return is_digit(c) || c == 'O' || c == 'I' || c == 'l'; }) >= 2;
  };
  // A line with a postcode among comma-separated parts ("69 Causewayhead, Penzance TR18 2SR, UK").
  static const std::regex postcode_line(
      R"(.+,\s*(?:.*\s)?(?:[A-Z]{1,2}\d[A-Z\d]?\s?[0-9O][A-Z]{2}|[A-Z]{2}\s\d{5}(?:-\d{4})?|\d{5}\s[A-Z][a-z]+)(?:,\s*[A-Z][A-Za-z .]+)?)");
  if (std::regex_match(whole, us_au_ca)) {
    out.push_back(span(b, e, "address", 0.85, "ocr+regex"));
  } else if (std::regex_match(whole, uk_ie)) {
    out.push_back(span(b, e, "address", after_street ? 0.85 : 0.75, "ocr+regex"));
  } else if (whole.size() <= 80 && std::regex_match(whole, postcode_line)) {
    out.push_back(span(b, e, "address", 0.8, "ocr+regex"));
  } else if (std::regex_match(whole, eu) && (after_street || context == "address")) {
    out.push_back(span(b, e, "address", 0.75, after_street ? "ocr+layout" : "ocr+context"));
  } else if (after_street && postcode_like()) {
    out.push_back(span(b, e, "address", 0.7, "ocr+layout"));
  } else if (context == "address") {
    // Labelled "Address": a value with a number and at least two words.
    std::size_t words = split_whitespace(whole).size();
    if (words >= 2 && std::any_of(whole.begin(), whole.end(), is_digit))
      out.push_back(span(b, e, "address", 0.7, "ocr+context"));
  }
  // Last, a place that ends in a region or country ("Bar Harbor, Maine, US"):
  // a postcode line above is the whole line, the place only a part of it.
  if (out.empty()) out = find_places(line);
  return out;
}

// ---------------------------------------------------------------- names

namespace {

// A capital letter beyond ASCII at the start of `w` (2 UTF-8 bytes): Latin-1
// ("Élodie", "Øystein"), Greek or Cyrillic ("Иван"). Returns its byte length, or 0.
std::size_t non_ascii_capital(std::string_view w) {
  if (w.size() < 2) return 0;
  const unsigned char b0 = static_cast<unsigned char>(w[0]), b1 = static_cast<unsigned char>(w[1]);
  if (b0 < 0xC2 || b0 > 0xDF || (b1 & 0xC0) != 0x80) return 0;
  const unsigned cp = ((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu);
  const bool capital = (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x400 && cp <= 0x42F);
  return capital ? 2 : 0;
}

bool capitalised_word(std::string_view w) {
  if (w.size() < 2) return false;
  const std::size_t start = is_upper(w[0]) ? 1 : non_ascii_capital(w);
  if (start == 0) return false;
  bool lower_seen = false;
  for (std::size_t i = start; i < w.size(); ++i) {
    char c = w[i];
    // Letters beyond ASCII count as lower case after the capital ("Иван", "Ørsted").
    if (std::islower(static_cast<unsigned char>(c)) || (start == 2 && static_cast<unsigned char>(c) >= 0x80)) lower_seen = true;
    else if (!(c == '-' || c == '\'' || is_upper(c) || static_cast<unsigned char>(c) >= 0x80)) return false;
  }
  return lower_seen;
}

struct Token {
  std::size_t begin, end;  // without trailing punctuation
  std::string_view text;
  bool punct_after;  // ",", "-", "!"... right after the word: the name ends here
};

std::vector<Token> tokens_of(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t b = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i == b) break;
    std::size_t e = i;
    trim_trailing_punct(line, b, e);
    // "(Ricki Hirner)": the bracket is not part of the name.
    while (b + 1 < e && (line[b] == '(' || line[b] == '[' || line[b] == '"')) ++b;
    out.push_back({b, e, line.substr(b, e - b), e < i});
  }
  return out;
}

// Titles that stand before a name.
bool honorific(std::string_view w) {
  static const std::vector<std::string> titles = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame",
                                                  "herr", "frau", "mme", "mlle", "sr", "sra", "srta"};
  return std::find(titles.begin(), titles.end(), lower(w)) != titles.end();
}

bool greeting(std::string_view w) {
  std::string l = lower(w);
  return l == "hi" || l == "hello" || l == "hey" || l == "dear" || l == "thanks" || l == "thank" || l == "thx" ||
         l == "cheers" || l == "bye" || l == "love" || l == "regards" || l == "sincerely" || l == "morning" ||
         l == "evening" || l == "congrats" || l == "welcome";
}

}  // namespace

bool NameLists::is_first(std::string_view word) const {
  return std::binary_search(first.begin(), first.end(), lower(word));
}
bool NameLists::is_last(std::string_view word) const {
  return std::binary_search(last.begin(), last.end(), lower(word));
}
bool NameLists::is_extra(std::string_view word) const {
  return std::binary_search(extra.begin(), extra.end(), lower(word));
}
bool NameLists::is_common(std::string_view word) const {
  return std::binary_search(common.begin(), common.end(), lower(word));
}
bool NameLists::is_brand(std::string_view word) const {
  return std::binary_search(brands.begin(), brands.end(), lower(word));
}

const NameLists& NameLists::shipped() {
  static const NameLists lists = [] {
    NameLists l;
    for (const char* f : {"pii/first_names.txt", "pii/names/detector-first.txt"})
      for (const auto& w : read_word_list(data_path(f))) l.first.push_back(lower(w));
    for (const char* f : {"pii/last_names.txt", "pii/names/detector-last.txt"})
      for (const auto& w : read_word_list(data_path(f))) l.last.push_back(lower(w));
    l.common = read_word_list(data_path("pii/common_words.txt"));
    for (const auto& w : read_word_list(data_path("pii/brands.txt"))) l.brands.push_back(lower(w));
    l.extra = read_word_list(data_path("pii/names/detector-extra.txt"));
    for (auto* v : {&l.first, &l.last, &l.common, &l.brands, &l.extra}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    return l;
  }();
  return lists;
}

bool looks_like_person_name(std::string_view line) {
  auto toks = tokens_of(line);
  if (toks.size() < 2 || toks.size() > 3) return false;
  if (greeting(toks[0].text)) return false;  // "Thanks Chen": a greeting, then the name
  for (std::size_t i = 0; i < toks.size(); ++i) {
    if (!capitalised_word(toks[i].text)) return false;
    if (i + 1 < toks.size() && toks[i].punct_after) return false;
  }
  return toks.back().end + 1 >= line.size() || toks.back().end == line.size();
}

namespace {

// "Aug", "Mon.", "Tuesday": dates in list rows, not names.
bool month_or_day(std::string_view w) {
  static const std::regex re(
      R"((jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|)"
      R"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\.?,?)",
      std::regex::icase);
  return std::regex_match(std::string(w), re);
}

// A word that can be a person's name or handle in a title or an activity line:
// "Ana", "O'Neil", "B." (an initial), "rx8geek", "miss_brainfart", "TheRealLinga".
bool actor_word(std::string_view w, const NameLists* lists) {
  if ((w.size() == 1 && is_upper(w[0])) || (w.size() == 2 && is_upper(w[0]) && w[1] == '.')) return true;  // initial
  if (month_or_day(w)) return false;
  static const std::regex version(R"([vV]?\d+(?:\.\d+)+[a-z]?)");
  if (std::regex_match(std::string(w), version)) return false;  // "v28.0.5"
  // "read-only", "matrix.org": words or a domain joined by a mark.
  if (lists && w.find_first_of("-.") != std::string_view::npos && w.find_first_of("-.") > 0) {
    static const std::regex domain(R"([a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|io|de|fr|uk|co|app|dev|social|edu|gov|local|me|xyz|eu|ch|nl|at|it|es|info|ml|chat|social|world|online|space|cloud|tech|zone|club|im|gg|tv|fm|to|us|ca|au|jp|ru|pl|se|no|fi|dk|be|cz|br|in))",
                                   std::regex::icase);
    if (std::regex_match(std::string(w), domain)) return false;
    bool all_words = true;
    std::size_t b = 0;
    while (b <= w.size()) {
      std::size_t e = w.find_first_of("-.", b);
      if (e == std::string_view::npos) e = w.size();
      if (e > b && !lists->is_common(w.substr(b, e - b))) all_words = false;
      b = e + 1;
    }
    if (all_words) return false;
  }
  // Quotes, brackets and other marks never start a name ("‘Subject", "(sient").
  if (!w.empty() && !is_alnum(w[0]) && static_cast<unsigned char>(w[0]) < 0xC3) return false;
  if (w.rfind("\xE2\x80", 0) == 0) return false;  // typographic quotes and dashes
  if (lists && lists->is_brand(w)) return false;
  if (looks_like_commit_hash(w)) return false;
  // An acronym ("CRM", "GPU", "GPU-PC": capitals in parts of at most four) is a
  // product or a part, not a person (a listed name in capitals, "JOHN" on a card, still is).
  static const std::regex acronym(R"([A-Z]{2,4}(?:-[A-Z]{1,4})*)");
  if (std::regex_match(std::string(w), acronym) && !(lists && (lists->is_first(w) || lists->is_last(w)))) return false;
  if (capitalised_word(w)) return !(lists && lists->is_plain_word(w));
  if (w.size() < 3) return false;
  bool digit = false, handle_mark = false, letters = false;
  for (std::size_t k = 0; k < w.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(w[k]);
    if (std::isdigit(c)) digit = true;
    else if (c == '_' || c == '.' || c == '-') handle_mark = true;
    else if (std::isalpha(c) || c >= 0x80) letters = true;
    else return false;
  }
  if (!letters) return false;
  if (digit || handle_mark) return true;
  // A lower-case word: a handle only when no dictionary knows it ("alice" is a listed name).
  // Without the lists nothing tells a plain word from a handle.
  return lists && (!lists->is_common(w) || lists->is_first(w));
}

bool activity_verb(std::string_view w) {
  static const std::vector<std::string> verbs = {
      "boosted", "reblogged", "favourited", "favorited", "liked", "loved", "followed", "joined", "left", "reacted",
      "replied", "commented", "mentioned", "shared", "invited", "sent", "started", "changed", "created", "added",
      "removed", "posted", "wrote", "says", "said", "accepted", "requested", "reposted", "tagged", "updated",
      "uploaded", "edited", "pinned", "called", "is", "was", "has", "set", "renamed", "kicked", "banned", "made",
      "join", "joins", "quit", "quits", "part", "parts", "leaves", "nick",
      // code hosting: "octocat opened this issue", "mkoenig pushed to main"
      "opened", "closed", "reopened", "merged", "pushed", "committed", "authored", "reviewed", "approved", "forked",
      "starred", "assigned", "unassigned", "labeled", "labelled", "referenced", "released", "published", "deleted"};
  return std::find(verbs.begin(), verbs.end(), lower(w)) != verbs.end();
}

bool not_a_sender(std::string_view w) {
  static const std::vector<std::string> words = {"you", "me", "re", "fwd", "fw", "to", "from", "cc", "bcc",
                                                 "subject", "date", "time", "note", "tip", "draft", "error",
                                                 "warning", "total", "status", "reply", "sent", "via"};
  return std::find(words.begin(), words.end(), lower(w)) != words.end();
}

}  // namespace

bool looks_like_commit_hash(std::string_view w) {
  static const std::regex hash(R"([0-9a-f]{7,40})");
  return std::regex_match(std::string(w), hash) && std::any_of(w.begin(), w.end(), is_digit) &&
         std::any_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'f'; });
}

bool is_irc_service(std::string_view w) {
  // "[A-Z][a-z]+Serv", checked by hand: looks_like_row_title asks it of every row.
  if (!w.empty() && w[0] == '@') w.remove_prefix(1);
  constexpr std::string_view suffix = "Serv";
  if (w.size() < 2 + suffix.size() || w.substr(w.size() - suffix.size()) != suffix || !is_upper(w[0])) return false;
  const std::string_view middle = w.substr(1, w.size() - 1 - suffix.size());
  return std::all_of(middle.begin(), middle.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool looks_like_handle(std::string_view s) {
  const bool lower = std::none_of(s.begin(), s.end(), is_upper);
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (is_digit(s[k]) || s[k] == '_' || s[k] == '@') return true;
    if (k > 0 && is_upper(s[k]) && std::islower(static_cast<unsigned char>(s[k - 1]))) return true;
  }
  return lower && s.find(' ') == std::string_view::npos;
}

bool looks_like_row_title(std::string_view line, const NameLists* lists) {
  auto toks = tokens_of(line);
  if (toks.empty() || toks.size() > 3 || line.size() > 40 || is_irc_service(line)) return false;
  // "Félicitations !", "Done?": an exclamation or a question, not a name.
  const std::size_t last = line.find_last_not_of(' ');
  if (last != std::string_view::npos && (line[last] == '!' || line[last] == '?')) return false;
  // An avatar's letter or initials alone ("T", "AB") is not the name.
  if (std::none_of(toks.begin(), toks.end(), [](const Token& t) { return t.text.size() >= 3; })) return false;
  bool all_common = true;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    if (!actor_word(toks[i].text, lists)) return false;
    if (i + 1 < toks.size() && toks[i].punct_after && toks[i].text.size() > 2) return false;
    if (!(lists && lists->is_common(toks[i].text))) all_common = false;
  }
  return !all_common || (lists && lists->is_first(toks[0].text));
}

std::vector<PiiSpan> find_actors(std::string_view line, const NameLists* lists) {
  std::vector<PiiSpan> out;
  auto toks = tokens_of(line);
  if (toks.size() < 2) return out;
  auto label_of = [&](std::size_t b, std::size_t e) { return looks_like_handle(line.substr(b, e - b)) ? "username" : "name"; };
  // A run of up to three actor words at the start of the line.
  std::size_t n = 0;
  while (n < toks.size() && n < 3 && actor_word(toks[n].text, lists)) {
    ++n;
    if (toks[n - 1].punct_after && toks[n - 1].text.size() > 2) break;
  }
  if (n > 0 && n < toks.size()) {
    const std::size_t b = toks[0].begin, e = toks[n - 1].end;
    const bool sender = e < line.size() && line[e] == ':' && e + 1 < line.size() && line[e + 1] == ' ' &&
                        n <= 2 && !not_a_sender(toks[0].text);
    // An icon between the name and the verb may be read as a mark ("Walter i] boosted").
    std::size_t verb = n;
    if (!activity_verb(toks[verb].text) && verb + 1 < toks.size() && toks[verb].text.size() <= 2 &&
        (toks[verb].punct_after || std::any_of(toks[verb].text.begin(), toks[verb].text.end(), [](char c) { return !is_alnum(c); })))
      ++verb;
    const bool activity = !toks[n - 1].punct_after && activity_verb(toks[verb].text) && !not_a_sender(toks[0].text);
    if (sender || activity) out.push_back(span(b, e, label_of(b, e), 0.7, "ocr+layout"));
  }
  // "Ana Lopez <ana@example.com>", "Signed-off-by: leo <leo@example.cn>": the
  // words right before an address in angle brackets name its owner.
  for (std::size_t k = 1; k < toks.size(); ++k) {
    std::string_view t = line.substr(toks[k].begin);
    t = t.substr(0, t.find(' '));  // "<ana@example.com>" is one word
    const std::size_t at = t.find('@');
    if (t.empty() || t[0] != '<' || at == std::string_view::npos || t.find('>', at) == std::string_view::npos ||
        toks[k - 1].punct_after)
      continue;
    std::size_t first = k;
    while (first > 0 && k - first < 3 && actor_word(toks[first - 1].text, lists) && !not_a_sender(toks[first - 1].text) &&
           (first == k || !toks[first - 1].punct_after))
      --first;
    if (first == k) continue;
    const std::size_t b = toks[first].begin, e = toks[k - 1].end;
    out.push_back(span(b, e, label_of(b, e), 0.75, "ocr+context"));
  }
  // "... from bob", "Meeting with Alice", "Booking - Arthur Dent" at the end of the line.
  for (std::size_t k = 0; k + 1 < toks.size(); ++k) {
    std::string w = lower(toks[k].text);
    const bool weak = w == "to";  // "Send to Phone": only a listed name or a handle
    if (w != "from" && w != "with" && w != "by" && w != "-" && !weak) continue;
    std::size_t m = k + 1;
    while (m < toks.size() && m - k <= 3 && actor_word(toks[m].text, lists)) ++m;
    // "Topic set by bookworm on 18 June": a handle-shaped word mid-line counts too.
    if (m != toks.size() && m == k + 2 && (w == "by" || w == "from") && looks_like_handle(toks[k + 1].text) &&
        !(lists && lists->is_plain_word(toks[k + 1].text))) {
      out.push_back(span(toks[k + 1].begin, toks[k + 1].end, "username", 0.55, "ocr+layout"));
      continue;
    }
    if (m != toks.size() || m == k + 1) continue;
    const std::size_t b = toks[k + 1].begin, e = toks.back().end;
    bool listed = lists && (lists->is_first(toks[k + 1].text) || lists->is_last(toks.back().text));
    bool handle = std::string(label_of(b, e)) == "username";
    if (listed || handle || (m - k >= 3 && !weak)) out.push_back(span(b, e, label_of(b, e), 0.6, "ocr+layout"));
  }
  return out;
}

namespace {
// "Hirner", "Ana": one capital, then lower-case letters only (not "HELO", "McX", "iOS").
bool title_case(std::string_view w) {
  if (w.size() < 2 || !is_upper(w[0])) return false;
  return std::all_of(w.begin() + 1, w.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80; });
}
}  // namespace

std::vector<PiiSpan> find_names(std::string_view line, const std::string& context, const NameLists* lists) {
  std::vector<PiiSpan> out;
  auto toks = tokens_of(line);
  std::vector<bool> used(toks.size(), false);
  // Capitalised run starting at token k (up to 3 words, stops at punctuation and at words already taken).
  auto run_from = [&](std::size_t k) {
    std::size_t n = 0;
    while (k + n < toks.size() && n < 3 && !used[k + n] && capitalised_word(toks[k + n].text)) {
      ++n;
      if (toks[k + n - 1].punct_after) break;
    }
    return n;
  };
  // A title before capitalised words ("Mr Wade Warren", "Dr. Ana Lopez"): they
  // are a name whatever the lists say; the title itself is not part of it.
  for (std::size_t k = 0; k + 1 < toks.size(); ++k) {
    if (!honorific(toks[k].text) || (toks[k].punct_after && line[toks[k].end] != '.')) continue;
    std::size_t n = run_from(k + 1);
    if (n == 0 || (lists && n == 1 && lists->is_plain_word(toks[k + 1].text) &&
                   !lists->is_last(toks[k + 1].text)))
      continue;  // "Dr Who", "Miss Universe"
    out.push_back(span(toks[k + 1].begin, toks[k + n].end, "name", n >= 2 ? 0.85 : 0.7, "ocr+context"));
    for (std::size_t t = k; t <= k + n; ++t) used[t] = true;
    k += n;
  }
  // An owner or a person in brackets at the end of a line ("Gemeinsam (Ricki
  // Hirner)", "Team calendar (Ana Lopez)"): two or three name-shaped words, not
  // all dictionary words ("(Read Only)", "(United States)") and no brand.
  {
    static const std::regex bracketed(R"(\(([^()]+)\)\s*$)");
    for (auto [b, e] : matches(bracketed, line, 1)) {
      if (b < 2 || overlaps_any(out, b, e)) continue;
      const std::string_view inner = line.substr(b, e - b);
      auto words = tokens_of(inner);
      if (words.size() < 2 || words.size() > 3 || !looks_like_person_name(inner)) continue;
      const bool all_common = std::all_of(words.begin(), words.end(), [&](const Token& t) { return lists && lists->is_common(t.text); });
      const bool brand = std::any_of(words.begin(), words.end(), [&](const Token& t) { return lists && lists->is_brand(t.text); });
      const bool listed = lists && lists->is_first(words[0].text);
      if (brand || (all_common && !listed)) continue;
      out.push_back(span(b, e, "name", listed ? 0.8 : 0.65, "ocr+context"));
      for (std::size_t t = 0; t < toks.size(); ++t)
        if (toks[t].end > b - 1) used[t] = true;  // the bracket and its words
    }
  }
  if (lists && !lists->empty()) {
    for (std::size_t k = 0; k < toks.size(); ++k) {
      if (used[k] || !capitalised_word(toks[k].text)) continue;
      bool first = lists->is_first(toks[k].text);
      std::size_t n = run_from(k);
      // A listed first name, surname particles and a capitalised surname ("Willem
      // van der Berg", "Maria de la Cruz", "Ludwig van Beethoven"): one name.
      if (first && n == 1 && !toks[k].punct_after) {
        static const std::vector<std::string> particles = {"van", "von", "der", "den", "de", "del", "della", "di", "da",
                                                           "du", "la", "le", "dos", "das", "ter", "ten", "zu", "af", "bin", "al"};
        std::size_t e = k + 1;
        while (e < toks.size() && e < k + 4 && !toks[e - 1].punct_after &&
               std::find(particles.begin(), particles.end(), toks[e].text) != particles.end())
          ++e;
        if (e > k + 1 && e < toks.size() && !toks[e - 1].punct_after && capitalised_word(toks[e].text) &&
            (!lists->is_common(toks[e].text) || lists->is_surname(toks[e].text))) {
          out.push_back(span(toks[k].begin, toks[e].end, "name", 0.85, "ocr+namelist"));
          for (std::size_t t = k; t <= e; ++t) used[t] = true;
          continue;
        }
      }
      // A name that is also a word ("Mark", "Grace") or a following word that is
      // not a surname but a word ("Will Help"): not enough on its own.
      bool plain_first = first && !lists->is_common(toks[k].text);
      // A line that is only the name ("Peter Weyland", "Sophie Stiller" as a
      // sender or contact row) needs less: a surname that is no word, or a first name that is none.
      const bool whole_line = k == 0 && n == toks.size() && n >= 2 && looks_like_person_name(line);
      const bool whole_line_name = whole_line && (plain_first || !lists->is_common(toks[k + 1].text));
      if (first && n >= 2 && !lists->is_surname(toks[k + 1].text) && !whole_line_name &&
          (!plain_first || lists->is_common(toks[k + 1].text)))
        first = false;
      if (first && n >= 2) {
        // Ana Lopez / Ana Maria Lopez: a third word only when it is a listed surname.
        std::size_t take = 2;
        if (n >= 3 && lists->is_last(toks[k + 2].text)) take = 3;
        bool last = lists->is_last(toks[k + take - 1].text);
        out.push_back(span(toks[k].begin, toks[k + take - 1].end, "name", last ? 0.92 : 0.75, "ocr+namelist"));
        for (std::size_t t = k; t < k + take; ++t) used[t] = true;
      } else if (first && ((k > 0 && greeting(toks[k - 1].text)) || (toks.size() == 1 && plain_first))) {
        out.push_back(span(toks[k].begin, toks[k].end, "name", toks.size() == 1 ? 0.6 : 0.8, "ocr+namelist"));
        used[k] = true;
      } else if (!first && n >= 2 && looks_like_person_name(line) &&
                 (lists->is_last(toks[k + 1].text) ||
                  // a surname only the large list knows: after a first name or a name no dictionary has
                  (lists->is_extra(toks[k + 1].text) && !lists->is_common(toks[k].text) &&
                   title_case(toks[k].text) && title_case(toks[k + 1].text)))) {
        out.push_back(span(toks[k].begin, toks[k + 1].end, "name", 0.7, "ocr+namelist"));
        used[k] = used[k + 1] = true;
      }
    }
  }
  if (context == "name" && out.empty()) {
    // After "Name", "Guest", "Recipient"...: the capitalised run at the start of the value.
    if (!toks.empty()) {
      std::size_t n = run_from(0);
      // "Name" over an account's title in a password manager: "GitHub" is no person.
      if (n >= 1 && !(n == 1 && lists && lists->is_brand(toks[0].text)))
        out.push_back(span(toks[0].begin, toks[n - 1].end, "name", n >= 2 ? 0.85 : 0.6, "ocr+context"));
    }
  }
  // Introductions: "My name is Nic", "I'm Ana Lopez", "This is Tom".
  for (std::size_t k = 0; k + 1 < toks.size(); ++k) {
    const std::string a = lower(toks[k].text);
    const std::string b = k + 2 < toks.size() ? lower(toks[k + 1].text) : "";
    std::size_t v = 0;
    if ((a == "i'm" || a == "i\u2019m" || a == "im") && capitalised_word(toks[k + 1].text)) v = k + 1;
    else if ((a == "name" || a == "this") && b == "is" && k + 2 < toks.size()) v = k + 2;
    else if (a == "call" && lower(toks[k + 1].text) == "me" && k + 2 < toks.size()) v = k + 2;
    if (v == 0 || !capitalised_word(toks[v].text) || std::any_of(out.begin(), out.end(), [&](const PiiSpan& p) { return p.begin == toks[v].begin; }))
      continue;
    if (lists && lists->is_plain_word(toks[v].text)) continue;
    std::size_t e = v + 1;
    if (e < toks.size() && !toks[v].punct_after && capitalised_word(toks[e].text) &&
        (!(lists && lists->is_common(toks[e].text)) || (lists && lists->is_last(toks[e].text))))
      ++e;
    out.push_back(span(toks[v].begin, toks[e - 1].end, "name", 0.7, "ocr+context"));
  }
  if (out.empty()) {
    // A greeting followed by a capitalised word, in a message ("Thanks Ana -").
    for (std::size_t k = 1; k < toks.size(); ++k)
      if (greeting(toks[k - 1].text) && capitalised_word(toks[k].text) && !toks[k - 1].punct_after &&
          !(lists && lists->is_plain_word(toks[k].text)) &&  // "Hello World"
          (toks[k].punct_after || k + 1 == toks.size() || toks[k + 1].text == "-"))
        out.push_back(span(toks[k].begin, toks[k].end, "name", 0.55, "ocr+context"));
  }
  return out;
}

}  // namespace dtap
