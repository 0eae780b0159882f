// dtap-synth: render synthetic phone screenshots with ground truth.
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/synth.hpp"

int main(int argc, char** argv) {
  dtap::Tool tool("dtap-synth",
                  "Render PrivScreen-style synthetic phone screenshots (PNG) with exact ground truth:\n"
                  "PII spans, task targets, every text run and its box, and privacy questions.\n"
                  "One JSON record per screen goes to stdout.",
                  "  dtap-synth -n 200 --seed 1 -o shots/ > shots.jsonl\n"
                  "  dtap-synth -n 50 --size mixed --theme dark --format privscreen -o privscreen/");
  dtap::SynthOptions o;
  auto& app = tool.app();
  app.add_option("-n,--count", o.count, "Number of screens")->check(CLI::Range(0, 10000000))->capture_default_str();
  dtap::add_output_option(app, o.out_dir, "Folder for the PNGs (created)");
  app.add_option("--first-index", o.first_index, "Number of the first screen (to extend a set)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--size", o.size, "Screen size WxH, or 'mixed' (1080x2400, 720x1600, 1170x2532)")
      ->capture_default_str();
  app.add_option("--theme", o.theme, "light, dark or mixed")->check(CLI::IsMember({"light", "dark", "mixed"}))
      ->capture_default_str();
  app.add_option("--template", o.templates, "Only these screen templates (repeatable): " + [] {
    std::string s;
    for (const auto& t : dtap::synth_templates()) s += (s.empty() ? "" : ", ") + t;
    return s;
  }())->check(CLI::IsMember(dtap::synth_templates()));
  app.add_option("--format", o.format, "records (flat folder) or privscreen (PrivScreen folder layout)")
      ->check(CLI::IsMember({"records", "privscreen"}))->capture_default_str();
  app.add_option("--names", o.names, "Person names: shipped (lists dtap-annotate also uses) or heldout (names it never saw)")
      ->check(CLI::IsMember({"shipped", "heldout"}))
      ->capture_default_str();
  app.add_option("--fonts", o.fonts,
                 "Font families: core (Roboto, Noto Sans, DejaVu Sans) or wide (23 Latin families in sans, "
                 "serif, condensed, display and monospace designs, to train readers on)")
      ->check(CLI::IsMember({"core", "wide"}))
      ->capture_default_str();
  tool.add_jobs_option(0);
  tool.add_force_option("images");
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    const dtap::RunContext context = tool.context();
    o.seed = context.seed;
    return dtap::run_synth(o, context, std::cout);
  });
}
