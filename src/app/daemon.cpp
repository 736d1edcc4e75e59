// The daemon's composition root: it builds each piece's options from the Config (node_options.hpp), creates
// the pieces on one io_context — the journal writer, the Backpack venue (venue/backpack/venue.hpp) and in
// paper mode the embedded bpsim it talks to (runtime/paper.hpp), the start-up chain (runtime/startup.hpp),
// the engine, the reconciler, the operator and the node — connects them through NodeEvents (node_events.hpp)
// and runs until the node stops it. What stays here needs the app's Config: the signal mapping, the
// --duration timer and the run summary. The strategy it runs is a StrategyNode made from [strategy] kind
// (strategy_node.hpp), and each venue it hosts beside Backpack is a VenueNode made from [venues.<name>]
// (venue_node.hpp): the daemon calls their hooks at fixed points and names no strategy and no venue but Backpack,
// the primary venue it is built on.
#include "bparb/app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bparb/alerts/alerter.hpp"
#include "bparb/app/alert_setup.hpp"
#include "bparb/app/cli.hpp"
#include "bparb/app/config_json.hpp"
#include "bparb/app/engine_config.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/app/node_observers.hpp"
#include "bparb/app/node_options.hpp"
#include "bparb/app/pnl_report.hpp"
#include "bparb/app/ready_gate.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/app/service.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/app/strategy_node.hpp"
#include "bparb/app/venue_node.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/money.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/engine_observers.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/operator.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/startup.hpp"
#include "bparb/service/control.hpp"
#include "bparb/service/engine_control.hpp"
#include "bparb/service/event_log.hpp"
#include "bparb/service/http.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/venue.hpp"

namespace bparb::app {
namespace {

namespace asio = boost::asio;

// How often GET /api/v1/pnl's report is re-read from the journal (every position, fill and funding row, on
// the PnlReportWorker's thread: not once a second).
constexpr DurationUs kPnlRefreshUs = 10 * kUsPerSecond;

// With the service on, the daemon logs through a copy of the default logger that has the events ring as
// one more sink, behind the redactor like every sink, so GET /api/v1/events shows what the log file gets.
std::shared_ptr<spdlog::logger> daemon_logger(const Config& cfg, std::shared_ptr<service::EventLogSink>& ring) {
  std::shared_ptr<spdlog::logger> base = spdlog::default_logger();
  if (!cfg.service.enabled) return base;
  ring = std::make_shared<service::EventLogSink>();
  std::shared_ptr<spdlog::logger> l = base->clone(base->name());
  l->sinks().push_back(make_redacting_sink(ring, Redactor::global()));
  return l;
}

class Daemon final {
 public:
  Daemon(const Config& cfg, const RunOptions& opts)
      : cfg_(cfg),
        log_(daemon_logger(cfg_, event_log_)),
        stop_timer_(io_),
        risk_(risk_limits(cfg), clock_),
        resume_(opts.resume_trading) {
    duration_us_ = opts.duration ? *opts.duration : cfg.paper.duration_us;
    StrategyContext ctx{io_,      log_,    clock_,     cfg_,           instruments_,     risk_,          lines_,
                        journal_, events_, observers_, line_observer_, status_observer_, trade_records_, bp_,
                        startup_, venues_, alerter_};
    strategy_ = make_strategy_node(cfg_.strategy.kind, ctx);
  }

  RunSummary run() {
    started_us_ = clock_.now_us();
    attach_observers();
    start_alerts();  // first: a missing alert token stops the start before anything is opened
    open_journal();
    if (!strategy_->writes_own_trades_csv()) trade_records_.open_trades_csv(cfg_.logging.file);
    setup_venue();
    sigs_ = std::make_unique<SignalWatcher>(io_, [this](SignalAction a, int signo) { on_signal(a, signo); });
    svc_.status("starting: reconciling with the exchange");
    operator_.arm_watchdog();
    start_service();
    asio::post(io_, [this] { start_up(); });
    io_.run();
    RunSummary s = summary();
    finish_alerts(s);
    if (startup_error_) throw std::runtime_error(*startup_error_);
    return s;
  }

  // The journal before the log lines: a position's journal number exists when its line is written.
  void attach_observers() {
    observers_.add(events_.run_metrics());
    observers_.add(journal_observer_);
    observers_.add(line_observer_);
    observers_.add(status_observer_);
    observers_.add(trade_records_);
    observers_.add(alert_observer_);
    events_.set_observers(observers_);
  }

  // ---- Operator alerts (docs/alerts.md): off unless [[alerts.sinks]] are configured.
  void start_alerts() {
    if (!cfg_.alerts.enabled()) return;
    alerter_ = std::make_unique<alerts::Alerter>(io_, clock_, log_, alert_options(cfg_));
    events_.set_alerter(alerter_.get());
    alert_observer_.set_alerter(alerter_.get());
    log_->info("Alerts: {} sink(s)", cfg_.alerts.sinks.size());
  }
  // The stop alert goes out after the loop ended: the alerter turns the loop until it is delivered (bounded).
  void finish_alerts(const RunSummary& s) {
    if (!alerter_) return;
    alert_stop(*alerter_, s,
               startup_error_ ? "start-up check failed: " + Redactor::global()->redact(*startup_error_) : "shut down",
               startup_error_.has_value());
    alerter_->drain(cfg_.alerts.timeout_us * 2);
    alerter_->stop();
  }

 private:
  // ---- Journal (README "Restart and recovery"): the writer latches every write failure.
  void open_journal() {
    journal_.on_failure([this] {
      svc_.status("ReduceOnly: journal write failed");
      StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
      observers_.on_event(exec::event::TradingStateChanged{c, exec::ReasonText::of("journal write failed")});
    });
    journal_.open({cfg_.journal.enabled, cfg_.journal.path, cfg_.exchange.mode == Mode::kPaper});
  }
  const journal::Journal* jr() const noexcept { return journal_.journal(); }

  // ---- Signals: the mapping is the app's (signals.hpp); the lines and what they do are runtime/operator.
  void on_signal(SignalAction a, int signo) {
    switch (a) {
      case SignalAction::kShutdown:
        operator_.shutdown_requested(signo);
        begin_shutdown("signal");
        break;
      case SignalAction::kForceExit:
        operator_.force_exit(signo);
      case SignalAction::kReload:
        reload("SIGHUP");
        break;
      case SignalAction::kDumpStatus:
        operator_.log_status(risk_, engine_.get(), portfolio_.get(), pairs(), journal_);
        break;
      case SignalAction::kReopenLog:
        if (auto r = reopen_log_file())
          log_->info("SIGUSR2: reopened log file {}", *r);
        else
          log_->error("SIGUSR2: {}; logging goes on to the old file", r.error());
        break;
      case SignalAction::kIgnore:
        break;
    }
  }

  // SIGHUP and POST /api/v1/reload: the thresholds of the config file, re-read.
  runtime::ReloadOutcome reload(std::string_view trigger) {
    const std::string path = cfg_.source_path;  // a copy: the reload replaces cfg_
    const auto load = [this] {
      runtime::ReloadOutcome r = reload_thresholds(cfg_);
      if (r.status == runtime::ReloadOutcome::Status::kApplied) {
        node_.set_options(node_options(cfg_));
        strategy_->reload();
        if (http_) config_json_ = std::make_shared<const std::string>(render_config_json(cfg_));
      }
      if (alerter_) alert_reload(*alerter_, r);
      return r;
    };
    return operator_.reload(path, load, engine_.get(), risk_, trigger);
  }

  // The traded pairs (empty until start-up loaded the markets), the strategy's.
  const std::vector<runtime::PairRef>& pairs() const noexcept { return strategy_->pairs(); }

  void setup_venue() {
    backpack::BackpackVenueOptions vo = backpack_venue_options(cfg_);
    std::vector<std::unique_ptr<VenuePlan>> plans = venue_plans(cfg_);
    if (cfg_.exchange.mode == Mode::kPaper) {
      // Embedded bpsim: a fresh key for a fresh simulated account, served on loopback.
      key_.emplace(backpack::SigningKey::generate());
      runtime::PaperOptions po = paper_options(cfg_, key_->public_key_base64());
      for (const std::unique_ptr<VenuePlan>& p : plans) p->paper(po);
      paper_ = std::make_unique<runtime::PaperExchange>(io_, po);
      vo.rest_url = paper_->http_url();
      vo.ws_url = paper_->ws_url();
      log_->info(
          "Paper mode: embedded bpsim on {} (simulated account {}, no "
          "real keys, no network)",
          vo.rest_url, key_->public_key_base64().substr(0, 8) + "…");
    } else {
      SecretsOptions so;
      so.env_file = cfg_.exchange.env_file;
      Credentials cred = load_credentials(so);
      for (const std::string& w : cred.warnings) log_->warn("{}", w);
      auto k = backpack::SigningKey::from_base64_secret(cred.private_key_base64);
      if (!k) throw std::runtime_error("BACKPACK_PRIVATE_KEY: " + k.error());
      key_.emplace(std::move(*k));
      log_->info("Live mode: {} with API key {}", vo.rest_url, cred.fingerprint());
    }
    bp_ = backpack::make_backpack_venue(io_, clock_, vo, *key_, instruments_, started_us_, log_, events_);
    events_.set_adapter(*bp_.adapter);
    // Each [venues.<name>] with markets: one more venue beside Backpack (venue_node.hpp).
    VenueContext vc{io_, clock_, log_, journal_, instruments_, cfg_, events_};
    for (const std::unique_ptr<VenuePlan>& p : plans) venues_.push_back(p->make(vc, paper_.get()));
  }

  void fail_startup(const std::string& msg) {
    startup_error_ = msg;
    log_->critical("Start-up check failed: {}", msg);
    stop_io();
  }

  void stop_io() {
    if (http_) http_->stop();
    if (bp_.ws) bp_.ws->close();
    for (const std::unique_ptr<VenueNode>& v : venues_) v->close();
    if (paper_) paper_->stop();
    node_.cancel();
    if (reconciler_) reconciler_->cancel();
    strategy_->cancel();
    stop_timer_.cancel();
    ready_gate_.cancel();
    operator_.cancel();
    if (sigs_) sigs_->cancel();
    io_.stop();
  }

  // Start-up is a chain of checks (runtime/startup.hpp); any failure stops before anything is traded.
  void start_up() {
    runtime::StartupOptions so = startup_options(cfg_, resume_);
    strategy_->startup_options(so);
    startup_ = std::make_unique<runtime::Startup>(log_, clock_, journal_, *bp_.adapter, *bp_.adapter, instruments_,
                                                  std::move(so));
    startup_->run([this](const runtime::StartupFailure& f) { fail_startup(f.message); },
                  [this] {
                    if (venues_.empty()) return start_trading();
                    start_up_venue(0);
                  });
  }
  // Each further venue's start-up in turn after Backpack's, then the strategy's recovery step.
  void start_up_venue(std::size_t i) {
    if (i == venues_.size())
      return strategy_->recover(
          startup_options(cfg_, resume_).recovery, [this](const std::string& m) { fail_startup(m); },
          [this] { start_trading(); });
    venues_[i]->start_up(
        startup_options(cfg_, resume_).recovery, [this](const std::string& m) { fail_startup(m); },
        [this, i] { start_up_venue(i + 1); });
  }
  // A clean stop lets each further venue stop in turn (bounded), e.g. a dead-man switch aborting its schedule.
  void stop_venue(std::size_t i) {
    if (i == venues_.size()) return stop_io();
    venues_[i]->stop(cfg_.shutdown.timeout_us, [this, i] { stop_venue(i + 1); });
  }

  void start_trading() {
    portfolio_ = std::make_unique<Portfolio>(pairs().size());
    params_ = engine_params(cfg_);
    params_.first_client_id = startup_->first_client_id();
    engine_ = std::make_unique<exec::ArbEngine>(params_, instruments_, risk_, *portfolio_, events_, observers_,
                                                strategy_->engine_strategy());
    events_.set_engine(*engine_);
    journal_observer_.set_engine(*engine_, *portfolio_);
    line_observer_.set_engine(*engine_);
    trade_records_.set_engine(*engine_, *portfolio_);
    alert_observer_.set_engine(*engine_);
    if (control_) control_->attach(*engine_);  // an operator's pause during start-up holds from here
    strategy_->start(*engine_, *portfolio_);
    const auto on_state = [this](const StateChange& c, std::string_view why) {
      observers_.on_event(exec::event::TradingStateChanged{c, exec::ReasonText::of(why)});
    };
    strategy_->restore(*engine_, *portfolio_, on_state);  // before the venue's: today's P&L is measured from it
    startup_->recovery().restore(*engine_, *portfolio_, risk_, on_state);
    for (const std::unique_ptr<VenueNode>& v : venues_)
      if (const std::string_view why = v->recovery_flag(); !why.empty())
        observers_.on_event(
            exec::event::TradingStateChanged{risk_.set_reduce_only(StateReason::kOperator), exec::ReasonText::of(why)});
    events_.listen(bp_, pairs());
    bp_.ws->start();
    strategy_->announce();
    const runtime::ReconcilerOptions ro{cfg_.exchange.account_poll_us, cfg_.exchange.fills_reconcile_us,
                                        cfg_.exchange.funding_poll_us, started_us_};
    reconciler_ = std::make_unique<runtime::Reconciler>(io_, log_, clock_, journal_, *bp_.adapter, startup_->pairs(),
                                                        startup_->quote_asset(), startup_->fees(), ro);
    events_.set_reconciler(*reconciler_);
    journal_observer_.set_reconciler(reconciler_.get());
    reconciler_->start(*engine_, *portfolio_, params_.first_client_id);
    for (const std::unique_ptr<VenueNode>& v : venues_)
      v->start_trading(*engine_, *portfolio_, params_.first_client_id, startup_->fees(), ro);
    strategy_->book_funding(*engine_, *reconciler_);
    runtime::NodeHooks hooks;
    hooks.cancel_orders = [this](std::span<const exec::LiveOrder> live) { events_.cancel_all(live); };
    hooks.mark = [this](const MarketSpec& perp) {
      const OrderBook* b = bp_.feed->book(perp.symbol);
      return b ? b->mid() : Decimal{};
    };
    hooks.stop = [this] { stop_venue(0); };
    strategy_->node_hooks(*engine_, *portfolio_, hooks);
    node_.start(*engine_, *portfolio_, *reconciler_, pairs(), std::move(hooks));
    std::size_t books = 2 * startup_->pairs().size() + startup_->perps().size();
    for (const std::unique_ptr<VenueNode>& v : venues_) books += v->book_count();
    ready_gate_.start(
        books,
        [this] {
          std::size_t n = 0;
          for (const std::unique_ptr<VenueNode>& v : venues_) n += v->valid_books();
          for (const InstrumentId id : startup_->perps())
            n += static_cast<std::size_t>(bp_.feed->book_valid(instruments_.market(id).symbol));
          for (const runtime::PairRef& p : startup_->pairs())
            n += static_cast<std::size_t>(bp_.feed->book_valid(p.spot->symbol)) + bp_.feed->book_valid(p.perp->symbol);
          return n;
        },
        [this] { return fmt::format("trading {} pair(s), state {}", pairs().size(), to_string(risk_.state())); });
    if (alerter_) {
      alert_start(*alerter_, cfg_, pairs().size(), to_string(risk_.state()));
      alerter_->start_digest([this] { return digest_totals(portfolio_->stats()); });
      alerter_->start_naked_leg_watch([this] { return node_.unhedged_since_us(); });
    }
    if (duration_us_ > 0) {
      stop_timer_.expires_after(std::chrono::microseconds(duration_us_));
      stop_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) begin_shutdown("duration reached");
      });
    }
  }

  void begin_shutdown(const char* why) {
    if (node_.shutting_down()) return;
    if (engine_) strategy_->stop();
    if (!engine_) {  // still starting up
      svc_.stopping();
      stop_io();
      return;
    }
    node_.begin_shutdown(why);
  }

  // ---- The operator's HTTP surface (service/http.hpp): off unless [service] enabled = true.
  void start_service() {
    if (!cfg_.service.enabled) return;
    service::ServerOptions so;
    so.address = cfg_.service.address;
    so.port = cfg_.service.port;
    so.allow_remote = cfg_.service.allow_remote;
    config_hash_ = service::sha256_file_hex(cfg_.source_path);
    config_json_ = std::make_shared<const std::string>(render_config_json(cfg_));
    http_ = std::make_unique<service::Server>(io_, clock_, log_, so, [this](service::Snapshot& s) { snapshot(s); });
    const std::string control = start_control();
    auto port = http_->start();
    if (!port) throw std::runtime_error(port.error());
    log_->info(
        "Service: listening on {} (live page, stream, status, metrics, positions, orders, fills, pnl, events, config; "
        "{})",
        http_->url(), control);
  }
  // The control endpoints (service/control.hpp): disabled (403) unless BPARB_CONTROL_TOKEN is set. What the
  // start-up line says about them.
  std::string start_control() {
    SecretsOptions so;
    so.env_file = cfg_.exchange.env_file;
    ControlToken token = load_control_token(so);  // throws on a weak token: start-up stops, naming it
    for (const std::string& w : token.warnings) log_->warn("{}", w);
    service::EngineControlHooks hooks;
    hooks.cancel_orders = [this](std::span<const exec::LiveOrder> live) { events_.cancel_all(live); };
    hooks.reload = [this] { return reload_report(reload("POST /api/v1/reload")); };
    hooks.shutting_down = [this] { return node_.shutting_down(); };
    control_ = std::make_unique<service::EngineControl>(risk_, std::move(hooks));
    http_->set_control(std::make_shared<service::ControlHandler>(token.value, *control_, log_));
    return token.configured() ? "control enabled, token from " + token.source
                              : std::string("control disabled: ") + std::string(kControlTokenVar) + " not set";
  }
  static service::ReloadReport reload_report(const runtime::ReloadOutcome& o) {
    service::ReloadReport r;
    r.status = o.status == runtime::ReloadOutcome::Status::kApplied ? service::ReloadReport::Status::kApplied
                                                                    : service::ReloadReport::Status::kRejected;
    r.error = o.error;
    r.changes = o.changes;
    r.restart_required = o.restart_required;
    return r;
  }
  // GET /api/v1/pnl's report: asked for every kPnlRefreshUs from the snapshot timer (never per request, never
  // inside an engine event) and computed on the worker's thread; the report comes back as an event of the loop.
  void refresh_pnl(TimestampUs now) {
    if (pnl_requested_us_ >= 0 && now - pnl_requested_us_ < kPnlRefreshUs) return;
    pnl_requested_us_ = now;
    if (!jr()) {
      service::PnlReport r;
      r.computed_us = now;
      r.error = "no journal: [journal] enabled = false, or it could not be opened";
      pnl_ = std::make_shared<const service::PnlReport>(std::move(r));
      return;
    }
    if (!pnl_worker_)
      pnl_worker_ =
          std::make_unique<PnlReportWorker>(jr()->path(), [this](std::shared_ptr<const service::PnlReport> r) {
            asio::post(io_, [this, r = std::move(r)]() mutable { pnl_ = std::move(r); });
          });
    pnl_worker_->request(now);
  }
  void snapshot(service::Snapshot& s) {
    s.version = kVersion;
    s.mode = mode_name(cfg_.exchange.mode);
    s.config_hash = config_hash_;
    s.strategy = strategy_kind_name(cfg_.strategy.kind);
    s.shutting_down = node_.shutting_down();
    s.stale_book_us = cfg_.exchange.ws_stale_timeout_us;
    service::collect_trading(s, risk_, engine_.get(), portfolio_.get());
    strategy_->collect(s);
    service::collect_tally(s, events_.tally());
    const NodeEventCounts& n = events_.counts();
    s.orders_sent = n.orders_sent;
    s.orders_rejected = n.rejected;
    s.fills = n.fills;
    service::VenueHealth& v = s.venues.emplace_back();
    v.name = "backpack";
    if (bp_.ws) {
      v.stream_connected = bp_.ws->connected();
      v.reconnects = bp_.ws->transport().counters().reconnects;
    }
    if (bp_.feed) {
      v.book_resyncs = bp_.feed->sync_stats().resyncs;
      v.book_gaps = bp_.feed->sync_stats().gaps;
    }
    for (const runtime::PairRef& p : pairs())
      for (const MarketSpec* m : {p.spot, p.perp})
        if (const OrderBook* b = bp_.feed ? bp_.feed->book(m->symbol) : nullptr)
          v.books.push_back({m->symbol, b->valid(), b->last_update_us()});
    if (reconciler_) s.equity = v.equity = reconciler_->net_equity();
    collect_order_path(s, v);
    // After the last use of `v`: another venue's entry may move the vector.
    for (const std::unique_ptr<VenueNode>& venue : venues_) venue->collect(s, events_);
    events_.recent_fills().copy_to(s.recent_fills);
    s.fills_total = events_.recent_fills().total();
    if (event_log_) event_log_->copy_since(0, s.events);
    refresh_pnl(s.taken_us);
    s.pnl = pnl_;
    s.config_json = config_json_;
    if (alerter_)
      for (const alerts::SinkStatus& a : alerter_->status())
        s.alerts.push_back(
            {a.name, a.counters.sent, a.counters.failed, a.counters.dropped, a.counters.retries, a.queued});
  }

  // The operator's figures recorded where they happen (docs/service.md §Metrics).
  void collect_order_path(service::Snapshot& s, service::VenueHealth& v) const {
    service::collect_metrics(s, v, events_.metrics());
    if (bp_.ws) v.last_message_us = bp_.ws->counters().last_frame_us;
    if (bp_.rest) {
      const backpack::RestCounters& rc = bp_.rest->counters();
      v.rest_tracked = true;
      v.rest_backing_off = rc.backing_off;
      v.rest_backoffs = rc.backoffs;
      v.rest_http_429 = rc.http_429;
    }
    if (reconciler_) {
      if (const auto& eq = reconciler_->equity()) {
        v.margin_available = eq->available;
        v.margin_used = eq->locked;
      }
      v.fills_missing_from_stream = reconciler_->fills_missing_from_stream();
    }
    using St = runtime::ReloadOutcome::Status;
    s.reloads = {operator_.reloads(St::kApplied), operator_.reloads(St::kInvalid), operator_.reloads(St::kUnreadable)};
    s.journal_write = journal_.write_latency();
  }

  RunSummary summary() const {
    RunSummary s;
    s.ran_us = clock_.now_us() - started_us_;
    if (portfolio_) s.stats = portfolio_->stats();
    const NodeEventCounts& n = events_.counts();
    s.orders_sent = n.orders_sent;
    s.orders_rejected = n.rejected;
    s.fills = n.fills;
    s.hedges = n.hedges;
    s.leg_risk_failures = n.leg_failures;
    if (bp_.feed) {
      DepthSyncStats d = bp_.feed->sync_stats();
      s.book_gaps = d.gaps;
      s.book_resyncs = d.resyncs;
    }
    if (bp_.ws) {
      s.ws_reconnects = bp_.ws->transport().counters().reconnects;
      s.malformed_frames = bp_.ws->counters().malformed;
    }
    s.trading_state = to_string(risk_.state());
    s.max_unhedged_usd = node_.max_unhedged_usd();
    s.longest_unhedged_us = node_.longest_unhedged_us();
    s.journal_path = jr() ? jr()->path() : std::string();
    if (portfolio_) {
      for (const runtime::PairRef& p : pairs()) {
        const PositionState& pos = portfolio_->position(p.index);
        s.held.push_back({p.base, pos.open ? pos.spot.quantity() : Decimal{},
                          pos.open ? pos.perp.quantity() : Decimal{}, portfolio_->dust_written_off(p.index)});
      }
    }
    s.journal_healthy = !jr() || jr()->healthy();
    strategy_->summarize(s);
    return s;
  }

  Config cfg_;
  std::shared_ptr<service::EventLogSink> event_log_;  // GET /api/v1/events (null with the service off)
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  SystemClock clock_;
  asio::steady_timer stop_timer_;
  RiskGate risk_;
  runtime::LogLines lines_{log_};
  runtime::JournalWriter journal_{log_, clock_};
  bool resume_ = false;
  std::unique_ptr<runtime::Startup> startup_;
  ServiceNotifier svc_;
  std::unique_ptr<SignalWatcher> sigs_;
  SystemdNotice notice_{svc_};
  ReadyAfterBookSync ready_gate_{io_, log_, svc_};
  runtime::Operator operator_{io_, log_, notice_};
  runtime::Node node_{io_, log_, clock_, risk_, lines_, journal_, notice_, node_options(cfg_)};
  NodeEvents events_{io_, log_, clock_, risk_, lines_, journal_, node_, svc_};
  // The engine's observers (docs/kernel.md, "Commands out, events to observers"), told in attach_observers'
  // order.
  runtime::JournalObserver journal_observer_{journal_};
  runtime::LogLineObserver line_observer_{lines_, journal_, node_};
  StatusObserver status_observer_{svc_};
  TradeRecords trade_records_{log_, clock_};
  AlertObserver alert_observer_{io_};
  exec::ObserverList observers_;
  DurationUs duration_us_ = 0;
  TimestampUs started_us_ = 0;
  std::optional<std::string> startup_error_;

  std::optional<backpack::SigningKey> key_;
  std::unique_ptr<runtime::PaperExchange> paper_;
  backpack::BackpackVenue bp_;
  InstrumentTable instruments_;  // the traded markets (runtime::Startup fills it); stable addresses
  VenueNodes venues_;            // the venues beside Backpack: each [venues.<name>] with markets
  exec::EngineParams params_;
  std::unique_ptr<Portfolio> portfolio_;
  std::unique_ptr<exec::ArbEngine> engine_;
  std::unique_ptr<runtime::Reconciler> reconciler_;
  std::unique_ptr<StrategyNode> strategy_;  // [strategy] kind's part (strategy_node.hpp), made in the constructor
  std::string config_hash_;
  std::shared_ptr<const std::string> config_json_;
  std::shared_ptr<const service::PnlReport> pnl_;
  TimestampUs pnl_requested_us_ = -1;
  // Joined before io_ goes (declared after it): a report it posts after the run is dropped with the loop.
  std::unique_ptr<PnlReportWorker> pnl_worker_;
  std::unique_ptr<service::EngineControl> control_;  // what the control endpoints drive (null: service off)
  std::unique_ptr<alerts::Alerter> alerter_;
  std::unique_ptr<service::Server> http_;  // declared last: destroyed first, before what its snapshots read
};

}  // namespace

RunSummary run_daemon(const Config& cfg, const RunOptions& opts) {
  Daemon d(cfg, opts);
  return d.run();
}

}  // namespace bparb::app
