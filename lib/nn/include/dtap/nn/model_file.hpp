// The one model file format of dtap's LibTorch models (readers, generator and
// anything new): a torch archive at PATH with the module's parameters and
// buffers and two strings, "dtap_kind" (reader, generator...) and "dtap_arch"
// (the architecture as JSON, enough to build the module again), plus the
// manifest at PATH.json (kind, arch, how it was made, what it scored). Both
// files are written atomically (temporary file and rename).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dtap/record.hpp"

namespace dtap::nn {

// The manifest next to a model (an empty object when there is none). Throws
// dtap::Error when it is not valid JSON.
Json read_manifest(const std::string& path);

// The one definition of the default reader ensemble (dtap-attend, dtap-protect
// --method pgd, dtap-train generator): every reader-*.pt shipped in
// share/dtap/models, by name. Throws dtap::Error when there is none.
std::vector<std::string> default_reader_paths();

class ModelFile {
 public:
  // Writes `module` as a model of `kind` built from `arch`; the manifest gets
  // "kind" and "arch" (and keeps every other field of `manifest`). `extra`
  // strings go into the archive as "dtap_<key>" (a reader's character set).
  static void save(torch::nn::Module& module, const std::string& path, const std::string& kind, const Json& arch,
                   Json manifest, const std::map<std::string, std::string>& extra = {});

  // Opens PATH as a model of `kind`. Throws dtap::Error naming the file and the
  // cause when it is missing, not a torch archive (corrupt, truncated) or of
  // another kind. Files written before ModelFile (readers with "dtap_arch" as
  // a plain name, generators whose kind was only in the manifest) still open.
  static ModelFile open(const std::string& path, const std::string& kind);

  const std::string& path() const { return path_; }
  const Json& arch() const { return arch_; }
  const Json& manifest() const { return manifest_; }
  // An `extra` string saved with the model ("" when absent).
  std::string extra(const std::string& key);

  // Loads the weights into `module` (built from arch()), checking that every
  // parameter and buffer keeps its shape: a mismatch is a dtap::Error, never a crash.
  void load_into(torch::nn::Module& module);

 private:
  std::string path_, kind_;
  Json arch_, manifest_;
  torch::serialize::InputArchive archive_;
};

}  // namespace dtap::nn
