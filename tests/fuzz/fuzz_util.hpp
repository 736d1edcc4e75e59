#pragma once
// Shared by the libFuzzer targets (tests/fuzz/*.cpp). A target "fails" by crashing: sanitizer reports,
// uncaught exceptions (std::terminate) and FUZZ_CHECK violations all abort with a reproducer saved.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/venue/backpack/parsers.hpp"

// Property violated: print and abort so libFuzzer keeps the input (works in release builds too).
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace bparb::fuzz {

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The same bytes in a buffer with simdjson's padding, so a parser can take its zero-copy path.
class PaddedCopy {
 public:
  explicit PaddedCopy(std::string_view s) : buf_(s.size() + backpack::kJsonPadding, '\0'), size_(s.size()) {
    if (!s.empty()) std::memcpy(buf_.data(), s.data(), s.size());
  }
  backpack::JsonInput input() const { return {buf_.data(), size_, buf_.size()}; }

 private:
  std::vector<char> buf_;
  std::size_t size_;
};

// A REST parser must give the same verdict whether it copies into its scratch buffer or reads the
// caller's padded buffer in place.
template <class Out, class Parse>
void rest_differential(const std::uint8_t* data, std::size_t size, Parse parse) {
  static backpack::JsonParser parser;  // reused like in the daemon: state must not leak between inputs
  const std::string_view text = as_view(data, size);
  Out a{};
  const backpack::ParseError ea = parse(parser, backpack::JsonInput(text), a);
  PaddedCopy padded(text);
  Out b{};
  const backpack::ParseError eb = parse(parser, padded.input(), b);
  FUZZ_CHECK(ea.code == eb.code);
  if (!ea.ok()) (void)ea.message();  // the cold-path message must be buildable for every error
}

}  // namespace bparb::fuzz
