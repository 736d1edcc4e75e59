// Report writers: summary.json (parsed back with simdjson), report.html (structure, escaping,
// self-containment, bounded SVG), the sweep table ranking and formats, the report directory writer, and
// the formatting primitives underneath. Expected values are hand-computed in the comments.
#include "bparb/backtest/report.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bparb::backtest {
namespace {

namespace rd = report_detail;

constexpr TimestampUs kReportT0 = 1'795'219'200'000'000;  // 2026-11-21 00:00:00 UTC
constexpr TimestampUs kMin = 60 * kUsPerSecond;

Decimal report_dec(const char* s) {
  return Decimal::from_string(s);
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

TradeRecord trade(std::uint64_t id, const char* pair, const char* dir, TimestampUs open, TimestampUs close,
                  double entry, double exit, const char* spread, const char* fees, const char* funding, const char* net,
                  const char* reason) {
  TradeRecord t;
  t.id = id;
  t.pair = pair;
  t.direction = dir;
  t.opened_us = open;
  t.closed_us = close;
  t.entry_basis_bps = entry;
  t.exit_basis_bps = exit;
  t.quantity = report_dec("1.5");
  t.spread_pnl = report_dec(spread);
  t.fees = report_dec(fees);
  t.funding = report_dec(funding);
  t.net_pnl = report_dec(net);
  t.exit_reason = reason;
  return t;
}

EquityPoint eq(TimestampUs t, const char* v) {
  EquityPoint p;
  p.t = t;
  p.equity = report_dec(v);
  return p;
}

// Two pairs (one named to need escaping), two closed SOL trades (a win and a loss) and one open trade.
BacktestResult fixture() {
  BacktestResult r;
  r.config_path = "config/bt.toml";
  r.data_path = "data/rec-2026-11-21";
  r.from_us = kReportT0;
  r.to_us = kReportT0 + 120 * kMin;  // 2 h
  r.sample_interval_us = kUsPerSecond;
  r.events = 12345;
  r.malformed_frames = 2;
  r.resyncs = 1;
  // Spot valid the whole 2 h; the perp from 00:00:30, with one 90 s gap: 7080 s = 0.9833 of the period.
  r.books = {{"SOL_USDC", 5000, 1, 120 * kMin, kReportT0, 0},
             {"SOL_USDC_PERP", 7000, 2, 120 * kMin - 120 * kUsPerSecond, kReportT0 + 30 * kUsPerSecond, 1}};
  r.funding_feeds = {{"SOL_USDC_PERP", 7200, 2, 0, 0}};

  // Peak 5 at 00:10, trough 2.5 at 00:25: max drawdown 2.5; final 9.125.
  r.equity = {eq(kReportT0, "0"), eq(kReportT0 + 10 * kMin, "5"), eq(kReportT0 + 25 * kMin, "2.5"),
              eq(kReportT0 + 40 * kMin, "9.125"), eq(kReportT0 + 120 * kMin, "9.125")};

  PairSeries sol;
  sol.pair = "SOL";
  sol.spot_symbol = "SOL_USDC";
  sol.perp_symbol = "SOL_USDC_PERP";
  sol.basis = {{kReportT0, 1.0, -3.0}, {kReportT0 + 10 * kMin, 12.0, -14.0}, {kReportT0 + 20 * kMin, 2.0, -4.0}};
  sol.perp_premium = {1000, 1.23456, 2.5, 3.75, 10.0, -5.0, 12.125};
  sol.spot_premium = {1000, -0.00001, 1.0, 2.0, 4.0, -20.0, 5.0};  // p50 prints "0.0000", not "-0.0000"
  PairSeries odd;
  odd.pair = "<x&y>";
  odd.spot_symbol = "X_USDC";
  odd.perp_symbol = "X_USDC_PERP";
  odd.basis = {{kReportT0, 0.5, -1.5}, {kReportT0 + 60 * kMin, 7.5, -9.5}};
  odd.perp_premium = {2, 0.5, 7.5, 7.5, 7.5, 0.5, 7.5};
  odd.spot_premium = {};  // no samples: nulls in JSON
  r.pairs = {sol, odd};

  // Trade 1: 00:10 -> 00:25 (900 s), win; trade 2: 00:30 -> 00:40 (600 s), loss; trade 3 open.
  r.trades = {
      trade(1, "SOL", "perp_premium", kReportT0 + 10 * kMin, kReportT0 + 25 * kMin, 12.0, 1.5, "10", "2", "-0.125",
            "7.875", "convergence"),
      trade(2, "SOL", "spot_premium", kReportT0 + 30 * kMin, kReportT0 + 40 * kMin, 11.0, 2.0, "-0.5", "1", "0", "-1.5",
            "max_holding"),
      trade(3, "<x&y>", "perp_premium", kReportT0 + 60 * kMin, 0, 7.5, 3.0, "3", "0.25", "0", "2.75", "end_of_data")};

  r.opportunities_seen = 14;
  r.opportunities_taken = 3;
  // Deliberately out of order: the writers sort by count desc, then reason.
  r.refusals = {{"confidence", 3}, {"max_open_positions", 5}, {"balance", 3}};

  // Totals are the sums over the three trades (the open one marked): spread 10 − 0.5 + 3 = 12.5,
  // fees 2 + 1 + 0.25 = 3.25, funding −0.125, net 7.875 − 1.5 + 2.75 = 9.125.
  r.spread_capture = report_dec("12.5");
  r.fees = report_dec("3.25");
  r.funding = report_dec("-0.125");
  r.net_pnl = report_dec("9.125");
  r.max_drawdown = report_dec("2.5");
  r.wins = 1;
  r.losses = 1;
  r.mean_holding_seconds = 750;  // (900 + 600) / 2
  r.max_holding_seconds = 900;
  return r;
}

struct Parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

std::string str_at(const simdjson::dom::element& e, const char* pointer) {
  std::string_view v;
  EXPECT_EQ(e.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return std::string(v);
}
double dbl_at(const simdjson::dom::element& e, const char* pointer) {
  double v = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(e.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}
std::uint64_t u64_at(const simdjson::dom::element& e, const char* pointer) {
  std::uint64_t v = 0;
  EXPECT_EQ(e.at_pointer(pointer).get(v), simdjson::SUCCESS) << pointer;
  return v;
}
bool is_null_at(const simdjson::dom::element& e, const char* pointer) {
  simdjson::dom::element v;
  if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS) return false;
  return v.is_null();
}

// ---------------------------------------------------------------------------------------------------
// summary.json

TEST(ReportJson, ParsesBackWithExactTotals) {
  const std::string json = render_summary_json(fixture());
  Parsed p;
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS) << json;
  EXPECT_EQ(str_at(p.root, "/schema"), "bparb.backtest.summary/1");
  EXPECT_EQ(str_at(p.root, "/input/config"), "config/bt.toml");
  EXPECT_EQ(str_at(p.root, "/input/from_utc"), "2026-11-21 00:00:00");
  EXPECT_EQ(str_at(p.root, "/input/to_utc"), "2026-11-21 02:00:00");
  EXPECT_EQ(dbl_at(p.root, "/input/duration_seconds"), 7200.0);
  EXPECT_EQ(u64_at(p.root, "/counters/events"), 12345u);
  EXPECT_EQ(u64_at(p.root, "/counters/malformed_frames"), 2u);
  EXPECT_EQ(u64_at(p.root, "/counters/resyncs"), 1u);
  // Decimals are exact strings.
  EXPECT_EQ(str_at(p.root, "/totals/spread_capture"), "12.5");
  EXPECT_EQ(str_at(p.root, "/totals/fees"), "3.25");
  EXPECT_EQ(str_at(p.root, "/totals/funding"), "-0.125");
  EXPECT_EQ(str_at(p.root, "/totals/net_pnl"), "9.125");
  EXPECT_EQ(str_at(p.root, "/totals/max_drawdown"), "2.5");
  EXPECT_EQ(u64_at(p.root, "/trade_stats/trades"), 3u);
  EXPECT_EQ(u64_at(p.root, "/trade_stats/closed"), 2u);
  EXPECT_EQ(u64_at(p.root, "/trade_stats/open"), 1u);
  EXPECT_EQ(dbl_at(p.root, "/trade_stats/win_rate"), 0.5);  // 1 / (1 + 1)
  EXPECT_EQ(dbl_at(p.root, "/trade_stats/mean_holding_seconds"), 750.0);
  EXPECT_EQ(dbl_at(p.root, "/trade_stats/median_holding_seconds"), 750.0);  // (600 + 900) / 2
  EXPECT_EQ(dbl_at(p.root, "/trade_stats/max_holding_seconds"), 900.0);
  EXPECT_EQ(str_at(p.root, "/equity/final"), "9.125");
  EXPECT_EQ(str_at(p.root, "/equity/min"), "0");
  EXPECT_EQ(str_at(p.root, "/equity/max"), "9.125");
  // Fixed precision on the wire: 4 dp ratios, 3 dp seconds.
  EXPECT_NE(json.find("\"win_rate\": 0.5000,"), std::string::npos);
  EXPECT_NE(json.find("\"max_holding_seconds\": 900.000\n"), std::string::npos);
}

TEST(ReportJson, PercentilesPerPairAndDirection) {
  const std::string json = render_summary_json(fixture());
  Parsed p;
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS);
  EXPECT_EQ(str_at(p.root, "/basis/0/pair"), "SOL");
  EXPECT_EQ(str_at(p.root, "/basis/0/perp_symbol"), "SOL_USDC_PERP");
  EXPECT_EQ(u64_at(p.root, "/basis/0/chart_samples"), 3u);
  EXPECT_EQ(u64_at(p.root, "/basis/0/perp_premium_bps/samples"), 1000u);
  EXPECT_EQ(dbl_at(p.root, "/basis/0/perp_premium_bps/p50"), 1.2346);
  EXPECT_EQ(dbl_at(p.root, "/basis/0/perp_premium_bps/p99"), 10.0);
  EXPECT_EQ(dbl_at(p.root, "/basis/0/perp_premium_bps/max"), 12.125);
  EXPECT_EQ(dbl_at(p.root, "/basis/0/spot_premium_bps/min"), -20.0);
  // Exact text: 4 dp, and a tiny negative does not print as "-0.0000".
  EXPECT_NE(json.find("\"p50\": 1.2346,"), std::string::npos);
  EXPECT_NE(json.find("\"p50\": 0.0000,"), std::string::npos);
  EXPECT_EQ(json.find("-0.0000"), std::string::npos);
  // A direction without samples has null statistics.
  EXPECT_EQ(str_at(p.root, "/basis/1/pair"), "<x&y>");
  EXPECT_EQ(u64_at(p.root, "/basis/1/spot_premium_bps/samples"), 0u);
  EXPECT_TRUE(is_null_at(p.root, "/basis/1/spot_premium_bps/p50"));
  EXPECT_TRUE(is_null_at(p.root, "/basis/1/spot_premium_bps/max"));
}

TEST(ReportJson, OpportunitiesAndSortedRefusals) {
  Parsed p;
  const std::string json = render_summary_json(fixture());
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS);
  EXPECT_EQ(u64_at(p.root, "/opportunities/seen"), 14u);
  EXPECT_EQ(u64_at(p.root, "/opportunities/taken"), 3u);
  EXPECT_EQ(u64_at(p.root, "/opportunities/not_taken"), 11u);
  EXPECT_EQ(dbl_at(p.root, "/opportunities/take_rate"), 0.2143);  // 3 / 14 = 0.21428...
  // count desc, then reason: max_open_positions 5, balance 3, confidence 3.
  EXPECT_EQ(str_at(p.root, "/opportunities/refusals/0/reason"), "max_open_positions");
  EXPECT_EQ(u64_at(p.root, "/opportunities/refusals/0/count"), 5u);
  EXPECT_EQ(str_at(p.root, "/opportunities/refusals/1/reason"), "balance");
  EXPECT_EQ(str_at(p.root, "/opportunities/refusals/2/reason"), "confidence");
  simdjson::dom::array refusals;
  ASSERT_EQ(p.root.at_pointer("/opportunities/refusals").get(refusals), simdjson::SUCCESS);
  EXPECT_EQ(refusals.size(), 3u);
}

TEST(ReportJson, TradesArray) {
  Parsed p;
  const std::string json = render_summary_json(fixture());
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS);
  simdjson::dom::array trades;
  ASSERT_EQ(p.root.at_pointer("/trades").get(trades), simdjson::SUCCESS);
  ASSERT_EQ(trades.size(), 3u);
  EXPECT_EQ(u64_at(p.root, "/trades/0/id"), 1u);
  EXPECT_EQ(str_at(p.root, "/trades/0/direction"), "perp_premium");
  EXPECT_EQ(str_at(p.root, "/trades/0/opened_utc"), "2026-11-21 00:10:00");
  EXPECT_EQ(str_at(p.root, "/trades/0/closed_utc"), "2026-11-21 00:25:00");
  EXPECT_EQ(dbl_at(p.root, "/trades/0/holding_seconds"), 900.0);
  EXPECT_EQ(dbl_at(p.root, "/trades/0/entry_basis_bps"), 12.0);
  EXPECT_EQ(str_at(p.root, "/trades/0/quantity"), "1.5");
  EXPECT_EQ(str_at(p.root, "/trades/0/spread_pnl"), "10");
  EXPECT_EQ(str_at(p.root, "/trades/0/funding"), "-0.125");
  EXPECT_EQ(str_at(p.root, "/trades/0/net_pnl"), "7.875");
  EXPECT_EQ(str_at(p.root, "/trades/0/exit_reason"), "convergence");
  EXPECT_EQ(str_at(p.root, "/trades/1/net_pnl"), "-1.5");
  // The open trade: flagged, no close time or holding time.
  bool open = false;
  ASSERT_EQ(p.root.at_pointer("/trades/2/open").get(open), simdjson::SUCCESS);
  EXPECT_TRUE(open);
  EXPECT_TRUE(is_null_at(p.root, "/trades/2/closed_us"));
  EXPECT_TRUE(is_null_at(p.root, "/trades/2/closed_utc"));
  EXPECT_TRUE(is_null_at(p.root, "/trades/2/holding_seconds"));
  EXPECT_EQ(str_at(p.root, "/trades/2/pair"), "<x&y>");
}

// The whole file for the fixture, so a change of key order, precision or layout is a visible diff.
// The golden was reviewed by hand against the fixture; regenerate only for an intended format change.
TEST(ReportJson, MatchesGoldenFile) {
  const std::string path = std::string(BPARB_TEST_DATA_DIR) + "/report_summary_golden.json";
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f) << "missing " << path;
  std::ostringstream golden;
  golden << f.rdbuf();
  EXPECT_EQ(render_summary_json(fixture()), golden.str());
}

TEST(ReportJson, EmptyResultHasNullsNotDivisionByZero) {
  const std::string json = render_summary_json(BacktestResult{});
  Parsed p;
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS) << json;
  EXPECT_TRUE(is_null_at(p.root, "/trade_stats/win_rate"));
  EXPECT_TRUE(is_null_at(p.root, "/trade_stats/median_holding_seconds"));
  EXPECT_TRUE(is_null_at(p.root, "/opportunities/take_rate"));
  EXPECT_TRUE(is_null_at(p.root, "/equity/final"));
  EXPECT_EQ(str_at(p.root, "/totals/net_pnl"), "0");
  EXPECT_EQ(str_at(p.root, "/input/from_utc"), "1970-01-01 00:00:00");
  EXPECT_EQ(u64_at(p.root, "/equity/points"), 0u);
  simdjson::dom::array a;
  ASSERT_EQ(p.root.at_pointer("/trades").get(a), simdjson::SUCCESS);
  EXPECT_EQ(a.size(), 0u);
  ASSERT_EQ(p.root.at_pointer("/basis").get(a), simdjson::SUCCESS);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(json.find("nan"), std::string::npos);
}

TEST(ReportJson, EscapesStringsAndReplacesInvalidUtf8) {
  BacktestResult r = fixture();
  r.pairs[0].pair = std::string("q\"b\\s\x01\n\xff") + "\xc3\xa9";  // quote, backslash, controls, bad byte, é
  r.trades[0].entry_basis_bps = std::numeric_limits<double>::quiet_NaN();
  const std::string json = render_summary_json(r);
  Parsed p;
  ASSERT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS) << json;
  EXPECT_EQ(str_at(p.root, "/basis/0/pair"), std::string("q\"b\\s\x01\n\xef\xbf\xbd\xc3\xa9"));
  EXPECT_NE(json.find(R"("q\"b\\s\u0001\n)"), std::string::npos);
  EXPECT_TRUE(is_null_at(p.root, "/trades/0/entry_basis_bps"));  // NaN is not JSON
}

// ---------------------------------------------------------------------------------------------------
// report.html

TEST(ReportHtml, OneSvgPerChart) {
  const std::string html = render_report_html(fixture());
  // equity + P&L split + basis over time x 2 pairs + histogram x 2 pairs x 2 directions = 8.
  EXPECT_EQ(count(html, "<svg"), 8u);
  EXPECT_EQ(count(html, "</svg>"), 8u);
  EXPECT_NE(html.find("aria-label=\"equity curve\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"P&amp;L split\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"basis over time SOL\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"SOL perp premium distribution\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"SOL spot premium distribution\""), std::string::npos);
  // Percentile lines labelled on the histograms (all-update percentiles, 2 dp).
  EXPECT_NE(html.find(">p50 1.23</text>"), std::string::npos);
  EXPECT_NE(html.find(">p99 10.00</text>"), std::string::npos);
  EXPECT_NE(html.find(">p75 1.00</text>"), std::string::npos);  // spot premium p75
  EXPECT_EQ(count(html, "class=\"pct\"/>"), 12u);               // 4 lines x 3 histograms with percentiles
  // The waterfall labels carry exact decimals: spread, −fees, funding, net.
  EXPECT_NE(html.find(">12.5</text>"), std::string::npos);
  EXPECT_NE(html.find(">-3.25</text>"), std::string::npos);
  EXPECT_NE(html.find(">-0.125</text>"), std::string::npos);
  EXPECT_NE(html.find(">9.125</text>"), std::string::npos);
}

TEST(ReportHtml, EntryAndExitMarkersFromTrades) {
  const std::string html = render_report_html(fixture());
  // Two closed trades (entry + exit each) and one open trade (entry only).
  EXPECT_EQ(count(html, "<polygon class=\"mk\""), 5u);
  EXPECT_NE(html.find("<title>#1 perp_premium entry 12.00 bps at 2026-11-21 00:10:00</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>#2 spot_premium exit 2.00 bps at 2026-11-21 00:40:00 (max_holding)</title>"),
            std::string::npos);
}

TEST(ReportHtml, TradeRowsKpisAndRefusals) {
  const std::string html = render_report_html(fixture());
  EXPECT_EQ(count(html, "<tr class=\"win\">"), 1u);
  EXPECT_EQ(count(html, "<tr class=\"loss\">"), 1u);
  EXPECT_EQ(count(html, "<tr class=\"open\">"), 1u);
  EXPECT_NE(html.find("<td class=\"num pnl\">7.875</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num pnl\">-1.5</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>end_of_data (marked)</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">15.0 min</td>"), std::string::npos);  // 900 s held
  // KPI cards.
  EXPECT_NE(html.find("<div class=\"k\">win rate</div><div class=\"v\">50.0%</div>"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"k\">net P&amp;L</div><div class=\"v\">9.125</div>"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"v\">3 / 14</div><div class=\"s\">taken / seen (21.4%)</div>"), std::string::npos);
  // Refusals sorted, with shares of the 11 refused: 5/11 = 45.5%.
  const auto a = html.find("<td>max_open_positions</td><td class=\"num\">5</td><td class=\"num\">45.5%</td>");
  const auto b = html.find("<td>balance</td>");
  const auto c = html.find("<td>confidence</td>");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  // Header: data, config, period.
  EXPECT_NE(html.find("<td>data/rec-2026-11-21</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>2026-11-21 00:00:00 – 2026-11-21 02:00:00  (2.0 h)</td>"), std::string::npos);
}

TEST(ReportHtml, EscapesNames) {
  const std::string html = render_report_html(fixture());
  EXPECT_NE(html.find("&lt;x&amp;y&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<x&y>"), std::string::npos);
  EXPECT_NE(html.find("<h3>&lt;x&amp;y&gt;</h3>"), std::string::npos);
}

TEST(ReportHtml, SelfContainedNoNetworkReferences) {
  const std::string html = render_report_html(fixture());
  // The only "http" is each SVG's namespace URI, which is an identifier, not a fetch.
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(count(html, "http"), 8u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>\n"), std::string::npos);
}

TEST(ReportHtml, TimeAxisInUtc) {
  const std::string html = render_report_html(fixture());
  // Equity spans 2 h: 30-minute ticks labelled HH:MM, the date under the first tick.
  EXPECT_NE(html.find(">00:30</text>"), std::string::npos);
  EXPECT_NE(html.find(">01:30</text>"), std::string::npos);
  EXPECT_NE(html.find("class=\"date\">2026-11-21</text>"), std::string::npos);
  EXPECT_NE(html.find(">time (UTC)</text>"), std::string::npos);
}

TEST(ReportHtml, EmptyResultRendersNoDataPanels) {
  const std::string html = render_report_html(BacktestResult{});
  EXPECT_EQ(count(html, "<svg"), 0u);
  EXPECT_GE(count(html, "class=\"nodata\""), 4u);  // equity, P&L, basis, distribution, refusals, trades
  EXPECT_NE(html.find("no data: no trades"), std::string::npos);
  EXPECT_NE(html.find("no data: no equity points"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(html.find("inf<"), std::string::npos);
}

TEST(ReportHtml, PairWithoutSamplesAndFlatSeries) {
  BacktestResult r;
  PairSeries ps;
  ps.pair = "BTC";
  r.pairs = {ps};
  r.equity = {eq(kReportT0, "0")};  // one point, flat: widened axis, a dot
  const std::string html = render_report_html(r);
  EXPECT_EQ(count(html, "<svg"), 1u);  // the equity chart only
  EXPECT_NE(html.find("no data: no basis samples for BTC"), std::string::npos);
  EXPECT_NE(html.find("no data: BTC perp premium: no samples"), std::string::npos);
  EXPECT_NE(html.find("<circle"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
}

TEST(ReportHtml, NonFiniteValuesAreSkipped) {
  BacktestResult r = fixture();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.pairs[0].basis.push_back({kReportT0 + 30 * kMin, nan, std::numeric_limits<double>::infinity()});
  r.trades[0].entry_basis_bps = nan;
  r.pairs[0].perp_premium.p90 = nan;
  const std::string html = render_report_html(r);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(html.find("inf"), std::string::npos);
  EXPECT_EQ(count(html, "<polygon class=\"mk\""), 4u);  // the NaN entry is not drawn
  EXPECT_EQ(count(html, "<svg"), 8u);
}

TEST(ReportHtml, AbsurdMagnitudesStillRender) {
  BacktestResult r = fixture();
  r.pairs[0].basis.push_back({kReportT0 + 30 * kMin, 1e300, -1e300});
  r.pairs[0].perp_premium.p99 = 1e300;
  const std::string html = render_report_html(r);
  EXPECT_EQ(count(html, "<svg"), 8u);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  const std::string json = render_summary_json(r);
  Parsed p;
  EXPECT_EQ(p.parser.parse(json).get(p.root), simdjson::SUCCESS);
}

TEST(ReportHtml, LongSeriesAreDownSampled) {
  BacktestResult r;
  r.from_us = kReportT0;
  r.to_us = kReportT0 + 100'000 * kUsPerSecond;
  PairSeries ps;
  ps.pair = "SOL";
  for (std::int64_t i = 0; i < 100'000; ++i) {
    const double wave = static_cast<double>(i % 97) - 48.0;
    r.equity.push_back(eq(kReportT0 + i * kUsPerSecond, "0"));
    r.equity.back().equity = Decimal::from_int(i % 1000);
    ps.basis.push_back({kReportT0 + i * kUsPerSecond, wave, -wave});
  }
  r.pairs = {ps};
  const std::string html = render_report_html(r);
  std::size_t lines = 0;
  for (std::size_t pos = html.find("<polyline"); pos != std::string::npos; pos = html.find("<polyline", pos + 1)) {
    const std::size_t a = html.find("points=\"", pos) + 8;
    const std::size_t b = html.find('"', a);
    const std::size_t points = count(html.substr(a, b - a), " ") + 1;
    EXPECT_LE(points, 2000u);
    EXPECT_GE(points, 500u);  // still a detailed line
    ++lines;
  }
  EXPECT_EQ(lines, 4u);  // equity, running peak, perp premium, spot premium
  EXPECT_LT(html.size(), 1'000'000u);
}

TEST(ReportHtml, TwoRendersAreByteIdentical) {
  const BacktestResult a = fixture();
  const BacktestResult b = fixture();  // a separate object: no pointer values leak into the output
  EXPECT_EQ(render_report_html(a), render_report_html(b));
  EXPECT_EQ(render_summary_json(a), render_summary_json(b));
  EXPECT_EQ(render_report_html(a), render_report_html(a));
}

// ---------------------------------------------------------------------------------------------------
// Sweep table

std::vector<SweepRow> sweep_rows() {
  auto row = [](const char* thr, const char* pos, std::uint64_t trades, std::uint64_t wins, const char* net,
                const char* dd, const char* fees, const char* funding) {
    SweepRow r;
    r.params = {{"strategy.min_execution_threshold", thr}, {"risk.max_open_positions", pos}};
    r.trades = trades;
    r.wins = wins;
    r.net_pnl = report_dec(net);
    r.max_drawdown = report_dec(dd);
    r.fees = report_dec(fees);
    r.funding = report_dec(funding);
    return r;
  };
  return {
      row("0.2", "10", 4, 3, "10", "2", "1", "0"),        // A: ties C on net and drawdown; 10 > 9 numerically
      row("0.1", "9", 5, 2, "10", "1", "1.5", "-0.25"),   // B: best net, smallest drawdown
      row("0.2", "9", 2, 1, "10", "2", "0.5", "0"),       // C
      row("0.05", "9", 0, 0, "0", "0", "0", "0"),         // D: no trades, empty win rate
      row("0.3", "9", 3, 0, "-1.5", "3", "0.75", "0.1"),  // E: worst
  };
}

TEST(ReportSweep, RankedByNetThenDrawdownThenParams) {
  const std::vector<SweepRow> rows = sweep_rows();
  EXPECT_EQ(rank_sweep_rows(rows), (std::vector<std::size_t>{1, 2, 0, 3, 4}));  // B C A D E
  EXPECT_EQ(render_sweep_table(rows, SweepFormat::kCsv),
            "rank,strategy.min_execution_threshold,risk.max_open_positions,trades,wins,win_rate_pct,net_pnl,"
            "max_drawdown,fees,funding\n"
            "1,0.1,9,5,2,40.00,10,1,1.5,-0.25\n"
            "2,0.2,9,2,1,50.00,10,2,0.5,0\n"
            "3,0.2,10,4,3,75.00,10,2,1,0\n"
            "4,0.05,9,0,0,,0,0,0,0\n"
            "5,0.3,9,3,0,0.00,-1.5,3,0.75,0.1\n");
}

TEST(ReportSweep, FullTiesKeepInputOrderAndNumericValuesSortNumerically) {
  SweepRow a, b, c;
  a.params = {{"k", "0.5"}};
  b.params = {{"k", "0.45"}};  // text order would put "0.45" first too; numeric must agree
  c.params = {{"k", "abc"}};   // not a number: text order
  std::vector<SweepRow> rows{a, c, b};
  EXPECT_EQ(rank_sweep_rows(rows), (std::vector<std::size_t>{2, 0, 1}));
  SweepRow x, y;
  x.params = {{"k", "10"}};
  y.params = {{"k", "9"}};
  EXPECT_EQ(rank_sweep_rows({x, y}), (std::vector<std::size_t>{1, 0}));  // 9 < 10, not "10" < "9"
  EXPECT_EQ(rank_sweep_rows({x, x}), (std::vector<std::size_t>{0, 1}));  // identical rows: stable
  EXPECT_TRUE(rank_sweep_rows({}).empty());
  EXPECT_EQ(render_sweep_table({}, SweepFormat::kCsv),
            "rank,trades,wins,win_rate_pct,net_pnl,max_drawdown,fees,funding\n");
}

TEST(ReportSweep, MarkdownAndHtml) {
  const std::string md = render_sweep_table(sweep_rows(), SweepFormat::kMarkdown);
  std::istringstream in(md);
  std::string l1, l2, l3;
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  EXPECT_EQ(l1,
            "| rank | strategy.min_execution_threshold | risk.max_open_positions | trades | wins | win_rate_pct | "
            "net_pnl | max_drawdown | fees | funding |");
  EXPECT_EQ(l2, "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  EXPECT_EQ(l3, "| 1 | 0.1 | 9 | 5 | 2 | 40.00 | 10 | 1 | 1.5 | -0.25 |");
  EXPECT_EQ(count(md, "\n"), 7u);  // header, separator, 5 rows

  std::vector<SweepRow> odd = sweep_rows();
  odd[0].params[0].value = "a|b,\"c\"<d>";
  const std::string csv = render_sweep_table(odd, SweepFormat::kCsv);
  EXPECT_NE(csv.find(",\"a|b,\"\"c\"\"<d>\","), std::string::npos);  // RFC 4180 quoting
  EXPECT_NE(render_sweep_table(odd, SweepFormat::kMarkdown).find("| a\\|b,\"c\"<d> |"), std::string::npos);
  const std::string html = render_sweep_table(odd, SweepFormat::kHtml);
  EXPECT_NE(html.find("<td>a|b,&quot;c&quot;&lt;d&gt;</td>"), std::string::npos);
  EXPECT_EQ(count(html, "<tr>"), 6u);
  EXPECT_EQ(html.rfind("<table class=\"sweep\">", 0), 0u);
  // The same fragment inside the report page.
  const std::string page = render_report_html(fixture(), &odd);
  EXPECT_NE(page.find("<h2>Parameter sweep</h2>"), std::string::npos);
  EXPECT_NE(page.find(html), std::string::npos);
  EXPECT_EQ(render_report_html(fixture()).find("Parameter sweep"), std::string::npos);
  const std::vector<SweepRow> none;
  EXPECT_NE(render_report_html(fixture(), &none).find("no data: no sweep rows"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// Report directory

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path p = std::filesystem::path(::testing::TempDir()) / ("bparb_report_test_" + name);
  std::filesystem::remove_all(p);
  return p;
}

TEST(ReportDir, WritesAllFiles) {
  const std::filesystem::path root = scratch("write");
  const std::filesystem::path dir = root / "nested" / "out";
  const BacktestResult r = fixture();
  const std::vector<SweepRow> rows = sweep_rows();
  write_report_dir(dir.string(), r, &rows);
  EXPECT_EQ(read_all(dir / "summary.json"), render_summary_json(r));
  EXPECT_EQ(read_all(dir / "report.html"), render_report_html(r, &rows));
  EXPECT_EQ(read_all(dir / "sweep.csv"), render_sweep_table(rows, SweepFormat::kCsv));
  EXPECT_EQ(read_all(dir / "sweep.md"), render_sweep_table(rows, SweepFormat::kMarkdown));
  // Again into the same directory, without a sweep: files replaced, no sweep files required.
  const std::filesystem::path dir2 = root / "plain";
  write_report_dir(dir2.string(), BacktestResult{}, nullptr);
  EXPECT_TRUE(std::filesystem::exists(dir2 / "summary.json"));
  EXPECT_TRUE(std::filesystem::exists(dir2 / "report.html"));
  EXPECT_FALSE(std::filesystem::exists(dir2 / "sweep.csv"));
  write_report_dir(dir.string(), BacktestResult{}, nullptr);
  EXPECT_EQ(read_all(dir / "summary.json"), render_summary_json(BacktestResult{}));
  std::filesystem::remove_all(root);
}

void expect_throws_naming(const std::string& dir, const std::string& name) {
  try {
    write_report_dir(dir, fixture(), nullptr);
    ADD_FAILURE() << "no exception for " << dir;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(ReportDir, UnwritablePathsGiveAClearError) {
  const std::filesystem::path root = scratch("blocked");
  std::filesystem::create_directories(root);
  const std::filesystem::path file = root / "a_file";
  std::ofstream(file) << "x";
  // A directory cannot be created under a regular file (fails even as root).
  expect_throws_naming((file / "sub").string(), (file / "sub").string());
  // The path itself is a regular file.
  expect_throws_naming(file.string(), file.string());
  // report.html is taken by a directory: the error names that file.
  const std::filesystem::path dir = root / "taken";
  std::filesystem::create_directories(dir / "report.html");
  expect_throws_naming(dir.string(), (dir / "report.html").string());
  EXPECT_THROW(write_report_dir("", fixture(), nullptr), std::runtime_error);
  std::filesystem::remove_all(root);
}

// ---------------------------------------------------------------------------------------------------
// Primitives

TEST(ReportFormat, FixedNumbers) {
  EXPECT_EQ(rd::format_fixed(1.23456, 4), "1.2346");
  EXPECT_EQ(rd::format_fixed(-0.00001, 4), "0.0000");
  EXPECT_EQ(rd::format_fixed(-0.0, 2), "0.00");
  EXPECT_EQ(rd::format_fixed(-1.5, 1), "-1.5");
  EXPECT_EQ(rd::format_fixed(750, 3), "750.000");
  EXPECT_EQ(rd::format_fixed(1e20, 2), "100000000000000000000.00");
  EXPECT_EQ(rd::format_fixed(std::numeric_limits<double>::quiet_NaN(), 2), "nan");
  EXPECT_EQ(rd::format_fixed(-std::numeric_limits<double>::infinity(), 2), "-inf");
}

TEST(ReportFormat, UtcTimes) {
  EXPECT_EQ(rd::format_utc(0), "1970-01-01 00:00:00");
  EXPECT_EQ(rd::format_utc(-1), "1969-12-31 23:59:59");
  EXPECT_EQ(rd::format_utc(kReportT0), "2026-11-21 00:00:00");
  EXPECT_EQ(rd::format_utc(1'709'210'096'999'999), "2024-02-29 12:34:56");  // leap day, µs dropped
}

TEST(ReportFormat, Escaping) {
  EXPECT_EQ(rd::html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(rd::html_escape("tab\there"), "tab here");
  EXPECT_EQ(rd::html_escape("caf\xc3\xa9 \xe2\x96\xb2"), "caf\xc3\xa9 \xe2\x96\xb2");  // valid UTF-8 kept
  EXPECT_EQ(rd::html_escape("bad\xc3"), "bad\xef\xbf\xbd");                            // truncated sequence
  EXPECT_EQ(rd::html_escape("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(rd::json_escape("a\"b\\c\n\x1f"), "a\\\"b\\\\c\\n\\u001f");
  EXPECT_EQ(rd::json_escape("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
}

TEST(ReportFormat, NiceTicks) {
  rd::Ticks t = rd::nice_ticks(0, 97, 6);
  EXPECT_EQ(t.step, 20);
  EXPECT_EQ(t.values, (std::vector<double>{0, 20, 40, 60, 80, 100}));
  t = rd::nice_ticks(-3.2, 7.9, 6);  // range 11.1 -> 20, step 20/5 = 4 -> 5
  EXPECT_EQ(t.values, (std::vector<double>{-5, 0, 5, 10}));
  t = rd::nice_ticks(0, 0, 5);  // flat at zero: widened to [-1, 1], step 0.5
  EXPECT_EQ(t.values, (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  t = rd::nice_ticks(5, 5, 5);  // flat: widened by 10% -> [4.5, 5.5], step 0.2
  EXPECT_NEAR(t.step, 0.2, 1e-12);
  EXPECT_LT(t.lo, 5);
  EXPECT_GT(t.hi, 5);
  t = rd::nice_ticks(std::numeric_limits<double>::quiet_NaN(), 1, 5);
  EXPECT_EQ(t.lo, 0);
  EXPECT_EQ(t.hi, 1);
  t = rd::nice_ticks(10, -10, 5);  // reversed bounds are swapped
  EXPECT_EQ(t.values.front(), -10);
  EXPECT_EQ(t.values.back(), 10);
}

TEST(ReportFormat, NiceTimeTicks) {
  rd::TimeTicks t = rd::nice_time_ticks(kReportT0, kReportT0 + 2 * kUsPerHour, 7);  // 900 s gives 8 > 7: 30 min
  EXPECT_EQ(t.step, 30 * kMin);
  EXPECT_EQ(t.values, (std::vector<TimestampUs>{kReportT0, kReportT0 + 30 * kMin, kReportT0 + 60 * kMin,
                                                kReportT0 + 90 * kMin, kReportT0 + 120 * kMin}));
  t = rd::nice_time_ticks(kReportT0 + 1, kReportT0 + 2 * kUsPerHour, 7);  // aligned to whole half hours
  EXPECT_EQ(t.values.front(), kReportT0 + 30 * kMin);
  t = rd::nice_time_ticks(kReportT0, kReportT0 + 3 * kUsPerDay, 7);  // 72 h: 12 h step
  EXPECT_EQ(t.step, 12 * kUsPerHour);
  EXPECT_EQ(t.values.size(), 7u);
  t = rd::nice_time_ticks(kReportT0, kReportT0 + 300 * kUsPerMs, 7);  // sub-second: 50 ms
  EXPECT_EQ(t.step, 50 * kUsPerMs);
}

TEST(ReportFormat, DownsampleKeepsExtremesAndEnds) {
  std::vector<rd::XY> pts;
  for (int i = 0; i < 10'000; ++i) pts.push_back({static_cast<double>(i), static_cast<double>(i % 7)});
  pts[5000].y = -100;
  pts[7000].y = 100;
  const std::vector<rd::XY> d = rd::downsample(pts, 200);
  EXPECT_LE(d.size(), 200u);
  EXPECT_GE(d.size(), 150u);
  EXPECT_EQ(d.front().x, 0);
  EXPECT_EQ(d.back().x, 9999);
  bool low = false, high = false;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(d[i - 1].x, d[i].x);  // time order kept
    }
    low = low || d[i].y == -100;
    high = high || d[i].y == 100;
  }
  EXPECT_TRUE(low);
  EXPECT_TRUE(high);
  EXPECT_EQ(rd::downsample(std::vector<rd::XY>(3), 200).size(), 3u);  // short series untouched
  EXPECT_EQ(rd::downsample(pts, 200).size(), d.size());               // deterministic
}

}  // namespace
}  // namespace bparb::backtest
