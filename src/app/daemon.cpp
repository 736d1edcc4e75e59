#include "bparb/app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bparb/app/daily_csv.hpp"
#include "bparb/app/engine_config.hpp"
#include "bparb/app/fills_window.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/app/service.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/money.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/market_data.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::app {
namespace {

namespace asio = boost::asio;
using backpack::RestError;
using exec::ArbEngine;
using exec::OrderSpec;

std::string pct(Decimal fraction, int places = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%%", places, fraction.to_double() * 100.0);
  return buf;
}
std::string usd(Decimal d) {
  return format_usd(d);
}

// A fills-history row as the engine's order update (the stream builds its own from the event).
exec::OrderUpdate fill_update(const backpack::Fill& f, std::uint32_t client_id) {
  exec::OrderUpdate u;
  u.client_id = client_id;
  u.kind = exec::OrderUpdate::Kind::kFill;
  u.trade_id = f.has_trade_id ? f.trade_id : -1;
  u.fill_quantity = f.quantity;
  u.fill_price = f.price;
  u.fee = f.fee;
  u.fee_symbol = f.fee_symbol;
  u.maker = f.is_maker;
  u.venue_time_us = f.timestamp_ms * kUsPerMs;
  return u;
}

// A P&L and its parts as printed, in cents: the parts add up to the total (docs/money.md), and fees are
// what they add to the P&L (negative when paid).
struct PnlCents {
  std::string total, spread, fees, funding;
};
PnlCents pnl_cents(Decimal realized, Decimal fees_paid, Decimal funding) {
  const Decimal parts[3] = {realized, -fees_paid, funding};
  std::int64_t cents[3];
  const std::int64_t total = split_cents(parts, cents);
  return {format_cents(total), format_cents(cents[0]), format_cents(cents[1]), format_cents(cents[2])};
}

// "pnl=0.81 USD (spread 2.16 fees -1.35 funding 0.00)".
std::string pnl_parts(Decimal realized, Decimal fees_paid, Decimal funding) {
  const PnlCents c = pnl_cents(realized, fees_paid, funding);
  return fmt::format("pnl={} USD (spread {} fees {} funding {})", c.total, c.spread, c.fees, c.funding);
}

// The journal mirrors oms::OrderState one to one (journal.hpp); keep them in step.
static_assert(static_cast<int>(oms::OrderState::kRejected) == static_cast<int>(journal::OrderRecordState::kRejected));
static_assert(static_cast<int>(oms::OrderState::kPendingNew) ==
              static_cast<int>(journal::OrderRecordState::kPendingNew));

journal::OrderRecordState record_state(OrderStatus s) noexcept {
  switch (s) {
    case OrderStatus::kNew:
      return journal::OrderRecordState::kOpen;
    case OrderStatus::kPartiallyFilled:
      return journal::OrderRecordState::kPartiallyFilled;
    case OrderStatus::kFilled:
      return journal::OrderRecordState::kFilled;
    case OrderStatus::kCancelled:
      return journal::OrderRecordState::kCancelled;
    case OrderStatus::kExpired:
      return journal::OrderRecordState::kExpired;
    case OrderStatus::kTriggerPending:
      return journal::OrderRecordState::kOpen;
    case OrderStatus::kTriggerFailed:
      return journal::OrderRecordState::kRejected;
  }
  return journal::OrderRecordState::kUnknown;
}

// Paper mode trades a fresh simulated exchange every run, so an earlier run's journal describes an
// account that no longer exists: it is kept beside as <path>.prev (with its WAL) and a new one started.
void rotate_paper_journal(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string from = path + suffix;
    const std::string to = path + ".prev" + suffix;
    fs::remove(to, ec);
    if (fs::exists(from, ec)) fs::rename(from, to, ec);
  }
}

// SIGHUP: the reloadable keys whose value differs, as "key old -> new".
std::vector<std::string> threshold_changes(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto dec = [&](const char* key, Decimal x, Decimal y) {
    if (x != y) out.push_back(std::string(key) + " " + x.str() + " -> " + y.str());
  };
  auto num = [&](const char* key, std::int64_t x, std::int64_t y) {
    if (x != y) out.push_back(std::string(key) + " " + std::to_string(x) + " -> " + std::to_string(y));
  };
  auto flag = [&](const char* key, bool x, bool y) {
    if (x != y) out.push_back(std::string(key) + " " + (x ? "true" : "false") + " -> " + (y ? "true" : "false"));
  };
  const StrategyConfig &s = a.strategy, &t = b.strategy;
  dec("strategy.min_spread_threshold", s.min_spread_threshold, t.min_spread_threshold);
  dec("strategy.min_execution_threshold", s.min_execution_threshold, t.min_execution_threshold);
  dec("strategy.large_spread_threshold", s.large_spread_threshold, t.large_spread_threshold);
  dec("strategy.position_size_usd", s.position_size_usd, t.position_size_usd);
  dec("strategy.confidence_threshold", s.confidence_threshold, t.confidence_threshold);
  dec("strategy.min_closing_spread", s.min_closing_spread, t.min_closing_spread);
  dec("strategy.take_profit_usd", s.take_profit_usd, t.take_profit_usd);
  dec("strategy.take_profit_fraction", s.take_profit_fraction, t.take_profit_fraction);
  num("strategy.max_holding_us", s.max_holding_us, t.max_holding_us);
  dec("strategy.funding_against_limit", s.funding_against_limit, t.funding_against_limit);
  num("strategy.opening_delay_us", s.opening_delay_us, t.opening_delay_us);
  num("strategy.max_open_positions", s.max_open_positions, t.max_open_positions);
  flag("strategy.allow_spot_borrow", s.allow_spot_borrow, t.allow_spot_borrow);
  num("strategy.expected_holding_us", s.expected_holding_us, t.expected_holding_us);
  dec("strategy.slippage_allowance", s.slippage_allowance, t.slippage_allowance);
  dec("strategy.liquidity_buffer", s.liquidity_buffer, t.liquidity_buffer);
  num("strategy.stats_interval_us", s.stats_interval_us, t.stats_interval_us);
  const ExecutionConfig &e = a.execution, &f = b.execution;
  flag("execution.use_maker_for_large_spreads", e.use_maker_for_large_spreads, f.use_maker_for_large_spreads);
  num("execution.order_timeout_us", e.order_timeout_us, f.order_timeout_us);
  flag("execution.fallback_to_taker", e.fallback_to_taker, f.fallback_to_taker);
  dec("execution.spot_market_slippage_buffer", e.spot_market_slippage_buffer, f.spot_market_slippage_buffer);
  dec("execution.perpetual_market_slippage_buffer", e.perpetual_market_slippage_buffer,
      f.perpetual_market_slippage_buffer);
  num("execution.hedge_deadline_us", e.hedge_deadline_us, f.hedge_deadline_us);
  dec("execution.maker_reprice_bps", e.maker_reprice_bps, f.maker_reprice_bps);
  const RiskConfig &r = a.risk, &q = b.risk;
  dec("risk.max_position_usd", r.max_position_usd, q.max_position_usd);
  dec("risk.max_total_exposure_usd", r.max_total_exposure_usd, q.max_total_exposure_usd);
  dec("risk.max_daily_loss_usd", r.max_daily_loss_usd, q.max_daily_loss_usd);
  dec("risk.min_account_balance_usd", r.min_account_balance_usd, q.min_account_balance_usd);
  num("risk.max_book_age_us", r.max_book_age_us, q.max_book_age_us);
  num("risk.max_orders_per_minute", r.max_orders_per_minute, q.max_orders_per_minute);
  dec("risk.margin_headroom", r.margin_headroom, q.margin_headroom);
  dec("risk.max_unhedged_usd", r.max_unhedged_usd, q.max_unhedged_usd);
  flag("shutdown.flatten_on_shutdown", a.shutdown.flatten_on_shutdown, b.shutdown.flatten_on_shutdown);
  num("shutdown.timeout_us", a.shutdown.timeout_us, b.shutdown.timeout_us);
  if (a.recovery.unexplained_positions != b.recovery.unexplained_positions)
    out.push_back(std::string("recovery.unexplained_positions ") +
                  std::string(unexplained_policy_name(a.recovery.unexplained_positions)) + " -> " +
                  std::string(unexplained_policy_name(b.recovery.unexplained_positions)));
  return out;
}

class Daemon final : public exec::EngineSink {
 public:
  Daemon(const Config& cfg, const RunOptions& opts)
      : cfg_(cfg),
        log_(spdlog::default_logger()),
        timer_(io_),
        account_timer_(io_),
        funding_timer_(io_),
        stop_timer_(io_),
        watchdog_timer_(io_),
        risk_(risk_limits(cfg), clock_),
        resume_(opts.resume_trading) {
    duration_us_ = opts.duration ? *opts.duration : cfg.paper.duration_us;
  }

  RunSummary run() {
    started_us_ = clock_.now_us();
    open_journal();
    {
      std::string dir = std::filesystem::path(cfg_.logging.file).parent_path().string();
      if (dir.empty()) dir = ".";
      trades_csv_.emplace(dir);
      log_->info("Fills are also written to {}/trades_<BASE>_<date>.csv", dir);
    }
    setup_venue();
    sigs_ = std::make_unique<SignalWatcher>(io_, [this](SignalAction a, int signo) { on_signal(a, signo); });
    svc_.status("starting: reconciling with the exchange");
    arm_watchdog();
    asio::post(io_, [this] { start_up(); });
    io_.run();
    if (startup_error_) throw std::runtime_error(*startup_error_);
    return summary();
  }

  // ---- EngineSink: I/O
  // Once warm this allocates nothing on the heap (RestOrderPath.* in bparb_perf_tests; BENCHMARKS.md): the
  // requests, the batch record and its log line reuse member storage, the REST callback captures 16
  // trivially copyable bytes. The journal's SQLite intent write (malloc, by design before the send) is
  // the exception.
  void place_orders(std::span<const OrderSpec> orders) override {
    if (orders.empty()) return;
    if (order_reqs_.size() < orders.size()) order_reqs_.resize(orders.size());  // grows, never shrinks
    for (std::size_t i = 0; i < orders.size(); ++i) {
      const OrderSpec& o = orders[i];
      backpack::OrderRequest& r = order_reqs_[i];
      r = backpack::OrderRequest{};
      r.symbol = o.market->symbol;
      r.side = o.side;
      r.type = o.type;
      r.quantity = o.quantity;
      r.price = o.price;
      r.price_decimals = o.market->price_decimals();
      r.quantity_decimals = o.market->quantity_decimals();
      r.time_in_force = o.tif;
      if (o.post_only) r.post_only = true;
      if (o.reduce_only) r.reduce_only = true;
      // Spot margin flags (strategy.allow_spot_borrow): only sent when set, so ordinary orders sign as before.
      if (o.auto_borrow) r.auto_borrow = true;
      if (o.auto_borrow_repay) r.auto_borrow_repay = true;
      if (o.auto_lend_redeem) r.auto_lend_redeem = true;
      r.client_id = o.client_id;
      if (o.purpose == exec::OrderPurpose::kHedge) ++hedges_;
    }
    // Write-ahead: the intents are durable before a byte leaves, so a crash after the send always leaves
    // something to ask the exchange about. No journal, no order.
    if (!journal_intents(orders)) return;
    orders_sent_ += orders.size();
    const std::uint32_t slot = acquire_batch(orders);
    if (orders.size() == 1) {
      rest_->execute_order(order_reqs_[0], [this, slot](backpack::RestResult<backpack::Order>& r) {
        const std::uint32_t id = batches_[slot]->legs[0].client_id;
        release_batch_ack(slot);
        if (r) {
          ack_ok(id, *r);
        } else {
          ack_error(id, r.error());
        }
      });
    } else {
      rest_->execute_batch(
          std::span<const backpack::OrderRequest>(order_reqs_.data(), orders.size()),
          [this, slot](backpack::RestResult<std::vector<backpack::BatchOrderResult>>& r) { on_batch_answer(slot, r); });
    }
    // The "Placing ..." line once the request is on its way: HttpClient writes it from the handler it
    // has just posted, so a handler posted now runs after the bytes were handed to the socket.
    asio::post(io_, [this, slot] { log_placing(slot); });
  }

  // A batch in flight: what its answer settles (the legs' client ids) and what its log line says.
  // Records are reused; one is free again once its answer arrived and its line was written.
  struct BatchInFlight {
    std::vector<OrderSpec> legs;  // capacity kept
    bool awaiting_ack = false;
    bool awaiting_log = false;
  };

  std::uint32_t acquire_batch(std::span<const OrderSpec> orders) {
    std::uint32_t slot = 0;
    while (slot < batches_.size() && (batches_[slot]->awaiting_ack || batches_[slot]->awaiting_log)) ++slot;
    if (slot == batches_.size()) {
      batches_.push_back(std::make_unique<BatchInFlight>());  // more in flight than ever before (warm-up)
      batches_.back()->legs.reserve(8);
    }
    BatchInFlight& b = *batches_[slot];
    b.legs.assign(orders.begin(), orders.end());
    b.awaiting_ack = true;
    b.awaiting_log = true;
    return slot;
  }
  void release_batch_ack(std::uint32_t slot) { batches_[slot]->awaiting_ack = false; }

  void log_placing(std::uint32_t slot) {
    BatchInFlight& b = *batches_[slot];
    b.awaiting_log = false;
    if (b.legs.empty()) return;
    // Formatted into stack buffers (spdlog's own is 250 bytes inline): no heap for a usual batch line.
    fmt::basic_memory_buffer<char, 512> desc;
    bool maker = false;
    for (const OrderSpec& o : b.legs) {
      if (desc.size() != 0) fmt::format_to(std::back_inserter(desc), ", ");
      fmt::format_to(std::back_inserter(desc), "{} {} {} @ {} ({}{}{} #{})", o.market->symbol, side_name(o.side),
                     o.quantity.str_fixed(o.market->quantity_decimals()), o.price.str_fixed(o.market->price_decimals()),
                     tif_name(o.tif), o.post_only ? " post-only" : "", o.reduce_only ? " reduce-only" : "",
                     o.client_id);
      maker = maker || o.post_only;
    }
    log_->info("Placing {} {} orders ({}): {}", b.legs.size(), maker ? "MAKER" : "TAKER",
               exec::order_purpose_name(b.legs.front().purpose), std::string_view(desc.data(), desc.size()));
  }

  void on_batch_answer(std::uint32_t slot, backpack::RestResult<std::vector<backpack::BatchOrderResult>>& r) {
    // The legs are read from the record before anything below can place (and reuse it for) a new batch.
    const std::size_t n = batches_[slot]->legs.size();
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t id = batches_[slot]->legs[i].client_id;
      if (i + 1 == n) release_batch_ack(slot);
      if (!r) {
        ack_error(id, r.error());
        continue;
      }
      const auto& results = *r;
      if (i >= results.size()) {
        // The exchange answered fewer results than orders: those are unknown, not rejected.
        RestError e;
        e.kind = backpack::RestErrorKind::kOutcomeUnknown;
        e.message = "batch answer missing this order";
        ack_error(id, e);
      } else if (results[i].ok) {
        ack_ok(id, results[i].order);
      } else {
        RestError e;
        e.kind = backpack::RestErrorKind::kApi;
        e.code = results[i].code;
        e.message = results[i].message;
        ack_error(id, e);
      }
    }
  }

  void cancel_order(const MarketSpec& market, std::uint32_t client_id) override {
    log_->info("Cancelling order #{} on {}", client_id, market.symbol);
    backpack::CancelRequest c;
    c.symbol = market.symbol;
    c.client_id = client_id;
    // 16 trivially copyable bytes of capture: the callback is stored without a heap allocation (RestClient's
    // order slots). The market is found again by its index (markets_ never moves its elements).
    std::uint32_t market_index = 0;
    while (market_index < markets_.size() && &markets_[market_index] != &market) ++market_index;
    rest_->cancel_order(c, [this, market_index, client_id](backpack::RestResult<backpack::CancelResult>& r) {
      if (!r) {
        // Too late (already filled/expired) or unknown: the stream or a query settles it.
        log_->info("Cancel #{} on {} not confirmed: {} {}", client_id,
                   market_index < markets_.size() ? std::string_view(markets_[market_index].symbol) : "?",
                   r.error().code, r.error().message);
        return;
      }
      if (r->order) {
        engine_->on_order_query(client_id, true, r->order->status, r->order->executed_quantity, clock_.now_us());
      }
    });
  }

  void query_order(const MarketSpec& market, std::uint32_t client_id) override {
    log_->warn("Order #{} on {}: outcome unknown or fills missing, querying the exchange", client_id, market.symbol);
    const MarketSpec* m = &market;
    rest_->get_order_by_client_id(
        market.symbol, client_id, [this, m, client_id](backpack::RestResult<std::optional<backpack::Order>>& r) {
          if (!r) return;  // the engine re-queries on its timer
          if (r->has_value()) {
            engine_->on_order_query(client_id, true, (*r)->status, (*r)->executed_quantity, clock_.now_us());
            return;
          }
          // Not resting: look for its fills (the order may have filled and left the book).
          backpack::FillsQuery q;
          q.symbol = m->symbol;
          q.from_ms = started_us_ / kUsPerMs - 60'000;
          q.limit = 1000;
          rest_->get_fills(q, [this, client_id](backpack::RestResult<std::vector<backpack::Fill>>& fr) {
            if (!fr) return;
            Decimal executed;
            for (const backpack::Fill& f : *fr) {
              if (!f.client_id || *f.client_id != client_id) continue;
              executed += f.quantity;
              if (f.has_trade_id && !journal_fill(f.trade_id, f.symbol, client_id, f.side, f.price, f.quantity, f.fee,
                                                  f.fee_symbol, f.is_maker, f.timestamp_ms * kUsPerMs))
                continue;  // already booked from the stream
              engine_->on_order_update(fill_update(f, client_id), clock_.now_us());
            }
            // Not on the book: filled (some) and done, or never placed.
            engine_->on_order_query(client_id, executed.is_positive(),
                                    executed.is_positive() ? OrderStatus::kExpired : OrderStatus::kNew, executed,
                                    clock_.now_us());
          });
        });
  }

  // ---- EngineSink: log lines (the greppable contract of the README)
  void on_opportunity(const exec::PairInfo& p, const BasisQuote& q) override {
    const ConfidenceFactors& c = q.confidence;
    log_->info(
        "Found opportunity {} {} spread={} net={} confidence={:.2f} (= {:.2f} base {:+.2f} liquidity[depth {:.1f}x] "
        "{:+.2f} spread_quality {:+.2f} stale {:+.2f} resync {:+.2f} volatility[sd {:.5f}]) size={} ({} USD, limited "
        "by "
        "{}) fees={} funding={} plan={}{}{}",
        p.name, to_string(q.direction), pct(q.entry_spread), pct(q.net_expected), c.total, c.base, c.liquidity,
        c.depth_ratio, c.spread_quality, c.stale_penalty, c.resync_penalty, c.volatility_penalty, c.basis_stddev,
        q.quantity.str(), usd(q.notional_usd), to_string(q.size_limited_by), pct(q.fee_fraction),
        pct(q.funding_fraction), to_string(q.plan),
        q.tradeable ? "" : " not traded: ", q.tradeable ? "" : to_string(q.refusal));
    if (log_->should_log(spdlog::level::debug)) {
      char buf[1024];
      describe(q, buf, sizeof buf);
      log_->debug("Quote detail: {}", buf);
    }
  }
  void on_entry_refused(const exec::PairInfo& p, const BasisQuote&, std::string_view leg,
                        const RiskDecision& d) override {
    log_->warn("Risk refused {} {} leg: rule={} limit={} value={} state={}", p.name, leg, d.rule_name(), d.limit.str(),
               d.value.str(), to_string(d.state));
  }
  void on_position_opened(const exec::PairInfo& p, const PositionState& pos, const BasisQuote& q) override {
    journal_position(p.name, pos);
    log_->info("Opened position #{} {} {} spot={} perp={} entry_basis={} notional={} USD fees={} USD",
               journal_position_id(pos.id), p.name, to_string(q.direction), pos.spot.quantity().str(),
               pos.perp.quantity().str(), pct(pos.entry_basis), usd(pos.entry_notional), usd(pos.fees_usd));
  }
  void on_exit_signal(const exec::PairInfo& p, const PositionState& pos, const ExitSignal& s) override {
    log_->info("Exit signal position #{} {} reason={} exit_basis={} pnl_if_closed={} held={}s",
               journal_position_id(pos.id), p.name, to_string(s.reason), pct(s.exit_basis),
               pct(s.pnl_fraction_if_closed), s.held_us / kUsPerSecond);
  }
  void on_position_closed(const exec::PairInfo& p, const PositionState& pos, ExitReason r) override {
    journal_position(p.name, pos);
    journal_daily_pnl();
    log_->info("Closed position #{} {} {} reason={} held={}s", journal_position_id(pos.id), p.name,
               pnl_parts(pos.realized_pnl, pos.fees_usd, pos.funding), to_string(r),
               (pos.closed_at_us - pos.opened_at_us) / kUsPerSecond);
    // Funding of the interval this position was closed in may settle, or be polled, a little later: poll
    // now rather than at the next tick, so the record is complete as soon as the venue allows.
    poll_funding_soon();
  }
  void on_trade_abandoned(const exec::PairInfo& p, std::string_view why) override {
    log_->info("Entry on {} abandoned: {}", p.name, why);
  }
  void on_fill(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
               std::string_view fee_symbol, bool maker) override {
    ++fills_;
    if (portfolio_) journal_position(p.name, portfolio_->position(o.pair));
    log_->info("Fill {} {} {} {} @ {} fee={} {} {} (#{} {})", p.name, o.market->symbol, side_name(o.side), qty.str(),
               price.str(), fee.str(), fee_symbol, maker ? "maker" : "taker", o.client_id,
               exec::order_purpose_name(o.purpose));
    write_trade_csv(p, o, qty, price, fee, fee_symbol, maker);
  }
  // trades_<BASE>_<date>.csv next to the log: the seed's users read their fills from it. A file error must
  // not stop trading (the journal is the record of truth): it is logged once and the CSV is switched off.
  void write_trade_csv(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                       std::string_view fee_symbol, bool maker) noexcept {
    if (!trades_csv_) return;
    try {
      const std::uint64_t position_id = portfolio_ ? portfolio_->position(o.pair).id : 0;
      trades_csv_->write({clock_.now_us(), p.name, position_id, exec::order_purpose_name(o.purpose), o.market->symbol,
                          side_name(o.side), qty, price, fee, fee_symbol, maker, o.client_id});
    } catch (const std::exception& e) {
      log_->error("Trades CSV disabled: {}", e.what());
      trades_csv_.reset();
    }
  }
  void on_leg_risk(const exec::PairInfo& p, const exec::LegRiskDecision& d) override {
    if (d.action == exec::LegRiskAction::kFailed) {
      ++leg_failures_;
      log_->error("LEG RISK {}: {} (net delta {} {}) — no new positions until resolved", p.name, d.reason,
                  d.net_delta.str(), p.spot->base_symbol);
    } else {
      log_->warn("Hedging {}: {} {} {} {} (net delta {})", p.name, exec::leg_risk_action_name(d.action),
                 d.leg == exec::LegIndex::kSpot ? p.spot->symbol : p.perp->symbol, side_name(d.side), d.quantity.str(),
                 d.net_delta.str());
    }
  }
  void on_order_rejected(const exec::PairInfo& p, const OrderSpec& o, std::string_view code,
                         std::string_view message) override {
    ++rejected_;
    log_->warn("Order #{} {} {} rejected: {} {}", o.client_id, p.name, o.market->symbol, code, message);
  }
  void on_trading_state(const StateChange& c, std::string_view why) override {
    if (!c.changed) return;
    log_->error("Trading state {} -> {} ({}, {})", to_string(c.from), to_string(c.to), to_string(c.reason), why);
    if (jr_) {
      const std::string reason = std::string(to_string(c.reason)) + ": " + std::string(why);
      if (!jr_->set_trading_state({to_string(c.to), reason, clock_.now_us()}).ok()) journal_failed();
    }
  }
  void on_stats(const StrategyStats& s, TradingState st) override {
    log_stats(s, st);
    log_->info("Exposure: max unhedged {} USD, longest unhedged {} ms", usd(max_unhedged_usd_),
               longest_unhedged_us_ / kUsPerMs);
    svc_.status(fmt::format("{}: open {} closed {} net {} USD", to_string(st), s.open, s.closed, usd(s.realized_net)));
  }
  void on_funding(const exec::PairInfo& p, Decimal amount, const FundingOutcome& o) override {
    const char* verb = amount.is_negative() ? "paid" : "received";
    switch (o.target) {
      case FundingTarget::kOpenPosition:
        log_->info("Funding {} {} {} USDC (position #{})", p.name, verb, amount.abs().str(),
                   journal_position_id(o.position.id));
        journal_position(p.name, o.position);
        break;
      case FundingTarget::kClosedPosition:
        // The position's record changes after its Closed line: restate it, and rewrite its journal row.
        log_->info("Funding {} {} {} USDC for closed position #{}: now {}", p.name, verb, amount.abs().str(),
                   journal_position_id(o.position.id),
                   pnl_parts(o.position.realized_pnl, o.position.fees_usd, o.position.funding));
        journal_position(p.name, o.position);
        break;
      case FundingTarget::kNoPosition:
      case FundingTarget::kUnknownPair:
        log_->info("Funding {} {} {} USDC (no position of this run held it; counted in the totals)", p.name, verb,
                   amount.abs().str());
        break;
    }
    journal_daily_pnl();
  }
  void on_fill_problem(const exec::PairInfo& p, const OrderSpec& o, FillProblem why, Decimal qty, Decimal price,
                       Decimal fee, std::string_view fee_symbol) override {
    const bool fee_only = why == FillProblem::kBaseFeeOnPerp || why == FillProblem::kFeeInOtherAsset;
    log_->error(
        "Fill {} {} {} {} @ {} fee={} {} (#{}) could not be booked in full: {}; {}; leg risk hedges what the "
        "exchange reported; no new positions until an operator has checked the account",
        p.name, o.market->symbol, side_name(o.side), qty.str(), price.str(), fee.str(), fee_symbol, o.client_id,
        to_string(why), fee_only ? "the quantity is booked, the fee is not" : "nothing was booked");
  }

 private:
  struct PairRuntime {
    PairConfig cfg;
    const MarketSpec* spot = nullptr;
    const MarketSpec* perp = nullptr;
    PairIndex index = 0;
  };

  void log_stats(const StrategyStats& s, TradingState st) {
    const PnlCents c = pnl_cents(s.realized_pnl, s.fees, s.funding);
    log_->info(
        "Strategy stats: opportunities={} executed={} open={} closed={} win_rate={:.1f}% realized_pnl={} fees={} "
        "funding={} net={} state={}",
        s.opportunities, s.executed, s.open, s.closed, s.win_rate * 100.0, c.spread, c.fees, c.funding, c.total,
        to_string(st));
  }

  // ---- Journal (README "Restart and recovery"). Every write failure latches: see journal_failed().
  void open_journal() {
    if (!cfg_.journal.enabled) {
      log_->warn(
          "Journal: disabled ([journal] enabled = false): no crash recovery; a restart cannot explain open "
          "positions");
      return;
    }
    const std::string& path = cfg_.journal.path;
    if (cfg_.exchange.mode == Mode::kPaper) rotate_paper_journal(path);
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    jr_.emplace(journal::Journal::open(path));  // throws with the path and SQLite's message
    // Portfolio numbers positions from 1 in every process; the journal keys them (pair, id), so each run
    // gets its own block of a million ids.
    auto base = jr_->get_meta("position_id_base");
    if (!base) throw std::runtime_error("journal " + path + ": " + jr_->last_error());
    std::uint64_t b = 0;
    if (*base) b = std::strtoull((*base)->c_str(), nullptr, 10);
    position_id_base_ = b;
    if (!jr_->set_meta("position_id_base", std::to_string(b + 1'000'000)).ok())
      throw std::runtime_error("journal " + path + ": " + jr_->last_error());
    log_->info("Journal: {} ({}; positions of this run numbered from #{})", path,
               cfg_.exchange.mode == Mode::kPaper ? "paper: fresh for the fresh simulated exchange, the last run's "
                                                    "kept as .prev"
                                                  : "recovering from it",
               position_id_base_ + 1);
  }

  std::uint64_t journal_position_id(std::uint64_t portfolio_id) const noexcept {
    if (auto it = restored_ids_.find(portfolio_id); it != restored_ids_.end()) return it->second;
    return position_id_base_ + portfolio_id;
  }

  void journal_failed() {
    if (journal_alarm_) return;
    journal_alarm_ = true;
    log_->critical("Journal: write failed: {} — no new positions until it is fixed and bparb restarted",
                   jr_ ? jr_->last_error() : std::string());
    svc_.status("ReduceOnly: journal write failed");
    StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
    on_trading_state(c, "journal write failed");
  }

  // False = the batch must not be sent (the intents could not be made durable).
  bool journal_intents(std::span<const OrderSpec> orders) {
    if (!jr_) return true;
    intents_.clear();
    const TimestampUs now = clock_.now_us();
    for (const OrderSpec& o : orders) {
      journal::IntentRecord r;
      r.client_id = o.client_id;
      r.pair = o.pair < pairs_.size() ? pairs_[o.pair].cfg.base : std::string();
      r.leg = o.leg == exec::LegIndex::kSpot ? "spot" : "perp";
      r.purpose = exec::order_purpose_name(o.purpose);
      r.symbol = o.market->symbol;
      r.side = o.side;
      r.type = o.type;
      r.tif = o.tif;
      r.price = o.price;
      r.quantity = o.quantity;
      r.flags = (o.post_only ? journal::kIntentPostOnly : 0u) | (o.reduce_only ? journal::kIntentReduceOnly : 0u);
      r.created_us = now;
      intents_.push_back(std::move(r));
    }
    if (jr_->record_intents(intents_).ok()) return true;
    log_->critical(
        "Journal: recording {} order intent(s) failed: {} — NOT sending them; trading halted (orders the "
        "journal cannot record cannot be recovered after a crash)",
        orders.size(), jr_->last_error());
    journal_alarm_ = true;
    std::vector<std::uint32_t> ids;
    for (const OrderSpec& o : orders) ids.push_back(o.client_id);
    // Answers are events: never call back into the engine from inside its own call.
    asio::post(io_, [this, ids] {
      for (std::uint32_t id : ids) {
        exec::OrderAck a;
        a.client_id = id;
        a.kind = exec::OrderAck::Kind::kRejected;
        a.code = "JOURNAL";
        a.message = "journal write failed; order not sent";
        engine_->on_order_ack(a, clock_.now_us());
      }
      StateChange c = risk_.halt(StateReason::kInvariant);
      on_trading_state(c, "journal write failed");
      svc_.status("Halted: journal write failed");
    });
    return false;
  }

  void journal_ack(std::uint32_t id, std::string_view exchange_id, journal::OrderRecordState st, Decimal executed) {
    if (!jr_) return;
    if (!jr_->record_ack({id, std::string(exchange_id), st, executed, clock_.now_us()}).ok()) journal_failed();
  }

  // True = new (book it), false = the journal already has this trade. A failed write books it anyway
  // (the fill happened) and latches the alarm.
  bool journal_fill(std::int64_t trade_id, std::string_view symbol, std::uint32_t cid, Side side, Decimal price,
                    Decimal qty, Decimal fee, std::string_view fee_symbol, bool maker, TimestampUs t) {
    if (!jr_) return true;
    journal::FillRecord f;
    f.trade_id = trade_id;
    f.symbol = symbol;
    f.client_id = cid;
    f.side = side;
    f.price = price;
    f.quantity = qty;
    f.fee = fee;
    f.fee_symbol = fee_symbol;
    f.maker = maker;
    f.time_us = t;
    auto r = jr_->record_fill(f);
    if (!r) {
      journal_failed();
      return true;
    }
    // Debug: the periodic fills reconciliation re-offers journaled fills of orders the engine no longer tracks.
    if (!*r) log_->debug("Journal: fill trade {} on {} (#{}) already booked; skipped", trade_id, symbol, cid);
    return *r;
  }

  bool journal_funding(const backpack::FundingPayment& f) {
    if (!jr_) return true;
    auto r = jr_->record_funding({f.symbol, f.interval_end_timestamp_ms, f.quantity});
    if (!r) {
      journal_failed();
      return true;
    }
    return *r;
  }

  void journal_position(std::string_view pair, const PositionState& pos) {
    if (!jr_ || pos.id == 0) return;
    journal::PositionRecord r;
    r.pair = pair;
    r.position_id = journal_position_id(pos.id);
    r.open = pos.open;
    r.spot_qty = pos.spot.quantity();
    r.spot_cost = pos.spot.cost();
    r.perp_qty = pos.perp.quantity();
    r.perp_cost = pos.perp.cost();
    r.entry_basis = pos.entry_basis;
    r.opened_us = pos.opened_at_us;
    r.closed_us = pos.closed_at_us;
    r.realized = pos.realized_pnl;
    r.fees = pos.fees_usd;
    r.funding = pos.funding;
    if (!jr_->upsert_position(r).ok()) journal_failed();
  }

  // Today's P&L for the daily loss budget (realized, fees, funding; unrealized is re-measured after a
  // restart from the restored positions' cost). Written when it changes.
  void journal_daily_pnl() {
    if (!jr_ || !engine_ || !portfolio_) return;
    const TimestampUs now = clock_.now_us();
    const TimestampUs day = utc_day_start(now);
    const Decimal realized = portfolio_->stats().realized_net;
    if (day != daily_day_us_) {
      daily_day_us_ = day;
      daily_carried_ = Decimal{};
      daily_realized_start_ = realized;
    }
    const Decimal today = daily_carried_ + realized - daily_realized_start_;
    if (today == daily_last_written_) return;
    if (!jr_->set_daily_baseline({day, today}).ok()) return journal_failed();
    daily_last_written_ = today;
  }

  const PairRuntime* pair_named(std::string_view base) const noexcept {
    for (const PairRuntime& p : pairs_)
      if (p.cfg.base == base) return &p;
    return nullptr;
  }

  bool any_open() const noexcept {
    if (!portfolio_) return false;
    for (const PairRuntime& p : pairs_)
      if (portfolio_->has_open(p.index)) return true;
    return false;
  }

  // Unhedged exposure = |spot qty + perp qty| at the perp mid, summed over pairs. The soak report's
  // "max unhedged" and its longest stretch above 1% of position_size_usd (dust from base-asset fees is
  // below that).
  void track_unhedged(TimestampUs now) {
    if (!portfolio_ || !feed_) return;
    Decimal total;
    for (const PairRuntime& p : pairs_) {
      const PositionState& pos = portfolio_->position(p.index);
      if (!pos.open) continue;
      const OrderBook* b = feed_->book(p.perp->symbol);
      const Decimal mark = b ? b->mid() : Decimal{};
      total += (pos.spot.quantity() + pos.perp.quantity()).abs().mul(mark, Rounding::kNearest);
    }
    if (total > max_unhedged_usd_) max_unhedged_usd_ = total;
    const Decimal threshold = cfg_.strategy.position_size_usd.div_int(100, Rounding::kNearest);
    if (total > threshold) {
      if (unhedged_since_us_ == 0) unhedged_since_us_ = now;
      longest_unhedged_us_ = std::max(longest_unhedged_us_, now - unhedged_since_us_);
    } else {
      unhedged_since_us_ = 0;
    }
  }

  // ---- systemd and signals
  void arm_watchdog() {
    const DurationUs every = svc_.watchdog_ping_interval_us();
    if (every <= 0) return;
    // Pinged from the event loop itself: a wedged loop stops the pings and systemd restarts us.
    svc_.watchdog_ping();
    watchdog_timer_.expires_after(std::chrono::microseconds(every));
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) arm_watchdog();
    });
  }

  void on_signal(SignalAction a, int signo) {
    switch (a) {
      case SignalAction::kShutdown:
        log_->warn("Received signal {}: stopping (no new positions, cancelling resting orders)", signo);
        begin_shutdown("signal");
        break;
      case SignalAction::kForceExit:
        log_->critical("Received signal {} again: exiting now without settling (the next start recovers)", signo);
        spdlog::default_logger()->flush();
        std::_Exit(130);
      case SignalAction::kReload:
        reload_config();
        break;
      case SignalAction::kDumpStatus:
        log_status();
        break;
      case SignalAction::kIgnore:
        break;
    }
  }

  // SIGHUP: thresholds only. The file is validated first; a bad file keeps every running setting.
  void reload_config() {
    svc_.reloading();
    const std::string& path = cfg_.source_path;
    log_->info("SIGHUP: reloading {}", path);
    Config next;
    try {
      next = load_config(path);
    } catch (const ConfigError& e) {
      log_->error("SIGHUP: {} is invalid; keeping the running settings:\n{}", path, e.what());
      svc_.ready();
      return;
    } catch (const std::exception& e) {
      log_->error("SIGHUP: cannot reload {}: {}; keeping the running settings", path, e.what());
      svc_.ready();
      return;
    }
    for (const std::string& c : restart_required_changes(cfg_, next))
      log_->warn("SIGHUP: {} needs a restart; keeping the running value", c);
    Config applied = cfg_;
    applied.strategy = next.strategy;
    applied.execution = next.execution;
    applied.risk = next.risk;
    applied.recovery = next.recovery;
    applied.shutdown = next.shutdown;
    std::vector<std::string> changes = threshold_changes(cfg_, applied);
    cfg_ = applied;
    if (engine_) engine_->set_params(engine_params(cfg_));
    risk_.set_limits(risk_limits(cfg_));
    if (changes.empty()) {
      log_->info("SIGHUP: reloaded {}: no threshold changed", path);
    } else {
      std::string list;
      for (const std::string& c : changes) list += (list.empty() ? "" : ", ") + c;
      log_->info("SIGHUP: reloaded {}: {}", path, list);
    }
    svc_.ready();
  }

  void log_status() {
    std::string pos;
    if (portfolio_) {
      for (const PairRuntime& p : pairs_) {
        const PositionState& s = portfolio_->position(p.index);
        if (!s.open) continue;
        pos += fmt::format(" {} #{} spot={} perp={};", p.cfg.base, journal_position_id(s.id), s.spot.quantity().str(),
                           s.perp.quantity().str());
      }
    }
    std::vector<std::pair<const MarketSpec*, std::uint32_t>> live;
    if (engine_) engine_->live_orders(live);
    log_->info("Status: state {} | live orders {} | open positions:{} | journal {}", to_string(risk_.state()),
               live.size(), pos.empty() ? " none" : pos,
               jr_ ? (jr_->healthy() ? "healthy" : "FAILED: " + jr_->last_error()) : std::string("disabled"));
  }

  void setup_venue() {
    std::string rest_url = cfg_.exchange.rest_url;
    std::string ws_url = cfg_.exchange.ws_url;
    if (cfg_.exchange.mode == Mode::kPaper) {
      // Embedded bpsim: a fresh key for a fresh simulated account, served on loopback.
      key_.emplace(backpack::SigningKey::generate());
      sim::SimConfig sc = sim::load_sim_config(cfg_.paper.sim_config);
      sim::AccountSetup acct;
      acct.api_key = key_->public_key_base64();
      // 100,000 of the quote asset of the configured spot markets (load_markets refuses pairs that do
      // not share one), and spot inventory worth ~10,000 of it per coin so spot-premium trades can sell.
      for (const PairConfig& p : cfg_.pairs) {
        if (!p.enabled) continue;
        for (const sim::MarketSetup& m : sc.exchange.markets) {
          if (m.spec.symbol != p.spot_symbol) continue;
          bool seeded = false;
          for (const auto& b : acct.balances) seeded = seeded || b.first == m.spec.quote_symbol;
          if (!seeded) acct.balances.emplace_back(m.spec.quote_symbol, Decimal::from_int(100'000));
        }
      }
      for (const PairConfig& p : cfg_.pairs) {
        if (!p.enabled) continue;
        for (const sim::MarketSetup& m : sc.exchange.markets) {
          if (m.spec.symbol == p.spot_symbol && m.seed_price.is_positive()) {
            Decimal qty = Decimal::from_int(10'000)
                              .div(m.seed_price, Rounding::kDown)
                              .round_to(m.spec.step_size, Rounding::kDown);
            acct.balances.emplace_back(p.base, qty);
          }
        }
      }
      sc.exchange.accounts.push_back(acct);
      sc.server.listen_address = "127.0.0.1";
      sc.server.port = cfg_.paper.port;
      sim_ = std::make_unique<sim::SimRuntime>(io_, std::move(sc), nullptr, sim::make_backpack_frame_decoder);
      sim_server_ = std::make_unique<sim::SimServer>(io_, *sim_, sim_->config().server);
      sim_server_->start();
      sim_->start();
      rest_url = sim_server_->http_url();
      ws_url = sim_server_->ws_url();
      log_->info("Paper mode: embedded bpsim on {} (simulated account {}, no real keys, no network)", rest_url,
                 key_->public_key_base64().substr(0, 8) + "…");
    } else {
      SecretsOptions so;
      so.env_file = cfg_.exchange.env_file;
      Credentials cred = load_credentials(so);
      for (const std::string& w : cred.warnings) log_->warn("{}", w);
      auto k = backpack::SigningKey::from_base64_secret(cred.private_key_base64);
      if (!k) throw std::runtime_error("BACKPACK_PRIVATE_KEY: " + k.error());
      key_.emplace(std::move(*k));
      log_->info("Live mode: {} with API key {}", rest_url, cred.fingerprint());
    }
    backpack::RestClientOptions ro;
    ro.http.base_url = rest_url;
    ro.http.default_timeout_us = cfg_.exchange.rest_timeout_us;
    ro.window_ms = cfg_.execution.request_window_ms;
    ro.rate_limit.requests_per_minute = cfg_.exchange.max_requests_per_minute;
    ro.order_timeout_us = cfg_.exchange.rest_timeout_us;
    rest_ = std::make_unique<backpack::RestClient>(io_, clock_, ro, &*key_);
    backpack::BackpackWsOptions wo;
    wo.ws.url = ws_url;
    wo.ws.silence_timeout_us = cfg_.exchange.ws_stale_timeout_us;
    // Backpack's frames are a few KB; anything near a megabyte is a broken or hostile peer. The client drops
    // the connection (never buffers it), reconnects and resyncs the books like any other drop.
    wo.ws.max_message_bytes = 1u << 20;
    wo.window_ms = cfg_.execution.request_window_ms;
    ws_ = std::make_unique<backpack::BackpackWs>(io_, clock_, wo, &*key_);
    feed_ = std::make_unique<backpack::MarketDataFeed>(io_, clock_, *ws_, *rest_);
  }

  void fail_startup(const std::string& msg) {
    startup_error_ = msg;
    log_->critical("Start-up check failed: {}", msg);
    stop_io();
  }

  void stop_io() {
    if (ws_) ws_->close();
    if (sim_server_) sim_server_->stop();
    if (sim_) sim_->stop();
    timer_.cancel();
    account_timer_.cancel();
    funding_timer_.cancel();
    if (fills_timer_) fills_timer_->cancel();
    stop_timer_.cancel();
    watchdog_timer_.cancel();
    if (sigs_) sigs_->cancel();
    io_.stop();
  }

  // Start-up is a chain of checks; any failure stops before anything is traded.
  void start_up() {
    rest_->sync_time([this](backpack::RestResult<backpack::ServerTimeSync>& t) {
      if (!t) return fail_startup("GET /api/v1/time failed: " + t.error().message);
      ws_->set_time_offset_ms(t->offset_ms);
      log_->info("Clock offset to exchange: {} ms (rtt {} us)", t->offset_ms, t->rtt_us);
      rest_->get_markets([this](backpack::RestResult<std::vector<MarketSpec>>& m) {
        if (!m) return fail_startup("GET /api/v1/markets failed: " + m.error().message);
        load_markets(*m);
      });
    });
  }

  void load_markets(const std::vector<MarketSpec>& all) {
    auto find = [&](const std::string& s) -> const MarketSpec* {
      for (const MarketSpec& m : all)
        if (m.symbol == s) return &m;
      return nullptr;
    };
    for (const PairConfig& pc : cfg_.pairs) {
      if (!pc.enabled) continue;
      const MarketSpec* s = find(pc.spot_symbol);
      const MarketSpec* p = find(pc.perp_symbol);
      if (!s || !p)
        return fail_startup("pair " + pc.base + ": market " + (!s ? pc.spot_symbol : pc.perp_symbol) +
                            " does not exist on the exchange (check [[pairs]] in " + cfg_.source_path + ")");
      if (s->type != MarketType::kSpot || p->type != MarketType::kPerp)
        return fail_startup("pair " + pc.base + ": " + pc.spot_symbol + " must be SPOT and " + pc.perp_symbol +
                            " PERP");
      if (s->state != OrderBookState::kOpen || p->state != OrderBookState::kOpen) {
        log_->warn("Pair {} skipped: order book state {} / {}", pc.base, order_book_state_name(s->state),
                   order_book_state_name(p->state));
        continue;
      }
      markets_.push_back(*s);
      markets_.push_back(*p);
    }
    if (markets_.empty()) return fail_startup("no enabled pair has open spot and perp markets");
    // One quote asset for every market: the engine sizes spot buys from one quote balance and counts
    // P&L, fees and funding in it (docs/money.md), so pairs quoted in different assets cannot share it.
    quote_asset_ = markets_.front().quote_symbol;
    for (const MarketSpec& m : markets_) {
      if (m.quote_symbol != quote_asset_)
        return fail_startup("the configured pairs do not share one quote asset: " + markets_.front().symbol +
                            " is quoted in " + quote_asset_ + ", " + m.symbol + " in " + m.quote_symbol +
                            "; configure pairs of one quote asset");
    }
    log_->info("Quote asset: {} (all {} markets)", quote_asset_, markets_.size());
    std::size_t mi = 0;
    for (const PairConfig& pc : cfg_.pairs) {
      if (!pc.enabled) continue;
      if (mi >= markets_.size() || markets_[mi].symbol != pc.spot_symbol) continue;
      PairRuntime pr;
      pr.cfg = pc;
      pr.spot = &markets_[mi];
      pr.perp = &markets_[mi + 1];
      mi += 2;
      pr.index = static_cast<PairIndex>(pairs_.size());  // the same order Portfolio/ArbEngine::add_pair number them
      pairs_.push_back(pr);
    }
    rest_->get_account([this](backpack::RestResult<backpack::AccountSummary>& a) {
      if (!a) return fail_startup("GET /api/v1/account failed: " + a.error().code + " " + a.error().message);
      fees_ = {a->spot_maker_fee_bps, a->spot_taker_fee_bps, a->futures_maker_fee_bps, a->futures_taker_fee_bps};
      log_->info("Account fee rates (bps): spot maker {} taker {}, perp maker {} taker {}", fees_.spot_maker_bps.str(),
                 fees_.spot_taker_bps.str(), fees_.perp_maker_bps.str(), fees_.perp_taker_bps.str());
      if (a->liquidating) return fail_startup("the account is being liquidated");
      load_journal_positions();
      cancel_orphans(0);
    });
  }

  // ---- Recovery. Start-up and crash recovery are one path — reconcile, then trade:
  //   1. cancel every order resting on our markets (an earlier run's makers must not fill mid-reconcile);
  //   2. fills since the journal's last one (the exchange's history) -> journal (dedup by trade id) -> the
  //      journal's positions;
  //   3. settle the journal's open intents (their orders are gone now) with what they executed;
  //   4. exchange perp positions vs the journal's: matched -> restored into the engine (exits keep working,
  //      no second copy); legs apart (a crash between legs) -> restored and unwound to flat; unexplained ->
  //      [recovery] unexplained_positions;
  //   5. equity floor, then trading.

  // Orders resting from an earlier run on our markets are cancelled before anything else.
  void cancel_orphans(std::size_t i) {
    if (i >= markets_.size()) return recover_fills(0);
    rest_->get_open_orders(markets_[i].symbol, [this, i](backpack::RestResult<std::vector<backpack::Order>>& r) {
      if (!r || r->empty()) return cancel_orphans(i + 1);
      log_->warn("Cancelling {} orphan order(s) on {}", r->size(), markets_[i].symbol);
      rest_->cancel_all(markets_[i].symbol, backpack::CancelAllKind::kAll,
                        [this, i](backpack::RestResult<backpack::CancelAllResult>& c) {
                          if (!c)
                            return fail_startup("cancelling orphan orders on " + markets_[i].symbol +
                                                " failed: " + c.error().message);
                          cancel_orphans(i + 1);
                        });
    });
  }

  // Per pair: what the journal (plus fills made while we were down) says we hold.
  struct Recovered {
    LegPosition spot, perp;
    Decimal realized, fees, funding;
    TimestampUs opened_us = 0;
    std::optional<journal::PositionRecord> record;  // the journal's open position, if any
    std::uint32_t fills_recovered = 0;
    bool restore = false;
    bool unwind = false;
  };

  void load_journal_positions() {
    recovered_.assign(pairs_.size(), Recovered{});
    if (!jr_) return;
    auto open = jr_->open_positions();
    if (!open) throw std::runtime_error("journal " + jr_->path() + ": reading positions: " + jr_->last_error());
    for (const journal::PositionRecord& r : *open) {
      const PairRuntime* pr = pair_named(r.pair);
      if (!pr) {
        log_->error("Journal: open position #{} on {} but that pair is not traded by this config; it stays as it is",
                    r.position_id, r.pair);
        continue;
      }
      Recovered& rc = recovered_[pr->index];
      rc.record = r;
      if (!r.spot_qty.is_zero()) rc.spot.apply(r.spot_qty, r.spot_cost.div(r.spot_qty, Rounding::kNearest));
      if (!r.perp_qty.is_zero()) rc.perp.apply(r.perp_qty, r.perp_cost.div(r.perp_qty, Rounding::kNearest));
      rc.realized = r.realized;
      rc.fees = r.fees;
      rc.funding = r.funding;
      rc.opened_us = r.opened_us;
      log_->info("Journal: open position #{} {} spot={} perp={} (opened {})", r.position_id, r.pair, r.spot_qty.str(),
                 r.perp_qty.str(), r.opened_us);
    }
  }

  // Fills the exchange made for our client ids that the journal has not seen (crash between a send and
  // its answer, or before the stream delivered).
  void recover_fills(std::size_t i) {
    if (i == 0) {
      recover_from_ms_ = 0;
      if (jr_) {
        auto last = jr_->last_fill_time_us();
        auto intents = jr_->open_intents();
        if (!last || !intents) return fail_startup("journal " + jr_->path() + ": " + jr_->last_error());
        TimestampUs from = *last ? **last : 0;
        for (const journal::OpenIntent& oi : *intents)
          if (from == 0 || oi.intent.created_us < from) from = oi.intent.created_us;
        open_intents_ = std::move(*intents);
        // A minute of slack: fills of different symbols reach the journal in stream order, not time order.
        if (from > 0) recover_from_ms_ = std::max<std::int64_t>(1, from / kUsPerMs - 60'000);
      }
      if (recover_from_ms_ == 0) return settle_open_intents();
      log_->info("Journal: {} open intent(s); fetching fills since {} ms to reconcile", open_intents_.size(),
                 recover_from_ms_);
    }
    if (i >= markets_.size()) return settle_open_intents();
    backpack::FillsQuery q;
    q.symbol = markets_[i].symbol;
    q.from_ms = recover_from_ms_;
    q.limit = 1000;
    q.sort_direction = "Asc";
    rest_->get_fills(q, [this, i](backpack::RestResult<std::vector<backpack::Fill>>& r) {
      if (!r)
        return fail_startup("GET /wapi/v1/history/fills for " + markets_[i].symbol + " failed: " + r.error().message);
      if (r->size() >= 1000)
        log_->warn(
            "Journal: 1000 fills on {} since the last journaled one; older ones beyond the page are not "
            "reconciled",
            markets_[i].symbol);
      for (const backpack::Fill& f : *r) recover_fill(f);
      recover_fills(i + 1);
    });
  }

  void recover_fill(const backpack::Fill& f) {
    if (!f.client_id || !f.has_trade_id) return;
    auto intent = jr_->find_intent(*f.client_id);
    if (!intent || !*intent) return;  // not ours (another process, manual trading)
    const journal::IntentRecord& in = (*intent)->intent;
    if (!journal_fill(f.trade_id, f.symbol, *f.client_id, f.side, f.price, f.quantity, f.fee, f.fee_symbol, f.is_maker,
                      f.timestamp_ms * kUsPerMs))
      return;  // already in the journal
    const PairRuntime* pr = pair_named(in.pair);
    if (!pr) return;
    Recovered& rc = recovered_[pr->index];
    const Decimal signed_qty = f.side == Side::kBid ? f.quantity : -f.quantity;
    // Booked as the portfolio books a fill (docs/money.md): a base-asset fee of either sign moves the spot leg.
    if (in.leg == "spot") {
      rc.realized += rc.spot.apply(signed_qty, f.price);
      if (f.fee_symbol == pr->spot->base_symbol) {
        rc.realized += rc.spot.remove_for_fee(f.fee, f.price);
        rc.fees += f.fee.mul(f.price, Rounding::kNearest);
      } else {
        rc.fees += f.fee;
      }
    } else {
      rc.realized += rc.perp.apply(signed_qty, f.price);
      rc.fees += f.fee;
    }
    if (rc.opened_us == 0) rc.opened_us = f.timestamp_ms * kUsPerMs;
    ++rc.fills_recovered;
    log_->warn("Journal: recovered fill made while bparb was down: {} {} {} @ {} trade {} (#{} {} {})", f.symbol,
               side_name(f.side), f.quantity.str(), f.price.str(), f.trade_id, *f.client_id, in.pair, in.purpose);
  }

  // Every order of the last run is gone from the book now (cancelled above, or IOC): settle its intent
  // with what the journal knows it executed.
  void settle_open_intents() {
    if (jr_ && !open_intents_.empty()) {
      std::unordered_map<std::uint32_t, Decimal> executed;
      if (auto fills = jr_->fills_since(recover_from_ms_ * kUsPerMs)) {
        for (const journal::FillRecord& f : *fills) executed[f.client_id] += f.quantity;
      }
      for (const journal::OpenIntent& oi : open_intents_) {
        const Decimal done = executed[oi.intent.client_id];
        const auto state =
            done >= oi.intent.quantity ? journal::OrderRecordState::kFilled : journal::OrderRecordState::kCancelled;
        if (!jr_->record_ack({oi.intent.client_id, oi.exchange_order_id, state, done, clock_.now_us()}).ok())
          return fail_startup("journal " + jr_->path() + ": " + jr_->last_error());
        log_->info("Journal: order #{} of the last run ({} {} {} {} {}) settled as {} with {} executed",
                   oi.intent.client_id, oi.intent.purpose, oi.intent.symbol, side_name(oi.intent.side),
                   oi.intent.quantity.str(), oi.acked ? "acked" : "never acked",
                   journal::order_record_state_name(state), done.str());
      }
    }
    reconcile_positions();
  }

  void reconcile_positions() {
    rest_->get_positions("", [this](backpack::RestResult<std::vector<backpack::Position>>& r) {
      if (!r) return fail_startup("GET /api/v1/position failed: " + r.error().message);
      for (const PairRuntime& p : pairs_) {
        Decimal exchange_perp;
        Decimal entry_price;
        for (const auto& pos : *r) {
          if (pos.symbol == p.perp->symbol) {
            exchange_perp = pos.net_quantity;
            entry_price = pos.entry_price;
          }
        }
        Recovered& rc = recovered_[p.index];
        const Decimal journal_perp = rc.perp.quantity();
        const Decimal spot = rc.spot.quantity();
        const Decimal tolerance = std::max(p.spot->step_size, p.perp->step_size);
        if (exchange_perp == journal_perp) {
          if (journal_perp.is_zero() && spot.abs() <= tolerance) continue;  // flat
          rc.restore = true;
          rc.unwind = (spot + journal_perp).abs() > tolerance;
          continue;
        }
        const std::string what = "the exchange holds " + exchange_perp.str() + " " + p.perp->symbol +
                                 " but the journal explains " + journal_perp.str() + " (spot leg " + spot.str() + ")";
        switch (cfg_.recovery.unexplained_positions) {
          case UnexplainedPolicy::kRefuse:
            return fail_startup("pair " + p.cfg.base + ": " + what +
                                "; close it by hand, or set [recovery] unexplained_positions = \"flag\" (start "
                                "reduce-only) or \"adopt\" (unwind it) in " +
                                cfg_.source_path + " (bparb never trades on top of positions it cannot explain)");
          case UnexplainedPolicy::kFlag:
            log_->error(
                "Recovery: pair {}: {}; [recovery] unexplained_positions = flag: starting ReduceOnly, the "
                "position is left alone",
                p.cfg.base, what);
            flagged_ = true;
            rc = Recovered{};
            break;
          case UnexplainedPolicy::kAdopt: {
            log_->warn(
                "Recovery: pair {}: {}; [recovery] unexplained_positions = adopt: taking it over and "
                "unwinding it to flat",
                p.cfg.base, what);
            LegPosition perp;
            const Decimal price = entry_price.is_positive() ? entry_price : rc.perp.average_price();
            if (price.is_positive()) perp.apply(exchange_perp, price);
            rc.perp = perp;
            rc.restore = !perp.flat() || !spot.is_zero();
            rc.unwind = true;
            break;
          }
        }
      }
      check_equity();
    });
  }

  // Refuse to start below the configured equity floor: the risk gate would refuse every entry anyway,
  // and an operator should hear it at start-up, not discover it in the logs hours later.
  void check_equity() {
    rest_->get_collateral([this](backpack::RestResult<backpack::CollateralSummary>& c) {
      if (!c) return fail_startup("GET /api/v1/capital/collateral failed: " + c.error().message);
      if (c->net_equity < cfg_.risk.min_account_balance_usd)
        return fail_startup("net equity " + usd(c->net_equity) + " USD is below risk.min_account_balance_usd " +
                            usd(cfg_.risk.min_account_balance_usd) + " USD (" + cfg_.source_path + ")");
      log_->info("Account net equity {} USD (available {} USD)", usd(c->net_equity), usd(c->net_equity_available));
      start_trading();
    });
  }

  // Restores what recovery found into the fresh engine (positions, daily P&L, trading state).
  void restore_state() {
    const TimestampUs now = clock_.now_us();
    for (const PairRuntime& p : pairs_) {
      Recovered& rc = recovered_[p.index];
      if (!rc.restore) continue;
      RestoredState rp;
      rp.spot_qty = rc.spot.quantity();
      rp.spot_cost = rc.spot.cost();
      rp.perp_qty = rc.perp.quantity();
      rp.perp_cost = rc.perp.cost();
      rp.realized_pnl = rc.realized;
      rp.fees_usd = rc.fees;
      rp.funding = rc.funding;
      rp.entry_basis = rc.record ? rc.record->entry_basis : Decimal{};
      rp.opened_at_us = rc.opened_us;
      if (!engine_->restore_position(p.index, rp, now)) {
        log_->error("Recovery: could not restore {} (spot {} perp {}); starting ReduceOnly", p.cfg.base,
                    rp.spot_qty.str(), rp.perp_qty.str());
        flagged_ = true;
        continue;
      }
      const PositionState& pos = portfolio_->position(p.index);
      // A position keeps its number across restarts: its journal row goes on (one row per position, so the
      // journal's rows add up to the account's P&L).
      if (rc.record) restored_ids_[pos.id] = rc.record->position_id;
      journal_position(p.cfg.base, pos);
      log_->warn(
          "Recovery: restored position {} spot={} perp={} as #{} (realized {} fees {} funding {} so far; {} "
          "fill(s) made while down)",
          p.cfg.base, rp.spot_qty.str(), rp.perp_qty.str(), journal_position_id(pos.id), rp.realized_pnl.str(),
          rp.fees_usd.str(), rp.funding.str(), rc.fills_recovered);
      if (rc.unwind) {
        log_->warn("Recovery: {} legs are not delta-neutral (spot {} vs perp {}): unwinding both legs to flat",
                   p.cfg.base, rp.spot_qty.str(), rp.perp_qty.str());
        engine_->force_exit(p.index, ExitReason::kRecoveryUnwind);
      }
    }
    // Open journal positions that the exchange no longer shows (closed while we were down): archive them.
    for (const PairRuntime& p : pairs_) {
      Recovered& rc = recovered_[p.index];
      if (rc.restore || !rc.record) continue;
      journal::PositionRecord old = *rc.record;
      old.open = false;
      old.closed_us = now;
      old.spot_qty = rc.spot.quantity();
      old.spot_cost = rc.spot.cost();
      old.perp_qty = rc.perp.quantity();
      old.perp_cost = rc.perp.cost();
      old.realized = rc.realized;  // with the fills made while we were down
      old.fees = rc.fees;
      if (jr_ && !jr_->upsert_position(old).ok()) journal_failed();
      log_->info("Journal: position #{} {} is flat on the exchange; archived", old.position_id, old.pair);
    }
    if (jr_) {
      // The daily loss budget survives restarts within the same UTC day.
      if (auto b = jr_->daily_baseline(); b && *b && (*b)->day_start_us == utc_day_start(now)) {
        daily_carried_ = (*b)->baseline;
        engine_->restore_daily_pnl((*b)->day_start_us, daily_carried_);
        log_->info("Journal: today's P&L so far {} USD carried over (daily loss limit {} USD)", usd(daily_carried_),
                   usd(cfg_.risk.max_daily_loss_usd));
      }
      daily_day_us_ = utc_day_start(now);
      daily_realized_start_ = portfolio_->stats().realized_net;
      daily_last_written_ = daily_carried_;
      if (auto st = jr_->trading_state(); st && *st && (*st)->state != "Active") {
        const journal::TradingStateRecord& t = **st;
        const bool stale_daily_loss = t.reason.rfind(to_string(StateReason::kDailyLoss), 0) == 0 &&
                                      utc_day_start(t.since_us) != utc_day_start(now);
        if (resume_ || stale_daily_loss) {
          log_->warn("Journal: last run ended {} ({}); starting Active ({})", t.state, t.reason,
                     resume_ ? "--resume" : "a new UTC day resets the daily loss budget");
          if (!jr_->set_trading_state({"Active", resume_ ? "operator: --resume" : "new UTC day", now}).ok())
            journal_failed();
        } else {
          StateChange c =
              t.state == "Halted" ? risk_.halt(StateReason::kOperator) : risk_.set_reduce_only(StateReason::kOperator);
          log_->error("Journal: trading state {} restored from the last run ({}); `bparb run --resume` starts Active",
                      t.state, t.reason);
          (void)c;
        }
      }
    }
    if (flagged_) {
      StateChange c = risk_.set_reduce_only(StateReason::kOperator);
      on_trading_state(c, "recovery: a position the journal cannot explain (unexplained_positions = flag)");
    }
  }

  void start_trading() {
    portfolio_ = std::make_unique<Portfolio>(pairs_.size());
    params_ = engine_params(cfg_);
    const auto time_based_id = static_cast<std::uint32_t>((clock_.now_us() / kUsPerSecond) % (1u << 21)) << 10;
    if (jr_) {
      // Every id the engine hands out is journaled as an intent before it is sent, and the journal resumes
      // after the highest one: ids stay monotonic across restarts without reserving blocks. A brand-new
      // journal on an account with history starts from the time-derived id, not 1: the exchange still
      // knows the orders (and fills) of earlier ids, and a reused id would pick up their fills.
      if (jr_->peek_next_client_id() <= 1 && time_based_id > 1) {
        if (!jr_->reserve_client_ids(time_based_id - 1))
          return fail_startup("journal " + jr_->path() + ": " + jr_->last_error());
      }
      auto id = jr_->next_client_id();
      if (!id) return fail_startup("journal " + jr_->path() + ": " + jr_->last_error());
      params_.first_client_id = *id;
      log_->info("Journal: client ids resume at {}", *id);
    } else {
      params_.first_client_id = time_based_id;
    }
    engine_ = std::make_unique<ArbEngine>(params_, risk_, *portfolio_, *this);
    for (PairRuntime& p : pairs_) {
      feed_->add_market(*p.spot);
      feed_->add_market(*p.perp);
      // A spot buy's base-asset fee leaves up to one step of dust: closing tolerates it.
      const PairIndex idx = portfolio_->add_pair(p.spot->step_size);
      if (idx != p.index) throw std::logic_error("pair index mismatch");
      engine_->add_pair(
          exec::PairInfo{p.cfg.base, p.spot, p.perp, feed_->book(p.spot->symbol), feed_->book(p.perp->symbol)});
    }
    restore_state();
    feed_->on_book_update([this](std::string_view sym) {
      if (const PairRuntime* p = pair_of(sym)) engine_->on_book_update(p->index, clock_.now_us());
    });
    feed_->on_mark_price([this](std::string_view sym) {
      const PairRuntime* p = pair_of(sym);
      const backpack::MarkInfo* m = feed_->mark(sym);
      if (!p || !m || sym != p->perp->symbol) return;
      FundingInfo f;
      f.rate = m->funding_rate;
      f.interval_ms = p->perp->funding_interval_ms;
      f.next_funding_us = m->next_funding_ms * kUsPerMs;
      f.mark_price = m->mark_price;
      engine_->on_funding_info(p->index, f);
    });
    ws_->handlers().on_order_update = [this](const backpack::OrderUpdateEvent& e, TimestampUs) { on_order_event(e); };
    ws_->subscribe("account.orderUpdate");
    ws_->add_connected_listener([this] { log_->info("WebSocket connected; subscriptions sent"); });
    ws_->add_disconnected_listener([this](const net::DisconnectInfo&) {
      if (!shutting_down_) log_->warn("WebSocket disconnected: books invalid until resynced; reconnecting");
    });
    ws_->start();
    std::string names;
    for (const PairRuntime& p : pairs_) names += (names.empty() ? "" : ", ") + p.cfg.base;
    log_->info("Trading {} pair(s): {} | position {} USD, execute at net >= {}, confidence >= {}", pairs_.size(), names,
               usd(cfg_.strategy.position_size_usd), pct(cfg_.strategy.min_execution_threshold),
               cfg_.strategy.confidence_threshold.str());
    poll_account();
    baseline_funding();
    schedule_fills_reconcile();
    arm_timer();
    svc_.ready(fmt::format("trading {} pair(s), state {}", pairs_.size(), to_string(risk_.state())));
    if (duration_us_ > 0) {
      stop_timer_.expires_after(std::chrono::microseconds(duration_us_));
      stop_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) begin_shutdown("duration reached");
      });
    }
  }

  const PairRuntime* pair_of(std::string_view sym) const noexcept {
    for (const PairRuntime& p : pairs_)
      if (p.spot->symbol == sym || p.perp->symbol == sym) return &p;
    return nullptr;
  }

  void on_order_event(const backpack::OrderUpdateEvent& e) {
    if (!e.has_client_id || !engine_) return;
    exec::OrderUpdate u;
    u.client_id = e.client_id;
    u.cumulative_quantity = e.executed_quantity;
    const TimestampUs now = clock_.now_us();
    switch (e.event) {
      case backpack::OrderEventType::kOrderAccepted:
        u.kind = exec::OrderUpdate::Kind::kAccepted;
        journal_ack(e.client_id, e.order_id, journal::OrderRecordState::kOpen, e.executed_quantity);
        break;
      case backpack::OrderEventType::kOrderFill:
        // The journal is the dedup of record: a fill it has seen (stream replay, or the history query of an
        // unknown outcome) is not booked twice.
        if (e.has_trade_id && !journal_fill(e.trade_id, e.symbol, e.client_id, e.side, e.fill_price, e.fill_quantity,
                                            e.fee, e.fee_symbol, e.is_maker, e.engine_time_us ? e.engine_time_us : now))
          return;
        if (e.has_quantity && e.executed_quantity >= e.quantity)
          journal_ack(e.client_id, e.order_id, journal::OrderRecordState::kFilled, e.executed_quantity);
        u.kind = exec::OrderUpdate::Kind::kFill;
        u.trade_id = e.has_trade_id ? e.trade_id : -1;
        u.fill_quantity = e.fill_quantity;
        u.fill_price = e.fill_price;
        u.fee = e.fee;
        u.fee_symbol = e.fee_symbol;
        u.maker = e.is_maker;
        u.venue_time_us = e.engine_time_us;
        break;
      case backpack::OrderEventType::kOrderCancelled:
        u.kind = exec::OrderUpdate::Kind::kCancelled;
        journal_ack(e.client_id, e.order_id, journal::OrderRecordState::kCancelled, e.executed_quantity);
        break;
      case backpack::OrderEventType::kOrderExpired:
        u.kind = exec::OrderUpdate::Kind::kExpired;
        journal_ack(e.client_id, e.order_id, journal::OrderRecordState::kExpired, e.executed_quantity);
        break;
      default:
        return;
    }
    engine_->on_order_update(u, now);
  }

  void ack_ok(std::uint32_t id, const backpack::Order& o) {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = exec::OrderAck::Kind::kAccepted;
    a.status = o.status;
    a.executed_quantity = o.executed_quantity;
    journal_ack(id, o.id, record_state(o.status), o.executed_quantity);
    engine_->on_order_ack(a, clock_.now_us());
  }

  // A signed request refused for its timestamp means the offset to the exchange's clock is stale (one
  // of the two clocks stepped): measure it again from /api/v1/time, one re-sync at a time.
  void resync_clock_on_expiry(const RestError& e) {
    if (clock_resync_in_flight_ || e.reject != backpack::RestReject::kRequestExpired) return;
    clock_resync_in_flight_ = true;
    log_->warn("Signed request refused as expired ({} ms offset in use): re-measuring the exchange clock",
               rest_->time_offset_ms());
    rest_->sync_time([this](backpack::RestResult<backpack::ServerTimeSync>& t) {
      clock_resync_in_flight_ = false;
      if (!t) return log_->warn("Clock re-sync failed: {} {}", t.error().code, t.error().message);
      ws_->set_time_offset_ms(t->offset_ms);
      log_->warn("Clock offset to exchange re-measured: {} ms (rtt {} us)", t->offset_ms, t->rtt_us);
    });
  }
  bool clock_resync_in_flight_ = false;
  std::string quote_asset_;  // the markets' common quoteSymbol (load_markets)

  void ack_error(std::uint32_t id, const RestError& e) {
    resync_clock_on_expiry(e);
    exec::OrderAck a;
    a.client_id = id;
    a.kind = e.definitely_not_applied() ? exec::OrderAck::Kind::kRejected : exec::OrderAck::Kind::kUnknown;
    a.code = e.code;
    a.message = e.message;
    if (a.kind == exec::OrderAck::Kind::kUnknown)
      log_->warn("Order #{}: outcome unknown ({} {}); will query", id, to_string(e.kind), e.message);
    journal_ack(id, {},
                a.kind == exec::OrderAck::Kind::kRejected ? journal::OrderRecordState::kRejected
                                                          : journal::OrderRecordState::kUnknown,
                Decimal{});
    engine_->on_order_ack(a, clock_.now_us());
  }

  void arm_timer() {
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const TimestampUs now = clock_.now_us();
      engine_->on_timer(now);
      track_unhedged(now);
      if (shutting_down_ && ((engine_->idle() && !(flatten_ && any_open())) || now >= shutdown_deadline_us_)) {
        if (flatten_ && any_open())
          log_->error(
              "Shutdown: positions still open after {} s (flatten_on_shutdown); they stay as they are and "
              "the next start recovers them",
              cfg_.shutdown.timeout_us / kUsPerSecond);
        return finish();
      }
      arm_timer();
    });
  }

  void poll_account() {
    rest_->get_collateral([this](backpack::RestResult<backpack::CollateralSummary>& c) {
      if (!c) {
        log_->warn("Account poll failed: {} {}", c.error().code, c.error().message);
        resync_clock_on_expiry(c.error());
        return schedule_account_poll();
      }
      exec::AccountSnapshot snap;
      snap.view.fees = fees_;
      snap.net_equity = c->net_equity;
      snap.view.available_margin = c->net_equity_available;
      snap.initial_margin_used = c->net_equity_locked;
      rest_->get_capital([this, snap](backpack::RestResult<std::vector<backpack::Balance>>& b) mutable {
        if (b) {
          for (const backpack::Balance& bal : *b) {
            if (bal.asset == quote_asset_) snap.view.available_quote = bal.available;
            for (const PairRuntime& p : pairs_)
              if (bal.asset == p.spot->base_symbol) snap.available_base[p.index] = bal.available;
          }
          engine_->on_account(snap, clock_.now_us());
        }
        journal_daily_pnl();
        schedule_account_poll();
      });
    });
  }
  void schedule_account_poll() {
    if (shutting_down_) return;
    account_timer_.expires_after(std::chrono::microseconds(cfg_.exchange.account_poll_us));
    account_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) poll_account();
    });
  }

  // ---- Fills reconciliation (fills cross-checked with the exchange's fills history). The private stream
  // is the fast path; a fill it lost (a dropped frame, a WebSocket drop during a fill) is found in GET
  // /wapi/v1/history/fills and booked once (the journal and the engine dedup by trade id). A row must be
  // missing on two polls in a row before it is booked, so a stream frame still in flight is not raced.
  void schedule_fills_reconcile() {
    if (shutting_down_ || !engine_) return;
    if (!fills_timer_) fills_timer_ = std::make_unique<asio::steady_timer>(io_);
    fills_timer_->expires_after(std::chrono::microseconds(cfg_.exchange.fills_reconcile_us));
    fills_timer_->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) reconcile_fills();
    });
  }
  // `final_pass` (before exit): every fill the engine is missing is booked at once, without waiting for a
  // second poll (nothing is in flight any more); `done` runs after the answer is booked.
  void reconcile_fills(bool final_pass = false, std::function<void()> done = {}) {
    backpack::FillsQuery q;
    std::int64_t oldest_suspect_ms = 0;
    for (const auto& [trade_id, ts_ms] : fills_suspect_)
      if (oldest_suspect_ms == 0 || ts_ms < oldest_suspect_ms) oldest_suspect_ms = ts_ms;
    const std::int64_t sent_ms = clock_.now_us() / kUsPerMs;
    q.from_ms = fills_window_from_ms(started_us_ / kUsPerMs, fills_last_ok_sent_ms_, oldest_suspect_ms);
    q.limit = 1000;
    rest_->get_fills(
        q, [this, sent_ms, final_pass, done = std::move(done)](backpack::RestResult<std::vector<backpack::Fill>>& r) {
          const auto next = [&] {
            if (done) return done();
            schedule_fills_reconcile();
          };
          if (!r) {
            log_->debug("Fills reconciliation: GET fills failed ({} {}); next poll retries", r.error().code,
                        r.error().message);
            return next();
          }
          const std::uint32_t lo = params_.first_client_id;
          const std::uint32_t hi = engine_->next_client_id();
          fills_last_ok_sent_ms_ = sent_ms;
          std::map<std::int64_t, std::int64_t> still_missing;   // trade id -> exchange timestamp (ms)
          for (auto it = r->rbegin(); it != r->rend(); ++it) {  // oldest first
            const backpack::Fill& f = *it;
            if (!f.client_id || !f.has_trade_id || *f.client_id < lo || *f.client_id >= hi) continue;
            if (engine_->trade_known(*f.client_id, f.trade_id) != exec::ArbEngine::TradeKnown::kMissing) continue;
            if (!final_pass && !fills_suspect_.count(f.trade_id)) {
              still_missing.emplace(f.trade_id, f.timestamp_ms);
              continue;
            }
            if (fills_reported_.insert(f.trade_id).second)
              log_->warn(
                  "Fills reconciliation: trade {} of order #{} ({} {} {} @ {}) is in the fills history but never "
                  "came on the order stream; booking it",
                  f.trade_id, *f.client_id, f.symbol, side_name(f.side), f.quantity.str(), f.price.str());
            if (!journal_fill(f.trade_id, f.symbol, *f.client_id, f.side, f.price, f.quantity, f.fee, f.fee_symbol,
                              f.is_maker, f.timestamp_ms * kUsPerMs))
              continue;  // the journal had it
            engine_->on_order_update(fill_update(f, *f.client_id), clock_.now_us());
          }
          fills_suspect_ = std::move(still_missing);
          next();
        });
  }

  // Funding payments are booked from the exchange's own history, once each (the journal is the dedup of
  // record across runs; seen_funding_ within one), to the position that held the perp at the venue's
  // settlement time (docs/money.md).
  void baseline_funding() {
    fetch_funding([this](const std::vector<backpack::FundingPayment>& payments) {
      for (const auto& f : payments) {
        seen_funding_.insert(funding_key(f));
        if (!journal_funding(f)) continue;  // booked by an earlier run
        const PairRuntime* p = pair_of(f.symbol);
        if (!p) continue;
        const TimestampUs settled_us = f.interval_end_timestamp_ms * kUsPerMs;
        log_->warn("Journal: funding {} {} USDC for the interval ending {} was settled while bparb was down", f.symbol,
                   f.quantity.str(), f.interval_end_timestamp_ms);
        if (portfolio_->has_open(p->index) && portfolio_->position(p->index).opened_venue_us <= settled_us) {
          engine_->on_funding_payment(p->index, f.quantity, settled_us);  // the restored position held it
          continue;
        }
        book_funding_to_journal_position(*p, f.quantity, settled_us);
      }
      schedule_funding_poll();
    });
  }
  // A payment for a position of an earlier run that is closed now: its journal row takes it, and today's
  // P&L (this run's totals) counts it, since no run has reported it yet.
  void book_funding_to_journal_position(const PairRuntime& p, Decimal amount, TimestampUs settled_us) {
    engine_->on_funding_payment(p.index, amount, settled_us);  // totals; no position of this run held it
    if (!jr_) return;
    auto held = jr_->position_held_at(p.cfg.base, settled_us);
    if (!held) return journal_failed();
    if (!*held) {
      log_->warn("Journal: no position of {} was open when that funding settled; it counts in the totals only",
                 p.cfg.base);
      return;
    }
    journal::PositionRecord r = **held;
    r.funding += amount;
    if (!jr_->upsert_position(r).ok()) return journal_failed();
    log_->info("Journal: funding {} USDC booked to position #{} {} (closed): now {}", amount.str(), r.position_id,
               p.cfg.base, pnl_parts(r.realized, r.fees, r.funding));
  }
  static std::string funding_key(const backpack::FundingPayment& f) {
    return f.symbol + "@" + std::to_string(f.interval_end_timestamp_ms);
  }
  // One GET of the funding history; `done` runs with the payments oldest first (empty on failure).
  void fetch_funding(std::function<void(const std::vector<backpack::FundingPayment>&)> done) {
    backpack::FundingHistoryQuery q;
    q.limit = 1000;
    rest_->get_funding_history(
        q, [this, done = std::move(done)](backpack::RestResult<std::vector<backpack::FundingPayment>>& r) {
          if (!r) {
            log_->debug("Funding poll failed ({} {}); the next poll retries", r.error().code, r.error().message);
            return done({});
          }
          std::vector<backpack::FundingPayment> oldest_first(r->rbegin(), r->rend());
          done(oldest_first);
        });
  }
  // Books what the history has that this run has not seen. Returns through `done` when booked.
  void poll_funding(std::function<void()> done) {
    fetch_funding([this, done = std::move(done)](const std::vector<backpack::FundingPayment>& payments) {
      for (const auto& f : payments) {
        if (!seen_funding_.insert(funding_key(f)).second) continue;
        if (!journal_funding(f)) continue;  // booked by an earlier run
        if (const PairRuntime* p = pair_of(f.symbol))
          engine_->on_funding_payment(p->index, f.quantity, f.interval_end_timestamp_ms * kUsPerMs);
      }
      done();
    });
  }
  void schedule_funding_poll() {
    if (shutting_down_) return;
    funding_timer_.expires_after(std::chrono::microseconds(cfg_.exchange.funding_poll_us));
    funding_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) poll_funding([this] { schedule_funding_poll(); });
    });
  }
  // A position just closed: the funding of the interval it closed in is polled now, not at the next tick
  // (one such poll at a time; the periodic poll goes on as it was).
  void poll_funding_soon() {
    if (shutting_down_ || funding_soon_pending_) return;
    funding_soon_pending_ = true;
    poll_funding([this] { funding_soon_pending_ = false; });
  }

  void begin_shutdown(const char* why) {
    if (shutting_down_) return;
    if (!engine_) {  // still starting up
      stop_io();
      return;
    }
    shutting_down_ = true;
    svc_.stopping();
    shutdown_deadline_us_ = clock_.now_us() + cfg_.shutdown.timeout_us;
    flatten_ = cfg_.shutdown.flatten_on_shutdown;
    log_->info("Shutting down ({}): no new positions; cancelling resting orders; {}", why,
               flatten_ ? "closing open positions (flatten_on_shutdown)" : "open positions stay hedged");
    engine_->stop_opening();
    if (flatten_) {
      for (const PairRuntime& p : pairs_) {
        if (engine_->force_exit(p.index, ExitReason::kFlattenOnShutdown))
          log_->warn("Shutdown: closing position {} (reduce-only, flatten_on_shutdown)", p.cfg.base);
      }
    }
    std::vector<std::pair<const MarketSpec*, std::uint32_t>> live;
    engine_->live_orders(live);
    for (auto& [m, id] : live) cancel_order(*m, id);
  }

  // Before exit, after the flatten: one last look at the exchange's fills and funding, so a fill the
  // stream lost or a payment that settled since the last poll is in this run's P&L. Bounded: a venue
  // that does not answer within the REST timeout does not hold the exit (the next start books the rest).
  void finish() {
    if (finishing_) return;
    finishing_ = true;
    funding_timer_.cancel();
    if (fills_timer_) fills_timer_->cancel();
    final_timer_.expires_after(std::chrono::microseconds(2 * cfg_.exchange.rest_timeout_us));
    final_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      log_->warn("Shutdown: final reconciliation did not answer in time; the next start books what is missing");
      finish_now();
    });
    reconcile_fills(/*final_pass=*/true, [this] {
      poll_funding([this] {
        final_timer_.cancel();
        finish_now();
      });
    });
  }
  void finish_now() {
    if (finished_) return;
    finished_ = true;
    log_stats(portfolio_->stats(), risk_.state());
    journal_daily_pnl();
    stop_io();
  }

  RunSummary summary() const {
    RunSummary s;
    s.ran_us = clock_.now_us() - started_us_;
    if (portfolio_) s.stats = portfolio_->stats();
    s.orders_sent = orders_sent_;
    s.orders_rejected = rejected_;
    s.fills = fills_;
    s.hedges = hedges_;
    s.leg_risk_failures = leg_failures_;
    if (feed_) {
      DepthSyncStats d = feed_->sync_stats();
      s.book_gaps = d.gaps;
      s.book_resyncs = d.resyncs;
    }
    if (ws_) {
      s.ws_reconnects = ws_->transport().counters().reconnects;
      s.malformed_frames = ws_->counters().malformed;
    }
    s.trading_state = to_string(risk_.state());
    s.max_unhedged_usd = max_unhedged_usd_;
    s.longest_unhedged_us = longest_unhedged_us_;
    s.journal_path = jr_ ? jr_->path() : std::string();
    if (portfolio_) {
      for (const PairRuntime& p : pairs_) {
        const PositionState& pos = portfolio_->position(p.index);
        s.held.push_back({p.cfg.base, pos.open ? pos.spot.quantity() : Decimal{},
                          pos.open ? pos.perp.quantity() : Decimal{}, portfolio_->dust_written_off(p.index)});
      }
    }
    s.journal_healthy = !jr_ || jr_->healthy();
    return s;
  }

  Config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  SystemClock clock_;
  asio::steady_timer timer_, account_timer_, funding_timer_, stop_timer_, watchdog_timer_;
  asio::steady_timer final_timer_{io_};
  bool finishing_ = false, finished_ = false, funding_soon_pending_ = false;
  RiskGate risk_;
  bool resume_ = false;
  std::optional<journal::Journal> jr_;
  std::optional<TradesCsv> trades_csv_;
  bool journal_alarm_ = false;
  std::vector<journal::IntentRecord> intents_;
  std::vector<backpack::OrderRequest> order_reqs_;       // place_orders: reused request storage
  std::vector<std::unique_ptr<BatchInFlight>> batches_;  // place_orders: batches in flight (stable addresses)
  std::vector<journal::OpenIntent> open_intents_;
  std::int64_t recover_from_ms_ = 0;
  std::vector<Recovered> recovered_;
  bool flagged_ = false;
  std::uint64_t position_id_base_ = 0;
  std::map<std::uint64_t, std::uint64_t> restored_ids_;  // portfolio id of a restored position -> its journal id
  TimestampUs daily_day_us_ = 0;
  Decimal daily_carried_, daily_realized_start_, daily_last_written_;
  ServiceNotifier svc_;
  std::unique_ptr<SignalWatcher> sigs_;
  bool flatten_ = false;
  Decimal max_unhedged_usd_;
  DurationUs longest_unhedged_us_ = 0;
  TimestampUs unhedged_since_us_ = 0;
  DurationUs duration_us_ = 0;
  TimestampUs started_us_ = 0;
  std::optional<std::string> startup_error_;

  std::optional<backpack::SigningKey> key_;
  std::unique_ptr<sim::SimRuntime> sim_;
  std::unique_ptr<sim::SimServer> sim_server_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  std::unique_ptr<backpack::MarketDataFeed> feed_;
  std::deque<MarketSpec> markets_;  // stable addresses
  std::vector<PairRuntime> pairs_;
  FeeSchedule fees_;
  exec::EngineParams params_;
  std::unique_ptr<Portfolio> portfolio_;
  std::unique_ptr<ArbEngine> engine_;
  std::set<std::string> seen_funding_;
  std::unique_ptr<asio::steady_timer> fills_timer_;     // fills reconciliation
  std::map<std::int64_t, std::int64_t> fills_suspect_;  // missing from the stream on the last poll: id -> ts ms
  std::int64_t fills_last_ok_sent_ms_ = 0;              // when the last answered fills poll was sent
  std::set<std::int64_t> fills_reported_;               // missing fills already logged (once each)
  bool shutting_down_ = false;
  TimestampUs shutdown_deadline_us_ = 0;
  std::uint64_t orders_sent_ = 0, rejected_ = 0, fills_ = 0, hedges_ = 0, leg_failures_ = 0;
};

}  // namespace

std::string RunSummary::to_string() const {
  const PnlCents c = pnl_cents(stats.realized_pnl, stats.fees, stats.funding);
  std::ostringstream o;
  o << "bparb summary: ran " << ran_us / kUsPerSecond << " s | opportunities " << stats.opportunities
    << " | positions opened " << stats.executed << ", closed " << stats.closed << ", open " << stats.open
    << " | win rate " << static_cast<int>(std::lround(stats.win_rate * 100)) << "% | realized P&L " << c.spread
    << " USD, fees " << c.fees << " USD, funding " << c.funding << " USD, net " << c.total << " USD\n"
    << "orders sent " << orders_sent << " (rejected " << orders_rejected << ", hedges " << hedges << "), fills "
    << fills << ", leg-risk failures " << leg_risk_failures << " | book gaps " << book_gaps << ", resyncs "
    << book_resyncs << ", ws reconnects " << ws_reconnects << ", malformed frames " << malformed_frames
    << " | trading state " << trading_state << "\n"
    << "max unhedged " << format_usd(max_unhedged_usd) << " USD, longest unhedged " << longest_unhedged_us / kUsPerMs
    << " ms | journal " << (journal_path.empty() ? std::string("disabled") : journal_path)
    << (journal_healthy ? "" : " (WRITE FAILED)");
  return o.str();
}

RunSummary run_daemon(const Config& cfg, const RunOptions& opts) {
  Daemon d(cfg, opts);
  return d.run();
}

}  // namespace bparb::app
