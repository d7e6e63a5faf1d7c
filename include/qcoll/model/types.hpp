#pragma once
// Basic numeric types and the error type every layer uses for user mistakes.
#include <complex>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace qcoll {

using cplx = std::complex<double>;
using index_t = std::int64_t;

// A mistake in the user's input (deck, command line). Carries the deck key
// and source line when known; `what()` is the one-paragraph message the
// command line prints before exiting with status 1.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message, std::string key = {}, int line = 0)
      : std::runtime_error(message), key_(std::move(key)), line_(line) {}
  const std::string& key() const { return key_; }
  int line() const { return line_; }

 private:
  std::string key_;
  int line_;
};

}  // namespace qcoll
