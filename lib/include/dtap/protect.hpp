// dtap-protect's torch-free part: the methods, the baselines (mask, blur,
// mosaic, noise, decoy, none; lib/src/protect_baselines.cpp) and what the
// program shares with them. The program itself, the DualTAP generator and the
// per-image PGD baseline are in libdtap_nn (dtap/nn/protect.hpp).
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"

namespace dtap {

// Every --method, in the order the help lists them.
const std::vector<std::string>& protect_methods();  // dualtap pgd mask blur mosaic noise decoy none
// Methods that need no model and no LibTorch.
bool is_baseline_method(const std::string& method);

// Default --epsilon (L-infinity bound of the perturbation inside the mask, in
// [0,1] units) for dualtap, pgd and noise when neither the option nor the model
// gives one.
constexpr double kDefaultEpsilon = 0.25;
// Structure prior of the generator's training and of PGD: bands `thickness` rows
// thick every `period` rows (absolute image rows) across the PII text, darkening on
// light backgrounds. Drawn by hand at eps 0.4 on 20 held-out screens against
// Tesseract: 5/2 PLR 0.26 at 30.1 dB, 6/2 0.38 at 30.6 dB, 8/3 0.53 at 30.0 dB,
// 4/1 0.83; lighter bands (eps 0.32) barely work (5/2: 0.88). Learned on top
// (generator, eps 0.37, l2 0.6), 6/2 won: PLR 0.28 at 30.6 dB, 0.22 after
// scale:0.5, where 5/2 gave 0.25 at 30.0 dB but 0.44 after scale:0.5, 8/3 0.42.
constexpr int kPriorPeriod = 6, kPriorThickness = 2;
// Weight of mean (delta/eps)^2 inside the mask in the objective of pgd and, as a
// fixed weight, of the generator's training (default): it trades PLR for PSNR.
// The shipped generator is trained without the prior and with a PSNR budget
// instead (dtap-train generator --psnr-budget, scripts/train-generator.sh);
// the figures below are those of the earlier, band-prior model. Chosen on 40 validation
// screens (dtap-synth seed 3003, neither training nor held-out), 400 steps, 6/2
// prior: eps 0.37 / l2 0.6 PLR 0.31 at 30.56 dB; 0.38 / 0.7 0.27 at 30.52;
// 0.38 / 0.8 0.24 at 30.50; 0.40 / 1.0 0.37 at 30.46; 0.36 / 0.4 0.24 at 30.14.
// Another training seed at 0.38 / 0.8 gave 0.37 at 30.88: seeds spread as much.
constexpr double kL2Weight = 0.8;

// --shard K/N. Throws UsageError for anything else.
struct Shard {
  int index = 1;  // K, 1-based
  int count = 1;  // N
  // Whether the record number `i` (0-based position in the input) belongs to this shard.
  bool contains(std::size_t i) const { return static_cast<int>(i % static_cast<std::size_t>(count)) == index - 1; }
};
Shard parse_shard(const std::string& text);

// The record's PII boxes (from "pii", as dtap-annotate wrote them), as
// pixel_rect rounds them. Throws dtap::Error for a
// malformed "pii" field.
std::vector<cv::Rect> pii_rects(const Json& record, cv::Size image_size);

// 1 inside the rectangles, 0 elsewhere (CV_32F).
cv::Mat rect_mask(cv::Size size, const std::vector<cv::Rect>& rects);

// The torch-free baselines on an RGB CV_32FC3 [0,1] image:
//   mask   fill each PII box with its background colour (median of the box border), Presidio style
//   blur   Gaussian blur inside each box (sigma = box height / 4)
//   mosaic pixelate each box (cells of box height / 3, at least 4 px)
//   noise  uniform noise in [-eps, eps] times `mask` (the attention; the boxes when empty)
//   decoy  random glyphs of the value's height overprinted on each box, true and decoy
//          strokes brought to the same contrast; each channel moves by at most eps
//          (times `mask` when given): a hand-made bar for the learned generator
//   none   unchanged copy
// mask, blur and mosaic are unbounded at epsilon >= 1; below 1 each channel
// moves by at most epsilon (an L-infinity budget like the generator's).
// Only pixels inside the boxes (or where mask > 0) change. `seed` drives noise and decoy.
cv::Mat protect_baseline(const cv::Mat& rgb, const std::vector<cv::Rect>& boxes, const std::string& method,
                         double epsilon, std::uint64_t seed, const cv::Mat& mask = cv::Mat());

// Loads the record's "attention" PNG as CV_32F [0,1] of `size`; an empty Mat
// when the record has none. Throws dtap::Error when it is missing, unreadable
// or of another size.
cv::Mat load_record_attention(const Json& record, cv::Size size);

}  // namespace dtap
