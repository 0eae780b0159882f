// dtap-annotate: OCR words and PII findings for screenshots; PrivScreen import.
#include <iostream>
#include <optional>

#include "dtap/annotate.hpp"
#include "dtap/pii_lines.hpp"
#include "dtap/cli.hpp"

int main(int argc, char** argv) {
  dtap::limit_ocr_threads_or_reexec(argv);
  dtap::Tool tool("dtap-annotate",
                  "Find the text and the personal data (PII) on screenshots: Tesseract OCR in process, then\n"
                  "recognisers for e-mails, phones, addresses, names, usernames, IPs, cards (Luhn), IBANs\n"
                  "(mod 97), dates of birth, ID/account numbers and links with tokens. Reads image paths or\n"
                  "folders, else records on stdin; writes one record per screenshot with words and pii.",
                  "  dtap-annotate shots/ | dtap-attend | dtap-protect -o protected/ | dtap-eval > report.jsonl\n"
                  "  dtap-synth -n 20 -o s/ | jq -c 'del(.pii, .words)' | dtap-annotate -j 2 > annotated.jsonl\n"
                  "  dtap-annotate --privscreen PrivScreen/ --redact-text > privscreen.jsonl");
  dtap::AnnotateOptions o;
  std::vector<std::string> inputs;
  bool no_name_lists = false;
  auto& app = tool.app();
  app.add_option("inputs", inputs, "Images or folders of images (default: records on stdin)");
  app.add_option("--privscreen", o.privscreen_dir, "Import a PrivScreen folder (DIR/{app}/images, *_qa.json)");
  app.add_option("--lang", o.ocr.lang, "Tesseract language(s), e.g. eng or eng+deu")->capture_default_str();
  app.add_option("--psm", o.ocr.psm, "Tesseract page segmentation mode")->check(CLI::Range(0, 13))
      ->capture_default_str();
  app.add_option("--min-conf", o.ocr.min_conf, "Drop OCR words below this confidence (0-100)")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str();
  app.add_option("--scale", o.ocr.scale, "Upscale images by this factor before OCR (boxes stay in original pixels)")
      ->check(CLI::Range(0.25, 4.0))->capture_default_str();
  app.add_option("--layout", o.ocr.layout,
                 "page: Tesseract's own layout with --psm; lines: dtap's text-line detection, one line at a time")
      ->check(CLI::IsMember({"page", "lines"}))->capture_default_str();
  app.add_option("--dpi", o.ocr.dpi, "Resolution given to Tesseract (0 = let it estimate)")
      ->check(CLI::Range(0, 1200))->capture_default_str();
  app.add_option("--tessdata", o.ocr.tessdata, "Folder of Tesseract language data (default: Tesseract's own)");
  app.add_option("-j,--jobs", o.jobs, "Parallel workers, one OCR engine each (0 = --threads)")
      ->check(CLI::Range(0, 256))->capture_default_str();
  app.add_option("--labels", o.pii.labels, "Only report these PII labels (repeatable)")
      ->check(CLI::IsMember(dtap::pii_labels()))->delimiter(',');
  app.add_flag("--no-name-lists", no_name_lists, "Find names from context and layout only, not the shipped lists");
  // Off by default: cross-validated on the real dev split it found no value the rules missed and cost precision.
  std::string line_classifier = "none";
  app.add_option("--line-classifier", line_classifier,
                 "Learned row-title classifier for names and handles: none (rules only), shipped "
                 "(share/dtap/models/pii-lines.json) or a model FILE (dtap-train pii-lines)")
      ->capture_default_str();
  app.add_option("--line-threshold", o.pii.line_threshold,
                 "Probability above which the classifier takes a line (default: the model's own, chosen on the dev split)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--redact-text", o.redact_text, "Replace each PII text with {sha256, len} in the output");
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    o.pii.use_name_lists = !no_name_lists;
    // Loaded once, before any record: a bad model is one clear error.
    std::optional<dtap::LineClassifier> own_classifier;
    if (line_classifier == "shipped") {
      o.pii.line_classifier = dtap::LineClassifier::shipped();
    } else if (line_classifier != "none") {
      own_classifier = dtap::LineClassifier::load(line_classifier);
      o.pii.line_classifier = &*own_classifier;
    }
    o.jobs = o.jobs > 0 ? o.jobs : tool.common().resolved_threads();
    o.max_pixels = tool.common().max_pixels;
    o.keep_going = tool.common().keep_going;
    return dtap::run_annotate(o, inputs, std::cin, std::cout);
  });
}
