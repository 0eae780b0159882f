// dtap-eval's summaries, the comparison table and the program itself.
#include "dtap/eval.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
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

namespace {

// Records of an evaluated (or protected) stream, evaluating those without "eval".
Json summarise_stream(const std::string& path, Evaluator& evaluator, const BatchOptions& batch, bool& failed) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read '" + path + "'");
  RecordReader reader(in);
  auto next = [&]() -> std::optional<Json> {
    while (auto r = reader.next()) {
      if (r->contains("summary") && !r->contains("image")) continue;
      return r;
    }
    return std::nullopt;
  };
  std::ostringstream sink;
  auto stats = run_batch(next, [&](Json& r) { if (!r.contains("eval")) evaluator.evaluate(r); }, sink, batch);
  if (stats.failed) failed = true;
  std::vector<Json> records;
  std::istringstream back(sink.str());
  RecordReader again(back);
  while (auto r = again.next()) records.push_back(*r);
  return summarise(records);
}

}  // namespace

int run_eval(const EvalRunOptions& o, const RunContext& context, std::istream& in, std::ostream& out) {
  Evaluator evaluator(o.eval, context.max_pixels);
  BatchOptions batch = batch_options(context, "records");

  if (!o.compare.empty()) {
    // Like --montage, an earlier chart is replaced; a compared stream never is.
    if (!o.plot_file.empty()) check_output_path(o.plot_file, o.compare, /*force=*/true);
    batch.redact_text = false;  // the streams' records are summarised, never written
    std::vector<std::pair<std::string, Json>> rows;
    Json all = Json::object();
    bool failed = false;
    for (const auto& path : o.compare) {
      std::string name = fs::path(path).stem().string();
      Json s = summarise_stream(path, evaluator, batch, failed);
      rows.push_back({name, s});
      all[name] = s;
    }
    if (o.json_table)
      out << all.dump(2) << "\n";
    else
      out << format_compare_table(rows);
    if (!o.plot_file.empty()) {
      write_png_atomic(o.plot_file, make_plr_psnr_plot(rows, {900, 600}, o.plot_psnr == "pii" ? "psnr_pii" : "psnr"));
      log::info("PLR-vs-PSNR chart written to " + o.plot_file);
    }
    return failed ? 1 : 0;
  }

  RecordSource source(o.inputs, in);
  std::vector<Json> evaluated;
  std::mutex evaluated_mutex;
  auto stats = run_batch([&] { return source.next(); },
                         [&](Json& r) {
                           evaluator.evaluate(r);
                           std::lock_guard<std::mutex> lock(evaluated_mutex);
                           evaluated.push_back(r);
                         },
                         out, batch);
  std::size_t failed = stats.failed + stats.passed_on;
  for (std::size_t i = 0; i < failed; ++i) evaluated.push_back(Json::object());  // counted as errors
  Json summary = summarise(evaluated);
  if (!o.summary_file.empty())
    write_text_atomic(o.summary_file, summary.dump(2) + "\n");
  else
    write_record(out, Json{{"summary", summary}});
  log::info("PLR " + summary["plr"].dump() + ", TSR " + summary["tsr"].dump() + " over " + summary["records"].dump() +
            " records");
  if (!o.montage_file.empty()) {
    // Workers finish in any order: draw the montage in a stable one.
    std::sort(evaluated.begin(), evaluated.end(),
              [](const Json& a, const Json& b) { return record_name(a) < record_name(b); });
    write_png_atomic(o.montage_file, make_montage(evaluated, o.montage_count, context.max_pixels));
    log::info("montage written to " + o.montage_file);
  }
  return stats.exit_code();
}

}  // namespace dtap
