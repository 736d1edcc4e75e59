#pragma once
// Schnorr signatures over ECgFp5 with a Poseidon2 challenge, as Lighter's L2 transactions use them
// (docs/lighter-signing.md, "Schnorr"). A signature is LE40(s) || LE40(e).
#include <array>
#include <cstdint>
#include <span>

#include "bparb/venue/lighter/ecgfp5.hpp"
#include "bparb/venue/lighter/fp5.hpp"
#include "bparb/venue/lighter/scalar.hpp"

namespace bparb::lighter {

using Signature = std::array<std::uint8_t, 80>;

// e = int(H5(Encode(R) || m)) mod n.
Scalar schnorr_challenge(const Fp5& r_encoding, const Fp5& message);

// Signs with a fresh nonce from libsodium's CSPRNG. sk must be in [1, n).
Signature schnorr_sign(const Scalar& sk, const Fp5& message);

// For known-answer tests ONLY: a caller-chosen nonce k in [1, n). Reusing a nonce for two messages
// reveals the private key, which is why production code never calls this.
Signature schnorr_sign_with_fixed_nonce_for_tests(const Scalar& sk, const Fp5& message, const Scalar& k);

// Strict verification: s and e must be < n, the public key a canonical encoding of a group element.
bool schnorr_verify(std::span<const std::uint8_t, 40> public_key, const Fp5& message,
                    std::span<const std::uint8_t, 80> signature);
bool schnorr_verify(const Point& public_key, const Fp5& message, std::span<const std::uint8_t, 80> signature);

// A verifier that checks many signatures of one key (a venue or simulator holding registered keys):
// the key's multiples are tabulated once (135 KiB), then each verification needs no doubling.
class PreparedPublicKey {
 public:
  explicit PreparedPublicKey(const Point& public_key) : table_(public_key) {}
  bool verify(const Fp5& message, std::span<const std::uint8_t, 80> signature) const;

 private:
  FixedBaseTable table_;
};

// A nonce uniform in [1, n) from randombytes_buf (rejection sampling, see the definition).
Scalar random_nonzero_scalar();

}  // namespace bparb::lighter
