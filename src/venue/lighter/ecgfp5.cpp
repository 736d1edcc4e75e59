// ECgFp5 group law, encoding and scalar multiplication (docs/lighter-signing.md, "The group").
#include "bparb/venue/lighter/ecgfp5.hpp"

#include <cstring>
#include <vector>

namespace bparb::lighter {

namespace {

// k * v for a constant k below 2^20, canonical: the high word of the product is below 2^20, worth
// hi * (2^32 - 1) < 2^52, so one carry correction and one conditional subtraction of p finish it (cheaper
// than a general product's reduction).
inline std::uint64_t mul_small(std::uint64_t v, std::uint64_t k) {
  const gl::u128 t = static_cast<gl::u128>(v) * k;
  const auto hi = static_cast<std::uint64_t>(t >> 64);
  std::uint64_t r = 0;
  const bool carry = __builtin_add_overflow(static_cast<std::uint64_t>(t), (hi << 32U) - hi, &r);
  r += gl::kEps & gl::mask_if(carry);
  return r - (gl::kP & gl::mask_if(r >= gl::kP));
}

// Multiplication by the curve constant b = 263 z: a limb rotation, the wrapped limb times 3 * 263 (z^5 = 3).
inline Fp5 mul_b(const Fp5& v) {
  return Fp5{{mul_small(v.c[4], 3 * 263), mul_small(v.c[0], 263), mul_small(v.c[1], 263), mul_small(v.c[2], 263),
              mul_small(v.c[3], 263)}};
}

// a + b with b in affine form: the complete formula with Z2 = T2 = 1 (8 multiplications).
Point add_affine(const Point& a, const Affine& b) {
  const Fp5 t1 = a.x * b.x;
  const Fp5& t2 = a.z;
  const Fp5 t3 = a.u * b.u;
  const Fp5& t4 = a.t;
  const Fp5 t5 = a.x + a.z * b.x;
  const Fp5 t6 = a.u + a.t * b.u;
  const Fp5 t7 = t1 + mul_b(t2);
  const Fp5 t8 = t4 * t7;
  const Fp5 t9 = t3 * (dbl(mul_b(t5)) + dbl(t7));
  const Fp5 t10 = (t4 + dbl(t3)) * (t5 + t7);
  return Point{mul_b(t10 - t8), t8 - t9, t6 * (mul_b(t2) - t1), t8 + t9};
}

// n points to affine form with one inversion: prefix products of Z T, inverted once and unwound
// backwards (1/(Z T) times T gives 1/Z, times Z gives 1/T). `prefix` is scratch space for n elements.
void to_affine(const Point* points, Affine* out, Fp5* prefix, int n) {
  for (int j = 0; j < n; ++j) {
    const Fp5 zt = points[j].z * points[j].t;
    prefix[j] = j == 0 ? zt : prefix[j - 1] * zt;
  }
  Fp5 inv = inverse(prefix[n - 1]);  // 1 / (Z_0 T_0 ... Z_(n-1) T_(n-1))
  for (int j = n - 1; j >= 0; --j) {
    const Point& q = points[j];
    const Fp5 inv_zt = j == 0 ? inv : inv * prefix[j - 1];  // 1 / (Z_j T_j)
    if (j != 0) inv = inv * (q.z * q.t);
    out[j] = Affine{q.x * q.t * inv_zt, q.u * q.z * inv_zt};
  }
}

// Signed 6-bit windows: a scalar below 2^319 is written as sum d_i 64^i with d_i in [-32, 31] for
// i < 53 and d_53 in [0, 2] (the top window holds bit 318 plus a carry, so it never wraps). 54 windows,
// each a 32-entry table (|d| = 1..32; the sign is applied by negating u). Against 5-bit windows (64
// windows of 16 entries) this trades ten additions for twice the table and a longer constant-time scan,
// which the vector scan makes the cheaper side.
constexpr int kWindowBits = 6;
constexpr int kWindows = 54;
constexpr int kEntries = 1 << (kWindowBits - 1);
static_assert(kWindowBits * kWindows >= 320, "the windows cover a 319-bit scalar and its last carry");

void recode(const std::array<std::uint64_t, 5>& k, int (&digits)[kWindows]) {
  constexpr std::uint64_t kMask = (std::uint64_t{1} << kWindowBits) - 1;
  std::uint64_t carry = 0;
  for (int i = 0; i < kWindows; ++i) {
    const int bit = kWindowBits * i;
    const auto limb = static_cast<std::size_t>(bit / 64);
    const int off = bit % 64;
    std::uint64_t w = k[limb] >> off;
    if (off > 64 - kWindowBits && limb + 1 < 5) w |= k[limb + 1] << (64 - off);
    const std::uint64_t d = (w & kMask) + carry;
    // d in [0, 64]; digits of 32 and above become d - 64 with a carry into the next window (not in the last).
    const std::uint64_t wrap = static_cast<std::uint64_t>(d >= kEntries) & static_cast<std::uint64_t>(i + 1 < kWindows);
    digits[i] = static_cast<int>(d) - static_cast<int>(wrap << kWindowBits);
    carry = wrap;
  }
}

const FixedBaseTable& generator_table() {
  static const FixedBaseTable t(Point::generator());
  return t;
}

// Constant-time |d| * 64^i * G for a signed digit: every entry is read and masks pick one (none for
// d = 0, which leaves the neutral (0, 0)); the sign is applied to u without a branch. An entry is ten
// words (x then u), scanned as two 4-word and one 2-word vectors: the same loads and masks for every
// digit, a quarter of the instructions of a word-by-word scan.
using Words4 = std::uint64_t __attribute__((vector_size(32)));
using Words2 = std::uint64_t __attribute__((vector_size(16)));
static_assert(sizeof(Affine) == 10 * sizeof(std::uint64_t), "an entry is ten words");

Affine select(const Affine* entries, int d) {
  const auto sign = static_cast<std::uint64_t>(static_cast<std::uint32_t>(d) >> 31U);  // 1 if negative
  const std::uint64_t mag = (static_cast<std::uint64_t>(static_cast<std::int64_t>(d)) ^ (0 - sign)) + sign;
  Words4 a0{}, a1{};
  Words2 a2{};
  for (std::uint64_t j = 0; j < kEntries; ++j) {
    const std::uint64_t mask = 0 - static_cast<std::uint64_t>(j + 1 == mag);
    const auto* w = reinterpret_cast<const unsigned char*>(&entries[j]);
    Words4 v0, v1;
    Words2 v2;
    std::memcpy(&v0, w, sizeof v0);
    std::memcpy(&v1, w + 32, sizeof v1);
    std::memcpy(&v2, w + 64, sizeof v2);
    a0 |= v0 & mask;
    a1 |= v1 & mask;
    a2 |= v2 & mask;
  }
  Affine r;
  auto* out = reinterpret_cast<unsigned char*>(&r);
  std::memcpy(out, &a0, sizeof a0);
  std::memcpy(out + 32, &a1, sizeof a1);
  std::memcpy(out + 64, &a2, sizeof a2);
  const Fp5 neg_u = -r.u;
  const std::uint64_t neg_mask = 0 - sign;
  for (int l = 0; l < 5; ++l) r.u.c[l] = (r.u.c[l] & ~neg_mask) | (neg_u.c[l] & neg_mask);
  return r;
}

// Width-w non-adjacent form of a public scalar below 2^320: digits odd in (-2^(w-1), 2^(w-1)) or zero,
// any two non-zero digits at least w positions apart, so about one addition per w + 1 doublings.
// Variable time (verification only). Subtracting a negative digit can carry into bit 320: a sixth limb.
constexpr int kMaxNafDigits = 322;

int wnaf(const std::array<std::uint64_t, 5>& k, int w, std::int16_t (&digits)[kMaxNafDigits]) {
  std::uint64_t v[6] = {k[0], k[1], k[2], k[3], k[4], 0};
  const std::uint64_t window = (std::uint64_t{1} << static_cast<unsigned>(w)) - 1;
  const auto half = static_cast<std::int64_t>(std::uint64_t{1} << static_cast<unsigned>(w - 1));
  int n = 0;
  while ((v[0] | v[1] | v[2] | v[3] | v[4] | v[5]) != 0) {
    std::int64_t d = 0;
    if ((v[0] & 1U) != 0) {
      d = static_cast<std::int64_t>(v[0] & window);
      if (d >= half) d -= 2 * half;
      // v -= d: the low word absorbs d (|d| < v's low window), the carry or borrow ripples up.
      if (d > 0) {
        std::uint64_t borrow = static_cast<std::uint64_t>(d);
        for (std::uint64_t& limb : v) {
          const std::uint64_t before = limb;
          limb -= borrow;
          borrow = static_cast<std::uint64_t>(limb > before);
          if (borrow == 0) break;
        }
      } else {
        std::uint64_t carry = static_cast<std::uint64_t>(-d);
        for (std::uint64_t& limb : v) {
          limb += carry;
          carry = static_cast<std::uint64_t>(limb < carry);
          if (carry == 0) break;
        }
      }
    }
    digits[n++] = static_cast<std::int16_t>(d);
    for (int i = 0; i < 5; ++i) v[i] = (v[i] >> 1U) | (v[i + 1] << 63U);
    v[5] >>= 1U;
  }
  return n;
}

// The generator's odd multiples G, 3G, ..., 127G in affine form, for width-8 NAF digits (5 KiB, built once
// at first use).
constexpr int kGeneratorNafWidth = 10;
constexpr int kPointNafWidth = 5;
constexpr int kGeneratorOdd = 1 << (kGeneratorNafWidth - 2);
constexpr int kPointOdd = 1 << (kPointNafWidth - 2);

struct GeneratorOddMultiples {
  Affine odd[kGeneratorOdd];
  GeneratorOddMultiples() {
    // On the stack (50 KiB, once): verification allocates nothing, not even when it builds this table.
    Point points[kGeneratorOdd];
    Fp5 scratch[kGeneratorOdd];
    const Point two_g = dbl(Point::generator());
    points[0] = Point::generator();
    for (int i = 1; i < kGeneratorOdd; ++i) points[i] = add(points[i - 1], two_g);
    to_affine(points, odd, scratch, kGeneratorOdd);
  }
};

const GeneratorOddMultiples& generator_odd_multiples() {
  static const GeneratorOddMultiples t;
  return t;
}

}  // namespace

const Point& Point::generator() {
  static const Point g{Fp5{{12883135586176881569ULL, 4356519642755055268ULL, 5248930565894896907ULL,
                            2165973894480315022ULL, 2448410071095648785ULL}},
                       Fp5::one(), Fp5::one(), Fp5::from_u64(4)};
  return g;
}

bool Point::equals(const Point& o) const {
  return u * o.t == o.u * t;
}

Point add(const Point& a, const Point& b) {
  const Fp5 t1 = a.x * b.x;
  const Fp5 t2 = a.z * b.z;
  const Fp5 t3 = a.u * b.u;
  const Fp5 t4 = a.t * b.t;
  const Fp5 t5 = (a.x + a.z) * (b.x + b.z) - t1 - t2;
  const Fp5 t6 = (a.u + a.t) * (b.u + b.t) - t3 - t4;
  const Fp5 t7 = t1 + mul_b(t2);
  const Fp5 t8 = t4 * t7;
  const Fp5 t9 = t3 * (dbl(mul_b(t5)) + dbl(t7));
  const Fp5 t10 = (t4 + dbl(t3)) * (t5 + t7);
  return Point{mul_b(t10 - t8), t8 - t9, t6 * (mul_b(t2) - t1), t8 + t9};
}

Point dbl(const Point& a) {
  const Fp5 s1 = a.z * a.t;
  const Fp5 s2 = s1 * a.t;
  const Fp5 x1 = square(s2);
  const Fp5 z1 = s1 * a.u;
  const Fp5 s3 = square(a.u);
  const Fp5 w = s2 - dbl((a.x + a.z) * s3);
  const Fp5 s4 = square(z1);
  const Fp5 z2 = square(w);
  const Fp5 four_s4 = dbl(dbl(s4));
  return Point{mul_b(four_s4), z2, square(w + z1) - s4 - z2, dbl(x1) - four_s4 - z2};
}

Point negate(const Point& a) {
  return Point{a.x, a.z, -a.u, a.t};
}

Fp5 encode(const Point& p) {
  if (p.u.is_zero()) return Fp5::zero();
  return p.t * inverse(p.u);
}

void encode(const Point& p, std::span<std::uint8_t, 40> out) {
  encode(encode(p), out);
}

bool decode(const Fp5& w, Point& out) {
  if (w.is_zero()) {
    out = Point::neutral();
    return true;
  }
  // x is a root of x^2 - (w^2 - a) x + b = 0 (from y = w x on the curve); exactly one root is a
  // non-square and that one belongs to the group.
  const Fp5 e = square(w) - Fp5::from_u64(2);
  const Fp5 delta = square(e) - dbl(dbl(mul_b(Fp5::one())));
  Fp5 r;
  if (!sqrt(delta, r)) return false;
  const std::uint64_t half = gl::inv(2);
  const Fp5 x1 = scale(e + r, half);
  const Fp5 x2 = scale(e - r, half);
  const Fp5 x = legendre(x1) != 1 ? x1 : x2;
  out = Point{x, Fp5::one(), Fp5::one(), w};
  return true;
}

bool decode(std::span<const std::uint8_t, 40> in, Point& out) {
  Fp5 w;
  if (!decode(in, w)) return false;
  return decode(w, out);
}

Point mul(const Point& p, const std::array<std::uint64_t, 5>& k) {
  // Public scalars only (variable time). Any 320-bit k: reduce it mod n first so the signed recoding
  // (which needs k < 2^319) applies; k and k mod n give the same point.
  const Scalar kr = reduce320(k);
  int digits[kWindows];
  recode(kr.v, digits);
  Point table[kEntries];  // (j + 1) * p
  table[0] = p;
  for (int j = 1; j < kEntries; ++j) table[j] = j == 1 ? dbl(p) : add(table[j - 1], p);
  Point acc = Point::neutral();
  for (int w = kWindows - 1; w >= 0; --w) {
    if (w != kWindows - 1) {
      for (int i = 0; i < kWindowBits; ++i) acc = dbl(acc);
    }
    const int d = digits[w];
    if (d > 0) acc = add(acc, table[d - 1]);
    if (d < 0) acc = add(acc, negate(table[-d - 1]));
  }
  return acc;
}

FixedBaseTable::FixedBaseTable(const Point& base_point) : entries_(static_cast<std::size_t>(kWindows) * kEntries) {
  // Per window: the 32 multiples in projective form, then all of them to affine with one inversion.
  Point base = base_point;
  Point window[kEntries];
  Fp5 prefix[kEntries];
  for (int i = 0; i < kWindows; ++i) {
    window[0] = base;
    for (int j = 1; j < kEntries; ++j) window[j] = add(window[j - 1], base);
    to_affine(window, &entries_[static_cast<std::size_t>(i) * kEntries], prefix, kEntries);
    base = dbl(window[kEntries - 1]);  // 64 * base
  }
}

Point FixedBaseTable::mul(const Scalar& k) const {
  int digits[kWindows];
  recode(k.v, digits);
  Point acc = Point::neutral();
  for (int w = 0; w < kWindows; ++w) {
    acc = add_affine(acc, select(&entries_[static_cast<std::size_t>(w) * kEntries], digits[w]));
  }
  return acc;
}

Point FixedBaseTable::mul_public(const Scalar& k) const {
  int digits[kWindows];
  recode(k.v, digits);
  Point acc = Point::neutral();
  for (int w = 0; w < kWindows; ++w) {
    const int d = digits[w];
    if (d == 0) continue;
    const Affine& e =
        entries_[static_cast<std::size_t>(w) * kEntries + static_cast<std::size_t>(d > 0 ? d - 1 : -d - 1)];
    acc = add_affine(acc, d > 0 ? e : Affine{e.x, -e.u});
  }
  return acc;
}

Point mul_add_generator_public(const Scalar& s, const Point& p, const Scalar& e) {
  std::int16_t ds[kMaxNafDigits];  // up to +-511
  std::int16_t de[kMaxNafDigits];
  const int ns = wnaf(s.v, kGeneratorNafWidth, ds);
  const int ne = wnaf(e.v, kPointNafWidth, de);
  // P, 3P, ..., 15P, to affine with one inversion: each of the ~53 additions of P's digits is then a
  // mixed one (8 products instead of 10), which pays for the inversion several times over.
  Point odd_proj[kPointOdd];
  odd_proj[0] = p;
  const Point two_p = dbl(p);
  for (int j = 1; j < kPointOdd; ++j) odd_proj[j] = add(odd_proj[j - 1], two_p);
  Affine odd_p[kPointOdd];
  Fp5 scratch[kPointOdd];
  to_affine(odd_proj, odd_p, scratch, kPointOdd);
  const GeneratorOddMultiples& g = generator_odd_multiples();
  Point acc = Point::neutral();
  bool started = false;  // doubling the neutral element is skipped, not computed
  for (int i = (ns > ne ? ns : ne) - 1; i >= 0; --i) {
    if (started) acc = dbl(acc);
    const int d_e = i < ne ? de[i] : 0;
    if (d_e > 0) acc = add_affine(acc, odd_p[(d_e - 1) / 2]);
    if (d_e < 0) {
      const Affine& m = odd_p[(-d_e - 1) / 2];
      acc = add_affine(acc, Affine{m.x, -m.u});
    }
    const int d_s = i < ns ? ds[i] : 0;
    if (d_s > 0) acc = add_affine(acc, g.odd[(d_s - 1) / 2]);
    if (d_s < 0) {
      const Affine& m = g.odd[(-d_s - 1) / 2];
      acc = add_affine(acc, Affine{m.x, -m.u});
    }
    started = started || d_e != 0 || d_s != 0;
  }
  return acc;
}

Point mul_generator(const Scalar& k) {
  return generator_table().mul(k);
}

Point mul_generator_public(const Scalar& k) {
  return generator_table().mul_public(k);
}

}  // namespace bparb::lighter
