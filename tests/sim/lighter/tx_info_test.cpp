// The simulated Lighter's tx_info parser against bparb's own signer output and hand-made variations.
#include "bparb/sim/lighter/tx_info.hpp"

#include <gtest/gtest.h>

#include "sim_lighter_test_util.hpp"

namespace bparb::sim::lighter::testing {
namespace {

class TxInfoTest : public ::testing::Test {
 protected:
  Fixture f;
  TxInfoParser parser;

  std::string create_info(bl::TxInfoLayout layout, const bl::TxAttributes& attrs = {}) {
    f.alice->set_config(bl::SignerConfig{304, kAlice, kKey, layout});
    bl::CreateOrderTx t;
    t.market_index = 2048;
    t.client_order_index = 99;
    t.base_amount = 123'456;
    t.price = 4'000'000'000u;
    t.is_ask = 1;
    t.time_in_force = 2;
    t.order_expiry = 1'893'456'000'000;
    t.attributes = attrs;
    bl::SignedTx out;
    EXPECT_FALSE(f.alice->sign_create_order(t, 17, 1'893'455'400'000, out).has_value());
    signed_hash = out.message_hash;
    signature = out.signature;
    return std::string(out.tx_info());
  }
  bl::Fp5 signed_hash;
  bl::Signature signature{};
};

TEST_F(TxInfoTest, SignerOutputRoundTripsInBothLayouts) {
  for (auto layout : {bl::TxInfoLayout::kCurrent, bl::TxInfoLayout::kLegacy}) {
    const std::string info = create_info(layout);
    auto r = parser.parse(14, info);
    ASSERT_TRUE(r.has_value()) << info;
    const auto& t = std::get<bl::CreateOrderTx>(r->tx);
    EXPECT_EQ(t.market_index, 2048);
    EXPECT_EQ(t.client_order_index, 99);
    EXPECT_EQ(t.base_amount, 123'456);
    EXPECT_EQ(t.price, 4'000'000'000u);
    EXPECT_EQ(t.is_ask, 1);
    EXPECT_EQ(t.time_in_force, 2);
    EXPECT_EQ(r->envelope.nonce, 17);
    EXPECT_EQ(r->envelope.account_index, kAlice);
    EXPECT_EQ(r->signature, signature);
    EXPECT_EQ(tx_message_hash(*r, 304), signed_hash);
    EXPECT_NE(tx_message_hash(*r, 300), signed_hash);
  }
  bl::TxAttributes a;
  a.skip_nonce = 1;
  const std::string info = create_info(bl::TxInfoLayout::kCurrent, a);
  auto r = parser.parse(14, info);
  ASSERT_TRUE(r.has_value()) << info;
  EXPECT_EQ(std::get<bl::CreateOrderTx>(r->tx).attributes.skip_nonce, 1);
  EXPECT_EQ(tx_message_hash(*r, 304), signed_hash);
}

TEST_F(TxInfoTest, OtherTypesRoundTrip) {
  bl::SignedTx out;
  ASSERT_FALSE(f.alice->sign_cancel_order(bl::CancelOrderTx{3, (std::int64_t{1} << 48) + 5, {}}, 1, 2, out));
  auto c = parser.parse(15, out.tx_info());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(std::get<bl::CancelOrderTx>(c->tx).index, (std::int64_t{1} << 48) + 5);
  EXPECT_EQ(tx_message_hash(*c, 304), out.message_hash);
  ASSERT_FALSE(f.alice->sign_cancel_all_orders(bl::CancelAllOrdersTx{1, 1'900'000'000'000, {}}, 2, 3, out));
  auto ca = parser.parse(16, out.tx_info());
  ASSERT_TRUE(ca.has_value());
  EXPECT_EQ(std::get<bl::CancelAllOrdersTx>(ca->tx).time, 1'900'000'000'000);
  EXPECT_EQ(tx_message_hash(*ca, 304), out.message_hash);
  ASSERT_FALSE(f.alice->sign_modify_order(bl::ModifyOrderTx{1, 77, 500, 12'345, 0, {}}, 3, 4, out));
  auto m = parser.parse(17, out.tx_info());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(std::get<bl::ModifyOrderTx>(m->tx).price, 12'345u);
  EXPECT_EQ(tx_message_hash(*m, 304), out.message_hash);
  // The right JSON under the wrong type: fields are missing.
  EXPECT_EQ(parser.parse(14, out.tx_info()).error(), TxInfoError::kMissingField);
}

TEST_F(TxInfoTest, ReadsByNameAndRefusesWhatCannotBeSigned) {
  const std::string good = create_info(bl::TxInfoLayout::kLegacy);
  const std::size_t sig_at = good.find("\"Sig\"");
  const std::string sig_field = good.substr(sig_at, good.size() - 1 - sig_at);  // "Sig":"..."
  const std::string body = good.substr(1, sig_at - 2);                          // fields before Sig
  // Another key order, an unknown key: accepted.
  auto r = parser.parse(14, "{" + sig_field + ",\"Extra\":[1,2]," + body + "}");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(tx_message_hash(*r, 304), signed_hash);

  auto with = [&](const std::string& s) { return parser.parse(14, s); };
  EXPECT_EQ(with("{" + body + "," + sig_field + ",\"Nonce\":18}").error(), TxInfoError::kDuplicateField);
  EXPECT_EQ(with("{" + body + "}").error(), TxInfoError::kMissingField);
  EXPECT_EQ(with("{" + body + ",\"Sig\":\"AAAA\"}").error(), TxInfoError::kBadSignature);
  EXPECT_EQ(with("{" + body + ",\"Sig\":null}").error(), TxInfoError::kMissingField);
  std::string s = good;
  s.replace(s.find("\"Price\":4000000000"), 18, "\"Price\":4294967296");
  EXPECT_EQ(with(s).error(), TxInfoError::kBadField);
  s = good;
  s.replace(s.find("\"Price\":4000000000"), 18, "\"Price\":\"400000\"");
  EXPECT_EQ(with(s).error(), TxInfoError::kBadField);
  s = good;
  s.replace(s.find("\"BaseAmount\":123456"), 19, "\"BaseAmount\":123456.0");
  EXPECT_EQ(with(s).error(), TxInfoError::kBadField);
  s = good;
  s.replace(s.find("\"Nonce\":17"), 10, "\"Nonce\":-1");
  EXPECT_EQ(with(s).error(), TxInfoError::kBadField);
  EXPECT_EQ(with("{" + body + "," + sig_field + ",\"L2TxAttributes\":{\"9\":1}}").error(), TxInfoError::kBadAttributes);
  EXPECT_EQ(with("{" + body + "," + sig_field + ",\"L2TxAttributes\":{\"4\":2}}").error(), TxInfoError::kBadAttributes);
  EXPECT_EQ(with("[1]").error(), TxInfoError::kInvalidJson);
  EXPECT_EQ(with(good.substr(0, good.size() - 1)).error(), TxInfoError::kInvalidJson);
  EXPECT_EQ(parser.parse(20, good).error(), TxInfoError::kUnsupportedType);
}

}  // namespace
}  // namespace bparb::sim::lighter::testing
