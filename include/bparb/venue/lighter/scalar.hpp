#pragma once
// Integers modulo the ECgFp5 group order n (a 319-bit prime), five little-endian 64-bit limbs, kept
// canonical (< n) (docs/lighter-signing.md, "Scalars").
#include <array>
#include <cstdint>
#include <span>

#include "bparb/venue/lighter/fp5.hpp"

namespace bparb::lighter {

struct Scalar {
  std::array<std::uint64_t, 5> v{};

  static const Scalar& order();  // n itself (not a canonical scalar; for comparisons and tests)
  constexpr bool is_zero() const { return (v[0] | v[1] | v[2] | v[3] | v[4]) == 0; }
  friend constexpr bool operator==(const Scalar&, const Scalar&) = default;
};

// true if limbs < n.
bool is_canonical(const std::array<std::uint64_t, 5>& limbs);

// Any 320-bit value mod n (at most two subtractions: 2^320 < 3n).
Scalar reduce320(const std::array<std::uint64_t, 5>& limbs);

// int(h) mod n for h in GF(p^5): the canonical limbs read as one 320-bit little-endian integer.
Scalar scalar_from_fp5(const Fp5& h);

Scalar add(const Scalar& a, const Scalar& b);
Scalar sub(const Scalar& a, const Scalar& b);
Scalar mul(const Scalar& a, const Scalar& b);

void encode(const Scalar& s, std::span<std::uint8_t, 40> out);
// Strict: false if the 40-byte little-endian value is >= n.
bool decode(std::span<const std::uint8_t, 40> in, Scalar& out);

}  // namespace bparb::lighter
