// Text comparison used by the metrics and the recognisers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dtap {

std::u32string utf8_to_u32(std::string_view s);
std::string u32_to_utf8(std::u32string_view s);
// Lower case (ASCII and Latin-1), trimmed, inner whitespace collapsed to one space.
std::string normalise_text(std::string_view s);
// Levenshtein distance over Unicode code points.
std::size_t levenshtein(std::u32string_view a, std::u32string_view b);
// 1 - levenshtein / max length, on normalised text (DESIGN.md's PLR rule). Two
// empty strings are 1.0.
double text_similarity(std::string_view a, std::string_view b);

// The best similarity between `target` and any window of consecutive tokens
// of `tokens` (windows of 1..n tokens joined by spaces, plus, for values
// written without spaces, joined without them). `best_start`/`best_len` give
// the window when not null.
double best_window_similarity(const std::vector<std::string>& tokens, std::string_view target,
                              std::size_t* best_start = nullptr, std::size_t* best_len = nullptr);

std::vector<std::string> split_whitespace(std::string_view s);

}  // namespace dtap
