#include "dtap/cli.hpp"

#include <cstdlib>
#include <algorithm>
#include <iostream>

#include "dtap/error.hpp"
#include "dtap/log.hpp"
#include "dtap/ocr.hpp"

namespace dtap {

namespace {
const std::string kCommon = "Common options";
}

Tool::Tool(std::string name, std::string description, std::string example)
    : name_(std::move(name)), app_(std::move(description), name_) {
  log::setup(name_, false);
  app_.set_version_flag("--version", name_ + " " + version_string());
  app_.set_config("--config", "", "Read options from a TOML file (keys are long option names)");
  app_.get_config_ptr()->group(kCommon);
  app_.footer("Example:\n" + example + "\n\nEvery common option can also be set as DTAP_<NAME> in the environment\n"
              "(e.g. DTAP_THREADS=2). Records go to stdout, messages to stderr.\n"
              "Exit status: 0 ok, 1 some record failed, 2 usage error.");
  app_.add_option("--device", device_, "Compute device: cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))->envname("DTAP_DEVICE")->capture_default_str()->group(kCommon);
  app_.add_option("--threads", threads_, "Threads to use (0 = all cores)")
      ->check(CLI::Range(0, 1024))->envname("DTAP_THREADS")->capture_default_str()->group(kCommon);
  app_.add_option("--seed", context_.seed, "Seed for every random choice")
      ->envname("DTAP_SEED")->capture_default_str()->group(kCommon);
  app_.add_flag("-q,--quiet", context_.quiet, "Only warnings and errors on stderr, no progress bar")
      ->envname("DTAP_QUIET")->group(kCommon);
  app_.add_flag("-v,--verbose", verbose_, "Debug messages on stderr")->envname("DTAP_VERBOSE")->group(kCommon);
  app_.add_flag("--keep-going,!--fail-fast", context_.keep_going,
                "Keep processing after a record fails (default); --fail-fast stops at the first")
      ->envname("DTAP_KEEP_GOING")->group(kCommon);
  app_.add_option("--max-pixels", context_.max_pixels, "Refuse images with more pixels than this")
      ->check(CLI::PositiveNumber)->envname("DTAP_MAX_PIXELS")->capture_default_str()->group(kCommon);
}

void Tool::add_jobs_option(int default_jobs, CLI::App* on) {
  jobs_ = default_jobs;
  (on ? on : &app_)->add_option("-j,--jobs", jobs_, "Records processed in parallel (0 = as many as --threads)")
      ->check(CLI::Range(0, 256))->capture_default_str();
}

void Tool::add_force_option(const std::string& what, CLI::App* on) {
  (on ? on : &app_)->add_flag("--force", context_.force, "Replace " + what + " left by an earlier run (never an input)");
}

void Tool::add_redact_option() {
  app_.add_flag("--redact-text", context_.redact_text,
                "Replace PII text in the output records by {sha256, len}, so they can be shared");
}

void Tool::add_resume_option() {
  app_.add_option("--resume", context_.resume,
                  "An interrupted run's output stream (a new file on stdout, same arguments): its complete "
                  "records are passed on, the others processed");
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
  log::setup(name_, context_.quiet, verbose_);
  return -1;
}

RunContext Tool::context() const {
  RunContext c = context_;
  c.device = device_;
  c.threads = threads_ > 0 ? threads_ : default_thread_count();
  c.jobs = jobs_ > 0 ? jobs_ : c.threads;
  return c;
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

void add_ocr_options(CLI::App& app, OcrOptions& ocr) {
  const std::string g = "OCR options (Tesseract)";
  app.add_option("--lang", ocr.lang, "Tesseract language(s), e.g. eng or eng+deu")->capture_default_str()->group(g);
  app.add_option("--psm", ocr.psm, "Tesseract page segmentation mode (with --ocr-layout page)")
      ->check(CLI::Range(0, 13))->capture_default_str()->group(g);
  app.add_option("--min-conf", ocr.min_conf, "Drop OCR words below this confidence (0-100)")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str()->group(g);
  app.add_option("--ocr-scale", ocr.scale,
                 "Upscale images by this factor before OCR (boxes stay in original pixels); 0 = 2 for the page layout "
                 "when the text lines are under 16 px, else 1")
      ->check(CLI::Validator(
                  [](std::string& v) {
                    char* end = nullptr;
                    const double f = std::strtod(v.c_str(), &end);
                    const bool number = end != v.c_str() && *end == '\0';
                    return number && (f == 0 || (f >= 0.25 && f <= 4)) ? std::string()
                                                                          : "must be 0 (automatic) or in [0.25, 4], not " + v;
                  },
                  "0 or 0.25-4"))
      ->capture_default_str()->group(g);
  app.add_option("--ocr-layout", ocr.layout,
                 "page: Tesseract's own layout with --psm; lines: dtap's text-line detection, one line at a time; "
                 "page+lines: page, then the lines it missed")
      ->check(CLI::IsMember({"page", "lines", "page+lines"}))->capture_default_str()->group(g);
  app.add_option("--dpi", ocr.dpi, "Resolution given to Tesseract (0 = let it estimate)")
      ->check(CLI::Range(0, 1200))->capture_default_str()->group(g);
  app.add_option("--tessdata", ocr.tessdata, "Folder of Tesseract language data (default: Tesseract's own)")->group(g);
}

void add_reader_option(CLI::App& app, std::vector<std::string>& readers, const std::string& what) {
  app.add_option("--reader", readers,
                 what + ": surrogate reader checkpoint (repeatable: an ensemble; default: the shipped "
                        "reader-*.pt: crnn, conv and svtr)");
}

void add_output_option(CLI::App& app, std::string& out, const std::string& what) {
  app.add_option("-o,--output", out, what)->required();
}

}  // namespace dtap
