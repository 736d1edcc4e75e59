#pragma once
// Arithmetic in the Goldilocks prime field GF(p), p = 2^64 - 2^32 + 1 (docs/lighter-signing.md,
// "Goldilocks field"). Elements are plain uint64_t values kept canonical (< p) by every function here,
// so equality is ==. Header-only: these are the innermost loops of the signer.
#include <cstdint>

namespace bparb::lighter::gl {

__extension__ using u128 = unsigned __int128;

inline constexpr std::uint64_t kP = 0xFFFFFFFF00000001ULL;
// 2^64 mod p = 2^32 - 1: a carry out of bit 63 is worth this much.
inline constexpr std::uint64_t kEps = 0xFFFFFFFFULL;

// Any 64-bit word to its canonical representative (words >= p are non-canonical inputs).
constexpr std::uint64_t canon(std::uint64_t x) {
  return x >= kP ? x - kP : x;
}

// The arithmetic is branch-free: with random field elements the carry/borrow conditions are taken
// about half the time, and mispredicted branches cost more than the arithmetic itself.
constexpr std::uint64_t mask_if(bool c) {
  return 0 - static_cast<std::uint64_t>(c);
}

constexpr std::uint64_t add(std::uint64_t a, std::uint64_t b) {
  // a, b < p: the true sum is below 2p. On a carry out of bit 63 the wrapped value is worth 2^64 = kEps
  // more; otherwise subtract p if the sum is not below it.
  std::uint64_t s = 0;
  const bool carry = __builtin_add_overflow(a, b, &s);
  s += kEps & mask_if(carry);
  return s - (kP & mask_if(s >= kP));
}

constexpr std::uint64_t sub(std::uint64_t a, std::uint64_t b) {
  std::uint64_t d = 0;
  const bool borrow = __builtin_sub_overflow(a, b, &d);
  return d + (kP & mask_if(borrow));
}

constexpr std::uint64_t neg(std::uint64_t a) {
  return a == 0 ? 0 : kP - a;
}

// Reduces a 128-bit value: with x = lo + 2^64 (hh * 2^32 + hl), 2^64 = 2^32 - 1 and 2^96 = -1 mod p,
// so x = lo - hh + hl * (2^32 - 1).
constexpr std::uint64_t reduce128(u128 x) {
  const auto lo = static_cast<std::uint64_t>(x);
  const auto hi = static_cast<std::uint64_t>(x >> 64);
  const std::uint64_t hh = hi >> 32;
  const std::uint64_t hl = hi & kEps;
  std::uint64_t t0 = 0;
  const bool borrow = __builtin_sub_overflow(lo, hh, &t0);
  t0 -= kEps & mask_if(borrow);  // borrowed 2^64, which is kEps too many
  const std::uint64_t t1 = (hl << 32U) - hl;  // hl * (2^32 - 1) without a multiplication
  std::uint64_t t2 = 0;
  const bool carry = __builtin_add_overflow(t0, t1, &t2);
  t2 += kEps & mask_if(carry);  // carried 2^64: add its value back
  return t2 - (kP & mask_if(t2 >= kP));
}

constexpr std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
  return reduce128(static_cast<u128>(a) * b);
}
constexpr std::uint64_t sqr(std::uint64_t a) {
  return mul(a, a);
}

constexpr std::uint64_t pow(std::uint64_t a, std::uint64_t e) {
  std::uint64_t r = 1;
  while (e != 0) {
    if ((e & 1U) != 0) r = mul(r, a);
    a = sqr(a);
    e >>= 1U;
  }
  return r;
}

// a^(p-2); 0 maps to 0.
constexpr std::uint64_t inv(std::uint64_t a) {
  return pow(a, kP - 2);
}

// Legendre symbol as 0 (a = 0), 1 (square) or -1.
constexpr int legendre(std::uint64_t a) {
  if (a == 0) return 0;
  return pow(a, (kP - 1) / 2) == 1 ? 1 : -1;
}

// Square root for a square `a` (Tonelli-Shanks; p - 1 = 2^32 * (2^32 - 1)). Returns false if `a` is
// not a square.
bool sqrt(std::uint64_t a, std::uint64_t& out);

}  // namespace bparb::lighter::gl
