// find_pii: runs the recognisers over a page's OCR lines with context from the
// line itself and the label line above, resolves overlaps, maps spans to boxes.
// Also the scoring of findings against true spans.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>

#include "dtap/log.hpp"
#include "dtap/pii.hpp"
#include "dtap/pii_lines.hpp"
#include "dtap/text.hpp"

namespace dtap {

Json PiiFinding::to_json() const {
  return Json{{"label", label}, {"text", text}, {"bbox", bbox.to_json()},
              {"score", std::round(score * 100) / 100}, {"source", source}};
}

namespace {

// Higher wins when two spans overlap: self-checking formats first, names last.
int priority(const std::string& label) {
  static const std::map<std::string, int> order = {
      {"email", 12}, {"url_token", 11}, {"other", 11}, {"secret", 10}, {"iban", 9}, {"card", 8}, {"ip", 7},
      {"date_of_birth", 6}, {"phone", 5},  {"id_number", 4},  {"address", 3}, {"username", 2}, {"name", 1}};
  auto it = order.find(label);
  return it == order.end() ? 0 : it->second;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

struct LineText {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> word_ranges;  // byte ranges of the kept words
  std::size_t first_word = 0;  // words of the OCR line before it were an icon read as text
  bool icon_before = false;    // that icon stands taller than the text: an avatar or a row icon
};

}  // namespace

std::size_t leading_icon_words(const OcrResult& ocr, const OcrLine& line, bool* taller) {
  if (taller) *taller = false;
  // Up to three short, doubtful words ("®@", "a)", "S oe") before the first real word.
  std::size_t n = 0;
  auto doubtful = [](const OcrWord& w) {
    if (utf8_length(w.text) > 3) return false;
    const bool alnum = std::any_of(w.text.begin(), w.text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
    return !alnum || w.conf < 80;
  };
  while (n < line.words.size() && n < 3 && doubtful(ocr.words[static_cast<std::size_t>(line.words[n])])) ++n;
  if (n == 0 || n == line.words.size()) return 0;
  const OcrWord& first_text = ocr.words[static_cast<std::size_t>(line.words[n])];
  const OcrWord& last_icon = ocr.words[static_cast<std::size_t>(line.words[n - 1])];
  const double h = std::max(1.0, first_text.bbox.h);
  bool tall = false, small_symbols = true;
  for (std::size_t k = 0; k < n; ++k) {
    const OcrWord& w = ocr.words[static_cast<std::size_t>(line.words[k])];
    tall |= w.bbox.h >= 1.3 * h;
    // A small glyph that OCR read as a symbol ("&" for a member-list person icon),
    // not punctuation cut off the text ("by: Anna").
    small_symbols &= w.bbox.h <= 0.6 * h && std::none_of(w.text.begin(), w.text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view(".,:;'\"`-_()").find(c) != std::string_view::npos;
    });
  }
  const bool apart = first_text.bbox.x - last_icon.bbox.right() >= 0.8 * h;
  if (!tall && !apart && !small_symbols) return 0;
  if (taller) *taller = tall;
  return n;
}

namespace {

LineText line_text(const OcrResult& ocr, const OcrLine& line) {
  LineText lt;
  lt.first_word = leading_icon_words(ocr, line, &lt.icon_before);
  for (std::size_t k = lt.first_word; k < line.words.size(); ++k) {
    if (!lt.text.empty()) lt.text += ' ';
    std::size_t b = lt.text.size();
    lt.text += ocr.words[static_cast<std::size_t>(line.words[k])].text;
    lt.word_ranges.push_back({b, lt.text.size()});
  }
  return lt;
}

// The box of a line's first word after any icon read as text.
const BBox& first_word_box(const OcrResult& ocr, const std::vector<LineText>& texts, std::size_t i) {
  return ocr.words[static_cast<std::size_t>(ocr.lines[i].words[texts[i].first_word])].bbox;
}

std::size_t letter_count(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }));
}

// Whether every word of `text` is a plain dictionary word (no first name).
bool all_plain_words(std::string_view text, const NameLists* lists) {
  const auto words = split_whitespace(text);
  return lists && std::all_of(words.begin(), words.end(), [&](const std::string& w) { return lists->is_plain_word(w); });
}

// The line nearest to `i` among those `gap_to` accepts (it returns the gap,
// or a negative number to reject), or -1.
template <class GapTo>
int nearest_line(const OcrResult& ocr, std::size_t i, GapTo gap_to) {
  const BBox& l = ocr.lines[i].bbox;
  int best = -1;
  double best_gap = 0;
  for (std::size_t j = 0; j < ocr.lines.size(); ++j) {
    if (j == i) continue;
    double gap = gap_to(l, ocr.lines[j].bbox);
    if (gap < 0) continue;
    if (best < 0 || gap < best_gap) {
      best = static_cast<int>(j);
      best_gap = gap;
    }
  }
  return best;
}

// Gaps may be slightly negative (touching boxes); shift them so that an
// accepted candidate always reports a gap >= 0.
constexpr double kGapShift = 1e6;

// The label line right above `i` (label over value), or -1.
int line_above(const OcrResult& ocr, std::size_t i) {
  return nearest_line(ocr, i, [](const BBox& l, const BBox& a) {
    double gap = l.y - a.bottom();
    double h = std::max(l.h, a.h);
    if (gap < -0.3 * h || gap > 1.6 * h) return -1.0;
    if (a.cy() >= l.y) return -1.0;
    // Left-aligned with the value, or overlapping it horizontally.
    bool aligned = std::abs(a.x - l.x) < 1.5 * h ||
                   (std::min(a.right(), l.right()) - std::max(a.x, l.x)) > 0.5 * std::min(a.w, l.w);
    return aligned ? gap + kGapShift : -1.0;
  });
}

// The label line just left of `i` on the same row ("Order  #AB123"), or -1.
int line_left(const OcrResult& ocr, std::size_t i) {
  return nearest_line(ocr, i, [](const BBox& l, const BBox& a) {
    double h = std::max(l.h, a.h);
    double gap = l.x - a.right();
    if (std::abs(a.cy() - l.cy()) > 0.4 * h || gap < -0.2 * h || gap > 4 * h) return -1.0;
    return gap + kGapShift;
  });
}

// The line right below `i`, left-aligned (contact rows: a name over its phone).
int line_below(const OcrResult& ocr, std::size_t i) {
  return nearest_line(ocr, i, [](const BBox& l, const BBox& b) {
    double gap = b.y - l.bottom();
    double h = std::max(l.h, b.h);
    if (gap < -0.3 * h || gap > 1.2 * h || b.cy() <= l.bottom()) return -1.0;
    if (std::abs(b.x - l.x) > 1.0 * h) return -1.0;
    return gap + kGapShift;
  });
}

bool label_enabled(const PiiOptions& o, const std::string& label) {
  return o.labels.empty() || std::find(o.labels.begin(), o.labels.end(), label) != o.labels.end();
}

// All recognisers over one line. `context` comes from the line above when the
// line itself carries none.
std::vector<PiiSpan> recognise_line(const std::string& text, const std::string& above_context, bool after_street,
                                    const NameLists* lists, bool code_hosting) {
  LineContext own = line_context(text);
  std::string context = own.label.empty() ? above_context : own.label;
  std::size_t vb = own.label.empty() ? 0 : own.value_begin;
  std::string_view value = std::string_view(text).substr(std::min(vb, text.size()));
  std::vector<PiiSpan> spans;
  auto add = [&](std::vector<PiiSpan> found, std::size_t offset) {
    for (auto& s : found) {
      s.begin += offset;
      s.end += offset;
      spans.push_back(std::move(s));
    }
  };
  add(find_emails(text), 0);
  add(find_url_tokens(text), 0);
  add(find_profile_links(text), 0);
  add(find_ibans(value, context), vb);
  add(find_cards(value, context), vb);
  add(find_ips(text), 0);
  add(find_dates_of_birth(value, context), vb);
  add(find_phones(text, context), 0);
  add(find_id_numbers(value, context), vb);
  add(find_addresses(value, context, after_street), vb);
  add(find_usernames(value, context, code_hosting), vb);
  add(find_shell_users(text), 0);
  add(find_actors(text, lists), 0);
  add(find_secrets(value, context), vb);
  // Names: the value after a name context, else anywhere on the line.
  add(find_names(value, context == "name" ? "name" : "", lists), vb);
  if (!own.label.empty() && own.label != "name" && vb > 0) add(find_names(text.substr(0, vb), "", lists), 0);
  return spans;
}

// Keeps the best of overlapping spans (priority, then score, then length).
std::vector<PiiSpan> resolve_overlaps(std::vector<PiiSpan> spans) {
  std::sort(spans.begin(), spans.end(), [](const PiiSpan& a, const PiiSpan& b) {
    if (priority(a.label) != priority(b.label)) return priority(a.label) > priority(b.label);
    if (a.score != b.score) return a.score > b.score;
    return a.end - a.begin > b.end - b.begin;
  });
  std::vector<PiiSpan> kept;
  for (auto& s : spans) {
    if (s.end <= s.begin) continue;
    bool overlaps = std::any_of(kept.begin(), kept.end(),
                                [&](const PiiSpan& k) { return s.begin < k.end && k.begin < s.end; });
    if (!overlaps) kept.push_back(std::move(s));
  }
  std::sort(kept.begin(), kept.end(), [](const PiiSpan& a, const PiiSpan& b) { return a.begin < b.begin; });
  return kept;
}

PiiFinding to_finding(const OcrResult& ocr, std::size_t line_index, const LineText& lt, const PiiSpan& s) {
  PiiFinding f;
  f.label = s.label;
  f.text = lt.text.substr(s.begin, s.end - s.begin);
  f.score = s.score;
  f.source = s.source;
  f.line = static_cast<int>(line_index);
  const OcrLine& line = ocr.lines[line_index];
  bool first = true;
  for (std::size_t k = 0; k < lt.word_ranges.size(); ++k) {
    auto [wb, we] = lt.word_ranges[k];
    if (we <= s.begin || wb >= s.end) continue;
    int w = line.words[lt.first_word + k];
    const OcrWord& word = ocr.words[static_cast<std::size_t>(w)];
    BBox box = word.bbox;
    // Part of a word ("Email:ana@x.com"): cut the box in proportion to its characters.
    std::size_t cb = std::max(wb, s.begin), ce = std::min(we, s.end);
    if (cb > wb || ce < we) {
      std::string_view wt(lt.text.data() + wb, we - wb);
      double total = static_cast<double>(std::max<std::size_t>(1, utf8_length(wt)));
      double left = static_cast<double>(utf8_length(wt.substr(0, cb - wb))) / total;
      double right = static_cast<double>(utf8_length(wt.substr(0, ce - wb))) / total;
      box = BBox{word.bbox.x + left * word.bbox.w, word.bbox.y, (right - left) * word.bbox.w, word.bbox.h};
    }
    f.bbox = first ? box : bbox_union(f.bbox, box);
    first = false;
    f.words.push_back(w);
  }
  return f;
}

bool is_time(std::string_view s) {
  std::string t = normalise_text(s);
  if (t.size() >= 2 && (t.substr(t.size() - 2) == "am" || t.substr(t.size() - 2) == "pm"))
    t = normalise_text(t.substr(0, t.size() - 2));
  auto colon = t.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 2 || t.size() - colon != 3) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == ':'; });
}

bool is_contact_kind(std::string_view s) {
  std::string t = normalise_text(s);
  return t == "mobile" || t == "work" || t == "home" || t == "main" || t == "other" || t == "iphone";
}

// A timestamp as chat and mail lists show them: "9:41", "14:05", "Yesterday",
// "Mon", "3m", "2 h", "12/05", "Jan 5".
bool is_list_time(std::string_view s) {
  if (is_time(s)) return true;
  static const std::regex re(
      R"(^((mon|tue|wed|thu|fri|sat|sun)[a-z]*,? )?(yesterday|today|now|just now|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|)"
      R"(\d{1,2}\s?(s|m|min|mins|h|hr|hrs|d|w|mo|y)|\d{1,2}[/.]\d{1,2}([/.]\d{2,4})?|)"
      R"((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(,? \d{4})?|\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?( \d{4})?)$)",
      std::regex::icase);
  std::string t(s);
  while (!t.empty() && (t.back() == ' ' || t.back() == '.')) t.pop_back();
  return std::regex_match(t, re);
}

// Which lines are list timestamps (once per page: the regex is not cheap).
std::vector<bool> list_time_lines(const OcrResult& ocr) {
  std::vector<bool> out(ocr.lines.size());
  for (std::size_t j = 0; j < ocr.lines.size(); ++j) out[j] = is_list_time(ocr.lines[j].text);
  return out;
}

// Whether a timestamp line stands to the right of line i on its row (chat and inbox rows).
bool time_on_row(const OcrResult& ocr, std::size_t i, const std::vector<bool>& is_timestamp) {
  const BBox& a = ocr.lines[i].bbox;
  for (std::size_t j = 0; j < ocr.lines.size(); ++j) {
    const BBox& b = ocr.lines[j].bbox;
    if (j != i && is_timestamp[j] && std::abs(a.cy() - b.cy()) < 0.6 * std::max(a.h, b.h) && b.x > a.right()) return true;
  }
  return false;
}

}  // namespace

namespace {

// A word trailing a row title that is a count or an icon read as text
// ("41", "T8", "714", "|"), not part of the name.
bool trailing_junk(std::string_view w) {
  const std::size_t letters = static_cast<std::size_t>(
      std::count_if(w.begin(), w.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }));
  const bool digit = std::any_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  return (digit && w.size() <= 4 && letters <= 1) || letters == 0 || (w.size() == 1 && !std::isupper(static_cast<unsigned char>(w[0])));
}

// The part of a row-title line that is the name or handle: without a trailing
// timestamp, counts or ':' (sender lines "Nour:").
std::pair<std::size_t, std::size_t> title_span(const LineText& lt) {
  std::size_t b = 0, e = lt.text.size();
  std::size_t words = lt.word_ranges.size();
  if (words >= 2) {
    auto [wb, we] = lt.word_ranges.back();
    if (is_list_time(std::string_view(lt.text).substr(wb, we - wb))) {
      e = wb;
      --words;
    }
  }
  for (int k = 0; k < 3 && words >= 2; ++k) {
    auto [wb, we] = lt.word_ranges[words - 1];
    if (!trailing_junk(std::string_view(lt.text).substr(wb, we - wb))) break;
    e = wb;
    --words;
  }
  while (e > b && (lt.text[e - 1] == ' ' || lt.text[e - 1] == ':' || lt.text[e - 1] == ',')) --e;
  return {b, e};
}

// What the rule recognisers find on a page: spans per line (pass 1: each line
// with the label line above; pass 2: layout cues that need the neighbours).
struct RulePass {
  std::vector<LineText> texts;
  std::vector<std::vector<PiiSpan>> spans;
};

// A display name as social apps show it before a handle: 1-5 capitalised
// words or quoted nicknames ('Curtis "Ovid" Poe'), not all dictionary words.
bool looks_like_display_name(std::string_view text, const NameLists* lists) {
  const auto words = split_whitespace(text);
  if (words.empty() || words.size() > 5) return false;
  bool all_common = true;
  for (std::string w : words) {
    if (w.size() >= 2 && (w.front() == '"' || w.front() == '(') && (w.back() == '"' || w.back() == ')'))
      w = w.substr(1, w.size() - 2);
    if (w.empty() || !std::isupper(static_cast<unsigned char>(w[0]))) return false;
    for (char c : w)
      if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == '\'' || c == '.' || static_cast<unsigned char>(c) >= 0x80))
        return false;
    if (!(lists && lists->is_common(w))) all_common = false;
  }
  return !all_common;
}

// A letter's closing on a line of its own ("Best regards,", "Cheers", "Viele Grüße"):
// the signature's name follows.
bool is_closing(std::string_view line) {
  std::string t = normalise_text(line);
  while (!t.empty() && (t.back() == ',' || t.back() == '!' || t.back() == '.' || t.back() == ' ')) t.pop_back();
  static const std::vector<std::string> closings = {
      "best regards", "kind regards", "warm regards", "regards", "best wishes", "best", "cheers", "thanks", "thank you",
      "many thanks", "sincerely", "yours sincerely", "yours truly", "yours", "all the best", "love", "take care", "bye",
      "viele grüße", "viele gruesse", "liebe grüße", "mit freundlichen grüßen", "gruß", "lg", "cordialement",
      "bien à vous", "saludos", "un saludo", "cordiali saluti", "saluti", "groeten", "met vriendelijke groet"};
  return std::find(closings.begin(), closings.end(), t) != closings.end();
}

// Whether line i starts right of an avatar and is its row's title (level with
// the avatar's upper part, not the preview line under it).
bool beside_avatar(const OcrResult& ocr, const LineText& lt, std::size_t i, const std::vector<BBox>& avatars) {
  if (lt.icon_before) return true;
  if (lt.word_ranges.empty()) return false;
  const BBox& word = ocr.words[static_cast<std::size_t>(ocr.lines[i].words[lt.first_word])].bbox;
  const BBox& line = ocr.lines[i].bbox;
  return std::any_of(avatars.begin(), avatars.end(), [&](const BBox& a) {
    const bool left = a.right() <= word.x && word.x - a.right() <= 2.5 * word.h && word.cy() >= a.y &&
                      word.cy() <= a.cy() + 0.2 * a.h;
    const bool under = a.bottom() <= line.y && line.y - a.bottom() <= 1.5 * word.h &&
                       std::abs(a.cx() - line.cx()) <= 0.25 * a.w;
    return left || under;
  });
}

// Whether line i is a screen's title after a back arrow ("<  jstark"): in a
// chat or contact screen, the person's name.
bool app_bar_title(const OcrResult& ocr, const std::vector<LineText>& texts, std::size_t i, double page_h) {
  const BBox& l = ocr.lines[i].bbox;
  if (l.cy() > 0.15 * page_h) return false;
  if (texts[i].first_word > 0) return true;
  // A back arrow (read as "<", "←", "e"...) at the left edge of the same row.
  for (std::size_t j = 0; j < ocr.lines.size(); ++j) {
    const BBox& a = ocr.lines[j].bbox;
    if (j != i && std::abs(a.cy() - l.cy()) < 0.4 * std::max(a.h, l.h) && a.right() <= l.x && a.x < 2.5 * l.h &&
        utf8_length(texts[j].text) <= 2)
      return true;
  }
  return false;
}

// Whether line i is a post or comment header: one or two words over a
// paragraph ("rx8geek" over the comment), not taller than a heading would be.
// Only a handle-shaped word or a person-shaped name counts there: a plain
// word over a paragraph is a heading.
bool header_over_body(const OcrResult& ocr, const std::vector<LineText>& texts, std::size_t i, std::string_view title,
                      const NameLists* lists, bool code_hosting) {
  if (texts[i].word_ranges.empty() || texts[i].word_ranges.size() > 4) return false;
  const auto toks = split_whitespace(std::string(title));
  // A plain lower-case word is a handle only off code-hosting pages (there it
  // is a repository or a folder over its description).
  const bool plain_lower = std::none_of(title.begin(), title.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
  const bool shaped = (looks_like_handle(title) && !(plain_lower && code_hosting)) || looks_like_person_name(title) ||
                      (lists && !toks.empty() && lists->is_first(toks[0]) && !lists->is_common(toks[0]));
  if (!shaped) return false;
  // The paragraph starts under the header, left-aligned, within two line heights.
  const BBox& l = ocr.lines[i].bbox;
  const int below = nearest_line(ocr, i, [](const BBox& a, const BBox& b) {
    double gap = b.y - a.bottom();
    double h = std::max(a.h, b.h);
    if (gap < -0.3 * h || gap > 2.2 * a.h || b.cy() <= a.bottom() || std::abs(b.x - a.x) > 1.0 * a.h) return -1.0;
    return gap + kGapShift;
  });
  if (below < 0) return false;
  return texts[static_cast<std::size_t>(below)].word_ranges.size() >= 4 &&
         l.h <= 1.5 * ocr.lines[static_cast<std::size_t>(below)].bbox.h;
}

// A chat transcript's senders: rows that start with a time ("22:50", "<20:37:29>",
// "[14:02]"), then, past an avatar read as a symbol or an IRC action's "*", the
// sender: "<nick>" or "nick:", the one to three words the OCR line ends with
// (the message stands apart), or else the first word ("22:50 akik hi"). A
// time alone on its OCR line takes the short line right beside it. Kept only
// on a page of three or more such rows (one timed line is no transcript).
struct SenderSpan {
  std::size_t line, begin, end;
};
std::vector<SenderSpan> transcript_senders(const OcrResult& ocr, const std::vector<LineText>& texts,
                                           const NameLists* lists) {
  // OCR reads the "<" of "<20:37:29>" as "k" or "{": any one mark around the time.
  static const std::regex timed(R"([^\d\s]?\d{1,2}:\d{2}(?::\d{2})?[^\d\s]?:?)");  // not "12.50", a price
  static const std::regex nick_word(R"([A-Za-z0-9_\-\[\]\\`^{}|.'\x80-\xff]{1,32})");
  static const std::regex process_or_level(R"(.*\[\d+\]|[A-Z]{3,})");  // "sshd[42]", "INFO": a system log's
  auto word = [&](std::size_t i, std::size_t k) {
    auto [b, e] = texts[i].word_ranges[k];
    return std::string_view(texts[i].text).substr(b, e - b);
  };
  auto symbol_only = [](std::string_view w) {
    return std::none_of(w.begin(), w.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
  };
  // The sender candidate: words [k, e) of line i, trimmed of "<>" and ":".
  // `plain_words`: dictionary words may name the sender (a display name beside
  // a time of its own, "bgt lover"); inline, they are a system line ("Connected").
  auto sender = [&](std::size_t i, std::size_t k, std::size_t e, bool plain_words) -> std::optional<SenderSpan> {
    std::size_t b = texts[i].word_ranges[k].first, end = texts[i].word_ranges[e - 1].second;
    const std::string& t = texts[i].text;
    while (b < end && (t[b] == '<' || t[b] == '@')) ++b;
    while (end > b && (t[end - 1] == '>' || t[end - 1] == ':' || t[end - 1] == ',')) --end;
    if (end <= b) return std::nullopt;
    const std::string who = t.substr(b, end - b);
    for (const auto& w : split_whitespace(who))
      if (!std::regex_match(w, nick_word)) return std::nullopt;
    if (letter_count(who) == 0 || (!plain_words && all_plain_words(who, lists)) || std::regex_match(who, process_or_level) ||
        is_list_time(who))
      return std::nullopt;
    return SenderSpan{i, b, end};
  };
  // Timed rows: line, index of the first word past the time and the symbols.
  std::vector<std::pair<std::size_t, std::size_t>> timed_rows;
  std::size_t inline_messages = 0;  // rows with more than three words after the time
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::size_t words = texts[i].word_ranges.size();
    if (words == 0 || !std::regex_match(std::string(word(i, 0)), timed)) continue;
    std::size_t k = 1;
    while (k < words && k <= 2 && symbol_only(word(i, k))) ++k;
    timed_rows.push_back({i, k});
    inline_messages += words - k > 3 ? 1 : 0;
  }
  // Most rows carry their message inline ("22:50 akik hi there all"): the sender
  // is the first word after the time, also on rows with a short message.
  const bool irc_style = 2 * inline_messages >= timed_rows.size();
  std::vector<SenderSpan> out;
  for (const auto& [i, k] : timed_rows) {
    const std::size_t words = texts[i].word_ranges.size();
    std::optional<SenderSpan> s;
    if (k == words) {
      // The time alone: the sender is the short line right beside it.
      const int right = nearest_line(ocr, i, [](const BBox& l, const BBox& r) {
        const double h = std::max(l.h, r.h), gap = r.x - l.right();
        if (std::abs(r.cy() - l.cy()) > 0.4 * h || gap < -0.2 * h || gap > 3 * h) return -1.0;
        return gap + kGapShift;
      });
      if (right < 0) continue;
      const auto j = static_cast<std::size_t>(right);
      const std::size_t n = texts[j].word_ranges.size();
      if (n == 0 || n > 3) continue;
      const char last = texts[j].text.back();
      if (last == '.' || last == '!' || last == '?') continue;
      s = sender(j, 0, n, true);
    } else {
      const std::string_view first = word(i, k);
      const bool marked = first.front() == '<' || first.back() == '>' || first.back() == ':';
      if (marked || irc_style || words - k > 3) s = sender(i, k, k + 1, false);
      else s = sender(i, k, words, false);
    }
    if (s) out.push_back(*s);
  }
  if (out.size() < 3) out.clear();
  return out;
}

RulePass rule_pass(const OcrResult& ocr, const NameLists* lists, const std::vector<BBox>& avatars = {}) {
  const std::size_t n = ocr.lines.size();
  RulePass rp;
  auto& texts = rp.texts;
  auto& spans = rp.spans;
  texts.resize(n);
  std::vector<int> above(n);
  std::vector<std::string> above_context(n);
  for (std::size_t i = 0; i < n; ++i) texts[i] = line_text(ocr, ocr.lines[i]);
  for (std::size_t i = 0; i < n; ++i) {
    above[i] = line_above(ocr, i);
    if (above[i] >= 0) {
      LineContext c = line_context(texts[static_cast<std::size_t>(above[i])].text);
      if (c.whole_line_label) above_context[i] = c.label;
    }
    if (int left = line_left(ocr, i); left >= 0) {
      LineContext c = line_context(texts[static_cast<std::size_t>(left)].text);
      if (c.whole_line_label) above_context[i] = c.label;
    }
  }
  // Pass 1: every line on its own (with the label line above).
  spans.resize(n);
  std::vector<std::string> line_texts;
  for (const auto& t : texts) line_texts.push_back(t.text);
  const bool code_hosting = looks_like_code_hosting(line_texts);
  for (std::size_t i = 0; i < n; ++i)
    spans[i] = recognise_line(texts[i].text, above_context[i], false, lists, code_hosting);
  auto has_label = [&](int line, const char* label) {
    return line >= 0 && std::any_of(spans[static_cast<std::size_t>(line)].begin(),
                                    spans[static_cast<std::size_t>(line)].end(),
                                    [&](const PiiSpan& s) { return s.label == label; });
  };
  // A column of one-word rows, mostly handle-like (a member or nick list, a
  // contact sidebar): every row of it that is not a plain word is a person's.
  // Not on code-hosting pages, whose columns are files and branches.
  if (!code_hosting) {
    std::vector<std::size_t> single;
    for (std::size_t i = 0; i < n; ++i) {
      auto [tb, te] = title_span(texts[i]);
      const std::string_view t = std::string_view(texts[i].text).substr(tb, te - tb);
      if (te > tb && t.find(' ') == std::string_view::npos) single.push_back(i);
    }
    // Each one-word row once: its entry text and whether it looks like a person's.
    std::vector<std::pair<std::string_view, bool>> entries(n);
    for (std::size_t i : single) {
      auto [tb, te] = title_span(texts[i]);
      std::string_view t = std::string_view(texts[i].text).substr(tb, te - tb);
      // IRC mode prefixes ("+nick", "@op") belong to the entry, not to its shape.
      const bool mode = t.size() > 1 && (t[0] == '+' || t[0] == '@' || t[0] == '%' || t[0] == '~' || t[0] == '&');
      if (mode) t.remove_prefix(1);
      // Nick characters ("_SamSlater_", "[diablo]", "Max-P"), not a plain word, time or brand.
      const bool nick = t.size() >= 3 && std::all_of(t.begin(), t.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_-[]\\`^{}|.").find(c) != std::string_view::npos ||
               static_cast<unsigned char>(c) >= 0x80;
      }) && std::any_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
      // File names ("README.md", "main.cpp") and all-capital words ("LICENSE") are a folder's list.
      static const std::regex file_like(R"(.*\.[A-Za-z0-9]{1,5}|[A-Z]{4,})");
      const bool personal = !std::regex_match(std::string(t), file_like) && !looks_like_commit_hash(t) &&
                            !is_irc_service(t) &&
                            (nick || looks_like_row_title(t, lists)) &&
                            (mode || !(lists && (lists->is_common(t) || lists->is_brand(t)))) && !is_list_time(t);
      entries[i] = {t, personal};
    }
    auto entry = [&](std::size_t i) { return entries[i]; };
    for (std::size_t a : single) {
      const BBox& la = ocr.lines[a].bbox;
      std::vector<std::size_t> column;
      for (std::size_t b : single) {
        const BBox& lb = ocr.lines[b].bbox;
        if (std::abs(la.x - lb.x) < 0.5 * la.h && std::abs(la.h - lb.h) < 0.35 * la.h) column.push_back(b);
      }
      if (column.size() < 5) continue;
      const auto personal = std::count_if(column.begin(), column.end(), [&](std::size_t i) { return entry(i).second; });
      if (personal < static_cast<long>(0.6 * static_cast<double>(column.size()))) continue;
      // A table's column repeats its values (sites, roles, states); a member list does not.
      std::vector<std::string> values;
      for (std::size_t i : column) values.emplace_back(entry(i).first);
      std::sort(values.begin(), values.end());
      const auto distinct = std::unique(values.begin(), values.end()) - values.begin();
      if (static_cast<double>(distinct) < 0.8 * static_cast<double>(column.size())) continue;
      if (!entry(a).second || std::any_of(spans[a].begin(), spans[a].end(), [](const PiiSpan& s) { return s.label == "name" || s.label == "username"; }))
        continue;
      auto [tb, te] = title_span(texts[a]);
      spans[a].push_back(PiiSpan{tb, te, looks_like_handle(entry(a).first) ? "username" : "name", 0.55, "ocr+layout"});
    }
  }
  // Pass 2: layout cues that need the neighbours' findings.
  const std::vector<bool> timestamps = list_time_lines(ocr);
  double page_h = 1;
  for (const auto& l : ocr.lines) page_h = std::max(page_h, l.bbox.bottom());
  // An authenticator's page (codes alone on their lines, or the app says so):
  // every code alone on a line is a secret, also 5-8 digits or Steam's 5 letters.
  static const std::regex otp_code(R"(\d{3} ?\d{3}|\d{5,8}|(?=[A-Z0-9]*[0-9])(?=[A-Z0-9]*[A-Z])[A-Z0-9]{5})");
  std::size_t spaced_codes = 0;
  bool authenticator_words = false;
  for (const auto& t : texts) {
    static const std::regex spaced_code(R"(\d{3} \d{3})");
    if (std::regex_match(t.text, spaced_code)) ++spaced_codes;
    const std::string low = normalise_text(t.text);
    authenticator_words |= low.find("authenticator") != std::string::npos || low.find("2fa") != std::string::npos ||
                           low.find("totp") != std::string::npos || low.find("one-time") != std::string::npos;
  }
  // A page about birthdays: its dates are dates of birth.
  const bool birthday_page = std::any_of(texts.begin(), texts.end(), [](const LineText& t) {
    const std::string low = normalise_text(t.text);
    for (const char* w : {"birthday", "geburtstag", "anniversaire", "cumpleanos", "cumpleaños", "compleanno", "verjaardag"})
      if (low.find(w) != std::string::npos) return true;
    return false;
  });
  if (birthday_page)
    for (std::size_t i = 0; i < n; ++i)
      if (!has_label(static_cast<int>(i), "date_of_birth"))
        for (auto& sp : find_birthdays(texts[i].text)) spans[i].push_back(sp);
  if (spaced_codes >= 2 || authenticator_words)
    for (std::size_t i = 0; i < n; ++i)
      if (std::regex_match(texts[i].text, otp_code) && !has_label(static_cast<int>(i), "secret"))
        spans[i].push_back(PiiSpan{0, texts[i].text.size(), "secret", 0.6, "ocr+layout"});
  // An authenticator's entries: a code in groups ("948 017", "6HV 2H", "bav tcd ft",
  // cut or hidden in part) printed far larger than the service and account
  // lines over it; two or more such entries make the page one. The account
  // between service and code is the user's.
  {
    static const std::regex grouped(R"([A-Za-z0-9/]{2,4}(?: [A-Za-z0-9/]{1,4}){1,2})");
    std::vector<std::size_t> codes;
    for (std::size_t i = 0; i < n; ++i) {
      const int up = above[i];
      if (up < 0 || !std::regex_match(texts[i].text, grouped)) continue;
      const BBox& l = ocr.lines[i].bbox;
      const BBox& a = ocr.lines[static_cast<std::size_t>(up)].bbox;
      // Code-like, not big prose cut into a line ("your cat", "sons 8 OF"): mostly
      // digits, or groups of one case that are no words.
      const std::string& t = texts[i].text;
      const auto digits = std::count_if(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
      const auto alnum = std::count_if(t.begin(), t.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
      const bool upper = std::none_of(t.begin(), t.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; });
      const bool lower_case = std::none_of(t.begin(), t.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; });
      const auto groups = split_whitespace(t);
      const bool words = std::any_of(groups.begin(), groups.end(), [&](const std::string& g) { return lists && lists->is_common(g); });
      const bool code = 5 * digits >= 2 * alnum || ((upper || lower_case) && !words);
      if (l.h >= 1.6 * a.h && code) codes.push_back(i);
    }
    if (codes.size() >= 2)
      for (std::size_t i : codes) {
        if (!has_label(static_cast<int>(i), "secret")) spans[i].push_back(PiiSpan{0, texts[i].text.size(), "secret", 0.6, "ocr+layout"});
        const int account = above[i];
        const std::string& who = texts[static_cast<std::size_t>(account)].text;
        if (above[static_cast<std::size_t>(account)] >= 0 && texts[static_cast<std::size_t>(account)].word_ranges.size() == 1 &&
            spans[static_cast<std::size_t>(account)].empty())
          spans[static_cast<std::size_t>(account)].push_back(PiiSpan{0, who.size(), "username", 0.6, "ocr+layout"});
      }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& text = texts[i].text;
    // A city/postcode line under a street line.
    if (has_label(above[i], "address") && !has_label(static_cast<int>(i), "address")) {
      for (auto& s : find_addresses(text, "", true)) spans[i].push_back(s);
    }
    // An address wrapped onto the next line by a narrow column ("69 Causewayhead,
    // Penzance TR18" / "2SR, UK"): found in the two lines joined, kept when it spans both.
    if (int below = line_below(ocr, i); below >= 0 && !has_label(static_cast<int>(i), "address") && !has_label(below, "address")) {
      const std::string& next = texts[static_cast<std::size_t>(below)].text;
      const std::string joined = text + " " + next;
      for (const auto& a : find_addresses(joined, "", false)) {
        if (a.score < 0.8 || a.begin >= text.size() || a.end <= text.size() + 1) continue;
        spans[i].push_back(PiiSpan{a.begin, text.size(), "address", a.score, "ocr+layout"});
        spans[static_cast<std::size_t>(below)].push_back(PiiSpan{0, std::min(next.size(), a.end - text.size() - 1), "address", a.score, "ocr+layout"});
        break;
      }
    }
    // An e-mail address wrapped onto the next line ("john.doe@exam" / "ple.com").
    if (int below = line_below(ocr, i); below >= 0 && !has_label(static_cast<int>(i), "email")) {
      // The head is no handle ("@ana@server") and no whole address; the tail is lower case ("ple.com", "m").
      static const std::regex head(R"((?:^|\s)([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9.-]*)$)");
      static const std::regex tail(R"(^([a-z0-9.-]+)(?:\s|$))");
      const std::string& next = texts[static_cast<std::size_t>(below)].text;
      std::smatch h, t;
      if (std::regex_search(text, h, head) && find_emails(h.str(1)).empty() && std::regex_search(next, t, tail)) {
        std::string joined = h.str(1) + t.str(1);
        // OCR may drop the dot that starts the tail ("noreply@testsite" / "com").
        static const std::regex tld(R"(com|org|net|edu|gov|io|de|fr|uk|nl|ch|at|it|es|ru|jp|cn|in|br|au|ca)");
        if (find_emails(joined).empty() && h.str(1).find('.', h.str(1).find('@')) == std::string::npos &&
            std::regex_match(t.str(1), tld))
          joined = h.str(1) + "." + t.str(1);
        auto whole = find_emails(joined);
        if (!whole.empty() && whole[0].begin == 0 && whole[0].end == joined.size()) {
          const std::size_t b = static_cast<std::size_t>(h.position(1));
          spans[i].push_back(PiiSpan{b, text.size(), "email", 0.8, "ocr+layout"});
          spans[static_cast<std::size_t>(below)].push_back(PiiSpan{0, t.str(1).size(), "email", 0.8, "ocr+layout"});
        }
      }
    }
    // A mail's signature: the line under a closing ("Best regards," / "Anna Berg").
    if (is_closing(text)) {
      const int below = line_below(ocr, i);
      if (below >= 0 && !has_label(below, "name")) {
        const LineText& sig = texts[static_cast<std::size_t>(below)];
        auto [sb, se] = title_span(sig);
        const std::string_view who = std::string_view(sig.text).substr(sb, se - sb);
        if (se > sb && looks_like_row_title(who, lists) && line_context(sig.text).label.empty())
          spans[static_cast<std::size_t>(below)].push_back(PiiSpan{sb, se, looks_like_handle(who) ? "username" : "name", 0.7, "ocr+layout"});
      }
    }
    // A display name before the handle ("Garima Jain @ragdroid", social posts and profiles).
    for (const auto& h : std::vector<PiiSpan>(spans[i])) {
      if (h.label != "username" || h.source != "ocr+regex" || h.begin < 2 || text[h.begin] != '@') continue;
      std::size_t e = h.begin;
      while (e > 0 && text[e - 1] == ' ') --e;
      const std::string_view before = std::string_view(text).substr(0, e);
      if (!looks_like_display_name(before, lists)) continue;
      const bool covered = std::any_of(spans[i].begin(), spans[i].end(), [&](const PiiSpan& s) { return s.begin < e && s.end > 0 && &s != &h && s.label != "username"; });
      if (!covered) spans[i].push_back(PiiSpan{0, e, "name", 0.6, "ocr+layout"});
    }
    // A list row's title (1-3 name- or handle-like words) over a phone,
    // e-mail, handle or "Mobile" (contact rows, senders, posts), or beside a
    // timestamp (chat and inbox rows): a name or handle.
    // Beside an avatar, too (contact, chat and account rows).
    bool has_name = has_label(static_cast<int>(i), "name") || has_label(static_cast<int>(i), "username");
    auto [tb, te] = title_span(texts[i]);
    const std::string_view title = std::string_view(text).substr(tb, te - tb);
    if (!has_name && te > tb && looks_like_row_title(title, lists) && line_context(text).label.empty()) {
      int below = line_below(ocr, i);
      bool cue = below >= 0 && (has_label(below, "phone") || has_label(below, "email") ||
                                has_label(below, "username") ||
                                is_contact_kind(texts[static_cast<std::size_t>(below)].text));
      cue = cue || time_on_row(ocr, i, timestamps) || beside_avatar(ocr, texts[i], i, avatars) ||
            app_bar_title(ocr, texts, i, page_h) || header_over_body(ocr, texts, i, title, lists, code_hosting);
      if (cue) spans[i].push_back(PiiSpan{tb, te, looks_like_handle(title) ? "username" : "name", 0.6, "ocr+layout"});
    }
  }
  for (const auto& sp : transcript_senders(ocr, texts, lists)) {
    const std::string_view who = std::string_view(texts[sp.line].text).substr(sp.begin, sp.end - sp.begin);
    spans[sp.line].push_back(PiiSpan{sp.begin, sp.end, looks_like_handle(who) ? "username" : "name", 0.65, "ocr+layout"});
  }
  // A table column under a person header ("Contact", "Assigned to", "Owner"):
  // its short values, left-aligned under it down to a wide gap, are people's
  // names or accounts (helpdesk, CRM and admin tables).
  {
    static const std::vector<std::string> person_headers = {
        "contact", "contacts", "contact name", "assignee", "assigned to", "assigned", "owner", "customer", "client",
        "sender", "author", "created by", "reporter", "requester", "raised by", "user", "username",
        "member", "members", "participant", "participants", "person", "employee", "agent", "full name",
        "display name", "recipient", "attendee", "attendees", "guest", "guests", "payer", "paid by", "lead"};
    for (std::size_t h = 0; h < n; ++h) {
      std::string head = normalise_text(texts[h].text);
      while (!head.empty() && (head.back() == ':' || head.back() == ' ')) head.pop_back();
      if (std::find(person_headers.begin(), person_headers.end(), head) == person_headers.end()) continue;
      const BBox& hb = ocr.lines[h].bbox;
      std::vector<std::size_t> below;
      for (std::size_t j = 0; j < n; ++j) {
        if (j == h || texts[j].word_ranges.empty()) continue;
        const BBox& first = first_word_box(ocr, texts, j);
        if (first.y > hb.y + 0.5 * hb.h && std::abs(first.x - hb.x) < 1.5 * hb.h) below.push_back(j);
      }
      std::sort(below.begin(), below.end(), [&](std::size_t a, std::size_t b) { return ocr.lines[a].bbox.y < ocr.lines[b].bbox.y; });
      double bottom = hb.bottom();
      std::vector<PiiSpan> column(n);  // at most one per line; kept for a table of two or more
      std::size_t values = 0;
      for (std::size_t j : below) {
        const BBox& l = ocr.lines[j].bbox;
        if (l.y - bottom > 6 * hb.h) break;
        bottom = std::max(bottom, l.bottom());
        const auto [tb, te] = title_span(texts[j]);
        if (te <= tb || texts[j].word_ranges.size() > 3 || has_label(static_cast<int>(j), "name") || has_label(static_cast<int>(j), "username"))
          continue;
        const std::string_view value = std::string_view(texts[j].text).substr(tb, te - tb);
        // A person's value, not a form's next label ("Last Name", "IBAN"), a path or a hash.
        const bool shaped = looks_like_row_title(value, lists) || (looks_like_handle(value) && value.find(' ') == std::string_view::npos);
        const bool other = value.find_first_of("/():[]") != std::string_view::npos || looks_like_commit_hash(value) ||
                           normalise_text(value).find("name") != std::string::npos;
        if (all_plain_words(value, lists) || !shaped || other || letter_count(value) < 2 || is_list_time(value)) continue;
        column[j] = PiiSpan{tb, te, looks_like_handle(value) ? "username" : "name", 0.7, "ocr+layout"};
        ++values;
      }
      if (values < 2) continue;
      for (std::size_t j = 0; j < n; ++j)
        if (column[j].end > column[j].begin) spans[j].push_back(column[j]);
    }
  }
  // A column of rows beside avatars (a member, contact or participant list)
  // whose rows are mostly names already: the others are names too ("Ash",
  // "Bishop" are words, "8th passenger" has no name's shape), and the whole
  // column is sure enough to be marked wherever it recurs on the page.
  {
    struct Row {
      std::size_t line;
      double x, h;
      bool named;
    };
    std::vector<Row> rows;
    for (std::size_t i = 0; i < n; ++i) {
      const auto [tb, te] = title_span(texts[i]);
      if (te <= tb || texts[i].word_ranges.size() > 3 || !beside_avatar(ocr, texts[i], i, avatars)) continue;
      const BBox& first = first_word_box(ocr, texts, i);
      bool named = false;
      for (const auto& sp : spans[i])
        named |= (sp.label == "name" || sp.label == "username") && sp.end - sp.begin >= (te - tb) * 8 / 10;
      rows.push_back({i, first.x, first.h, named});
    }
    std::vector<bool> done(rows.size(), false);
    for (std::size_t a = 0; a < rows.size(); ++a) {
      if (done[a]) continue;
      std::vector<std::size_t> column;
      for (std::size_t b = a; b < rows.size(); ++b)
        if (!done[b] && std::abs(rows[b].x - rows[a].x) < 0.5 * rows[a].h && std::abs(rows[b].h - rows[a].h) < 0.35 * rows[a].h)
          column.push_back(b);
      for (std::size_t b : column) done[b] = true;
      const auto named = std::count_if(column.begin(), column.end(), [&](std::size_t b) { return rows[b].named; });
      if (column.size() < 3 || named < 2 || 2 * named < static_cast<long>(column.size())) continue;
      for (std::size_t b : column) {
        const std::size_t i = rows[b].line;
        // A row's second line (a mail's subject under its sender, level with the avatar) is no entry.
        const int up = above[i];
        if (!rows[b].named && up >= 0 && !texts[static_cast<std::size_t>(up)].word_ranges.empty() &&
            first_word_box(ocr, texts, i).y - first_word_box(ocr, texts, static_cast<std::size_t>(up)).bottom() < rows[b].h &&
            std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.line == static_cast<std::size_t>(up); }))
          continue;
        const auto [tb, te] = title_span(texts[i]);
        const std::string_view title = std::string_view(texts[i].text).substr(tb, te - tb);
        const char last = title.back();
        if (letter_count(title) < 2 || last == '!' || last == '?' || title.find(':') != std::string_view::npos || is_list_time(title))
          continue;
        // Not a folder, a group or a company in the same list ("Direct Messages",
        // "Friday party", "Netflix inc."): several plain words, or a brand.
        const auto words = split_whitespace(title);
        const bool plain = words.size() >= 2 && all_plain_words(title, lists);
        const bool brand = std::any_of(words.begin(), words.end(), [&](const std::string& w) { return lists && lists->is_brand(w); });
        if (plain || brand) continue;
        spans[i].push_back(PiiSpan{tb, te, looks_like_handle(title) ? "username" : "name", 0.7, "ocr+layout"});
      }
    }
  }
  return rp;
}

std::vector<std::vector<float>> rule_line_features(const OcrResult& ocr, const RulePass& rp, const NameLists* lists) {
  const std::size_t n = ocr.lines.size();
  std::vector<float> coverage(n, 0.0f);
  std::vector<bool> below_contact(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<bool> covered(rp.texts[i].text.size(), false);
    for (const auto& s : rp.spans[i])
      for (std::size_t k = s.begin; k < std::min(s.end, covered.size()); ++k) covered[k] = true;
    if (!covered.empty())
      coverage[i] = static_cast<float>(std::count(covered.begin(), covered.end(), true)) / static_cast<float>(covered.size());
    if (int below = line_below(ocr, i); below >= 0)
      for (const auto& s : rp.spans[static_cast<std::size_t>(below)])
        if (s.label == "phone" || s.label == "email" || s.label == "username") below_contact[i] = true;
  }
  return line_features(ocr, lists, coverage, below_contact);
}

}  // namespace

std::vector<std::vector<float>> page_line_features(const OcrResult& ocr, const PiiOptions& options) {
  const NameLists* lists = options.use_name_lists ? &NameLists::shipped() : nullptr;
  return rule_line_features(ocr, rule_pass(ocr, lists), lists);
}

std::vector<PiiFinding> find_pii(const OcrResult& ocr, const PiiOptions& options, const std::vector<BBox>& avatars) {
  const NameLists* lists = options.use_name_lists ? &NameLists::shipped() : nullptr;
  const std::size_t n = ocr.lines.size();
  RulePass rp = rule_pass(ocr, lists, avatars);
  // Pass 3: the learned line classifier, for names and handles that no rule knows.
  if (const LineClassifier* classifier = options.line_classifier) {
    const double threshold = options.line_threshold >= 0 ? options.line_threshold : classifier->threshold;
    auto features = rule_line_features(ocr, rp, lists);
    for (std::size_t i = 0; i < n; ++i) {
      const double p = classifier->probability(features[i]);
      // Line numbers and scores only, never the text.
      log::debug("line " + std::to_string(i) + ": classifier p=" + std::to_string(p));
      if (p < threshold) continue;
      auto [b, e] = title_span(rp.texts[i]);
      if (e <= b) continue;
      std::string_view value = std::string_view(rp.texts[i].text).substr(b, e - b);
      rp.spans[i].push_back(PiiSpan{b, e, looks_like_handle(value) ? "username" : "name", 0.5 * p, "ocr+classifier"});
    }
  }
  // A person's name or handle found once is theirs wherever it recurs on the
  // page (a sender mentioned in messages, a contact named again in a header).
  {
    std::vector<std::pair<std::string, std::string>> known;  // text, label
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& s : rp.spans[i]) {
        if (s.label != "name" && s.label != "username") continue;
        // Only what a rule is sure of: a handle, a listed or labelled name, a
        // chat sender; a row's title from layout alone may be the app's name.
        if ((s.source == "ocr+layout" || s.source == "ocr+classifier") && s.score < 0.65) continue;
        std::string v = rp.texts[i].text.substr(s.begin, s.end - s.begin);
        // An "@handle" is found by its own rule wherever it is written so; bare, the
        // word is often the app's or a site's name ("tooot", "@tooot" its account).
        if (!v.empty() && v[0] == '@') continue;
        if (utf8_length(v) < 3 || (lists && lists->is_common(v)) || (lists && lists->is_brand(v))) continue;
        if (std::none_of(known.begin(), known.end(), [&](const auto& k) { return k.first == v; })) known.push_back({v, s.label});
      }
    auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80; };
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& text = rp.texts[i].text;
      for (const auto& [v, label] : known)
        for (std::size_t at = text.find(v); at != std::string::npos; at = text.find(v, at + 1)) {
          const std::size_t e = at + v.size();
          if ((at > 0 && word_char(text[at - 1])) || (e < text.size() && word_char(text[e]))) continue;
          const bool covered = std::any_of(rp.spans[i].begin(), rp.spans[i].end(),
                                           [&](const PiiSpan& s) { return s.begin < e && at < s.end; });
          if (!covered) rp.spans[i].push_back(PiiSpan{at, e, label, 0.5, "ocr+repeat"});
        }
    }
    // OCR reads the same name differently where it recurs ("Shariq" / "Sharig",
    // "Weyland" / "weyland"): a run of as many words within one edit of a known
    // value of 6+ letters (two edits from 10) is that value too.
    struct Fuzzy {
      std::u32string want;
      std::size_t words, allowed;
    };
    std::vector<Fuzzy> fuzzy;  // per known value, computed once for every line
    for (const auto& [v, label] : known) {
      std::u32string want = utf8_to_u32(normalise_text(v));
      const std::size_t allowed = want.size() >= 10 ? 2 : 1;
      fuzzy.push_back({std::move(want), split_whitespace(v).size(), allowed});
    }
    for (std::size_t i = 0; i < n; ++i) {
      const LineText& t = rp.texts[i];
      for (std::size_t k = 0; k < known.size(); ++k) {
        const auto& [v, label] = known[k];
        const auto& [want, words, allowed] = fuzzy[k];
        if (want.size() < 6) continue;
        for (std::size_t w = t.first_word; w + words <= t.word_ranges.size(); ++w) {
          std::size_t b = t.word_ranges[w].first, e = t.word_ranges[w + words - 1].second;
          // Brackets and commas around a name in a sentence ("(Peter Weyland)").
          while (b < e && std::string_view("([\"'<").find(t.text[b]) != std::string_view::npos) ++b;
          while (e > b && std::string_view(")]\"'>,.;:!?").find(t.text[e - 1]) != std::string_view::npos) --e;
          if (e <= b || std::isalpha(static_cast<unsigned char>(t.text[b])) == 0) continue;
          // A name stays capitalised however OCR misreads the rest.
          if (std::isupper(static_cast<unsigned char>(v[0])) && !std::isupper(static_cast<unsigned char>(t.text[b]))) continue;
          const std::u32string got = utf8_to_u32(normalise_text(std::string_view(t.text).substr(b, e - b)));
          const std::size_t longer = std::max(got.size(), want.size()), shorter = std::min(got.size(), want.size());
          if (longer - shorter > allowed || levenshtein(got, want) > allowed) continue;
          const std::string_view seen = std::string_view(t.text).substr(b, e - b);
          if (lists && (lists->is_common(seen) || lists->is_brand(seen))) continue;
          const bool covered = std::any_of(rp.spans[i].begin(), rp.spans[i].end(),
                                           [&](const PiiSpan& s) { return s.begin < e && b < s.end; });
          if (!covered) rp.spans[i].push_back(PiiSpan{b, e, label, 0.5, "ocr+repeat"});
        }
      }
    }
  }
  std::vector<PiiFinding> out;
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& s : resolve_overlaps(std::move(rp.spans[i]))) {
      if (!label_enabled(options, s.label)) continue;
      PiiFinding f = to_finding(ocr, i, rp.texts[i], s);
      // A short fragment that OCR doubts ("wre", "a7" read from an icon or a
      // cut word) is no name on layout evidence alone.
      const bool layout_only = f.source == "ocr+layout" || f.source == "ocr+classifier";
      // Nor is a word OCR could hardly read at all (an avatar's big initials read as "Ceamis").
      auto min_conf = [&] {
        float c = 100;
        for (int w : f.words) c = std::min(c, ocr.words[static_cast<std::size_t>(w)].conf);
        return c;
      };
      if (layout_only && (f.label == "name" || f.label == "username") &&
          (min_conf() < 10 || (utf8_length(f.text) <= 4 && min_conf() < 70)))
        continue;
      // OCR may read a line twice (the page layout and dtap's lines): one finding per place.
      auto same_place = std::find_if(out.begin(), out.end(), [&](const PiiFinding& o) {
        return iou(o.bbox, f.bbox) >= 0.5 && text_similarity(o.text, f.text) >= 0.8;
      });
      if (same_place != out.end()) {
        if (f.score > same_place->score) *same_place = std::move(f);
        continue;
      }
      out.push_back(std::move(f));
    }
  return out;
}

// ---------------------------------------------------------------- line features

const std::vector<std::string>& line_feature_names() {
  static const std::vector<std::string> names = {
      "tokens_1", "tokens_2", "tokens_3", "tokens_4_6", "tokens_many", "capitalised_share", "all_lower",
      "has_digit", "has_at", "underscore_or_camel", "listed_first", "listed_last", "common_word_share",
      "ends_colon", "length", "height_ratio", "has_line_below", "below_height_ratio", "time_on_row",
      "x_share", "in_app_bar", "list_repeats", "below_has_contact", "rule_coverage", "mean_word_length",
      "non_ascii", "only_common_words", "sentence_punct", "name_label_above", "label_line"};
  return names;
}

std::vector<std::vector<float>> line_features(const OcrResult& ocr, const NameLists* lists,
                                              const std::vector<float>& finding_coverage,
                                              const std::vector<bool>& below_has_contact) {
  const std::size_t n = ocr.lines.size();
  std::vector<std::vector<float>> out(n);
  if (n == 0) return out;
  std::vector<double> heights;
  double page_w = 1, page_h = 1;
  for (const auto& l : ocr.lines) {
    heights.push_back(l.bbox.h);
    page_w = std::max(page_w, l.bbox.right());
    page_h = std::max(page_h, l.bbox.bottom());
  }
  std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
  const double median_h = std::max(1.0, heights[heights.size() / 2]);
  const std::vector<bool> timestamps = list_time_lines(ocr);
  auto is_lower_word = [](const std::string& w) {
    return std::none_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  };
  for (std::size_t i = 0; i < n; ++i) {
    const OcrLine& line = ocr.lines[i];
    std::string text;
    for (int w : line.words) text += (text.empty() ? "" : " ") + ocr.words[static_cast<std::size_t>(w)].text;
    const auto toks = split_whitespace(text);
    const double t = static_cast<double>(toks.size());
    std::size_t capitalised = 0, common = 0, letters_words = 0, first = 0, last = 0, chars = 0;
    bool digit = false, at = false, camel = false, non_ascii = false, sentence = false;
    for (const auto& w : toks) {
      std::string core = w;
      while (!core.empty() && std::string_view(".,:;!?()\"'").find(core.back()) != std::string_view::npos) core.pop_back();
      while (!core.empty() && std::string_view("(\"'").find(core.front()) != std::string_view::npos) core.erase(0, 1);
      chars += w.size();
      if (!core.empty() && std::isupper(static_cast<unsigned char>(core[0]))) ++capitalised;
      for (std::size_t k = 0; k < w.size(); ++k) {
        unsigned char c = static_cast<unsigned char>(w[k]);
        digit |= std::isdigit(c) != 0;
        at |= c == '@';
        camel |= c == '_' || (k > 0 && std::isupper(c) && std::islower(static_cast<unsigned char>(w[k - 1])));
        non_ascii |= c >= 0x80;
        sentence |= c == '!' || c == '?' || c == ';' || (c == ',' && k + 1 < w.size());
      }
      if (std::any_of(core.begin(), core.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        ++letters_words;
        if (lists && lists->is_common(core)) ++common;
        if (lists && lists->is_first(core) && !lists->is_common(core)) ++first;
        if (lists && lists->is_last(core) && !lists->is_common(core)) ++last;
      }
    }
    // Layout: the line below, a timestamp on the same row, repeated rows.
    const int below = line_below(ocr, i);
    const bool row_time = (!toks.empty() && is_list_time(toks.back())) || time_on_row(ocr, i, timestamps);
    std::size_t repeats = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const BBox &a = line.bbox, &b = ocr.lines[j].bbox;
      if (j != i && std::abs(a.x - b.x) < 0.5 * a.h && std::abs(a.h - b.h) < 0.25 * a.h && std::abs(a.cy() - b.cy()) > 2 * a.h)
        ++repeats;
    }
    bool name_label_above = false;
    if (int above = line_above(ocr, i); above >= 0) {
      LineContext c = line_context(ocr.lines[static_cast<std::size_t>(above)].text);
      name_label_above = c.whole_line_label && (c.label == "name" || c.label == "username");
    }
    LineContext own = line_context(text);
    const double lw = std::max(1.0, double(letters_words));
    std::vector<float> f = {
        float(toks.size() == 1), float(toks.size() == 2), float(toks.size() == 3),
        float(toks.size() >= 4 && toks.size() <= 6), float(toks.size() > 6),
        float(t > 0 ? capitalised / t : 0), float(!text.empty() && is_lower_word(text)),
        float(digit), float(at), float(camel), float(first > 0), float(last > 0), float(common / lw),
        float(!text.empty() && text.back() == ':'), float(std::min(2.0, chars / 30.0)),
        float(std::min(3.0, line.bbox.h / median_h)), float(below >= 0),
        float(below >= 0 ? std::min(2.0, ocr.lines[static_cast<std::size_t>(below)].bbox.h / std::max(1.0, line.bbox.h)) : 0),
        float(row_time), float(line.bbox.x / page_w), float(line.bbox.cy() < 0.12 * page_h),
        float(std::min<std::size_t>(repeats, 5) / 5.0), float(i < below_has_contact.size() && below_has_contact[i]),
        float(i < finding_coverage.size() ? finding_coverage[i] : 0), float(std::min(2.0, chars / std::max(1.0, t) / 10.0)),
        float(non_ascii), float(letters_words > 0 && common == letters_words), float(sentence), float(name_label_above),
        float(!own.label.empty())};
    out[i] = std::move(f);
  }
  return out;
}

// ---------------------------------------------------------------- scoring

void PiiScore::add(const Json& truth_pii, const Json& found_pii, double min_iou, double min_similarity,
                   bool same_label) {
  struct Item {
    std::string label, text;
    std::optional<BBox> box;  // hand-labelled truth may give the value without a box
    bool matched = false;
  };
  auto items = [](const Json& spans) {
    std::vector<Item> out;
    if (!spans.is_array()) return out;
    for (const auto& s : spans) {
      if (!s.is_object() || !s.contains("label") || !s.contains("text") || !s["text"].is_string()) continue;
      auto box = s.contains("bbox") ? BBox::from_json(s["bbox"]) : std::nullopt;
      out.push_back({s["label"].get<std::string>(), s["text"].get<std::string>(), box, false});
    }
    return out;
  };
  std::vector<Item> truth = items(truth_pii), found = items(found_pii);
  // Greedy: the best pairs first (by IoU where the truth has a box, else by
  // text similarity), each item used once.
  struct Pair {
    std::size_t t, f;
    double rank;
  };
  std::vector<Pair> pairs;
  for (std::size_t t = 0; t < truth.size(); ++t)
    for (std::size_t f = 0; f < found.size(); ++f) {
      if (same_label && truth[t].label != found[f].label) continue;
      double sim = text_similarity(truth[t].text, found[f].text);
      if (sim < min_similarity) continue;
      if (!truth[t].box) {
        pairs.push_back({t, f, sim});
        continue;
      }
      double o = found[f].box ? iou(*truth[t].box, *found[f].box) : 0.0;
      if (o >= min_iou) pairs.push_back({t, f, 1 + o});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.rank > b.rank; });
  for (const auto& p : pairs) {
    if (truth[p.t].matched || found[p.f].matched) continue;
    truth[p.t].matched = found[p.f].matched = true;
  }
  auto counts_for = [&](const std::string& label) -> Counts& {
    for (auto& [l, c] : per_label)
      if (l == label) return c;
    per_label.push_back({label, Counts{}});
    return per_label.back().second;
  };
  for (const auto& t : truth) {
    Counts& c = counts_for(t.label);
    ++c.truth;
    ++overall.truth;
    if (t.matched) {
      ++c.matched_truth;
      ++overall.matched_truth;
    }
  }
  for (const auto& f : found) {
    Counts& c = counts_for(f.label);
    ++c.found;
    ++overall.found;
    if (f.matched) {
      ++c.matched_found;
      ++overall.matched_found;
    }
  }
  // Keep the labels in DESIGN.md's order.
  const auto& order = pii_labels();
  std::stable_sort(per_label.begin(), per_label.end(), [&](const auto& a, const auto& b) {
    return std::find(order.begin(), order.end(), a.first) < std::find(order.begin(), order.end(), b.first);
  });
}

Json PiiScore::to_json() const {
  auto row = [](const Counts& c) {
    auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
    return Json{{"truth", c.truth},       {"found", c.found},          {"matched_truth", c.matched_truth},
                {"matched_found", c.matched_found}, {"recall", r3(c.recall())}, {"precision", r3(c.precision())}};
  };
  Json labels = Json::object();
  for (const auto& [l, c] : per_label) labels[l] = row(c);
  return Json{{"labels", labels}, {"overall", row(overall)}};
}

}  // namespace dtap
