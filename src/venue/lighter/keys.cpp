// Key parsing and derivation (docs/lighter-signing.md, "Keys").
#include "bparb/venue/lighter/keys.hpp"

#include <sodium.h>

#include "bparb/venue/lighter/schnorr.hpp"

namespace bparb::lighter {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

const char* key_error_message(KeyError e) {
  switch (e) {
    case KeyError::kBadLength:
      return "key must be 80 hex characters (40 bytes), optionally prefixed with 0x";
    case KeyError::kNotHex:
      return "key contains a non-hex character";
    case KeyError::kOutOfRange:
      return "private key is zero or not below the group order";
    case KeyError::kNotAPoint:
      return "public key is not the encoding of a group element";
  }
  return "invalid key";
}

bool parse_hex40(std::string_view hex, std::array<std::uint8_t, 40>& out, KeyError* why) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  if (hex.size() != 80) {
    if (why != nullptr) *why = KeyError::kBadLength;
    return false;
  }
  for (std::size_t i = 0; i < 40; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      if (why != nullptr) *why = KeyError::kNotHex;
      return false;
    }
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

void to_hex(std::span<const std::uint8_t> bytes, std::span<char> out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size() && 2 * i + 1 < out.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4U];
    out[2 * i + 1] = kDigits[bytes[i] & 0xFU];
  }
}

Expected<PrivateKey, KeyError> PrivateKey::from_hex(std::string_view hex) {
  std::array<std::uint8_t, 40> bytes{};
  KeyError why = KeyError::kBadLength;
  if (!parse_hex40(hex, bytes, &why)) return unexpected(why);
  Scalar sk;
  const bool ok = decode(std::span<const std::uint8_t, 40>(bytes), sk) && !sk.is_zero();
  sodium_memzero(bytes.data(), bytes.size());
  if (!ok) {
    sodium_memzero(sk.v.data(), sizeof sk.v);
    return unexpected(KeyError::kOutOfRange);
  }
  PrivateKey key(sk);
  sodium_memzero(sk.v.data(), sizeof sk.v);
  return key;
}

PrivateKey PrivateKey::generate() {
  Scalar sk = random_nonzero_scalar();
  PrivateKey key(sk);
  sodium_memzero(sk.v.data(), sizeof sk.v);
  return key;
}

PrivateKey::PrivateKey(PrivateKey&& o) noexcept : sk_(o.sk_) {
  sodium_memzero(o.sk_.v.data(), sizeof o.sk_.v);
}

PrivateKey& PrivateKey::operator=(PrivateKey&& o) noexcept {
  if (this != &o) {
    sk_ = o.sk_;
    sodium_memzero(o.sk_.v.data(), sizeof o.sk_.v);
  }
  return *this;
}

PrivateKey::~PrivateKey() {
  sodium_memzero(sk_.v.data(), sizeof sk_.v);
}

PublicKeyBytes PrivateKey::public_key() const {
  PublicKeyBytes out{};
  encode(mul_generator(sk_), out);
  return out;
}

void PrivateKey::to_hex(std::span<char, 80> out) const {
  std::array<std::uint8_t, 40> bytes{};
  encode(sk_, bytes);
  lighter::to_hex(bytes, out);
  sodium_memzero(bytes.data(), bytes.size());
}

Expected<Point, KeyError> public_key_from_hex(std::string_view hex) {
  std::array<std::uint8_t, 40> bytes{};
  KeyError why = KeyError::kBadLength;
  if (!parse_hex40(hex, bytes, &why)) return unexpected(why);
  Point p;
  if (!decode(std::span<const std::uint8_t, 40>(bytes), p)) return unexpected(KeyError::kNotAPoint);
  return p;
}

}  // namespace bparb::lighter
