// How every dtap program runs, without any command-line parsing: the run-wide
// settings (RunContext), the record batch engine, and where shipped data lives.
// The programs' mains fill a RunContext from their options (dtap/cli.hpp) and
// call run_<tool>(const <Tool>Options&, const RunContext&, in, out).
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dtap/image.hpp"
#include "dtap/record.hpp"

namespace dtap {

std::string version_string();  // "0.1.0 (git abc123)"

struct RunContext {
  std::string device = "cpu";   // cpu | cuda | auto (resolved by configure_torch)
  int threads = 1;              // compute threads (resolved: never 0)
  int jobs = 1;                 // records processed in parallel (resolved: never 0)
  std::uint64_t seed = 0;
  std::int64_t max_pixels = kDefaultMaxPixels;
  bool keep_going = true;       // false: --fail-fast
  bool force = false;           // replace outputs left by an earlier run (never an input)
  bool redact_text = false;     // PII text in output records becomes {sha256, len}
  bool quiet = false;
  std::string resume;           // an earlier, interrupted output stream of the same command
};

// Threads when none are asked for: the number of cores.
int default_thread_count();

// Batch processing of records with --keep-going semantics.
struct BatchStats {
  std::size_t processed = 0;
  std::size_t failed = 0;       // records this program marked with an error
  std::size_t passed_on = 0;    // records that arrived with an error and were passed on
  std::size_t resumed = 0;      // records taken from the --resume stream
  int exit_code() const { return failed ? 1 : 0; }
};

// --resume: the complete records of an interrupted run's output. A record of the
// new input is taken from it (not processed again) when one with the same id and
// image is there, without an error, and `still_complete` (when set) accepts it,
// e.g. its output file is still there and readable. The last line of an
// interrupted stream may be cut short: it is ignored.
class ResumeLog {
 public:
  ResumeLog() = default;
  // Throws UsageError when the file cannot be read or is the stream being written.
  static ResumeLog load(const std::string& path);
  std::optional<Json> find(const Json& input) const;
  std::size_t size() const { return records_.size(); }

 private:
  std::map<std::string, Json> records_;  // by record_name
};

using RecordProcessor = std::function<void(Json& record)>;

struct BatchOptions {
  std::string label = "records";  // progress bar label
  int jobs = 1;                   // parallel workers; output order is kept
  bool keep_going = true;
  bool redact_text = false;
  std::shared_ptr<const ResumeLog> resume;               // records done by an earlier run
  std::function<bool(const Json&)> still_complete;       // with resume: is a done record's output intact?
};
// The batch settings of a run (loads context.resume: throws UsageError when unreadable).
BatchOptions batch_options(const RunContext& context, const std::string& label);

// Reads records from `next`, calls `process` on each (in `jobs` threads), and
// writes each to `out` in input order. A dtap::Error or std::exception thrown
// by `process` becomes `"error": "<tool>: <message>"` in that record. Records
// that arrive with an error are passed on untouched. Without keep_going the
// batch stops after the first failure.
BatchStats run_batch(const std::function<std::optional<Json>()>& next, const RecordProcessor& process,
                     std::ostream& out, const BatchOptions& options);

// Where shipped data lives: $DTAP_DATA_DIR, else <exe>/../share/dtap, else the
// source tree's share/dtap.
std::string data_dir();
std::string data_path(const std::string& relative);

}  // namespace dtap
