// Our own signatures: they verify, and any one-bit change of message, signature or public key makes
// verification fail; the strict range and encoding checks; the Signer's error paths.
#include <gtest/gtest.h>

#include <set>

#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "lighter_test_util.hpp"

namespace bparb::lighter {
namespace {

using namespace bparb::lighter::testing;

Fp5 some_message(std::uint64_t seed) {
  const std::uint64_t in[3] = {seed, 42, 7};
  return hash_to_fp5(in);
}

TEST(LighterSchnorr, OwnSignaturesVerifyAndAnyBitFlipIsRejected) {
  const PrivateKey key = PrivateKey::generate();
  const PublicKeyBytes pk = key.public_key();
  const Fp5 m = some_message(1);
  const Signature sig = schnorr_sign(key.scalar(), m);
  ASSERT_TRUE(schnorr_verify(pk, m, sig));

  std::array<std::uint8_t, 40> mb{};
  encode(m, mb);
  for (std::size_t bit = 0; bit < 320; ++bit) {
    auto t = mb;
    t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    Fp5 tm;
    if (!decode(std::span<const std::uint8_t, 40>(t), tm)) continue;  // not a field element: no message
    EXPECT_FALSE(schnorr_verify(pk, tm, sig)) << "message bit " << bit;
  }
  for (std::size_t bit = 0; bit < 640; ++bit) {
    Signature t = sig;
    t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(schnorr_verify(pk, m, t)) << "signature bit " << bit;
  }
  for (std::size_t bit = 0; bit < 320; ++bit) {
    PublicKeyBytes t = pk;
    t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(schnorr_verify(t, m, sig)) << "public key bit " << bit;
  }
}

TEST(LighterSchnorr, PreparedKeyAgreesWithPlainVerification) {
  const PrivateKey key = PrivateKey::generate();
  Point pk;
  const PublicKeyBytes pk_bytes = key.public_key();
  ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(pk_bytes), pk));
  const PreparedPublicKey prepared(pk);
  const PreparedPublicKey other(mul_generator(random_nonzero_scalar()));
  for (std::uint64_t i = 0; i < 4; ++i) {
    const Fp5 m = some_message(100 + i);
    const Signature sig = schnorr_sign(key.scalar(), m);
    EXPECT_TRUE(prepared.verify(m, sig));
    EXPECT_FALSE(other.verify(m, sig));
    EXPECT_FALSE(prepared.verify(some_message(200 + i), sig));
    for (std::size_t bit = i; bit < 640; bit += 37) {
      Signature t = sig;
      t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      EXPECT_FALSE(prepared.verify(m, t)) << "signature bit " << bit;
      EXPECT_FALSE(schnorr_verify(pk, m, t)) << "signature bit " << bit;
    }
  }
}

// The plainest scalar multiplication: one doubling per bit from the top, one addition per set bit.
Point double_and_add(const Point& p, const std::array<std::uint64_t, 5>& k) {
  Point acc = Point::neutral();
  for (int bit = 319; bit >= 0; --bit) {
    acc = dbl(acc);
    if (((k[static_cast<std::size_t>(bit / 64)] >> (bit % 64)) & 1U) != 0) acc = add(acc, p);
  }
  return acc;
}

TEST(LighterSchnorr, ConstantTimeAndPublicFixedBaseAgree) {
  for (std::uint64_t i = 0; i < 16; ++i) {
    const Scalar k = i < 4 ? Scalar{{i, 0, 0, 0, 0}} : random_nonzero_scalar();
    EXPECT_EQ(encode(mul_generator(k)), encode(mul_generator_public(k)));
    EXPECT_EQ(encode(mul_generator(k)), encode(mul(Point::generator(), k.v)));
    if (i % 4 == 0) {
      EXPECT_EQ(encode(mul_generator(k)), encode(double_and_add(Point::generator(), k.v)));
    }
  }
  const Scalar n_minus_1 = sub(Scalar{}, Scalar{{1, 0, 0, 0, 0}});
  EXPECT_TRUE(add(mul_generator(n_minus_1), Point::generator()).is_neutral());
}

TEST(LighterSchnorr, JointVerificationSumMatchesSeparateProducts) {
  const Scalar n_minus_1 = sub(Scalar{}, Scalar{{1, 0, 0, 0, 0}});
  // Digit patterns that stress the signed recodings: zero, one, all ones, n - 1, a run of ones that
  // carries into the top, and random scalars.
  const std::array<Scalar, 6> fixed = {Scalar{},
                                       Scalar{{1, 0, 0, 0, 0}},
                                       n_minus_1,
                                       Scalar{{~0ULL, ~0ULL, ~0ULL, ~0ULL, 0x3FFFFFFFFFFFFFFFULL}},
                                       Scalar{{0x5555555555555555ULL, 0xAAAAAAAAAAAAAAAAULL, 0, 1, 0}},
                                       Scalar{{0, 0, 0, 0, 0x7ffffffd80000006ULL}}};
  for (std::size_t i = 0; i < 24; ++i) {
    const Scalar s = i < fixed.size() ? fixed[i] : random_nonzero_scalar();
    const Scalar e = i < fixed.size() ? fixed[fixed.size() - 1 - i] : random_nonzero_scalar();
    const Point p = i == 0 ? Point::generator() : mul_generator(random_nonzero_scalar());
    const Point joint = mul_add_generator_public(s, p, e);
    const Point separate = add(mul_generator_public(s), mul(p, e.v));
    EXPECT_EQ(encode(joint), encode(separate)) << i;
    if (i % 6 == 0) {
      const Point plain = add(double_and_add(Point::generator(), s.v), double_and_add(p, e.v));
      EXPECT_EQ(encode(joint), encode(plain)) << i;
    }
  }
  // s G + e G with s + e = n is the neutral element.
  const Scalar s = random_nonzero_scalar();
  EXPECT_TRUE(mul_add_generator_public(s, Point::generator(), sub(Scalar{}, s)).is_neutral());
}

TEST(LighterSchnorr, FreshNonceEverySignature) {
  const PrivateKey key = PrivateKey::generate();
  const Fp5 m = some_message(2);
  std::set<Signature> seen;
  for (int i = 0; i < 8; ++i) {
    const Signature sig = schnorr_sign(key.scalar(), m);
    EXPECT_TRUE(schnorr_verify(key.public_key(), m, sig));
    EXPECT_TRUE(seen.insert(sig).second);
  }
}

// s + n and e + n are the same residues; a strict verifier refuses those encodings.
TEST(LighterSchnorr, RejectsScalarsAtOrAboveTheOrder) {
  const PrivateKey key = PrivateKey::generate();
  const Fp5 m = some_message(3);
  const Signature sig = schnorr_sign(key.scalar(), m);
  ASSERT_TRUE(schnorr_verify(key.public_key(), m, sig));
  for (std::size_t half = 0; half < 2; ++half) {
    Scalar v;
    ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(sig.data() + 40 * half, 40), v));
    const cpp_int shifted = big_of(v.v) + big_n();
    ASSERT_LT(shifted, cpp_int(1) << 320);
    Signature t = sig;
    encode(Scalar{limbs_of(shifted)}, std::span<std::uint8_t, 40>(t.data() + 40 * half, 40));
    EXPECT_FALSE(schnorr_verify(key.public_key(), m, t)) << (half == 0 ? "s + n" : "e + n");
  }
}

TEST(LighterSchnorr, RejectsNonCanonicalPublicKeyLimbs) {
  // The generator encodes as w = (4, 0, 0, 0, 0); 4 + p fits in a u64 and means the same residue.
  std::array<std::uint8_t, 40> pk{};
  const std::uint64_t limb = 4 + gl::kP;
  for (int j = 0; j < 8; ++j) pk[static_cast<std::size_t>(j)] = static_cast<std::uint8_t>(limb >> (8 * j));
  Point p;
  EXPECT_FALSE(decode(std::span<const std::uint8_t, 40>(pk), p));
  pk[0] = 4;
  for (int j = 1; j < 8; ++j) pk[static_cast<std::size_t>(j)] = 0;
  ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(pk), p));
  EXPECT_TRUE(p.equals(Point::generator()));
}

TEST(LighterKeys, PrivateKeyParsing) {
  const std::string good = "64bd87815a983ed0256eb2166d6744c0e38242cde9d72874c29f90dca12137275026630d5c302971";
  EXPECT_TRUE(PrivateKey::from_hex(good).has_value());
  EXPECT_TRUE(PrivateKey::from_hex("0x" + good).has_value());
  EXPECT_EQ(PrivateKey::from_hex(good.substr(2)).error(), KeyError::kBadLength);
  EXPECT_EQ(PrivateKey::from_hex(good + "00").error(), KeyError::kBadLength);
  std::string bad = good;
  bad[10] = 'g';
  EXPECT_EQ(PrivateKey::from_hex(bad).error(), KeyError::kNotHex);
  EXPECT_EQ(PrivateKey::from_hex(std::string(80, '0')).error(), KeyError::kOutOfRange);
  std::array<std::uint8_t, 40> n_bytes{};
  encode(Scalar::order(), n_bytes);
  EXPECT_EQ(PrivateKey::from_hex(hex(n_bytes)).error(), KeyError::kOutOfRange);
  // No error message echoes the input.
  for (KeyError e : {KeyError::kBadLength, KeyError::kNotHex, KeyError::kOutOfRange, KeyError::kNotAPoint}) {
    EXPECT_EQ(std::string(key_error_message(e)).find(good.substr(0, 8)), std::string::npos);
  }
}

TEST(LighterKeys, GeneratedKeyRoundTripsThroughHex) {
  const PrivateKey key = PrivateKey::generate();
  std::array<char, 80> h{};
  key.to_hex(h);
  auto again = PrivateKey::from_hex(std::string_view(h.data(), h.size()));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->scalar(), key.scalar());
  EXPECT_EQ(again->public_key(), key.public_key());
}

TEST(LighterSigner, ValidatesFieldsAndAttributes) {
  auto signer = Signer::create(hex(std::array<std::uint8_t, 40>{7}), SignerConfig{});
  ASSERT_TRUE(signer.has_value());
  SignedTx out;
  CreateOrderTx tx;
  tx.base_amount = 10;
  tx.price = 100;
  EXPECT_FALSE(signer->sign_create_order(tx, 1, 1000, out).has_value());
  EXPECT_EQ(signer->sign_create_order(tx, -1, 1000, out), TxError::kBadEnvelope);
  EXPECT_EQ(signer->sign_create_order(tx, 1, -5, out), TxError::kBadEnvelope);
  CreateOrderTx neg = tx;
  neg.market_index = -1;
  EXPECT_EQ(signer->sign_create_order(neg, 1, 1000, out), TxError::kBadField);
  CreateOrderTx fees = tx;
  fees.attributes.integrator_taker_fee = 5;  // fees without an integrator account
  EXPECT_EQ(signer->sign_create_order(fees, 1, 1000, out), TxError::kBadAttributes);
  fees.attributes.integrator_account_index = 9;
  EXPECT_FALSE(signer->sign_create_order(fees, 1, 1000, out).has_value());
  fees.attributes.self_trade_behavior = 1;  // self-trade fields with fees
  EXPECT_EQ(signer->sign_create_order(fees, 1, 1000, out), TxError::kBadAttributes);
  CreateOrderTx st = tx;
  st.attributes.self_trade_behavior = 3;
  st.attributes.self_trade_equality = 1;
  EXPECT_EQ(signer->sign_create_order(st, 1, 1000, out), TxError::kBadAttributes);
  CreateOrderTx skip = tx;
  skip.attributes.skip_nonce = 2;
  EXPECT_EQ(signer->sign_create_order(skip, 1, 1000, out), TxError::kBadAttributes);
  CreateOrderTx five = tx;  // five attributes set: one too many
  five.attributes = TxAttributes{9, 1, 1, 1, 3, 0, 0};
  EXPECT_EQ(signer->sign_create_order(five, 1, 1000, out), TxError::kBadAttributes);
  auto bad_key_slot = Signer::create(hex(std::array<std::uint8_t, 40>{7}), SignerConfig{304, 1, 255});
  ASSERT_TRUE(bad_key_slot.has_value());
  EXPECT_EQ(bad_key_slot->sign_create_order(tx, 1, 1000, out), TxError::kBadEnvelope);
}

TEST(LighterSigner, SignedTransactionsVerifyAndLayoutsDifferOnlyInTheAttributesKey) {
  const std::string key = hex(std::array<std::uint8_t, 40>{1, 2, 3});
  auto current = Signer::create(key, SignerConfig{300, 77, 4, TxInfoLayout::kCurrent});
  auto legacy = Signer::create(key, SignerConfig{300, 77, 4, TxInfoLayout::kLegacy});
  ASSERT_TRUE(current.has_value() && legacy.has_value());
  CancelOrderTx tx{2048, 123, {}};
  SignedTx a, b;
  ASSERT_FALSE(current->sign_cancel_order(tx, 5, 1893455400000, a));
  ASSERT_FALSE(legacy->sign_cancel_order(tx, 5, 1893455400000, b));
  EXPECT_EQ(a.tx_type, TxType::kCancelOrder);
  EXPECT_EQ(a.message_hash, b.message_hash);
  EXPECT_TRUE(schnorr_verify(current->public_key(), a.message_hash, a.signature));
  EXPECT_TRUE(schnorr_verify(current->public_key(), b.message_hash, b.signature));
  const std::string ai(a.tx_info()), bi(b.tx_info());
  EXPECT_TRUE(ai.ends_with(",\"L2TxAttributes\":null}")) << ai;
  EXPECT_TRUE(bi.ends_with("\"}")) << bi;
  EXPECT_EQ(bi.find("L2TxAttributes"), std::string::npos);
  EXPECT_TRUE(ai.starts_with("{\"AccountIndex\":77,\"ApiKeyIndex\":4,\"MarketIndex\":2048,\"Index\":123,")) << ai;

  AuthToken tok;
  ASSERT_FALSE(current->auth_token(1893456000, tok));
  const std::string s(tok.str());
  ASSERT_EQ(s.rfind(':'), std::string("1893456000:77:4").size());
  const auto sig = unhex(s.substr(s.rfind(':') + 1));
  ASSERT_EQ(sig.size(), 80U);
  EXPECT_TRUE(
      schnorr_verify(current->public_key(), tok.message_hash, std::span<const std::uint8_t, 80>(sig.data(), 80)));
}

}  // namespace
}  // namespace bparb::lighter
