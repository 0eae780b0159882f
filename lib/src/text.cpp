#include "dtap/text.hpp"

#include <algorithm>
#include <cctype>

namespace dtap {

std::u32string utf8_to_u32(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int extra;
    if (c < 0x80) { cp = c; extra = 0; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1F; extra = 1; }
    else if ((c >> 4) == 0xE) { cp = c & 0x0F; extra = 2; }
    else if ((c >> 3) == 0x1E) { cp = c & 0x07; extra = 3; }
    else { out.push_back(0xFFFD); ++i; continue; }  // invalid lead byte
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) { ok = false; break; }
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (!ok) { out.push_back(0xFFFD); ++i; continue; }
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
    else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::string normalise_text(std::string_view s) {
  std::u32string u = utf8_to_u32(s), out;
  bool space = false;
  for (char32_t c : u) {
    bool ws = c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0xA0;
    if (ws) { space = !out.empty(); continue; }
    if (space) { out.push_back(U' '); space = false; }
    if ((c >= U'A' && c <= U'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) c += 32;
    out.push_back(c);
  }
  return u32_to_utf8(out);
}

std::size_t levenshtein(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

double text_similarity(std::string_view a, std::string_view b) {
  std::u32string ua = utf8_to_u32(normalise_text(a)), ub = utf8_to_u32(normalise_text(b));
  std::size_t longest = std::max(ua.size(), ub.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(levenshtein(ua, ub)) / static_cast<double>(longest);
}

std::vector<std::string> split_whitespace(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

double best_window_similarity(const std::vector<std::string>& tokens, std::string_view target, std::size_t* best_start,
                              std::size_t* best_len) {
  double best = 0;
  std::size_t bs = 0, bl = 0;
  const std::size_t target_words = split_whitespace(target).size();
  const std::size_t max_len = std::min(tokens.size(), target_words + 2);
  for (std::size_t start = 0; start < tokens.size(); ++start) {
    std::string spaced, joined;
    for (std::size_t len = 1; len <= max_len && start + len <= tokens.size(); ++len) {
      spaced += (len > 1 ? " " : "") + tokens[start + len - 1];
      joined += tokens[start + len - 1];
      double s = std::max(text_similarity(spaced, target), text_similarity(joined, target));
      if (s > best) {
        best = s;
        bs = start;
        bl = len;
      }
    }
  }
  if (best_start) *best_start = bs;
  if (best_len) *best_len = bl;
  return best;
}

}  // namespace dtap
