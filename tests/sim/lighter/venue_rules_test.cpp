// The Lighter venue of config/sim-backpack-lighter.toml as bpsim hosts it: its rules (lighter_rules_of) fit
// the venue's Exchange, and an order signed with the file's documented test key is accepted.
#include "bparb/sim/lighter/venue_rules.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "bparb/sim/sim_world.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::sim::lighter {
namespace {

namespace bl = bparb::lighter;

// The private key config/sim-backpack-lighter.toml documents as test-only.
constexpr const char* kTestKey = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728";

TEST(LighterVenueRules, TheShippedBackpackLighterWorldServesLighterWithItsTestKey) {
  SimVenuesConfig cfg = load_sim_venues_config(std::string(BPARB_SOURCE_DIR) + "/config/sim-backpack-lighter.toml");
  boost::asio::io_context io;
  SimWorld world(io, std::move(cfg));
  ASSERT_EQ(world.venue_count(), 2u);
  const VenueConfig& v = world.venue_config(1);
  ASSERT_EQ(v.protocol, VenueProtocol::kLighter);
  const LighterRules rules = lighter_rules_of(v);
  EXPECT_EQ(rules.chain_id, 304u);
  EXPECT_EQ(rules.port, 0);
  EXPECT_EQ(rules.max_auth_token_lifetime_us, 8 * kUsPerHour);
  ASSERT_EQ(rules.markets.size(), 2u);
  EXPECT_EQ(rules.markets[0].lighter_symbol, "SOL");
  EXPECT_EQ(rules.markets[0].min_base_amount, Decimal::from_string("0.05"));

  Exchange& ex = world.venue(1).exchange();
  LighterApi api(ex, world.wall_clock(), rules);
  EXPECT_EQ(api.price_decimals(*api.market_by_id(2)), 3);
  EXPECT_EQ(api.size_decimals(*api.market_by_id(1)), 5);
  ASSERT_TRUE(api.account_of(1001).has_value());
  EXPECT_TRUE(api.has_api_key(1001, 4));
  // 0.02 % taker = 2 bps on the Exchange account behind account 1001.
  EXPECT_EQ(ex.account_summary(*api.account_of(1001)).futures_taker_fee, Decimal::from_int(2));

  auto signer = bl::Signer::create(kTestKey, bl::SignerConfig{304, 1001, 4});
  ASSERT_TRUE(signer.has_value());
  bl::CreateOrderTx t;
  t.market_index = 2;
  t.client_order_index = 1;
  t.base_amount = 100;  // 0.1 SOL
  t.price = 100'000;    // 100.000 USDC, far below the book
  t.is_ask = 0;
  t.type = 0;
  t.time_in_force = 1;  // good till time
  const std::int64_t now_ms = world.wall_clock().now_us() / kUsPerMs;
  t.order_expiry = now_ms + 3'600'000;
  bl::SignedTx tx;
  ASSERT_FALSE(signer.value().sign_create_order(t, api.next_nonce(1001, 4), now_ms + 60'000, tx).has_value());
  const TxOutcome out = api.submit(14, tx.tx_info());
  EXPECT_EQ(out.code, 200) << out.message;
  EXPECT_EQ(ex.open_orders(*api.account_of(1001)).size(), 1u);
}

}  // namespace
}  // namespace bparb::sim::lighter
