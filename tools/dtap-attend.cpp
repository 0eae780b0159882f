// dtap-attend: contrastive attention maps (where privacy saliency exceeds task saliency).
#include <iostream>

#include "dtap/nn/attention.hpp"
#include "dtap/cli.hpp"

int main(int argc, char** argv) {
  dtap::Tool tool("dtap-attend",
                  "Compute a contrastive attention map per screen record: the surrogate readers'\n"
                  "saliency |d CTC / d pixels| for the record's PII minus that for its tasks and\n"
                  "other words, shaped into a mask. Writes an 8-bit grey PNG per record into -o DIR\n"
                  "and adds \"attention\": path to the record. Records flow stdin -> stdout.",
                  "  dtap-annotate shots/ | dtap-attend -o att/ > annotated.jsonl\n"
                  "  dtap-synth -n 10 --seed 3 -o s/ | dtap-attend -o att/ --method box\n"
                  "  dtap-attend -o att/ --reader my-crnn.pt --reader my-conv.pt < records.jsonl");
  dtap::AttendOptions o;
  auto& a = o.attention;
  auto& app = tool.app();
  app.add_option("images", o.inputs, "Images to process (default: records on stdin)");
  dtap::add_output_option(app, o.out_dir, "Folder for the attention PNGs (created)");
  app.add_option("--method", a.method, "contrast (privacy minus task saliency), grad (privacy saliency only) or "
                                       "box (filled PII boxes, for ablation)")
      ->check(CLI::IsMember({"contrast", "grad", "box"}))->capture_default_str();
  dtap::add_reader_option(app, a.readers, "contrast and grad");
  app.add_option("--blur", a.blur, "Gaussian blur sigma of each saliency map, pixels")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--threshold", a.threshold, "Map values below this become 0")
      ->check(CLI::Range(0.0, 0.999))->capture_default_str();
  app.add_option("--dilate", a.dilate, "Dilation radius of the mask, pixels")
      ->check(CLI::Range(0, 200))->capture_default_str();
  app.add_option("--floor", a.floor, "Mask floor: M = floor + (1 - floor) * M (records with PII only)")
      ->check(CLI::Range(0.0, 0.999))->capture_default_str();
  tool.add_force_option("attention PNGs");
  tool.add_redact_option();
  tool.add_resume_option();
  if (int code = tool.parse(argc, argv); code >= 0) return code;
  return tool.run([&] { return dtap::run_attend(o, tool.context(), std::cin, std::cout); });
}
