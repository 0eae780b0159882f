#include "dtap/jsonl.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "dtap/log.hpp"

namespace fs = std::filesystem;

namespace dtap {

bool is_image_path(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp";
}

std::vector<std::string> expand_image_paths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(arg, ec))
        if (entry.is_regular_file(ec) && is_image_path(entry.path().string()))
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

Json record_for_image(const std::string& path) {
  Json record;
  record["id"] = fs::path(path).stem().string();
  record["image"] = path;
  return record;
}

std::optional<Json> RecordReader::next() {
  std::string line;
  while (std::getline(in_, line)) {
    ++line_;
    if (std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); })) continue;
    Json record;
    try {
      record = Json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      std::string what = e.what();
      // nlohmann's message starts with "[json.exception.parse_error.101] "; keep the cause.
      auto pos = what.find("] ");
      if (pos != std::string::npos) what = what.substr(pos + 2);
      // It then quotes what it last read, which may be a PII value: never into records or logs.
      what = what.substr(0, what.find("; last read"));
      return Json{{"id", "line " + std::to_string(line_)},
                  {"error", log::tool_name() + ": line " + std::to_string(line_) + ": malformed JSON: " + what}};
    }
    if (!record.is_object())
      return Json{{"id", "line " + std::to_string(line_)},
                  {"error", log::tool_name() + ": line " + std::to_string(line_) + ": not a JSON object"}};
    return record;
  }
  return std::nullopt;
}

RecordSource::RecordSource(const std::vector<std::string>& args, std::istream& in)
    : paths_(expand_image_paths(args)), from_paths_(!args.empty()), reader_(in) {}

std::optional<Json> RecordSource::next() {
  if (!from_paths_) return reader_.next();
  if (next_path_ >= paths_.size()) return std::nullopt;
  return record_for_image(paths_[next_path_++]);
}

void write_record(std::ostream& out, const Json& record) {
  out << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
}

}  // namespace dtap
