// The market maker's part of the backtest report: summary.json's "market_maker" array, report.html's
// "Market maker" section (activity, the P&L split, the markout curve, position and P&L over time) and the
// command's per-market line. Written only for a run with [strategy] kind = "market_maker".
#include <algorithm>
#include <string>
#include <vector>

#include "bparb/backtest/report.hpp"
#include "bparb/core/money.hpp"
#include "report_internal.hpp"
#include "report_svg.hpp"

namespace bparb::backtest {

using namespace report_svg;  // NOLINT(google-build-using-namespace): the report's drawing kit

namespace {

constexpr const char* kPositionColor = "#6a3d9a";

double secs(DurationUs us) {
  return static_cast<double>(us) / static_cast<double>(kUsPerSecond);
}

// x per million USD of maker volume (zero without volume).
// Half away from zero, as MmStats' own figure (strategy/market_maker/mm_stats.cpp).
Decimal per_million(Decimal x, Decimal volume) {
  if (!volume.is_positive()) return Decimal::zero();
  __extension__ using i128 = __int128;
  const i128 num = static_cast<i128>(x.raw()) * 1'000'000 * Decimal::kOne;
  const i128 den = volume.raw();
  i128 q = num / den;
  const i128 rem = num % den;
  if (2 * (rem < 0 ? -rem : rem) >= den) q += num < 0 ? -1 : 1;
  return Decimal::from_raw(static_cast<std::int64_t>(q));
}

// bps of maker volume, for the curve (a chart coordinate, not money).
double bps_of(Decimal x, Decimal volume) {
  return volume.is_positive() ? x.to_double() / volume.to_double() * 1e4 : 0;
}

std::string horizon_text(DurationUs us) {
  if (us == 0) return "0";
  if (us < kUsPerSecond) return std::to_string(us / kUsPerMs) + " ms";
  return std::to_string(us / kUsPerSecond) + " s";
}

struct Part {
  const char* key;    // summary.json
  const char* label;  // report.html
  Decimal MmMarketResult::*field;
};
constexpr Part kParts[] = {
    {"spread_capture", "spread capture", &MmMarketResult::spread_capture},
    {"adverse_selection", "adverse selection (30 s markout)", &MmMarketResult::adverse_selection},
    {"inventory", "inventory", &MmMarketResult::inventory},
    {"fees", "fees / rebates", &MmMarketResult::fees},
    {"funding", "funding", &MmMarketResult::funding},
    {"hedge_cost", "hedge cost", &MmMarketResult::hedge_cost},
};

// Waterfall of the six parts to the total.
std::string split_chart(const MmMarketResult& m) {
  double lo = 0, hi = 0, run = 0;
  for (const Part& p : kParts) {
    run += (m.*p.field).to_double();
    lo = std::min(lo, run);
    hi = std::max(hi, run);
  }
  lo = std::min(lo, m.total.to_double());
  hi = std::max(hi, m.total.to_double());
  const report_detail::Ticks yt = nice_ticks(lo, hi, 6);
  Plot p;
  p.height = 260;
  p.top = 28;
  p.ylo = yt.lo;
  p.yhi = yt.hi;
  p.xlo = 0;
  p.xhi = 7;
  Svg s(p, "market maker P&L split");
  s.frame();
  s.y_axis(yt, "quote");
  Decimal from;
  for (int i = 0; i < 7; ++i) {
    const bool total = i == 6;
    const Decimal amount = total ? m.total : m.*kParts[i].field;
    const Decimal a = total ? Decimal::zero() : from;
    const Decimal b = total ? m.total : from + amount;
    const double xa = p.sx(i + 0.15), xb = p.sx(i + 0.85);
    const double ya = p.sy(a.to_double()), yb = p.sy(b.to_double());
    const double ytop = std::min(ya, yb), ybot = std::max(ya, yb);
    const char* color = total ? kNetColor : amount.is_negative() ? kNegativeColor : kPositiveColor;
    const std::string label = total ? "total" : kParts[i].label;
    s.rect(xa, ytop, xb - xa, std::max(ybot - ytop, 1.0), color, label + ": " + amount.str());
    s.text((xa + xb) / 2, ytop - 5, amount.str(), "middle", "bar-label");
    s.text((xa + xb) / 2, p.y0() + 18, total ? "total" : std::string(kParts[i].key), "middle");
    if (!total) from = b;
  }
  return s.finish();
}

// The markout curve: per horizon, the quote fills' value against the mid at that horizon, in bps of maker
// volume (spread capture + markout), and the markout alone.
std::string markout_chart(const MmMarketResult& m) {
  if (m.markout_curve.empty() || m.quote_fills == 0) return no_data("no quote fills");
  std::vector<XY> value, markout;
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < m.markout_curve.size(); ++i) {
    const MmMarkoutPoint& c = m.markout_curve[i];
    const double mk = bps_of(c.markout, m.maker_volume_usd);
    const double v = bps_of(m.spread_capture + c.markout, m.maker_volume_usd);
    markout.push_back({static_cast<double>(i), mk});
    value.push_back({static_cast<double>(i), v});
    lo = std::min({lo, mk, v});
    hi = std::max({hi, mk, v});
  }
  const report_detail::Ticks yt = nice_ticks(lo, hi, 6);
  Plot p;
  p.top = kLegendTop;
  p.ylo = yt.lo;
  p.yhi = yt.hi;
  p.xlo = -0.3;
  p.xhi = static_cast<double>(m.markout_curve.size()) - 0.7;
  Svg s(p, "markout curve");
  s.frame();
  s.y_axis(yt, "bps of maker volume");
  for (std::size_t i = 0; i < m.markout_curve.size(); ++i) {
    const double x = p.sx(static_cast<double>(i));
    s.line(x, p.y0(), x, p.y0() + 4, "tick");
    s.text(x, p.y0() + 17, horizon_text(m.markout_curve[i].horizon_us), "middle");
  }
  s.text((p.x0() + p.x1()) / 2, p.height - 6, "time after the fill", "middle", "axis-title");
  s.series(value, kEquityColor);
  s.series(markout, kDrawdownColor, "stroke-dasharray=\"4 3\"");
  s.raw("<g class=\"legend\">");
  s.line(p.x0() + 10, kLegendY, p.x0() + 30, kLegendY, "lg-eq");
  s.text(p.x0() + 34, kLegendY + 4, "fill vs mid at the horizon (spread capture + markout)", "start");
  s.rect(p.x0() + 380, kLegendY - 1, 20, 2, kDrawdownColor);
  s.text(p.x0() + 404, kLegendY + 4, "markout (mid move since the fill, side-signed)", "start");
  s.raw("</g>\n");
  return s.finish();
}

// Position (left) and P&L over time, one chart each.
std::string series_chart(const MmMarketResult& m, bool position) {
  if (m.inventory_series.empty()) return no_data("no samples");
  std::vector<XY> pts;
  double lo = 0, hi = 0;
  for (const MmInventoryPoint& q : m.inventory_series) {
    const double y = (position ? q.position : q.pnl).to_double();
    pts.push_back({static_cast<double>(q.t), y});
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  Plot p;
  set_time_range(p, m.inventory_series.front().t, m.inventory_series.back().t);
  const report_detail::Ticks yt = nice_ticks(lo, hi, 6);
  p.ylo = yt.lo;
  p.yhi = yt.hi;
  p.height = 220;
  Svg s(p, position ? "position over time" : "market maker P&L over time");
  s.frame();
  s.y_axis(yt, position ? "position (base)" : "P&L (quote)");
  s.time_axis(m.inventory_series.front().t, m.inventory_series.back().t);
  s.series(downsample(pts, kMaxLinePoints), position ? kPositionColor : kEquityColor);
  return s.finish();
}

}  // namespace

std::string mm_summary_line(const MmMarketResult& m) {
  return "market maker " + m.symbol + ": maker volume " + format_usd(m.maker_volume_usd) + " USD, fills " +
         std::to_string(m.quote_fills + m.hedge_fills) + " (maker " + std::to_string(m.maker_fills) + ", hedge " +
         std::to_string(m.hedge_fills) + "), quotes " + std::to_string(m.quotes_placed) + ", fill rate " +
         format_fixed(100 * m.fill_rate.to_double(), 1) + "%, cancel/fill " + m.cancel_to_fill.str_fixed(2) +
         ", post-only rejects " + std::to_string(m.post_only_rejects) + " | P&L " + m.total.str() + " USD = spread " +
         m.spread_capture.str() + " + adverse " + m.adverse_selection.str() + " + inventory " + m.inventory.str() +
         " + fees " + m.fees.str() + " + funding " + m.funding.str() + " + hedge " + m.hedge_cost.str() +
         " | net per 1M USD volume " + format_usd(m.net_per_million) + " USD | position " + m.position.str();
}

namespace report_internal {

void write_mm_json(JsonWriter& j, const std::vector<MmMarketResult>& markets) {
  j.begin_array();
  for (const MmMarketResult& m : markets) {
    j.item();
    j.begin_object();
    j.key("symbol").str(m.symbol);
    j.key("maker_volume_usd").dec(m.maker_volume_usd);
    j.key("fills").begin_object();
    j.key("quote").i64(m.quote_fills);
    j.key("maker").i64(m.maker_fills);
    j.key("hedge").i64(m.hedge_fills);
    j.end_object();
    j.key("quotes_placed").i64(m.quotes_placed);
    j.key("cancels").i64(m.cancels);
    j.key("post_only_rejects").i64(m.post_only_rejects);
    j.key("hedges_sent").u64(m.hedges_sent);
    j.key("refused").u64(m.refusals);
    j.key("breaker_trips").u64(m.breaker_trips);
    j.key("fill_rate").dec(m.fill_rate);
    j.key("cancel_to_fill").dec(m.cancel_to_fill);
    j.key("quoting_seconds").dbl(secs(m.quoting_us), 3);
    j.key("at_touch_seconds").dbl(secs(m.at_touch_us), 3);
    j.key("pnl").begin_object();
    for (const Part& p : kParts) j.key(p.key).dec(m.*p.field);
    j.key("total").dec(m.total);
    j.end_object();
    j.key("markouts").begin_object();
    j.key("1s").dec(m.markout_1s);
    j.key("5s").dec(m.markout_5s);
    j.key("30s").dec(m.markout_30s);
    j.end_object();
    j.key("net_per_million_usd").dec(m.net_per_million);
    j.key("fees_paid").dec(m.fees_paid);
    j.key("position").dec(m.position);
    j.key("last_mid").dec(m.last_mid);
    j.key("markout_curve").begin_array();
    for (const MmMarkoutPoint& c : m.markout_curve) {
      j.item();
      j.begin_object();
      j.key("horizon_seconds").dbl(secs(c.horizon_us), 3);
      j.key("markout").dec(c.markout);
      j.key("per_million_usd").dec(per_million(c.markout, m.maker_volume_usd));
      j.key("fills").u64(c.fills);
      j.key("at_last_mid").u64(c.at_last_mid);
      j.end_object();
    }
    j.end_array();
    j.key("inventory_points").u64(m.inventory_series.size());
    j.end_object();
  }
  j.end_array();
}

std::string mm_html_section(const BacktestResult& r) {
  std::string out = "<h2>Market maker</h2>\n";
  out +=
      "<p class=\"note\">Our quotes on the simulated venue: a quote rests behind the recorded queue at its price "
      "and fills only once recorded trades have taken that queue (or the book crosses it); post-only quotes "
      "that would take are rejected. Every figure comes from our own fills. The P&amp;L parts add up to the "
      "total exactly: spread capture = fill vs mid at the fill, adverse selection = the mid's move against the "
      "fill over 30 s, inventory = holding the position after that, fees (rebates positive), funding, hedge "
      "cost = the reduce-only hedges' crossing and fees.</p>\n";
  for (const MmMarketResult& m : r.market_maker) {
    out += "<h3>" + html_escape(m.symbol) + "</h3>\n<div class=\"cards\">\n";
    card(out, "net per 1M USD maker volume", format_usd(m.net_per_million), "negative = a cost");
    card(out, "P&L", m.total.str(), "position " + m.position.str());
    card(out, "maker volume", format_usd(m.maker_volume_usd), "USD");
    card(out, "fills", std::to_string(m.quote_fills + m.hedge_fills),
         std::to_string(m.maker_fills) + " maker, " + std::to_string(m.hedge_fills) + " hedge");
    card(out, "fill rate", pct(m.fill_rate.to_double()), std::to_string(m.quotes_placed) + " quotes");
    card(out, "cancel / fill", m.cancel_to_fill.str_fixed(2), std::to_string(m.cancels) + " cancels");
    card(out, "post-only rejects", std::to_string(m.post_only_rejects));
    const double quoting = secs(m.quoting_us);
    card(out, "time at the touch", seconds_text(secs(m.at_touch_us)),
         quoting > 0 ? pct(secs(m.at_touch_us) / quoting) + " of " + seconds_text(quoting) + " quoting" : "no quote");
    card(out, "breaker trips", std::to_string(m.breaker_trips), std::to_string(m.refusals) + " refused before sending");
    out += "</div>\n";
    out +=
        "<table class=\"mm-split\">\n<thead><tr><th>P&amp;L part</th><th class=\"num\">USD</th>"
        "<th class=\"num\">per 1M USD maker volume</th></tr></thead>\n<tbody>\n";
    for (const Part& p : kParts) {
      const Decimal v = m.*p.field;
      out += "<tr>" + td(p.label) + td(v.str(), true) + td(format_usd(per_million(v, m.maker_volume_usd)), true) +
             "</tr>\n";
    }
    out += "<tr>" + td("total") + td(m.total.str(), true, "pnl") + td(format_usd(m.net_per_million), true) +
           "</tr>\n</tbody>\n</table>\n";
    out += split_chart(m);
    out += "<h3>" + html_escape(m.symbol) + " — markout curve</h3>\n";
    out += markout_chart(m);
    out +=
        "<table class=\"mm-markouts\">\n<thead><tr><th>after the fill</th><th class=\"num\">markout USD</th>"
        "<th class=\"num\">per 1M USD</th><th class=\"num\">fills at the last mid</th></tr></thead>\n<tbody>\n";
    for (const MmMarkoutPoint& c : m.markout_curve) {
      out += "<tr>" + td(horizon_text(c.horizon_us)) + td(c.markout.str(), true) +
             td(format_usd(per_million(c.markout, m.maker_volume_usd)), true) +
             td(std::to_string(c.at_last_mid) + " / " + std::to_string(c.fills), true) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    out +=
        "<p class=\"note\">A fill's markout at a horizon is the first mid at or after that time; fills whose "
        "horizon lies past the end of the data take the last mid.</p>\n";
    out += "<h3>" + html_escape(m.symbol) + " — position over time</h3>\n";
    out += series_chart(m, true);
    out += "<h3>" + html_escape(m.symbol) + " — P&amp;L over time</h3>\n";
    out += series_chart(m, false);
  }
  return out;
}

}  // namespace report_internal

}  // namespace bparb::backtest
