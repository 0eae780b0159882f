#include "dtap/cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"

namespace fs = std::filesystem;

namespace dtap {

std::string version_string() { return std::string(DTAP_VERSION) + " (git " + DTAP_GIT_REV + ")"; }

int CommonOptions::resolved_threads() const {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

Tool::Tool(std::string name, std::string description, std::string example)
    : name_(std::move(name)), app_(std::move(description), name_) {
  log::setup(name_, false);
  app_.set_version_flag("--version", name_ + " " + version_string());
  app_.set_config("--config", "", "Read options from a TOML file (keys are long option names)");
  app_.get_config_ptr()->group("Common options");
  app_.footer("Example:\n" + example + "\n\nEvery common option can also be set as DTAP_<NAME> in the environment\n"
              "(e.g. DTAP_THREADS=2). Records go to stdout, messages to stderr.\n"
              "Exit status: 0 ok, 1 some record failed, 2 usage error.");
  const std::string g = "Common options";
  app_.add_option("--device", common_.device, "Compute device: cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))->envname("DTAP_DEVICE")->capture_default_str()->group(g);
  app_.add_option("--threads", common_.threads, "Threads to use (0 = all cores)")
      ->check(CLI::Range(0, 1024))->envname("DTAP_THREADS")->capture_default_str()->group(g);
  app_.add_option("--seed", common_.seed, "Seed for every random choice")
      ->envname("DTAP_SEED")->capture_default_str()->group(g);
  app_.add_flag("-q,--quiet", common_.quiet, "Only warnings and errors on stderr, no progress bar")
      ->envname("DTAP_QUIET")->group(g);
  app_.add_flag("-v,--verbose", common_.verbose, "Debug messages on stderr")->envname("DTAP_VERBOSE")->group(g);
  app_.add_flag("--keep-going,!--fail-fast", common_.keep_going,
                "Keep processing after a record fails (default); --fail-fast stops at the first")
      ->envname("DTAP_KEEP_GOING")->group(g);
  app_.add_option("--max-pixels", common_.max_pixels, "Refuse images with more pixels than this")
      ->check(CLI::PositiveNumber)->envname("DTAP_MAX_PIXELS")->capture_default_str()->group(g);
}

int Tool::parse(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app_.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app_.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app_.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::cerr << name_ << ": usage error: " << what << " (see " << name_ << " --help)\n";
    return 2;
  }
  log::setup(name_, common_.quiet, common_.verbose);
  return -1;
}

int Tool::run(const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << name_ << ": usage error: " << e.what() << " (see " << name_ << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
}

namespace {

bool process_one(Json& record, const RecordProcessor& process, BatchStats& stats, std::mutex& stats_mutex) {
  if (record.contains("error") && !record["error"].is_null()) {
    // An error this program wrote while reading (a malformed input line) is
    // its own failure; one from an earlier program is passed on.
    const Json& error = record["error"];
    bool own = error.is_string() && error.get<std::string>().rfind(log::tool_name() + ": ", 0) == 0;
    if (own) log::error(error.get<std::string>().substr(log::tool_name().size() + 2));
    std::lock_guard<std::mutex> lock(stats_mutex);
    ++(own ? stats.failed : stats.passed_on);
    return !own;
  }
  std::string failure;
  try {
    process(record);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  std::lock_guard<std::mutex> lock(stats_mutex);
  ++stats.processed;
  if (!failure.empty()) {
    ++stats.failed;
    record["error"] = log::tool_name() + ": " + failure;
    log::error(record_name(record) + ": " + failure);
    return false;
  }
  if (!record.contains("error")) record["error"] = nullptr;
  return true;
}

}  // namespace

BatchStats run_batch(const std::function<std::optional<Json>()>& next, const RecordProcessor& process,
                     std::ostream& out, const BatchOptions& options) {
  BatchStats stats;
  std::mutex stats_mutex;
  log::Progress progress(options.label, 0);
  const std::size_t jobs = static_cast<std::size_t>(std::max(1, options.jobs));
  // Persistent workers (so per-thread engines such as Tesseract are made
  // once); the calling thread reads input and writes results in input order,
  // keeping at most 2 * jobs records in flight.
  struct Slot {
    Json record;
    bool done = false;
    bool ok = true;
  };
  std::mutex mutex;
  std::condition_variable work_ready, result_ready;
  std::map<std::size_t, Slot> slots;
  std::deque<std::size_t> queue;
  bool closing = false;
  auto worker = [&] {
    for (;;) {
      std::size_t index;
      Json record;
      {
        std::unique_lock<std::mutex> lock(mutex);
        work_ready.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        index = queue.front();
        queue.pop_front();
        record = std::move(slots[index].record);
      }
      bool ok = process_one(record, process, stats, stats_mutex);
      progress.advance();
      {
        std::lock_guard<std::mutex> lock(mutex);
        slots[index].record = std::move(record);
        slots[index].ok = ok;
        slots[index].done = true;
      }
      result_ready.notify_all();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < jobs; ++w) workers.emplace_back(worker);

  std::size_t read = 0, written = 0;
  bool input_done = false, stop = false;
  while (!stop) {
    while (!input_done && read - written < 2 * jobs) {
      auto record = next();
      if (!record) {
        input_done = true;
        break;
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        slots[read].record = std::move(*record);
        queue.push_back(read);
      }
      ++read;
      work_ready.notify_one();
    }
    if (written == read) break;
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mutex);
      result_ready.wait(lock, [&] { return slots[written].done; });
      slot = std::move(slots[written]);
      slots.erase(written);
    }
    ++written;
    if (options.redact_text) redact_pii_text(slot.record);
    write_record(out, slot.record);
    if (!slot.ok && !options.keep_going) {
      log::error("stopping at the first failure (--fail-fast)");
      stop = true;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    closing = true;
    queue.clear();  // with --fail-fast, records not yet started are dropped
  }
  work_ready.notify_all();
  for (auto& t : workers) t.join();
  progress.finish();
  if (stats.failed > 0)
    log::warn(std::to_string(stats.failed) + " of " + std::to_string(stats.processed) + " records failed");
  return stats;
}

std::string data_dir() {
  if (const char* env = std::getenv("DTAP_DATA_DIR"); env != nullptr && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = exe.parent_path().parent_path() / "share" / "dtap";
    if (fs::is_directory(beside, ec)) return beside.string();
  }
  if (fs::is_directory(DTAP_INSTALL_SHARE, ec)) return DTAP_INSTALL_SHARE;
  return DTAP_SOURCE_SHARE;
}

std::string data_path(const std::string& relative) { return (fs::path(data_dir()) / relative).string(); }

}  // namespace dtap
