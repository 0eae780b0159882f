// Helpers shared by the GoogleTest files (both test programs).
#pragma once
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace dtap::test {

// A fresh, empty folder under the build's test-tmp folder, one per test: ctest -j runs the
// tests of a fixture in parallel processes, so a folder per fixture would be emptied under
// another test's feet.
inline std::string tmp_dir(const std::string& name) {
  std::filesystem::path d = std::filesystem::path(DTAP_TEST_TMP) / name;
  if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info())
    d /= std::string(test->test_suite_name()) + "." + test->name();
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

inline std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace dtap::test
