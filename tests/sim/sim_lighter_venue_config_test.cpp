// A lighter venue of the multi-venue sim config: [venues.NAME.lighter] (markets, fees, accounts and their
// API keys), how the venue's exchange is fitted to it, and the message of each bad key.
#include <gtest/gtest.h>

#include <string>

#include "bparb/sim/sim_config.hpp"

namespace bparb::sim {
namespace {

// The test-only public key of config/sim-backpack-lighter.toml.
constexpr const char* kPub = "710c8cd2201061fa5570d20852d90ddabd6c496825b639d6c6486ecb1f859b63f237dee54f3f42b4";
constexpr const char* kBackpackKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

std::string error_of(const std::string& toml) {
  try {
    (void)parse_sim_venues_config(toml, "v.toml");
  } catch (const SimConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

// One lighter venue "l" with a SOL perp; `market`, `account` and `extra` are spliced into its tables.
std::string venue(const std::string& market = "", const std::string& account = "", const std::string& extra = "") {
  return "[exchange]\nmarkets = [\"SOL_USDC\", \"SOL_USDC_PERP\", \"BTC_USDC_PERP\"]\n"
         "[venues.l]\nprotocol = \"lighter\"\n" +
         extra +
         "[venues.l.lighter]\n"
         "[[venues.l.lighter.markets]]\nsymbol = \"SOL_USDC_PERP\"\nmarket_id = 2\nsize_decimals = 3\n"
         "price_decimals = 3\n" +
         market + "[[venues.l.lighter.accounts]]\naccount_index = 7\napi_keys = [{ index = 4, public_key = \"" + kPub +
         "\" }]\n" + account;
}

TEST(SimLighterVenueConfig, TheShippedBackpackLighterExampleLoads) {
  const SimVenuesConfig v = load_sim_venues_config(std::string(BPARB_SOURCE_DIR) + "/config/sim-backpack-lighter.toml");
  ASSERT_TRUE(v.multi_venue);
  ASSERT_EQ(v.venues.size(), 2u);
  const VenueConfig& bp = v.venues[0];
  const VenueConfig& lt = v.venues[1];
  EXPECT_EQ(bp.protocol, VenueProtocol::kBackpack);
  EXPECT_EQ(bp.sim.exchange.markets.size(), 4u);
  ASSERT_EQ(bp.sim.exchange.accounts.size(), 1u);
  EXPECT_EQ(bp.sim.exchange.accounts[0].api_key, kBackpackKey);

  EXPECT_EQ(lt.name, "lighter");
  EXPECT_EQ(lt.protocol, VenueProtocol::kLighter);
  EXPECT_EQ(lt.lighter.chain_id, 304u);
  EXPECT_EQ(lt.lighter.maker_fee_pct, Decimal::from_string("0.002"));
  EXPECT_EQ(lt.lighter.taker_fee_pct, Decimal::from_string("0.02"));
  ASSERT_EQ(lt.lighter.markets.size(), 2u);
  const LighterMarketConfig& sol = lt.lighter.markets[0];
  EXPECT_EQ(sol.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(sol.market_id, 2);
  EXPECT_EQ(sol.lighter_symbol, "SOL");
  EXPECT_EQ(sol.min_base_amount, Decimal::from_string("0.05"));
  EXPECT_EQ(lt.lighter.markets[1].market_id, 1);
  // The exchange holds the two perps only, on the Lighter grid: SOL 0.001/0.001, BTC 0.1/0.00001.
  ASSERT_EQ(lt.sim.exchange.markets.size(), 2u);
  EXPECT_EQ(lt.sim.exchange.markets[0].spec.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(lt.sim.exchange.markets[0].spec.tick_size, Decimal::from_string("0.001"));
  EXPECT_EQ(lt.sim.exchange.markets[0].spec.step_size, Decimal::from_string("0.001"));
  EXPECT_EQ(lt.sim.exchange.markets[1].spec.tick_size, Decimal::from_string("0.1"));
  EXPECT_EQ(lt.sim.exchange.markets[1].spec.step_size, Decimal::from_string("0.00001"));
  // One exchange account, the Lighter account's; the inherited Backpack account is not on this venue.
  ASSERT_EQ(lt.sim.exchange.accounts.size(), 1u);
  ASSERT_EQ(lt.lighter.accounts.size(), 1u);
  EXPECT_EQ(lt.lighter.accounts[0].account_index, 1001);
  EXPECT_EQ(lt.lighter.accounts[0].account, 0u);
  ASSERT_EQ(lt.lighter.accounts[0].api_keys.size(), 1u);
  EXPECT_EQ(lt.lighter.accounts[0].api_keys[0].index, 4);
  EXPECT_EQ(lt.lighter.accounts[0].api_keys[0].public_key_hex, kPub);
  EXPECT_EQ(lt.sim.model.follow.lag_ms, 300);
  EXPECT_EQ(bp.sim.model.follow.lag_ms, 0);
}

TEST(SimLighterVenueConfig, DefaultsAndWhatTheVenueInherits) {
  const std::string toml = std::string("[[accounts]]\napi_key = \"") + kBackpackKey +
                           "\"\nbalances = { USDC = \"5\" }\n" +
                           venue("", "balances = { USDC = \"2500\" }\nleverage_limit = \"5\"\n");
  const SimVenuesConfig v = parse_sim_venues_config(toml, "v.toml");
  ASSERT_EQ(v.venues.size(), 1u);
  const VenueConfig& l = v.venues[0];
  EXPECT_EQ(l.lighter.chain_id, 304u);
  EXPECT_EQ(l.lighter.maker_fee_pct, Decimal::zero());
  EXPECT_EQ(l.lighter.taker_fee_pct, Decimal::zero());
  EXPECT_EQ(l.lighter.max_auth_token_lifetime_s, 8 * 3600);
  ASSERT_EQ(l.lighter.markets.size(), 1u);
  const LighterMarketConfig& m = l.lighter.markets[0];
  EXPECT_EQ(m.lighter_symbol, "SOL");
  EXPECT_EQ(m.min_base_amount, Decimal::from_string("0.001"));
  EXPECT_EQ(m.min_quote_amount, Decimal::from_int(10));
  EXPECT_EQ(m.default_initial_margin_fraction, 500);
  EXPECT_EQ(m.closeout_margin_fraction, 80);
  // Inherited markets without a Lighter market (SOL spot, BTC perp) and Backpack accounts are dropped.
  ASSERT_EQ(l.sim.exchange.markets.size(), 1u);
  EXPECT_EQ(l.sim.exchange.markets[0].spec.min_quantity, Decimal::from_string("0.01"));  // still on the grid
  ASSERT_EQ(l.sim.exchange.accounts.size(), 1u);
  EXPECT_EQ(l.sim.exchange.accounts[0].api_key, "lighter-account-7");
  ASSERT_EQ(l.sim.exchange.accounts[0].balances.size(), 1u);
  EXPECT_EQ(l.sim.exchange.accounts[0].balances[0].second, Decimal::from_int(2500));
  EXPECT_EQ(l.sim.exchange.accounts[0].leverage_limit, Decimal::from_int(5));

  // A spot market: its id from 2048, its Lighter name "BASE/QUOTE", its price grid coarser than Backpack's.
  const SimVenuesConfig s = parse_sim_venues_config(
      venue("[[venues.l.lighter.markets]]\nsymbol = \"SOL_USDC\"\nmarket_id = 2048\nsize_decimals = 1\n"
            "price_decimals = 0\n"),
      "v.toml");
  ASSERT_EQ(s.venues[0].lighter.markets.size(), 2u);
  EXPECT_EQ(s.venues[0].lighter.markets[1].lighter_symbol, "SOL/USDC");
  const MarketSpec& spot = s.venues[0].sim.exchange.markets[1].spec;
  EXPECT_EQ(spot.tick_size, Decimal::one());
  EXPECT_EQ(spot.min_price, Decimal::one());                  // was 0.01: raised to one tick
  EXPECT_EQ(spot.min_quantity, Decimal::from_string("0.1"));  // was 0.01: raised to one step
}

TEST(SimLighterVenueConfig, EachBadKeyIsNamedWithItsValueAndRange) {
  EXPECT_EQ(error_of(venue()), "(accepted)");
  const std::string m0 = "v.toml: venues.l.lighter.markets[0].";
  const std::string m1 = "v.toml: venues.l.lighter.markets[1].";
  const std::string a0 = "v.toml: venues.l.lighter.accounts[0].";
  const std::string l = "v.toml: venues.l.lighter.";
  const std::string btc =
      "[[venues.l.lighter.markets]]\nsymbol = \"BTC_USDC_PERP\"\nsize_decimals = 5\nprice_decimals = 1\n";

  // [venues.NAME.lighter] keys
  EXPECT_EQ(error_of(venue() + "[venues.l.lighter.extra]\n"),
            "v.toml: venues.l.lighter.extra: unknown key (allowed here: chain_id, maker_fee_pct, taker_fee_pct, "
            "max_auth_token_lifetime_s, markets, accounts)");
  std::string t = venue();
  t.insert(t.find("[[venues.l.lighter.markets]]"), "chain_id = 0\n");
  EXPECT_EQ(error_of(t), l + "chain_id = 0: must be in [1, 4294967295]");
  t = venue();
  t.insert(t.find("[[venues.l.lighter.markets]]"), "taker_fee_pct = 0.02\n");
  EXPECT_EQ(error_of(t), l + "taker_fee_pct = 0.02: must be a decimal string such as \"0.01\" (floats are not exact)");
  t = venue();
  t.insert(t.find("[[venues.l.lighter.markets]]"), "maker_fee_pct = \"11\"\n");
  EXPECT_EQ(error_of(t), l + "maker_fee_pct = 11: must be in [-1, 10]");
  t = venue();
  t.insert(t.find("[[venues.l.lighter.markets]]"), "max_auth_token_lifetime_s = 10\n");
  EXPECT_EQ(error_of(t), l + "max_auth_token_lifetime_s = 10: must be in [60, 604800]");
  EXPECT_EQ(error_of("[venues.l]\nprotocol = \"lighter\"\n[venues.l.lighter]\n"),
            "v.toml: venues.l.lighter.markets: required: at least one [[venues.NAME.lighter.markets]] (symbol, "
            "market_id, size_decimals, price_decimals)");

  // markets
  EXPECT_EQ(error_of(venue(btc)), m1 + "market_id: required: the venue's market id (perps 0..254)");
  EXPECT_EQ(error_of(venue(btc + "market_id = 255\n")), m1 + "market_id = 255: must be in [0, 254]");
  EXPECT_EQ(error_of(venue(btc + "market_id = 2\n")), m1 + "market_id = 2: already the market id of SOL_USDC_PERP");
  EXPECT_EQ(error_of(venue("[[venues.l.lighter.markets]]\nsymbol = \"SOL_USDC\"\nmarket_id = 5\nsize_decimals = 2\n"
                           "price_decimals = 2\n")),
            m1 + "market_id = 5: must be in [2048, 32767]");
  EXPECT_EQ(error_of(venue("[[venues.l.lighter.markets]]\nsymbol = \"ETH_USDC_PERP\"\n")),
            m1 + "symbol = \"ETH_USDC_PERP\": not a market of this venue's exchange (known: SOL_USDC, SOL_USDC_PERP, "
                 "BTC_USDC_PERP)");
  EXPECT_EQ(error_of(venue("[[venues.l.lighter.markets]]\nsymbol = \"SOL_USDC_PERP\"\n")),
            m1 + "symbol = \"SOL_USDC_PERP\": already a Lighter market of this venue");
  EXPECT_EQ(error_of(venue("[[venues.l.lighter.markets]]\nsymbol = \"BTC_USDC_PERP\"\nmarket_id = 1\n")),
            m1 + "size_decimals: required: base_amount = quantity x 10^size_decimals, in [0, 9]");
  EXPECT_EQ(error_of(venue("[[venues.l.lighter.markets]]\nsymbol = \"BTC_USDC_PERP\"\nmarket_id = 1\n"
                           "size_decimals = 10\n")),
            m1 + "size_decimals = 10: must be in [0, 9]");
  t = venue();
  t.replace(t.find("price_decimals = 3"), 18, "price_decimals = 7");
  EXPECT_EQ(error_of(t), m0 + "price_decimals = 7: size_decimals + price_decimals must be at most 9 (every notional "
                              "exact at 1e-9); size_decimals is 3");
  t = venue();
  t.replace(t.find("size_decimals = 3\nprice_decimals = 3"), 36, "size_decimals = 0\nprice_decimals = 8");
  EXPECT_EQ(error_of(t), m0 + "price_decimals = 8: SOL_USDC_PERP's highest price (seed_price x max_multiplier) times "
                              "10^price_decimals must fit the venue's 32-bit price field (<= 4294967295)");
  EXPECT_EQ(error_of(venue("min_base_amount = \"0.0005\"\n")),
            m0 + "min_base_amount = 0.0005: must be a multiple of 10^-size_decimals (0.001)");
  EXPECT_EQ(error_of(venue("min_quote_amount = -1\n")), m0 + "min_quote_amount = -1: must be in [0, 1000000000]");
  EXPECT_EQ(error_of(venue("lighter_symbol = \"\"\n")), m0 + "lighter_symbol = \"\": must not be empty");
  EXPECT_EQ(error_of(venue("closeout_margin_fraction = 0\n")),
            m0 + "closeout_margin_fraction = 0: must be in [1, 10000]");
  EXPECT_EQ(error_of(venue("maintenance_margin_fraction = 300\n")),
            m0 + "maintenance_margin_fraction = 300: the margin fractions must satisfy closeout (80) <= maintenance "
                 "<= min_initial (200) <= default_initial (500)");
  EXPECT_EQ(error_of(venue("bogus = 1\n")).rfind(m0 + "bogus: unknown key (allowed here: symbol, market_id,", 0), 0u);
  // The venue's own [[market]] must agree with the decimals; its own market list must have Lighter ids.
  EXPECT_EQ(error_of(venue("", "", "[[venues.l.market]]\nsymbol = \"SOL_USDC_PERP\"\ntick_size = \"0.01\"\n")),
            m0 + "price_decimals = 3: the Lighter market's tick_size is 0.001 but [[venues.NAME.market]] "
                 "SOL_USDC_PERP sets 0.01 (drop it there or make them agree)");
  t = venue("", "", "[[venues.l.market]]\nsymbol = \"SOL_USDC_PERP\"\nseed_price = \"150.05\"\n");
  t.replace(t.find("price_decimals = 3"), 18, "price_decimals = 1");
  EXPECT_EQ(error_of(t),
            m0 + "price_decimals = 1: SOL_USDC_PERP's seed_price 150.05 is not a multiple of the tick 0.1");
  EXPECT_EQ(error_of(venue("", "", "[venues.l.exchange]\nmarkets = [\"SOL_USDC\", \"SOL_USDC_PERP\"]\n")),
            "v.toml: venues.l.exchange.markets = \"SOL_USDC\": has no [[venues.NAME.lighter.markets]] entry (a "
            "market id)");

  // accounts and their API keys
  t = venue();
  t.replace(t.find("account_index = 7"), 17, "account_index = -1");
  EXPECT_EQ(error_of(t), a0 + "account_index = -1: must be in [0, 281474976710654]");
  EXPECT_EQ(error_of(venue("", "[[venues.l.lighter.accounts]]\naccount_index = 7\n")),
            "v.toml: venues.l.lighter.accounts[1].account_index = 7: duplicate account_index");
  EXPECT_EQ(error_of(venue("", "[[venues.l.lighter.accounts]]\naccount_index = 8\n")),
            "v.toml: venues.l.lighter.accounts[1].api_keys: required: at least one { index = 0..254, public_key = "
            "\"<80 hex>\" } (the key slots that may sign)");
  const std::string key_prefix = std::string("api_keys = [{ index = 4, public_key = \"") + kPub + "\" }]";
  t = venue();
  t.replace(t.find(key_prefix), key_prefix.size(), "api_keys = [{ index = 255, public_key = \"00\" }]");
  EXPECT_EQ(error_of(t), a0 + "api_keys[0].index = 255: must be in [0, 254]");
  t = venue();
  t.replace(t.find(key_prefix), key_prefix.size(),
            std::string("api_keys = [{ index = 4, public_key = \"") + kPub + "\" }, { index = 4, public_key = \"" +
                kPub + "\" }]");
  EXPECT_EQ(error_of(t), a0 + "api_keys[1].index = 4: duplicate API key index in this account");
  t = venue();
  t.replace(t.find(key_prefix), key_prefix.size(), "api_keys = [{ index = 4, public_key = \"abc\" }]");
  EXPECT_EQ(error_of(t).rfind(a0 + "api_keys[0].public_key = \"abc\": not a Lighter public key: ", 0), 0u);
  t = venue();
  t.replace(t.find(key_prefix), key_prefix.size(),
            "api_keys = [{ index = 4, public_key = \"" + std::string(80, 'f') + "\" }]");
  EXPECT_EQ(error_of(t).rfind(
                a0 + "api_keys[0].public_key = \"" + std::string(80, 'f') + "\": not a Lighter public key: ", 0),
            0u);
  t = venue();
  t.replace(t.find(key_prefix), key_prefix.size(), "api_keys = [{ index = 4 }]");
  EXPECT_EQ(error_of(t), a0 + "api_keys[0].public_key: required: the key's public key, 80 hex characters");
  EXPECT_EQ(error_of(venue("", "balances = { USDC = \"-5\" }\n")),
            a0 + "balances.USDC = -5: must be in [0, 1000000000]");
  EXPECT_EQ(error_of(venue("", "fees = {}\n")).rfind(a0 + "fees: unknown key (allowed here: account_index,", 0), 0u);
}

TEST(SimLighterVenueConfig, RefusesWhatALighterVenueCannotUse) {
  EXPECT_EQ(error_of(venue("", "", std::string("[[venues.l.accounts]]\napi_key = \"") + kBackpackKey + "\"\n")),
            "v.toml: venues.l.accounts = [[accounts]]: a lighter venue's accounts are [[venues.NAME.lighter.accounts]] "
            "(account_index, api_keys, balances)");
  EXPECT_EQ(error_of(venue("", "", "[venues.l.faults]\nhttp_429_next = 1\n")),
            "v.toml: venues.l.faults = {...}: fault injection acts on Backpack front-ends only; a lighter venue has "
            "none");
  EXPECT_EQ(error_of(venue("", "", "[venues.l.server]\nport = 0\nws_ping_interval_ms = 1000\n")),
            "v.toml: venues.l.server.ws_ping_interval_ms = 1000: the Lighter front-end takes only server.port and "
            "server.listen_address");
  EXPECT_EQ(error_of("[venues.backpack]\n[venues.backpack.lighter]\nchain_id = 300\n"),
            "v.toml: venues.backpack.lighter = {...}: only a venue with protocol = \"lighter\" has a "
            "[venues.NAME.lighter] table");
  EXPECT_EQ(error_of("[venues.l]\nprotocol = \"lighter\"\nlighter = 3\n"),
            "v.toml: venues.l.lighter = 3: must be a table ([venues.NAME.lighter])");
}

}  // namespace
}  // namespace bparb::sim
