// The cross-venue strategy's part of the backtest report: summary.json's "cross_venue" object and report.html's
// "Cross-venue" section (the spread per direction, trades, the P&L split, refused opportunities). Written only
// for a run with [strategy] kind = "cross_venue".
#include <string>

#include "bparb/backtest/report.hpp"
#include "bparb/core/money.hpp"
#include "report_internal.hpp"
#include "report_svg.hpp"

namespace bparb::backtest {

using namespace report_svg;  // NOLINT(google-build-using-namespace): the report's drawing kit

namespace {

constexpr int kBpsDecimals = 4;

void write_spread(report_internal::JsonWriter& j, const BasisPercentiles& p) {
  j.begin_object();
  j.key("samples").u64(p.samples);
  const bool have = p.samples > 0;  // without samples the fields would be meaningless zeros
  const std::pair<const char*, double> fields[] = {{"min", p.min}, {"p50", p.p50}, {"p75", p.p75},
                                                   {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
  for (const auto& [name, v] : fields) j.key(name).nullable(have, [&] { j.dbl(v, kBpsDecimals); });
  j.end_object();
}

std::string bps_text(const BasisPercentiles& p, double v) {
  return p.samples > 0 ? format_fixed(v, 2) : std::string("—");
}

}  // namespace

std::string xarb_summary_line(const CrossVenueResult& x) {
  return "cross-venue " + x.coin + " (" + x.backpack_symbol + " / " + x.lighter_symbol +
         "): long_backpack spread p50 " + bps_text(x.long_backpack, x.long_backpack.p50) + " bps, short_backpack p50 " +
         bps_text(x.short_backpack, x.short_backpack.p50) + " bps | " + std::to_string(x.trades) + " trades | spread " +
         x.spread.str() + " fees " + x.fees.str() + " funding " + x.funding.str() + " = net " + x.net.str() + " USD";
}

namespace report_internal {

void write_xarb_json(JsonWriter& j, const CrossVenueResult& x) {
  j.begin_object();
  j.key("coin").str(x.coin);
  j.key("backpack_symbol").str(x.backpack_symbol);
  j.key("lighter_symbol").str(x.lighter_symbol);
  j.key("spread_bps").begin_object();
  write_spread(j.key("long_backpack"), x.long_backpack);
  write_spread(j.key("short_backpack"), x.short_backpack);
  j.end_object();
  j.key("trades").u64(x.trades);
  j.key("closed").u64(x.closed);
  j.key("fills").begin_object();
  j.key("backpack").u64(x.fills_backpack);
  j.key("lighter").u64(x.fills_lighter);
  j.end_object();
  j.key("pnl").begin_object();
  j.key("spread").dec(x.spread);
  j.key("fees").dec(x.fees);
  j.key("funding").dec(x.funding);
  j.key("net").dec(x.net);
  j.end_object();
  j.key("refused").begin_object();
  for (const RefusalCount& r : x.refused) j.key(r.reason).u64(r.count);
  j.end_object();
  j.key("lighter_taker_delay_ms").u64(static_cast<std::uint64_t>(x.lighter_taker_delay_us / kUsPerMs));
  j.end_object();
}

std::string xarb_html_section(const CrossVenueResult& x) {
  std::string out = "<h2>Cross-venue</h2>\n";
  out += "<p class=\"note\">" + html_escape(x.coin) + ": Backpack " + html_escape(x.backpack_symbol) +
         " (leg 0), Lighter " + html_escape(x.lighter_symbol) +
         " (leg 1), each order on its own simulated venue; Lighter's taker orders wait the account tier's " +
         std::to_string(x.lighter_taker_delay_us / kUsPerMs) +
         " ms at the venue. Spreads are executable, at every book update of either venue: long_backpack = "
         "(Lighter bid − Backpack ask) / Backpack ask, short_backpack = (Backpack bid − Lighter ask) / Lighter "
         "ask. The P&amp;L parts add up to the net exactly.</p>\n<div class=\"cards\">\n";
  card(out, "net P&L", x.net.str(), "USD");
  card(out, "trades", std::to_string(x.trades), std::to_string(x.closed) + " closed");
  card(out, "fills", std::to_string(x.fills_backpack + x.fills_lighter),
       std::to_string(x.fills_backpack) + " Backpack, " + std::to_string(x.fills_lighter) + " Lighter");
  std::uint64_t refused = 0;
  for (const RefusalCount& r : x.refused) refused += r.count;
  card(out, "refused", std::to_string(refused), "opportunities and venue-gate refusals");
  out += "</div>\n";
  out +=
      "<table class=\"xarb-spread\">\n<thead><tr><th>spread (bps)</th><th class=\"num\">samples</th>"
      "<th class=\"num\">min</th><th class=\"num\">p50</th><th class=\"num\">p75</th><th class=\"num\">p90</th>"
      "<th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead>\n<tbody>\n";
  for (const auto& [name, p] : {std::pair<const char*, const BasisPercentiles*>{"long_backpack", &x.long_backpack},
                                {"short_backpack", &x.short_backpack}}) {
    out += "<tr>" + td(name) + td(std::to_string(p->samples), true);
    for (const double v : {p->min, p->p50, p->p75, p->p90, p->p99, p->max}) out += td(bps_text(*p, v), true);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  out +=
      "<table class=\"xarb-split\">\n<thead><tr><th>P&amp;L part</th><th class=\"num\">USD</th></tr></thead>\n"
      "<tbody>\n";
  out += "<tr>" + td("spread") + td(x.spread.str(), true) + "</tr>\n";
  out += "<tr>" + td("fees (cost)") + td(x.fees.str(), true) + "</tr>\n";
  out += "<tr>" + td("funding (received)") + td(x.funding.str(), true) + "</tr>\n";
  out += "<tr>" + td("net = spread − fees + funding") + td(x.net.str(), true, "pnl") + "</tr>\n</tbody>\n</table>\n";
  out +=
      "<table class=\"xarb-refused\">\n<thead><tr><th>refused: reason</th><th "
      "class=\"num\">count</th></tr></thead>\n<tbody>\n";
  if (x.refused.empty()) out += "<tr>" + td("none") + td("0", true) + "</tr>\n";
  for (const RefusalCount& r : x.refused) out += "<tr>" + td(r.reason) + td(std::to_string(r.count), true) + "</tr>\n";
  out += "</tbody>\n</table>\n";
  return out;
}

}  // namespace report_internal

}  // namespace bparb::backtest
