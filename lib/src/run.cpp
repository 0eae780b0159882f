#include "dtap/run.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"

namespace fs = std::filesystem;

namespace dtap {

std::string version_string() { return std::string(DTAP_VERSION) + " (git " + DTAP_GIT_REV + ")"; }

int default_thread_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

BatchOptions batch_options(const RunContext& context, const std::string& label) {
  BatchOptions b;
  b.label = label;
  b.jobs = context.jobs;
  b.keep_going = context.keep_going;
  b.redact_text = context.redact_text;
  if (!context.resume.empty()) b.resume = std::make_shared<const ResumeLog>(ResumeLog::load(context.resume));
  return b;
}

ResumeLog ResumeLog::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--resume: cannot read '" + path + "'");
  // `prog --resume out.jsonl > out.jsonl`: the shell has emptied the file already.
  struct stat given {}, written {};
  if (::stat(path.c_str(), &given) == 0 && ::fstat(STDOUT_FILENO, &written) == 0 && given.st_dev == written.st_dev &&
      given.st_ino == written.st_ino)
    throw UsageError("--resume '" + path + "' is also this run's stdout (the shell emptied it): write to a new file");
  ResumeLog log;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: the line an interrupted run was writing
    if (line.empty()) continue;
    Json record;
    try {
      record = Json::parse(line);
    } catch (const std::exception&) {
      continue;  // cut short or garbled: processed again
    }
    if (!record.is_object() || record.contains("summary")) continue;
    if (record.contains("error") && !record["error"].is_null()) continue;  // failed: tried again
    std::string name = record_name(record);  // before the move: Json's assignment takes its argument by value
    log.records_[name] = std::move(record);
  }
  return log;
}

std::optional<Json> ResumeLog::find(const Json& input) const {
  auto it = records_.find(record_name(input));
  if (it == records_.end()) return std::nullopt;
  const Json& done = it->second;
  if (input.contains("image") && done.value("image", Json()) != input["image"]) return std::nullopt;
  return done;
}

namespace {

bool process_one(Json& record, const RecordProcessor& process, const std::shared_ptr<const ResumeLog>& resume,
                 const std::function<bool(const Json&)>& still_complete, BatchStats& stats, std::mutex& stats_mutex) {
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
  if (resume) {
    if (auto done = resume->find(record); done && (!still_complete || still_complete(*done))) {
      record = std::move(*done);
      std::lock_guard<std::mutex> lock(stats_mutex);
      ++stats.resumed;
      return true;
    }
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
      bool ok = process_one(record, process, options.resume, options.still_complete, stats, stats_mutex);
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
  if (stats.resumed > 0)
    log::info(std::to_string(stats.resumed) + " records taken from the --resume stream, " +
              std::to_string(stats.processed) + " processed");
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
