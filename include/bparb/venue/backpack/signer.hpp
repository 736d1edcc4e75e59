#pragma once
// ED25519 request signer for Backpack (docs/backpack.md §1). The API secret is the base64 32-byte seed; the
// X-API-Key header is the base64 32-byte public key derived from it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bparb/core/expected.hpp"
#include "bparb/venue/backpack/keys.hpp"

namespace bparb::backpack {

// Holds the libsodium secret key (seed || public key). Move-only; the secret is wiped with
// sodium_memzero on destruction and on move-from, so it does not linger in freed memory.
class SigningKey {
 public:
  // Accepts a base64 32-byte seed, or a 64-byte seed||public key (NaCl style; the public half must
  // equal the key derived from the seed). The error text never contains the secret or any part of it.
  static Expected<SigningKey, std::string> from_base64_secret(std::string_view secret_b64);
  static SigningKey from_seed(const std::array<std::uint8_t, kSeedBytes>& seed);
  // Random key from libsodium's CSPRNG (paper mode / tests).
  static SigningKey generate();

  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  // The X-API-Key header value (base64 of the 32-byte public key).
  const std::string& public_key_base64() const noexcept { return public_b64_; }
  const std::array<std::uint8_t, kPublicKeyBytes>& public_key() const noexcept { return public_; }
  // The secret in the form Backpack hands out (base64 32-byte seed). For writing test/paper keys only.
  std::string seed_base64() const;

  // Signs `msg` and writes the base64 signature (88 chars + NUL) into `out`, which must hold at
  // least kSignatureBase64Chars + 1 = 89 bytes. Returns 88. No allocation.
  std::size_t sign_base64(std::string_view msg, char* out) const noexcept;
  std::string sign_base64(std::string_view msg) const;

 private:
  SigningKey() noexcept = default;
  void init_from_seed(const std::uint8_t* seed) noexcept;

  std::array<std::uint8_t, 64> secret_{};  // libsodium layout: seed || public key
  std::array<std::uint8_t, kPublicKeyBytes> public_{};
  std::string public_b64_;
};

// True iff `signature_b64` is a valid ED25519 signature of `message` by `public_key_b64`. False for
// any malformed input (bad base64, wrong lengths). Used by the bpsim server to authenticate requests.
bool verify_signature_base64(std::string_view public_key_b64, std::string_view signature_b64,
                             std::string_view message) noexcept;

}  // namespace bparb::backpack
