// GF(p^5) arithmetic (docs/lighter-signing.md, "Quintic extension").
#include "bparb/venue/lighter/fp5.hpp"

namespace bparb::lighter {

namespace gl {

bool sqrt(std::uint64_t a, std::uint64_t& out) {
  if (a == 0) {
    out = 0;
    return true;
  }
  if (legendre(a) != 1) return false;
  // Tonelli-Shanks with p - 1 = 2^32 * q, q = 2^32 - 1. 7 generates GF(p)*, so 7^q has order 2^32.
  constexpr std::uint64_t q = 0xFFFFFFFFULL;
  std::uint32_t m = 32;
  std::uint64_t c = pow(7, q);
  std::uint64_t t = pow(a, q);
  std::uint64_t r = pow(a, (q + 1) / 2);
  while (t != 1) {
    std::uint32_t i = 0;
    std::uint64_t t2 = t;
    while (t2 != 1) {
      t2 = sqr(t2);
      ++i;
    }
    std::uint64_t b = c;
    for (std::uint32_t j = 0; j + 1 < m - i; ++j) b = sqr(b);
    m = i;
    c = sqr(b);
    t = mul(t, c);
    r = mul(r, b);
  }
  out = r;
  return true;
}

}  // namespace gl

namespace {

using gl::u128;

// Sum of up to five 128-bit products in three words (lo: 128 bits, top: the overflows out of them),
// reduced once per coefficient. The true sum is below 5 * 2^128, so top <= 4.
struct Acc {
  u128 lo = 0;
  std::uint64_t top = 0;
  void add(std::uint64_t a, std::uint64_t b) {
    top += static_cast<std::uint64_t>(__builtin_add_overflow(lo, static_cast<u128>(a) * b, &lo));
  }
  // With lo = l + 2^64 (hh 2^32 + hl): 2^64 = 2^32 - 1, 2^96 = -1 and 2^128 = -2^32 (mod p), so the value
  // is l - (hh + top 2^32) + hl (2^32 - 1): the overflow word joins the subtracted part for free.
  std::uint64_t reduce() const {
    const auto l = static_cast<std::uint64_t>(lo);
    const auto h = static_cast<std::uint64_t>(lo >> 64);
    const std::uint64_t sub = (h >> 32) + (top << 32U);  // < 2^35
    std::uint64_t t0 = 0;
    const bool borrow = __builtin_sub_overflow(l, sub, &t0);
    t0 -= gl::kEps & gl::mask_if(borrow);  // borrowed 2^64 = kEps too many; t0 > 2^63 here, no wrap
    const std::uint64_t hl = h & gl::kEps;
    std::uint64_t t2 = 0;
    const bool carry = __builtin_add_overflow(t0, (hl << 32U) - hl, &t2);
    t2 += gl::kEps & gl::mask_if(carry);  // carried 2^64: add its value back (t2 < 2^64 - 2^33 + 1 here)
    return t2 - (gl::kP & gl::mask_if(t2 >= gl::kP));
  }
};

// k * a for a small k (<= 8), congruent mod p and below 2^64 but not necessarily canonical: enough for a
// multiplicand of Acc, and cheaper than canonical additions. The high word of the 128-bit product is at
// most 7, worth hi * (2^32 - 1); a carry out of that sum leaves a word below 2^35, so adding 2^32 - 1
// for it cannot wrap again.
inline std::uint64_t mul_small_loose(std::uint64_t a, std::uint64_t k) {
  const u128 t = static_cast<u128>(a) * k;
  const auto hi = static_cast<std::uint64_t>(t >> 64);
  std::uint64_t r = 0;
  const bool carry = __builtin_add_overflow(static_cast<std::uint64_t>(t), (hi << 32U) - hi, &r);
  return r + (gl::kEps & gl::mask_if(carry));
}

// The Frobenius twists gamma^(k*i) with gamma = 3^((p-1)/5), for k = 1..4 and i = 0..4.
struct FrobTable {
  std::uint64_t g[5][5];
  FrobTable() {
    const std::uint64_t gamma = gl::pow(3, (gl::kP - 1) / 5);
    for (int k = 0; k < 5; ++k) {
      const std::uint64_t gk = gl::pow(gamma, static_cast<std::uint64_t>(k));
      std::uint64_t v = 1;
      for (int i = 0; i < 5; ++i) {
        g[k][i] = v;
        v = gl::mul(v, gk);
      }
    }
  }
};

const FrobTable& frob_table() {
  static const FrobTable t;
  return t;
}

}  // namespace

Fp5 operator*(const Fp5& a, const Fp5& b) {
  // z^5 = 3: the products landing on z^(5+k) fold back onto z^k times 3, so pre-multiply b by 3 once.
  std::uint64_t b3[5];
  for (int i = 1; i < 5; ++i) b3[i] = mul_small_loose(b.c[i], 3);
  const auto& x = a.c;
  const auto& y = b.c;
  Acc c0, c1, c2, c3, c4;
  c0.add(x[0], y[0]);
  c0.add(x[1], b3[4]);
  c0.add(x[2], b3[3]);
  c0.add(x[3], b3[2]);
  c0.add(x[4], b3[1]);
  c1.add(x[0], y[1]);
  c1.add(x[1], y[0]);
  c1.add(x[2], b3[4]);
  c1.add(x[3], b3[3]);
  c1.add(x[4], b3[2]);
  c2.add(x[0], y[2]);
  c2.add(x[1], y[1]);
  c2.add(x[2], y[0]);
  c2.add(x[3], b3[4]);
  c2.add(x[4], b3[3]);
  c3.add(x[0], y[3]);
  c3.add(x[1], y[2]);
  c3.add(x[2], y[1]);
  c3.add(x[3], y[0]);
  c3.add(x[4], b3[4]);
  c4.add(x[0], y[4]);
  c4.add(x[1], y[3]);
  c4.add(x[2], y[2]);
  c4.add(x[3], y[1]);
  c4.add(x[4], y[0]);
  return Fp5{{c0.reduce(), c1.reduce(), c2.reduce(), c3.reduce(), c4.reduce()}};
}

Fp5 square(const Fp5& a) {
  // 15 products instead of 25: cross terms a_i a_j (i < j) appear twice.
  const auto& x = a.c;
  const std::uint64_t d0 = mul_small_loose(x[0], 2);
  const std::uint64_t d1 = mul_small_loose(x[1], 2);
  const std::uint64_t t3 = mul_small_loose(x[3], 3);    // 3 a3
  const std::uint64_t t4 = mul_small_loose(x[4], 3);    // 3 a4
  const std::uint64_t t4x2 = mul_small_loose(x[4], 6);  // 6 a4
  const std::uint64_t t3x2 = mul_small_loose(x[3], 6);  // 6 a3
  Acc c0, c1, c2, c3, c4;
  // c0 = a0^2 + 6 (a1 a4 + a2 a3)
  c0.add(x[0], x[0]);
  c0.add(x[1], t4x2);
  c0.add(x[2], t3x2);
  // c1 = 2 a0 a1 + 6 a2 a4 + 3 a3^2
  c1.add(d0, x[1]);
  c1.add(x[2], t4x2);
  c1.add(x[3], t3);
  // c2 = 2 a0 a2 + a1^2 + 6 a3 a4
  c2.add(d0, x[2]);
  c2.add(x[1], x[1]);
  c2.add(x[3], t4x2);
  // c3 = 2 a0 a3 + 2 a1 a2 + 3 a4^2
  c3.add(d0, x[3]);
  c3.add(d1, x[2]);
  c3.add(x[4], t4);
  // c4 = 2 a0 a4 + 2 a1 a3 + a2^2
  c4.add(d0, x[4]);
  c4.add(d1, x[3]);
  c4.add(x[2], x[2]);
  return Fp5{{c0.reduce(), c1.reduce(), c2.reduce(), c3.reduce(), c4.reduce()}};
}

Fp5 frobenius(const Fp5& a, int k) {
  const auto& g = frob_table().g[k % 5];
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = gl::mul(a.c[i], g[i]);
  return r;
}

namespace {
// phi(a) phi^2(a) phi^3(a) phi^4(a) = a^(p + p^2 + p^3 + p^4).
Fp5 norm_cofactor(const Fp5& a) {
  const Fp5 t0 = frobenius(a, 1) * frobenius(a, 2);
  return t0 * frobenius(t0, 2);
}

std::uint64_t base_part_of_product(const Fp5& a, const Fp5& b) {
  // Only the constant coefficient of a*b (which is all of it when a*b lies in GF(p)).
  Acc c0;
  c0.add(a.c[0], b.c[0]);
  c0.add(a.c[1], gl::mul(b.c[4], 3));
  c0.add(a.c[2], gl::mul(b.c[3], 3));
  c0.add(a.c[3], gl::mul(b.c[2], 3));
  c0.add(a.c[4], gl::mul(b.c[1], 3));
  return c0.reduce();
}
}  // namespace

std::uint64_t norm(const Fp5& a) {
  return base_part_of_product(a, norm_cofactor(a));
}

Fp5 inverse(const Fp5& a) {
  const Fp5 t = norm_cofactor(a);
  const std::uint64_t n = base_part_of_product(a, t);
  return scale(t, gl::inv(n));
}

int legendre(const Fp5& a) {
  // a^((p^5-1)/2) = N(a)^((p-1)/2).
  return gl::legendre(norm(a));
}

Fp5 pow(const Fp5& a, std::uint64_t e) {
  Fp5 r = Fp5::one();
  Fp5 b = a;
  while (e != 0) {
    if ((e & 1U) != 0) r = r * b;
    b = square(b);
    e >>= 1U;
  }
  return r;
}

bool sqrt(const Fp5& a, Fp5& out) {
  if (a.is_zero()) {
    out = Fp5::zero();
    return true;
  }
  // With m = (p + p^2 + p^3 + p^4) / 2 and u = a^m: u^2 = N(a) / a, so sqrt(N(a)) / u squares to a.
  // a^m = phi(w * phi^2(w)) for w = a^((p+1)/2), since m = p * (p+1)/2 * (1 + p^2).
  const Fp5 w = pow(a, gl::kP / 2 + 1);
  const Fp5 u = frobenius(w * frobenius(w, 2), 1);
  const std::uint64_t n = base_part_of_product(a, norm_cofactor(a));
  std::uint64_t s = 0;
  if (!gl::sqrt(n, s)) return false;
  const Fp5 r = scale(inverse(u), s);
  if (!(square(r) == a)) return false;
  out = r;
  return true;
}

void encode(const Fp5& a, std::span<std::uint8_t, 40> out) {
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<std::uint8_t>(a.c[i] >> (8 * j));
  }
}

bool decode(std::span<const std::uint8_t, 40> in, Fp5& out) {
  Fp5 r;
  for (int i = 0; i < 5; ++i) {
    std::uint64_t v = 0;
    for (int j = 0; j < 8; ++j) v |= static_cast<std::uint64_t>(in[8 * i + j]) << (8 * j);
    if (v >= gl::kP) return false;
    r.c[i] = v;
  }
  out = r;
  return true;
}

}  // namespace bparb::lighter
