#include "mm_render.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "json_out.hpp"
#include "prom_out.hpp"

namespace bparb::service {
namespace {

using json_out::boolean;
using json_out::dec;
using json_out::key;
using json_out::num;
using json_out::seconds;
using json_out::str;
using prom_out::family;
using prom_out::label;

// The P&L parts by name, in the order of docs/market_maker.md; they add up to "total".
std::array<std::pair<std::string_view, Decimal>, 7> pnl_parts(const MmMarketView& m) {
  return {{{"spread_capture", m.spread_capture},
           {"adverse_selection", m.adverse_selection},
           {"inventory", m.inventory},
           {"fees", m.fees},
           {"funding", m.funding},
           {"hedge_cost", m.hedge_cost},
           {"total", m.total}}};
}

void pnl_json(std::string& o, const MmMarketView& m) {
  o += '{';
  bool first = true;
  for (const auto& [name, value] : pnl_parts(m)) {
    if (!first) o += ',';
    first = false;
    key(o, name);
    dec(o, value);
  }
  o += '}';
}

Decimal per_million(Decimal total, Decimal volume) {
  if (volume <= Decimal::zero()) return Decimal{};
  return total.mul(Decimal::from_int(1'000'000), Rounding::kNearest).div(volume, Rounding::kNearest);
}

void market_json(std::string& o, const MmMarketView& m) {
  o += '{';
  key(o, "symbol");
  str(o, m.symbol);
  o += ',';
  key(o, "side");
  str(o, m.side);
  o += ',';
  key(o, "quote");
  if (m.quote_state == "none") {
    o += "null";
  } else {
    o += '{';
    key(o, "state");
    str(o, m.quote_state);
    o += ',';
    key(o, "side");
    str(o, m.quote_side);
    o += ',';
    key(o, "price");
    dec(o, m.quote_price);
    o += ',';
    key(o, "quantity");
    dec(o, m.quote_quantity);
    o += ',';
    key(o, "at_touch");
    boolean(o, m.at_touch);
    o += '}';
  }
  o += ',';
  key(o, "idle_reason");
  str(o, m.idle_reason);
  o += ',';
  key(o, "maker_volume_usd");
  dec(o, m.maker_volume);
  o += ',';
  key(o, "fills");
  o += fmt::format(R"({{"quote":{},"maker":{},"hedge":{}}})", m.quote_fills, m.maker_fills, m.hedge_fills);
  o += fmt::format(R"(,"quotes_placed":{},"cancels":{},"post_only_rejects":{},"hedges_sent":{},"refused":{},)",
                   m.quotes_placed, m.cancels, m.post_only_rejects, m.hedges_sent, m.refusals);
  key(o, "fill_rate");
  dec(o, m.fill_rate);
  o += ',';
  key(o, "cancel_to_fill");
  dec(o, m.cancel_to_fill);
  o += ',';
  key(o, "quoting_s");
  str(o, seconds(m.quoting_us));
  o += ',';
  key(o, "at_touch_s");
  str(o, seconds(m.at_touch_us));
  o += ',';
  key(o, "pnl");
  pnl_json(o, m);
  o += ',';
  key(o, "net_per_million_usd");
  dec(o, m.net_per_million);
  o += ',';
  key(o, "position");
  dec(o, m.position);
  o += ',';
  key(o, "inventory_cap");
  dec(o, m.cap);
  o += ',';
  key(o, "mid");
  dec(o, m.last_mid);
  o += ',';
  key(o, "breaker");
  o += '{';
  key(o, "state");
  str(o, m.cooling_down ? "cooldown" : "clear");
  o += ',';
  key(o, "cooldown_until_us");
  num(o, m.cooldown_until_us);
  o += fmt::format(R"(,"trips":{},)", m.breaker_trips);
  key(o, "trips_by_reason");
  o += '{';
  for (std::size_t i = 0; i < m.trips_by_reason.size(); ++i) {
    if (i) o += ',';
    key(o, m.trips_by_reason[i].reason);
    o += std::to_string(m.trips_by_reason[i].trips);
  }
  o += "},";
  key(o, "last_trip");
  if (m.last_trip) {
    const MmBreakerTripView& t = *m.last_trip;
    o += '{';
    key(o, "reason");
    str(o, t.reason);
    o += ',';
    key(o, "at_us");
    num(o, t.at_us);
    o += ',';
    key(o, "observed");
    dec(o, t.observed);
    o += ',';
    key(o, "limit");
    dec(o, t.limit);
    o += ',';
    key(o, "cooldown_until_us");
    num(o, t.cooldown_until_us);
    o += ',';
    key(o, "text");
    str(o, t.text);
    o += '}';
  } else {
    o += "null";
  }
  o += "}}";
}

}  // namespace

void mm_status_json(std::string& o, const std::vector<MmMarketView>& markets) {
  if (markets.empty()) {
    o += "null";
    return;
  }
  o += '{';
  key(o, "markets");
  o += '[';
  MmMarketView total;
  std::int64_t quote_fills = 0, maker_fills = 0, hedge_fills = 0, placed = 0, cancels = 0, rejects = 0;
  std::uint64_t trips = 0;
  for (std::size_t i = 0; i < markets.size(); ++i) {
    const MmMarketView& m = markets[i];
    if (i) o += ',';
    market_json(o, m);
    total.maker_volume += m.maker_volume;
    quote_fills += m.quote_fills;
    maker_fills += m.maker_fills;
    hedge_fills += m.hedge_fills;
    placed += m.quotes_placed;
    cancels += m.cancels;
    rejects += m.post_only_rejects;
    trips += m.breaker_trips;
    total.spread_capture += m.spread_capture;
    total.adverse_selection += m.adverse_selection;
    total.inventory += m.inventory;
    total.fees += m.fees;
    total.funding += m.funding;
    total.hedge_cost += m.hedge_cost;
    total.total += m.total;
  }
  o += "],";
  key(o, "total");
  o += '{';
  key(o, "maker_volume_usd");
  dec(o, total.maker_volume);
  o += fmt::format(
      R"(,"fills":{{"quote":{},"maker":{},"hedge":{}}},"quotes_placed":{},"cancels":{},"post_only_rejects":{},)"
      R"("breaker_trips":{},)",
      quote_fills, maker_fills, hedge_fills, placed, cancels, rejects, trips);
  key(o, "fill_rate");
  dec(o, placed > 0 ? Decimal::from_int(quote_fills).div_int(placed, Rounding::kNearest) : Decimal{});
  o += ',';
  key(o, "pnl");
  pnl_json(o, total);
  o += ',';
  key(o, "net_per_million_usd");
  dec(o, per_million(total.total, total.maker_volume));
  o += "}}";
}

void mm_metrics(std::string& o, const std::vector<MmMarketView>& markets) {
  if (markets.empty()) return;
  const auto per_market = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    family(o, name, type, help);
    for (const MmMarketView& m : markets) o += fmt::format("{}{{symbol=\"{}\"}} {}\n", name, label(m.symbol), value(m));
  };
  per_market("bparb_mm_quote_live", "gauge", "1 while a quote of the market maker rests or is in flight.",
             [](const MmMarketView& m) { return m.quote_state == "none" ? 0 : 1; });
  per_market("bparb_mm_quote_at_touch", "gauge", "1 while the quote rests at the best price of its side.",
             [](const MmMarketView& m) { return m.at_touch ? 1 : 0; });
  per_market("bparb_mm_maker_volume_usd_total", "counter", "Maker volume of the quotes (price * quantity).",
             [](const MmMarketView& m) { return m.maker_volume.str(); });
  per_market("bparb_mm_quote_fills_total", "counter", "Fills of the market maker's quotes.",
             [](const MmMarketView& m) { return m.quote_fills; });
  per_market("bparb_mm_hedge_fills_total", "counter", "Fills of the market maker's reduce-only hedges.",
             [](const MmMarketView& m) { return m.hedge_fills; });
  per_market("bparb_mm_quotes_placed_total", "counter", "Post-only quotes sent.",
             [](const MmMarketView& m) { return m.quotes_placed; });
  per_market("bparb_mm_cancels_total", "counter", "Quote cancels sent.",
             [](const MmMarketView& m) { return m.cancels; });
  per_market("bparb_mm_post_only_rejects_total", "counter", "Quotes the venue rejected as they would have crossed.",
             [](const MmMarketView& m) { return m.post_only_rejects; });
  per_market("bparb_mm_hedges_sent_total", "counter", "Inventory hedges sent (reduce-only IOC).",
             [](const MmMarketView& m) { return m.hedges_sent; });
  per_market("bparb_mm_fill_rate_ratio", "gauge", "Quote fills / quotes placed.",
             [](const MmMarketView& m) { return m.fill_rate.str(); });
  per_market("bparb_mm_cancel_to_fill_ratio", "gauge", "Cancels / quote fills (0 before the first fill).",
             [](const MmMarketView& m) { return m.cancel_to_fill.str(); });
  per_market("bparb_mm_quoting_seconds_total", "counter", "Time a quote rested.",
             [](const MmMarketView& m) { return seconds(m.quoting_us); });
  per_market("bparb_mm_at_touch_seconds_total", "counter", "Time a quote rested at the best price of its side.",
             [](const MmMarketView& m) { return seconds(m.at_touch_us); });
  family(o, "bparb_mm_pnl_usd", "gauge",
         "The market maker's P&L by component (spread_capture, adverse_selection, inventory, fees, funding, "
         "hedge_cost; total is their sum).");
  for (const MmMarketView& m : markets)
    for (const auto& [name, value] : pnl_parts(m))
      o += fmt::format("bparb_mm_pnl_usd{{symbol=\"{}\",component=\"{}\"}} {}\n", label(m.symbol), name, value.str());
  per_market("bparb_mm_net_per_million_usd", "gauge", "Total P&L per 1,000,000 of maker volume.",
             [](const MmMarketView& m) { return m.net_per_million.str(); });
  per_market("bparb_mm_position_base", "gauge", "The market maker's signed position in the base asset.",
             [](const MmMarketView& m) { return m.position.str(); });
  per_market("bparb_mm_breaker_cooldown", "gauge", "1 while a breaker's cooldown keeps the market maker from quoting.",
             [](const MmMarketView& m) { return m.cooling_down ? 1 : 0; });
  family(o, "bparb_mm_breaker_trips_total", "counter", "Breaker trips by breaker (absent until it fired).");
  for (const MmMarketView& m : markets)
    for (const MmBreakerCount& c : m.trips_by_reason)
      o += fmt::format("bparb_mm_breaker_trips_total{{symbol=\"{}\",reason=\"{}\"}} {}\n", label(m.symbol), c.reason,
                       c.trips);
}

}  // namespace bparb::service
