// dtap-train generator: train the DualTAP protector (torch-free interface).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dtap/run.hpp"
#include "dtap/nn/distributed_options.hpp"
#include "dtap/protect.hpp"

namespace dtap {

struct GeneratorTrainOptions {
  std::vector<std::string> data;      // dtap-synth records with ground truth (JSON Lines, repeatable)
  std::vector<std::string> readers;   // surrogate reader checkpoints (ensemble); empty = the shipped ones
  std::string output;                 // checkpoint; manifest at output + ".json"
  std::vector<std::int64_t> channels = {8, 16, 32, 64};
  std::int64_t groups = 4;
  double eps = 0.4;
  int steps = 600;                    // total optimisation steps (also with --resume)
  int batch = 4;                      // crops per step
  double lr = 2e-3;                   // Adam
  int crop_width = 384, crop_height = 128;
  int crops_per_screen = 4;
  int max_screens = 0;                // 0 = all records given
  int eot_samples = 2;                // transformations per step
  double alpha = 1.0, beta = 1.0, kappa = 3.0;
  double lambda_out = 0.05, lambda_tv = 0.01, lambda_l2 = kL2Weight;
  // > 0: a quality budget instead of a fixed lambda_l2: the training holds the
  // protected crops' PSNR (dB, whole crop) at this value by adapting lambda_l2
  // as a Lagrange multiplier (starting at lambda_l2, raised while the crops are
  // below the budget, lowered to 0 at least while above), so privacy is bought
  // with a fixed amount of distortion whatever the reader ensemble.
  double psnr_budget = 0;
  double budget_rate = 0.05;          // multiplier step per step and unit of relative MSE excess
  // Structure prior (line bands across the glyphs, see protect.hpp): weight,
  // band period and thickness in pixels. An ablation only, off by default: it
  // was drawn against one reader (Tesseract's binarisation), and the shipped
  // model must learn what transfers from the surrogate readers alone.
  double lambda_prior = 0.0;
  int prior_period = kPriorPeriod, prior_thickness = kPriorThickness;
  double val_fraction = 0.1;          // crops held out for the final metrics
  int checkpoint_every = 100;
  // Data parallel over N processes (c10d, Gloo): each rank draws its own
  // batch; gradients are averaged; rank 0 writes the checkpoint.
  DistributedOptions distributed;
  bool resume = false;
};

// Trains and writes the checkpoint + manifest; returns the exit code.
int run_train_generator(const GeneratorTrainOptions& options, const RunContext& context);

}  // namespace dtap
