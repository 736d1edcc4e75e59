#pragma once
// Builders for synthetic recordings (Backpack-shaped frames) and a runner config whose every number
// is chosen so the tests can compute P&L by hand.
#include <string>
#include <utility>
#include <vector>

#include "../sim/sim_test_util.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/record/frame_source.hpp"

namespace bparb::backtest::testing {

// Decimal literals and gtest's Decimal printer: one definition with the sim tests (two inline PrintTo
// definitions would clash in a test that includes both utils).
using sim::testing::D;

// 2023-11-14 22:13:20 UTC: 46 minutes before the next hourly funding settlement, so scripts of a few
// seconds never cross one unless they mean to.
constexpr TimestampUs kT0 = 1'700'000'000LL * kUsPerSecond;

inline MarketSpec sol_spec(bool perp) {
  MarketSpec s;
  s.symbol = perp ? "SOL_USDC_PERP" : "SOL_USDC";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.step_size = D("0.01");
  s.min_quantity = D("0.01");
  if (perp) {
    s.funding_interval_ms = 3'600'000;
    s.imf = {true, D("0.02"), D("0.00006")};
    s.mmf = {true, D("0.0135"), D("0.000036")};
  }
  return s;
}

// Taker plan only, no confidence/age/warm-up gates; perp fees 2/5 bps, spot fees zero (tests set their own).
inline RunnerConfig scripted_config() {
  RunnerConfig c;
  c.pairs.push_back({"SOL", sol_spec(false), sol_spec(true)});
  exec::EngineParams& p = c.engine;
  p.basis.position_size_usd = D("1000");
  p.basis.min_spread_threshold = D("0.001");
  p.basis.min_execution_threshold = D("0.002");
  p.basis.large_spread_threshold = D("0.05");
  p.basis.use_maker_for_large_spreads = false;
  p.basis.expected_holding_us = 0;
  p.basis.resync_grace_us = 0;
  p.basis.min_confidence = 0;
  p.basis.stale_after_us = 60 * kUsPerSecond;
  p.exit.min_closing_spread = Decimal::zero();
  p.exit.take_profit = Decimal::zero();
  p.opening_delay_us = 0;
  c.risk.max_position_usd = D("5000");
  c.risk.max_total_exposure_usd = D("20000");
  c.risk.max_book_age_ms = 60'000;
  c.fees = {D("0"), D("0"), D("2"), D("5")};  // spot maker/taker, perp maker/taker (bps)
  c.latency.fixed_us = 5 * kUsPerMs;
  return c;
}

using Level = std::pair<const char*, const char*>;

inline std::string levels_json(const std::vector<Level>& ls) {
  std::string s = "[";
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (i) s += ',';
    s += std::string("[\"") + ls[i].first + "\",\"" + ls[i].second + "\"]";
  }
  return s + "]";
}

// Recording builder: keeps each market's depth id chain.
class Script {
 public:
  void snapshot(TimestampUs t, const std::string& sym, const std::vector<Level>& bids, const std::vector<Level>& asks) {
    auto& id = ids_[sym];
    id += 10;
    src.add(t, record::FrameKind::kRestDepth,
            "{\"symbol\":\"" + sym + "\",\"data\":{\"asks\":" + levels_json(asks) + ",\"bids\":" + levels_json(bids) +
                ",\"lastUpdateId\":\"" + std::to_string(id) + "\",\"timestamp\":" + std::to_string(t) + "}}");
  }
  void depth(TimestampUs t, const std::string& sym, const std::vector<Level>& bids, const std::vector<Level>& asks) {
    auto& id = ids_[sym];
    ++id;
    src.add(t, record::FrameKind::kWs,
            "{\"stream\":\"depth." + sym + "\",\"data\":{\"e\":\"depth\",\"E\":" + std::to_string(t) + ",\"s\":\"" +
                sym + "\",\"a\":" + levels_json(asks) + ",\"b\":" + levels_json(bids) + ",\"U\":" + std::to_string(id) +
                ",\"u\":" + std::to_string(id) + ",\"T\":" + std::to_string(t) + "}}");
  }
  // buyer_is_maker: the seller was the aggressor (hit the bids).
  void trade(TimestampUs t, const std::string& sym, const char* px, const char* qty, bool buyer_is_maker) {
    src.add(t, record::FrameKind::kWs,
            "{\"stream\":\"trade." + sym + "\",\"data\":{\"e\":\"trade\",\"E\":" + std::to_string(t) + ",\"s\":\"" +
                sym + "\",\"p\":\"" + px + "\",\"q\":\"" + qty +
                "\",\"b\":\"1\",\"a\":\"2\",\"t\":" + std::to_string(++trade_id_) + ",\"T\":" + std::to_string(t) +
                ",\"m\":" + (buyer_is_maker ? "true" : "false") + "}}");
  }
  void mark(TimestampUs t, const std::string& sym, const char* px, const char* rate, std::int64_t next_ms) {
    src.add(t, record::FrameKind::kWs,
            "{\"stream\":\"markPrice." + sym + "\",\"data\":{\"e\":\"markPrice\",\"E\":" + std::to_string(t) +
                ",\"s\":\"" + sym + "\",\"p\":\"" + px + "\",\"f\":\"" + rate + "\",\"i\":\"" + px +
                "\",\"n\":" + std::to_string(next_ms) + ",\"T\":" + std::to_string(t) + "}}");
  }
  void raw(TimestampUs t, record::FrameKind k, std::string payload) { src.add(t, k, std::move(payload)); }

  record::VectorFrameSource src;

 private:
  struct Ids {
    std::vector<std::pair<std::string, std::int64_t>> v;
    std::int64_t& operator[](const std::string& k) {
      for (auto& [key, val] : v)
        if (key == k) return val;
      v.emplace_back(k, 0);
      return v.back().second;
    }
  } ids_;
  std::int64_t trade_id_ = 0;
};

}  // namespace bparb::backtest::testing
