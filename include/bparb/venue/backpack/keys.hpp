#pragma once
// Base64 helpers for ED25519 keys and signatures (standard alphabet, with padding — what Backpack's
// X-API-Key / X-Signature headers and API secrets use). Thin wrappers over libsodium so callers never
// include <sodium.h>.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bparb::backpack {

constexpr std::size_t kSeedBytes = 32;
constexpr std::size_t kPublicKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::size_t kSignatureBase64Chars = 88;  // base64 of 64 bytes, padded, no NUL

// Length of the padded base64 text of `bytes` bytes (no NUL).
constexpr std::size_t base64_encoded_size(std::size_t bytes) noexcept {
  return (bytes + 2) / 3 * 4;
}

// Writes base64(bin) into out (capacity >= base64_encoded_size(len) + 1, NUL-terminated). Returns the
// number of characters written (without NUL), or 0 if `cap` is too small. No allocation.
std::size_t base64_encode(const std::uint8_t* bin, std::size_t len, char* out, std::size_t cap) noexcept;
std::string base64_encode(const std::uint8_t* bin, std::size_t len);

// Strict decode (standard alphabet, padding required, no whitespace). Returns the number of bytes
// written, or -1 if the text is not valid base64 or does not fit in `cap`. No allocation.
long base64_decode(std::string_view b64, std::uint8_t* out, std::size_t cap) noexcept;

}  // namespace bparb::backpack
