// dtap-protect: the program (records in, protected PNGs and records out).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "dtap/protect.hpp"
#include "dtap/run.hpp"

namespace dtap {

struct ProtectOptions {
  std::string method = "dualtap";
  std::string model;            // dualtap: checkpoint; empty = data_path("models/generator.pt")
  double epsilon = -1;          // < 0: the model's own eps (dualtap), else kDefaultEpsilon
  std::string out_dir;          // required: protected PNGs go here
  // Attention when a record has none: "box" (filled PII boxes) or "contrast"
  // (dtap-attend's contrastive map from the surrogate readers).
  std::string attention = "box";
  std::vector<std::string> readers;  // pgd (and contrast attention): reader checkpoints; empty = shipped
  int steps = 40;               // pgd: optimisation steps per image
  double pgd_lr = 0.1;          // pgd: Adam step size on the pre-tanh perturbation
  int eot_samples = 2;          // pgd: EOT samples per step
  std::string shard;            // "K/N" (1 <= K <= N): only records K, K+N, K+2N... (1-based)
  std::vector<std::string> inputs;  // image paths or folders; empty = records from the input stream
};

// The whole of dtap-protect: records from options.inputs or `in`, protected
// PNGs in options.out_dir (named by record_output_path), records with
// "protected" and "protect" to `out`. With context.resume, a record whose PNG
// is still there and readable is passed on from the earlier stream. Returns the
// exit code (0, or 1 when a record failed). Implemented in lib/nn (it needs
// LibTorch for dualtap and pgd).
int run_protect(const ProtectOptions& options, const RunContext& context, std::istream& in, std::ostream& out);

}  // namespace dtap
