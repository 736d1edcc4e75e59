#pragma once
// PROTOTYPE (bench only, not used by the daemon): ED25519 signing with nonces precomputed off the hot
// path, to measure how much of tick-to-wire signing could be moved out of the critical section.
//
// A standard signature is (R, S) with R = r*B and S = r + H(R || A || M) * a mod L. RFC 8032 derives r
// from the message (deterministic), so r*B — the fixed-base scalar multiplication that is ~90% of the
// cost — can only start once the message is known. Verifiers do not (cannot) check how r was chosen,
// so r may instead be a fresh uniformly random secret scalar: then (r, R) can be computed in advance
// (refill() when idle) and sign() is one SHA-512 plus a scalar multiply-add. The signatures verify
// with any Ed25519 verifier (tested in tests/perf/nonce_pool_signer_test.cpp).
//
// Security conditions if this is adopted in venue/backpack/signer: every (r, R) used exactly once and
// wiped after use; r from a CSPRNG (libsodium randombytes); the pool never copied or forked. When the
// pool is empty, sign() falls back to the deterministic crypto_sign_detached.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bparb::bench {

class NoncePoolSigner {
 public:
  // seed: the 32-byte ED25519 seed (what Backpack's API secret decodes to).
  explicit NoncePoolSigner(const std::array<std::uint8_t, 32>& seed, std::size_t pool_capacity = 64);
  ~NoncePoolSigner();
  NoncePoolSigner(const NoncePoolSigner&) = delete;
  NoncePoolSigner& operator=(const NoncePoolSigner&) = delete;

  // Tops the pool up to `n` entries (each costs one fixed-base scalar multiplication). Off the hot path.
  void refill(std::size_t n) noexcept;
  std::size_t available() const noexcept { return count_; }

  // 64-byte signature of msg into sig. Uses a pooled nonce (fast) or, when empty, libsodium's
  // deterministic signing. Returns true when a pooled nonce was used.
  bool sign(std::string_view msg, std::uint8_t* sig) noexcept;
  // Same, base64 (88 chars + NUL into out[89]). Returns the length.
  std::size_t sign_base64(std::string_view msg, char* out) noexcept;

  const std::array<std::uint8_t, 32>& public_key() const noexcept { return pk_; }

 private:
  struct Nonce {
    std::array<std::uint8_t, 32> r;
    std::array<std::uint8_t, 32> R;
  };
  std::array<std::uint8_t, 64> sk_{};  // libsodium seed || pk, for the fallback
  std::array<std::uint8_t, 32> a_{};   // secret scalar, reduced mod L
  std::array<std::uint8_t, 32> pk_{};
  std::vector<Nonce> pool_;
  std::size_t count_ = 0;
};

}  // namespace bparb::bench
