// Training and evaluating the surrogate readers (dtap-train reader / eval-reader), torch-free interface.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "dtap/run.hpp"
#include "dtap/nn/distributed_options.hpp"

namespace dtap {

// Screens of this dtap-synth seed are the held-out set: training refuses them.
constexpr std::uint64_t kHeldOutSynthSeed = 1001;

struct ReaderTrainOptions {
  std::string arch = "crnn";        // crnn | conv
  std::vector<std::string> data;    // dtap-synth record files (JSON Lines)
  std::string val;                  // optional validation records (measured after each epoch)
  std::string output;               // checkpoint path; manifest at output + ".json"
  int epochs = 10;                  // total epochs (with --resume: up to this many)
  int batch = 32;
  double lr = 2e-3;
  bool augment = true;
  bool resume = false;              // go on from `output` (weights, optimizer, epoch)
  int max_lines = 0;                // 0 = every words/pii entry; else the first N (tests)
  int val_lines = 2000;             // validation lines measured per epoch at most
  int stop_after = 0;               // stop after this many epochs in this run (0 = no limit; time-boxing)
  // Data parallel over N processes (c10d, Gloo): each rank trains on its
  // share of the batches; gradients are averaged; rank 0 writes the checkpoint.
  DistributedOptions distributed;
};

// Trains a reader on crops of every `words` / `pii` entry of the records.
// Progress on stderr; checkpoint + manifest written after each epoch
// (atomically), plus output + ".state" (optimizer, for --resume). Returns the
// exit code.
int run_train_reader(const ReaderTrainOptions& options, const RunContext& context);

struct ReaderEvalOptions {
  std::vector<std::string> models;  // checkpoints
  std::vector<std::string> data;    // records whose words/pii are read
  bool record = false;              // write the figures into each model's manifest ("heldout")
  int max_lines = 0;                // 0 = all
  std::vector<std::string> transforms;  // also read after each chain ("jpeg:60", "scale:0.5")
};

// Reads every words/pii crop with each model (no augmentation) and writes one
// JSON object per model to `out`: lines, exact-line accuracy, CER, seconds, and
// per transform chain (applied to the whole page before cropping) the same.
int run_eval_reader(const ReaderEvalOptions& options, const RunContext& context, std::ostream& out);

}  // namespace dtap
