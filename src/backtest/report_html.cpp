// report.html: one self-contained page (inline CSS, inline SVG drawn here, no scripts, no external
// resources). Charts are plain SVG primitives with coordinates printed to 0.1 px by std::to_chars, so the
// page is byte-identical for the same result.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/report.hpp"
#include "report_internal.hpp"
#include "report_svg.hpp"

// GCC 12 at -O3 reports a false -Wrestrict inside libstdc++ for `"literal" + std::string&&` (GCC bug
// 105651); this file builds markup that way throughout, and it has no raw memory copies of its own.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace bparb::backtest {

using report_detail::downsample;
using report_detail::format_fixed;
using report_detail::format_utc;
using report_detail::html_escape;
using report_detail::nice_ticks;
using report_detail::nice_time_ticks;
using report_detail::XY;

namespace {

using namespace report_svg;  // NOLINT(google-build-using-namespace): the drawing kit of this page

// ---------------------------------------------------------------------------------------------------

std::string equity_chart(const BacktestResult& r) {
  if (r.equity.empty()) return no_data("no equity points");
  std::vector<XY> eq, peak;
  eq.reserve(r.equity.size());
  peak.reserve(r.equity.size());
  Decimal running = r.equity.front().equity;
  for (const EquityPoint& e : r.equity) {
    running = std::max(running, e.equity);
    const double x = static_cast<double>(e.t);
    eq.push_back({x, e.equity.to_double()});
    peak.push_back({x, running.to_double()});
  }
  Plot p;
  p.top = kLegendTop;
  TimestampUs tlo = r.equity.front().t, thi = tlo;
  for (const EquityPoint& e : r.equity) {
    tlo = std::min(tlo, e.t);
    thi = std::max(thi, e.t);
  }
  set_time_range(p, tlo, thi);
  double lo = 0, hi = 0;
  for (const XY& v : eq) {
    lo = std::min(lo, v.y);
    hi = std::max(hi, v.y);
  }
  const report_detail::Ticks yt = nice_ticks(lo, hi, 6);
  p.ylo = yt.lo;
  p.yhi = yt.hi;

  Svg s(p, "equity curve");
  s.frame();
  s.y_axis(yt, "P&L (quote)");
  s.time_axis(tlo, thi);
  const std::vector<XY> eq_ds = downsample(eq, kMaxLinePoints);
  const std::vector<XY> peak_ds = downsample(peak, kMaxLinePoints);
  // Drawdown: the area between the running peak and the curve.
  std::vector<XY> area = eq_ds;
  area.insert(area.end(), peak_ds.rbegin(), peak_ds.rend());
  s.polygon(area, kDrawdownColor, "0.22");
  s.series(peak_ds, "#999999", "stroke-dasharray=\"4 3\"");
  s.series(eq_ds, kEquityColor);
  s.raw("<g class=\"legend\">");
  s.line(p.x0() + 10, kLegendY, p.x0() + 30, kLegendY, "lg-eq");
  s.text(p.x0() + 34, kLegendY + 4, "equity (P&L)", "start");
  s.rect(p.x0() + 130, kLegendY - 6, 20, 12, kDrawdownColor);
  s.text(p.x0() + 154, kLegendY + 4, "drawdown from running peak (max " + r.max_drawdown.str() + ")", "start");
  s.raw("</g>\n");
  return s.finish();
}

std::string basis_chart(const BacktestResult& r, const PairSeries& ps) {
  std::vector<XY> perp, spot;
  perp.reserve(ps.basis.size());
  spot.reserve(ps.basis.size());
  for (const BasisSample& b : ps.basis) {
    const double x = static_cast<double>(b.t);
    if (std::isfinite(b.perp_premium_bps)) perp.push_back({x, b.perp_premium_bps});
    if (std::isfinite(b.spot_premium_bps)) spot.push_back({x, b.spot_premium_bps});
  }
  std::vector<const TradeRecord*> trades;
  for (const TradeRecord& t : r.trades) {
    if (t.pair == ps.pair) trades.push_back(&t);
  }
  if (perp.empty() && spot.empty() && trades.empty()) return no_data("no basis samples for " + ps.pair);

  const std::size_t stride = trades.size() > kMaxMarkers ? (trades.size() + kMaxMarkers - 1) / kMaxMarkers : 1;
  bool have = false;
  TimestampUs tlo = 0, thi = 0;
  double ylo = 0, yhi = 0;
  auto include = [&](TimestampUs t, double y) {
    if (!std::isfinite(y)) return;
    if (!have) {
      tlo = thi = t;
      ylo = yhi = y;
      have = true;
    }
    tlo = std::min(tlo, t);
    thi = std::max(thi, t);
    ylo = std::min(ylo, y);
    yhi = std::max(yhi, y);
  };
  for (const BasisSample& b : ps.basis) {
    include(b.t, b.perp_premium_bps);
    include(b.t, b.spot_premium_bps);
  }
  for (std::size_t i = 0; i < trades.size(); i += stride) {
    include(trades[i]->opened_us, trades[i]->entry_basis_bps);
    if (trades[i]->closed_us != 0) include(trades[i]->closed_us, trades[i]->exit_basis_bps);
  }
  if (!have) return no_data("no finite basis values for " + ps.pair);

  Plot p;
  p.top = kLegendTop;
  set_time_range(p, tlo, thi);
  const report_detail::Ticks yt = nice_ticks(ylo, yhi, 6);
  p.ylo = yt.lo;
  p.yhi = yt.hi;
  Svg s(p, "basis over time " + ps.pair);
  s.frame();
  s.y_axis(yt, "basis (bps)");
  s.time_axis(tlo, thi);
  s.series(downsample(perp, kMaxLinePoints), kPerpColor);
  s.series(downsample(spot, kMaxLinePoints), kSpotColor);
  for (std::size_t i = 0; i < trades.size(); i += stride) {
    const TradeRecord& t = *trades[i];
    const char* color = t.direction == "spot_premium" ? kSpotColor : kPerpColor;
    const std::string who = "#" + std::to_string(t.id) + " " + t.direction + " ";
    if (std::isfinite(t.entry_basis_bps)) {
      s.marker(static_cast<double>(t.opened_us), t.entry_basis_bps, true, color,
               who + "entry " + bps(t.entry_basis_bps) + " bps at " + format_utc(t.opened_us));
    }
    if (t.closed_us != 0 && std::isfinite(t.exit_basis_bps)) {
      s.marker(
          static_cast<double>(t.closed_us), t.exit_basis_bps, false, color,
          who + "exit " + bps(t.exit_basis_bps) + " bps at " + format_utc(t.closed_us) + " (" + t.exit_reason + ")");
    }
  }
  s.raw("<g class=\"legend\">");
  s.line(p.x0() + 10, kLegendY, p.x0() + 30, kLegendY, "lg-perp");
  s.text(p.x0() + 34, kLegendY + 4, "perp premium", "start");
  s.line(p.x0() + 130, kLegendY, p.x0() + 150, kLegendY, "lg-spot");
  s.text(p.x0() + 154, kLegendY + 4, "spot premium", "start");
  s.text(p.x0() + 260, kLegendY + 4, "▲ entry  ▼ exit", "start");
  s.raw("</g>\n");
  return s.finish();
}

std::string histogram_chart(const PairSeries& ps, bool perp_side) {
  const BasisPercentiles& pc = perp_side ? ps.perp_premium : ps.spot_premium;
  const char* name = perp_side ? "perp premium" : "spot premium";
  std::vector<double> v;
  v.reserve(ps.basis.size());
  for (const BasisSample& b : ps.basis) {
    const double x = perp_side ? b.perp_premium_bps : b.spot_premium_bps;
    if (std::isfinite(x)) v.push_back(x);
  }
  if (v.empty()) return no_data(ps.pair + " " + name + ": no samples");

  const std::pair<const char*, double> marks[] = {{"p50", pc.p50}, {"p75", pc.p75}, {"p90", pc.p90}, {"p99", pc.p99}};
  double lo = *std::min_element(v.begin(), v.end());
  double hi = *std::max_element(v.begin(), v.end());
  if (pc.samples > 0) {
    for (const auto& m : marks) {
      if (!std::isfinite(m.second)) continue;
      lo = std::min(lo, m.second);
      hi = std::max(hi, m.second);
    }
  }
  const report_detail::Ticks xt = nice_ticks(lo, hi, 8);
  std::vector<std::uint64_t> bins(kHistogramBins, 0);
  const double width = (xt.hi - xt.lo) / kHistogramBins;
  for (double x : v) {
    // Clamped as a double first: an absurd value must not overflow the integer conversion.
    const double b = std::clamp(std::floor((x - xt.lo) / width), 0.0, kHistogramBins - 1.0);
    ++bins[static_cast<std::size_t>(b)];
  }
  const std::uint64_t top = *std::max_element(bins.begin(), bins.end());
  report_detail::Ticks yt = nice_ticks(0, static_cast<double>(top), 5);
  if (yt.step < 1) yt = nice_ticks(0, std::max<double>(static_cast<double>(top), 5), 5);  // counts are whole
  yt.lo = 0;
  while (!yt.values.empty() && yt.values.front() < 0) yt.values.erase(yt.values.begin());

  Plot p;
  p.height = 250;
  p.top = 34;
  p.xlo = xt.lo;
  p.xhi = xt.hi;
  p.ylo = 0;
  p.yhi = yt.hi;
  Svg s(p, ps.pair + " " + name + " distribution");
  s.frame();
  s.y_axis(yt, "samples");
  s.x_value_axis(xt, std::string(name) + " (bps)");
  const char* color = perp_side ? kPerpColor : kSpotColor;
  for (int i = 0; i < kHistogramBins; ++i) {
    const std::uint64_t c = bins[static_cast<std::size_t>(i)];
    if (c == 0) continue;
    const double a = xt.lo + width * i, b = a + width;
    const double xa = p.sx(a), xb = p.sx(b), yc = p.sy(static_cast<double>(c));
    s.rect(xa + 0.5, yc, xb - xa - 1, p.y0() - yc, color,
           "[" + bps(a) + ", " + bps(b) + ") bps: " + std::to_string(c) + " samples");
  }
  if (pc.samples > 0) {
    // Labels on alternating rows so neighbouring percentiles do not overwrite each other.
    int row = 0;
    for (const auto& [label, value] : marks) {
      if (!std::isfinite(value)) continue;
      const double x = p.sx(value);
      s.line(x, p.y1(), x, p.y0(), "pct");
      s.text(x, 12 + 11.0 * (row % 2), std::string(label) + " " + bps(value), "middle", "pct-label");
      ++row;
    }
  }
  return s.finish();
}

std::string pnl_chart(const BacktestResult& r) {
  if (r.trades.empty() && r.spread_capture.is_zero() && r.fees.is_zero() && r.funding.is_zero() &&
      r.net_pnl.is_zero()) {
    return no_data("no P&L");
  }
  struct Bar {
    std::string label;
    Decimal from, to;  // waterfall step: the bar spans [from, to]
    Decimal shown;     // the signed amount the label prints
    const char* color;
  };
  const Decimal after_spread = r.spread_capture;
  const Decimal after_fees = after_spread - r.fees;
  const Decimal after_funding = after_fees + r.funding;
  const Bar bars[] = {
      {"spread capture", Decimal::zero(), after_spread, r.spread_capture,
       r.spread_capture.is_negative() ? kNegativeColor : kPositiveColor},
      {"fees", after_spread, after_fees, -r.fees, r.fees.is_positive() ? kNegativeColor : kPositiveColor},
      {"funding", after_fees, after_funding, r.funding, r.funding.is_negative() ? kNegativeColor : kPositiveColor},
      {"net", Decimal::zero(), r.net_pnl, r.net_pnl, kNetColor},
  };
  double lo = 0, hi = 0;
  for (const Bar& b : bars) {
    lo = std::min({lo, b.from.to_double(), b.to.to_double()});
    hi = std::max({hi, b.from.to_double(), b.to.to_double()});
  }
  const report_detail::Ticks yt = nice_ticks(lo, hi, 6);
  Plot p;
  p.height = 260;
  p.top = 28;
  p.ylo = yt.lo;
  p.yhi = yt.hi;
  p.xlo = 0;
  p.xhi = 4;
  Svg s(p, "P&L split");
  s.frame();
  s.y_axis(yt, "quote");
  for (int i = 0; i < 4; ++i) {
    const Bar& b = bars[i];
    const double xa = p.sx(i + 0.2), xb = p.sx(i + 0.8);
    const double ya = p.sy(b.from.to_double()), yb = p.sy(b.to.to_double());
    const double ytop = std::min(ya, yb), ybot = std::max(ya, yb);
    s.rect(xa, ytop, xb - xa, std::max(ybot - ytop, 1.0), b.color, b.label + ": " + b.shown.str());
    s.text((xa + xb) / 2, ytop - 5, b.shown.str(), "middle", "bar-label");
    s.text((xa + xb) / 2, p.y0() + 18, b.label, "middle");
  }
  return s.finish();
}

// ---------------------------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;color:#222;background:#fff;padding:0 12px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 4px;color:#444}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
th{background:#f5f5f5}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.meta td:first-child{color:#666}
tr.win td.pnl{color:#2ca02c}tr.loss td.pnl{color:#d62728}tr.open td{font-style:italic}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:130px}
.card .k{font-size:12px;color:#666}.card .v{font-size:19px;font-weight:600;font-variant-numeric:tabular-nums}
.card .s{font-size:11px;color:#888}
svg.chart{width:100%;height:auto;display:block;margin:4px 0 12px;font-size:11px}
svg.chart text{fill:#444}svg.chart .axis-title{fill:#666;font-size:12px}svg.chart .date{fill:#888;font-size:10px}
svg.chart .frame{fill:none;stroke:#bbb}svg.chart .grid{stroke:#eee}svg.chart .zero{stroke:#999;stroke-dasharray:3 3}
svg.chart .tick{stroke:#999}svg.chart .pct{stroke:#333;stroke-dasharray:4 3}svg.chart .pct-label{font-size:10px;fill:#222}
svg.chart .mk{stroke:#222;stroke-width:0.8}svg.chart .bar-label{font-size:11px;fill:#222}
svg.chart .lg-eq{stroke:#2c3e50;stroke-width:2}svg.chart .lg-perp{stroke:#1f77b4;stroke-width:2}
svg.chart .lg-spot{stroke:#e6550d;stroke-width:2}
.nodata{border:1px dashed #ccc;color:#888;padding:28px;text-align:center;margin:6px 0 12px;font-size:13px}
.note{font-size:12px;color:#666}
</style>
)";

void percentile_rows(std::string& out, const PairSeries& ps, const BasisPercentiles& p, std::string_view dir) {
  out += "<tr>" + td(ps.pair) + td(std::string(dir)) + td(std::to_string(p.samples), true);
  if (p.samples == 0) {
    for (int i = 0; i < 6; ++i) out += td("–", true);
  } else {
    for (double v : {p.min, p.p50, p.p75, p.p90, p.p99, p.max}) out += td(bps(v), true);
  }
  out += "</tr>\n";
}

// Per market: how long its book was valid within the period; per perp: where its funding came from.
void coverage_tables(std::string& out, const BacktestResult& r) {
  out += "<h2>Book validity</h2>\n";
  if (r.books.empty()) {
    out += no_data("no markets");
  } else {
    const DurationUs period = r.to_us - r.from_us;
    out +=
        "<table class=\"books\">\n<thead><tr><th>market</th><th class=\"num\">depth frames</th>"
        "<th class=\"num\">snapshots</th><th class=\"num\">valid for</th><th class=\"num\">of the period</th>"
        "<th>first valid (UTC)</th><th class=\"num\">invalidated</th></tr></thead>\n<tbody>\n";
    for (const BookValidity& b : r.books) {
      const bool never = b.first_valid_us == 0;
      out += std::string("<tr") + (never ? " class=\"loss\"" : "") + ">";
      out += td(b.symbol) + td(std::to_string(b.depth_frames), true) + td(std::to_string(b.snapshots), true);
      out += td(seconds_text(static_cast<double>(b.valid_us) / kUsPerSecond), true);
      out += td(period > 0 ? pct(static_cast<double>(b.valid_us) / static_cast<double>(period)) : "–", true);
      out += td(never ? "never" : format_utc(b.first_valid_us)) + td(std::to_string(b.invalidations), true);
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    out +=
        "<p class=\"note\">A book is valid while it is synchronised with its depth stream (from a snapshot, "
        "without a sequence gap). Prices, basis and fills exist only while both books of a pair are valid.</p>\n";
  }
  if (r.funding_feeds.empty()) return;
  out +=
      "<table class=\"funding\">\n<thead><tr><th>perp</th><th>funding rates</th>"
      "<th class=\"num\">markPrice frames</th><th class=\"num\">settlements at recorded rate</th>"
      "<th class=\"num\">settlements modelled</th><th class=\"num\">off-grid funding times</th>"
      "</tr></thead>\n<tbody>\n";
  for (const FundingFeed& f : r.funding_feeds) {
    const char* source = f.recorded_frames > f.off_grid ? "recorded" : "modelled from the mids";
    out += "<tr>" + td(f.symbol) + td(source) + td(std::to_string(f.recorded_frames), true);
    out += td(std::to_string(f.settlements_recorded), true) + td(std::to_string(f.settlements_modelled), true);
    out += td(std::to_string(f.off_grid), true) + "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  out +=
      "<p class=\"note\">Funding settles at each perp's interval. With recorded markPrice frames a settlement pays "
      "the last recorded rate for that settlement time; otherwise the rate is the time-weighted premium of "
      "the perp mid over the spot mid.</p>\n";
}

}  // namespace

std::string render_report_html(const BacktestResult& r, const std::vector<SweepRow>* sweep) {
  const report_internal::Derived d = report_internal::derive(r);
  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>bparb backtest " + html_escape(format_utc(r.from_us)) + " – " + html_escape(format_utc(r.to_us)) +
         " UTC</title>\n";
  out += kStyle;
  out += "</head>\n<body>\n<h1>bparb backtest report</h1>\n";

  out += "<table class=\"meta\">\n";
  meta_row(out, "data", r.data_path);
  meta_row(out, "config", r.config_path);
  meta_row(out, "period (UTC)",
           format_utc(r.from_us) + " – " + format_utc(r.to_us) + "  (" +
               seconds_text(static_cast<double>(r.to_us - r.from_us) / kUsPerSecond) + ")");
  std::string pairs_text;
  for (const PairSeries& p : r.pairs) {
    if (!pairs_text.empty()) pairs_text += ", ";
    pairs_text += p.pair + " (" + p.spot_symbol + " / " + p.perp_symbol + ")";
  }
  meta_row(out, "pairs", pairs_text.empty() ? "–" : pairs_text);
  if (!r.market_maker.empty()) {
    std::string mm_text;
    for (const MmMarketResult& m : r.market_maker) mm_text += (mm_text.empty() ? "" : ", ") + m.symbol;
    meta_row(out, "market maker", mm_text);
  }
  meta_row(out, "events replayed", std::to_string(r.events));
  meta_row(out, "malformed frames (skipped)", std::to_string(r.malformed_frames));
  meta_row(out, "book resyncs", std::to_string(r.resyncs));
  meta_row(out, "chart sample interval",
           seconds_text(static_cast<double>(r.sample_interval_us) / static_cast<double>(kUsPerSecond)));
  out += "</table>\n";

  out += "<div class=\"cards\">\n";
  card(out, "net P&L", r.net_pnl.str());
  const bool mm = !r.market_maker.empty();  // the market maker trades no pair: its own figures follow
  card(out, mm ? "fills marked to the mid" : "spread capture", r.spread_capture.str());
  card(out, "fees", r.fees.str(), "cost");
  card(out, "funding", r.funding.str(), "received (+) / paid (−)");
  card(out, "max drawdown", r.max_drawdown.str());
  if (!mm) {
    card(out, "trades", std::to_string(r.trades.size()),
         std::to_string(d.closed_trades) + " closed, " + std::to_string(d.open_trades) + " open");
    card(out, "win rate", d.win_rate ? pct(*d.win_rate) : "–",
         std::to_string(r.wins) + " won, " + std::to_string(r.losses) + " lost");
    card(out, "holding time", d.closed_trades > 0 ? seconds_text(r.mean_holding_seconds) : "–",
         d.closed_trades > 0 ? "mean; median " + seconds_text(d.median_holding_s.value_or(0)) + ", max " +
                                   seconds_text(r.max_holding_seconds)
                             : "no closed trades");
    card(out, "opportunities", std::to_string(r.opportunities_taken) + " / " + std::to_string(r.opportunities_seen),
         "taken / seen" + (d.take_rate ? " (" + pct(*d.take_rate) + ")" : std::string()));
  }
  out += "</div>\n";

  coverage_tables(out, r);
  if (mm) out += report_internal::mm_html_section(r);
  if (r.cross_venue) out += report_internal::xarb_html_section(*r.cross_venue);

  out += "<h2>Equity curve</h2>\n";
  out += equity_chart(r);

  if (!mm) {
    out += "<h2>P&amp;L split</h2>\n";
    out += pnl_chart(r);
  }

  const bool basis = !r.pairs.empty() || !mm;
  if (basis) {
    out += "<h2>Basis over time</h2>\n";
    out +=
        "<p class=\"note\">Executable basis from the engine's books: perp premium = (perp bid − spot ask) / "
        "spot ask, spot premium = (spot bid − perp ask) / perp ask. ▲ entry, ▼ exit, coloured by direction.</p>\n";
    if (r.pairs.empty()) out += no_data("no pairs");
    for (const PairSeries& ps : r.pairs) {
      out += "<h3>" + html_escape(ps.pair) + "</h3>\n";
      out += basis_chart(r, ps);
    }

    out += "<h2>Basis distribution</h2>\n";
    out +=
        "<p class=\"note\">Histograms of the charted samples; percentile lines and the table use every book "
        "update of the run.</p>\n";
    if (r.pairs.empty()) out += no_data("no pairs");
    for (const PairSeries& ps : r.pairs) {
      out += "<h3>" + html_escape(ps.pair) + " — perp premium</h3>\n";
      out += histogram_chart(ps, true);
      out += "<h3>" + html_escape(ps.pair) + " — spot premium</h3>\n";
      out += histogram_chart(ps, false);
    }
    if (!r.pairs.empty()) {
      out +=
          "<table class=\"pct\">\n<thead><tr><th>pair</th><th>direction</th><th class=\"num\">updates</th>"
          "<th class=\"num\">min</th><th class=\"num\">p50</th><th class=\"num\">p75</th><th class=\"num\">p90</th>"
          "<th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead>\n<tbody>\n";
      for (const PairSeries& ps : r.pairs) {
        percentile_rows(out, ps, ps.perp_premium, "perp premium");
        percentile_rows(out, ps, ps.spot_premium, "spot premium");
      }
      out += "</tbody>\n</table>\n<p class=\"note\">bps</p>\n";
    }

    out += "<h2>Opportunities</h2>\n";
    out += "<p>Seen " + std::to_string(r.opportunities_seen) + ", taken " + std::to_string(r.opportunities_taken) +
           ", not taken " + std::to_string(d.not_taken) + ".</p>\n";
    if (d.refusals.empty()) {
      out += no_data("no refusals recorded");
    } else {
      out +=
          "<table class=\"refusals\">\n<thead><tr><th>refused because</th><th class=\"num\">count</th>"
          "<th class=\"num\">share</th></tr></thead>\n<tbody>\n";
      for (const RefusalCount& c : d.refusals) {
        const std::string share =
            d.refusals_total > 0 ? pct(static_cast<double>(c.count) / static_cast<double>(d.refusals_total)) : "–";
        out += "<tr>" + td(c.reason) + td(std::to_string(c.count), true) + td(share, true) + "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    }
  }
  if (basis) {
    out += "<h2>Trades</h2>\n";
    if (r.trades.empty()) {
      out += no_data("no trades");
    } else {
      out +=
          "<table class=\"trades\">\n<thead><tr><th class=\"num\">#</th><th>pair</th><th>direction</th>"
          "<th>opened (UTC)</th><th>closed (UTC)</th><th class=\"num\">held</th><th class=\"num\">entry bps</th>"
          "<th class=\"num\">exit bps</th><th class=\"num\">qty</th><th class=\"num\">spread</th>"
          "<th class=\"num\">fees</th><th class=\"num\">funding</th><th class=\"num\">net</th><th>exit</th>"
          "</tr></thead>\n<tbody>\n";
      for (const TradeRecord& t : r.trades) {
        const auto hold = report_internal::holding_seconds(t);
        const char* cls = !hold ? "open" : t.net_pnl.is_positive() ? "win" : "loss";
        out += std::string("<tr class=\"") + cls + "\">";
        out += td(std::to_string(t.id), true) + td(t.pair) + td(t.direction) + td(format_utc(t.opened_us));
        out += td(hold ? format_utc(t.closed_us) : "open") + td(hold ? seconds_text(*hold) : "–", true);
        out += td(bps(t.entry_basis_bps), true) + td(bps(t.exit_basis_bps), true) + td(t.quantity.str(), true);
        out += td(t.spread_pnl.str(), true) + td(t.fees.str(), true) + td(t.funding.str(), true);
        out += td(t.net_pnl.str(), true, "pnl") + td(hold ? t.exit_reason : t.exit_reason + " (marked)");
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    }
  }
  if (sweep != nullptr) {
    out +=
        "<h2>Parameter sweep</h2>\n<p class=\"note\">Ranked by net P&amp;L (descending), then max drawdown "
        "(ascending).</p>\n";
    out += sweep->empty() ? no_data("no sweep rows") : render_sweep_table(*sweep, SweepFormat::kHtml);
  }
  out +=
      "<p class=\"note\">Generated by bparb from the recorded data above; deterministic for the same data and "
      "config.</p>\n</body>\n</html>\n";
  return out;
}

}  // namespace bparb::backtest
