#include "bparb/service/views.hpp"

#include <fmt/format.h>

#include <utility>

#include "bparb/core/json_escape.hpp"
#include "bparb/service/snapshot.hpp"
#include "json_out.hpp"

namespace bparb::service {
namespace {

constexpr TimestampUs kUsPerDay = 86'400 * kUsPerSecond;

using json_out::boolean;
using json_out::dec;
using json_out::key;
using json_out::num;
using json_out::seconds;
using json_out::str;

std::string_view side_word(Side s) noexcept {
  return s == Side::kBid ? "buy" : "sell";
}
void split(std::string& o, Decimal spread, Decimal fees, Decimal funding) {
  o += '{';
  key(o, "spread");
  dec(o, spread);
  o += ',';
  key(o, "fees");
  dec(o, fees);
  o += ',';
  key(o, "funding");
  dec(o, funding);
  o += ',';
  key(o, "net");
  dec(o, spread - fees + funding);
  o += '}';
}

// Howard Hinnant's days-from-civil and civil-from-days (proleptic Gregorian, UTC).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool all_digits(std::string_view v) noexcept {
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// "" when every parameter of `query` is in `allowed`, else the 400 text.
std::string unknown_parameter(std::string_view query, std::initializer_list<std::string_view> allowed) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const std::string_view name = part.substr(0, part.find('='));
    bool ok = name.empty();
    for (std::string_view a : allowed) ok = ok || name == a;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fmt::format("unknown query parameter '{}'; allowed: {}", name, list.empty() ? "none" : list);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

ViewAnswer bad_request(std::string text) {
  return {400, "text/plain; charset=utf-8", std::move(text) + "\n"};
}

}  // namespace

// ---------------------------------------------------------------- FillRing

void FillRing::push(TimestampUs time_us, std::string_view pair, std::string_view symbol, Side side, Decimal price,
                    Decimal quantity, Decimal fee, std::string_view fee_symbol, bool maker, std::int64_t trade_id,
                    std::uint64_t client_id) noexcept {
  FillView& f = slots_[count_ % kCapacity];
  f.time_us = time_us;
  // Short strings (symbols, assets) stay in the small-string buffer; longer ones reuse the slot's capacity.
  try {
    f.pair.assign(pair);
    f.symbol.assign(symbol);
    f.fee_symbol.assign(fee_symbol);
  } catch (...) {  // out of memory: keep the numbers, lose the names
    f.pair.clear();
    f.symbol.clear();
    f.fee_symbol.clear();
  }
  f.side = side;
  f.price = price;
  f.quantity = quantity;
  f.fee = fee;
  f.maker = maker;
  f.trade_id = trade_id;
  f.client_id = client_id;
  ++count_;
}

void FillRing::copy_to(std::vector<FillView>& out) const {
  const std::uint64_t n = size();
  for (std::uint64_t i = count_ - n; i < count_; ++i) out.push_back(slots_[i % kCapacity]);
}

// ---------------------------------------------------------------- events

std::string_view event_kind(std::string_view t) noexcept {
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"Fill ", "fill"},
      {"Found opportunity", "opportunity"},
      {"Placing ", "orders"},
      {"Opened position", "position_opened"},
      {"Closed position", "position_closed"},
      {"Exit signal", "exit_signal"},
      {"Funding ", "funding"},
      {"Hedging ", "hedge"},
      {"LEG RISK", "leg_risk"},
      {"Risk refused", "refusal"},
      {"Trading state", "trading_state"},
      {"Strategy stats", "stats"},
      {"Journal:", "journal"},
      {"Recovery:", "recovery"},
      {"SIGHUP", "reload"},
      {"Service:", "service"},
  };
  for (const auto& [prefix, kind] : kPrefixes)
    if (t.starts_with(prefix)) return kind;
  return "log";
}

// ---------------------------------------------------------------- periods

std::string_view pnl_period_name(PnlPeriodKind k) noexcept {
  switch (k) {
    case PnlPeriodKind::kDay:
      return "day";
    case PnlPeriodKind::kWeek:
      return "week";
    case PnlPeriodKind::kMonth:
      return "month";
  }
  return "day";
}

TimestampUs pnl_period_start(PnlPeriodKind k, TimestampUs t) noexcept {
  const std::int64_t days = floor_div(t, kUsPerDay);
  switch (k) {
    case PnlPeriodKind::kDay:
      return days * kUsPerDay;
    case PnlPeriodKind::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) mod 7.
      const std::int64_t wd = ((days + 3) % 7 + 7) % 7;
      return (days - wd) * kUsPerDay;
    }
    case PnlPeriodKind::kMonth: {
      std::int64_t y = 0;
      unsigned m = 0, d = 0;
      civil_from_days(days, y, m, d);
      return days_from_civil(y, m, 1) * kUsPerDay;
    }
  }
  return days * kUsPerDay;
}

namespace {
std::string utc_date(TimestampUs t) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(floor_div(t, kUsPerDay), y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}
}  // namespace

// ---------------------------------------------------------------- queries

std::optional<std::string_view> query_value(std::string_view query, std::string_view name) noexcept {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const std::size_t eq = part.find('=');
    if (part.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

ViewQuery parse_since(std::string_view query, std::string_view what) {
  ViewQuery q;
  q.error = unknown_parameter(query, {"since"});
  if (!q.error.empty()) return q;
  const std::optional<std::string_view> v = query_value(query, "since");
  if (!v) return q;
  // At most 18 digits: always inside int64.
  if (!all_digits(*v) || v->size() > 18) {
    q.error = fmt::format("since: '{}' is not allowed; allowed: a whole number 0..999999999999999999 ({})",
                          v->substr(0, 40), what);
    return q;
  }
  std::int64_t n = 0;
  for (char c : *v) n = n * 10 + (c - '0');
  q.since = n;
  return q;
}

ViewQuery parse_period(std::string_view query) {
  ViewQuery q;
  q.error = unknown_parameter(query, {"period"});
  if (!q.error.empty()) return q;
  const std::optional<std::string_view> v = query_value(query, "period");
  if (!v || *v == "day") return q;
  if (*v == "week") {
    q.period = PnlPeriodKind::kWeek;
  } else if (*v == "month") {
    q.period = PnlPeriodKind::kMonth;
  } else {
    q.error = fmt::format("period: '{}' is not allowed; allowed: day, week, month (UTC)", v->substr(0, 40));
  }
  return q;
}

// ---------------------------------------------------------------- renderers

std::string render_positions_json(const Snapshot& s) {
  std::string o;
  o.reserve(1024);
  o += '{';
  key(o, "snapshot_at_us");
  num(o, s.taken_us);
  o += ',';
  key(o, "positions");
  o += '[';
  bool first = true;
  for (const PairView& p : s.pairs) {
    if (!p.open) continue;
    if (!first) o += ',';
    first = false;
    o += '{';
    key(o, "pair");
    str(o, p.name);
    o += ',';
    key(o, "id");
    num(o, static_cast<std::int64_t>(p.position_id));
    o += ',';
    key(o, "phase");
    str(o, p.phase);
    o += ',';
    key(o, "opened_us");
    num(o, p.opened_us);
    o += ',';
    key(o, "entry_basis");
    dec(o, p.entry_basis);
    o += ',';
    key(o, "legs");
    o += '[';
    const LegView* legs[2] = {&p.spot, &p.perp};
    for (int i = 0; i < 2; ++i) {
      const LegView& l = *legs[i];
      if (i) o += ',';
      o += '{';
      key(o, "leg");
      str(o, i == 0 ? "spot" : "perp");
      o += ',';
      key(o, "symbol");
      str(o, l.symbol);
      o += ',';
      key(o, "quantity");
      dec(o, l.quantity);
      o += ',';
      key(o, "average_price");
      dec(o, l.average_price);
      o += ',';
      key(o, "mark");
      if (p.has_basis)
        dec(o, i == 0 ? p.spot_mid : p.perp_mid);
      else
        o += "null";
      o += '}';
    }
    o += "],";
    key(o, "realized");
    split(o, p.realized_pnl, p.fees_usd, p.funding);
    o += '}';
  }
  o += "],";
  // Net exposure per coin: what is left unhedged between the two legs, in the base asset and at the perp mid.
  key(o, "exposure");
  o += '[';
  for (std::size_t i = 0; i < s.pairs.size(); ++i) {
    const PairView& p = s.pairs[i];
    if (i) o += ',';
    const Decimal net = p.spot.quantity + p.perp.quantity;
    o += '{';
    key(o, "coin");
    str(o, p.name);
    o += ',';
    key(o, "spot");
    dec(o, p.spot.quantity);
    o += ',';
    key(o, "perp");
    dec(o, p.perp.quantity);
    o += ',';
    key(o, "net");
    dec(o, net);
    o += ',';
    key(o, "net_usd");
    if (p.has_basis)
      dec(o, net.mul(p.perp_mid, Rounding::kNearest));
    else
      o += "null";
    o += '}';
  }
  o += "],";
  key(o, "realized_run");
  split(o, s.run_pnl.spread, s.run_pnl.fees, s.run_pnl.funding);
  o += "}\n";
  return o;
}

std::string render_orders_json(const Snapshot& s) {
  std::string o;
  o.reserve(512);
  o += '{';
  key(o, "snapshot_at_us");
  num(o, s.taken_us);
  o += ',';
  key(o, "orders");
  o += '[';
  for (std::size_t i = 0; i < s.orders.size(); ++i) {
    const OrderView& v = s.orders[i];
    if (i) o += ',';
    o += '{';
    key(o, "client_id");
    o += std::to_string(v.client_id);
    o += ',';
    key(o, "pair");
    str(o, v.pair);
    o += ',';
    key(o, "symbol");
    str(o, v.symbol);
    o += ',';
    key(o, "side");
    str(o, side_word(v.side));
    o += ',';
    key(o, "price");
    dec(o, v.price);
    o += ',';
    key(o, "quantity");
    dec(o, v.quantity);
    o += ',';
    key(o, "filled");
    dec(o, v.filled);
    o += ',';
    key(o, "purpose");
    str(o, v.purpose);
    o += ',';
    key(o, "state");
    str(o, v.state);
    o += ',';
    key(o, "post_only");
    boolean(o, v.post_only);
    o += ',';
    key(o, "reduce_only");
    boolean(o, v.reduce_only);
    o += ',';
    key(o, "sent_us");
    num(o, v.sent_us);
    o += ',';
    key(o, "age_seconds");
    if (v.sent_us > 0)
      str(o, seconds(s.taken_us - v.sent_us));
    else
      o += "null";
    o += '}';
  }
  o += "]}\n";
  return o;
}

std::string render_fills_json(const Snapshot& s, std::int64_t since_ms) {
  std::string o;
  o.reserve(256 + s.recent_fills.size() * 256);
  o += '{';
  key(o, "snapshot_at_us");
  num(o, s.taken_us);
  o += ',';
  key(o, "since_ms");
  num(o, since_ms);
  o += ',';
  key(o, "fills_total");
  o += std::to_string(s.fills_total);
  o += ',';
  key(o, "fills");
  o += '[';
  bool first = true;
  const TimestampUs since_us = since_ms * kUsPerMs;
  for (const FillView& f : s.recent_fills) {
    if (f.time_us < since_us) continue;
    if (!first) o += ',';
    first = false;
    o += '{';
    key(o, "time_us");
    num(o, f.time_us);
    o += ',';
    key(o, "pair");
    str(o, f.pair);
    o += ',';
    key(o, "symbol");
    str(o, f.symbol);
    o += ',';
    key(o, "side");
    str(o, side_word(f.side));
    o += ',';
    key(o, "price");
    dec(o, f.price);
    o += ',';
    key(o, "quantity");
    dec(o, f.quantity);
    o += ',';
    key(o, "fee");
    dec(o, f.fee);
    o += ',';
    key(o, "fee_symbol");
    str(o, f.fee_symbol);
    o += ',';
    key(o, "liquidity");
    str(o, f.maker ? "maker" : "taker");
    o += ',';
    key(o, "trade_id");
    if (f.trade_id >= 0)
      num(o, f.trade_id);
    else
      o += "null";
    o += ',';
    key(o, "client_id");
    o += std::to_string(f.client_id);
    o += '}';
  }
  o += "]}\n";
  return o;
}

std::string render_events_json(const Snapshot& s, std::uint64_t since_seq) {
  std::string o;
  o.reserve(256 + s.events.size() * 160);
  o += '{';
  key(o, "snapshot_at_us");
  num(o, s.taken_us);
  o += ',';
  key(o, "last_seq");
  o += std::to_string(s.events.empty() ? 0 : s.events.back().seq);
  o += ',';
  key(o, "events");
  o += '[';
  bool first = true;
  for (const EventView& e : s.events) {
    if (e.seq <= since_seq) continue;
    if (!first) o += ',';
    first = false;
    o += '{';
    key(o, "seq");
    o += std::to_string(e.seq);
    o += ',';
    key(o, "time_us");
    num(o, e.time_us);
    o += ',';
    key(o, "level");
    str(o, e.level);
    o += ',';
    key(o, "kind");
    str(o, event_kind(e.text));
    o += ',';
    key(o, "text");
    str(o, e.text);
    o += '}';
  }
  o += "]}\n";
  return o;
}

std::string render_pnl_json(const PnlReport* r, PnlPeriodKind k, TimestampUs now_us) {
  std::string o;
  o.reserve(1024);
  o += '{';
  key(o, "period");
  str(o, pnl_period_name(k));
  o += ',';
  key(o, "computed_at_us");
  num(o, r ? r->computed_us : 0);
  o += ',';
  key(o, "current_period_start_us");
  num(o, pnl_period_start(k, now_us));
  o += ',';
  key(o, "periods");
  o += '[';
  if (r) {
    const std::vector<PnlPeriod>& ps = r->periods(k);
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const PnlPeriod& p = ps[i];
      if (i) o += ',';
      o += '{';
      key(o, "start_us");
      num(o, p.start_us);
      o += ',';
      key(o, "start");
      str(o, utc_date(p.start_us));
      o += ',';
      key(o, "pnl");
      split(o, p.spread, p.fees, p.funding);
      o += ',';
      key(o, "fills");
      num(o, p.fills);
      o += ',';
      key(o, "positions_closed");
      num(o, p.positions_closed);
      o += '}';
    }
  }
  o += "],";
  key(o, "total");
  if (r)
    split(o, r->total_spread, r->total_fees, r->total_funding);
  else
    o += "null";
  o += ',';
  key(o, "positions");
  o += '[';
  if (r) {
    for (std::size_t i = 0; i < r->positions.size(); ++i) {
      const PositionPnl& p = r->positions[i];
      if (i) o += ',';
      o += '{';
      key(o, "pair");
      str(o, p.pair);
      o += ',';
      key(o, "id");
      num(o, static_cast<std::int64_t>(p.id));
      o += ',';
      key(o, "open");
      boolean(o, p.open);
      o += ',';
      key(o, "opened_us");
      num(o, p.opened_us);
      o += ',';
      key(o, "closed_us");
      if (p.open)
        o += "null";
      else
        num(o, p.closed_us);
      o += ',';
      key(o, "pnl");
      split(o, p.spread, p.fees, p.funding);
      o += '}';
    }
  }
  o += "]}\n";
  return o;
}

// ---------------------------------------------------------------- ViewCache

bool ViewCache::is_view_path(std::string_view path) noexcept {
  return path == "/api/v1/positions" || path == "/api/v1/orders" || path == "/api/v1/fills" ||
         path == "/api/v1/events" || path == "/api/v1/pnl" || path == "/api/v1/config";
}

void ViewCache::publish(std::shared_ptr<const Snapshot> s) {
  snap_ = std::move(s);
  positions_ = render_positions_json(*snap_);
  orders_ = render_orders_json(*snap_);
  config_ = snap_->config_json ? *snap_->config_json : std::string();
  // The report changes every few seconds at most (and may hold every position ever): rendered when it does.
  if (snap_->pnl != pnl_source_) {
    pnl_source_ = snap_->pnl;
    for (PnlPeriodKind k : {PnlPeriodKind::kDay, PnlPeriodKind::kWeek, PnlPeriodKind::kMonth})
      pnl_[static_cast<std::size_t>(k)] = pnl_source_ && pnl_source_->error.empty()
                                              ? render_pnl_json(pnl_source_.get(), k, pnl_source_->computed_us)
                                              : std::string();
  }
}

ViewAnswer ViewCache::answer(std::string_view path, std::string_view query) const {
  auto plain = [&](std::string_view q) -> std::string { return unknown_parameter(q, {}); };
  if (!snap_) return {503, "text/plain; charset=utf-8", "starting: no snapshot yet\n"};
  if (path == "/api/v1/positions" || path == "/api/v1/orders" || path == "/api/v1/config") {
    if (std::string e = plain(query); !e.empty()) return bad_request(std::move(e));
    if (path == "/api/v1/positions") return {200, "application/json", positions_};
    if (path == "/api/v1/orders") return {200, "application/json", orders_};
    if (config_.empty()) return {503, "text/plain; charset=utf-8", "config view not available\n"};
    return {200, "application/json", config_};
  }
  if (path == "/api/v1/fills") {
    ViewQuery q = parse_since(query, "milliseconds since the epoch");
    if (!q.error.empty()) return bad_request(std::move(q.error));
    return {200, "application/json", render_fills_json(*snap_, q.since)};
  }
  if (path == "/api/v1/events") {
    ViewQuery q = parse_since(query, "an event sequence number");
    if (!q.error.empty()) return bad_request(std::move(q.error));
    return {200, "application/json", render_events_json(*snap_, static_cast<std::uint64_t>(q.since))};
  }
  // /api/v1/pnl
  ViewQuery q = parse_period(query);
  if (!q.error.empty()) return bad_request(std::move(q.error));
  if (!snap_->pnl) return {503, "text/plain; charset=utf-8", "starting: the journal's P&L is not read yet\n"};
  if (!snap_->pnl->error.empty()) return {503, "text/plain; charset=utf-8", snap_->pnl->error + "\n"};
  return {200, "application/json", pnl_[static_cast<std::size_t>(q.period)]};
}

}  // namespace bparb::service
