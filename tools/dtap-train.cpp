// dtap-train: train the surrogate readers and the protector generator.
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/pii_lines.hpp"
#include "dtap/nn/train_generator.hpp"
#include "dtap/nn/train_reader.hpp"

namespace {

// What the two LibTorch trainings share: --resume, --force and the
// data-parallel options (torchrun's names).
void add_training_options(dtap::Tool& tool, CLI::App* app, bool& resume, const std::string& resume_help,
                          dtap::DistributedOptions& d) {
  app->add_flag("--resume", resume, resume_help);
  tool.add_force_option("OUTPUT", app);
  app->add_option("--world-size", d.world_size, "Processes training together (default: $WORLD_SIZE, else 1)")
      ->check(CLI::Range(1, 4096));
  app->add_option("--rank", d.rank, "This process's rank, 0 writes the checkpoint (default: $RANK, else 0)")
      ->check(CLI::Range(0, 4095));
  app->add_option("--master-addr", d.master_addr, "Rank 0's address for the rendezvous (default: $MASTER_ADDR, else 127.0.0.1)");
  app->add_option("--master-port", d.master_port, "Rank 0's TCPStore port (default: $MASTER_PORT, else 29500)")
      ->check(CLI::Range(1, 65535));
}

}  // namespace

int main(int argc, char** argv) {
  dtap::Tool tool("dtap-train",
                  "Train dtap's models: the surrogate text-line readers (reader), measure them on\n"
                  "held-out records (eval-reader), train the protector generator (generator) and\n"
                  "dtap-annotate's line classifier (pii-lines).",
                  "  dtap-synth -n 400 --seed 7 --size mixed -o shots/ > train.jsonl\n"
                  "  dtap-train reader --arch crnn --data train.jsonl -o reader-crnn.pt --seed 1\n"
                  "  dtap-train reader --arch crnn --data train.jsonl -o reader-crnn.pt --epochs 12 --resume\n"
                  "  dtap-synth -n 60 --seed 1001 -o held/ > held.jsonl\n"
                  "  dtap-train eval-reader --model reader-crnn.pt --data held.jsonl");
  auto& app = tool.app();
  app.require_subcommand(1);
  app.fallthrough();  // shared options (--seed, --threads...) may follow the subcommand

  // reader
  dtap::ReaderTrainOptions ro;
  auto* reader = app.add_subcommand("reader", "Train a CTC text-line reader on crops of synthetic records");
  reader->add_option("--arch", ro.arch,
                     "Architecture: crnn (CNN + BiLSTM), conv (all-convolutional) or svtr (CNN stem + local/global "
                     "mixing blocks, a transformer)")
      ->check(CLI::IsMember({"crnn", "conv", "svtr"}))->capture_default_str();
  reader->add_option("--data", ro.data, "dtap-synth records (JSON Lines; repeatable); every words/pii entry is a line")
      ->required();
  reader->add_option("--val", ro.val, "Validation records, measured after each epoch (not the held-out seed 1001)");
  dtap::add_output_option(*reader, ro.output, "Checkpoint to write (manifest at OUTPUT.json)");
  reader->add_option("--epochs", ro.epochs, "Total epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  reader->add_option("--batch", ro.batch, "Lines per batch")->check(CLI::Range(1, 4096))->capture_default_str();
  reader->add_option("--lr", ro.lr, "Peak learning rate (Adam, warm-up then cosine)")->capture_default_str();
  reader->add_option("--max-lines", ro.max_lines, "Use only the first N lines (0 = all)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  reader->add_option("--val-lines", ro.val_lines, "Validation lines at most")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  reader->add_option("--stop-after", ro.stop_after, "Stop after N epochs in this run (go on later with --resume)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  bool no_augment = false;
  reader->add_flag("--no-augment", no_augment, "Train on clean crops (no blur/noise/JPEG/scale/contrast/affine)");
  add_training_options(tool, reader, ro.resume, "Go on training OUTPUT (weights, optimizer state, epochs done)",
                       ro.distributed);

  // eval-reader
  dtap::ReaderEvalOptions eo;
  auto* eval = app.add_subcommand("eval-reader", "Measure readers (exact-line accuracy, CER) on records' words/pii crops");
  eval->add_option("-m,--model", eo.models, "Reader checkpoint to measure (repeatable)")->required();
  eval->add_option("--data", eo.data, "Records to read (JSON Lines; repeatable)")->required();
  eval->add_option("--max-lines", eo.max_lines, "Read only the first N lines (0 = all)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  eval->add_option("--transform", eo.transforms,
                   "Also read after this transform chain of the whole page, e.g. jpeg:60 or scale:0.5 (repeatable)");
  eval->add_flag("--record", eo.record, "Write the figures into each model's manifest as \"heldout\"");

  // generator (DualTAP protector; logic in lib/nn/train_generator.cpp)
  dtap::GeneratorTrainOptions go;
  auto* gen = app.add_subcommand("generator", "Train the DualTAP protector generator against the surrogate readers");
  gen->add_option("--data", go.data, "dtap-synth records with ground truth (JSON Lines; repeatable)")->required();
  dtap::add_reader_option(*gen, go.readers, "The adversaries");
  dtap::add_output_option(*gen, go.output, "Checkpoint to write (manifest at OUTPUT.json)");
  gen->add_option("--epsilon", go.eps, "Bound of the perturbation inside the mask, [0,1] units")
      ->check(CLI::Range(0.001, 1.0))->capture_default_str();
  gen->add_option("--channels", go.channels, "U-Net widths, one per level")->expected(1, 6)->capture_default_str();
  gen->add_option("--steps", go.steps, "Total optimisation steps")->check(CLI::Range(1, 10000000))->capture_default_str();
  gen->add_option("--batch", go.batch, "Crops per step")->check(CLI::Range(1, 256))->capture_default_str();
  gen->add_option("--lr", go.lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  gen->add_option("--crop-width", go.crop_width, "Training crop width (pixels)")->check(CLI::Range(32, 4096))->capture_default_str();
  gen->add_option("--crop-height", go.crop_height, "Training crop height")->check(CLI::Range(32, 4096))->capture_default_str();
  gen->add_option("--crops-per-screen", go.crops_per_screen, "Crops around PII per screen")->check(CLI::Range(1, 64))->capture_default_str();
  gen->add_option("--max-screens", go.max_screens, "Use only the first N records (0 = all)")->check(CLI::NonNegativeNumber)->capture_default_str();
  gen->add_option("--eot-samples", go.eot_samples, "Router/messenger transformations per step")->check(CLI::Range(1, 64))->capture_default_str();
  gen->add_option("--alpha", go.alpha, "Weight of the task CTC (keep readable)")->capture_default_str();
  gen->add_option("--beta", go.beta, "Weight of the bounded privacy CTC (make unreadable)")->capture_default_str();
  gen->add_option("--kappa", go.kappa, "Bound of the privacy CTC per character")->check(CLI::PositiveNumber)->capture_default_str();
  gen->add_option("--lambda-out", go.lambda_out, "Weight of ||(1-M) delta||^2")->capture_default_str();
  gen->add_option("--lambda-tv", go.lambda_tv, "Weight of TV(delta)")->capture_default_str();
  gen->add_option("--lambda-l2", go.lambda_l2, "Weight of mean (delta/eps)^2 inside the mask (with --psnr-budget: its start)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  gen->add_option("--psnr-budget", go.psnr_budget,
                  "Hold the protected crops at this PSNR (dB) by adapting --lambda-l2 as a multiplier (0 = fixed weight)")
      ->check(CLI::Range(0.0, 80.0))->capture_default_str();
  gen->add_option("--budget-rate", go.budget_rate, "With --psnr-budget: the multiplier's step")
      ->check(CLI::PositiveNumber)->capture_default_str();
  gen->add_option("--lambda-prior", go.lambda_prior, "Weight of the line-band structure prior (0 = off)")->capture_default_str();
  gen->add_option("--prior-period", go.prior_period, "Structure prior: band period (pixels)")->check(CLI::Range(2, 256))->capture_default_str();
  gen->add_option("--prior-thickness", go.prior_thickness, "Structure prior: band thickness (pixels)")->check(CLI::Range(1, 255))->capture_default_str();
  gen->add_option("--checkpoint-every", go.checkpoint_every, "Steps between checkpoints (0 = only at the end)")->check(CLI::NonNegativeNumber)->capture_default_str();
  add_training_options(tool, gen, go.resume,
                       "Go on training OUTPUT (weights, optimizer state, steps done) up to --steps", go.distributed);

  // pii-lines (dtap-annotate's row-title classifier; plain C++)
  dtap::LineTrainRunOptions lo;
  auto* lines = app.add_subcommand("pii-lines", "Train dtap-annotate's line classifier (names and handles as row titles)");
  lines->add_option("--data", lo.data, "dtap-annotate output records (words with line numbers; repeatable)")->required();
  lines->add_option("--truth", lo.truth, "Records with the true pii, matched by id (repeatable)")->required();
  dtap::add_output_option(*lines, lo.output, "Model to write (JSON with its manifest)");
  lines->add_option("--epochs", lo.train.epochs, "Full-batch steps")->check(CLI::Range(1, 1000000))->capture_default_str();
  lines->add_option("--lr", lo.train.lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  lines->add_option("--l2", lo.train.l2, "L2 weight decay")->check(CLI::NonNegativeNumber)->capture_default_str();
  lines->add_option("--positive-weight", lo.train.positive_weight, "Weight of positive lines (> 1 favours recall)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  bool lines_no_lists = false;
  lines->add_flag("--no-name-lists", lines_no_lists, "Features without the shipped name lists");
  tool.add_force_option("OUTPUT", lines);

  // SUBCOMMANDS: add new ones here

  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    const dtap::RunContext context = tool.context();
    if (reader->parsed()) {
      ro.augment = !no_augment;
      return dtap::run_train_reader(ro, context);
    }
    if (eval->parsed()) return dtap::run_eval_reader(eo, context, std::cout);
    if (gen->parsed()) {
      return dtap::run_train_generator(go, context);
    }
    if (lines->parsed()) {
      lo.use_name_lists = !lines_no_lists;
      return dtap::run_train_pii_lines(lo, context, std::cout);
    }
    return 2;
  });
}
