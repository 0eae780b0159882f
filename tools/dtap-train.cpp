// dtap-train: train the surrogate readers and the protector generator.
#include <iostream>

#include "dtap/cli.hpp"
#include "dtap/train_reader.hpp"

int main(int argc, char** argv) {
  dtap::Tool tool("dtap-train",
                  "Train dtap's models: the surrogate text-line readers (reader), measure them on\n"
                  "held-out records (eval-reader), and train the protector generator (generator).",
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
  reader->add_option("--arch", ro.arch, "Architecture: crnn (CNN + BiLSTM) or conv (all-convolutional)")
      ->check(CLI::IsMember({"crnn", "conv"}))->capture_default_str();
  reader->add_option("--data", ro.data, "dtap-synth records (JSON Lines; repeatable); every words/pii entry is a line")
      ->required();
  reader->add_option("--val", ro.val, "Validation records, measured after each epoch (not the held-out seed 1001)");
  reader->add_option("-o,--output", ro.output, "Checkpoint to write (manifest at OUTPUT.json)")->required();
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
  reader->add_flag("--resume", ro.resume, "Go on training OUTPUT (weights, optimizer state, epochs done)");
  reader->add_flag("--force", ro.force, "Replace an existing OUTPUT");

  // eval-reader
  dtap::ReaderEvalOptions eo;
  auto* eval = app.add_subcommand("eval-reader", "Measure readers (exact-line accuracy, CER) on records' words/pii crops");
  eval->add_option("-m,--model", eo.models, "Reader checkpoint (repeatable)")->required();
  eval->add_option("--data", eo.data, "Records to read (JSON Lines; repeatable)")->required();
  eval->add_option("--max-lines", eo.max_lines, "Read only the first N lines (0 = all)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  eval->add_flag("--record", eo.record, "Write the figures into each model's manifest as \"heldout\"");

  // SUBCOMMANDS: add new ones here

  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    if (reader->parsed()) {
      ro.augment = !no_augment;
      return dtap::run_train_reader(ro, tool.common());
    }
    if (eval->parsed()) return dtap::run_eval_reader(eo, tool.common(), std::cout);
    return 2;
  });
}
