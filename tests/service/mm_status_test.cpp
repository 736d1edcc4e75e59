// The market maker's part of the operator surface: the status document's `market_maker` object (per market
// and in total, money as exact decimal strings) and the bparb_mm_* families of /metrics; neither appears
// when no market maker runs.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bparb/service/render.hpp"

namespace bparb::service {
namespace {

constexpr TimestampUs kMmT0 = 1'700'000'000'000'000;

Decimal mm_dec(const char* s) {
  return Decimal::from_string(s);
}

MmMarketView market(std::string symbol, const char* volume, const char* total) {
  MmMarketView m;
  m.symbol = std::move(symbol);
  m.side = "bid";
  m.maker_volume = mm_dec(volume);
  m.quote_fills = 4;
  m.maker_fills = 4;
  m.hedge_fills = 1;
  m.quotes_placed = 10;
  m.cancels = 6;
  m.post_only_rejects = 2;
  m.hedges_sent = 1;
  m.fill_rate = mm_dec("0.4");
  m.cancel_to_fill = mm_dec("1.5");
  m.quoting_us = 12 * kUsPerSecond + 500'000;
  m.at_touch_us = 9 * kUsPerSecond;
  m.spread_capture = mm_dec("0.30");
  m.adverse_selection = mm_dec("-0.10");
  m.inventory = mm_dec("0.05");
  m.fees = mm_dec("0.02");
  m.funding = mm_dec("-0.01");
  m.hedge_cost = mm_dec("-0.06");
  m.total = mm_dec(total);
  m.position = mm_dec("0.5");
  return m;
}

Snapshot mm_sample() {
  Snapshot s;
  s.started_us = kMmT0;
  s.taken_us = kMmT0 + 60 * kUsPerSecond;
  s.version = "0.1.0";
  s.mode = "paper";
  MmMarketView sol = market("SOL_USDC_PERP", "1000", "0.20");
  sol.quote_state = "live";
  sol.quote_side = "bid";
  sol.quote_price = mm_dec("150.12");
  sol.quote_quantity = mm_dec("0.20");
  sol.at_touch = true;
  sol.net_per_million = mm_dec("200");
  sol.breaker_trips = 3;
  sol.trips_by_reason = {{"mid_move", 2}, {"reconnect", 1}};
  MmBreakerTripView& t = sol.last_trip.emplace();
  t.reason = "mid_move";
  t.at_us = kMmT0 + 30 * kUsPerSecond;
  t.observed = mm_dec("0.0031");
  t.limit = mm_dec("0.002");
  t.cooldown_until_us = kMmT0 + 35 * kUsPerSecond;
  t.text = "mm breaker mid_move: observed 0.0031 >= limit 0.002";
  MmMarketView btc = market("BTC_USDC_PERP", "3000", "-0.40");
  btc.idle_reason = "breaker";
  btc.cooling_down = true;
  btc.cooldown_until_us = kMmT0 + 61 * kUsPerSecond;
  s.market_maker = {sol, btc};
  return s;
}

std::string_view mm_text(simdjson::dom::element e, const char* pointer) {
  std::string_view v;
  EXPECT_EQ(e.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}
std::int64_t integer(simdjson::dom::element e, const char* pointer) {
  std::int64_t v = -1;
  EXPECT_EQ(e.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}

TEST(MmStatus, NullWithoutAMarketMakerAndNoMmMetrics) {
  Snapshot s;
  s.version = "0.1.0";
  const std::string body = render_status_json(s);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(body).get(doc), simdjson::SUCCESS) << body;
  EXPECT_TRUE(doc["market_maker"].is_null());
  EXPECT_EQ(render_metrics(s).find("bparb_mm_"), std::string::npos);
}

TEST(MmStatus, EachMarketAndTheTotal) {
  const std::string body = render_status_json(mm_sample());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(body).get(doc), simdjson::SUCCESS) << body;
  simdjson::dom::element mm = doc["market_maker"];
  EXPECT_EQ(mm_text(mm, "/markets/0/symbol"), "SOL_USDC_PERP");
  EXPECT_EQ(mm_text(mm, "/markets/0/side"), "bid");
  EXPECT_EQ(mm_text(mm, "/markets/0/quote/state"), "live");
  EXPECT_EQ(mm_text(mm, "/markets/0/quote/price"), "150.12");
  EXPECT_EQ(mm_text(mm, "/markets/0/quote/quantity"), "0.2");
  bool touch = false;
  ASSERT_EQ(mm.at_pointer("/markets/0/quote/at_touch").get(touch), simdjson::SUCCESS);
  EXPECT_TRUE(touch);
  EXPECT_EQ(mm_text(mm, "/markets/0/maker_volume_usd"), "1000");
  EXPECT_EQ(integer(mm, "/markets/0/fills/quote"), 4);
  EXPECT_EQ(integer(mm, "/markets/0/fills/hedge"), 1);
  EXPECT_EQ(integer(mm, "/markets/0/post_only_rejects"), 2);
  EXPECT_EQ(mm_text(mm, "/markets/0/fill_rate"), "0.4");
  EXPECT_EQ(mm_text(mm, "/markets/0/cancel_to_fill"), "1.5");
  EXPECT_EQ(mm_text(mm, "/markets/0/quoting_s"), "12.500000");
  EXPECT_EQ(mm_text(mm, "/markets/0/at_touch_s"), "9.000000");
  EXPECT_EQ(mm_text(mm, "/markets/0/pnl/spread_capture"), "0.3");
  EXPECT_EQ(mm_text(mm, "/markets/0/pnl/funding"), "-0.01");
  EXPECT_EQ(mm_text(mm, "/markets/0/pnl/total"), "0.2");
  EXPECT_EQ(mm_text(mm, "/markets/0/net_per_million_usd"), "200");
  EXPECT_EQ(mm_text(mm, "/markets/0/breaker/state"), "clear");
  EXPECT_EQ(integer(mm, "/markets/0/breaker/trips"), 3);
  EXPECT_EQ(integer(mm, "/markets/0/breaker/trips_by_reason/mid_move"), 2);
  EXPECT_EQ(mm_text(mm, "/markets/0/breaker/last_trip/reason"), "mid_move");
  EXPECT_EQ(mm_text(mm, "/markets/0/breaker/last_trip/observed"), "0.0031");
  EXPECT_EQ(mm_text(mm, "/markets/0/breaker/last_trip/limit"), "0.002");
  // The second market: no quote, and why; cooling down.
  EXPECT_TRUE(mm.at_pointer("/markets/1/quote").is_null());
  EXPECT_EQ(mm_text(mm, "/markets/1/idle_reason"), "breaker");
  EXPECT_EQ(mm_text(mm, "/markets/1/breaker/state"), "cooldown");
  EXPECT_TRUE(mm.at_pointer("/markets/1/breaker/last_trip").is_null());
  // The total: sums, and the headline from the summed P&L over the summed volume (-0.20 / 4000 x 1M).
  EXPECT_EQ(mm_text(mm, "/total/maker_volume_usd"), "4000");
  EXPECT_EQ(integer(mm, "/total/fills/quote"), 8);
  EXPECT_EQ(integer(mm, "/total/breaker_trips"), 3);
  EXPECT_EQ(mm_text(mm, "/total/fill_rate"), "0.4");
  EXPECT_EQ(Decimal::from_string(mm_text(mm, "/total/pnl/total")), mm_dec("-0.20"));
  EXPECT_EQ(Decimal::from_string(mm_text(mm, "/total/pnl/hedge_cost")), mm_dec("-0.12"));
  EXPECT_EQ(Decimal::from_string(mm_text(mm, "/total/net_per_million_usd")), mm_dec("-50"));
}

TEST(MmStatus, MetricsPerMarketWithBoundedLabels) {
  const std::string m = render_metrics(mm_sample());
  for (const char* line : {
           "bparb_mm_quote_live{symbol=\"SOL_USDC_PERP\"} 1\n",
           "bparb_mm_quote_live{symbol=\"BTC_USDC_PERP\"} 0\n",
           "bparb_mm_quote_at_touch{symbol=\"SOL_USDC_PERP\"} 1\n",
           "bparb_mm_maker_volume_usd_total{symbol=\"SOL_USDC_PERP\"} 1000\n",
           "bparb_mm_quote_fills_total{symbol=\"SOL_USDC_PERP\"} 4\n",
           "bparb_mm_hedge_fills_total{symbol=\"SOL_USDC_PERP\"} 1\n",
           "bparb_mm_post_only_rejects_total{symbol=\"SOL_USDC_PERP\"} 2\n",
           "bparb_mm_quoting_seconds_total{symbol=\"SOL_USDC_PERP\"} 12.500000\n",
           "bparb_mm_pnl_usd{symbol=\"SOL_USDC_PERP\",component=\"adverse_selection\"} -0.1\n",
           "bparb_mm_pnl_usd{symbol=\"BTC_USDC_PERP\",component=\"total\"} -0.4\n",
           "bparb_mm_net_per_million_usd{symbol=\"SOL_USDC_PERP\"} 200\n",
           "bparb_mm_breaker_cooldown{symbol=\"BTC_USDC_PERP\"} 1\n",
           "bparb_mm_breaker_trips_total{symbol=\"SOL_USDC_PERP\",reason=\"mid_move\"} 2\n",
           "bparb_mm_breaker_trips_total{symbol=\"SOL_USDC_PERP\",reason=\"reconnect\"} 1\n",
       })
    EXPECT_NE(m.find(line), std::string::npos) << line << m;
  EXPECT_EQ(m.find("bparb_mm_breaker_trips_total{symbol=\"BTC_USDC_PERP\""), std::string::npos);
}

TEST(MmStatus, PromtoolAcceptsTheMetrics) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed";
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("bparb_mm_metrics_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file) << render_metrics(mm_sample());
  const std::string cmd = "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream out(file.string() + ".out");
  const std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << said;
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + ".out");
}

}  // namespace
}  // namespace bparb::service
