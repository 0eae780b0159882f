// attention-mass: where the attention maps of dtap-attend records put their mass.
// Reads records (stdin) with "attention" PNGs; prints, averaged over records,
// the share of the map's mass inside PII boxes, inside task boxes and inside
// the other (non-PII) words' boxes. Exit 1 when a record has no readable map.
//   attention-mass [--truth TRUTH.jsonl] < attended.jsonl
// With --truth the boxes come from the truth record of the same id (dtap-synth's),
// so maps computed from dtap-annotate's detections are scored against the real PII.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/jsonl.hpp"
#include "dtap/record.hpp"

namespace {
cv::Mat union_mask(const dtap::Json& rec, const char* field, cv::Size size) {
  cv::Mat m = cv::Mat::zeros(size, CV_8U);
  if (!rec.contains(field) || !rec[field].is_array()) return m;
  for (const auto& e : rec[field]) {
    if (!e.is_object() || !e.contains("bbox")) continue;
    auto b = dtap::BBox::from_json(e["bbox"]);
    if (!b) continue;
    cv::Rect r(static_cast<int>(b->x), static_cast<int>(b->y), static_cast<int>(std::ceil(b->w)),
               static_cast<int>(std::ceil(b->h)));
    m(r & cv::Rect({0, 0}, size)).setTo(255);
  }
  return m;
}
}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, dtap::Json> truth;
  const bool use_truth = argc == 3 && std::strcmp(argv[1], "--truth") == 0;
  if (use_truth) {
    std::ifstream in(argv[2]);
    if (!in) {
      std::fprintf(stderr, "attention-mass: cannot open %s\n", argv[2]);
      return 2;
    }
    dtap::RecordReader truth_reader(in);
    while (auto t = truth_reader.next()) truth[t->value("id", "")] = *t;
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: attention-mass [--truth TRUTH.jsonl] < attended.jsonl\n");
    return 2;
  }
  dtap::RecordReader reader(std::cin);
  std::size_t n = 0, empty = 0, bad = 0;
  double pii = 0, task = 0, words = 0, covered = 0;
  while (auto attended = reader.next()) {
    const dtap::Json* rec = &*attended;  // where the boxes come from
    if (use_truth) {  // a record missing from the truth file counts as unreadable
      auto it = truth.find(attended->value("id", ""));
      if (it == truth.end()) {
        ++bad;
        continue;
      }
      rec = &it->second;
    }
    if (!attended->contains("attention") || !(*attended)["attention"].is_string()) {
      ++bad;
      continue;
    }
    cv::Mat a = cv::imread((*attended)["attention"].get<std::string>(), cv::IMREAD_GRAYSCALE);
    if (a.empty()) {
      ++bad;
      continue;
    }
    a.convertTo(a, CV_64F, 1.0 / 255);
    const double total = cv::sum(a)[0];
    if (total <= 0) {
      ++empty;
      continue;
    }
    cv::Mat p = union_mask(*rec, "pii", a.size()), t = union_mask(*rec, "tasks", a.size());
    cv::Mat w = union_mask(*rec, "words", a.size());
    w.setTo(0, p);  // words that are not PII
    cv::Mat pf, tf, wf;
    p.convertTo(pf, CV_64F, 1.0 / 255);
    t.convertTo(tf, CV_64F, 1.0 / 255);
    w.convertTo(wf, CV_64F, 1.0 / 255);
    pii += cv::sum(a.mul(pf))[0] / total;
    task += cv::sum(a.mul(tf))[0] / total;
    words += cv::sum(a.mul(wf))[0] / total;
    // Share of each PII box that the map touches (> 0.1) - the mask covers the PII.
    double cov = 0;
    std::size_t boxes = 0;
    for (const auto& e : (*rec)["pii"]) {
      auto b = dtap::BBox::from_json(e["bbox"]);
      if (!b) continue;
      cv::Rect r = cv::Rect(static_cast<int>(b->x), static_cast<int>(b->y), static_cast<int>(b->w),
                            static_cast<int>(b->h)) & cv::Rect({0, 0}, a.size());
      if (r.area() == 0) continue;
      cv::Mat on = a(r) > 0.1;
      cov += static_cast<double>(cv::countNonZero(on)) / r.area();
      ++boxes;
    }
    covered += boxes ? cov / boxes : 0;
    ++n;
  }
  std::printf("records %zu  pii_mass %.4f  task_mass %.4f  other_words_mass %.4f  pii_area_covered %.4f  "
              "empty_maps %zu  unreadable %zu\n",
              n, n ? pii / n : 0.0, n ? task / n : 0.0, n ? words / n : 0.0, n ? covered / n : 0.0, empty, bad);
  return bad ? 1 : 0;
}
