// The option and batch layer every dtap program shares (like llama.cpp's common/).
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "dtap/record.hpp"

namespace dtap {

std::string version_string();  // "0.1.0 (git abc123)"

struct CommonOptions {
  std::string device = "auto";  // cpu | cuda | auto
  int threads = 0;              // 0 = number of cores
  std::uint64_t seed = 0;
  bool quiet = false;
  bool verbose = false;
  bool keep_going = true;
  bool force = false;
  std::int64_t max_pixels = 50'000'000;
  bool redact_text = false;
  int resolved_threads() const;
};

// A program: its CLI11 app with the shared options already registered.
// Shared options also read DTAP_<NAME> environment variables and a TOML file
// given with --config.
class Tool {
 public:
  Tool(std::string name, std::string description, std::string example);
  CLI::App& app() { return app_; }
  CommonOptions& common() { return common_; }
  const std::string& name() const { return name_; }

  // Parses argv. Returns -1 when the program should go on, else the exit code
  // to return (0 for --help/--version, 2 for usage errors; CLI11's own 100+
  // codes are mapped to 2). Also sets up logging.
  int parse(int argc, char** argv);

  // Runs `body`, mapping exceptions to exit codes: UsageError -> 2 with a
  // one-line message; anything else -> 1.
  int run(const std::function<int()>& body);

 private:
  std::string name_;
  CLI::App app_;
  CommonOptions common_;
};

// Batch processing of records with --keep-going semantics.
struct BatchStats {
  std::size_t processed = 0;
  std::size_t failed = 0;       // records this program marked with an error
  std::size_t passed_on = 0;    // records that arrived with an error and were passed on
  int exit_code() const { return failed ? 1 : 0; }
};

struct BatchOptions {
  std::string label = "records";  // progress bar label
  int jobs = 1;                   // parallel workers; output order is kept
  bool keep_going = true;
  bool redact_text = false;
};

// Reads records from `next`, calls `process` on each (in `jobs` threads), and
// writes each to `out` in input order. A dtap::Error or std::exception thrown
// by `process` becomes `"error": "<tool>: <message>"` in that record. Records
// that arrive with an error are passed on untouched. Without keep_going the
// batch stops after the first failure.
using RecordProcessor = std::function<void(Json& record)>;
BatchStats run_batch(const std::function<std::optional<Json>()>& next, const RecordProcessor& process,
                     std::ostream& out, const BatchOptions& options);

// Where shipped data lives: $DTAP_DATA_DIR, else <exe>/../share/dtap, else the
// source tree's share/dtap.
std::string data_dir();
std::string data_path(const std::string& relative);

}  // namespace dtap
