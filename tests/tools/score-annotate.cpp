// Test/bench helper (not installed): scores dtap-annotate's PII findings against
// dtap-synth's true spans with dtap::PiiScore (IoU >= 0.3, text similarity >= 0.8,
// same label).
//   score-annotate TRUTH.jsonl FOUND.jsonl [--json] [--any-label]
// --any-label: a finding matches a true span of any label (the same value and place).
// Records are paired by "id". Prints a table (or one JSON object); exit 1 when
// a found record is missing or carries an error, 2 on usage errors.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "dtap/jsonl.hpp"
#include "dtap/pii.hpp"

int main(int argc, char** argv) {
  bool json = false, any_label = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") json = true;
    else if (a == "--any-label") any_label = true;
    else argc = 0;  // usage error below
  }
  if (argc < 3) {
    std::cerr << "score-annotate: usage: score-annotate TRUTH.jsonl FOUND.jsonl [--json] [--any-label]\n";
    return 2;
  }
  auto read_all = [](const char* path, std::map<std::string, dtap::Json>& out) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "score-annotate: cannot read " << path << "\n";
      std::exit(2);
    }
    dtap::RecordReader reader(in);
    while (auto r = reader.next()) out[dtap::record_name(*r)] = *r;
  };
  std::map<std::string, dtap::Json> truth, found;
  read_all(argv[1], truth);
  read_all(argv[2], found);
  dtap::PiiScore score;
  int problems = 0;
  for (const auto& [id, t] : truth) {
    auto it = found.find(id);
    if (it == found.end() || (it->second.contains("error") && !it->second["error"].is_null())) {
      std::cerr << "score-annotate: " << id << ": " << (it == found.end() ? "no annotated record" : "annotated record has an error")
                << "\n";
      ++problems;
      score.add(t.value("pii", dtap::Json::array()), dtap::Json::array(), 0.3, 0.8, !any_label);
      continue;
    }
    score.add(t.value("pii", dtap::Json::array()), it->second.value("pii", dtap::Json::array()), 0.3, 0.8, !any_label);
  }
  if (json) {
    dtap::Json j = score.to_json();
    j["records"] = truth.size();
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "records: " << truth.size() << "\n";
    std::cout << std::left << std::setw(15) << "label" << std::right << std::setw(7) << "true" << std::setw(7)
              << "found" << std::setw(9) << "recall" << std::setw(11) << "precision" << "\n";
    auto row = [](const std::string& label, const dtap::PiiScore::Counts& c) {
      std::cout << std::left << std::setw(15) << label << std::right << std::setw(7) << c.truth << std::setw(7)
                << c.found << std::fixed << std::setprecision(3) << std::setw(9) << c.recall() << std::setw(11)
                << c.precision() << "\n";
    };
    for (const auto& [label, c] : score.per_label) row(label, c);
    row("overall", score.overall);
  }
  return problems ? 1 : 0;
}
