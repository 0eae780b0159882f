// dtap-eval's measures: router and agent specs, leakage and grounding.
#include "dtap/eval.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/external.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/text.hpp"

namespace fs = std::filesystem;

namespace dtap {
ReaderSpec ReaderSpec::parse(const std::string& spec) {
  ReaderSpec r;
  r.text = spec;
  auto after = [&](const char* prefix) { return spec.substr(std::string_view(prefix).size()); };
  if (spec == "tesseract" || spec.rfind("tesseract:", 0) == 0) {
    r.kind = Kind::tesseract;
    if (spec != "tesseract") {
      r.lang = after("tesseract:");
      if (r.lang.empty()) throw UsageError("'tesseract:' needs a language, e.g. tesseract:eng or tesseract:script/Latin");
    }
    return r;
  }
  if (spec == "reader" || spec.rfind("reader:", 0) == 0) {
    r.kind = Kind::reader;
    if (spec != "reader") {
      r.model = after("reader:");
      if (r.model.empty()) throw UsageError("'reader:' needs a model, e.g. reader:share/dtap/models/reader-conv.pt");
    }
    return r;
  }
  if (spec == "gocr") {
    r.kind = Kind::gocr;
    return r;
  }
  if (spec == "ocrad") {
    r.kind = Kind::ocrad;
    return r;
  }
  if (spec.rfind("cmd:", 0) == 0) {
    r.kind = Kind::command;
    r.command = split_command(spec.substr(4));
    if (r.command.empty()) throw UsageError("'cmd:' needs a command, e.g. cmd:'my-client {image} {question}'");
    bool has_image = false;
    for (const auto& a : r.command) has_image = has_image || a.find("{image}") != std::string::npos;
    if (!has_image) throw UsageError("the command in '" + spec + "' never uses {image}");
    return r;
  }
  throw UsageError("a router or agent is tesseract[:LANG], reader[:MODEL], gocr, ocrad or cmd:<command>, not '" +
                   spec + "'");
}

std::string normalise_reply(const std::string& text) {
  std::string lowered = normalise_text(text);
  std::string spaced;
  for (char c : lowered) spaced.push_back(std::ispunct(static_cast<unsigned char>(c)) ? ' ' : c);
  static const std::vector<std::string> drop = {"tap", "click", "press", "select", "open", "button", "icon", "tab"};
  std::string out;
  for (const auto& w : split_whitespace(spaced)) {
    if (std::find(drop.begin(), drop.end(), w) != drop.end()) continue;
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

namespace {

// Whole-word containment on normalised text.
bool contains_words(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return false;
  std::string h = " " + haystack + " ", n = " " + needle + " ";
  return h.find(n) != std::string::npos;
}

}  // namespace

bool reply_answers_task(const std::string& reply, const std::string& question, const std::string& answer) {
  std::string r = normalise_reply(reply), q = normalise_reply(question), a = normalise_reply(answer);
  if (a.empty()) return false;
  // An echo of the question is not an answer.
  if (!q.empty())
    for (std::size_t pos; (pos = (" " + r + " ").find(" " + q + " ")) != std::string::npos;)
      r = normalise_text(r.substr(0, pos) + " " + r.substr(std::min(r.size(), pos + q.size())));
  return contains_words(r, a);
}

double best_leak_similarity(const std::vector<std::vector<std::string>>& lines, const std::string& value) {
  double best = 0;
  for (const auto& line : lines) best = std::max(best, best_window_similarity(line, value));
  return best;
}

bool ocr_grounds_answer(const OcrResult& ocr, const std::string& answer, const BBox* task_box, double threshold) {
  const std::size_t answer_words = std::max<std::size_t>(1, split_whitespace(answer).size());
  for (const auto& line : ocr.lines) {
    for (std::size_t start = 0; start < line.words.size(); ++start) {
      std::string text;
      BBox box;
      for (std::size_t len = 1; len <= answer_words + 1 && start + len <= line.words.size(); ++len) {
        const OcrWord& w = ocr.words[static_cast<std::size_t>(line.words[start + len - 1])];
        text += (len > 1 ? " " : "") + w.text;
        box = len == 1 ? w.bbox : bbox_union(box, w.bbox);
        if (text_similarity(text, answer) < threshold) continue;
        if (task_box == nullptr) return true;
        if (box.cx() >= task_box->x && box.cx() <= task_box->right() && box.cy() >= task_box->y &&
            box.cy() <= task_box->bottom())
          return true;
      }
    }
  }
  return false;
}

}  // namespace dtap
