// Running an external program (an MLLM client) as a router or agent.
#pragma once
#include <string>
#include <vector>

namespace dtap {

// Splits a command line into arguments, honouring '...' and "..." quotes and
// backslash escapes (no shell is involved). Throws UsageError on an unclosed quote.
std::vector<std::string> split_command(const std::string& command);

struct CommandResult {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr (drained concurrently, so a chatty program cannot deadlock)
  double ms = 0;
};

// Runs `args` (args[0] looked up on PATH when it has no '/'), stdin closed.
// Throws dtap::Error when it cannot start or runs past `timeout_s` (then it
// and its children are killed). A non-zero exit is returned, not thrown.
CommandResult run_command(const std::vector<std::string>& args, double timeout_s);

// Substitutes {image} and {question} inside each argument of a command template.
std::vector<std::string> expand_command(const std::vector<std::string>& command_template, const std::string& image,
                                        const std::string& question);

}  // namespace dtap
