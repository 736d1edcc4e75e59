#pragma once
// Report writers for one backtest (BacktestResult) and a --sweep grid (SweepRow list).
//
// Every output is a pure function of its input: no "now", no pointer values, no unordered containers,
// numbers through a locale-free formatter, so the same data and config give the same bytes.
// The HTML page is self-contained: inline CSS and inline SVG drawn by this code, no scripts, no fonts, no
// links, so it opens offline and can be archived next to the data it describes.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/result.hpp"

namespace bparb::backtest {

// summary.json: stable key order, Decimals as exact strings ("12.5"), bps with 4 decimals, seconds with
// 3, non-finite doubles as null, strings JSON-escaped (invalid UTF-8 replaced by U+FFFD).
std::string render_summary_json(const BacktestResult& result);

// report.html: header, KPI cards, equity curve with drawdown shading, basis over time per pair with
// entry/exit markers, basis histogram per pair and direction with p50/p75/p90/p99, P&L waterfall,
// percentile / trades / refusal tables; with `sweep`, the ranked sweep table too. Empty inputs render
// "no data" panels.
std::string render_report_html(const BacktestResult& result, const std::vector<SweepRow>* sweep = nullptr);

// The command's line for one market-maker perp (the daemon's "MM stats" figures): maker volume, fills, fill
// rate, cancel/fill, post-only rejects, the P&L split and the net per 1M USD of maker volume.
std::string mm_summary_line(const MmMarketResult& m);
// The command's cross-venue line: spreads, trades and the P&L split (report_xarb.cpp).
std::string xarb_summary_line(const CrossVenueResult& x);

enum class SweepFormat { kCsv, kMarkdown, kHtml };

// Rows ranked by net P&L descending, then max drawdown ascending, then parameters (keys as text,
// values numerically when both parse as decimals). One column per parameter key (first-seen order).
// kHtml is a <table> fragment, not a page.
std::string render_sweep_table(const std::vector<SweepRow>& rows, SweepFormat format);

// The ranking used by render_sweep_table: indices into `rows`, best first.
std::vector<std::size_t> rank_sweep_rows(const std::vector<SweepRow>& rows);

// Creates `dir` (and parents) and writes summary.json and report.html; with `sweep`, also sweep.csv and
// sweep.md (and the table in report.html). Throws std::runtime_error naming the directory or file on any failure.
// Start-up/tool code.
void write_report_dir(const std::string& dir, const BacktestResult& result, const std::vector<SweepRow>* sweep);

// Exposed for tests and other report code. Deterministic, locale-free.
namespace report_detail {
// Fixed `decimals` places; "-0.000" normalised to "0.000"; non-finite -> "nan"/"inf"/"-inf".
std::string format_fixed(double v, int decimals);
// "2026-11-21 13:09:09" (UTC, seconds), microseconds dropped.
std::string format_utc(TimestampUs t);
std::string json_escape(std::string_view s);  // without the surrounding quotes
std::string html_escape(std::string_view s);
// Axis ticks covering [lo, hi] at a 1/2/5 x 10^k step, about `target` of them.
struct Ticks {
  double lo = 0, hi = 0, step = 1;
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int target);
// Time-axis ticks at a "round" UTC step (1 s ... 30 days), about `target` of them, within [lo, hi].
struct TimeTicks {
  DurationUs step = 0;
  std::vector<TimestampUs> values;
};
TimeTicks nice_time_ticks(TimestampUs lo, TimestampUs hi, int target);
// Deterministic min/max down-sampling: keeps first and last point and, per index bucket, its minimum and
// maximum (in time order), so peaks and drawdowns survive. Result size <= max_points (>= 4).
struct XY {
  double x = 0, y = 0;
};
std::vector<XY> downsample(const std::vector<XY>& points, std::size_t max_points);
}  // namespace report_detail

}  // namespace bparb::backtest
