// [strategy] kind = "cross_venue" in the daemon (docs/cross_venue.md): one pair, Backpack's perp of the coin as
// leg 0 and Lighter's as leg 1, its own recovery step after both venues' recoveries
// (runtime/cross_venue_recovery.hpp), the strategy the engine runs (XarbNode's), both venues' books and health
// pushed in on the node's tick, and funding booked from each venue's own history.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/app/lighter_node.hpp"
#include "bparb/app/strategy_nodes.hpp"
#include "bparb/app/xarb_node.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/runtime/cross_venue_recovery.hpp"

namespace bparb::app {
namespace {

class CrossVenueStrategyNode final : public StrategyNode {
 public:
  explicit CrossVenueStrategyNode(StrategyContext& ctx)
      : cfg_(ctx.cfg),
        log_(ctx.log),
        clock_(ctx.clock),
        risk_(ctx.risk),
        lines_(ctx.lines),
        journal_(ctx.journal),
        events_(ctx.events),
        trade_records_(ctx.trade_records),
        instruments_(ctx.instruments),
        bp_(ctx.backpack),
        startup_(ctx.startup),
        venues_(ctx.venues) {}

  // The cross-venue strategy writes the seed's trades_ file itself (xarb_node.hpp), with its own header.
  bool writes_own_trades_csv() const noexcept override { return true; }

  void recover(const runtime::RecoveryOptions& recovery, Fail fail, Done done) override {
    make_xarb_pair();
    recover_cross_venue(recovery, std::move(fail), std::move(done));
  }

  Strategy* engine_strategy() noexcept override { return xarb_ ? &xarb_->strategy() : nullptr; }

  // The cross-venue pair (Backpack's perp as leg 0, Lighter's as leg 1) once trading started.
  const std::vector<runtime::PairRef>& pairs() const noexcept override { return xarb_pairs_; }

  void start(exec::ArbEngine& engine, Portfolio& portfolio) override {
    engine_ = &engine;
    portfolio_ = &portfolio;
    start_cross_venue();
  }

  // Before the venue's restore: today's P&L is measured from the restored portfolio.
  void restore(exec::ArbEngine& engine, Portfolio& portfolio, const OnState& on_state) override {
    if (xarb_recovery_) xarb_recovery_->restore(engine, portfolio, risk_, on_state);
  }

  void book_funding(exec::ArbEngine& /*engine*/, runtime::Reconciler& reconciler) override {
    book_xarb_funding(reconciler);
  }

  void node_hooks(exec::ArbEngine& /*engine*/, Portfolio& /*portfolio*/, runtime::NodeHooks& hooks) override {
    hooks.tick = [this](TimestampUs now) { xarb_->on_tick(xarb_view(), now); };
    hooks.mark = [this](const MarketSpec& m) {  // either venue's book of the pair's legs
      const OrderBook* b = m.symbol == xarb_pairs_[0].spot->symbol
                               ? bp_.feed->book(m.symbol)
                               : lighter()->venue().book(xarb_pairs_[0].instruments[1]);
      return b ? b->mid() : Decimal{};
    };
    hooks.stats_lines = [this] {  // the engine's stats line, then the cross-venue ones
      lines_.stats(portfolio_->stats(), risk_.state());
      return xarb_->stats_lines();
    };
  }

  void reload() override {
    if (xarb_) xarb_->reload(cfg_.xarb);
  }

 private:
  // One pair, Backpack's perp of the coin (start-up loaded it as a lone perp) and Lighter's (its venue loaded
  // it), made before the engine so the strategy can be handed to it.
  void make_xarb_pair() {
    const XarbConfig& x = cfg_.xarb;
    if (!lighter() || startup_->perps().empty())
      throw std::logic_error("cross_venue: the Backpack perp and the Lighter venue must be loaded first");
    const std::vector<std::string>& lm = cfg_.venues.lighter->markets;
    const auto at = std::find(lm.begin(), lm.end(), x.lighter_market);
    const std::size_t li = static_cast<std::size_t>(at - lm.begin());
    if (at == lm.end() || li >= lighter()->venue().instrument_ids().size())
      throw std::logic_error("cross_venue: xarb.lighter_market is not a loaded Lighter market");
    runtime::PairRef p;
    p.base = x.coin;
    p.instruments = {startup_->perps().front(), lighter()->venue().instrument_ids()[li]};
    p.spot = &instruments_.market(p.instruments[0]);
    p.perp = &instruments_.market(p.instruments[1]);
    p.index = 0;
    xarb_pairs_.push_back(p);
    // The pair's intents and position rows name it, and each leg's venue and market (docs/journal.md).
    journal_.set_pair_names({p.base});
    journal_.set_pair_legs({{p.base, {VenueId::kBackpack, VenueId::kLighter}, {p.spot->symbol, p.perp->symbol}}});
    const std::string dir = x.csv_dir.empty() ? log_dir(cfg_.logging.file) : x.csv_dir;
    xarb_ = std::make_unique<XarbNode>(log_, clock_, x, dir);
    trade_records_.set_pair_listener(xarb_.get());
  }
  // Both venues' recoveries ran: the pair's open position is rebuilt from the journal and both venues
  // (runtime/cross_venue_recovery.hpp) before the engine trades.
  void recover_cross_venue(const runtime::RecoveryOptions& recovery, Fail fail, Done done) {
    std::vector<runtime::RecoveredFill> fills = startup_->recovery().unpaired_fills();
    if (const runtime::Recovery* lr = lighter()->recovery())
      fills.insert(fills.end(), lr->unpaired_fills().begin(), lr->unpaired_fills().end());
    xarb_recovery_ = std::make_unique<runtime::CrossVenueRecovery>(log_, clock_, journal_, *bp_.adapter,
                                                                   lighter()->venue(), xarb_pairs_[0], recovery);
    try {
      xarb_recovery_->run(fills, fail, std::move(done));
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
  }
  // Its Lighter leg's venue (made by the daemon after this node; null without [venues.lighter] markets), looked
  // up once it exists: the node's tick reads it.
  LighterNode* lighter() const noexcept {
    if (lighter_ == nullptr) lighter_ = find_venue_node<LighterNode>(venues_);
    return lighter_;
  }
  static std::string log_dir(const std::string& log_file) {
    const std::string parent = std::filesystem::path(log_file).parent_path().string();
    return parent.empty() ? std::string(".") : parent;
  }
  void start_cross_venue() {
    const runtime::PairRef& p = xarb_pairs_[0];
    bp_.feed->add_market(*p.spot, p.instruments[0]);
    if (portfolio_->add_pair(Decimal{}) != p.index) throw std::logic_error("pair index mismatch");
    const OrderBook* lighter_book = lighter()->venue().book(p.instruments[1]);
    engine_->add_pair(p.base, p.instruments, {bp_.feed->book(p.spot->symbol), lighter_book});
    xarb_->on_tick(xarb_view(), clock_.now_us());  // the venues' state before the first book update
    // Either venue's book update is the pair's: both go to the engine (Backpack's through listen()).
    lighter()->venue().on_book([this, id = p.instruments[1], lighter_book](InstrumentId i) {
      if (i != id) return;
      events_.tick_begin(lighter_book != nullptr && lighter_book->valid() ? lighter_book->last_update_us() : 0);
      engine_->on_book_update(0, clock_.now_us());
      events_.tick_end();
    });
    log_->info(
        "Trading cross-venue {}: Backpack {} / Lighter {} | long_threshold {} short_threshold {} USD per unit, "
        "net edge > {} bps, size {} per leg, max position {} / {}",
        p.base, p.spot->symbol, p.perp->symbol, cfg_.xarb.params.long_threshold.str(),
        cfg_.xarb.params.short_threshold.str(), cfg_.xarb.params.min_net_edge_bps.str(),
        cfg_.xarb.params.target_quantity.is_positive() ? cfg_.xarb.params.target_quantity.str() + " " + p.base
                                                       : cfg_.xarb.params.target_notional_usd.str() + " USD",
        cfg_.xarb.params.max_position_backpack.str(), cfg_.xarb.params.max_position_lighter.str());
  }
  // What the strategy's venue gate reads (private streams, Lighter's margin, both venues' funding estimates).
  XarbVenueView xarb_view() const {
    const runtime::PairRef& p = xarb_pairs_[0];
    XarbVenueView v;
    v.backpack_book = bp_.feed->book(p.spot->symbol);
    v.lighter_book = lighter()->venue().book(p.instruments[1]);
    // Start-up measured Backpack's clock offset and Lighter's nonce before trading began.
    v.backpack = {bp_.ws && bp_.ws->connected(), true, true, Decimal{}};
    v.lighter = {lighter()->venue().stream_connected(), true, true, lighter()->available_margin()};
    if (const backpack::MarkInfo* m = bp_.feed->mark(p.spot->symbol); m != nullptr && m->has_funding) {
      FundingInfo f;
      f.rate = m->funding_rate;
      f.interval_ms = p.spot->funding_interval_ms;
      f.next_funding_us = m->next_funding_ms * kUsPerMs;
      f.mark_price = m->mark_price;
      v.backpack_funding = f;
    }
    v.lighter_funding = lighter()->funding(p.instruments[1]);
    return v;
  }
  // Funding on both legs, from each venue's own history: neither reconciler has a basis pair for these perps. Each
  // payment goes to the position that held the legs at the venue's settlement time, which may have closed before
  // the payment was read (a poll after the close, or the final pass at a stop).
  void book_xarb_funding(runtime::Reconciler& reconciler) {
    const auto book = [this](VenueId venue, std::string_view symbol, Decimal amount, TimestampUs settled_us) {
      const runtime::PairRef& p = xarb_pairs_[0];
      const std::string_view want = venue == VenueId::kLighter ? p.perp->symbol : p.spot->symbol;
      if (symbol != want) return;
      engine_->on_funding_payment(0, amount, settled_us);
      xarb_->on_funding_booked(venue, amount);
    };
    reconciler.on_unpaired_funding(
        [book](std::string_view sym, Decimal a, TimestampUs at) { book(VenueId::kBackpack, sym, a, at); });
    lighter()->on_unpaired_funding(
        [book](std::string_view sym, Decimal a, TimestampUs at) { book(VenueId::kLighter, sym, a, at); });
  }

  const Config& cfg_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  RiskGate& risk_;
  const runtime::LogLines& lines_;
  runtime::JournalWriter& journal_;
  NodeEvents& events_;
  TradeRecords& trade_records_;
  InstrumentTable& instruments_;
  backpack::BackpackVenue& bp_;
  const std::unique_ptr<runtime::Startup>& startup_;
  const VenueNodes& venues_;
  mutable LighterNode* lighter_ = nullptr;  // lighter()
  exec::ArbEngine* engine_ = nullptr;       // set by start()
  Portfolio* portfolio_ = nullptr;
  std::unique_ptr<XarbNode> xarb_;
  std::vector<runtime::PairRef> xarb_pairs_;  // its one pair
  std::unique_ptr<runtime::CrossVenueRecovery> xarb_recovery_;
};

}  // namespace

std::unique_ptr<StrategyNode> make_cross_venue_strategy_node(StrategyContext& ctx) {
  return std::make_unique<CrossVenueStrategyNode>(ctx);
}

}  // namespace bparb::app
