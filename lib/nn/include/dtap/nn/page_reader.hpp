// The neural page reader that dtap-eval's reader[:MODEL] router and agent use.
#pragma once
#include <memory>
#include <string>

#include "dtap/eval.hpp"

namespace dtap {

// The neural page reader (defined in libdtap_nn): dtap's text-line detector
// (detect_text_lines), long lines cut at word gaps, each piece read by the
// reader checkpoint `model` ("" = share/dtap/models/reader-conv.pt); words get
// boxes in proportion to their characters. Throws dtap::Error for a bad model.
std::unique_ptr<PageReader> make_model_page_reader(const std::string& model);

}  // namespace dtap
