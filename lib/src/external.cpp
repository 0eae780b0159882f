#include "dtap/external.hpp"

#include <chrono>
#include <future>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>

#include "dtap/error.hpp"

namespace bp = boost::process;

namespace dtap {

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> args;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < command.size()) cur.push_back(command[++i]);
      else cur.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      cur.push_back(command[++i]);
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) args.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (quote) throw UsageError("unclosed quote in command: " + command);
  if (in_word) args.push_back(cur);
  return args;
}

std::vector<std::string> expand_command(const std::vector<std::string>& tmpl, const std::string& image,
                                        const std::string& question) {
  std::vector<std::string> out;
  for (std::string arg : tmpl) {
    for (const auto& [key, value] : {std::pair<std::string, const std::string&>{"{image}", image},
                                     std::pair<std::string, const std::string&>{"{question}", question}}) {
      for (std::size_t pos = 0; (pos = arg.find(key, pos)) != std::string::npos; pos += value.size())
        arg.replace(pos, key.size(), value);
    }
    out.push_back(arg);
  }
  return out;
}

CommandResult run_command(const std::vector<std::string>& args, double timeout_s) {
  if (args.empty()) throw Error("empty command");
  boost::filesystem::path exe = args[0];
  if (args[0].find('/') == std::string::npos) {
    exe = bp::search_path(args[0]);
    if (exe.empty()) throw Error("command '" + args[0] + "' not found on PATH");
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  boost::asio::io_context io;
  std::future<std::string> out, err;
  bp::group group;
  auto start = std::chrono::steady_clock::now();
  bp::child child;
  try {
    // Boost.Process makes its pipes without O_CLOEXEC and closes the parent's write ends only after
    // the fork: a child forked meanwhile by another thread would inherit them, and this call would
    // then wait for that (maybe hanging) child before its output reached EOF. Spawn one at a time.
    static std::mutex spawn_mutex;
    std::lock_guard<std::mutex> lock(spawn_mutex);
    child = bp::child(exe, bp::args(rest), bp::std_in.close(), bp::std_out > out, bp::std_err > err, io, group);
  } catch (const std::exception& e) {
    throw Error("cannot start '" + args[0] + "': " + e.what());
  }
  io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(timeout_s)));
  if (!io.stopped()) {
    std::error_code ec;
    group.terminate(ec);
    child.wait(ec);
    throw Error("command '" + args[0] + "' timed out after " + std::to_string(static_cast<int>(timeout_s)) +
                " s (killed)");
  }
  std::error_code ec;
  child.wait(ec);
  CommandResult result;
  result.exit_code = child.exit_code();
  result.out = out.get();
  result.err = err.get();
  result.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace dtap
