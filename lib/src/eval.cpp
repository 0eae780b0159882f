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

namespace {

std::vector<std::vector<std::string>> ocr_lines(const OcrResult& r) {
  std::vector<std::vector<std::string>> lines;
  for (const auto& l : r.lines) {
    std::vector<std::string> tokens;
    for (int w : l.words) tokens.push_back(r.words[static_cast<std::size_t>(w)].text);
    lines.push_back(std::move(tokens));
  }
  return lines;
}

// The privacy question asked of a command router.
std::string privacy_question(const Json& truth) {
  if (truth.contains("privacy_qa") && truth["privacy_qa"].is_array() && !truth["privacy_qa"].empty() &&
      truth["privacy_qa"][0].contains("question") && truth["privacy_qa"][0]["question"].is_string())
    return truth["privacy_qa"][0]["question"];
  return "List every personal detail shown on this screenshot: names, e-mail addresses, phone numbers, postal "
         "addresses, usernames, IP addresses, card and account numbers, dates of birth.";
}

// PSNR reported for identical images (the true value is infinite).
constexpr double kIdenticalPsnr = 100.0;

double cap_psnr(double v) { return std::isinf(v) ? kIdenticalPsnr : v; }

Json number_or_null(double v) { return std::isnan(v) ? Json(nullptr) : Json(std::round(v * 10000) / 10000); }

// A temporary image (PNG, or grey PGM for the legacy OCR programs) removed
// when it goes out of scope.
struct TempImage {
  std::string path;
  explicit TempImage(const cv::Mat& img, bool pgm = false) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dtap-eval-XXXXXX" + (pgm ? ".pgm" : ".png");
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = mkstemps(buf.data(), 4);
    if (fd < 0) throw Error("cannot create a temporary image file");
    close(fd);
    path = buf.data();
    if (!pgm) {
      write_png_atomic(path, img);
      return;
    }
    cv::Mat grey;
    cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
    if (!cv::imwrite(path, grey)) throw Error("cannot write a temporary image file");
  }
  ~TempImage() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

}  // namespace

struct Evaluator::Impl {
  ReaderSpec router, agent;
  std::vector<Transform> transforms;
  std::map<std::string, Json> truth;  // by id
  bool has_truth = false;
};

Evaluator::Evaluator(const EvalOptions& options) : impl_(std::make_unique<Impl>()), options_(options) {
  impl_->router = ReaderSpec::parse(options.router);
  impl_->agent = ReaderSpec::parse(options.agent);
  if (impl_->agent.kind == ReaderSpec::Kind::gocr || impl_->agent.kind == ReaderSpec::Kind::ocrad)
    throw UsageError(impl_->agent.text + " reads text without word boxes, so it cannot ground tasks: use it as --router");
  for (const auto* spec : {&impl_->router, &impl_->agent})
    if (spec->kind == ReaderSpec::Kind::reader && !options.page_reader)
      throw UsageError("'" + spec->text + "' needs the neural page reader, which this program was built without");
  for (const auto& t : options.transforms) impl_->transforms.push_back(Transform::parse(t));
  if (!options.truth_file.empty()) {
    std::ifstream in(options.truth_file);
    if (!in) throw UsageError("cannot read --truth file '" + options.truth_file + "'");
    RecordReader reader(in);
    while (auto r = reader.next()) {
      if (r->contains("error") && !(*r)["error"].is_null()) continue;
      if (!r->contains("id") || !(*r)["id"].is_string()) continue;
      impl_->truth[(*r)["id"].get<std::string>()] = *r;
    }
    impl_->has_truth = true;
  }
}

Evaluator::~Evaluator() = default;

void Evaluator::evaluate(Json& record) {
  require_valid_record(record);
  const Json* truth = &record;
  if (impl_->has_truth) {
    auto it = impl_->truth.find(record_name(record));
    if (it == impl_->truth.end()) throw Error("no record with id '" + record_name(record) + "' in the --truth file");
    truth = &it->second;
  }
  const std::string original_path = record["image"];
  const bool is_protected = record.contains("protected") && record["protected"].is_string();
  const std::string shown_path = is_protected ? record["protected"].get<std::string>() : original_path;
  cv::Mat shown = load_image_bgr8(shown_path, options_.max_pixels);

  struct Pii {
    std::string label, text;
    std::optional<BBox> box;
  };
  std::vector<Pii> pii;
  if (truth->contains("pii") && (*truth)["pii"].is_array())
    for (const auto& p : (*truth)["pii"]) {
      if (!p.contains("text") || !p["text"].is_string())
        throw Error("a PII span has no plain text (redacted records cannot be evaluated)");
      pii.push_back({p.value("label", "other"), p["text"], p.contains("bbox") ? BBox::from_json(p["bbox"]) : std::nullopt});
    }

  // One engine per thread and per setting (Tesseract and the page readers are not thread-safe).
  thread_local std::map<std::string, std::unique_ptr<OcrEngine>> tesseracts;
  thread_local std::map<std::string, std::unique_ptr<PageReader>> page_readers;
  auto read_page = [&](const ReaderSpec& spec, const cv::Mat& image) -> OcrResult {
    if (spec.kind == ReaderSpec::Kind::reader) {
      auto& reader = page_readers[spec.model];
      if (!reader) reader = options_.page_reader(spec.model);
      return reader->read(image);
    }
    OcrOptions ocr_options = options_.ocr;
    if (!spec.lang.empty()) ocr_options.lang = spec.lang;
    const std::string key = ocr_options.lang + "/" + std::to_string(ocr_options.psm) + "/" +
                            std::to_string(ocr_options.scale) + "/" + ocr_options.tessdata + "/" + ocr_options.layout;
    auto& engine = tesseracts[key];
    if (!engine) engine = std::make_unique<OcrEngine>(ocr_options);
    return engine->read(image);
  };

  // The untransformed image read once per reader (router and agent may be the same).
  std::map<std::string, std::pair<OcrResult, double>> clean_reads;
  auto read_clean = [&](const ReaderSpec& spec) -> const std::pair<OcrResult, double>& {
    auto it = clean_reads.find(spec.text);
    if (it == clean_reads.end()) {
      auto t0 = std::chrono::steady_clock::now();
      OcrResult r = read_page(spec, shown);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      it = clean_reads.emplace(spec.text, std::make_pair(std::move(r), ms)).first;
    }
    return it->second;
  };

  auto call = [&](const std::vector<std::string>& command, const std::string& image_path, const std::string& question) {
    CommandResult r = run_command(expand_command(command, image_path, question), options_.timeout_s);
    if (!r.err.empty()) log::debug(record_name(record) + ": command stderr: " + std::to_string(r.err.size()) + " bytes");
    if (r.exit_code != 0)
      throw Error("command '" + command[0] + "' exited with status " + std::to_string(r.exit_code));
    return r;
  };

  // Leakage under one condition (clean or a transform).
  auto leakage = [&](const Transform* transform) {
    Json result;
    double ms = 0;
    std::vector<std::vector<std::string>> lines;
    const ReaderSpec& router = impl_->router;
    if (router.gives_boxes()) {
      if (transform == nullptr) {
        const auto& [result, clean_ms] = read_clean(router);
        lines = ocr_lines(result);
        ms = clean_ms;
      } else {
        auto t0 = std::chrono::steady_clock::now();
        lines = ocr_lines(read_page(router, transform->apply(shown)));
        ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      }
    } else {
      // External programs read a file: the shown image, or the transformed one.
      const bool legacy = router.kind != ReaderSpec::Kind::command;
      std::optional<TempImage> temp;
      if (transform != nullptr || legacy) temp.emplace(transform ? transform->apply(shown) : shown, legacy);
      const std::string path = temp ? temp->path : shown_path;
      std::vector<std::string> command = router.command;
      if (router.kind == ReaderSpec::Kind::gocr) command = {"gocr", "-f", "UTF8", "-i", "{image}"};
      if (router.kind == ReaderSpec::Kind::ocrad) command = {"ocrad", "-F", "utf8", "{image}"};
      CommandResult r = call(command, path, privacy_question(*truth));
      ms = r.ms;
      std::istringstream in(r.out);
      for (std::string line; std::getline(in, line);) lines.push_back(split_whitespace(line));
    }
    int leaked = 0, exact = 0;
    Json by_label = Json::object(), leaks = Json::array();
    for (const auto& p : pii) {
      double sim = best_leak_similarity(lines, p.text);
      bool is_leak = sim > options_.leak_threshold, is_exact = sim >= 1.0 - 1e-12;
      leaked += is_leak;
      exact += is_exact;
      Json& l = by_label[p.label];
      if (l.is_null()) l = {{"total", 0}, {"leaked", 0}, {"exact", 0}};
      l["total"] = l["total"].get<int>() + 1;
      l["leaked"] = l["leaked"].get<int>() + (is_leak ? 1 : 0);
      l["exact"] = l["exact"].get<int>() + (is_exact ? 1 : 0);
      // Labels and scores only: never the values themselves.
      leaks.push_back({{"label", p.label}, {"similarity", std::round(sim * 1000) / 1000}, {"leaked", is_leak}});
    }
    result["pii_total"] = pii.size();
    result["pii_leaked"] = leaked;
    result["pii_exact"] = exact;
    result["by_label"] = by_label;
    result["leaks"] = leaks;
    result["router_ms"] = std::round(ms * 10) / 10;
    return result;
  };

  Json ev;
  ev["router"] = impl_->router.text;
  ev["agent"] = impl_->agent.text;
  ev["protected"] = is_protected;
  Json clean = leakage(nullptr);
  for (auto& [k, v] : clean.items()) ev[k] = v;

  // Task success on the image as sent (the user's agent sees it untransformed).
  int tasks_total = 0, tasks_ok = 0;
  double agent_ms = 0;
  Json task_results = Json::array();
  if (truth->contains("tasks") && (*truth)["tasks"].is_array()) {
    for (const auto& t : (*truth)["tasks"]) {
      if (!t.contains("answer") || !t["answer"].is_string()) continue;
      ++tasks_total;
      std::string answer = t["answer"], question = t.value("question", "");
      if (impl_->agent.gives_boxes()) {
        std::optional<BBox> box = t.contains("bbox") ? BBox::from_json(t["bbox"]) : std::nullopt;
        const auto& [result, clean_ms] = read_clean(impl_->agent);
        bool ok = ocr_grounds_answer(result, answer, box ? &*box : nullptr, options_.ground_threshold);
        tasks_ok += ok;
        task_results.push_back({{"answer", answer}, {"ok", ok}});
        agent_ms = clean_ms;
      } else {
        CommandResult r = call(impl_->agent.command, shown_path, question);
        agent_ms += r.ms;
        bool ok = reply_answers_task(r.out, question, answer);
        tasks_ok += ok;
        task_results.push_back({{"answer", answer}, {"ok", ok}});
      }
    }
  }
  ev["tasks_total"] = tasks_total;
  ev["tasks_ok"] = tasks_ok;
  ev["task_results"] = task_results;
  ev["agent_ms"] = std::round(agent_ms * 10) / 10;

  if (is_protected) {
    cv::Mat original = load_image_bgr8(original_path, options_.max_pixels);
    if (original.size() != shown.size())
      throw Error("protected image is " + std::to_string(shown.cols) + "x" + std::to_string(shown.rows) +
                  " but the original is " + std::to_string(original.cols) + "x" + std::to_string(original.rows));
    cv::Mat inside(original.size(), CV_8U, cv::Scalar(0));
    for (const auto& p : pii)
      if (p.box) {
        cv::Rect r(static_cast<int>(p.box->x), static_cast<int>(p.box->y), static_cast<int>(std::ceil(p.box->w)),
                   static_cast<int>(std::ceil(p.box->h)));
        inside(r & cv::Rect(0, 0, inside.cols, inside.rows)).setTo(255);
      }
    cv::Mat outside = inside == 0;
    ev["psnr"] = number_or_null(cap_psnr(psnr(original, shown)));
    ev["ssim"] = number_or_null(ssim(original, shown));
    ev["psnr_pii"] = number_or_null(cap_psnr(psnr(original, shown, inside)));
    ev["ssim_pii"] = number_or_null(ssim(original, shown, inside));
    ev["psnr_outside"] = number_or_null(cap_psnr(psnr(original, shown, outside)));
    ev["ssim_outside"] = number_or_null(ssim(original, shown, outside));
  }

  if (!impl_->transforms.empty()) {
    Json per = Json::object();
    for (const auto& t : impl_->transforms) per[t.spec] = leakage(&t);
    ev["transforms"] = per;
  }
  record["eval"] = ev;
}

Json summarise(const std::vector<Json>& records) {
  std::size_t n = 0, errors = 0;
  long pii_total = 0, leaked = 0, exact = 0, tasks_total = 0, tasks_ok = 0;
  std::map<std::string, std::array<long, 3>> by_label;
  std::map<std::string, std::array<long, 3>> by_transform;  // total, leaked, exact
  std::map<std::string, std::pair<double, long>> means;     // sum, count
  std::string router, agent;
  auto add_mean = [&](const std::string& k, const Json& v) {
    if (v.is_number()) {
      means[k].first += v.get<double>();
      means[k].second += 1;
    }
  };
  for (const auto& r : records) {
    if (!r.contains("eval") || !r["eval"].is_object()) {
      ++errors;
      continue;
    }
    const Json& e = r["eval"];
    ++n;
    router = e.value("router", "");
    agent = e.value("agent", "");
    pii_total += e.value("pii_total", 0);
    leaked += e.value("pii_leaked", 0);
    exact += e.value("pii_exact", 0);
    tasks_total += e.value("tasks_total", 0);
    tasks_ok += e.value("tasks_ok", 0);
    if (e.contains("by_label"))
      for (const auto& [label, c] : e["by_label"].items()) {
        auto& a = by_label[label];
        a[0] += c.value("total", 0);
        a[1] += c.value("leaked", 0);
        a[2] += c.value("exact", 0);
      }
    if (e.contains("transforms"))
      for (const auto& [spec, t] : e["transforms"].items()) {
        auto& a = by_transform[spec];
        a[0] += t.value("pii_total", 0);
        a[1] += t.value("pii_leaked", 0);
        a[2] += t.value("pii_exact", 0);
        add_mean("router_ms:" + spec, t.value("router_ms", Json()));
      }
    for (const char* k : {"psnr", "ssim", "psnr_pii", "ssim_pii", "psnr_outside", "ssim_outside", "router_ms",
                          "agent_ms"})
      add_mean(k, e.value(k, Json()));
    if (r.contains("protect") && r["protect"].is_object()) add_mean("protect_ms", r["protect"].value("ms", Json()));
  }
  auto ratio = [](long a, long b) -> Json { return b > 0 ? Json(std::round(1e4 * double(a) / b) / 1e4) : Json(nullptr); };
  auto mean = [&](const std::string& k) -> Json {
    auto it = means.find(k);
    if (it == means.end() || it->second.second == 0) return nullptr;
    return std::round(1e4 * it->second.first / it->second.second) / 1e4;
  };
  Json s;
  s["records"] = n;
  s["errors"] = errors;
  s["router"] = router;
  s["agent"] = agent;
  s["pii_total"] = pii_total;
  s["plr"] = ratio(leaked, pii_total);
  s["plr_exact"] = ratio(exact, pii_total);
  s["tasks_total"] = tasks_total;
  s["tsr"] = ratio(tasks_ok, tasks_total);
  for (const char* k : {"psnr", "ssim", "psnr_pii", "ssim_pii", "psnr_outside", "ssim_outside"}) s[k] = mean(k);
  Json labels = Json::object();
  for (const auto& [label, a] : by_label)
    labels[label] = {{"total", a[0]}, {"plr", ratio(a[1], a[0])}, {"plr_exact", ratio(a[2], a[0])}};
  s["by_label"] = labels;
  Json transforms = Json::object();
  for (const auto& [spec, a] : by_transform)
    transforms[spec] = {{"plr", ratio(a[1], a[0])}, {"plr_exact", ratio(a[2], a[0])}, {"router_ms", mean("router_ms:" + spec)}};
  s["transforms"] = transforms;
  s["router_ms"] = mean("router_ms");
  s["agent_ms"] = mean("agent_ms");
  s["protect_ms"] = mean("protect_ms");
  return s;
}

std::string format_compare_table(const std::vector<std::pair<std::string, Json>>& rows) {
  std::vector<std::string> transforms;
  for (const auto& [name, s] : rows)
    if (s.contains("transforms"))
      for (const auto& [spec, v] : s["transforms"].items()) {
        (void)v;
        if (std::find(transforms.begin(), transforms.end(), spec) == transforms.end()) transforms.push_back(spec);
      }
  auto cell = [](const Json& v, int precision) {
    if (!v.is_number()) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", precision, v.get<double>());
    return std::string(buf);
  };
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header = {"input", "records", "PLR", "exact", "TSR", "PLR/base", "TSR/base",
                                     "PSNR", "SSIM", "SSIM-out", "ms"};
  for (const auto& t : transforms) header.push_back("PLR[" + t + "]");
  table.push_back(header);
  const Json& base = rows.empty() ? Json() : rows.front().second;
  auto rel = [&](const Json& s, const char* k) -> Json {
    if (!s.value(k, Json()).is_number() || !base.value(k, Json()).is_number() || base[k].get<double>() == 0)
      return nullptr;
    return s[k].get<double>() / base[k].get<double>();
  };
  for (const auto& [name, s] : rows) {
    std::vector<std::string> row = {name, std::to_string(s.value("records", 0)), cell(s.value("plr", Json()), 3),
                                    cell(s.value("plr_exact", Json()), 3), cell(s.value("tsr", Json()), 3),
                                    cell(rel(s, "plr"), 3), cell(rel(s, "tsr"), 3), cell(s.value("psnr", Json()), 2),
                                    cell(s.value("ssim", Json()), 4), cell(s.value("ssim_outside", Json()), 4),
                                    cell(s.value("protect_ms", Json()), 0)};
    for (const auto& t : transforms) {
      Json v = s.contains("transforms") && s["transforms"].contains(t) ? s["transforms"][t].value("plr", Json()) : Json();
      row.push_back(cell(v, 3));
    }
    table.push_back(row);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : table)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::ostringstream out;
  for (const auto& row : table) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << (i == 0 ? "" : "  ");
      if (i == 0) out << row[i] << std::string(width[i] - row[i].size(), ' ');
      else out << std::string(width[i] - row[i].size(), ' ') << row[i];
    }
    out << '\n';
  }
  return out.str();
}

cv::Mat make_montage(const std::vector<Json>& records, std::size_t count, std::int64_t max_pixels) {
  const int panel_h = 640;
  std::vector<cv::Mat> rows;
  for (const auto& r : records) {
    if (rows.size() >= count) break;
    if (!r.contains("image") || !r["image"].is_string()) continue;
    if (r.contains("error") && !r["error"].is_null()) continue;
    cv::Mat original = load_image_bgr8(r["image"], max_pixels);
    cv::Mat shown = r.contains("protected") && r["protected"].is_string()
                        ? load_image_bgr8(r["protected"], max_pixels) : original.clone();
    if (shown.size() != original.size()) cv::resize(shown, shown, original.size());
    cv::Mat attention(original.size(), CV_8UC3, cv::Scalar(0, 0, 0));
    if (r.contains("attention") && r["attention"].is_string()) {
      cv::Mat a = load_image_bgr8(r["attention"], max_pixels);
      cv::resize(a, attention, original.size());
    }
    cv::Mat diff;
    cv::absdiff(original, shown, diff);
    diff.convertTo(diff, CV_8UC3, 8.0);
    const char* labels[] = {"original", "attention", "protected", "|diff| x8"};
    std::vector<cv::Mat> panels;
    int i = 0;
    for (const cv::Mat* m : {&original, &attention, &shown, &diff}) {
      cv::Mat p;
      double s = double(panel_h) / m->rows;
      cv::resize(*m, p, cv::Size(std::max(1, int(m->cols * s)), panel_h), 0, 0, cv::INTER_AREA);
      cv::rectangle(p, cv::Rect(0, 0, p.cols, 22), cv::Scalar(40, 40, 40), cv::FILLED);
      cv::putText(p, labels[i++], {6, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
      cv::copyMakeBorder(p, p, 2, 2, 2, 2, cv::BORDER_CONSTANT, cv::Scalar(128, 128, 128));
      panels.push_back(p);
    }
    cv::Mat row;
    cv::hconcat(panels, row);
    rows.push_back(row);
  }
  if (rows.empty()) throw Error("no record with a readable image for the montage");
  int width = 0;
  for (const auto& r : rows) width = std::max(width, r.cols);
  for (auto& r : rows)
    if (r.cols < width) cv::copyMakeBorder(r, r, 0, 0, 0, width - r.cols, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  cv::Mat out;
  cv::vconcat(rows, out);
  return out;
}


namespace {

// What the PLR-vs-PSNR chart draws: protected streams as points, streams
// whose images are the originals as horizontal reference lines.
struct PlotPoint {
  std::string name;
  double psnr, plr;
};
struct PlotReference {
  std::string name;
  double plr;
};

// A stream shows the original images when it has no PSNR (nothing was
// protected) or the identical-image cap (e.g. --method none).
bool shows_originals(const Json& summary) {
  const Json psnr = summary.value("psnr", Json());
  return !psnr.is_number() || !std::isfinite(psnr.get<double>()) || psnr.get<double>() >= kIdenticalPsnr;
}

// Tick spacing of 1, 2 or 5 x 10^k giving at most about `intervals` intervals.
double tick_step(double span, int intervals) {
  double raw = span / intervals;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

struct Axis {
  double lo, hi, step;
};

// The PSNR axis covers every point with 1 dB to spare, on whole ticks.
Axis psnr_axis(const std::vector<PlotPoint>& points) {
  if (points.empty()) return {20, 40, 5};
  double lo = points.front().psnr, hi = lo;
  for (const auto& p : points) {
    lo = std::min(lo, p.psnr);
    hi = std::max(hi, p.psnr);
  }
  double step = tick_step(hi - lo + 2, 6);
  return {std::floor((lo - 1) / step) * step, std::ceil((hi + 1) / step) * step, step};
}

std::string format_number(double v, int precision) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

// Decimals that show a tick step exactly (5 -> 0, 0.5 -> 1, 0.25 -> 2).
int decimals_for(double step) {
  int d = 0;
  while (d < 6 && std::abs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-9) ++d;
  return d;
}

const cv::Scalar kInk(0, 0, 0), kGrid(225, 225, 225), kPointColour(190, 90, 20), kReferenceColour(40, 40, 210);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void put_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, const cv::Scalar& colour) {
  cv::putText(img, text, at, kFont, scale, colour, 1, cv::LINE_AA);
}

cv::Size text_size(const std::string& text, double scale) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, scale, 1, &baseline);
}

// Vertical text (bottom to top) centred on `centre`: drawn flat, then rotated.
void put_vertical_text(cv::Mat& img, const std::string& text, cv::Point centre, double scale) {
  cv::Size t = text_size(text, scale);
  cv::Mat flat(t.height + 8, t.width + 4, img.type(), cv::Scalar(255, 255, 255));
  put_text(flat, text, {2, t.height + 3}, scale, kInk);
  cv::Mat upright;
  cv::rotate(flat, upright, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect where(centre.x - upright.cols / 2, centre.y - upright.rows / 2, upright.cols, upright.rows);
  where &= cv::Rect(0, 0, img.cols, img.rows);
  upright(cv::Rect(0, 0, where.width, where.height)).copyTo(img(where));
}

void draw_dashed_line(cv::Mat& img, cv::Point from, cv::Point to, const cv::Scalar& colour) {
  const int dash = 10, gap = 6;
  for (int x = from.x; x < to.x; x += dash + gap)
    cv::line(img, {x, from.y}, {std::min(x + dash, to.x), to.y}, colour, 2, cv::LINE_AA);
}

}  // namespace

cv::Mat make_plr_psnr_plot(const std::vector<std::pair<std::string, Json>>& rows, cv::Size size,
                           const std::string& psnr_key) {
  if (psnr_key != "psnr" && psnr_key != "psnr_pii") throw UsageError("the plot's x axis is psnr or psnr_pii");
  std::vector<PlotPoint> points;
  std::vector<PlotReference> references;
  for (const auto& [name, s] : rows) {
    const Json plr = s.value("plr", Json());
    if (!plr.is_number()) continue;  // no PII scored: nothing to draw
    double y = std::clamp(plr.get<double>(), 0.0, 1.0);
    if (shows_originals(s)) references.push_back({name, y});
    else if (s.value(psnr_key, Json()).is_number()) points.push_back({name, s[psnr_key].get<double>(), y});
  }
  if (points.empty() && references.empty()) throw Error("no compared stream has a PLR to plot");
  if (size.width < 320 || size.height < 240) throw Error("plot size must be at least 320x240");

  cv::Mat img(size, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Rect area(80, 50, size.width - 80 - 30, size.height - 50 - 70);
  const Axis x_axis = psnr_axis(points);
  auto to_pixel = [&](double psnr, double plr) {
    double fx = (psnr - x_axis.lo) / (x_axis.hi - x_axis.lo);
    return cv::Point(area.x + static_cast<int>(std::lround(fx * area.width)),
                     area.y + static_cast<int>(std::lround((1.0 - plr) * area.height)));
  };

  // Grid and ticks: PLR 0..1 by 0.2; PSNR on whole steps.
  for (int i = 0; i <= 5; ++i) {
    double plr = 0.2 * i;
    cv::Point p = to_pixel(x_axis.lo, plr);
    cv::line(img, p, {area.br().x, p.y}, kGrid, 1);
    std::string label = format_number(plr, 1);
    cv::Size t = text_size(label, 0.45);
    put_text(img, label, {area.x - t.width - 8, p.y + t.height / 2}, 0.45, kInk);
  }
  const int x_decimals = decimals_for(x_axis.step);
  const long x_ticks = std::lround((x_axis.hi - x_axis.lo) / x_axis.step);
  for (long i = 0; i <= x_ticks; ++i) {
    double v = x_axis.lo + static_cast<double>(i) * x_axis.step;
    cv::Point p = to_pixel(v, 0);
    cv::line(img, {p.x, area.y}, p, kGrid, 1);
    std::string label = format_number(v, x_decimals);
    cv::Size t = text_size(label, 0.45);
    put_text(img, label, {p.x - t.width / 2, area.br().y + t.height + 8}, 0.45, kInk);
  }
  cv::rectangle(img, area, kInk, 1);

  const std::string x_title = psnr_key == "psnr" ? "mean whole-image PSNR (dB)" : "mean PSNR inside the PII boxes (dB)";
  put_text(img, x_title, {area.x + (area.width - text_size(x_title, 0.55).width) / 2, size.height - 18}, 0.55, kInk);
  put_vertical_text(img, "PLR (share of PII values read)", {24, area.y + area.height / 2}, 0.55);
  const std::string title = "Privacy leakage vs image quality";
  put_text(img, title, {(size.width - text_size(title, 0.7).width) / 2, 32}, 0.7, kInk);

  for (const auto& r : references) {
    cv::Point left = to_pixel(x_axis.lo, r.plr);
    draw_dashed_line(img, left, {area.br().x, left.y}, kReferenceColour);
    std::string label = "unprotected PLR " + format_number(r.plr, 3) + (r.name == "unprotected" ? "" : " (" + r.name + ")");
    cv::Size t = text_size(label, 0.45);
    int label_y = left.y - 8 - t.height > area.y ? left.y - 8 : left.y + t.height + 8;  // stay inside the frame
    // At the left end: weakly protected streams (high PSNR, high PLR) crowd the right.
    put_text(img, label, {area.x + 6, label_y}, 0.45, kReferenceColour);
  }
  for (const auto& p : points) {
    cv::Point at = to_pixel(p.psnr, p.plr);
    cv::circle(img, at, 6, kPointColour, cv::FILLED, cv::LINE_AA);
    cv::circle(img, at, 6, kInk, 1, cv::LINE_AA);
    cv::Size t = text_size(p.name, 0.45);
    int x = at.x + 10 + t.width < area.br().x ? at.x + 10 : at.x - 10 - t.width;  // flip left at the right edge
    int y = at.y - 8 - t.height > area.y ? at.y - 8 : at.y + 10 + t.height;  // below the point at the top edge
    put_text(img, p.name, {x, y}, 0.45, kInk);
  }
  return img;
}

}  // namespace dtap
