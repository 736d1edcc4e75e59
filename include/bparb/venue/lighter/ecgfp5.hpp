#pragma once
// The ECgFp5 prime-order group (curve y^2 = x (x^2 + 2x + 263z) over GF(p^5)) in fractional (x, u)
// coordinates, u = x / y: a point is (X : Z : U : T) with x = X / Z, u = U / T; the neutral element is
// (0 : 1 : 0 : 1). Every element has exactly one 40-byte encoding w = T / U (docs/lighter-signing.md,
// "The group").
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "bparb/venue/lighter/fp5.hpp"
#include "bparb/venue/lighter/scalar.hpp"

namespace bparb::lighter {

struct Point {
  Fp5 x, z, u, t;

  static Point neutral() { return Point{Fp5::zero(), Fp5::one(), Fp5::zero(), Fp5::one()}; }
  static const Point& generator();
  // Group equality (projective coordinates differ between representatives): U1 T2 = U2 T1.
  bool equals(const Point& o) const;
  bool is_neutral() const { return u.is_zero(); }
};

// A point with Z = T = 1, i.e. (x : 1 : u : 1); the neutral element is (0, 0).
struct Affine {
  Fp5 x, u;
};

Point add(const Point& a, const Point& b);  // complete: any inputs, including equal ones and the neutral
Point dbl(const Point& a);
Point negate(const Point& a);

Fp5 encode(const Point& p);
void encode(const Point& p, std::span<std::uint8_t, 40> out);
// False for elements that are no group element's encoding. The limbs must already be canonical.
bool decode(const Fp5& w, Point& out);
// Also rejects non-canonical limbs.
bool decode(std::span<const std::uint8_t, 40> in, Point& out);

// k * P for any 320-bit k (limbs little-endian); variable time (public scalars only: verification).
Point mul(const Point& p, const std::array<std::uint64_t, 5>& k);
// Multiples of one base point for signed 6-bit windows: (j + 1) * 64^i * B for i < 54, j < 32, as
// (x, u) pairs (135 KiB). Built once (about 1,800 additions, one inversion per window; allocates).
class FixedBaseTable {
 public:
  explicit FixedBaseTable(const Point& base);
  // k * B reading every entry of each window and picking one with masks: for secret scalars.
  Point mul(const Scalar& k) const;
  // k * B indexing the table directly: public scalars only (verification).
  Point mul_public(const Scalar& k) const;

 private:
  std::vector<Affine> entries_;
};

// s * G + e * P for public scalars (verification): one loop of doublings shared by both terms, with
// width-10 NAF digits of s over the generator's 256 odd multiples (affine, tabulated once, 20 KiB) and
// width-5 NAF digits of e over P's 8 odd multiples (made affine per call with one inversion). Variable time.
Point mul_add_generator_public(const Scalar& s, const Point& p, const Scalar& e);

// k * G with the generator's table (built at first use): constant-time lookups, so secret scalars
// (signing nonces, private keys) do not select memory by their value.
Point mul_generator(const Scalar& k);
// The same for public scalars (the s of a signature being verified), without the scan.
Point mul_generator_public(const Scalar& k);

}  // namespace bparb::lighter
