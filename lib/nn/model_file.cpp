#include "dtap/nn/model_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "dtap/run.hpp"

namespace dtap::nn {

namespace {

bool read_string(torch::serialize::InputArchive& archive, const std::string& key, std::string& out) {
  c10::IValue v;
  try {
    if (!archive.try_read(key, v) || !v.isString()) return false;
  } catch (const std::exception&) {
    return false;
  }
  out = v.toStringRef();
  return true;
}

std::vector<std::vector<std::int64_t>> shapes_of(torch::nn::Module& module) {
  std::vector<std::vector<std::int64_t>> shapes;
  for (const auto& t : module.named_parameters()) shapes.push_back(t.value().sizes().vec());
  for (const auto& t : module.named_buffers()) shapes.push_back(t.value().sizes().vec());
  return shapes;
}

}  // namespace

std::vector<std::string> default_reader_paths() {
  std::vector<std::string> list;
  std::error_code ec;
  const std::filesystem::path dir = data_path("models");
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("reader-", 0) == 0 && e.path().extension() == ".pt") list.push_back(e.path().string());
  }
  std::sort(list.begin(), list.end());
  if (list.empty()) throw Error("no reader model given (--reader) and none shipped in " + dir.string());
  return list;
}

Json read_manifest(const std::string& path) {
  std::ifstream in(path + ".json");
  if (!in) return Json::object();
  try {
    return Json::parse(in);
  } catch (const std::exception& e) {
    throw Error(path + ".json: malformed manifest: " + e.what());
  }
}

void ModelFile::save(torch::nn::Module& module, const std::string& path, const std::string& kind, const Json& arch,
                     Json manifest, const std::map<std::string, std::string>& extra) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  for (const auto& [key, value] : extra) archive.write("dtap_" + key, c10::IValue(value));
  archive.write("dtap_kind", c10::IValue(kind));
  archive.write("dtap_arch", c10::IValue(arch.dump()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_text_atomic(path, bytes.str());
  manifest["kind"] = kind;
  manifest["arch"] = arch;
  write_text_atomic(path + ".json", manifest.dump(2) + "\n");
}

ModelFile ModelFile::open(const std::string& path, const std::string& kind) {
  ModelFile f;
  f.path_ = path;
  f.kind_ = kind;
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw Error("cannot load " + kind + " model " + path + ": not found (missing or unreadable)");
  }
  try {
    f.archive_.load_from(path, torch::kCPU);
  } catch (const std::exception&) {
    throw Error("cannot load " + kind + " model " + path + ": not a readable torch archive (corrupt or truncated)");
  }
  f.manifest_ = read_manifest(path);
  std::string stored_kind, arch;
  read_string(f.archive_, "dtap_kind", stored_kind);
  read_string(f.archive_, "dtap_arch", arch);
  bool legacy_reader = false;
  if (stored_kind.empty()) {
    // Written before ModelFile: a reader kept its architecture's name, a
    // generator had its kind and architecture in the manifest only.
    if (!arch.empty()) {
      stored_kind = "reader";
      f.arch_ = arch;
      legacy_reader = true;
    } else if (f.manifest_.is_object() && f.manifest_.contains("kind") && f.manifest_["kind"].is_string()) {
      stored_kind = f.manifest_["kind"].get<std::string>();
      f.arch_ = f.manifest_.value("arch", Json());
    }
  } else {
    try {
      f.arch_ = Json::parse(arch);
    } catch (const std::exception&) {
      throw Error("cannot load " + kind + " model " + path + ": its architecture record is damaged");
    }
  }
  if (stored_kind.empty()) throw Error("cannot load " + kind + " model " + path + ": not a dtap model (no kind recorded)");
  if (stored_kind != kind) throw Error("cannot load " + kind + " model " + path + ": is a " + stored_kind + " model, not a " + kind);
  if (f.arch_.is_null()) throw Error("cannot load " + kind + " model " + path + ": no architecture recorded");
  if (legacy_reader) return f;  // those never needed a manifest
  // The manifest is part of the format; it must describe these weights.
  if (!f.manifest_.is_object() || f.manifest_.empty())
    throw Error("cannot load " + kind + " model " + path + ": no manifest " + path + ".json beside it");
  if (f.manifest_.value("kind", kind) != kind)
    throw Error("cannot load " + kind + " model " + path + ": its manifest says " + f.manifest_["kind"].dump() + ", not a " + kind);
  if (f.manifest_.contains("arch") && f.manifest_["arch"] != f.arch_)
    throw Error("cannot load " + kind + " model " + path + ": the manifest's architecture is not the weights' (corrupt or edited)");
  return f;
}

std::string ModelFile::extra(const std::string& key) {
  std::string value;
  read_string(archive_, "dtap_" + key, value);
  return value;
}

void ModelFile::load_into(torch::nn::Module& module) {
  const auto expected = shapes_of(module);
  try {
    module.load(archive_);
    if (shapes_of(module) != expected) throw Error("shapes differ");
  } catch (const std::exception&) {
    throw Error("cannot load " + kind_ + " model " + path_ + ": weights do not fit its architecture " + arch_.dump() +
                " (wrong architecture or damaged file)");
  }
}

}  // namespace dtap::nn
