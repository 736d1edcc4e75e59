#include "bparb/app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bparb/app/logging.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/sim/server.hpp"
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
std::string usd(Decimal d) { return d.str_fixed(2); }

// Everything the engine needs from config, in the engine's own vocabulary.
exec::EngineParams engine_params(const Config& c) {
  exec::EngineParams p;
  BasisParams& b = p.basis;
  b.position_size_usd = c.strategy.position_size_usd;
  b.min_spread_threshold = c.strategy.min_spread_threshold;
  b.min_execution_threshold = c.strategy.min_execution_threshold;
  b.large_spread_threshold = c.strategy.large_spread_threshold;
  b.use_maker_for_large_spreads = c.execution.use_maker_for_large_spreads;
  b.slippage_allowance = c.strategy.slippage_allowance;
  // We exit when the (taker-priced) exit basis is at or below min_closing_spread, so that is what the
  // entry must expect to pay back; zero here would overstate every entry by the exit's spread cost.
  b.expected_exit_basis = c.strategy.min_closing_spread;
  b.expected_holding_us = c.strategy.expected_holding_us;
  b.allow_spot_borrow = c.strategy.allow_spot_borrow;
  b.spot_slippage_buffer = c.execution.spot_market_slippage_buffer;
  b.perp_slippage_buffer = c.execution.perpetual_market_slippage_buffer;
  // liquidity_buffer N: never take more than 1/N of the in-band depth.
  b.max_depth_fraction = Decimal::one().div(c.strategy.liquidity_buffer, Rounding::kDown);
  b.min_confidence = c.strategy.confidence_threshold.to_double();
  b.stale_after_us = c.risk.max_book_age_us;
  p.exit.min_closing_spread = c.strategy.min_closing_spread;
  // take_profit_fraction wins; otherwise take_profit_usd as a fraction of the target position size.
  p.exit.take_profit = c.strategy.take_profit_fraction;
  if (p.exit.take_profit.is_zero() && c.strategy.take_profit_usd.is_positive() && c.strategy.position_size_usd.is_positive())
    p.exit.take_profit = c.strategy.take_profit_usd.div(c.strategy.position_size_usd, Rounding::kUp);
  p.exit.max_holding_us = c.strategy.max_holding_us;
  p.exit.max_adverse_funding_rate = c.strategy.funding_against_limit;
  p.max_open_positions = static_cast<std::uint32_t>(c.strategy.max_open_positions);
  p.opening_delay_us = c.strategy.opening_delay_us;
  p.maker_timeout_us = c.execution.order_timeout_us;
  p.fallback_to_taker = c.execution.fallback_to_taker;
  p.maker_reprice_bps = c.execution.maker_reprice_bps;
  p.hedge_deadline_us = c.execution.hedge_deadline_us;
  p.stats_interval_us = c.strategy.stats_interval_us;
  return p;
}

RiskLimits risk_limits(const Config& c) {
  RiskLimits l;
  l.max_position_usd = c.risk.max_position_usd;
  l.max_total_exposure_usd = c.risk.max_total_exposure_usd;
  l.max_daily_loss_usd = c.risk.max_daily_loss_usd;
  l.min_account_balance_usd = c.risk.min_account_balance_usd;
  l.max_margin_utilization = c.risk.margin_headroom;
  l.max_book_age_ms = c.risk.max_book_age_us / kUsPerMs;
  l.max_orders_per_minute = static_cast<std::uint32_t>(c.risk.max_orders_per_minute);
  return l;
}

class Daemon final : public exec::EngineSink {
 public:
  Daemon(const Config& cfg, const RunOptions& opts)
      : cfg_(cfg), log_(spdlog::default_logger()), signals_(io_, SIGINT, SIGTERM), timer_(io_), account_timer_(io_),
        funding_timer_(io_), stop_timer_(io_), risk_(risk_limits(cfg), clock_) {
    duration_us_ = opts.duration ? *opts.duration : cfg.paper.duration_us;
  }

  RunSummary run() {
    started_us_ = clock_.now_us();
    setup_venue();
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      log_->warn("Received signal {}: stopping (no new positions, cancelling resting orders)", sig);
      begin_shutdown("signal");
    });
    asio::post(io_, [this] { start_up(); });
    io_.run();
    if (startup_error_) throw std::runtime_error(*startup_error_);
    return summary();
  }

  // ---- EngineSink: I/O
  void place_orders(std::span<const OrderSpec> orders) override {
    std::vector<backpack::OrderRequest> reqs;
    reqs.reserve(orders.size());
    std::string desc;
    for (const OrderSpec& o : orders) {
      backpack::OrderRequest r;
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
      r.client_id = o.client_id;
      reqs.push_back(r);
      if (!desc.empty()) desc += ", ";
      desc += fmt::format("{} {} {} @ {} ({}{}{} #{})", o.market->symbol, side_name(o.side),
                          o.quantity.str_fixed(o.market->quantity_decimals()),
                          o.price.str_fixed(o.market->price_decimals()), tif_name(o.tif), o.post_only ? " post-only" : "",
                          o.reduce_only ? " reduce-only" : "", o.client_id);
      if (o.purpose == exec::OrderPurpose::kHedge) ++hedges_;
    }
    const bool maker = std::any_of(orders.begin(), orders.end(), [](const OrderSpec& o) { return o.post_only; });
    log_->info("Placing {} {} orders ({}): {}", orders.size(), maker ? "MAKER" : "TAKER",
               exec::order_purpose_name(orders.front().purpose), desc);
    orders_sent_ += orders.size();
    std::vector<std::uint32_t> ids;
    for (const OrderSpec& o : orders) ids.push_back(o.client_id);
    if (orders.size() == 1) {
      rest_->execute_order(reqs[0], [this, id = ids[0]](backpack::RestResult<backpack::Order>& r) {
        if (r) {
          ack_ok(id, *r);
        } else {
          ack_error(id, r.error());
        }
      });
    } else {
      rest_->execute_batch(reqs, [this, ids](backpack::RestResult<std::vector<backpack::BatchOrderResult>>& r) {
        if (!r) {
          for (std::uint32_t id : ids) ack_error(id, r.error());
          return;
        }
        const auto& results = *r;
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (i >= results.size()) {
            // The exchange answered fewer results than orders: those are unknown, not rejected.
            RestError e;
            e.kind = backpack::RestErrorKind::kOutcomeUnknown;
            e.message = "batch answer missing this order";
            ack_error(ids[i], e);
          } else if (results[i].ok) {
            ack_ok(ids[i], results[i].order);
          } else {
            RestError e;
            e.kind = backpack::RestErrorKind::kApi;
            e.code = results[i].code;
            e.message = results[i].message;
            ack_error(ids[i], e);
          }
        }
      });
    }
  }

  void cancel_order(const MarketSpec& market, std::uint32_t client_id) override {
    log_->info("Cancelling order #{} on {}", client_id, market.symbol);
    backpack::CancelRequest c;
    c.symbol = market.symbol;
    c.client_id = client_id;
    rest_->cancel_order(c, [this, client_id, sym = market.symbol](backpack::RestResult<backpack::CancelResult>& r) {
      if (!r) {
        // Too late (already filled/expired) or unknown: the stream or a query settles it.
        log_->info("Cancel #{} on {} not confirmed: {} {}", client_id, sym, r.error().code, r.error().message);
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
    rest_->get_order_by_client_id(market.symbol, client_id, [this, m, client_id](
                                                               backpack::RestResult<std::optional<backpack::Order>>& r) {
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
          exec::OrderUpdate u;
          u.client_id = client_id;
          u.kind = exec::OrderUpdate::Kind::kFill;
          u.trade_id = f.has_trade_id ? f.trade_id : -1;
          u.fill_quantity = f.quantity;
          u.fill_price = f.price;
          u.fee = f.fee;
          u.fee_symbol = f.fee_symbol;
          u.maker = f.is_maker;
          engine_->on_order_update(u, clock_.now_us());
          executed += f.quantity;
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
        "{:+.2f} spread_quality {:+.2f} stale {:+.2f} resync {:+.2f} volatility[sd {:.5f}]) size={} ({} USD, limited by "
        "{}) fees={} funding={} plan={}{}{}",
        p.name, to_string(q.direction), pct(q.entry_spread), pct(q.net_expected), c.total, c.base, c.liquidity,
        c.depth_ratio, c.spread_quality, c.stale_penalty, c.resync_penalty, c.volatility_penalty, c.basis_stddev,
        q.quantity.str(), usd(q.notional_usd), to_string(q.size_limited_by), pct(q.fee_fraction),
        pct(q.funding_fraction), to_string(q.plan), q.tradeable ? "" : " not traded: ",
        q.tradeable ? "" : to_string(q.refusal));
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
    log_->info("Opened position #{} {} {} spot={} perp={} entry_basis={} notional={} USD fees={} USD", pos.id,
               p.name, to_string(q.direction), pos.spot.quantity().str(), pos.perp.quantity().str(),
               pct(pos.entry_basis), usd(pos.entry_notional), usd(pos.fees_usd));
  }
  void on_exit_signal(const exec::PairInfo& p, const PositionState& pos, const ExitSignal& s) override {
    log_->info("Exit signal position #{} {} reason={} exit_basis={} pnl_if_closed={} held={}s", pos.id, p.name,
               to_string(s.reason), pct(s.exit_basis), pct(s.pnl_fraction_if_closed), s.held_us / kUsPerSecond);
  }
  void on_position_closed(const exec::PairInfo& p, const PositionState& pos, ExitReason r) override {
    log_->info("Closed position #{} {} pnl={} USD (spread {} fees -{} funding {}) reason={} held={}s", pos.id, p.name,
               usd(pos.realized_net()), usd(pos.realized_pnl), usd(pos.fees_usd), usd(pos.funding), to_string(r),
               (pos.closed_at_us - pos.opened_at_us) / kUsPerSecond);
  }
  void on_trade_abandoned(const exec::PairInfo& p, std::string_view why) override {
    log_->info("Entry on {} abandoned: {}", p.name, why);
  }
  void on_fill(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
               std::string_view fee_symbol, bool maker) override {
    ++fills_;
    log_->info("Fill {} {} {} {} @ {} fee={} {} {} (#{} {})", p.name, o.market->symbol, side_name(o.side), qty.str(),
               price.str(), fee.str(), fee_symbol, maker ? "maker" : "taker", o.client_id,
               exec::order_purpose_name(o.purpose));
  }
  void on_leg_risk(const exec::PairInfo& p, const exec::LegRiskDecision& d) override {
    if (d.action == exec::LegRiskAction::kFailed) {
      ++leg_failures_;
      log_->error("LEG RISK {}: {} (net delta {} {}) — no new positions until resolved", p.name, d.reason,
                  d.net_delta.str(), p.spot->base_symbol);
    } else {
      log_->warn("Hedging {}: {} {} {} {} (net delta {})", p.name, exec::leg_risk_action_name(d.action),
                 d.leg == exec::LegIndex::kSpot ? p.spot->symbol : p.perp->symbol, side_name(d.side),
                 d.quantity.str(), d.net_delta.str());
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
  }
  void on_stats(const StrategyStats& s, TradingState st) override { log_stats(s, st); }
  void on_funding(const exec::PairInfo& p, Decimal amount) override {
    log_->info("Funding {} {} {} USDC", p.name, amount.is_negative() ? "paid" : "received", amount.abs().str());
  }

 private:
  struct PairRuntime {
    PairConfig cfg;
    const MarketSpec* spot = nullptr;
    const MarketSpec* perp = nullptr;
    PairIndex index = 0;
  };

  void log_stats(const StrategyStats& s, TradingState st) {
    log_->info(
        "Strategy stats: opportunities={} executed={} open={} closed={} win_rate={:.1f}% realized_pnl={} fees={} "
        "funding={} net={} state={}",
        s.opportunities, s.executed, s.open, s.closed, s.win_rate * 100.0, usd(s.realized_pnl), usd(s.fees),
        usd(s.funding), usd(s.realized_net), to_string(st));
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
      acct.balances.emplace_back("USDC", Decimal::from_int(100'000));
      for (const PairConfig& p : cfg_.pairs) {
        if (!p.enabled) continue;
        // Spot inventory worth ~10,000 USD per coin so spot-premium trades can sell spot.
        for (const sim::MarketSetup& m : sc.exchange.markets) {
          if (m.spec.symbol == p.spot_symbol && m.seed_price.is_positive()) {
            Decimal qty = Decimal::from_int(10'000).div(m.seed_price, Rounding::kDown).round_to(m.spec.step_size,
                                                                                                Rounding::kDown);
            acct.balances.emplace_back(p.base, qty);
          }
        }
      }
      sc.exchange.accounts.push_back(acct);
      sc.server.listen_address = "127.0.0.1";
      sc.server.port = cfg_.paper.port;
      sim_ = std::make_unique<sim::SimRuntime>(io_, std::move(sc));
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
    stop_timer_.cancel();
    signals_.cancel();
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
    std::size_t mi = 0;
    for (const PairConfig& pc : cfg_.pairs) {
      if (!pc.enabled) continue;
      if (mi >= markets_.size() || markets_[mi].symbol != pc.spot_symbol) continue;
      PairRuntime pr;
      pr.cfg = pc;
      pr.spot = &markets_[mi];
      pr.perp = &markets_[mi + 1];
      mi += 2;
      pairs_.push_back(pr);
    }
    rest_->get_account([this](backpack::RestResult<backpack::AccountSummary>& a) {
      if (!a) return fail_startup("GET /api/v1/account failed: " + a.error().code + " " + a.error().message);
      fees_ = {a->spot_maker_fee_bps, a->spot_taker_fee_bps, a->futures_maker_fee_bps, a->futures_taker_fee_bps};
      log_->info("Account fee rates (bps): spot maker {} taker {}, perp maker {} taker {}", fees_.spot_maker_bps.str(),
                 fees_.spot_taker_bps.str(), fees_.perp_maker_bps.str(), fees_.perp_taker_bps.str());
      if (a->liquidating) return fail_startup("the account is being liquidated");
      check_positions();
    });
  }

  void check_positions() {
    rest_->get_positions("", [this](backpack::RestResult<std::vector<backpack::Position>>& r) {
      if (!r) return fail_startup("GET /api/v1/position failed: " + r.error().message);
      for (const auto& pos : *r) {
        for (const PairRuntime& p : pairs_) {
          if (pos.symbol == p.perp->symbol && !pos.net_quantity.is_zero())
            return fail_startup("an open " + pos.symbol + " position (" + pos.net_quantity.str() +
                                ") exists that this process did not open; close it or remove the pair before "
                                "starting (bparb never trades on top of positions it cannot explain)");
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
      cancel_orphans(0);
    });
  }

  // Orders resting from an earlier run on our markets are cancelled before trading.
  void cancel_orphans(std::size_t i) {
    if (i >= markets_.size()) return start_trading();
    rest_->get_open_orders(markets_[i].symbol, [this, i](backpack::RestResult<std::vector<backpack::Order>>& r) {
      if (r && !r->empty()) {
        log_->warn("Cancelling {} orphan order(s) on {}", r->size(), markets_[i].symbol);
        rest_->cancel_all(markets_[i].symbol, backpack::CancelAllKind::kAll,
                          [](backpack::RestResult<backpack::CancelAllResult>&) {});
      }
      cancel_orphans(i + 1);
    });
  }

  void start_trading() {
    portfolio_ = std::make_unique<Portfolio>(pairs_.size());
    params_ = engine_params(cfg_);
    params_.first_client_id = static_cast<std::uint32_t>((clock_.now_us() / kUsPerSecond) % (1u << 21)) << 10;
    engine_ = std::make_unique<ArbEngine>(params_, risk_, *portfolio_, *this);
    for (PairRuntime& p : pairs_) {
      feed_->add_market(*p.spot);
      feed_->add_market(*p.perp);
      // A spot buy's base-asset fee leaves up to one step of dust: closing tolerates it.
      p.index = portfolio_->add_pair(p.spot->step_size);
      engine_->add_pair(exec::PairInfo{p.cfg.base, p.spot, p.perp, feed_->book(p.spot->symbol),
                                       feed_->book(p.perp->symbol)});
    }
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
    arm_timer();
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
    switch (e.event) {
      case backpack::OrderEventType::kOrderAccepted: u.kind = exec::OrderUpdate::Kind::kAccepted; break;
      case backpack::OrderEventType::kOrderFill:
        u.kind = exec::OrderUpdate::Kind::kFill;
        u.trade_id = e.has_trade_id ? e.trade_id : -1;
        u.fill_quantity = e.fill_quantity;
        u.fill_price = e.fill_price;
        u.fee = e.fee;
        u.fee_symbol = e.fee_symbol;
        u.maker = e.is_maker;
        break;
      case backpack::OrderEventType::kOrderCancelled: u.kind = exec::OrderUpdate::Kind::kCancelled; break;
      case backpack::OrderEventType::kOrderExpired: u.kind = exec::OrderUpdate::Kind::kExpired; break;
      default: return;
    }
    engine_->on_order_update(u, clock_.now_us());
  }

  void ack_ok(std::uint32_t id, const backpack::Order& o) {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = exec::OrderAck::Kind::kAccepted;
    a.status = o.status;
    a.executed_quantity = o.executed_quantity;
    engine_->on_order_ack(a, clock_.now_us());
  }

  void ack_error(std::uint32_t id, const RestError& e) {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = e.definitely_not_applied() ? exec::OrderAck::Kind::kRejected : exec::OrderAck::Kind::kUnknown;
    a.code = e.code;
    a.message = e.message;
    if (a.kind == exec::OrderAck::Kind::kUnknown)
      log_->warn("Order #{}: outcome unknown ({} {}); will query", id, to_string(e.kind), e.message);
    engine_->on_order_ack(a, clock_.now_us());
  }

  void arm_timer() {
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      engine_->on_timer(clock_.now_us());
      if (shutting_down_ && (engine_->idle() || clock_.now_us() >= shutdown_deadline_us_)) return finish();
      arm_timer();
    });
  }

  void poll_account() {
    rest_->get_collateral([this](backpack::RestResult<backpack::CollateralSummary>& c) {
      if (!c) {
        log_->warn("Account poll failed: {} {}", c.error().code, c.error().message);
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
            if (bal.asset == "USDC") snap.view.available_quote = bal.available;
            for (const PairRuntime& p : pairs_)
              if (bal.asset == p.spot->base_symbol) snap.available_base[p.index] = bal.available;
          }
          engine_->on_account(snap, clock_.now_us());
        }
        schedule_account_poll();
      });
    });
  }
  void schedule_account_poll() {
    if (shutting_down_) return;
    account_timer_.expires_after(std::chrono::seconds(2));
    account_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) poll_account();
    });
  }

  // Funding payments are booked from the exchange's own history, once each.
  void baseline_funding() {
    backpack::FundingHistoryQuery q;
    q.limit = 1000;
    rest_->get_funding_history(q, [this](backpack::RestResult<std::vector<backpack::FundingPayment>>& r) {
      if (r)
        for (const auto& f : *r) seen_funding_.insert(f.symbol + "@" + std::to_string(f.interval_end_timestamp_ms));
      schedule_funding_poll();
    });
  }
  void schedule_funding_poll() {
    if (shutting_down_) return;
    funding_timer_.expires_after(std::chrono::seconds(10));
    funding_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      backpack::FundingHistoryQuery q;
      q.limit = 1000;
      rest_->get_funding_history(q, [this](backpack::RestResult<std::vector<backpack::FundingPayment>>& r) {
        if (r) {
          // Oldest first so the log reads in order.
          for (auto it = r->rbegin(); it != r->rend(); ++it) {
            std::string key = it->symbol + "@" + std::to_string(it->interval_end_timestamp_ms);
            if (!seen_funding_.insert(key).second) continue;
            if (const PairRuntime* p = pair_of(it->symbol)) engine_->on_funding_payment(p->index, it->quantity);
          }
        }
        schedule_funding_poll();
      });
    });
  }

  void begin_shutdown(const char* why) {
    if (shutting_down_) return;
    if (!engine_) {  // still starting up
      stop_io();
      return;
    }
    shutting_down_ = true;
    shutdown_deadline_us_ = clock_.now_us() + 15 * kUsPerSecond;
    log_->info("Shutting down ({}): no new positions; cancelling resting orders; open positions stay hedged", why);
    engine_->stop_opening();
    std::vector<std::pair<const MarketSpec*, std::uint32_t>> live;
    engine_->live_orders(live);
    for (auto& [m, id] : live) cancel_order(*m, id);
  }

  void finish() {
    log_stats(portfolio_->stats(), risk_.state());
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
    return s;
  }

  Config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  SystemClock clock_;
  asio::signal_set signals_;
  asio::steady_timer timer_, account_timer_, funding_timer_, stop_timer_;
  RiskGate risk_;
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
  bool shutting_down_ = false;
  TimestampUs shutdown_deadline_us_ = 0;
  std::uint64_t orders_sent_ = 0, rejected_ = 0, fills_ = 0, hedges_ = 0, leg_failures_ = 0;
};

}  // namespace

std::string RunSummary::to_string() const {
  std::ostringstream o;
  o << "bparb summary: ran " << ran_us / kUsPerSecond << " s | opportunities " << stats.opportunities
    << " | positions opened " << stats.executed << ", closed " << stats.closed << ", open " << stats.open
    << " | win rate " << static_cast<int>(std::lround(stats.win_rate * 100)) << "% | realized P&L "
    << stats.realized_pnl.str_fixed(2) << " USD, fees " << stats.fees.str_fixed(2) << " USD, funding "
    << stats.funding.str_fixed(2) << " USD, net " << stats.realized_net.str_fixed(2) << " USD\n"
    << "orders sent " << orders_sent << " (rejected " << orders_rejected << ", hedges " << hedges << "), fills "
    << fills << ", leg-risk failures " << leg_risk_failures << " | book gaps " << book_gaps << ", resyncs "
    << book_resyncs << ", ws reconnects " << ws_reconnects << ", malformed frames " << malformed_frames
    << " | trading state " << trading_state;
  return o.str();
}

RunSummary run_daemon(const Config& cfg, const RunOptions& opts) {
  Daemon d(cfg, opts);
  return d.run();
}

}  // namespace bparb::app
