// The daemon's composition root: config, logging, the Backpack adapter (and the embedded bpsim in paper
// mode), the engine and runtime/ (journal writer, recovery, reconciler, the operator's side and the node's
// engine timer and shutdown) on one io_context. It holds what needs the app's Config or the Backpack types:
// the start-up chain (clock, markets, account, recovery, then trading), the engine's and the adapter's
// sinks (journal, log lines, trades CSV), the signal mapping, parsing the file a SIGHUP reloads, the
// --duration timer and the run summary.
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
#include "bparb/app/logging.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/app/service.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/money.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/ingest_fill.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/operator.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/market_data.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::app {
namespace {

namespace asio = boost::asio;
using exec::ArbEngine;
using exec::OrderSpec;

using runtime::pct;
using runtime::record_state;

std::string usd(Decimal d) {
  return format_usd(d);
}

// What the node takes of the configuration: strategy.tick_us, [shutdown], the REST timeout (the final pass
// waits two of them) and the unhedged threshold (1% of position_size_usd).
runtime::NodeOptions node_options(const Config& cfg) {
  runtime::NodeOptions o;
  o.tick_us = cfg.strategy.tick_us;
  o.shutdown_timeout_us = cfg.shutdown.timeout_us;
  o.flatten_on_shutdown = cfg.shutdown.flatten_on_shutdown;
  o.final_pass_timeout_us = 2 * cfg.exchange.rest_timeout_us;
  o.unhedged_threshold_usd = cfg.strategy.position_size_usd.div_int(100, Rounding::kNearest);
  return o;
}

// runtime::Operator's and runtime::Node's view of systemd (service.hpp).
class SystemdNotice final : public runtime::ServiceNotice {
 public:
  explicit SystemdNotice(ServiceNotifier& svc) noexcept : svc_(svc) {}
  void ready() noexcept override { svc_.ready(); }
  void reloading() noexcept override { svc_.reloading(); }
  void stopping() noexcept override { svc_.stopping(); }
  void watchdog_ping() noexcept override { svc_.watchdog_ping(); }
  DurationUs watchdog_ping_interval_us() const noexcept override { return svc_.watchdog_ping_interval_us(); }

 private:
  ServiceNotifier& svc_;
};

class Daemon final : public exec::EngineSink, public backpack::AdapterSink {
 public:
  Daemon(const Config& cfg, const RunOptions& opts)
      : cfg_(cfg),
        log_(spdlog::default_logger()),
        stop_timer_(io_),
        risk_(risk_limits(cfg), clock_),
        resume_(opts.resume_trading) {
    duration_us_ = opts.duration ? *opts.duration : cfg.paper.duration_us;
  }

  RunSummary run() {
    started_us_ = clock_.now_us();
    open_journal();
    {
      const std::string parent = std::filesystem::path(cfg_.logging.file).parent_path().string();
      // (Not `dir = "."` on an empty string: GCC 12 at -O3 reports a false -Wrestrict for it here.)
      const std::string dir = parent.empty() ? std::string(".") : parent;
      trades_csv_.emplace(dir);
      log_->info("Fills are also written to {}/trades_<BASE>_<date>.csv", dir);
    }
    setup_venue();
    sigs_ = std::make_unique<SignalWatcher>(io_, [this](SignalAction a, int signo) { on_signal(a, signo); });
    svc_.status("starting: reconciling with the exchange");
    operator_.arm_watchdog();
    asio::post(io_, [this] { start_up(); });
    io_.run();
    if (startup_error_) throw std::runtime_error(*startup_error_);
    return summary();
  }

  // ---- EngineSink: I/O, through the Backpack adapter
  void place_orders(std::span<const OrderSpec> orders) override { adapter_->place_orders(orders); }
  void cancel_order(const MarketSpec& market, ClientId client_id) override {
    adapter_->cancel_order(market, client_id);
  }
  void query_order(const MarketSpec& market, ClientId client_id) override { adapter_->query_order(market, client_id); }

  // ---- AdapterSink: what the venue reported
  bool before_send(std::span<const OrderSpec> orders) override {
    for (const OrderSpec& o : orders)
      if (o.purpose == exec::OrderPurpose::kHedge) ++hedges_;
    // Write-ahead: the intents are durable before a byte leaves, so a crash after the send always leaves
    // something to ask the exchange about. No journal, no order.
    if (!journal_intents(orders)) return false;
    orders_sent_ += orders.size();
    return true;
  }
  void on_sent(std::span<const OrderSpec> legs) override { lines_.placing(legs); }
  void on_ack(const exec::OrderAck& a, std::string_view exchange_order_id) override {
    const journal::OrderRecordState st = a.kind == exec::OrderAck::Kind::kAccepted ? record_state(a.status)
                                         : a.kind == exec::OrderAck::Kind::kRejected
                                             ? journal::OrderRecordState::kRejected
                                             : journal::OrderRecordState::kUnknown;
    journal_.ack(a.client_id, exchange_order_id, st, a.executed_quantity);
    engine_->on_order_ack(a, clock_.now_us());
  }
  void on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) override {
    using K = exec::OrderUpdate::Kind;
    const journal::OrderRecordState st = u.kind == K::kAccepted    ? journal::OrderRecordState::kOpen
                                         : u.kind == K::kCancelled ? journal::OrderRecordState::kCancelled
                                                                   : journal::OrderRecordState::kExpired;
    journal_.ack(u.client_id, exchange_order_id, st, u.cumulative_quantity);
    engine_->on_order_update(u, clock_.now_us());
  }
  // The journal is the dedup of record: a fill it has seen (stream replay, the history query of an unknown
  // outcome, the fills reconciliation) is not booked twice.
  void on_fill(const exec::FillReport& f) override {
    runtime::ingest_fill(journal_, f, [this](const exec::FillReport& r) {
      engine_->on_order_update(runtime::fill_update(r), clock_.now_us());
    });
  }
  void on_query(ClientId client_id, bool found, OrderStatus status, Decimal executed) override {
    engine_->on_order_query(client_id, found, status, executed, clock_.now_us());
  }

  // ---- EngineSink: log lines (the greppable contract of the README)
  void on_opportunity(const exec::PairInfo& p, const BasisQuote& q) override { lines_.opportunity(p, q); }
  void on_entry_refused(const exec::PairInfo& p, const BasisQuote&, std::string_view leg,
                        const RiskDecision& d) override {
    lines_.entry_refused(p, leg, d);
  }
  void on_position_opened(const exec::PairInfo& p, const PositionState& pos, const BasisQuote& q) override {
    journal_.position(p.name, pos);
    lines_.position_opened(p, journal_.position_id(pos.id), pos, q);
  }
  void on_exit_signal(const exec::PairInfo& p, const PositionState& pos, const ExitSignal& s) override {
    lines_.exit_signal(p, journal_.position_id(pos.id), s);
  }
  void on_position_closed(const exec::PairInfo& p, const PositionState& pos, ExitReason r) override {
    journal_.position(p.name, pos);
    journal_daily_pnl();
    lines_.position_closed(p, journal_.position_id(pos.id), pos, r);
    // Funding of the interval this position was closed in may settle, or be polled, a little later: poll
    // now rather than at the next tick, so the record is complete as soon as the venue allows.
    if (reconciler_) reconciler_->poll_funding_soon();
  }
  void on_trade_abandoned(const exec::PairInfo& p, std::string_view why) override { lines_.trade_abandoned(p, why); }
  void on_fill(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
               std::string_view fee_symbol, bool maker) override {
    ++fills_;
    if (portfolio_) journal_.position(p.name, portfolio_->position(o.pair));
    lines_.fill(p, o, qty, price, fee, fee_symbol, maker);
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
    if (d.action == exec::LegRiskAction::kFailed) ++leg_failures_;
    lines_.leg_risk(p, d);
  }
  void on_order_rejected(const exec::PairInfo& p, const OrderSpec& o, std::string_view code,
                         std::string_view message) override {
    ++rejected_;
    lines_.order_rejected(p, o, code, message);
  }
  void on_trading_state(const StateChange& c, std::string_view why) override {
    if (!c.changed) return;
    lines_.trading_state(c, why);
    journal_.trading_state(c, why);
  }
  void on_stats(const StrategyStats& s, TradingState st) override {
    lines_.stats(s, st);
    lines_.exposure(node_.max_unhedged_usd(), node_.longest_unhedged_us());
    svc_.status(fmt::format("{}: open {} closed {} net {} USD", to_string(st), s.open, s.closed, usd(s.realized_net)));
  }
  void on_funding(const exec::PairInfo& p, Decimal amount, const FundingOutcome& o) override {
    lines_.funding(p, amount, o, journal_.position_id(o.position.id));
    if (o.target == FundingTarget::kOpenPosition || o.target == FundingTarget::kClosedPosition)
      journal_.position(p.name, o.position);  // a closed position's row is rewritten
    journal_daily_pnl();
  }
  void on_fill_problem(const exec::PairInfo& p, const OrderSpec& o, FillProblem why, Decimal qty, Decimal price,
                       Decimal fee, std::string_view fee_symbol) override {
    lines_.fill_problem(p, o, why, qty, price, fee, fee_symbol);
  }

 private:
  struct PairRuntime {
    PairConfig cfg;
    const MarketSpec* spot = nullptr;
    const MarketSpec* perp = nullptr;
    PairIndex index = 0;
  };

  // ---- Journal (README "Restart and recovery"): the writer latches every write failure.
  void open_journal() {
    journal_.on_failure([this] {
      svc_.status("ReduceOnly: journal write failed");
      StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
      on_trading_state(c, "journal write failed");
    });
    journal_.open({cfg_.journal.enabled, cfg_.journal.path, cfg_.exchange.mode == Mode::kPaper});
  }
  journal::Journal* jr() noexcept { return journal_.journal(); }
  const journal::Journal* jr() const noexcept { return journal_.journal(); }

  // False = the batch must not be sent (the intents could not be made durable).
  bool journal_intents(std::span<const OrderSpec> orders) {
    if (journal_.intents(orders)) return true;
    std::vector<ClientId> ids;
    for (const OrderSpec& o : orders) ids.push_back(o.client_id);
    // Answers are events: never call back into the engine from inside its own call.
    asio::post(io_, [this, ids] {
      for (ClientId id : ids) {
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

  void journal_daily_pnl() {
    if (!engine_ || !portfolio_) return;
    journal_.daily_pnl(portfolio_->stats().realized_net);
  }

  // ---- Signals: the mapping is the app's (signals.hpp); the lines and what they do are runtime/operator.
  void on_signal(SignalAction a, int signo) {
    switch (a) {
      case SignalAction::kShutdown:
        operator_.shutdown_requested(signo);
        begin_shutdown("signal");
        break;
      case SignalAction::kForceExit:
        operator_.force_exit(signo);
      case SignalAction::kReload: {
        const std::string path = cfg_.source_path;  // a copy: reload_config() replaces cfg_
        const auto load = [this] { return reload_config(); };
        operator_.reload(path, load, engine_.get(), risk_);
        break;
      }
      case SignalAction::kDumpStatus:
        operator_.log_status(risk_, engine_.get(), portfolio_.get(), pair_refs(), journal_);
        break;
      case SignalAction::kIgnore:
        break;
    }
  }

  // SIGHUP: re-reads the file and takes the thresholds only ([strategy], [execution], [risk], [recovery],
  // [shutdown]); the rest needs a restart. cfg_ holds the applied values once this returns kApplied.
  runtime::ReloadOutcome reload_config() {
    runtime::ReloadOutcome r;
    Config next;
    try {
      next = load_config(cfg_.source_path);
    } catch (const ConfigError& e) {
      r.status = runtime::ReloadOutcome::Status::kInvalid;
      r.error = e.what();
      return r;
    } catch (const std::exception& e) {
      r.status = runtime::ReloadOutcome::Status::kUnreadable;
      r.error = e.what();
      return r;
    }
    r.restart_required = restart_required_changes(cfg_, next);
    Config applied = cfg_;
    applied.strategy = next.strategy;
    applied.execution = next.execution;
    applied.risk = next.risk;
    applied.recovery = next.recovery;
    applied.shutdown = next.shutdown;
    r.changes = threshold_changes(cfg_, applied);
    cfg_ = applied;
    node_.set_options(node_options(cfg_));
    r.status = runtime::ReloadOutcome::Status::kApplied;
    r.params = engine_params(cfg_);
    r.limits = risk_limits(cfg_);
    return r;
  }

  std::vector<runtime::PairRef> pair_refs() const {
    std::vector<runtime::PairRef> refs;
    for (const PairRuntime& p : pairs_) refs.push_back({p.cfg.base, p.spot, p.perp, p.index});
    return refs;
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
    adapter_ =
        std::make_unique<backpack::BackpackAdapter>(io_, clock_, *rest_, *ws_, markets_, started_us_, log_, *this);
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
    node_.cancel();
    if (reconciler_) reconciler_->cancel();
    stop_timer_.cancel();
    operator_.cancel();
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
    std::vector<std::string> names;
    for (const PairRuntime& p : pairs_) names.push_back(p.cfg.base);
    journal_.set_pair_names(std::move(names));
    rest_->get_account([this](backpack::RestResult<backpack::AccountSummary>& a) {
      if (!a) return fail_startup("GET /api/v1/account failed: " + a.error().code + " " + a.error().message);
      fees_ = {a->spot_maker_fee_bps, a->spot_taker_fee_bps, a->futures_maker_fee_bps, a->futures_taker_fee_bps};
      log_->info("Account fee rates (bps): spot maker {} taker {}, perp maker {} taker {}", fees_.spot_maker_bps.str(),
                 fees_.spot_taker_bps.str(), fees_.perp_maker_bps.str(), fees_.perp_taker_bps.str());
      if (a->liquidating) return fail_startup("the account is being liquidated");
      start_recovery();
    });
  }

  // ---- Recovery (runtime/recovery.hpp): start-up and crash recovery are one path.
  void start_recovery() {
    runtime::RecoveryOptions ro;
    switch (cfg_.recovery.unexplained_positions) {
      case UnexplainedPolicy::kRefuse:
        ro.unexplained = runtime::RecoveryOptions::Unexplained::kRefuse;
        break;
      case UnexplainedPolicy::kFlag:
        ro.unexplained = runtime::RecoveryOptions::Unexplained::kFlag;
        break;
      case UnexplainedPolicy::kAdopt:
        ro.unexplained = runtime::RecoveryOptions::Unexplained::kAdopt;
        break;
    }
    ro.source_path = cfg_.source_path;
    ro.min_account_balance_usd = cfg_.risk.min_account_balance_usd;
    ro.max_daily_loss_usd = cfg_.risk.max_daily_loss_usd;
    ro.resume = resume_;
    recovery_ =
        std::make_unique<runtime::Recovery>(log_, clock_, journal_, *adapter_, markets_, pair_refs(), std::move(ro));
    recovery_->run([this](const std::string& why) { fail_startup(why); }, [this] { start_trading(); });
  }

  void start_trading() {
    portfolio_ = std::make_unique<Portfolio>(pairs_.size());
    params_ = engine_params(cfg_);
    const auto time_based_id = static_cast<std::uint32_t>((clock_.now_us() / kUsPerSecond) % (1u << 21)) << 10;
    if (jr()) {
      // Every id the engine hands out is journaled as an intent before it is sent, and the journal resumes
      // after the highest one: ids stay monotonic across restarts without reserving blocks. A brand-new
      // journal on an account with history starts from the time-derived id, not 1: the exchange still
      // knows the orders (and fills) of earlier ids, and a reused id would pick up their fills.
      if (jr()->peek_next_client_id() <= 1 && time_based_id > 1) {
        if (!jr()->reserve_client_ids(time_based_id - 1))
          return fail_startup("journal " + jr()->path() + ": " + jr()->last_error());
      }
      auto id = jr()->next_client_id();
      if (!id) return fail_startup("journal " + jr()->path() + ": " + jr()->last_error());
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
    recovery_->restore(*engine_, *portfolio_, risk_,
                       [this](const StateChange& c, std::string_view why) { on_trading_state(c, why); });
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
    ws_->handlers().on_order_update = [this](const backpack::OrderUpdateEvent& e, TimestampUs) {
      adapter_->on_order_event(e);
    };
    ws_->subscribe("account.orderUpdate");
    ws_->add_connected_listener([this] { log_->info("WebSocket connected; subscriptions sent"); });
    ws_->add_disconnected_listener([this](const net::DisconnectInfo&) {
      if (!node_.shutting_down()) log_->warn("WebSocket disconnected: books invalid until resynced; reconnecting");
    });
    ws_->start();
    std::string names;
    for (const PairRuntime& p : pairs_) names += (names.empty() ? "" : ", ") + p.cfg.base;
    log_->info("Trading {} pair(s): {} | position {} USD, execute at net >= {}, confidence >= {}", pairs_.size(), names,
               usd(cfg_.strategy.position_size_usd), pct(cfg_.strategy.min_execution_threshold),
               cfg_.strategy.confidence_threshold.str());
    reconciler_ = std::make_unique<runtime::Reconciler>(
        io_, log_, clock_, journal_, *adapter_, pair_refs(), quote_asset_, fees_,
        runtime::ReconcilerOptions{cfg_.exchange.account_poll_us, cfg_.exchange.fills_reconcile_us,
                                   cfg_.exchange.funding_poll_us, started_us_});
    reconciler_->start(*engine_, *portfolio_, params_.first_client_id);
    runtime::NodeHooks hooks;
    hooks.cancel_order = [this](const MarketSpec& m, ClientId id) { cancel_order(m, id); };
    hooks.mark = [this](const MarketSpec& perp) {
      const OrderBook* b = feed_->book(perp.symbol);
      return b ? b->mid() : Decimal{};
    };
    hooks.stop = [this] { stop_io(); };
    node_.start(*engine_, *portfolio_, *reconciler_, pair_refs(), std::move(hooks));
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

  void begin_shutdown(const char* why) {
    if (node_.shutting_down()) return;
    if (!engine_) {  // still starting up
      stop_io();
      return;
    }
    node_.begin_shutdown(why);
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
    s.max_unhedged_usd = node_.max_unhedged_usd();
    s.longest_unhedged_us = node_.longest_unhedged_us();
    s.journal_path = jr() ? jr()->path() : std::string();
    if (portfolio_) {
      for (const PairRuntime& p : pairs_) {
        const PositionState& pos = portfolio_->position(p.index);
        s.held.push_back({p.cfg.base, pos.open ? pos.spot.quantity() : Decimal{},
                          pos.open ? pos.perp.quantity() : Decimal{}, portfolio_->dust_written_off(p.index)});
      }
    }
    s.journal_healthy = !jr() || jr()->healthy();
    return s;
  }

  Config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  SystemClock clock_;
  asio::steady_timer stop_timer_;
  RiskGate risk_;
  runtime::LogLines lines_{log_};
  runtime::JournalWriter journal_{log_, clock_};
  bool resume_ = false;
  std::optional<TradesCsv> trades_csv_;
  std::unique_ptr<runtime::Recovery> recovery_;
  ServiceNotifier svc_;
  std::unique_ptr<SignalWatcher> sigs_;
  SystemdNotice notice_{svc_};
  runtime::Operator operator_{io_, log_, notice_};
  runtime::Node node_{io_, log_, clock_, risk_, lines_, journal_, notice_, node_options(cfg_)};
  DurationUs duration_us_ = 0;
  TimestampUs started_us_ = 0;
  std::optional<std::string> startup_error_;

  std::optional<backpack::SigningKey> key_;
  std::unique_ptr<sim::SimRuntime> sim_;
  std::unique_ptr<sim::SimServer> sim_server_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  std::unique_ptr<backpack::MarketDataFeed> feed_;
  std::unique_ptr<backpack::BackpackAdapter> adapter_;
  std::deque<MarketSpec> markets_;  // stable addresses
  std::vector<PairRuntime> pairs_;
  std::string quote_asset_;  // the markets' common quoteSymbol (load_markets)
  FeeSchedule fees_;
  exec::EngineParams params_;
  std::unique_ptr<Portfolio> portfolio_;
  std::unique_ptr<ArbEngine> engine_;
  std::unique_ptr<runtime::Reconciler> reconciler_;
  std::uint64_t orders_sent_ = 0, rejected_ = 0, fills_ = 0, hedges_ = 0, leg_failures_ = 0;
};

}  // namespace

RunSummary run_daemon(const Config& cfg, const RunOptions& opts) {
  Daemon d(cfg, opts);
  return d.run();
}

}  // namespace bparb::app
