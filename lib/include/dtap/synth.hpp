// dtap-synth: PrivScreen-style synthetic phone screenshots with exact ground truth.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dtap/record.hpp"
#include "dtap/run.hpp"

namespace dtap {

struct SynthOptions {
  int count = 20;
  int first_index = 0;             // screen numbers start here (to extend a set)
  std::uint64_t seed = 0;          // the set's seed (dtap-synth's --seed): screens depend only on it and their index
  std::string out_dir;             // required
  std::string size = "1080x2400";  // WxH, or "mixed" (1080x2400, 720x1600, 1170x2532)
  std::string theme = "mixed";     // light | dark | mixed
  std::vector<std::string> templates;  // empty = all
  std::string format = "records";  // records | privscreen
  // Where person names come from: "shipped" (pii/first_names.txt, also in
  // dtap-annotate's lists) or "heldout" (names dtap-annotate's lists never
  // hold, so detection is measured on names it cannot look up).
  std::string names = "shipped";
  // Font families: "core" (Roboto, Noto Sans, DejaVu Sans; every held-out
  // figure uses it) or "wide" (23 Latin families, for training readers).
  std::string fonts = "core";
};

const std::vector<std::string>& synth_templates();

struct SynthScreen {
  Json record;    // without "image" (the caller decides where it goes)
  cv::Mat image;  // BGR8
};

// Renders screen number `index`; depends only on (options, index), so the
// result is the same whatever the thread count. Throws dtap::UsageError for
// bad options (unknown template, size or theme).
SynthScreen render_synth_screen(const SynthOptions& options, int index);

// Renders options.count screens into options.out_dir (context.jobs in
// parallel) and writes one record per screen to `out` (in index order).
// Returns the batch exit code.
int run_synth(const SynthOptions& options, const RunContext& context, std::ostream& out);

}  // namespace dtap
