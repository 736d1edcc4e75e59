// [strategy] kind = "market_maker" in the daemon (docs/market_maker.md, "In the daemon"): the perps start-up
// loads (or the market selector picks), the market maker's runners on the engine's order entry (app/mm_node.hpp),
// its own tick, idle check, shutdown words and stats lines in the node, its funding, its part of the operator's
// snapshot, and the selector's pick again on SIGHUP.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bparb/app/mm_node.hpp"
#include "bparb/app/mm_selector.hpp"
#include "bparb/app/strategy_nodes.hpp"

namespace bparb::app {
namespace {

class MarketMakerStrategyNode final : public StrategyNode {
 public:
  explicit MarketMakerStrategyNode(StrategyContext& ctx)
      : io_(ctx.io),
        cfg_(ctx.cfg),
        log_(ctx.log),
        clock_(ctx.clock),
        events_(ctx.events),
        line_observer_(ctx.line_observer),
        status_observer_(ctx.status_observer),
        instruments_(ctx.instruments),
        bp_(ctx.backpack),
        startup_(ctx.startup),
        alerter_(ctx.alerter) {}

  void startup_options(runtime::StartupOptions& so) override {
    if (cfg_.mm.selector.enabled)
      so.select_perps = [this](std::span<const MarketSpec> listed, runtime::StartupOptions::PerpsChosen done) {
        select_mm_markets(*bp_.rest, log_, cfg_.mm.selector, cfg_.mm.markets, listed, std::move(done));
      };
  }

  // The market maker trades its perps alone: no pair.
  const std::vector<runtime::PairRef>& pairs() const noexcept override {
    static const std::vector<runtime::PairRef> kNone;
    return startup_ ? startup_->pairs() : kNone;
  }

  void start(exec::ArbEngine& engine, Portfolio& /*portfolio*/) override { start_market_maker(engine); }

  void book_funding(exec::ArbEngine& /*engine*/, runtime::Reconciler& reconciler) override {
    reconciler.on_unpaired_funding([this](std::string_view sym, Decimal a, TimestampUs) { mm_->on_funding(sym, a); });
  }

  void node_hooks(exec::ArbEngine& /*engine*/, Portfolio& /*portfolio*/, runtime::NodeHooks& hooks) override {
    hooks.cancel_orders = [this](std::span<const exec::LiveOrder> live) {
      std::vector<exec::LiveOrder> others;  // the market maker pulls its own quotes
      for (const exec::LiveOrder& o : live)
        if (!mm_->owns(o.instrument)) others.push_back(o);
      events_.cancel_all(others);
    };
    hooks.tick = [this](TimestampUs now) { mm_->on_tick(now); };
    hooks.idle = [this] { return mm_->idle(); };
    hooks.shutdown_positions = [this] { return mm_->shutdown_words(); };
    hooks.stats_lines = [this] { return mm_->stats_lines(); };
  }

  void reload() override {
    if (mm_) mm_->reload(cfg_.mm.params);
    if (mm_ && cfg_.mm.selector.enabled) rank_markets_again();
  }

  void collect(service::Snapshot& s) const override {
    if (mm_) mm_->collect(s.market_maker, s.taken_us);
  }
  void stop() override {
    if (mm_) mm_->stop();
  }
  void cancel() noexcept override {
    if (mm_) mm_->cancel();
  }
  void summarize(RunSummary& s) const override {
    if (!mm_) return;
    // Its "MM stats …" line per market, in place of the basis figures.
    s.strategy_lines = mm_->stats_lines();
    if (!s.strategy_lines.empty())
      s.strategy_headline = "market maker on " + std::to_string(s.strategy_lines.size()) +
                            " market(s), its P&L per market in the MM stats lines";
  }

 private:
  // The market maker's perps on the engine's order entry (app/mm_node.hpp).
  void start_market_maker(exec::ArbEngine& engine) {
    MmNodeOptions o;
    o.params = cfg_.mm.params;
    o.account_poll_us = cfg_.exchange.account_poll_us;
    o.stats_us = cfg_.strategy.stats_interval_us;
    o.flatten_on_stop = cfg_.mm.flatten_on_stop;
    mm_ = std::make_unique<MmNode>(io_, log_, clock_, instruments_, startup_->perps(), engine.order_entry(), bp_,
                                   *bp_.adapter, o);
    mm_->set_alerter(alerter_.get());
    events_.set_single_book_listener([this](InstrumentId id) { mm_->on_book(id); });
    status_observer_.set_single_order_status([this] { return mm_->status_words(); });
    line_observer_.set_strategy_logs_stats(true);  // the market maker logs its own summary
    mm_->start();
  }

  // SIGHUP with [mm.selector] enabled: the selector ranks the venue's perps again (app/mm_selector.hpp).
  void rank_markets_again() {
    reselect_mm_markets(*bp_.rest, log_, cfg_.mm.selector, cfg_.mm.markets, [this] { return mm_.get(); });
  }

  boost::asio::io_context& io_;
  const Config& cfg_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  NodeEvents& events_;
  runtime::LogLineObserver& line_observer_;
  StatusObserver& status_observer_;
  InstrumentTable& instruments_;
  backpack::BackpackVenue& bp_;
  const std::unique_ptr<runtime::Startup>& startup_;
  const std::unique_ptr<alerts::Alerter>& alerter_;
  std::unique_ptr<MmNode> mm_;
};

}  // namespace

std::unique_ptr<StrategyNode> make_market_maker_strategy_node(StrategyContext& ctx) {
  return std::make_unique<MarketMakerStrategyNode>(ctx);
}

}  // namespace bparb::app
