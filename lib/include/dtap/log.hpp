// stderr logging and progress bars. stdout is reserved for records.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace dtap::log {

enum class Level { debug, info, warn, error };

// Set once by the option layer: the program name used as prefix and the quiet flag.
void setup(const std::string& tool, bool quiet, bool verbose = false);
const std::string& tool_name();
bool quiet();
// Whether stderr may carry colour and bars: a TTY, no NO_COLOR, TERM not "dumb".
bool stderr_is_fancy();

void write(Level level, const std::string& message);
inline void debug(const std::string& m) { write(Level::debug, m); }
inline void info(const std::string& m) { write(Level::info, m); }
inline void warn(const std::string& m) { write(Level::warn, m); }
inline void error(const std::string& m) { write(Level::error, m); }

// A one-line progress bar (items, rate, ETA) on stderr. Silent when stderr is
// not fancy or --quiet. Thread-safe. `extra` is shown after the rate (losses...).
class Progress {
 public:
  Progress(std::string label, std::size_t total);
  ~Progress();
  void advance(std::size_t n = 1, const std::string& extra = "");
  void set_extra(const std::string& extra);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::string extra_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace dtap::log
