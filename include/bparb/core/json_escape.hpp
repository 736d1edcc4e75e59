#pragma once
// One JSON string escaper for everything that writes JSON by hand (exchange requests, bpsim responses,
// backtest reports), so they cannot drift apart. Appends to the caller's buffer: no allocation beyond
// the output's own growth, no exceptions — usable on the hot path with a reused buffer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bparb {

enum class Utf8Policy : std::uint8_t {
  kPassBytes,       // bytes >= 0x80 are copied as they are (the caller vouches for the encoding)
  kReplaceInvalid,  // an invalid UTF-8 byte becomes U+FFFD, so the output is always valid UTF-8 (reports)
};

// Appends `s` escaped as JSON string content, without the surrounding quotes: `"` and `\` escaped,
// \n \r \t \b \f in their short forms, every other control character and DEL as \u00XX (lower-case hex).
void json_escape_append(std::string& out, std::string_view s, Utf8Policy utf8 = Utf8Policy::kPassBytes);

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 if it is not one: truncated,
// stray continuation byte, overlong form, surrogate or above U+10FFFF. Requires i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace bparb
