// Every known-answer vector of the official library's own unit tests (data/crypto_kats.json), and the
// compiled-in Poseidon2 constants against data/poseidon2_constants.json.
#include <gtest/gtest.h>

#include "bparb/venue/lighter/ecgfp5.hpp"
#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/poseidon2_constants.hpp"
#include "bparb/venue/lighter/schnorr.hpp"
#include "lighter_test_util.hpp"

namespace bparb::lighter {
namespace {

using namespace bparb::lighter::testing;

struct Kats {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Kats(const std::string& file) : text(read_data_file(file)) { root = parser.parse(text); }
  std::string text;
};

TEST(LighterCryptoKats, Poseidon2ConstantsMatchDataFile) {
  Kats k("poseidon2_constants.json");
  int r = 0;
  for (auto row : k.root["external_round_constants"].get_array()) {
    const auto v = u64s(row);
    ASSERT_EQ(v.size(), 12U);
    for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(detail::kPoseidon2External[r][i], v[i]);
    ++r;
  }
  EXPECT_EQ(r, 8);
  const auto internal = u64s(k.root["internal_round_constants"]);
  ASSERT_EQ(internal.size(), 22U);
  for (std::size_t i = 0; i < 22; ++i) EXPECT_EQ(detail::kPoseidon2Internal[i], internal[i]);
  const auto diag = u64s(k.root["internal_matrix"]["diag"]);
  ASSERT_EQ(diag.size(), 12U);
  for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(detail::kPoseidon2Diag[i], diag[i]);
}

TEST(LighterCryptoKats, Poseidon2Permutation) {
  Kats k("crypto_kats.json");
  int n = 0;
  for (auto v : k.root["poseidon2_permutation"].get_array()) {
    const auto in = u64s(v["input"]);
    const auto want = u64s(v["output"]);
    Poseidon2State s{};
    for (std::size_t i = 0; i < 12; ++i) s[i] = in[i];
    poseidon2_permute(s);
    for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(s[i], want[i]) << "lane " << i;
    ++n;
  }
  EXPECT_GE(n, 1);
}

TEST(LighterCryptoKats, SpongeHashNToMNoPad) {
  Kats k("crypto_kats.json");
  int n = 0;
  for (auto v : k.root["poseidon2_hash_n_to_m_no_pad"].get_array()) {
    simdjson::dom::element in_el;
    const bool raw = v["input_raw_u64"].get(in_el) == simdjson::SUCCESS;
    if (!raw) in_el = v["input"];
    const auto in = u64s(in_el);
    const auto want = u64s(v["output"]);
    std::vector<std::uint64_t> out(want.size());
    poseidon2_hash_no_pad(in, out);
    EXPECT_EQ(out, want) << "vector " << n;
    ++n;
  }
  EXPECT_EQ(n, 4);
}

TEST(LighterCryptoKats, HashToQuinticExtension) {
  Kats k("crypto_kats.json");
  int n = 0;
  for (auto v : k.root["poseidon2_hash_to_quintic_extension"].get_array()) {
    EXPECT_EQ(hash_to_fp5(u64s(v["input"])), fp5_of(v["output"]));
    ++n;
  }
  EXPECT_GE(n, 1);
}

TEST(LighterCryptoKats, EncodingsAndTheirRelations) {
  Kats k("crypto_kats.json");
  std::vector<Point> p;
  std::vector<Fp5> w;
  for (auto e : k.root["ecgfp5_encodings"]["w"].get_array()) {
    w.push_back(fp5_of(e));
    Point q;
    ASSERT_TRUE(decode(w.back(), q)) << "w" << w.size() - 1;
    EXPECT_EQ(encode(q), w.back()) << "round trip of w" << w.size() - 1;
    p.push_back(q);
  }
  ASSERT_EQ(p.size(), 8U);
  // w0 = neutral, w3 = P1+P2, w4 = 2P1, w5 = 2P2, w6 = 2P1+P2, w7 = P1+2P2
  EXPECT_TRUE(p[0].is_neutral());
  EXPECT_EQ(encode(add(p[1], p[2])), w[3]);
  EXPECT_EQ(encode(add(p[1], p[1])), w[4]);
  EXPECT_EQ(encode(dbl(p[1])), w[4]);
  EXPECT_EQ(encode(dbl(p[2])), w[5]);
  EXPECT_EQ(encode(add(p[4], p[2])), w[6]);
  EXPECT_EQ(encode(add(p[1], p[5])), w[7]);
  EXPECT_EQ(encode(add(p[3], p[0])), w[3]);
  EXPECT_EQ(encode(add(p[0], p[0])), w[0]);
  EXPECT_TRUE(add(p[1], negate(p[1])).is_neutral());
}

TEST(LighterCryptoKats, InvalidEncodingsDoNotDecode) {
  Kats k("crypto_kats.json");
  int n = 0;
  for (auto e : k.root["ecgfp5_invalid_encodings"].get_array()) {
    Point q;
    EXPECT_FALSE(decode(fp5_of(e), q)) << "invalid encoding " << n;
    ++n;
  }
  EXPECT_EQ(n, 6);
}

TEST(LighterCryptoKats, ProjectiveAddExactCoordinates) {
  Kats k("crypto_kats.json");
  for (auto v : k.root["ecgfp5_add_projective"].get_array()) {
    const Point s = add(point_of(v["a_xzut"]), point_of(v["b_xzut"]));
    const Point want = point_of(v["sum_xzut"]);
    EXPECT_EQ(s.x, want.x);
    EXPECT_EQ(s.z, want.z);
    EXPECT_EQ(s.u, want.u);
    EXPECT_EQ(s.t, want.t);
  }
}

TEST(LighterCryptoKats, ProjectiveEncode) {
  Kats k("crypto_kats.json");
  for (auto v : k.root["ecgfp5_encode_projective"].get_array()) {
    EXPECT_EQ(encode(point_of(v["point_xzut"])), fp5_of(v["w"]));
  }
}

TEST(LighterCryptoKats, ScalarMul) {
  Kats k("crypto_kats.json");
  for (auto v : k.root["ecgfp5_scalar_mul"].get_array()) {
    const Point r = mul(point_of(v["point_xzut"]), limbs5(v["scalar_limbs_le_u64"]));
    EXPECT_TRUE(r.equals(point_of(v["result_xzut"])));
    EXPECT_EQ(encode(r), encode(point_of(v["result_xzut"])));
  }
}

TEST(LighterCryptoKats, GeneratorEncodesToFour) {
  EXPECT_EQ(encode(Point::generator()), Fp5::from_u64(4));
  EXPECT_EQ(encode(mul_generator(Scalar{{1, 0, 0, 0, 0}})), Fp5::from_u64(4));
}

TEST(LighterCryptoKats, SchnorrFixedNonce) {
  Kats k("crypto_kats.json");
  int n = 0;
  for (auto v : k.root["schnorr_fixed_k"].get_array()) {
    const Scalar sk{limbs5(v["sk_limbs_le_u64"])};
    const Fp5 m = fp5_of(v["hashed_msg_fp5"]);
    const Scalar kk{limbs5(v["k_limbs_le_u64"])};
    const Signature sig = schnorr_sign_with_fixed_nonce_for_tests(sk, m, kk);
    Scalar s, e;
    ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(sig.data(), 40), s));
    ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(sig.data() + 40, 40), e));
    EXPECT_EQ(s.v, limbs5(v["s_limbs_le_u64"])) << "vector " << n;
    EXPECT_EQ(e.v, limbs5(v["e_limbs_le_u64"])) << "vector " << n;
    PublicKeyBytes pk{};
    encode(mul_generator(sk), pk);
    EXPECT_TRUE(schnorr_verify(pk, m, sig));
    ++n;
  }
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace bparb::lighter
