#include "nonce_pool_signer.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "bparb/venue/backpack/keys.hpp"

namespace bparb::bench {

NoncePoolSigner::NoncePoolSigner(const std::array<std::uint8_t, 32>& seed, std::size_t pool_capacity)
    : pool_(pool_capacity) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  crypto_sign_seed_keypair(pk_.data(), sk_.data(), seed.data());
  // a = clamp(SHA512(seed)[0..32]) (RFC 8032 §5.1.5), then reduced mod L for the scalar arithmetic.
  std::uint8_t h[64];
  crypto_hash_sha512(h, seed.data(), seed.size());
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  std::uint8_t wide[64] = {};
  std::memcpy(wide, h, 32);
  crypto_core_ed25519_scalar_reduce(a_.data(), wide);
  sodium_memzero(h, sizeof h);
  sodium_memzero(wide, sizeof wide);
}

NoncePoolSigner::~NoncePoolSigner() {
  sodium_memzero(sk_.data(), sk_.size());
  sodium_memzero(a_.data(), a_.size());
  for (Nonce& n : pool_) sodium_memzero(n.r.data(), n.r.size());
}

void NoncePoolSigner::refill(std::size_t n) noexcept {
  if (n > pool_.size()) n = pool_.size();
  while (count_ < n) {
    Nonce& e = pool_[count_];
    do {
      crypto_core_ed25519_scalar_random(e.r.data());  // uniform in [1, L)
    } while (crypto_scalarmult_ed25519_base_noclamp(e.R.data(), e.r.data()) != 0);
    ++count_;
  }
}

bool NoncePoolSigner::sign(std::string_view msg, std::uint8_t* sig) noexcept {
  if (count_ == 0) {
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk_.data());
    return false;
  }
  Nonce& e = pool_[--count_];
  // k = SHA512(R || A || M) mod L
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, e.R.data(), e.R.size());
  crypto_hash_sha512_update(&st, pk_.data(), pk_.size());
  crypto_hash_sha512_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  std::uint8_t h[64];
  crypto_hash_sha512_final(&st, h);
  std::uint8_t k[32], ka[32];
  crypto_core_ed25519_scalar_reduce(k, h);
  crypto_core_ed25519_scalar_mul(ka, k, a_.data());
  std::memcpy(sig, e.R.data(), 32);
  crypto_core_ed25519_scalar_add(sig + 32, e.r.data(), ka);  // S = r + k*a mod L
  sodium_memzero(e.r.data(), e.r.size());                    // never reuse a nonce
  sodium_memzero(ka, sizeof ka);
  return true;
}

std::size_t NoncePoolSigner::sign_base64(std::string_view msg, char* out) noexcept {
  std::uint8_t sig[64];
  sign(msg, sig);
  return backpack::base64_encode(sig, sizeof sig, out, backpack::kSignatureBase64Chars + 1);
}

}  // namespace bparb::bench
