#pragma once
// Figures derived from a BacktestResult that both summary.json and report.html show, computed once
// here so the two files never disagree. Private to src/backtest/report*.cpp.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/report.hpp"
#include "bparb/backtest/result.hpp"
#include "bparb/core/json_escape.hpp"

namespace bparb::backtest::report_internal {

struct Derived {
  std::uint64_t closed_trades = 0;
  std::uint64_t open_trades = 0;
  std::optional<double> win_rate;          // wins / (wins + losses); none without closed trades
  std::optional<double> median_holding_s;  // over closed trades
  std::uint64_t not_taken = 0;             // opportunities_seen − opportunities_taken (never negative)
  std::uint64_t refusals_total = 0;        // sum of refusal counts (may differ from not_taken)
  std::optional<double> take_rate;         // taken / seen
  std::vector<RefusalCount> refusals;      // count desc, then reason (re-sorted: never trust input order)
  bool has_equity = false;
  Decimal equity_final, equity_min, equity_max;
};

Derived derive(const BacktestResult& r);

// Holding time of a closed trade in seconds; none while open.
std::optional<double> holding_seconds(const TradeRecord& t);

// Pretty-printed JSON with keys in the order written. Deterministic by construction.
class JsonWriter {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // Returns *this so that a member is one line: j.key("fees").dec(fees).
  JsonWriter& key(std::string_view k) {
    separator();
    out_ += '"';
    json_escape_append(out_, k, Utf8Policy::kReplaceInvalid);
    out_ += "\": ";
    return *this;
  }
  void item() { separator(); }

  void str(std::string_view v) {
    out_ += '"';
    json_escape_append(out_, v, Utf8Policy::kReplaceInvalid);
    out_ += '"';
  }
  void u64(std::uint64_t v) { out_ += std::to_string(v); }
  void i64(std::int64_t v) { out_ += std::to_string(v); }
  void dec(Decimal v) { str(v.str()); }
  void dbl(double v, int decimals) {
    if (std::isfinite(v)) {
      out_ += report_detail::format_fixed(v, decimals);
    } else {
      null();
    }
  }
  void opt(const std::optional<double>& v, int decimals) {
    if (v) {
      dbl(*v, decimals);
    } else {
      null();
    }
  }
  void boolean(bool v) { out_ += v ? "true" : "false"; }
  void null() { out_ += "null"; }

  // After key(): `write` emits the value when `have`, else null.
  template <class Write>
  void nullable(bool have, Write&& write) {
    if (have) {
      write();
    } else {
      null();
    }
  }

  std::string take() {
    out_ += '\n';
    return std::move(out_);
  }

 private:
  void open(char c) {
    out_ += c;
    has_items_.push_back(false);
  }
  void close(char c) {
    const bool any = has_items_.back();
    has_items_.pop_back();
    if (any) newline();
    out_ += c;
  }
  void separator() {
    if (has_items_.empty()) return;
    if (has_items_.back()) out_ += ',';
    has_items_.back() = true;
    newline();
  }
  void newline() {
    out_ += '\n';
    out_.append(2 * has_items_.size(), ' ');
  }

  std::string out_;
  std::vector<bool> has_items_;
};

// summary.json's "market_maker" array (report_mm.cpp); written only for a market-maker run.
void write_mm_json(JsonWriter& j, const std::vector<MmMarketResult>& markets);
// report.html's market-maker section (report_mm.cpp).
std::string mm_html_section(const BacktestResult& r);
// summary.json's "cross_venue" object and report.html's cross-venue section (report_xarb.cpp).
void write_xarb_json(JsonWriter& j, const CrossVenueResult& x);
std::string xarb_html_section(const CrossVenueResult& x);

}  // namespace bparb::backtest::report_internal
