#pragma once
// The quintic extension GF(p^5) = GF(p)[z] / (z^5 - 3) over the Goldilocks field
// (docs/lighter-signing.md, "Quintic extension"). An element is c[0] + c[1] z + ... + c[4] z^4 with
// canonical limbs; its 40-byte encoding is the five limbs as little-endian u64.
#include <array>
#include <cstdint>
#include <span>

#include "bparb/venue/lighter/goldilocks.hpp"

namespace bparb::lighter {

struct Fp5 {
  std::array<std::uint64_t, 5> c{};

  static constexpr Fp5 zero() { return {}; }
  static constexpr Fp5 one() { return Fp5{{1, 0, 0, 0, 0}}; }
  static constexpr Fp5 from_u64(std::uint64_t v) { return Fp5{{gl::canon(v), 0, 0, 0, 0}}; }

  constexpr bool is_zero() const { return (c[0] | c[1] | c[2] | c[3] | c[4]) == 0; }
  friend constexpr bool operator==(const Fp5&, const Fp5&) = default;
};

inline Fp5 operator+(const Fp5& a, const Fp5& b) {
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = gl::add(a.c[i], b.c[i]);
  return r;
}

inline Fp5 operator-(const Fp5& a, const Fp5& b) {
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = gl::sub(a.c[i], b.c[i]);
  return r;
}

inline Fp5 operator-(const Fp5& a) {
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = gl::neg(a.c[i]);
  return r;
}

inline Fp5 dbl(const Fp5& a) {
  return a + a;
}

// Product by an element of the base field.
inline Fp5 scale(const Fp5& a, std::uint64_t k) {
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = gl::mul(a.c[i], k);
  return r;
}

Fp5 operator*(const Fp5& a, const Fp5& b);
Fp5 square(const Fp5& a);

// Multiplication by z (a limb rotation; the limb that wraps around is multiplied by 3 since z^5 = 3).
inline Fp5 mul_by_z(const Fp5& a) {
  return Fp5{{gl::mul(a.c[4], 3), a.c[0], a.c[1], a.c[2], a.c[3]}};
}

// Frobenius a -> a^(p^k) for k = 1..4.
Fp5 frobenius(const Fp5& a, int k);
// Norm a * phi(a) * ... * phi^4(a), an element of GF(p).
std::uint64_t norm(const Fp5& a);
// 0 maps to 0.
Fp5 inverse(const Fp5& a);
// 0 (zero), 1 (non-zero square) or -1.
int legendre(const Fp5& a);
// Some square root of a square; false if `a` is not a square.
bool sqrt(const Fp5& a, Fp5& out);
// a^e for a 64-bit exponent.
Fp5 pow(const Fp5& a, std::uint64_t e);

void encode(const Fp5& a, std::span<std::uint8_t, 40> out);
// Rejects limbs >= p (non-canonical encodings).
bool decode(std::span<const std::uint8_t, 40> in, Fp5& out);

}  // namespace bparb::lighter
