#pragma once
// Lighter API keys (docs/lighter-signing.md, "Keys"): the private key is a scalar in [1, n) written as
// 80 hex characters (40 bytes little-endian, optional "0x"); the public key is Encode(sk * G), also
// 40 bytes / 80 hex characters.
#include <array>
#include <cstdint>
#include <string_view>

#include "bparb/core/expected.hpp"
#include "bparb/venue/lighter/ecgfp5.hpp"
#include "bparb/venue/lighter/scalar.hpp"

namespace bparb::lighter {

enum class KeyError {
  kBadLength,   // not 80 hex characters (after an optional 0x)
  kNotHex,      // a character outside [0-9a-fA-F]
  kOutOfRange,  // zero, or not below the group order
  kNotAPoint,   // (public keys) not the encoding of a group element
};
const char* key_error_message(KeyError e);

using PublicKeyBytes = std::array<std::uint8_t, 40>;

// Holds the secret scalar; wiped (sodium_memzero) on destruction and when moved from. Never printed.
class PrivateKey {
 public:
  static Expected<PrivateKey, KeyError> from_hex(std::string_view hex);
  // A fresh key uniform in [1, n) (libsodium CSPRNG): test keys and key generation.
  static PrivateKey generate();

  PrivateKey(PrivateKey&& o) noexcept;
  PrivateKey& operator=(PrivateKey&& o) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  const Scalar& scalar() const { return sk_; }
  PublicKeyBytes public_key() const;
  // 80 lowercase hex characters into out (key generation output only).
  void to_hex(std::span<char, 80> out) const;

 private:
  explicit PrivateKey(const Scalar& sk) : sk_(sk) {}
  Scalar sk_;
};

// Hex (80 characters, optional 0x) to 40 bytes; the bytes are not checked to be a group element.
bool parse_hex40(std::string_view hex, std::array<std::uint8_t, 40>& out, KeyError* why = nullptr);

// Decodes a public key given as hex (strict: canonical limbs, a valid group element).
Expected<Point, KeyError> public_key_from_hex(std::string_view hex);

// 2n lowercase hex characters for n bytes.
void to_hex(std::span<const std::uint8_t> bytes, std::span<char> out);

}  // namespace bparb::lighter
