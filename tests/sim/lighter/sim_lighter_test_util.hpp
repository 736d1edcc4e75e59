#pragma once
// Shared fixture for the simulated Lighter: one perp market (ETH, market id 0, tick 0.01, step 0.0001,
// seed price 2000) and one spot market (id 2048), two Lighter accounts with one API key each (fresh
// keys per run), on a ManualClock used as both the Exchange's and the wall clock.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bparb/core/clock.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/lighter/api.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::sim::lighter::testing {

namespace bl = bparb::lighter;

inline Decimal D(const char* s) {
  return Decimal::from_string(s);
}

constexpr TimestampUs kStartUs = 1'800'000'000'000'000;  // 2027-01-15
constexpr std::int64_t kAlice = 1001;
constexpr std::int64_t kBob = 1002;
constexpr std::uint8_t kKey = 4;

inline MarketSpec eth_spec(bool perp) {
  MarketSpec s;
  s.base_symbol = "ETH";
  s.quote_symbol = "USDC";
  s.symbol = perp ? "ETH_USDC_PERP" : "ETH_USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.max_multiplier = D("2");
  s.min_multiplier = D("0.5");
  s.step_size = D("0.0001");
  s.min_quantity = D("0.0001");
  if (perp) {
    s.funding_interval_ms = 3'600'000;
    s.funding_rate_upper_bound_bps = D("100");
    s.funding_rate_lower_bound_bps = D("-100");
    s.imf = MarginFunction{true, D("0.02"), D("0")};
    s.mmf = MarginFunction{true, D("0.012"), D("0")};
  }
  return s;
}

struct Fixture {
  ManualClock clock{kStartUs};
  std::unique_ptr<Exchange> ex;
  bl::PrivateKey alice_key = bl::PrivateKey::generate();
  bl::PrivateKey bob_key = bl::PrivateKey::generate();
  std::unique_ptr<bl::Signer> alice;
  std::unique_ptr<bl::Signer> bob;
  LighterRules rules;
  std::int64_t alice_nonce = 0;
  std::int64_t bob_nonce = 0;

  Fixture() {
    ExchangeConfig cfg;
    cfg.markets.push_back(MarketSetup{eth_spec(true), D("2000")});
    cfg.markets.push_back(MarketSetup{eth_spec(false), D("2000")});
    for (const char* k : {"lighter-1001", "lighter-1002"}) {
      cfg.accounts.push_back(AccountSetup{k, {{"USDC", D("100000")}, {"ETH", D("10")}}, {}, {}, false});
    }
    ex = std::make_unique<Exchange>(clock, cfg);
    rules.chain_id = 304;
    rules.markets.push_back(LighterMarketRules{0, "ETH_USDC_PERP", "ETH", D("0.005"), D("10")});
    rules.markets.push_back(LighterMarketRules{2048, "ETH_USDC", "ETH/USDC", D("0.005"), D("10")});
    rules.maker_fee_pct = D("0.002");
    rules.taker_fee_pct = D("0.02");
    rules.accounts.push_back(LighterAccountRules{kAlice, 0, {{kKey, hex(alice_key)}}});
    rules.accounts.push_back(LighterAccountRules{kBob, 1, {{kKey, hex(bob_key)}}});
    alice = std::make_unique<bl::Signer>(clone(alice_key), bl::SignerConfig{304, kAlice, kKey});
    bob = std::make_unique<bl::Signer>(clone(bob_key), bl::SignerConfig{304, kBob, kKey});
  }

  static std::string hex(const bl::PrivateKey& k) {
    const bl::PublicKeyBytes pk = k.public_key();
    std::string out(80, '0');
    bl::to_hex(pk, std::span<char>(out.data(), out.size()));
    return out;
  }
  static bl::PrivateKey clone(const bl::PrivateKey& k) {
    std::array<char, 80> h{};
    k.to_hex(h);
    auto r = bl::PrivateKey::from_hex(std::string_view(h.data(), h.size()));
    return std::move(r).value();
  }

  std::int64_t expiry() const { return clock.now_ms() + 10 * 60 * 1000; }

  // A limit order, signed; GTT gets a 1-day expiry, IOC none.
  bl::SignedTx create(bl::Signer& s, std::int64_t& nonce, std::int64_t coi, std::int64_t base, std::uint32_t price,
                      bool ask, std::uint8_t tif = 1, std::int16_t market = 0) {
    bl::CreateOrderTx t;
    t.market_index = market;
    t.client_order_index = coi;
    t.base_amount = base;
    t.price = price;
    t.is_ask = ask ? 1 : 0;
    t.type = 0;
    t.time_in_force = tif;
    t.order_expiry = tif == 0 ? 0 : clock.now_ms() + 24 * 3600 * 1000;
    bl::SignedTx out;
    EXPECT_FALSE(s.sign_create_order(t, nonce++, expiry(), out).has_value());
    return out;
  }

  static std::string hash_hex(const bl::SignedTx& t) {
    std::array<char, 80> h{};
    t.message_hash_hex(h);
    return std::string(h.data(), h.size());
  }

  std::string token(bl::Signer& s, std::int64_t lifetime_s = 3600) {
    bl::AuthToken t;
    EXPECT_FALSE(s.auth_token(clock.now_us() / kUsPerSecond + lifetime_s, t).has_value());
    return std::string(t.str());
  }
};

}  // namespace bparb::sim::lighter::testing
