// dtap-protect: protect screenshots (DualTAP generator or a baseline).
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/nn/protect.hpp"

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
  auto& app = tool.app();
  app.add_option("inputs", o.inputs, "Images or folders of images (default: records on stdin)");
  dtap::add_output_option(app, o.out_dir, "Folder for the protected PNGs (created)");
  app.add_option("--method", o.method,
                 "dualtap (generator), pgd (per-image optimisation), mask (fill PII boxes), blur, mosaic, "
                 "noise (uniform +-eps inside the mask), decoy (random glyphs overprinted at equal contrast, +-eps) or none")
      ->check(CLI::IsMember(dtap::protect_methods()))->capture_default_str();
  app.add_option("-m,--model", o.model, "dualtap: generator checkpoint (default: the shipped share/dtap/models/generator.pt)");
  app.add_option("--epsilon", o.epsilon,
                 "Bound of the perturbation inside the mask, [0,1] units (default: the model's; 0.25 for pgd, noise and decoy; "
                 "mask, blur and mosaic unbounded unless given)")
      ->check(CLI::Range(0.0, 1.0));
  dtap::add_reader_option(app, o.readers, "pgd");
  app.add_option("--steps", o.steps, "pgd: optimisation steps per image")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--pgd-lr", o.pgd_lr, "pgd: Adam step size")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--eot-samples", o.eot_samples, "pgd: transformations sampled per step")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--attention", o.attention,
                 "Mask: box (the filled PII boxes, what the shipped generator was trained on) or record "
                 "(the record's dtap-attend map, boxes where it has none)")
      ->check(CLI::IsMember({"box", "record"}))->capture_default_str();
  app.add_option("--shard", o.shard, "Process only records K, K+N, K+2N... (K/N, 1-based) to split a batch");
  tool.add_jobs_option(1);
  tool.add_force_option("protected images");
  tool.add_redact_option();
  tool.add_resume_option();
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] { return dtap::run_protect(o, tool.context(), std::cin, std::cout); });
}
