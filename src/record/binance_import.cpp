#include "bparb/record/binance_import.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

#include "bparb/record/gzip.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::record {
namespace {

namespace dom = simdjson::dom;

void append_int(std::string& s, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void append_str(std::string& s, std::string_view v) {
  s += '"';
  s += v;  // symbols and decimals only: nothing to escape
  s += '"';
}

class Converter {
 public:
  Converter(const MarketSpec& spec, bool perp, BinanceMarketStats& stats)
      : spec_(spec),
        perp_(perp),
        stats_(stats),
        price_dp_(spec.tick_size.decimals()),
        qty_dp_(spec.step_size.decimals()) {}

  void convert(TimestampUs t, std::string_view json, std::vector<ImportedLine>& out) {
    dom::element doc;
    if (parser_.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
      ++stats_.malformed;
      return;
    }
    dom::element data;
    std::string_view stream;
    if (doc["stream"].get_string().get(stream) == simdjson::SUCCESS && doc["data"].get(data) == simdjson::SUCCESS) {
      if (stream.find("@depth") != std::string_view::npos) {
        depth(t, data, out);
      } else if (stream.find("@bookTicker") != std::string_view::npos) {
        book_ticker(t, data, out);
      } else if (stream.find("@trade") != std::string_view::npos) {
        trade(t, data, out);
      } else if (stream.find("@markPrice") != std::string_view::npos) {
        mark_price(t, data, out);
      } else {
        ++stats_.unknown;
      }
      return;
    }
    std::int64_t last_id = 0;
    if (doc["lastUpdateId"].get_int64().get(last_id) == simdjson::SUCCESS) {
      snapshot(t, last_id, doc, out);
      return;
    }
    ++stats_.unknown;
  }

 private:
  // Appends `"p"` rendered at the market's decimals; false if not exactly on the grid.
  bool render(std::string& s, std::string_view text, Decimal grid, int dp) {
    Decimal d;
    if (Decimal::parse(text, d) != DecimalParseError::kOk || d.is_negative() || !d.is_multiple_of(grid)) return false;
    char buf[Decimal::kMaxChars + 8];
    const std::size_t n = d.format_fixed(buf, dp);
    s += '"';
    s.append(buf, n);
    s += '"';
    return true;
  }

  // [[p,q],...] -> s; reverse = emit in reverse order. False on malformed JSON (off-grid levels are skipped).
  bool levels(std::string& s, dom::element arr_el, bool reverse) {
    dom::array arr;
    if (arr_el.get_array().get(arr) != simdjson::SUCCESS) return false;
    std::vector<std::pair<std::string_view, std::string_view>>& lv = scratch_;
    lv.clear();
    for (dom::element e : arr) {
      dom::array pq;
      std::string_view p, q;
      if (e.get_array().get(pq) != simdjson::SUCCESS || pq.size() < 2 || pq.at(0).get_string().get(p) ||
          pq.at(1).get_string().get(q)) {
        return false;
      }
      lv.emplace_back(p, q);
    }
    if (reverse) std::reverse(lv.begin(), lv.end());
    s += '[';
    bool first = true;
    for (const auto& [p, q] : lv) {
      std::string item = "[";
      if (!render(item, p, spec_.tick_size, price_dp_)) {
        ++stats_.off_grid;
        continue;
      }
      item += ',';
      if (!render(item, q, spec_.step_size, qty_dp_)) {
        ++stats_.off_grid;
        continue;
      }
      item += ']';
      if (!first) s += ',';
      s += item;
      first = false;
    }
    s += ']';
    return true;
  }

  void depth(TimestampUs t, dom::element d, std::vector<ImportedLine>& out) {
    std::int64_t U = 0, u = 0, E = 0, T = 0, pu = -1;
    if (d["U"].get_int64().get(U) || d["u"].get_int64().get(u) || d["E"].get_int64().get(E) || U > u) {
      ++stats_.malformed;
      return;
    }
    if (d["T"].get_int64().get(T)) T = E;
    if (perp_ && d["pu"].get_int64().get(pu)) {
      ++stats_.malformed;
      return;
    }
    std::int64_t out_U = U;
    if (prev_u_ != 0) {
      const bool continues = perp_ ? pu == prev_u_ : U == prev_u_ + 1;
      if (continues) {
        out_U = prev_u_ + 1;
      } else {
        ++stats_.gaps;
        out_U = std::max(U, prev_u_ + 2);  // must still read as a gap to a Backpack consumer
        std::string ev = R"({"type":"gap","symbol":")" + spec_.symbol + R"(","detail":"binance )";
        ev += perp_ ? "pu " : "U ";
        append_int(ev, perp_ ? pu : U);
        ev += " after u ";
        append_int(ev, prev_u_);
        ev += "\"}";
        out.push_back({t, FrameKind::kEvent, spec_.symbol, std::move(ev)});
      }
    }
    std::string s = R"({"stream":"depth.)" + spec_.symbol + R"(","data":{"e":"depth","E":)";
    append_int(s, E * kUsPerMs);
    s += R"(,"s":)";
    append_str(s, spec_.symbol);
    s += R"(,"a":)";
    dom::element a, b;
    if (d["a"].get(a) || d["b"].get(b) || !levels(s, a, false)) {
      ++stats_.malformed;
      return;
    }
    s += R"(,"b":)";
    if (!levels(s, b, false)) {
      ++stats_.malformed;
      return;
    }
    s += R"(,"U":)";
    append_int(s, out_U);
    s += R"(,"u":)";
    append_int(s, u);
    s += R"(,"T":)";
    append_int(s, T * kUsPerMs);
    s += "}}";
    prev_u_ = u;
    ++stats_.depth;
    out.push_back({t, FrameKind::kWs, spec_.symbol, std::move(s)});
  }

  void snapshot(TimestampUs t, std::int64_t last_id, dom::element d, std::vector<ImportedLine>& out) {
    std::int64_t T = 0;
    const TimestampUs ts = d["T"].get_int64().get(T) == simdjson::SUCCESS ? T * kUsPerMs : t;
    std::string s = R"({"symbol":)";
    append_str(s, spec_.symbol);
    s += R"(,"data":{"asks":)";
    dom::element a, b;
    // Binance: bids descending, asks ascending. Backpack: both ascending (best bid last).
    if (d["asks"].get(a) || d["bids"].get(b) || !levels(s, a, false)) {
      ++stats_.malformed;
      return;
    }
    s += R"(,"bids":)";
    if (!levels(s, b, true)) {
      ++stats_.malformed;
      return;
    }
    s += R"(,"lastUpdateId":")";
    append_int(s, last_id);
    s += R"(","timestamp":)";
    append_int(s, ts);
    s += "}}";
    ++stats_.snapshots;
    out.push_back({t, FrameKind::kRestDepth, spec_.symbol, std::move(s)});
  }

  void book_ticker(TimestampUs t, dom::element d, std::vector<ImportedLine>& out) {
    std::int64_t u = 0, E = 0, T = 0;
    std::string_view a, A, b, B;
    if (d["u"].get_int64().get(u) || d["a"].get_string().get(a) || d["A"].get_string().get(A) ||
        d["b"].get_string().get(b) || d["B"].get_string().get(B)) {
      ++stats_.malformed;
      return;
    }
    const TimestampUs e_us = d["E"].get_int64().get(E) == simdjson::SUCCESS ? E * kUsPerMs : t;
    const TimestampUs t_us = d["T"].get_int64().get(T) == simdjson::SUCCESS ? T * kUsPerMs : e_us;
    std::string s = R"({"stream":"bookTicker.)" + spec_.symbol + R"(","data":{"e":"bookTicker","E":)";
    append_int(s, e_us);
    s += R"(,"s":)";
    append_str(s, spec_.symbol);
    s += R"(,"a":)";
    bool ok = render(s, a, spec_.tick_size, price_dp_);
    s += R"(,"A":)";
    ok = ok && render(s, A, spec_.step_size, qty_dp_);
    s += R"(,"b":)";
    ok = ok && render(s, b, spec_.tick_size, price_dp_);
    s += R"(,"B":)";
    ok = ok && render(s, B, spec_.step_size, qty_dp_);
    if (!ok) {
      ++stats_.off_grid;
      return;
    }
    s += R"(,"u":)";
    append_int(s, u);
    s += R"(,"T":)";
    append_int(s, t_us);
    s += "}}";
    ++stats_.book_tickers;
    out.push_back({t, FrameKind::kWs, spec_.symbol, std::move(s)});
  }

  void trade(TimestampUs t, dom::element d, std::vector<ImportedLine>& out) {
    std::int64_t id = 0, E = 0, T = 0;
    std::string_view p, q;
    bool m = false;
    if (d["t"].get_int64().get(id) || d["E"].get_int64().get(E) || d["p"].get_string().get(p) ||
        d["q"].get_string().get(q) || d["m"].get_bool().get(m)) {
      ++stats_.malformed;
      return;
    }
    if (d["T"].get_int64().get(T)) T = E;
    std::string s = R"({"stream":"trade.)" + spec_.symbol + R"(","data":{"e":"trade","E":)";
    append_int(s, E * kUsPerMs);
    s += R"(,"s":)";
    append_str(s, spec_.symbol);
    s += R"(,"p":)";
    bool ok = render(s, p, spec_.tick_size, price_dp_);
    s += R"(,"q":)";
    ok = ok && render(s, q, spec_.step_size, qty_dp_);
    if (!ok) {
      ++stats_.off_grid;
      return;
    }
    s += R"(,"t":)";
    append_int(s, id);
    s += R"(,"T":)";
    append_int(s, T * kUsPerMs);
    s += m ? R"(,"m":true}})" : R"(,"m":false}})";
    ++stats_.trades;
    out.push_back({t, FrameKind::kWs, spec_.symbol, std::move(s)});
  }

  // Appends `"v"` as the exact decimal given (no grid: marks and indices are averages); false if not a
  // decimal (or negative when `non_negative`).
  static bool exact(std::string& s, std::string_view text, bool non_negative) {
    Decimal d;
    if (Decimal::parse(text, d) != DecimalParseError::kOk || (non_negative && d.is_negative())) return false;
    s += '"';
    s += d.str();
    s += '"';
    return true;
  }

  void mark_price(TimestampUs t, dom::element d, std::vector<ImportedLine>& out) {
    std::int64_t E = 0, next_ms = 0;
    std::string_view p, i, r;
    if (d["E"].get_int64().get(E) || d["p"].get_string().get(p) || d["i"].get_string().get(i) ||
        d["r"].get_string().get(r) || d["T"].get_int64().get(next_ms)) {
      ++stats_.malformed;
      return;
    }
    std::string s = R"({"stream":"markPrice.)" + spec_.symbol + R"(","data":{"e":"markPrice","E":)";
    append_int(s, E * kUsPerMs);
    s += R"(,"s":)";
    append_str(s, spec_.symbol);
    s += R"(,"p":)";
    bool ok = exact(s, p, true);
    s += R"(,"f":)";
    ok = ok && exact(s, r, false);
    s += R"(,"i":)";
    ok = ok && exact(s, i, true);
    if (!ok) {
      ++stats_.malformed;
      return;
    }
    s += R"(,"n":)";
    append_int(s, next_ms);
    s += R"(,"T":)";
    append_int(s, E * kUsPerMs);
    s += "}}";
    ++stats_.mark_prices;
    out.push_back({t, FrameKind::kWs, spec_.symbol, std::move(s)});
  }

  const MarketSpec& spec_;
  bool perp_;
  BinanceMarketStats& stats_;
  int price_dp_;
  int qty_dp_;
  dom::parser parser_;
  std::int64_t prev_u_ = 0;
  std::vector<std::pair<std::string_view, std::string_view>> scratch_;
};

struct RawLine {
  TimestampUs t;
  std::string json;
};

// raw local timestamp in `u` -> µs; false if the result is outside the plausible window (or overflows).
bool to_us(std::int64_t raw, TimestampUnit u, TimestampUs& out) noexcept {
  switch (u) {
    case TimestampUnit::kNanoseconds:
      out = raw / 1000;
      break;
    case TimestampUnit::kMicroseconds:
      out = raw;
      break;
    case TimestampUnit::kMilliseconds:
      if (raw > INT64_MAX / kUsPerMs) return false;
      out = raw * kUsPerMs;
      break;
    case TimestampUnit::kAuto:
      return false;
  }
  return out >= kPlausibleFromUs && out < kPlausibleToUs;
}

// The one unit that dates `raw` plausibly (the window spans less than a factor 1000), else kAuto.
TimestampUnit detect_unit(std::int64_t raw) noexcept {
  TimestampUs t = 0;
  for (TimestampUnit u : {TimestampUnit::kNanoseconds, TimestampUnit::kMicroseconds, TimestampUnit::kMilliseconds}) {
    if (to_us(raw, u, t)) return u;
  }
  return TimestampUnit::kAuto;
}

// "year 1970" / "year 56191": what an implausible timestamp would mean in `u`.
std::string describe_time(std::int64_t raw, TimestampUnit u) {
  const double secs = u == TimestampUnit::kNanoseconds    ? static_cast<double>(raw) / 1e9
                      : u == TimestampUnit::kMicroseconds ? static_cast<double>(raw) / 1e6
                                                          : static_cast<double>(raw) / 1e3;
  const auto year = static_cast<long long>(1970 + secs / 31'556'952.0);  // mean Gregorian year
  return "that is the year " + std::to_string(year);
}

}  // namespace

bool parse_timestamp_unit(std::string_view s, TimestampUnit& out) noexcept {
  if (s == "auto") {
    out = TimestampUnit::kAuto;
  } else if (s == "ns") {
    out = TimestampUnit::kNanoseconds;
  } else if (s == "us") {
    out = TimestampUnit::kMicroseconds;
  } else if (s == "ms") {
    out = TimestampUnit::kMilliseconds;
  } else {
    return false;
  }
  return true;
}

std::string_view timestamp_unit_name(TimestampUnit u) noexcept {
  switch (u) {
    case TimestampUnit::kNanoseconds:
      return "ns";
    case TimestampUnit::kMicroseconds:
      return "us";
    case TimestampUnit::kMilliseconds:
      return "ms";
    case TimestampUnit::kAuto:
      break;
  }
  return "auto";
}

std::string format_utc_us(TimestampUs t) {
  const TimestampUs day = utc_day_start(t);
  const std::time_t secs = static_cast<std::time_t>(t / kUsPerSecond - (t % kUsPerSecond < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  const long long us = static_cast<long long>(((t - day) % kUsPerSecond + kUsPerSecond) % kUsPerSecond);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
  return buf;
}

MarketSpec binance_stand_in_spec(const std::string& symbol, bool perp) {
  MarketSpec s;
  s.symbol = symbol;
  const std::size_t us = symbol.find('_');
  s.base_symbol = symbol.substr(0, us);
  s.quote_symbol = "USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = Decimal::from_string(perp ? "0.1" : "0.01");
  s.step_size = Decimal::from_string(perp ? "0.001" : "0.000001");
  s.min_price = s.tick_size;
  s.min_quantity = s.step_size;
  if (perp) {
    s.funding_interval_ms = 8 * 3'600'000;  // Binance USDⓈ-M BTCUSDT
    s.funding_rate_upper_bound_bps = Decimal::from_int(300);
    s.funding_rate_lower_bound_bps = Decimal::from_int(-300);
  }
  return s;
}

std::vector<ImportedLine> convert_binance_file(const std::string& path, const MarketSpec& spec, bool perp,
                                               BinanceMarketStats& stats, TimestampUnit unit) {
  LineReader reader(path);  // throws if the file cannot be opened; plain text is read as is
  // Read everything first so that lines can be put in receive order (the sample files have a few
  // lines whose local time is below the previous line's).
  std::vector<RawLine> raw;
  TimestampUs prev = 0;
  std::string_view line;
  std::uint64_t line_no = 0;
  std::uint64_t unit_line = 0;  // the line the unit was detected from
  bool have_time = false;
  stats.ts_unit = unit;
  stats.ts_unit_detected = false;
  while (reader.next(line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++stats.lines;
    const std::size_t sp = line.find(' ');
    std::int64_t raw_ts = 0;
    const auto r = std::from_chars(line.data(), line.data() + (sp == std::string_view::npos ? 0 : sp), raw_ts);
    if (sp == std::string_view::npos || r.ec != std::errc() || r.ptr != line.data() + sp || raw_ts < 0) {
      ++stats.malformed;
      continue;
    }
    if (stats.ts_unit == TimestampUnit::kAuto) {
      stats.ts_unit = detect_unit(raw_ts);
      if (stats.ts_unit == TimestampUnit::kAuto) {
        throw std::runtime_error(path + ":" + std::to_string(line_no) + ": local timestamp " + std::to_string(raw_ts) +
                                 " is not a plausible time in ns, us or ms (none dates it between " +
                                 format_utc_us(kPlausibleFromUs) + " and " + format_utc_us(kPlausibleToUs) +
                                 "); refusing to guess");
      }
      stats.ts_unit_detected = true;
      unit_line = line_no;
    }
    TimestampUs t = 0;
    if (!to_us(raw_ts, stats.ts_unit, t)) {
      std::string why = path + ":" + std::to_string(line_no) + ": local timestamp " + std::to_string(raw_ts) + " in " +
                        std::string(timestamp_unit_name(stats.ts_unit));
      why += stats.ts_unit_detected ? " (detected from line " + std::to_string(unit_line) + ")" : " (--ts-unit)";
      why += " is not a plausible time (" + describe_time(raw_ts, stats.ts_unit) + ", outside " +
             format_utc_us(kPlausibleFromUs) + " .. " + format_utc_us(kPlausibleToUs) + ")";
      const TimestampUnit fits = detect_unit(raw_ts);
      if (fits != TimestampUnit::kAuto && fits != stats.ts_unit)
        why += "; it reads plausibly in " + std::string(timestamp_unit_name(fits));
      throw std::runtime_error(why);
    }
    if (!have_time || t < stats.first_us) stats.first_us = t;
    if (!have_time || t > stats.last_us) stats.last_us = t;
    have_time = true;
    if (t < prev) ++stats.out_of_order;
    prev = std::max(prev, t);
    raw.push_back({t, std::string(line.substr(sp + 1))});
  }
  if (!reader.error().empty()) throw std::runtime_error(reader.error());
  std::stable_sort(raw.begin(), raw.end(), [](const RawLine& x, const RawLine& y) { return x.t < y.t; });

  std::vector<ImportedLine> out;
  out.reserve(raw.size());
  Converter conv(spec, perp, stats);
  for (const RawLine& rl : raw) conv.convert(rl.t, rl.json, out);
  return out;
}

std::string depth_sync_problem(const BinanceMarketStats& s) {
  if (s.depth == 0 || s.snapshots > 0) return {};
  std::string m = std::to_string(s.depth) +
                  " depth diffs but no REST depth snapshot: Binance diffs only become a book on top of a snapshot "
                  "whose lastUpdateId falls inside their id range, and the source has none, so the depth cannot be "
                  "synchronised into a book. The recording still carries the exact best bid/ask (bookTicker, ";
  m += std::to_string(s.book_tickers) + " lines) and the trades (" + std::to_string(s.trades) +
       "), but bparb backtest prices and fills against the book: it will report no valid book for this market and "
       "refuse to call the run a result";
  return m;
}

std::vector<ImportedLine> merge_by_time(std::vector<ImportedLine> a, std::vector<ImportedLine> b) {
  std::vector<ImportedLine> out;
  out.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()), std::make_move_iterator(b.begin()),
             std::make_move_iterator(b.end()), std::back_inserter(out),
             [](const ImportedLine& x, const ImportedLine& y) { return x.receive_time_us < y.receive_time_us; });
  return out;
}

std::vector<std::string> write_recording(const std::vector<ImportedLine>& lines, const std::string& out) {
  namespace fs = std::filesystem;
  std::vector<std::string> written;
  const bool single = out.ends_with(".frames") || out.ends_with(".frames.gz");
  if (single) {
    const fs::path parent = fs::path(out).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    RecordingWriter w(out, false);
    for (const auto& l : lines) w.write(l.receive_time_us, l.kind, l.payload);
    w.close();
    written.push_back(out);
    return written;
  }
  std::map<std::string, std::unique_ptr<RecordingWriter>> writers;
  for (const auto& l : lines) {
    const std::string rel = recording_file_name(l.market, l.receive_time_us, true);
    auto it = writers.find(rel);
    if (it == writers.end()) {
      const fs::path p = fs::path(out) / rel;
      fs::create_directories(p.parent_path());
      it = writers.emplace(rel, std::make_unique<RecordingWriter>(p.string(), false)).first;
      written.push_back(p.string());
    }
    it->second->write(l.receive_time_us, l.kind, l.payload);
  }
  for (auto& [_, w] : writers) w->close();
  return written;
}

}  // namespace bparb::record
