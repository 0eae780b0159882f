// The option table every dtap program shares (like llama.cpp's common/arg):
// the common options, and the option groups registered by one function each,
// so that an option name has one meaning in every program. Only the programs'
// mains include this (CLI11); the library takes a RunContext (dtap/run.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "dtap/run.hpp"

namespace dtap {

struct OcrOptions;

// A program: its CLI11 app with the common options already registered.
// Common options also read DTAP_<NAME> environment variables and a TOML file
// given with --config.
class Tool {
 public:
  Tool(std::string name, std::string description, std::string example);
  CLI::App& app() { return app_; }
  const std::string& name() const { return name_; }

  // Option groups (on `on`, default the program itself; a subcommand for dtap-train):
  // -j,--jobs: records processed in parallel (0 = as many as --threads).
  void add_jobs_option(int default_jobs, CLI::App* on = nullptr);
  // --force: replace outputs an earlier run left (never an input).
  void add_force_option(const std::string& what, CLI::App* on = nullptr);
  // --redact-text: PII text in the output records becomes {sha256, len}.
  void add_redact_option();
  // --resume FILE: take the complete records of an interrupted run's output.
  void add_resume_option();

  // Parses argv. Returns -1 when the program should go on, else the exit code
  // to return (0 for --help/--version, 2 for usage errors; CLI11's own 100+
  // codes are mapped to 2). Also sets up logging.
  int parse(int argc, char** argv);

  // The run-wide settings from the parsed options (threads and jobs resolved).
  RunContext context() const;

  // Runs `body`, mapping exceptions to exit codes: UsageError -> 2 with a
  // one-line message; anything else -> 1.
  int run(const std::function<int()>& body);

 private:
  std::string name_;
  CLI::App app_;
  RunContext context_;
  std::string device_ = "auto";
  int threads_ = 0;  // 0 = all cores
  bool verbose_ = false;
  int jobs_ = 1;     // 0 = --threads
};

// --lang, --psm, --min-conf, --ocr-scale, --ocr-layout, --dpi, --tessdata: how
// Tesseract reads (dtap-annotate, and dtap-eval's tesseract router and agent).
void add_ocr_options(CLI::App& app, OcrOptions& ocr);
// --reader MODEL (repeatable): the surrogate reader ensemble.
void add_reader_option(CLI::App& app, std::vector<std::string>& readers, const std::string& what);
// -o,--output: the folder (or file) a program writes its outputs to; required.
void add_output_option(CLI::App& app, std::string& out, const std::string& what);

}  // namespace dtap
