// dtap-annotate: OCR words and PII findings for screenshots; PrivScreen import.
#include <iostream>

#include "dtap/annotate.hpp"
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
  bool no_name_lists = false;
  auto& app = tool.app();
  app.add_option("inputs", o.inputs, "Images or folders of images (default: records on stdin)");
  app.add_option("--privscreen", o.privscreen_dir, "Import a PrivScreen folder (DIR/{app}/images, *_qa.json)");
  dtap::add_ocr_options(app, o.ocr);
  tool.add_jobs_option(0);
  app.add_option("--labels", o.pii.labels, "Only report these PII labels (repeatable)")
      ->check(CLI::IsMember(dtap::pii_labels()))->delimiter(',');
  app.add_flag("--no-name-lists", no_name_lists, "Find names from context and layout only, not the shipped lists");
  // Off by default: cross-validated on the real dev split it found no value the rules missed and cost precision.
  app.add_option("--line-classifier", o.line_classifier,
                 "Learned row-title classifier for names and handles: none (rules only), shipped "
                 "(share/dtap/models/pii-lines.json) or a model FILE (dtap-train pii-lines)")
      ->capture_default_str();
  app.add_option("--line-threshold", o.pii.line_threshold,
                 "Probability above which the classifier takes a line (default: the model's own, chosen on the dev split)")
      ->check(CLI::Range(0.0, 1.0));
  tool.add_redact_option();
  tool.add_resume_option();
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] {
    o.pii.use_name_lists = !no_name_lists;
    return dtap::run_annotate(o, tool.context(), std::cin, std::cout);
  });
}
