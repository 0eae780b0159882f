// find_pii: runs the recognisers over a page's OCR lines with context from the
// line itself and the label line above, resolves overlaps, maps spans to boxes.
// Also the scoring of findings against true spans.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "dtap/pii.hpp"
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
      {"email", 12}, {"url_token", 11}, {"secret", 10}, {"iban", 9}, {"card", 8}, {"ip", 7},
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
  std::vector<std::pair<std::size_t, std::size_t>> word_ranges;  // byte ranges of each word
};

LineText line_text(const OcrResult& ocr, const OcrLine& line) {
  LineText lt;
  for (int w : line.words) {
    if (!lt.text.empty()) lt.text += ' ';
    std::size_t b = lt.text.size();
    lt.text += ocr.words[static_cast<std::size_t>(w)].text;
    lt.word_ranges.push_back({b, lt.text.size()});
  }
  return lt;
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
  add(find_ibans(value, context), vb);
  add(find_cards(value, context), vb);
  add(find_ips(text), 0);
  add(find_dates_of_birth(value, context), vb);
  add(find_phones(text, context), 0);
  add(find_id_numbers(value, context), vb);
  add(find_addresses(value, context, after_street), vb);
  add(find_usernames(value, context, code_hosting), vb);
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
    int w = line.words[k];
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

}  // namespace

std::vector<PiiFinding> find_pii(const OcrResult& ocr, const PiiOptions& options) {
  const NameLists* lists = options.use_name_lists ? &NameLists::shipped() : nullptr;
  const std::size_t n = ocr.lines.size();
  std::vector<LineText> texts(n);
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
  std::vector<std::vector<PiiSpan>> spans(n);
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
  // Pass 2: layout cues that need the neighbours' findings.
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& text = texts[i].text;
    // A city/postcode line under a street line.
    if (has_label(above[i], "address") && !has_label(static_cast<int>(i), "address")) {
      for (auto& s : find_addresses(text, "", true)) spans[i].push_back(s);
    }
    // A capitalised two/three-word line over a phone, e-mail, handle or "Mobile"
    // (contact rows, senders, posts), or beside a time (inbox rows): a name.
    bool has_name = has_label(static_cast<int>(i), "name");
    if (!has_name && looks_like_person_name(text) && line_context(text).label.empty()) {
      int below = line_below(ocr, i);
      bool cue = below >= 0 && (has_label(below, "phone") || has_label(below, "email") ||
                                has_label(below, "username") ||
                                is_contact_kind(texts[static_cast<std::size_t>(below)].text));
      for (std::size_t j = 0; j < n && !cue; ++j) {
        const BBox &a = ocr.lines[i].bbox, &b = ocr.lines[j].bbox;
        cue = j != i && is_time(texts[j].text) && std::abs(a.cy() - b.cy()) < 0.6 * std::max(a.h, b.h) && b.x > a.right();
      }
      if (cue) spans[i].push_back(PiiSpan{0, text.size(), "name", 0.6, "ocr+layout"});
    }
  }
  std::vector<PiiFinding> out;
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& s : resolve_overlaps(std::move(spans[i])))
      if (label_enabled(options, s.label)) out.push_back(to_finding(ocr, i, texts[i], s));
  return out;
}

// ---------------------------------------------------------------- scoring

void PiiScore::add(const Json& truth_pii, const Json& found_pii, double min_iou, double min_similarity) {
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
      if (truth[t].label != found[f].label) continue;
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
