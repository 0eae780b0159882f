// dtap-eval: how much PII leaks to a router, how many tasks still succeed, and image quality.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include "dtap/cli.hpp"
#include "dtap/error.hpp"
#include "dtap/eval.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "dtap/nn_runtime.hpp"
#include "dtap/ocr.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  dtap::limit_ocr_threads_or_reexec(argv);
  dtap::Tool tool(
      "dtap-eval",
      "Measure a screenshot stream: privacy leakage rate (PLR: PII values a router reads, similarity > 0.6),\n"
      "exact-match PLR, task success rate (TSR: task answers the agent grounds), PSNR/SSIM of protected\n"
      "images (whole, inside PII boxes, outside), and leakage after router transforms (JPEG, scaling, blur).\n"
      "Records without 'protected' are evaluated as unprotected. Adds 'eval' to each record; the summary\n"
      "is the last line on stdout ({\"summary\": ...}) or goes to --summary FILE.",
      "  dtap-synth -n 20 --seed 1001 -o held/ > truth.jsonl\n"
      "  dtap-eval --truth truth.jsonl < truth.jsonl > clean.jsonl                  # unprotected baseline\n"
      "  dtap-annotate held/ | dtap-protect -o prot/ | dtap-eval --truth truth.jsonl \\\n"
      "      --router-transform jpeg:75 --router-transform scale:0.5 > prot.jsonl\n"
      "  dtap-eval --compare clean.jsonl prot.jsonl          # one table\n"
      "  dtap-eval --compare clean.jsonl prot.jsonl --plot plr-psnr.png   # and a PLR-vs-PSNR chart\n"
      "  dtap-eval --router cmd:'share/dtap/examples/mllm-client.sh {image} {question}' < prot.jsonl");
  dtap::EvalOptions o;
  std::vector<std::string> inputs, compare;
  std::string summary_file, montage_file, plot_file;
  std::size_t montage_count = 4;
  bool json_table = false, redact = false;
  int jobs = 0;
  auto& app = tool.app();
  app.add_option("inputs", inputs, "Images or folders (default: records on stdin)");
  app.add_option("--router", o.router,
                 "Attacker reading PII: tesseract[:LANG] (e.g. tesseract:script/Latin), reader[:MODEL] (dtap's neural "
                 "page reader), gocr, ocrad, or cmd:'<command {image} {question}>'")
      ->capture_default_str();
  app.add_option("--agent", o.agent, "User's agent doing the tasks: tesseract[:LANG], reader[:MODEL] or cmd:'<command>'")
      ->capture_default_str();
  app.add_option("--router-transform", o.transforms,
                 "Also measure PLR after this transform chain, e.g. jpeg:75 or scale:0.5,jpeg:80 (repeatable)");
  app.add_option("--truth", o.truth_file, "JSONL with the true pii/tasks/privacy_qa, matched by id (e.g. dtap-synth's)");
  app.add_option("--timeout", o.timeout_s, "Seconds before a cmd router/agent call is killed")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("-j,--jobs", jobs, "Records evaluated in parallel (default: --threads)");
  app.add_option("--lang", o.ocr.lang, "Tesseract language")->capture_default_str();
  app.add_option("--ocr-layout", o.ocr.layout, "lines (dtap finds lines) or page (Tesseract layout, --psm)")
      ->check(CLI::IsMember({"lines", "page"}))->capture_default_str();
  app.add_option("--psm", o.ocr.psm, "Tesseract page segmentation mode (with --ocr-layout page)")
      ->check(CLI::Range(0, 13))->capture_default_str();
  app.add_option("--ocr-scale", o.ocr.scale, "Upscale before OCR")->check(CLI::Range(0.25, 4.0))->capture_default_str();
  app.add_option("--summary", summary_file, "Write the summary JSON here instead of the last stdout line");
  auto* compare_opt =
      app.add_option("--compare", compare, "Evaluated (or protected) JSONL streams: print one table")->expected(1, -1);
  app.add_flag("--json", json_table, "With --compare: print JSON instead of a text table");
  app.add_option("--plot", plot_file,
                 "With --compare: chart PLR against mean PSNR into this PNG (a point per stream, named by file stem)")
      ->needs(compare_opt);
  std::string plot_psnr = "whole";
  app.add_option("--plot-psnr", plot_psnr, "The chart's x axis: whole (whole-image PSNR) or pii (PSNR inside the PII boxes)")
      ->check(CLI::IsMember({"whole", "pii"}))->capture_default_str();
  app.add_option("--montage", montage_file, "Draw original | attention | protected | |diff| x8 into this PNG");
  app.add_option("--montage-count", montage_count, "Records in the montage")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_flag("--redact-text", redact, "Replace PII text in output records by its sha256 and length");
  if (int code = tool.parse(argc, argv); code >= 0) return code;

  return tool.run([&] {
    const auto& common = tool.common();
    o.max_pixels = common.max_pixels;  // before the evaluator copies the options
    o.page_reader = [](const std::string& model) { return dtap::make_model_page_reader(model); };
    // Records run in parallel (-j), each reader on one thread.
    dtap::CommonOptions torch_settings = common;
    torch_settings.threads = 1;
    dtap::configure_torch(torch_settings);
    dtap::Evaluator evaluator(o);
    dtap::BatchOptions batch;
    batch.label = "records";
    batch.jobs = jobs > 0 ? jobs : common.resolved_threads();
    batch.keep_going = common.keep_going;
    batch.redact_text = redact;

    if (!compare.empty()) {
      // Like --montage, an earlier chart is replaced; a compared stream never is.
      if (!plot_file.empty()) dtap::check_output_path(plot_file, compare, /*force=*/true);
      // Each stream: reuse its records' eval, evaluate those that have none.
      std::vector<std::pair<std::string, dtap::Json>> rows;
      dtap::Json all = dtap::Json::object();
      int code = 0;
      for (const auto& path : compare) {
        std::ifstream in(path);
        if (!in) throw dtap::UsageError("cannot read '" + path + "'");
        dtap::RecordReader reader(in);
        std::vector<dtap::Json> records;
        std::ostringstream sink;
        auto next = [&]() -> std::optional<dtap::Json> {
          while (auto r = reader.next()) {
            if (r->contains("summary") && !r->contains("image")) continue;
            return r;
          }
          return std::nullopt;
        };
        auto stats = dtap::run_batch(
            next,
            [&](dtap::Json& r) {
              if (!r.contains("eval")) evaluator.evaluate(r);
            },
            sink, batch);
        (void)stats;
        std::istringstream back(sink.str());
        dtap::RecordReader again(back);
        while (auto r = again.next()) records.push_back(*r);
        std::string name = fs::path(path).stem().string();
        dtap::Json s = dtap::summarise(records);
        rows.push_back({name, s});
        all[name] = s;
        if (stats.failed) code = 1;
      }
      if (json_table)
        std::cout << all.dump(2) << "\n";
      else
        std::cout << dtap::format_compare_table(rows);
      if (!plot_file.empty()) {
        dtap::write_png_atomic(plot_file, dtap::make_plr_psnr_plot(rows, {900, 600}, plot_psnr == "pii" ? "psnr_pii" : "psnr"));
        dtap::log::info("PLR-vs-PSNR chart written to " + plot_file);
      }
      return code;
    }

    dtap::RecordSource source(inputs, std::cin);
    std::vector<dtap::Json> evaluated;
    std::mutex evaluated_mutex;
    auto stats = dtap::run_batch([&] { return source.next(); },
                                 [&](dtap::Json& r) {
                                   evaluator.evaluate(r);
                                   std::lock_guard<std::mutex> lock(evaluated_mutex);
                                   evaluated.push_back(r);
                                 },
                                 std::cout, batch);
    std::size_t failed = stats.failed + stats.passed_on;
    for (std::size_t i = 0; i < failed; ++i) evaluated.push_back(dtap::Json::object());  // counted as errors
    dtap::Json summary = dtap::summarise(evaluated);
    if (!summary_file.empty())
      dtap::write_text_atomic(summary_file, summary.dump(2) + "\n");
    else
      dtap::write_record(std::cout, dtap::Json{{"summary", summary}});
    dtap::log::info("PLR " + summary["plr"].dump() + ", TSR " + summary["tsr"].dump() + " over " +
                    summary["records"].dump() + " records");
    if (!montage_file.empty()) {
      // Workers finish in any order: draw the montage in a stable one.
      std::sort(evaluated.begin(), evaluated.end(), [](const dtap::Json& a, const dtap::Json& b) {
        return dtap::record_name(a) < dtap::record_name(b);
      });
      dtap::write_png_atomic(montage_file, dtap::make_montage(evaluated, montage_count, common.max_pixels));
      dtap::log::info("montage written to " + montage_file);
    }
    return stats.exit_code();
  });
}
