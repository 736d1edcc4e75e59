// Schnorr over ECgFp5 (docs/lighter-signing.md, "Schnorr" and "Nonce").
#include "bparb/venue/lighter/schnorr.hpp"

#include <sodium.h>

#include <cstdlib>

#include "bparb/venue/lighter/poseidon2.hpp"

namespace bparb::lighter {

Scalar schnorr_challenge(const Fp5& r_encoding, const Fp5& message) {
  const std::uint64_t in[10] = {r_encoding.c[0], r_encoding.c[1], r_encoding.c[2], r_encoding.c[3], r_encoding.c[4],
                                message.c[0],    message.c[1],    message.c[2],    message.c[3],    message.c[4]};
  return scalar_from_fp5(hash_to_fp5(in));
}

Scalar random_nonzero_scalar() {
  // randombytes_buf needs libsodium initialised; without a working CSPRNG no signature may be made.
  static const bool sodium_ready = sodium_init() >= 0;
  if (!sodium_ready) std::abort();
  // Rejection sampling rather than reducing a wide draw: take 319 random bits (n < 2^319) and retry if
  // the value is >= n or zero. Every accepted value is exactly uniform in [1, n), with no bias term to
  // argue about; since n > 2^319 - 2^290, a retry happens with probability below 2^-29.
  Scalar k;
  for (;;) {
    std::array<std::uint64_t, 5> v{};
    randombytes_buf(v.data(), sizeof v);
    v[4] &= 0x7FFFFFFFFFFFFFFFULL;
    if (is_canonical(v) && (v[0] | v[1] | v[2] | v[3] | v[4]) != 0) {
      k.v = v;
      sodium_memzero(v.data(), sizeof v);
      return k;
    }
  }
}

Signature schnorr_sign_with_fixed_nonce_for_tests(const Scalar& sk, const Fp5& message, const Scalar& k) {
  const Fp5 r = encode(mul_generator(k));
  const Scalar e = schnorr_challenge(r, message);
  // e * sk reveals the key to anyone who knows e (public): wipe it once s is formed.
  Scalar e_sk = mul(e, sk);
  const Scalar s = sub(k, e_sk);
  sodium_memzero(e_sk.v.data(), sizeof e_sk.v);
  Signature sig{};
  encode(s, std::span<std::uint8_t, 40>(sig.data(), 40));
  encode(e, std::span<std::uint8_t, 40>(sig.data() + 40, 40));
  return sig;
}

Signature schnorr_sign(const Scalar& sk, const Fp5& message) {
  Scalar k = random_nonzero_scalar();
  const Signature sig = schnorr_sign_with_fixed_nonce_for_tests(sk, message, k);
  sodium_memzero(k.v.data(), sizeof k.v);
  return sig;
}

bool schnorr_verify(const Point& public_key, const Fp5& message, std::span<const std::uint8_t, 80> signature) {
  Scalar s, e;
  if (!decode(signature.first<40>(), s) || !decode(signature.last<40>(), e)) return false;
  const Point r = mul_add_generator_public(s, public_key, e);
  return schnorr_challenge(encode(r), message) == e;
}

bool PreparedPublicKey::verify(const Fp5& message, std::span<const std::uint8_t, 80> signature) const {
  Scalar s, e;
  if (!decode(signature.first<40>(), s) || !decode(signature.last<40>(), e)) return false;
  const Point r = add(mul_generator_public(s), table_.mul_public(e));
  return schnorr_challenge(encode(r), message) == e;
}

bool schnorr_verify(std::span<const std::uint8_t, 40> public_key, const Fp5& message,
                    std::span<const std::uint8_t, 80> signature) {
  Point pk;
  if (!decode(public_key, pk)) return false;
  return schnorr_verify(pk, message, signature);
}

}  // namespace bparb::lighter
