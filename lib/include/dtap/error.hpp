// Error types shared by every dtap program.
#pragma once
#include <stdexcept>
#include <string>

namespace dtap {

// A failure of one record (bad image, bad field...). The batch goes on.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A mistake in how the program was called. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace dtap
