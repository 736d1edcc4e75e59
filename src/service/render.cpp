#include "bparb/service/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "bparb/core/json_escape.hpp"
#include "json_out.hpp"
#include "mm_render.hpp"
#include "prom_out.hpp"

namespace bparb::service {
namespace {

using json_out::dec;
using json_out::key;
using json_out::seconds;
using json_out::str;
using prom_out::family;
using prom_out::label;

void split_json(std::string& o, const PnlSplit& p) {
  o += '{';
  key(o, "spread");
  dec(o, p.spread);
  o += ',';
  key(o, "fees");
  dec(o, p.fees);
  o += ',';
  key(o, "funding");
  dec(o, p.funding);
  o += ',';
  key(o, "net");
  dec(o, p.net());
  o += '}';
}

void leg_json(std::string& o, const LegView& l) {
  o += '{';
  key(o, "symbol");
  str(o, l.symbol);
  o += ',';
  key(o, "quantity");
  dec(o, l.quantity);
  o += ',';
  key(o, "average_price");
  dec(o, l.average_price);
  o += '}';
}

// One histogram's samples: cumulative `le` buckets in seconds, +Inf, the sum in seconds and the count.
// `labels` is empty or the series' other labels followed by a comma ("venue=\"backpack\",").
void histogram(std::string& o, std::string_view name, std::string_view labels, const LatencyHistogram& h) {
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    const std::string le =
        i < LatencyHistogram::kBoundsUs.size() ? seconds(LatencyHistogram::kBoundsUs[i]) : std::string("+Inf");
    o += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, labels, le, h.cumulative(i));
  }
  const std::string_view bare = labels.empty() ? labels : labels.substr(0, labels.size() - 1);
  const std::string braces = bare.empty() ? std::string() : fmt::format("{{{}}}", bare);
  o += fmt::format("{}_sum{} {}\n", name, braces, seconds(h.sum_us()));
  o += fmt::format("{}_count{} {}\n", name, braces, h.count());
}

// A histogram for people: how many, and p50/p90/p99 estimated from its buckets (latency_quantile_us),
// in exact decimal seconds; the quantiles are null before the first observation.
void latency_json(std::string& o, const LatencyHistogram& h) {
  o += fmt::format(R"({{"count":{})", h.count());
  for (const auto& [name, permille] :
       {std::pair<std::string_view, std::uint32_t>{"p50_s", 500}, {"p90_s", 900}, {"p99_s", 990}}) {
    o += ',';
    key(o, name);
    if (h.count() > 0)
      str(o, seconds(latency_quantile_us(h, permille)));
    else
      o += "null";
  }
  o += '}';
}

void optional_dec(std::string& o, const std::optional<Decimal>& d) {
  if (d)
    dec(o, *d);
  else
    o += "null";
}

}  // namespace

std::vector<std::string> readiness_reasons(const Snapshot& s) {
  std::vector<std::string> r;
  if (s.shutting_down) r.emplace_back("shutting down");
  if (!s.trading) r.emplace_back("recovery pending: not trading yet");
  for (const VenueHealth& v : s.venues) {
    if (!v.stream_connected) r.push_back(v.name + ": stream down");
    for (const BookView& b : v.books) {
      if (!b.valid) {
        r.push_back(v.name + " " + b.symbol + ": book not synced");
      } else if (s.stale_book_us > 0 && s.taken_us - b.last_update_us > s.stale_book_us) {
        r.push_back(fmt::format("{} {}: book stale ({} s since the last update, limit {} s)", v.name, b.symbol,
                                seconds(s.taken_us - b.last_update_us), seconds(s.stale_book_us)));
      }
    }
  }
  if (s.trading_state != "Active") r.push_back(fmt::format("trading state {} ({})", s.trading_state, s.state_reason));
  return r;
}

std::string render_status_json(const Snapshot& s) {
  std::string o;
  o.reserve(2048);
  o += '{';
  key(o, "version");
  str(o, s.version);
  o += ',';
  key(o, "mode");
  str(o, s.mode);
  o += ',';
  key(o, "config_sha256");
  str(o, s.config_hash);
  o += ',';
  key(o, "strategy");
  str(o, s.strategy);
  o += ',';
  key(o, "uptime_seconds");
  str(o, seconds(s.taken_us - s.started_us));
  o += ',';
  key(o, "snapshot_at_us");
  o += std::to_string(s.taken_us);
  o += ',';
  const std::vector<std::string> reasons = readiness_reasons(s);
  key(o, "ready");
  o += reasons.empty() ? "true" : "false";
  o += ',';
  key(o, "not_ready_reasons");
  o += '[';
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    if (i) o += ',';
    str(o, reasons[i]);
  }
  o += "],";
  key(o, "trading");
  o += s.trading ? "true" : "false";
  o += ',';
  key(o, "trading_state");
  str(o, s.trading_state);
  o += ',';
  key(o, "state_reason");
  str(o, s.state_reason);
  o += ',';
  key(o, "opening_paused");
  o += s.opening_paused ? "true" : "false";
  o += ',';
  key(o, "venues");
  o += '[';
  for (std::size_t i = 0; i < s.venues.size(); ++i) {
    const VenueHealth& v = s.venues[i];
    if (i) o += ',';
    o += '{';
    key(o, "name");
    str(o, v.name);
    o += ',';
    key(o, "stream_connected");
    o += v.stream_connected ? "true" : "false";
    o += ',';
    key(o, "reconnects");
    o += std::to_string(v.reconnects);
    o += ',';
    key(o, "book_resyncs");
    o += std::to_string(v.book_resyncs);
    o += ',';
    key(o, "book_gaps");
    o += std::to_string(v.book_gaps);
    o += ',';
    key(o, "books");
    o += '[';
    for (std::size_t j = 0; j < v.books.size(); ++j) {
      const BookView& b = v.books[j];
      if (j) o += ',';
      o += '{';
      key(o, "symbol");
      str(o, b.symbol);
      o += ',';
      key(o, "valid");
      o += b.valid ? "true" : "false";
      o += ',';
      key(o, "age_seconds");
      if (b.last_update_us > 0)
        str(o, seconds(s.taken_us - b.last_update_us));
      else
        o += "null";
      o += '}';
    }
    o += "],";
    key(o, "last_message_age_seconds");
    if (v.last_message_us > 0)
      str(o, seconds(s.taken_us - v.last_message_us));
    else
      o += "null";
    o += ',';
    key(o, "margin_available");
    optional_dec(o, v.margin_available);
    o += ',';
    key(o, "margin_used");
    optional_dec(o, v.margin_used);
    o += ',';
    key(o, "rest");
    if (v.rest_tracked)
      o += fmt::format(R"({{"backing_off":{},"backoffs":{},"http_429":{}}})", v.rest_backing_off ? "true" : "false",
                       v.rest_backoffs, v.rest_http_429);
    else
      o += "null";
    o += ',';
    key(o, "latency");
    o += '{';
    key(o, "order_ack");
    latency_json(o, v.order_ack);
    o += ',';
    key(o, "tick_to_order");
    latency_json(o, v.tick_to_order);
    o += "}}";
  }
  o += "],";
  key(o, "pairs");
  o += '[';
  for (std::size_t i = 0; i < s.pairs.size(); ++i) {
    const PairView& p = s.pairs[i];
    if (i) o += ',';
    o += '{';
    key(o, "pair");
    str(o, p.name);
    o += ',';
    key(o, "phase");
    str(o, p.phase);
    o += ',';
    key(o, "basis");
    if (p.has_basis)
      dec(o, p.basis);
    else
      o += "null";
    o += ',';
    key(o, "position");
    if (p.open) {
      o += '{';
      key(o, "id");
      o += std::to_string(p.position_id);
      o += ',';
      key(o, "spot");
      leg_json(o, p.spot);
      o += ',';
      key(o, "perp");
      leg_json(o, p.perp);
      o += ',';
      key(o, "pnl");
      split_json(o, {p.realized_pnl, p.fees_usd, p.funding});
      o += '}';
    } else {
      o += "null";
    }
    o += '}';
  }
  o += "],";
  key(o, "open_orders");
  o += std::to_string(s.open_orders);
  o += ',';
  key(o, "orders");
  o += fmt::format(R"({{"sent":{},"rejected":{},"cancelled":{},"fills":{}}})", s.orders_sent, s.orders_rejected,
                   s.orders_cancelled, s.fills);
  o += ',';
  key(o, "pnl_today");
  split_json(o, s.today_pnl);
  o.pop_back();
  o += ',';
  key(o, "since_us");
  o += std::to_string(s.today_since_us);
  o += "},";
  key(o, "pnl_run");
  split_json(o, s.run_pnl);
  o += ',';
  key(o, "equity");
  if (s.equity)
    dec(o, *s.equity);
  else
    o += "null";
  o += ',';
  key(o, "last_refusal");
  if (s.last_refusal) {
    const Refusal& r = *s.last_refusal;
    o += '{';
    key(o, "at_us");
    o += std::to_string(r.at_us);
    o += ',';
    key(o, "pair");
    str(o, r.pair);
    o += ',';
    key(o, "leg");
    str(o, r.leg);
    o += ',';
    key(o, "rule");
    str(o, r.rule);
    o += ',';
    key(o, "limit");
    dec(o, r.limit);
    o += ',';
    key(o, "value");
    dec(o, r.value);
    o += '}';
  } else {
    o += "null";
  }
  o += ',';
  key(o, "alerts");
  o += '[';
  for (std::size_t i = 0; i < s.alerts.size(); ++i) {
    const AlertSinkView& a = s.alerts[i];
    if (i) o += ',';
    o += '{';
    key(o, "name");
    str(o, a.name);
    o += fmt::format(R"(,"sent":{},"failed":{},"dropped":{},"retries":{},"queued":{}}})", a.sent, a.failed, a.dropped,
                     a.retried, a.queued);
  }
  o += "],";
  key(o, "journal_write");
  latency_json(o, s.journal_write);
  o += ',';
  // The newest error among the recent log lines (the events ring, docs/service.md "Read views"): what went
  // wrong last, without grepping the log; null when none of the held lines is an error.
  key(o, "last_error");
  const auto err = std::find_if(s.events.rbegin(), s.events.rend(),
                                [](const EventView& e) { return e.level == "error" || e.level == "critical"; });
  if (err != s.events.rend()) {
    o += fmt::format(R"({{"seq":{},"time_us":{},"level":")", err->seq, err->time_us);
    o += err->level;
    o += "\",";
    key(o, "text");
    str(o, err->text);
    o += '}';
  } else {
    o += "null";
  }
  o += ',';
  key(o, "market_maker");
  mm_status_json(o, s.market_maker);
  o += "}\n";
  return o;
}

std::string render_metrics(const Snapshot& s) {
  std::string o;
  o.reserve(4096);
  family(o, "bparb_build_info", "gauge", "Build and run mode of this daemon (always 1).");
  o += fmt::format("bparb_build_info{{version=\"{}\",mode=\"{}\"}} 1\n", label(s.version), label(s.mode));
  family(o, "bparb_uptime_seconds", "gauge", "Seconds since the daemon started.");
  o += fmt::format("bparb_uptime_seconds {}\n", seconds(s.taken_us - s.started_us));
  family(o, "bparb_ready", "gauge", "1 when /readyz answers 200.");
  o += fmt::format("bparb_ready {}\n", readiness_reasons(s).empty() ? 1 : 0);

  family(o, "bparb_ws_connected", "gauge", "1 while the venue's WebSocket stream is connected.");
  for (const VenueHealth& v : s.venues)
    o += fmt::format("bparb_ws_connected{{venue=\"{}\"}} {}\n", label(v.name), v.stream_connected ? 1 : 0);
  family(o, "bparb_ws_reconnects_total", "counter", "WebSocket reconnections after the first connection.");
  for (const VenueHealth& v : s.venues)
    o += fmt::format("bparb_ws_reconnects_total{{venue=\"{}\"}} {}\n", label(v.name), v.reconnects);
  family(o, "bparb_book_valid", "gauge", "1 while the order book is synced.");
  for (const VenueHealth& v : s.venues)
    for (const BookView& b : v.books)
      o += fmt::format("bparb_book_valid{{venue=\"{}\",symbol=\"{}\"}} {}\n", label(v.name), label(b.symbol),
                       b.valid ? 1 : 0);
  family(o, "bparb_book_age_seconds", "gauge", "Seconds since the order book last changed.");
  for (const VenueHealth& v : s.venues)
    for (const BookView& b : v.books)
      if (b.last_update_us > 0)
        o += fmt::format("bparb_book_age_seconds{{venue=\"{}\",symbol=\"{}\"}} {}\n", label(v.name), label(b.symbol),
                         seconds(s.taken_us - b.last_update_us));
  family(o, "bparb_book_resyncs_total", "counter", "Order book resynchronisations from a snapshot.");
  for (const VenueHealth& v : s.venues)
    o += fmt::format("bparb_book_resyncs_total{{venue=\"{}\"}} {}\n", label(v.name), v.book_resyncs);
  family(o, "bparb_book_gaps_total", "counter", "Sequence gaps found in the depth stream.");
  for (const VenueHealth& v : s.venues)
    o += fmt::format("bparb_book_gaps_total{{venue=\"{}\"}} {}\n", label(v.name), v.book_gaps);

  // The order path's series carry the strategy that sent the orders ([strategy] kind), so instances of several
  // strategies scraped together can be told apart.
  const std::string strategy = label(s.strategy);
  family(o, "bparb_orders_sent_total", "counter", "Orders sent to the venue, by strategy.");
  o += fmt::format("bparb_orders_sent_total{{strategy=\"{}\"}} {}\n", strategy, s.orders_sent);
  // Every RejectClass value is a series (zero included): a closed list a dashboard can rely on.
  family(o, "bparb_orders_rejected_total", "counter", "Orders the venue rejected, by strategy and reason.");
  for (std::size_t i = 0; i < kRejectClassCount; ++i)
    o += fmt::format("bparb_orders_rejected_total{{strategy=\"{}\",reason=\"{}\"}} {}\n", strategy,
                     reject_class_name(static_cast<RejectClass>(i)), s.orders_rejected_by_reason[i]);
  family(o, "bparb_orders_cancelled_total", "counter", "Orders the venue reported cancelled, by strategy.");
  o += fmt::format("bparb_orders_cancelled_total{{strategy=\"{}\"}} {}\n", strategy, s.orders_cancelled);
  family(o, "bparb_fills_total", "counter", "Fills booked, by strategy.");
  o += fmt::format("bparb_fills_total{{strategy=\"{}\"}} {}\n", strategy, s.fills);
  family(o, "bparb_open_orders", "gauge", "Orders live at the venue.");
  o += fmt::format("bparb_open_orders {}\n", s.open_orders);
  family(o, "bparb_risk_refusals_total", "counter", "Entries the risk gate refused, by the rule that refused.");
  for (const RefusalCount& r : s.refusals)
    o += fmt::format("bparb_risk_refusals_total{{reason=\"{}\"}} {}\n", label(r.rule), r.count);

  // Fees can be rebates (negative), so the P&L parts are gauges, not counters.
  family(o, "bparb_pnl_usd", "gauge", "This run's P&L in the quote asset by component (spread, fees, funding, net).");
  o += fmt::format("bparb_pnl_usd{{component=\"spread\"}} {}\n", s.run_pnl.spread.str());
  o += fmt::format("bparb_pnl_usd{{component=\"fees\"}} {}\n", s.run_pnl.fees.str());
  o += fmt::format("bparb_pnl_usd{{component=\"funding\"}} {}\n", s.run_pnl.funding.str());
  o += fmt::format("bparb_pnl_usd{{component=\"net\"}} {}\n", s.run_pnl.net().str());
  family(o, "bparb_fees_usd", "gauge", "Fees paid this run in the quote asset.");
  o += fmt::format("bparb_fees_usd {}\n", s.run_pnl.fees.str());
  family(o, "bparb_position_base", "gauge", "Signed position per leg in the base asset.");
  for (const PairView& p : s.pairs) {
    if (!p.spot.symbol.empty())
      o += fmt::format("bparb_position_base{{symbol=\"{}\"}} {}\n", label(p.spot.symbol), p.spot.quantity.str());
    if (!p.perp.symbol.empty())
      o += fmt::format("bparb_position_base{{symbol=\"{}\"}} {}\n", label(p.perp.symbol), p.perp.quantity.str());
  }
  family(o, "bparb_basis_ratio", "gauge", "(perp mid - spot mid) / spot mid per pair, while both books are valid.");
  for (const PairView& p : s.pairs)
    if (p.has_basis) o += fmt::format("bparb_basis_ratio{{symbol=\"{}\"}} {}\n", label(p.name), p.basis.str());
  family(o, "bparb_trading_state", "gauge", "1 for the risk gate's current trading state.");
  for (std::string_view st : {"Active", "ReduceOnly", "Halted"})
    o += fmt::format("bparb_trading_state{{state=\"{}\"}} {}\n", st, st == s.trading_state ? 1 : 0);
  family(o, "bparb_opening_paused", "gauge", "1 while the engine opens no new position (operator pause, shutdown).");
  o += fmt::format("bparb_opening_paused {}\n", s.opening_paused ? 1 : 0);
  bool any_equity = false;
  for (const VenueHealth& v : s.venues) any_equity |= v.equity.has_value();
  if (any_equity) family(o, "bparb_equity_usd", "gauge", "The venue's net equity at its last account poll.");
  for (const VenueHealth& v : s.venues)
    if (v.equity) o += fmt::format("bparb_equity_usd{{venue=\"{}\"}} {}\n", label(v.name), v.equity->str());
  family(o, "bparb_alerts_total", "counter",
         "Alerts per sink by outcome: sent, failed (given up), dropped (queue full), retried (attempts after the "
         "first).");
  for (const AlertSinkView& a : s.alerts)
    for (const auto& [outcome, n] : {std::pair<std::string_view, std::uint64_t>{"sent", a.sent},
                                     {"failed", a.failed},
                                     {"dropped", a.dropped},
                                     {"retried", a.retried}})
      o += fmt::format("bparb_alerts_total{{sink=\"{}\",outcome=\"{}\"}} {}\n", label(a.name), outcome, n);
  family(o, "bparb_alerts_queued", "gauge", "Alerts waiting to be sent per sink.");
  for (const AlertSinkView& a : s.alerts)
    o += fmt::format("bparb_alerts_queued{{sink=\"{}\"}} {}\n", label(a.name), a.queued);

  family(o, "bparb_ws_last_message_timestamp_seconds", "gauge",
         "Unix time of the last frame the venue's WebSocket stream delivered (absent before the first).");
  for (const VenueHealth& v : s.venues)
    if (v.last_message_us > 0)
      o += fmt::format("bparb_ws_last_message_timestamp_seconds{{venue=\"{}\"}} {}\n", label(v.name),
                       seconds(v.last_message_us));
  family(o, "bparb_fills_by_liquidity_total", "counter", "Fills booked per market, maker or taker.");
  for (const LiquidityFlow& f : s.liquidity)
    o += fmt::format("bparb_fills_by_liquidity_total{{venue=\"{}\",symbol=\"{}\",liquidity=\"{}\"}} {}\n",
                     label(f.venue), label(f.symbol), f.liquidity, f.fills);
  family(o, "bparb_filled_notional_usd_total", "counter",
         "Filled notional (price * quantity) in the quote asset per market, maker or taker.");
  for (const LiquidityFlow& f : s.liquidity)
    o += fmt::format("bparb_filled_notional_usd_total{{venue=\"{}\",symbol=\"{}\",liquidity=\"{}\"}} {}\n",
                     label(f.venue), label(f.symbol), f.liquidity, f.notional.str());
  family(o, "bparb_hedge_imbalance_base", "gauge",
         "Per pair, spot quantity + perp quantity in the base asset: what is left unhedged (0 when hedged).");
  for (const PairView& p : s.pairs)
    o += fmt::format("bparb_hedge_imbalance_base{{symbol=\"{}\"}} {}\n", label(p.name),
                     (p.spot.quantity + p.perp.quantity).str());
  family(o, "bparb_hedge_imbalance_usd", "gauge",
         "The unhedged base quantity valued at the perp mid (absent while the books are not both valid).");
  for (const PairView& p : s.pairs)
    if (p.has_basis)
      o += fmt::format("bparb_hedge_imbalance_usd{{symbol=\"{}\"}} {}\n", label(p.name),
                       (p.spot.quantity + p.perp.quantity).mul(p.perp_mid, Rounding::kNearest).str());
  family(o, "bparb_funding_rate", "gauge", "The perp's current funding rate per interval, as the venue quotes it.");
  for (const FundingRateView& f : s.funding_rates)
    o += fmt::format("bparb_funding_rate{{symbol=\"{}\"}} {}\n", label(f.symbol), f.rate.str());
  family(o, "bparb_margin_available_usd", "gauge", "Margin available at the venue at the last account poll.");
  for (const VenueHealth& v : s.venues)
    if (v.margin_available)
      o += fmt::format("bparb_margin_available_usd{{venue=\"{}\"}} {}\n", label(v.name), v.margin_available->str());
  family(o, "bparb_margin_used_usd", "gauge", "Margin locked by orders and positions at the last account poll.");
  for (const VenueHealth& v : s.venues)
    if (v.margin_used)
      o += fmt::format("bparb_margin_used_usd{{venue=\"{}\"}} {}\n", label(v.name), v.margin_used->str());
  family(o, "bparb_reconciliation_mismatches_total", "counter",
         "Disagreements the reconciliation found between the venue's record and ours, by reason.");
  for (const VenueHealth& v : s.venues)
    o += fmt::format("bparb_reconciliation_mismatches_total{{venue=\"{}\",reason=\"fill_missing_from_stream\"}} {}\n",
                     label(v.name), v.fills_missing_from_stream);
  family(o, "bparb_config_reloads_total", "counter",
         "Config reloads (SIGHUP, POST /api/v1/reload) by result: applied, invalid (kept the running settings), "
         "unreadable.");
  for (const auto& [result, n] : {std::pair<std::string_view, std::uint64_t>{"applied", s.reloads.applied},
                                  {"invalid", s.reloads.invalid},
                                  {"unreadable", s.reloads.unreadable}})
    o += fmt::format("bparb_config_reloads_total{{result=\"{}\"}} {}\n", result, n);
  family(o, "bparb_rest_backoff", "gauge",
         "1 while a 429 from the venue holds its polls and queries (the REST back-off).");
  for (const VenueHealth& v : s.venues)
    if (v.rest_tracked)
      o += fmt::format("bparb_rest_backoff{{venue=\"{}\"}} {}\n", label(v.name), v.rest_backing_off ? 1 : 0);
  family(o, "bparb_rest_backoffs_total", "counter", "REST back-offs entered after a 429 from the venue.");
  for (const VenueHealth& v : s.venues)
    if (v.rest_tracked)
      o += fmt::format("bparb_rest_backoffs_total{{venue=\"{}\"}} {}\n", label(v.name), v.rest_backoffs);
  family(o, "bparb_rest_rate_limited_total", "counter", "REST answers 429 (rate limited) from the venue.");
  for (const VenueHealth& v : s.venues)
    if (v.rest_tracked)
      o += fmt::format("bparb_rest_rate_limited_total{{venue=\"{}\"}} {}\n", label(v.name), v.rest_http_429);
  family(o, "bparb_order_ack_latency_seconds", "histogram",
         "Order handed to the venue's send path -> the venue's answer (accepted or rejected).");
  for (const VenueHealth& v : s.venues)
    histogram(o, "bparb_order_ack_latency_seconds", fmt::format("venue=\"{}\",", label(v.name)), v.order_ack);
  family(o, "bparb_tick_to_order_seconds", "histogram",
         "Book frame received -> the order it decided handed to the socket.");
  for (const VenueHealth& v : s.venues)
    histogram(o, "bparb_tick_to_order_seconds", fmt::format("venue=\"{}\",strategy=\"{}\",", label(v.name), strategy),
              v.tick_to_order);
  family(o, "bparb_journal_write_seconds", "histogram", "One journal write (statements and commit).");
  histogram(o, "bparb_journal_write_seconds", "", s.journal_write);
  mm_metrics(o, s.market_maker);
  return o;
}

}  // namespace bparb::service
