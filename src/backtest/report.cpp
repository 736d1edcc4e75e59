// summary.json, the sweep table and the report directory writer. The HTML page is in report_html.cpp.
#include "bparb/backtest/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bparb/core/json_escape.hpp"
#include "report_internal.hpp"

namespace bparb::backtest {

using report_detail::format_fixed;
using report_detail::format_utc;

namespace report_internal {

std::optional<double> holding_seconds(const TradeRecord& t) {
  if (t.closed_us == 0) return std::nullopt;
  return static_cast<double>(t.closed_us - t.opened_us) / static_cast<double>(kUsPerSecond);
}

Derived derive(const BacktestResult& r) {
  Derived d;
  std::vector<double> holds;
  for (const TradeRecord& t : r.trades) {
    if (auto h = holding_seconds(t)) {
      ++d.closed_trades;
      holds.push_back(*h);
    } else {
      ++d.open_trades;
    }
  }
  const std::uint64_t decided = r.wins + r.losses;
  if (decided > 0) d.win_rate = static_cast<double>(r.wins) / static_cast<double>(decided);
  if (!holds.empty()) {
    std::sort(holds.begin(), holds.end());
    const std::size_t n = holds.size();
    d.median_holding_s = n % 2 == 1 ? holds[n / 2] : (holds[n / 2 - 1] + holds[n / 2]) / 2;
  }
  d.not_taken = r.opportunities_seen > r.opportunities_taken ? r.opportunities_seen - r.opportunities_taken : 0;
  if (r.opportunities_seen > 0) {
    d.take_rate = static_cast<double>(r.opportunities_taken) / static_cast<double>(r.opportunities_seen);
  }
  d.refusals = r.refusals;
  std::stable_sort(d.refusals.begin(), d.refusals.end(), [](const RefusalCount& a, const RefusalCount& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.reason < b.reason;
  });
  for (const RefusalCount& c : d.refusals) d.refusals_total += c.count;
  if (!r.equity.empty()) {
    d.has_equity = true;
    d.equity_final = r.equity.back().equity;
    d.equity_min = d.equity_max = r.equity.front().equity;
    for (const EquityPoint& p : r.equity) {
      d.equity_min = std::min(d.equity_min, p.equity);
      d.equity_max = std::max(d.equity_max, p.equity);
    }
  }
  return d;
}

}  // namespace report_internal

namespace {

using report_internal::JsonWriter;

constexpr int kBpsDecimals = 4;
constexpr int kSecondsDecimals = 3;
constexpr int kRatioDecimals = 4;

void write_percentiles(JsonWriter& j, const BasisPercentiles& p) {
  j.begin_object();
  j.key("samples").u64(p.samples);
  // Without samples the fields are meaningless zeros: say so with null.
  const bool have = p.samples > 0;
  const std::pair<const char*, double> fields[] = {{"min", p.min}, {"p50", p.p50}, {"p75", p.p75},
                                                   {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
  for (const auto& [name, v] : fields) {
    j.key(name).nullable(have, [&] { j.dbl(v, kBpsDecimals); });
  }
  j.end_object();
}

}  // namespace

std::string render_summary_json(const BacktestResult& r) {
  const report_internal::Derived d = report_internal::derive(r);
  JsonWriter j;
  j.begin_object();
  j.key("schema").str("bparb.backtest.summary/1");

  j.key("input").begin_object();
  j.key("config").str(r.config_path);
  j.key("data").str(r.data_path);
  j.key("from_us").i64(r.from_us);
  j.key("to_us").i64(r.to_us);
  j.key("from_utc").str(format_utc(r.from_us));
  j.key("to_utc").str(format_utc(r.to_us));
  j.key("duration_seconds")
      .dbl(static_cast<double>(r.to_us - r.from_us) / static_cast<double>(kUsPerSecond), kSecondsDecimals);
  j.key("sample_interval_us").u64(r.sample_interval_us);
  j.end_object();

  j.key("counters").begin_object();
  j.key("events").u64(r.events);
  j.key("malformed_frames").u64(r.malformed_frames);
  j.key("resyncs").u64(r.resyncs);
  j.end_object();

  j.key("books").begin_array();
  for (const BookValidity& b : r.books) {
    j.item();
    j.begin_object();
    j.key("symbol").str(b.symbol);
    j.key("depth_frames").u64(b.depth_frames);
    j.key("snapshots").u64(b.snapshots);
    j.key("valid_seconds").dbl(static_cast<double>(b.valid_us) / static_cast<double>(kUsPerSecond), kSecondsDecimals);
    const DurationUs period = r.to_us - r.from_us;
    j.key("valid_fraction").nullable(period > 0, [&] {
      j.dbl(static_cast<double>(b.valid_us) / static_cast<double>(period), kRatioDecimals);
    });
    j.key("first_valid_utc").nullable(b.first_valid_us != 0, [&] { j.str(format_utc(b.first_valid_us)); });
    j.key("invalidations").u64(b.invalidations);
    j.end_object();
  }
  j.end_array();

  j.key("funding_feeds").begin_array();
  for (const FundingFeed& f : r.funding_feeds) {
    j.item();
    j.begin_object();
    j.key("symbol").str(f.symbol);
    j.key("recorded_frames").u64(f.recorded_frames);
    j.key("settlements_recorded").u64(f.settlements_recorded);
    j.key("settlements_modelled").u64(f.settlements_modelled);
    j.key("off_grid").u64(f.off_grid);
    j.end_object();
  }
  j.end_array();

  j.key("totals").begin_object();
  j.key("spread_capture").dec(r.spread_capture);
  j.key("fees").dec(r.fees);
  j.key("funding").dec(r.funding);
  j.key("net_pnl").dec(r.net_pnl);
  j.key("max_drawdown").dec(r.max_drawdown);
  j.end_object();

  j.key("trade_stats").begin_object();
  j.key("trades").u64(r.trades.size());
  j.key("closed").u64(d.closed_trades);
  j.key("open").u64(d.open_trades);
  j.key("wins").u64(r.wins);
  j.key("losses").u64(r.losses);
  j.key("win_rate").opt(d.win_rate, kRatioDecimals);
  j.key("mean_holding_seconds").dbl(r.mean_holding_seconds, kSecondsDecimals);
  j.key("median_holding_seconds").opt(d.median_holding_s, kSecondsDecimals);
  j.key("max_holding_seconds").dbl(r.max_holding_seconds, kSecondsDecimals);
  j.end_object();

  j.key("equity").begin_object();
  j.key("points").u64(r.equity.size());
  j.key("final").nullable(d.has_equity, [&] { j.dec(d.equity_final); });
  j.key("min").nullable(d.has_equity, [&] { j.dec(d.equity_min); });
  j.key("max").nullable(d.has_equity, [&] { j.dec(d.equity_max); });
  j.end_object();

  j.key("opportunities").begin_object();
  j.key("seen").u64(r.opportunities_seen);
  j.key("taken").u64(r.opportunities_taken);
  j.key("not_taken").u64(d.not_taken);
  j.key("take_rate").opt(d.take_rate, kRatioDecimals);
  j.key("refusals").begin_array();
  for (const RefusalCount& c : d.refusals) {
    j.item();
    j.begin_object();
    j.key("reason").str(c.reason);
    j.key("count").u64(c.count);
    j.end_object();
  }
  j.end_array();
  j.end_object();

  j.key("basis").begin_array();
  for (const PairSeries& p : r.pairs) {
    j.item();
    j.begin_object();
    j.key("pair").str(p.pair);
    j.key("spot_symbol").str(p.spot_symbol);
    j.key("perp_symbol").str(p.perp_symbol);
    j.key("chart_samples").u64(p.basis.size());
    write_percentiles(j.key("perp_premium_bps"), p.perp_premium);
    write_percentiles(j.key("spot_premium_bps"), p.spot_premium);
    j.end_object();
  }
  j.end_array();

  j.key("trades").begin_array();
  for (const TradeRecord& t : r.trades) {
    const auto hold = report_internal::holding_seconds(t);
    j.item();
    j.begin_object();
    j.key("id").u64(t.id);
    j.key("pair").str(t.pair);
    j.key("direction").str(t.direction);
    j.key("open").boolean(!hold.has_value());
    j.key("opened_us").i64(t.opened_us);
    j.key("opened_utc").str(format_utc(t.opened_us));
    j.key("closed_us").nullable(hold.has_value(), [&] { j.i64(t.closed_us); });
    j.key("closed_utc").nullable(hold.has_value(), [&] { j.str(format_utc(t.closed_us)); });
    j.key("holding_seconds").opt(hold, kSecondsDecimals);
    j.key("entry_basis_bps").dbl(t.entry_basis_bps, kBpsDecimals);
    j.key("exit_basis_bps").dbl(t.exit_basis_bps, kBpsDecimals);
    j.key("quantity").dec(t.quantity);
    j.key("spread_pnl").dec(t.spread_pnl);
    j.key("fees").dec(t.fees);
    j.key("funding").dec(t.funding);
    j.key("net_pnl").dec(t.net_pnl);
    j.key("exit_reason").str(t.exit_reason);
    j.end_object();
  }
  j.end_array();

  // A market-maker run only: a basis run's summary has no such key.
  if (!r.market_maker.empty()) report_internal::write_mm_json(j.key("market_maker"), r.market_maker);
  // A cross-venue run only.
  if (r.cross_venue) report_internal::write_xarb_json(j.key("cross_venue"), *r.cross_venue);

  j.end_object();
  return j.take();
}

// ---------------------------------------------------------------------------------------------------
// Sweep table

namespace {

// Numeric order for values that parse as decimals ("0.1" < "0.15" < "1"), text order otherwise.
int compare_values(const std::string& a, const std::string& b) {
  Decimal da, db;
  if (Decimal::parse(a, da) == DecimalParseError::kOk && Decimal::parse(b, db) == DecimalParseError::kOk) {
    if (da != db) return da < db ? -1 : 1;
  }
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

bool params_less(const std::vector<SweepParam>& a, const std::vector<SweepParam>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i].key != b[i].key) return a[i].key < b[i].key;
    const int c = compare_values(a[i].value, b[i].value);
    if (c != 0) return c < 0;
  }
  return a.size() < b.size();
}

std::vector<std::string> param_keys(const std::vector<SweepRow>& rows) {
  std::vector<std::string> keys;
  for (const SweepRow& r : rows) {
    for (const SweepParam& p : r.params) {
      if (std::find(keys.begin(), keys.end(), p.key) == keys.end()) keys.push_back(p.key);
    }
  }
  return keys;
}

std::string param_value(const SweepRow& r, const std::string& key) {
  for (const SweepParam& p : r.params) {
    if (p.key == key) return p.value;
  }
  return {};
}

std::string win_rate_text(const SweepRow& r) {
  if (r.trades == 0) return "";
  return format_fixed(100.0 * static_cast<double>(r.wins) / static_cast<double>(r.trades), 2);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string md_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::size_t> rank_sweep_rows(const std::vector<SweepRow>& rows) {
  std::vector<std::size_t> idx(rows.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t ia, std::size_t ib) {
    const SweepRow& a = rows[ia];
    const SweepRow& b = rows[ib];
    if (a.net_pnl != b.net_pnl) return a.net_pnl > b.net_pnl;
    if (a.max_drawdown != b.max_drawdown) return a.max_drawdown < b.max_drawdown;
    return params_less(a.params, b.params);
  });
  return idx;
}

std::string render_sweep_table(const std::vector<SweepRow>& rows, SweepFormat format) {
  const std::vector<std::string> keys = param_keys(rows);
  const std::vector<std::size_t> order = rank_sweep_rows(rows);

  std::vector<std::string> header{"rank"};
  header.insert(header.end(), keys.begin(), keys.end());
  for (const char* h : {"trades", "wins", "win_rate_pct", "net_pnl", "max_drawdown", "fees", "funding"}) {
    header.emplace_back(h);
  }
  std::vector<std::vector<std::string>> body;
  body.reserve(order.size());
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const SweepRow& r = rows[order[rank]];
    std::vector<std::string> cells{std::to_string(rank + 1)};
    for (const std::string& k : keys) cells.push_back(param_value(r, k));
    cells.push_back(std::to_string(r.trades));
    cells.push_back(std::to_string(r.wins));
    cells.push_back(win_rate_text(r));
    cells.push_back(r.net_pnl.str());
    cells.push_back(r.max_drawdown.str());
    cells.push_back(r.fees.str());
    cells.push_back(r.funding.str());
    body.push_back(std::move(cells));
  }

  std::string out;
  switch (format) {
    case SweepFormat::kCsv: {
      auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
          if (i > 0) out += ',';
          out += csv_field(cells[i]);
        }
        out += '\n';
      };
      line(header);
      for (const auto& b : body) line(b);
      break;
    }
    case SweepFormat::kMarkdown: {
      auto line = [&](const std::vector<std::string>& cells) {
        out += '|';
        for (const std::string& c : cells) {
          out += ' ';
          out += md_field(c);
          out += " |";
        }
        out += '\n';
      };
      line(header);
      out += '|';
      // Parameters left-aligned, figures right-aligned.
      for (std::size_t i = 0; i < header.size(); ++i) out += (i >= 1 && i <= keys.size()) ? " --- |" : " ---: |";
      out += '\n';
      for (const auto& b : body) line(b);
      break;
    }
    case SweepFormat::kHtml: {
      using report_detail::html_escape;
      out += "<table class=\"sweep\">\n<thead><tr>";
      for (const std::string& h : header) out += "<th>" + html_escape(h) + "</th>";
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& b : body) {
        out += "<tr>";
        for (std::size_t i = 0; i < b.size(); ++i) {
          const bool num = i == 0 || i > keys.size();
          out += num ? "<td class=\"num\">" : "<td>";
          out += html_escape(b[i]);
          out += "</td>";
        }
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Report directory

namespace {

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("report: cannot open '" + path.string() + "' for writing");
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  f.close();
  if (!f) throw std::runtime_error("report: failed writing '" + path.string() + "'");
}

}  // namespace

void write_report_dir(const std::string& dir, const BacktestResult& result, const std::vector<SweepRow>* sweep) {
  if (dir.empty()) throw std::runtime_error("report: empty report directory path");
  const std::filesystem::path root(dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw std::runtime_error("report: cannot create directory '" + dir + "': " + ec.message());
  if (!std::filesystem::is_directory(root, ec)) {
    throw std::runtime_error("report: '" + dir + "' exists and is not a directory");
  }
  write_file(root / "summary.json", render_summary_json(result));
  write_file(root / "report.html", render_report_html(result, sweep));
  if (sweep != nullptr) {
    write_file(root / "sweep.csv", render_sweep_table(*sweep, SweepFormat::kCsv));
    write_file(root / "sweep.md", render_sweep_table(*sweep, SweepFormat::kMarkdown));
  }
}

}  // namespace bparb::backtest
