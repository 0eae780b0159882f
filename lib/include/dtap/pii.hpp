// PII recognisers over OCR lines (dtap-annotate), and the scoring of findings
// against true spans (bench/annotate-quality.sh).
//
// Each recogniser is a separate function over one OCR line that returns
// character spans of that line; `find_pii` runs them all, adds context from
// the line itself and from the label line above ("Email" over the value),
// resolves overlaps and maps spans back to the OCR words' boxes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dtap/ocr.hpp"
#include "dtap/record.hpp"

namespace dtap {

// A PII value found on one line: [begin, end) are byte offsets into the line text.
struct PiiSpan {
  std::size_t begin = 0, end = 0;
  std::string label;
  double score = 0;
  std::string source;  // "ocr+regex", "ocr+namelist", "ocr+context", "ocr+layout"
};

// What the line says about the values on it or below it ("Email", "Phone:",
// "Date of birth", "Hi"...): the PII label it announces, or "" for none.
struct LineContext {
  std::string label;          // expected PII label of the value
  std::size_t value_begin = 0;  // where the value starts on the same line (after "Email:")
  bool whole_line_label = false;  // the line is only a label (label over value)
};
LineContext line_context(std::string_view line);

// The recognisers. Each returns spans of `line`; `context` is the label that
// the line's own prefix or the line above announces ("" for none).
std::vector<PiiSpan> find_emails(std::string_view line);
std::vector<PiiSpan> find_phones(std::string_view line, const std::string& context = "");
std::vector<PiiSpan> find_ips(std::string_view line);
std::vector<PiiSpan> find_cards(std::string_view line, const std::string& context = "");
std::vector<PiiSpan> find_ibans(std::string_view line, const std::string& context = "");
std::vector<PiiSpan> find_dates_of_birth(std::string_view line, const std::string& context);
// Dates on a page about birthdays (a birthday list, a contact's card): also
// without a year ("May 12", "12/05").
std::vector<PiiSpan> find_birthdays(std::string_view line);
std::vector<PiiSpan> find_id_numbers(std::string_view line, const std::string& context);
std::vector<PiiSpan> find_url_tokens(std::string_view line);
// Links to a person's profile or site ("github.com/ana", "ana.tumblr.com"): label "other".
std::vector<PiiSpan> find_profile_links(std::string_view line);
// Handles: "@ana.li", fediverse "@ana@social.example", Matrix "@ana:matrix.org",
// chat channels ("#general" as a whole line), and with `code_hosting` (a
// code-hosting page: "Pull requests", "Repositories"...) "owner/repo" names.
std::vector<PiiSpan> find_usernames(std::string_view line, const std::string& context = "",
                                    bool code_hosting = false);
// Secrets: vendor-prefixed keys (sk-, ghp_, AKIA, xox., AIza, glpat-...), JWTs,
// long high-entropy tokens, recovery codes, the value after "Password",
// "API key", "Token"... and a one-time code alone on a line ("123 456").
std::vector<PiiSpan> find_secrets(std::string_view line, const std::string& context = "");
// Accounts on terminal and code-hosting screens: "user@host" in a prompt or
// after ssh, a home folder's name ("/home/alice", "C:\\Users\\jsmith"), the
// owner and group of an "ls -l" line, a pull request's source owner.
std::vector<PiiSpan> find_shell_users(std::string_view line);
// Whether a page's words are those of a code-hosting site (owner/repo names are handles there).
bool looks_like_code_hosting(const std::vector<std::string>& line_texts);
// Street lines ("1427 Oak Street, Apt 3B") and city/postcode lines
// ("Portland, OR 97205", "London SW1A 1AA", "10115 Berlin").
// `after_street` says the line above is a street line, which admits looser
// city lines.
// "Town, Region[, Country]", "Town, Country" with a gazetteer of countries and
// their subdivisions (share/dtap/pii/regions.txt): a place the user was at.
std::vector<PiiSpan> find_places(std::string_view line);
std::vector<PiiSpan> find_addresses(std::string_view line, const std::string& context = "",
                                    bool after_street = false);

// Person names. With name lists: a listed first name followed by a capitalised
// word, a listed first name after a greeting ("Hi", "Thanks"), or a line that
// is a listed name. Without lists (or for names not on them): the value after
// a name context ("Name", "Guest", "Recipient"...).
struct NameLists {
  std::vector<std::string> first, last;  // lower case, sorted
  // Lower-case dictionary words ("mark", "grace", "page"): a listed name that
  // is also a word needs a listed surname beside it.
  std::vector<std::string> common;
  // Lower-case names of apps, services and companies ("github", "steam"): row
  // titles of account lists that are not people.
  std::vector<std::string> brands;
  // Lower-case names of unknown role from a large census and social-media list
  // (names/detector-extra.txt): accepted only as the surname after a capitalised word.
  std::vector<std::string> extra;
  bool is_first(std::string_view word) const;
  bool is_last(std::string_view word) const;
  bool is_surname(std::string_view word) const { return is_last(word) || is_extra(word); }
  bool is_extra(std::string_view word) const;
  bool is_common(std::string_view word) const;
  bool is_brand(std::string_view word) const;
  // A dictionary word that is no listed first name ("page", not "mark"):
  // plain text rather than a person's.
  bool is_plain_word(std::string_view word) const { return is_common(word) && !is_first(word); }
  bool empty() const { return first.empty() && last.empty(); }
  // share/dtap/pii: first_names.txt, last_names.txt, names/detector-*.txt
  // (never names/heldout-*.txt), common_words.txt and brands.txt (loaded once).
  static const NameLists& shipped();
};
std::vector<PiiSpan> find_names(std::string_view line, const std::string& context, const NameLists* lists);

// Whether `line` is a run of 2-3 capitalised alphabetic words (a contact or
// sender row, a chat title) - used with layout cues when no list knows the name.
bool looks_like_person_name(std::string_view line);
// A list row's title that may be a person's name or handle: 1-3 words that
// are capitalised, initials or handle-shaped, not all dictionary words
// ("Wotan", "Marco B.", "rx8geek", "alice"). Used with layout cues.
bool looks_like_row_title(std::string_view line, const NameLists* lists);
// A short or full commit hash ("832fe28825"): 7-40 lower-case hex digits with
// a digit and a letter. A history column's entry, no one's name or handle.
bool looks_like_commit_hash(std::string_view word);
// An IRC network's service ("ChanServ", "NickServ", "@MemoServ"): listed
// among a channel's members and mentioned in chats, but no one's nick.
bool is_irc_service(std::string_view word);
// Whether a name-like value is a handle rather than a person's name: digits,
// '_', '@', camelCase, or one all-lower-case word ("rx8geek", "TheRealLinga", "alice").
bool looks_like_handle(std::string_view value);
// Names and handles in activity and chat phrasing: "Ana Lopez boosted your
// post", "Grimgerde joined the room", "Brünnhilde: Hojotoho!" (a sender),
// "Voice message from bob", "Meeting with Alice".
std::vector<PiiSpan> find_actors(std::string_view line, const NameLists* lists);

class LineClassifier;

struct PiiOptions {
  bool use_name_lists = true;      // off: names only from context and layout
  std::vector<std::string> labels;  // only these labels (empty = all)
  // The learned row-title classifier (pii_lines.hpp); nullptr = rules only.
  const LineClassifier* line_classifier = nullptr;
  double line_threshold = -1;       // < 0: the classifier's own threshold
};

struct PiiFinding {
  std::string label, text;
  BBox bbox;  // union of its OCR words' boxes (cut to the characters when a word holds more)
  double score = 0;
  std::string source;
  int line = -1;           // OcrResult line
  std::vector<int> words;  // OcrResult words it covers
  Json to_json() const;    // {"label","text","bbox","score","source"}
};

// How many words at the start of an OCR line are an icon or avatar read as
// text ("®@ David", "a) Siegrune": short, doubtful words, taller than the text
// or set apart from it); `taller` says the icon stands taller than the text.
std::size_t leading_icon_words(const OcrResult& ocr, const OcrLine& line, bool* taller = nullptr);
// Avatars (filled square or round pictures, 1.4-5x the text height) just left
// of an OCR line and level with it: the layout of contact, chat and account
// rows, where the line beside is a person's name or handle.
std::vector<BBox> detect_avatars(const cv::Mat& bgr, const OcrResult& ocr);

// Every finding on a page, in reading order of the OCR lines. `avatars`:
// from detect_avatars (none: only the icons that OCR read as text count).
std::vector<PiiFinding> find_pii(const OcrResult& ocr, const PiiOptions& options = {},
                                 const std::vector<BBox>& avatars = {});
// The line classifier's features for every OCR line of the page, computed as
// find_pii computes them (for training: dtap-train pii-lines).
std::vector<std::vector<float>> page_line_features(const OcrResult& ocr, const PiiOptions& options = {});

// Scoring findings against true spans (bench/annotate-quality.sh): a finding
// matches a true span of the same label when the normalised texts have
// similarity >= min_similarity and, where the true span has a bbox, IoU >=
// min_iou; each span is matched at most once.
struct PiiScore {
  struct Counts {
    std::size_t truth = 0, found = 0, matched_truth = 0, matched_found = 0;
    double recall() const { return truth ? double(matched_truth) / double(truth) : 1.0; }
    double precision() const { return found ? double(matched_found) / double(found) : 1.0; }
  };
  std::vector<std::pair<std::string, Counts>> per_label;  // in pii_labels() order, labels seen only
  Counts overall;
  // `same_label` false: a finding matches a true span whatever its label (the
  // protection hides every found box alike); per-label rows still count the
  // truth by its label and the findings by theirs.
  void add(const Json& truth_pii, const Json& found_pii, double min_iou = 0.3, double min_similarity = 0.8,
           bool same_label = true);
  Json to_json() const;
};

}  // namespace dtap
