// dtap-eval: how much PII leaks to a router, how many tasks still succeed, and image quality.
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/eval.hpp"
#include "dtap/nn/page_reader.hpp"
#include "dtap/nn/runtime.hpp"
#include "dtap/ocr.hpp"

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
  dtap::EvalRunOptions run;
  dtap::EvalOptions& o = run.eval;
  auto& app = tool.app();
  app.add_option("inputs", run.inputs, "Images or folders (default: records on stdin)");
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
  tool.add_jobs_option(0);
  dtap::add_ocr_options(app, o.ocr);
  app.add_option("--summary", run.summary_file, "Write the summary JSON here instead of the last stdout line");
  auto* compare_opt =
      app.add_option("--compare", run.compare, "Evaluated (or protected) JSONL streams: print one table")->expected(1, -1);
  app.add_flag("--json", run.json_table, "With --compare: print JSON instead of a text table");
  app.add_option("--plot", run.plot_file,
                 "With --compare: chart PLR against mean PSNR into this PNG (a point per stream, named by file stem)")
      ->needs(compare_opt);
  app.add_option("--plot-psnr", run.plot_psnr,
                 "The chart's x axis: whole (whole-image PSNR) or pii (PSNR inside the PII boxes)")
      ->check(CLI::IsMember({"whole", "pii"}))->capture_default_str();
  app.add_option("--montage", run.montage_file, "Draw original | attention | protected | |diff| x8 into this PNG");
  app.add_option("--montage-count", run.montage_count, "Records in the montage")
      ->check(CLI::Range(1, 64))->capture_default_str();
  tool.add_redact_option();
  if (int code = tool.parse(argc, argv); code >= 0) return code;

  return tool.run([&] {
    const dtap::RunContext context = tool.context();
    o.page_reader = [](const std::string& model) { return dtap::make_model_page_reader(model); };
    // Records run in parallel (-j), each neural reader on one thread.
    dtap::RunContext torch_settings = context;
    torch_settings.threads = 1;
    dtap::configure_torch(torch_settings);
    return dtap::run_eval(run, context, std::cin, std::cout);
  });
}
