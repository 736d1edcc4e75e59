// Arithmetic mod the ECgFp5 group order n (docs/lighter-signing.md, "Scalars"). Products use Montgomery
// multiplication with R = 2^320.
#include "bparb/venue/lighter/scalar.hpp"

namespace bparb::lighter {

namespace {

using gl::u128;
using Limbs = std::array<std::uint64_t, 5>;

// n = 0x7ffffffd800000077ffffff1000000167fffffe6cfb80639e8885c39d724a09ce80fd996948bffe1
constexpr Limbs kN = {0xe80fd996948bffe1ULL, 0xe8885c39d724a09cULL, 0x7fffffe6cfb80639ULL, 0x7ffffff100000016ULL,
                      0x7ffffffd80000007ULL};

// a - b over 320 bits; returns the borrow.
std::uint64_t sub_limbs(const Limbs& a, const Limbs& b, Limbs& out) {
  std::uint64_t borrow = 0;
  for (int i = 0; i < 5; ++i) {
    const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
    out[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1U;
  }
  return borrow;
}

// a + b over 320 bits; returns the carry.
std::uint64_t add_limbs(const Limbs& a, const Limbs& b, Limbs& out) {
  std::uint64_t carry = 0;
  for (int i = 0; i < 5; ++i) {
    const u128 s = static_cast<u128>(a[i]) + b[i] + carry;
    out[i] = static_cast<std::uint64_t>(s);
    carry = static_cast<std::uint64_t>(s >> 64);
  }
  return carry;
}

// -n^{-1} mod 2^64 by Newton's iteration (each step doubles the correct low bits).
constexpr std::uint64_t neg_inv_n0() {
  std::uint64_t x = 1;
  for (int i = 0; i < 7; ++i) x *= 2 - kN[0] * x;
  return ~x + 1;
}
constexpr std::uint64_t kN0 = neg_inv_n0();

// a * b * 2^-320 mod n for a, b < n (CIOS).
Limbs mont_mul(const Limbs& a, const Limbs& b) {
  std::uint64_t t[7] = {};
  for (int i = 0; i < 5; ++i) {
    std::uint64_t c = 0;
    for (int j = 0; j < 5; ++j) {
      const u128 x = static_cast<u128>(a[j]) * b[i] + t[j] + c;
      t[j] = static_cast<std::uint64_t>(x);
      c = static_cast<std::uint64_t>(x >> 64);
    }
    u128 x = static_cast<u128>(t[5]) + c;
    t[5] = static_cast<std::uint64_t>(x);
    t[6] = static_cast<std::uint64_t>(x >> 64);
    const std::uint64_t m = t[0] * kN0;
    x = static_cast<u128>(m) * kN[0] + t[0];
    c = static_cast<std::uint64_t>(x >> 64);
    for (int j = 1; j < 5; ++j) {
      x = static_cast<u128>(m) * kN[j] + t[j] + c;
      t[j - 1] = static_cast<std::uint64_t>(x);
      c = static_cast<std::uint64_t>(x >> 64);
    }
    x = static_cast<u128>(t[5]) + c;
    t[4] = static_cast<std::uint64_t>(x);
    t[5] = t[6] + static_cast<std::uint64_t>(x >> 64);
  }
  // The result is below 2n < 2^320, so t[5] is 0 and one conditional subtraction makes it canonical.
  Limbs r = {t[0], t[1], t[2], t[3], t[4]};
  Limbs d;
  if (sub_limbs(r, kN, d) == 0 || t[5] != 0) r = d;
  return r;
}

// R^2 mod n (R = 2^320), by doubling 1 mod n 640 times; computed once.
const Limbs& r_squared() {
  static const Limbs r2 = [] {
    Limbs v = {1, 0, 0, 0, 0};
    for (int i = 0; i < 640; ++i) {
      Limbs s;
      add_limbs(v, v, s);  // v < n < 2^319: no carry out of 320 bits
      Limbs d;
      v = sub_limbs(s, kN, d) == 0 ? d : s;
    }
    return v;
  }();
  return r2;
}

}  // namespace

const Scalar& Scalar::order() {
  static const Scalar n{kN};
  return n;
}

bool is_canonical(const Limbs& limbs) {
  Limbs d;
  return sub_limbs(limbs, kN, d) != 0;
}

Scalar reduce320(const Limbs& limbs) {
  Limbs v = limbs;
  for (int i = 0; i < 2; ++i) {
    Limbs d;
    if (sub_limbs(v, kN, d) == 0) v = d;
  }
  return Scalar{v};
}

Scalar scalar_from_fp5(const Fp5& h) {
  return reduce320(h.c);
}

Scalar add(const Scalar& a, const Scalar& b) {
  Limbs s;
  add_limbs(a.v, b.v, s);  // both < 2^319: no carry
  Limbs d;
  return Scalar{sub_limbs(s, kN, d) == 0 ? d : s};
}

Scalar sub(const Scalar& a, const Scalar& b) {
  Limbs d;
  if (sub_limbs(a.v, b.v, d) != 0) {
    Limbs s;
    add_limbs(d, kN, s);
    return Scalar{s};
  }
  return Scalar{d};
}

Scalar mul(const Scalar& a, const Scalar& b) {
  return Scalar{mont_mul(mont_mul(a.v, b.v), r_squared())};
}

void encode(const Scalar& s, std::span<std::uint8_t, 40> out) {
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<std::uint8_t>(s.v[i] >> (8 * j));
  }
}

bool decode(std::span<const std::uint8_t, 40> in, Scalar& out) {
  Limbs v{};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 8; ++j) v[i] |= static_cast<std::uint64_t>(in[8 * i + j]) << (8 * j);
  }
  if (!is_canonical(v)) return false;
  out = Scalar{v};
  return true;
}

}  // namespace bparb::lighter
