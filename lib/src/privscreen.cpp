// PrivScreen folder import: DIR/{app}/images/*, DIR/{app}/privacy_qa.json,
// DIR/{app}/normal_qa.json -> screen records.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dtap/annotate.hpp"
#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"

namespace fs = std::filesystem;

namespace dtap {

namespace {

// Lower case, without spaces, '_' or '-': "IP address" -> "ipaddress".
std::string field_key(const std::string& field) {
  std::string out;
  for (char c : field)
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

void add_answer(Json& out, const std::string& label, const Json& value) {
  if (!out.contains(label)) out[label] = Json::array();
  auto push = [&](const Json& v) {
    if (v.is_string() && !trim(v.get<std::string>()).empty()) out[label].push_back(trim(v.get<std::string>()));
    else if (v.is_number()) out[label].push_back(v.dump());
  };
  if (value.is_array())
    for (const auto& v : value) push(v);
  else
    push(value);
  if (out[label].empty()) out.erase(label);
}

Json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read '" + path.string() + "'");
  try {
    return Json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    auto pos = what.find("] ");
    throw Error("'" + path.string() + "' is not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
}

// A question file keyed by image name; entries found by stem ("x.jpg" for x.png).
std::map<std::string, Json> by_stem(const Json& file) {
  std::map<std::string, Json> out;
  if (!file.is_object()) return out;
  for (const auto& [key, value] : file.items()) out[fs::path(key).stem().string()] = value;
  return out;
}

// An entry may be one QA object or a list of them.
std::vector<Json> qa_items(const Json& entry) {
  std::vector<Json> out;
  if (entry.is_array()) {
    for (const auto& e : entry)
      if (e.is_object()) out.push_back(e);
  } else if (entry.is_object()) {
    out.push_back(entry);
  }
  return out;
}

}  // namespace

std::string privscreen_label(const std::string& field) {
  static const std::map<std::string, std::string> map = {
      {"name", "name"}, {"names", "name"}, {"fullname", "name"},
      {"email", "email"}, {"emailaddress", "email"}, {"emailaddresses", "email"}, {"emails", "email"},
      {"phone", "phone"}, {"phonenumber", "phone"}, {"phonenumbers", "phone"}, {"phones", "phone"},
      {"location", "address"}, {"address", "address"}, {"addresses", "address"}, {"homeaddress", "address"},
      {"username", "username"}, {"usernames", "username"}, {"handle", "username"},
      {"ip", "ip"}, {"ipaddress", "ip"}, {"ipaddresses", "ip"},
      {"card", "card"}, {"cardnumber", "card"}, {"creditcard", "card"},
      {"iban", "iban"}, {"dateofbirth", "date_of_birth"}, {"dob", "date_of_birth"}, {"birthday", "date_of_birth"},
      {"idnumber", "id_number"}, {"id", "id_number"}, {"urltoken", "url_token"},
      {"password", "secret"}, {"apikey", "secret"}, {"token", "secret"}, {"secret", "secret"},
      {"nationality", "other"}, {"other", "other"}};
  auto it = map.find(field_key(field));
  return it == map.end() ? "other" : it->second;
}

Json privscreen_answers(const Json& qa) {
  Json out = Json::object();
  if (!qa.is_object()) return out;
  if (qa.contains("answers") && qa["answers"].is_object()) {
    for (const auto& [field, values] : qa["answers"].items()) add_answer(out, privscreen_label(field), values);
  } else if (qa.contains("answer") && qa["answer"].is_string()) {
    // "name: Ana Lopez; emailAddress: ana@x.com"
    std::stringstream ss(qa["answer"].get<std::string>());
    std::string part;
    while (std::getline(ss, part, ';')) {
      auto colon = part.find(':');
      if (colon == std::string::npos) continue;
      std::string field = trim(part.substr(0, colon)), value = trim(part.substr(colon + 1));
      if (field.empty() || value.empty()) continue;
      add_answer(out, privscreen_label(field), value);
    }
  }
  return out;
}

std::vector<Json> privscreen_records(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError("--privscreen: '" + dir + "' is not a folder");
  std::vector<fs::path> apps;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) && fs::is_directory(entry.path() / "images", ec)) apps.push_back(entry.path());
  std::sort(apps.begin(), apps.end());
  if (apps.empty()) throw UsageError("--privscreen: '" + dir + "' has no {app}/images/ folder");
  std::vector<Json> records;
  for (const auto& app_dir : apps) {
    const std::string app = app_dir.filename().string();
    std::vector<std::string> images = expand_image_paths({(app_dir / "images").string()});
    std::map<std::string, Json> privacy, normal;
    std::string file_problem;
    // A missing or broken question file fails that app's records, not the import.
    for (auto [name, target] : {std::pair<const char*, std::map<std::string, Json>*>{"privacy_qa.json", &privacy},
                                {"normal_qa.json", &normal}}) {
      fs::path p = app_dir / name;
      if (!fs::exists(p, ec)) continue;
      try {
        *target = by_stem(read_json_file(p));
      } catch (const Error& e) {
        file_problem = e.what();
      }
    }
    for (const auto& image : images) {
      Json r = record_for_image(image);
      r["app"] = app;
      const std::string stem = fs::path(image).stem().string();
      if (!file_problem.empty()) {
        r["error"] = log::tool_name() + ": " + file_problem;
        records.push_back(std::move(r));
        continue;
      }
      Json privacy_qa = Json::array();
      if (auto it = privacy.find(stem); it != privacy.end())
        for (const auto& qa : qa_items(it->second)) {
          Json item{{"question", qa.value("question", "")}, {"answers", privscreen_answers(qa)}};
          privacy_qa.push_back(std::move(item));
        }
      Json tasks = Json::array();
      if (auto it = normal.find(stem); it != normal.end())
        for (const auto& qa : qa_items(it->second)) {
          std::string answer;
          if (qa.contains("answer") && qa["answer"].is_string()) answer = qa["answer"];
          else if (qa.contains("answers") && qa["answers"].is_array() && !qa["answers"].empty() &&
                   qa["answers"][0].is_string())
            answer = qa["answers"][0];
          else if (qa.contains("answers") && qa["answers"].is_string())
            answer = qa["answers"];
          if (answer.empty()) continue;
          tasks.push_back(Json{{"question", qa.value("question", "")}, {"answer", answer}});
        }
      r["privacy_qa"] = std::move(privacy_qa);
      r["tasks"] = std::move(tasks);
      records.push_back(std::move(r));
    }
  }
  return records;
}

}  // namespace dtap
