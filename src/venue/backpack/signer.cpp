#include "bparb/venue/backpack/signer.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace bparb::backpack {
namespace {

static_assert(crypto_sign_SEEDBYTES == kSeedBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeyBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

// sodium_init is idempotent and thread-safe; calling it once per process start-up path is enough.
void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw std::runtime_error("libsodium initialisation failed");
}

}  // namespace

void SigningKey::init_from_seed(const std::uint8_t* seed) noexcept {
  crypto_sign_seed_keypair(public_.data(), secret_.data(), seed);
  public_b64_ = base64_encode(public_.data(), public_.size());
}

Expected<SigningKey, std::string> SigningKey::from_base64_secret(std::string_view secret_b64) {
  ensure_sodium();
  // Trim surrounding whitespace (secrets pasted into config files often carry a newline).
  while (!secret_b64.empty() && (secret_b64.front() == ' ' || secret_b64.front() == '\n' ||
                                 secret_b64.front() == '\r' || secret_b64.front() == '\t'))
    secret_b64.remove_prefix(1);
  while (!secret_b64.empty() && (secret_b64.back() == ' ' || secret_b64.back() == '\n' || secret_b64.back() == '\r' ||
                                 secret_b64.back() == '\t'))
    secret_b64.remove_suffix(1);
  if (secret_b64.empty()) return unexpected(std::string("API secret is empty"));
  std::uint8_t buf[96];
  const long n = base64_decode(secret_b64, buf, sizeof buf);
  if (n < 0) {
    sodium_memzero(buf, sizeof buf);
    return unexpected(std::string("API secret is not valid base64 (expected the base64 32-byte ED25519 seed)"));
  }
  if (n != 32 && n != 64) {
    sodium_memzero(buf, sizeof buf);
    return unexpected("API secret decodes to " + std::to_string(n) +
                      " bytes; expected a 32-byte ED25519 seed (or 64-byte seed||public key)");
  }
  SigningKey k;
  k.init_from_seed(buf);
  if (n == 64 && sodium_memcmp(buf + 32, k.public_.data(), 32) != 0) {
    sodium_memzero(buf, sizeof buf);
    return unexpected(
        std::string("API secret is 64 bytes but its second half is not the public key derived from its first half"));
  }
  sodium_memzero(buf, sizeof buf);
  return k;
}

SigningKey SigningKey::from_seed(const std::array<std::uint8_t, kSeedBytes>& seed) {
  ensure_sodium();
  SigningKey k;
  k.init_from_seed(seed.data());
  return k;
}

SigningKey SigningKey::generate() {
  ensure_sodium();
  std::uint8_t seed[kSeedBytes];
  randombytes_buf(seed, sizeof seed);
  SigningKey k;
  k.init_from_seed(seed);
  sodium_memzero(seed, sizeof seed);
  return k;
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(other.secret_), public_(other.public_), public_b64_(std::move(other.public_b64_)) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = other.public_;
    public_b64_ = std::move(other.public_b64_);
    sodium_memzero(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

SigningKey::~SigningKey() {
  sodium_memzero(secret_.data(), secret_.size());
}

std::string SigningKey::seed_base64() const {
  return base64_encode(secret_.data(), kSeedBytes);
}

std::size_t SigningKey::sign_base64(std::string_view msg, char* out) const noexcept {
  std::uint8_t sig[kSignatureBytes];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), secret_.data());
  return base64_encode(sig, sizeof sig, out, kSignatureBase64Chars + 1);
}

std::string SigningKey::sign_base64(std::string_view msg) const {
  char buf[kSignatureBase64Chars + 1];
  const std::size_t n = sign_base64(msg, buf);
  return std::string(buf, n);
}

bool verify_signature_base64(std::string_view public_key_b64, std::string_view signature_b64,
                             std::string_view message) noexcept {
  if (sodium_init() < 0) return false;
  std::uint8_t pk[kPublicKeyBytes + 3];
  std::uint8_t sig[kSignatureBytes + 3];
  if (base64_decode(public_key_b64, pk, sizeof pk) != static_cast<long>(kPublicKeyBytes)) return false;
  if (base64_decode(signature_b64, sig, sizeof sig) != static_cast<long>(kSignatureBytes)) return false;
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(message.data()), message.size(), pk) ==
         0;
}

}  // namespace bparb::backpack
