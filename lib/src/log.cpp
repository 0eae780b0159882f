#include "dtap/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

namespace dtap::log {
namespace {
std::string g_tool = "dtap";
bool g_quiet = false;
bool g_verbose = false;
std::mutex g_write_mutex;

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02d:%02d", s / 60, s % 60);
  return buf;
}
}  // namespace

void setup(const std::string& tool, bool quiet, bool verbose) {
  g_tool = tool;
  g_quiet = quiet;
  g_verbose = verbose;
}
const std::string& tool_name() { return g_tool; }
bool quiet() { return g_quiet; }

bool stderr_is_fancy() {
  if (std::getenv("NO_COLOR") != nullptr) return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(STDERR_FILENO) == 1;
}

void write(Level level, const std::string& message) {
  if (level == Level::debug && !g_verbose) return;
  if (level == Level::info && g_quiet) return;
  static const char* names[] = {"debug", "info", "warning", "error"};
  const bool colour = stderr_is_fancy();
  static const char* colours[] = {"\033[2m", "", "\033[33m", "\033[31m"};
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::ostringstream line;
  line << g_tool << ": ";
  if (level != Level::info) {
    if (colour) line << colours[static_cast<int>(level)];
    line << names[static_cast<int>(level)] << ": ";
    if (colour) line << "\033[0m";
  }
  line << message << '\n';
  std::cerr << line.str() << std::flush;
}

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total), enabled_(stderr_is_fancy() && !g_quiet) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::advance(std::size_t n, const std::string& extra) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += n;
  if (!extra.empty()) extra_ = extra;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100) || (total_ && done_ >= total_)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::set_extra(const std::string& extra) {
  std::lock_guard<std::mutex> lock(mutex_);
  extra_ = extra;
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (done_ > 0) draw(true);
}

void Progress::draw(bool final) {
  if (!enabled_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  std::ostringstream line;
  line << "\r\033[K" << g_tool << ": " << label_ << ' ';
  if (total_ > 0) {
    const int width = 24;
    int filled = static_cast<int>(width * std::min<double>(1.0, double(done_) / total_));
    line << '[' << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done_ << '/' << total_;
  } else {
    line << done_;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.2f/s", rate);
  line << buf;
  if (total_ > 0 && !final) line << " ETA " << format_duration(rate > 0 ? (total_ - done_) / rate : -1);
  if (final) line << " in " << format_duration(elapsed);
  if (!extra_.empty()) line << ' ' << extra_;
  if (final) line << '\n';
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::cerr << line.str() << std::flush;
}

}  // namespace dtap::log
