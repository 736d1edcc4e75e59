// Field, extension-field and scalar arithmetic against boost::multiprecision::cpp_int on seeded
// random inputs (plus the edge values 0, 1, p-1 / n-1).
#include <gtest/gtest.h>

#include <random>

#include "bparb/venue/lighter/fp5.hpp"
#include "bparb/venue/lighter/scalar.hpp"
#include "lighter_test_util.hpp"

namespace bparb::lighter {
namespace {

using namespace bparb::lighter::testing;

constexpr int kRounds = 2000;

std::uint64_t random_fp(std::mt19937_64& rng) {
  // Mostly uniform, sometimes values near the edges where carries and borrows happen.
  switch (rng() % 8) {
    case 0:
      return rng() % 4;
    case 1:
      return gl::kP - 1 - rng() % 4;
    case 2:
      return gl::kEps + rng() % 4 - 2;
    default:
      return rng() % gl::kP;
  }
}

Fp5 random_fp5(std::mt19937_64& rng) {
  Fp5 r;
  for (auto& c : r.c) c = random_fp(rng);
  return r;
}

Scalar random_scalar(std::mt19937_64& rng) {
  if (rng() % 8 == 0) return Scalar{limbs_of(big_n() - 1 - (rng() % 3))};
  std::array<std::uint64_t, 5> v{};
  for (auto& l : v) l = rng();
  return Scalar{limbs_of(big_of(v) % big_n())};
}

// Schoolbook product in GF(p)[z]/(z^5 - 3) with big integers.
Fp5 reference_mul(const Fp5& a, const Fp5& b) {
  cpp_int c[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      const cpp_int prod = cpp_int(a.c[i]) * b.c[j];
      if (i + j < 5) {
        c[i + j] += prod;
      } else {
        c[i + j - 5] += 3 * prod;
      }
    }
  }
  Fp5 r;
  for (int i = 0; i < 5; ++i) r.c[i] = static_cast<std::uint64_t>(c[i] % big_p());
  return r;
}

TEST(LighterArithmetic, GoldilocksMatchesBigIntegers) {
  std::mt19937_64 rng(20261206);
  const cpp_int& p = big_p();
  for (int i = 0; i < kRounds; ++i) {
    const std::uint64_t a = random_fp(rng), b = random_fp(rng);
    EXPECT_EQ(cpp_int(gl::add(a, b)), (cpp_int(a) + b) % p);
    EXPECT_EQ(cpp_int(gl::sub(a, b)), (cpp_int(a) + p - b) % p);
    EXPECT_EQ(cpp_int(gl::mul(a, b)), (cpp_int(a) * b) % p);
    const std::uint64_t raw = rng();  // any 64-bit word, canonical or not
    EXPECT_EQ(cpp_int(gl::canon(raw)), cpp_int(raw) % p);
    const gl::u128 wide = (static_cast<gl::u128>(rng()) << 64) | rng();
    cpp_int wide_big = (cpp_int(static_cast<std::uint64_t>(wide >> 64)) << 64) + static_cast<std::uint64_t>(wide);
    EXPECT_EQ(cpp_int(gl::reduce128(wide)), wide_big % p);
    if (a != 0) {
      EXPECT_EQ(gl::mul(a, gl::inv(a)), 1U);
    }
    std::uint64_t r = 0;
    const std::uint64_t sq = gl::mul(a, a);
    ASSERT_TRUE(gl::sqrt(sq, r));
    EXPECT_EQ(gl::mul(r, r), sq);
  }
  EXPECT_EQ(gl::legendre(7), -1);  // 7 generates GF(p)*, so it is not a square
  std::uint64_t r = 0;
  EXPECT_FALSE(gl::sqrt(7, r));
}

TEST(LighterArithmetic, Fp5MatchesBigIntegerPolynomials) {
  std::mt19937_64 rng(5);
  Fp5 z;
  z.c[1] = 1;
  for (int i = 0; i < kRounds; ++i) {
    const Fp5 a = random_fp5(rng), b = random_fp5(rng);
    EXPECT_EQ(a * b, reference_mul(a, b));
    EXPECT_EQ(square(a), reference_mul(a, a));
    EXPECT_EQ((a + b) - b, a);
    EXPECT_EQ(mul_by_z(a), a * z);
    if (!a.is_zero()) {
      EXPECT_EQ(a * inverse(a), Fp5::one());
    }
    // Frobenius is the p-th power, a field automorphism fixing GF(p).
    EXPECT_EQ(frobenius(a * b, 1), frobenius(a, 1) * frobenius(b, 1));
    EXPECT_EQ(frobenius(frobenius(frobenius(frobenius(frobenius(a, 1), 1), 1), 1), 1), a);
  }
  EXPECT_EQ(inverse(Fp5::zero()), Fp5::zero());
}

// Limbs at the edges of the reductions: p - 1 (largest canonical, so products and small multiples carry
// out of their words), 2^32 - 1 and 2^32 (where the folding constants sit), 0 and 1.
TEST(LighterArithmetic, Fp5ProductsAtLimbExtremesMatchBigIntegers) {
  const std::uint64_t edges[] = {
      0, 1, 2, gl::kEps, gl::kEps + 1, gl::kP - 1, gl::kP - 2, gl::kP >> 1U, 0xFFFFFFFF00000000ULL};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    Fp5 a, b;
    for (int l = 0; l < 5; ++l) {
      a.c[static_cast<std::size_t>(l)] = edges[rng() % std::size(edges)];
      b.c[static_cast<std::size_t>(l)] = edges[rng() % std::size(edges)];
    }
    EXPECT_EQ(a * b, reference_mul(a, b));
    EXPECT_EQ(square(a), reference_mul(a, a));
  }
}

TEST(LighterArithmetic, Fp5SquareRootsAndCharacter) {
  std::mt19937_64 rng(77);
  int non_squares = 0;
  for (int i = 0; i < 200; ++i) {
    const Fp5 a = random_fp5(rng);
    const Fp5 sq = square(a);
    Fp5 r;
    ASSERT_TRUE(sqrt(sq, r));
    EXPECT_EQ(square(r), sq);
    if (!a.is_zero()) {
      EXPECT_EQ(legendre(sq), 1);
    }
    if (legendre(a) == -1) {
      ++non_squares;
      EXPECT_FALSE(sqrt(a, r));
    }
  }
  EXPECT_GT(non_squares, 50);  // about half of all elements
}

TEST(LighterArithmetic, Fp5EncodingRejectsNonCanonicalLimbs) {
  std::array<std::uint8_t, 40> b{};
  Fp5 out;
  EXPECT_TRUE(decode(std::span<const std::uint8_t, 40>(b), out));
  for (int limb = 0; limb < 5; ++limb) {
    std::array<std::uint8_t, 40> bad{};
    for (int j = 0; j < 8; ++j) bad[8 * limb + j] = static_cast<std::uint8_t>(gl::kP >> (8 * j));  // exactly p
    EXPECT_FALSE(decode(std::span<const std::uint8_t, 40>(bad), out)) << "limb " << limb;
  }
}

TEST(LighterArithmetic, ScalarsMatchBigIntegers) {
  std::mt19937_64 rng(319);
  const cpp_int& n = big_n();
  for (int i = 0; i < kRounds; ++i) {
    const Scalar a = random_scalar(rng), b = random_scalar(rng);
    EXPECT_EQ(big_of(add(a, b).v), (big_of(a.v) + big_of(b.v)) % n);
    EXPECT_EQ(big_of(sub(a, b).v), (big_of(a.v) + n - big_of(b.v)) % n);
    EXPECT_EQ(big_of(mul(a, b).v), (big_of(a.v) * big_of(b.v)) % n);
    std::array<std::uint64_t, 5> wide{};
    for (auto& l : wide) l = rng();
    EXPECT_EQ(big_of(reduce320(wide).v), big_of(wide) % n);
    EXPECT_EQ(is_canonical(wide), big_of(wide) < n);
  }
  std::array<std::uint64_t, 5> all_ones{};
  all_ones.fill(~0ULL);
  EXPECT_EQ(big_of(reduce320(all_ones).v), big_of(all_ones) % n);
  EXPECT_EQ(big_of(Scalar::order().v), n);
}

TEST(LighterArithmetic, ScalarDecodingIsStrict) {
  std::array<std::uint8_t, 40> b{};
  encode(Scalar{limbs_of(big_n() - 1)}, b);
  Scalar s;
  EXPECT_TRUE(decode(std::span<const std::uint8_t, 40>(b), s));
  encode(Scalar::order(), b);
  EXPECT_FALSE(decode(std::span<const std::uint8_t, 40>(b), s));
}

}  // namespace
}  // namespace bparb::lighter
