#include "bparb/venue/backpack/signer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "bparb/venue/backpack/keys.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::backpack {
namespace {

// docs/backpack.md §1.5 test key: seed = bytes 00..1f.
constexpr const char* kSeed32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kSeed64 =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==";
constexpr const char* kApiKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

SigningKey test_key() {
  auto k = SigningKey::from_base64_secret(kSeed32);
  EXPECT_TRUE(k.has_value());
  return std::move(k).value();
}

TEST(SigningKey, DerivesPublicKeyFrom32ByteSeed) {
  auto k = SigningKey::from_base64_secret(kSeed32);
  ASSERT_TRUE(k.has_value()) << k.error();
  EXPECT_EQ(k->public_key_base64(), kApiKey);
  EXPECT_EQ(k->seed_base64(), kSeed32);
}

TEST(SigningKey, Accepts64ByteSeedPlusPublicKey) {
  auto k = SigningKey::from_base64_secret(kSeed64);
  ASSERT_TRUE(k.has_value()) << k.error();
  EXPECT_EQ(k->public_key_base64(), kApiKey);
}

TEST(SigningKey, TrimsWhitespaceAroundSecret) {
  auto k = SigningKey::from_base64_secret(std::string(" ") + kSeed32 + "\n");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->public_key_base64(), kApiKey);
}

TEST(SigningKey, FromSeedMatchesBase64) {
  std::array<std::uint8_t, 32> seed{};
  for (int i = 0; i < 32; ++i) seed[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(SigningKey::from_seed(seed).public_key_base64(), kApiKey);
}

TEST(SigningKey, RejectsBadSecretsWithoutLeakingThem) {
  // 64-byte secret whose public half does not match (last byte changed).
  std::string bad64 = kSeed64;
  bad64[60] = bad64[60] == 'A' ? 'B' : 'A';
  const std::string cases[] = {
      "",
      "%%%%####",
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",   // missing padding
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",  // 31 bytes
      bad64,
  };
  for (const auto& c : cases) {
    auto k = SigningKey::from_base64_secret(c);
    ASSERT_FALSE(k.has_value()) << c;
    EXPECT_FALSE(k.error().empty());
    if (c.size() >= 8) {
      // No 8-char window of the secret appears in the message.
      for (std::size_t i = 0; i + 8 <= c.size(); ++i)
        EXPECT_EQ(k.error().find(c.substr(i, 8)), std::string::npos) << k.error();
    }
  }
  EXPECT_NE(SigningKey::from_base64_secret(bad64).error().find("public key"), std::string::npos);
  EXPECT_NE(SigningKey::from_base64_secret(cases[3]).error().find("31 bytes"), std::string::npos);
}

struct Vector {
  const char* message;
  const char* signature;
};

// docs/backpack.md §1.5: all five test vectors.
constexpr Vector kVectors[] = {
    {"instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000",
     "80cYcHmUHbvcO3IonY2y+nObqUTRkZrNbRsPB30r+NjqgKfP5DIFKryC0ea11fMcweyoymFT+S2cGbPACyinDw=="},
    {"instruction=subscribe&timestamp=1614550000000&window=5000",
     "Uf+mBpqN/y/EzT77rzrj7ga4mdvZmzq4XW+Lh+9B0K0wLMFJrInMKcACIpSpVaPNzrFEpPhINxEP2rNI3E92CA=="},
    {"instruction=balanceQuery&timestamp=1614550000000&window=5000",
     "nYfMx/rzW4i3vncDLl8SNxrjlZerfdUU1YvITOiclzGv0wbH0+CUQs4pH1hDKd/nhuhm1kBMs99y82z2j0gkDg=="},
    {"instruction=orderExecute&orderType=Limit&price=141&quantity=12&side=Bid&symbol=SOL_USDC_PERP&instruction="
     "orderExecute&orderType=Limit&price=140&quantity=11&side=Bid&symbol=SOL_USDC_PERP&timestamp=1750793021519&"
     "window=5000",
     "/RiVIEmATq6bDKSR8I9tEY3qY/MRt45Y5/Wi4mKYjt3SaqoLFfOiYrYNRddqSXfrcDdY/b0n3duPew5JKrn/CA=="},
    {"instruction=orderExecute&clientId=42&orderType=Limit&postOnly=true&price=150.25&quantity=0.5&side=Bid&symbol="
     "SOL_USDC&timeInForce=GTC&timestamp=1614550000000&window=5000",
     "Am2nHjbfoyHdzOVOy0v4K4Ud1QlFda/Ll+qvBkFje8cqgAKwMtG1PvGe7tNUF7YK+rgBeMC68OGAEwEGM5n3DQ=="},
};

TEST(SigningKey, ApiNotesWorkedExamples) {
  const SigningKey k = test_key();
  for (const auto& v : kVectors) {
    char buf[kSignatureBase64Chars + 1];
    ASSERT_EQ(k.sign_base64(v.message, buf), kSignatureBase64Chars);
    EXPECT_EQ(buf[kSignatureBase64Chars], '\0');
    EXPECT_EQ(std::string(buf), v.signature) << v.message;
    EXPECT_EQ(k.sign_base64(std::string_view(v.message)), v.signature);
    EXPECT_TRUE(verify_signature_base64(kApiKey, v.signature, v.message));
  }
}

TEST(Verify, RejectsTamperingAndMalformedInput) {
  const auto& v = kVectors[0];
  std::string msg = v.message;
  msg[msg.size() - 1] = '1';  // window=5001
  EXPECT_FALSE(verify_signature_base64(kApiKey, v.signature, msg));
  std::string sig = v.signature;
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_signature_base64(kApiKey, sig, v.message));
  EXPECT_FALSE(verify_signature_base64("", v.signature, v.message));
  EXPECT_FALSE(verify_signature_base64(kApiKey, "", v.message));
  EXPECT_FALSE(verify_signature_base64("A6EHv/POEL4d", v.signature, v.message));  // truncated key
  EXPECT_FALSE(verify_signature_base64(kApiKey, "!!!!", v.message));
  EXPECT_FALSE(verify_signature_base64(SigningKey::generate().public_key_base64(), v.signature, v.message));
}

TEST(SigningKey, GeneratedKeysSignAndVerifyAndDiffer) {
  const SigningKey a = SigningKey::generate();
  const SigningKey b = SigningKey::generate();
  EXPECT_NE(a.public_key_base64(), b.public_key_base64());
  const std::string sig = a.sign_base64("instruction=subscribe&timestamp=1&window=5000");
  EXPECT_TRUE(verify_signature_base64(a.public_key_base64(), sig, "instruction=subscribe&timestamp=1&window=5000"));
  EXPECT_FALSE(verify_signature_base64(b.public_key_base64(), sig, "instruction=subscribe&timestamp=1&window=5000"));
  // A key reloaded from its seed is the same key.
  auto again = SigningKey::from_base64_secret(a.seed_base64());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->public_key_base64(), a.public_key_base64());
}

TEST(SigningKey, MoveKeepsKeyUsable) {
  SigningKey a = test_key();
  SigningKey b = std::move(a);
  EXPECT_EQ(b.public_key_base64(), kApiKey);
  EXPECT_EQ(b.sign_base64(kVectors[2].message), kVectors[2].signature);
  SigningKey c = SigningKey::generate();
  c = std::move(b);
  EXPECT_EQ(c.sign_base64(kVectors[2].message), kVectors[2].signature);
}

TEST(Base64, RoundTripAndStrictness) {
  const std::uint8_t bytes[] = {0, 1, 2, 250, 251, 252, 253};
  const std::string enc = base64_encode(bytes, sizeof bytes);
  EXPECT_EQ(enc, "AAEC+vv8/Q==");
  EXPECT_EQ(enc.size(), base64_encoded_size(sizeof bytes));
  std::uint8_t out[16];
  ASSERT_EQ(base64_decode(enc, out, sizeof out), 7);
  EXPECT_EQ(std::memcmp(out, bytes, 7), 0);
  EXPECT_EQ(base64_decode("AAEC+vv8/Q", out, sizeof out), -1);     // no padding
  EXPECT_EQ(base64_decode("AAEC +vv8/Q==", out, sizeof out), -1);  // whitespace
  EXPECT_EQ(base64_decode(enc, out, 3), -1);                       // does not fit
  char small[4];
  EXPECT_EQ(base64_encode(bytes, sizeof bytes, small, sizeof small), 0u);
}

}  // namespace
}  // namespace bparb::backpack
