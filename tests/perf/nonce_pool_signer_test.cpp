// The precomputed-nonce signer prototype (src/bench/nonce_pool_signer.hpp) must produce signatures any
// Ed25519 verifier accepts, for the same key as SigningKey, without reusing a nonce.
#include "../../src/bench/nonce_pool_signer.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "bparb/venue/backpack/keys.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::bench {
namespace {

std::array<std::uint8_t, 32> seed() {
  std::array<std::uint8_t, 32> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(3 * i + 11);
  return s;
}

TEST(NoncePoolSigner, SignaturesVerifyWithTheSameKeyAsSigningKey) {
  NoncePoolSigner s(seed(), 16);
  const backpack::SigningKey ref = backpack::SigningKey::from_seed(seed());
  ASSERT_EQ(s.public_key(), ref.public_key());
  s.refill(16);
  EXPECT_EQ(s.available(), 16u);
  std::set<std::string> seen_r;
  for (int i = 0; i < 40; ++i) {  // 16 pooled, then the deterministic fallback
    const std::string msg = "instruction=orderExecute&orderType=Limit&price=150.4" + std::to_string(i) +
                            "&quantity=0.67&side=Bid&symbol=SOL_USDC&timestamp=1795132800000&window=5000";
    char b64[backpack::kSignatureBase64Chars + 1];
    const bool pooled = s.available() > 0;
    ASSERT_EQ(s.sign_base64(msg, b64), backpack::kSignatureBase64Chars);
    EXPECT_TRUE(backpack::verify_signature_base64(ref.public_key_base64(), b64, msg)) << i;
    EXPECT_FALSE(backpack::verify_signature_base64(ref.public_key_base64(), b64, msg + "x")) << i;
    if (pooled) {
      EXPECT_TRUE(seen_r.insert(std::string(b64, 43)).second) << "nonce reused at " << i;  // R is the first 32 bytes
    } else {
      EXPECT_EQ(std::string(b64), ref.sign_base64(msg));  // fallback = RFC 8032 deterministic signature
    }
  }
  EXPECT_EQ(s.available(), 0u);
}

}  // namespace
}  // namespace bparb::bench
