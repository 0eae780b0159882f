// dtap-protect: protect screenshots (DualTAP generator or a baseline).
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/nn_runtime.hpp"
#include "dtap/protect.hpp"

int main(int argc, char** argv) {
  dtap::Tool tool("dtap-protect",
                  "Protect screenshots before an untrusted router sees them: the PII found by\n"
                  "dtap-annotate (the record's \"pii\" boxes) becomes unreadable, the rest of the\n"
                  "screen stays as it was.\n"
                  "Writes lossless PNGs at the original resolution into -o DIR and adds \"protected\"\n"
                  "and \"protect\" {method, model, epsilon, ms, psnr} to each record on stdout.",
                  "  dtap-annotate shots/ | dtap-protect -o protected/ | dtap-eval > report.jsonl\n"
                  "  dtap-protect --method mask -o redacted/ < annotated.jsonl > redacted.jsonl\n"
                  "  dtap-protect --shard 2/4 -o protected/ < annotated.jsonl > part2.jsonl");
  dtap::ProtectOptions o;
  std::vector<std::string> inputs;
  auto& app = tool.app();
  app.add_option("inputs", inputs, "Images or folders of images (default: records on stdin)");
  app.add_option("-o,--output", o.out_dir, "Folder for the protected PNGs (created)")->required();
  app.add_option("--method", o.method,
                 "dualtap (generator), pgd (per-image optimisation), mask (fill PII boxes), blur, mosaic, "
                 "noise (uniform +-eps inside the mask), decoy (random glyphs overprinted at equal contrast, +-eps) or none")
      ->check(CLI::IsMember(dtap::protect_methods()))->capture_default_str();
  app.add_option("-m,--model", o.model, "dualtap: generator checkpoint (default: the shipped share/dtap/models/generator.pt)");
  app.add_option("--epsilon", o.epsilon,
                 "Bound of the perturbation inside the mask, [0,1] units (default: the model's; 0.25 for pgd, noise and decoy)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--reader", o.readers, "pgd: surrogate reader checkpoint (repeatable; default: the shipped readers)");
  app.add_option("--steps", o.steps, "pgd: optimisation steps per image")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--pgd-lr", o.pgd_lr, "pgd: Adam step size")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--eot-samples", o.eot_samples, "pgd: transformations sampled per step")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--attention", o.attention,
                 "Mask: box (the filled PII boxes, what the shipped generator was trained on) or record "
                 "(the record's dtap-attend map, boxes where it has none)")
      ->check(CLI::IsMember({"box", "record"}))->capture_default_str();
  app.add_option("--shard", o.shard, "Process only records K, K+N, K+2N... (K/N, 1-based) to split a batch");
  app.add_option("-j,--jobs", o.jobs, "Records processed in parallel")->check(CLI::Range(1, 256))->capture_default_str();
  app.add_flag("--force", o.force, "Replace protected images left by an earlier run (never an input)");
  app.add_flag("--redact-text", o.redact_text, "Replace PII text in the output records by {sha256, len}");
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    const auto& c = tool.common();
    o.device = dtap::configure_torch(c);
    o.seed = c.seed;
    o.threads = c.resolved_threads();
    o.max_pixels = c.max_pixels;
    o.keep_going = c.keep_going;
    return dtap::run_protect(o, inputs, std::cin, std::cout);
  });
}
