// JSON Lines input and output, and turning command-line paths into records.
#pragma once
#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dtap/record.hpp"

namespace dtap {

// Extensions accepted when a directory is given on the command line.
bool is_image_path(const std::string& path);

// Files as given; directories expanded to their images, sorted by name.
// A missing path is kept, so that its record gets an error rather than vanishing.
std::vector<std::string> expand_image_paths(const std::vector<std::string>& args);

// A fresh record for an image file: id = file stem, image = path.
Json record_for_image(const std::string& path);

// Reads one record per line. A malformed line yields a record
// {"id": "line N", "error": "<tool>: line N: malformed JSON: ..."} so that the
// rest of the stream is still processed. Blank lines are skipped.
class RecordReader {
 public:
  explicit RecordReader(std::istream& in) : in_(in) {}
  std::optional<Json> next();
  std::size_t line() const { return line_; }

 private:
  std::istream& in_;
  std::size_t line_ = 0;
};

// Records come from image paths on the command line when there are any, else
// from stdin (records, one per line).
class RecordSource {
 public:
  RecordSource(const std::vector<std::string>& args, std::istream& in);
  std::optional<Json> next();

 private:
  std::vector<std::string> paths_;
  std::size_t next_path_ = 0;
  bool from_paths_;
  RecordReader reader_;
};

// One compact line, flushed, so a pipeline sees records as they are made.
void write_record(std::ostream& out, const Json& record);

}  // namespace dtap
