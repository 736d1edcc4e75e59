#include "bparb/app/mm_node.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "bparb/book/order_book.hpp"
#include "bparb/core/money.hpp"

namespace bparb::app {
namespace {

std::string side_word(Side s) {
  return s == Side::kBid ? "bid" : "ask";
}

// A requote cancels first and places once the cancel is confirmed: these reasons make the next place a
// replacement of the cancelled quote; the others (breakers, inventory, no equity) just pull it.
bool requote_reason(MmReason r) noexcept {
  return r == MmReason::kPriceMoved || r == MmReason::kSideSwitch || r == MmReason::kQuoteAged;
}

}  // namespace

MmNode::MmNode(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock,
               const InstrumentTable& instruments, std::span<const InstrumentId> perps, exec::OrderEntry& entry,
               backpack::BackpackVenue& venue, exec::ReconciliationVenue& account, MmNodeOptions opts)
    : io_(io),
      log_(std::move(log)),
      clock_(clock),
      venue_(venue),
      account_(account),
      opts_(std::move(opts)),
      poll_timer_(io) {
  markets_.reserve(perps.size());
  for (const InstrumentId id : perps) {
    Market& m = markets_.emplace_back();
    m.id = id;
    m.spec = &instruments.market(id);
    m.runner = std::make_unique<MmRunner>(opts_.params, instruments, id, entry, clock_, this);
  }
  for (Market& m : markets_) {
    venue_.feed->add_market(*m.spec, m.id, backpack::MarketStreams{.trades = true});
    m.book = venue_.feed->book(m.spec->symbol);
    entry.set_book(m.id, m.book);
  }
}

MmNode::~MmNode() {
  *alive_ = false;
}

MmNode::Market* MmNode::market(InstrumentId instrument) noexcept {
  for (Market& m : markets_)
    if (m.id == instrument) return &m;
  return nullptr;
}
const MmNode::Market* MmNode::market(InstrumentId instrument) const noexcept {
  for (const Market& m : markets_)
    if (m.id == instrument) return &m;
  return nullptr;
}

bool MmNode::owns(InstrumentId instrument) const noexcept {
  return market(instrument) != nullptr;
}

void MmNode::start() {
  venue_.feed->on_trade([this](std::string_view symbol, const backpack::MarketTrade& t) {
    for (Market& m : markets_)
      if (m.spec->symbol == symbol) m.runner->on_trade(t.trade_time_us, t.price, t.quantity, t.buyer_is_maker);
  });
  // A reconnect (not the first connection): the book must be fresh again before anything is quoted.
  venue_.ws->add_connected_listener([this] {
    if (!connected_once_) {
      connected_once_ = true;
      return;
    }
    for (Market& m : markets_) m.runner->on_reconnect();
  });
  std::string names;
  for (const Market& m : markets_) names += (names.empty() ? "" : ", ") + m.spec->symbol;
  const MmParams& p = opts_.params;
  log_->info(
      "MM: market-making {} | one post-only quote per market, size {} of equity up to {} USD, side switch at "
      "taker buy/sell {}, inventory cap {} of equity",
      names, p.equity_fraction.str(), p.max_quote_usd.str(), p.side_switch_ratio.str(), p.inventory_cap_fraction.str());
  next_stats_us_ = clock_.now_us() + opts_.stats_us;
  poll();
}

void MmNode::on_book(InstrumentId instrument) noexcept {
  if (Market* m = market(instrument)) m->runner->on_book(*m->book);
}

void MmNode::on_tick(TimestampUs now) noexcept {
  for (Market& m : markets_) m.runner->on_timer();
  if (opts_.stats_us > 0 && now >= next_stats_us_) {
    next_stats_us_ = now + opts_.stats_us;
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired()) return;
      for (const Market& m : markets_) log_->info("{}", stats_line(m));
    });
  }
}

void MmNode::stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  poll_timer_.cancel();
  // Unknown equity quotes nothing: the core cancels its quote and places no other (docs/market_maker.md).
  for (Market& m : markets_) m.runner->on_equity(Decimal{});
}

bool MmNode::idle() const noexcept {
  for (const Market& m : markets_) {
    const MarketMakerCore& c = m.runner->core();
    if (c.quote_state() != QuoteState::kNone || c.hedge_in_flight()) return false;
  }
  return true;
}

void MmNode::cancel() noexcept {
  poll_timer_.cancel();
}

void MmNode::reload(const MmParams& next) {
  for (Market& m : markets_) {
    const std::vector<std::string> kept = m.runner->set_params(next);
    for (const std::string& k : kept)
      log_->warn("MM {}: mm.{} changed in the file but needs a restart; running on the old value", m.spec->symbol, k);
  }
  opts_.params = with_live_mm_params(opts_.params, next);
}

// ---- The account: equity, then the venue's positions. A position answer that crossed a fill of ours (the
// core's position moved while the request was out) is dropped: the next poll brings one that includes it.
void MmNode::poll() {
  if (stopped_) return;
  account_.equity(
      [this, alive = std::weak_ptr<bool>(alive_)](const exec::VenueError* err, const exec::EquityReport& eq) {
        if (alive.expired() || stopped_) return;
        if (err) {
          log_->warn("MM: equity poll failed: {} {}", err->code, err->message);
          return schedule_poll();
        }
        for (Market& m : markets_) m.runner->on_equity(eq.net_equity);
        std::vector<std::int64_t> before;
        before.reserve(markets_.size());
        for (const Market& m : markets_) before.push_back(m.runner->core().position_lots());
        account_.positions([this, alive, before = std::move(before)](const exec::VenueError* e,
                                                                     std::span<const exec::PositionReport> positions) {
          if (alive.expired() || stopped_) return;
          if (e) {
            log_->warn("MM: positions poll failed: {} {}", e->code, e->message);
            return schedule_poll();
          }
          for (std::size_t i = 0; i < markets_.size(); ++i) {
            Market& m = markets_[i];
            if (m.runner->core().position_lots() != before[i]) continue;
            Decimal qty;
            for (const exec::PositionReport& p : positions)
              if (p.symbol == m.spec->symbol) qty = p.net_quantity;
            m.runner->on_position(qty);
          }
          schedule_poll();
        });
      });
}

void MmNode::schedule_poll() {
  if (stopped_) return;
  poll_timer_.expires_after(std::chrono::microseconds(opts_.account_poll_us));
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll();
  });
}

// ---- Log lines: the observer copies the numbers into a handler posted to the loop (asio recycles its
// memory); the text is made there, after the runner's call returned.

void MmNode::on_breaker_trip(InstrumentId instrument, const BreakerTrip& trip) noexcept {
  boost::asio::post(io_, [this, instrument, trip, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m) return;
    char buf[256];
    const std::size_t n = format_trip(trip, buf, sizeof buf);
    log_->warn("MM {}: {}", m->spec->symbol, std::string_view(buf, n));
  });
}

void MmNode::on_side_switch(InstrumentId instrument, std::optional<Side> from, Side to, TimestampUs) noexcept {
  const Market* mk = market(instrument);
  if (!mk) return;
  const TakerFlow& f = mk->runner->core().flow();
  // Plain values, not the optional (GCC 12's -O1 sanitizer build sees a copied optional as maybe-uninitialized).
  const bool had_side = from.has_value();
  const Side from_side = from.value_or(Side::kBid);
  boost::asio::post(io_, [this, instrument, had_side, from_side, to, ema = f.ratio_ema(), buy = f.buy_notional_tl(),
                          sell = f.sell_notional_tl(), alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m) return;
    // tick-lots x tick x step = quote currency
    const Decimal unit = m->spec->tick_size.mul(m->spec->step_size, Rounding::kNearest);
    log_->info("MM {}: side {} -> {} (taker buy/sell EMA {}; in the window buys {} USD, sells {} USD)", m->spec->symbol,
               had_side ? side_word(from_side) : std::string("none"), side_word(to), ema.str(), format_usd(unit * buy),
               format_usd(unit * sell));
  });
}

void MmNode::on_sent(InstrumentId instrument, const MmDecision& d, ClientId client_id, TimestampUs) noexcept {
  Market* mk = market(instrument);
  if (!mk) return;
  ClientId replaces = 0;
  MmReason why = d.reason;
  if (d.action == MmAction::kCancel && requote_reason(d.reason)) {
    mk->cancelled_id = client_id;
    mk->cancelled_why = d.reason;
  } else if (d.action == MmAction::kPlace && mk->cancelled_id != 0) {
    replaces = mk->cancelled_id;
    why = mk->cancelled_why;
    mk->cancelled_id = 0;
  } else if (d.action == MmAction::kCancel) {
    mk->cancelled_id = 0;
  }
  boost::asio::post(io_, [this, instrument, d, client_id, replaces, why, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m) return;
    const MarketSpec& s = *m->spec;
    const std::string price = s.ticks_to_price(d.price_ticks).str();
    const std::string qty = s.lots_to_quantity(d.qty_lots).str();
    switch (d.action) {
      case MmAction::kPlace:
        if (replaces != 0)
          log_->info("MM {}: quote replaced #{} -> #{} {} {} @ {} post-only ({})", s.symbol, replaces, client_id,
                     side_word(d.side), qty, price, to_string(why));
        else
          log_->info("MM {}: quote placed #{} {} {} @ {} post-only", s.symbol, client_id, side_word(d.side), qty,
                     price);
        break;
      case MmAction::kCancel:
        log_->info("MM {}: quote cancel #{} {} {} @ {} ({})", s.symbol, client_id, side_word(d.side), qty, price,
                   to_string(d.reason));
        break;
      case MmAction::kHedge:
        log_->warn("MM {}: hedge #{} {} {} at the touch {} reduce-only IOC ({})", s.symbol, client_id,
                   d.side == Side::kBid ? "buy" : "sell", qty, price, to_string(d.reason));
        break;
      case MmAction::kNone:
        break;
    }
  });
}

void MmNode::on_fill(InstrumentId instrument, const MmFill& f, ClientId client_id,
                     std::int64_t position_lots) noexcept {
  boost::asio::post(io_, [this, instrument, f, client_id, position_lots, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m) return;
    log_->info("MM {}: {} fill #{} {} {} @ {} {} fee {} (mid {}) | position {}", m->spec->symbol,
               f.hedge ? "hedge" : "quote", client_id, f.side == Side::kBid ? "buy" : "sell", f.quantity.str(),
               f.price.str(), f.maker ? "maker" : "taker", f.fee.str(), f.mid.str(),
               m->spec->lots_to_quantity(position_lots).str());
  });
}

// ---- Stats

std::string MmNode::stats_line(const Market& m) const {
  const MmReport r = m.runner->stats().report();
  const MmRunnerCounters& c = m.runner->counters();
  const Decimal fill_rate = r.quotes_placed > 0
                                ? Decimal::from_int(r.quote_fills * 100).div_int(r.quotes_placed, Rounding::kNearest)
                                : Decimal{};
  return fmt::format(
      "MM stats {}: maker volume {} USD, fills {} (maker {}, hedge {}), quotes {}, fill rate {}% of quotes, "
      "cancel/fill {}, post-only rejects {}, refused {} | P&L {} USD = spread {} + adverse {} + inventory {} + "
      "fees {} + funding {} + hedge {} | net per 1M USD volume {} USD | position {}",
      m.spec->symbol, format_usd(r.maker_volume_usd), r.quote_fills + r.hedge_fills, r.maker_fills, r.hedge_fills,
      r.quotes_placed, fill_rate.round_to(Decimal::from_string("0.1"), Rounding::kNearest).str(),
      r.cancel_to_fill.round_to(Decimal::from_string("0.01"), Rounding::kNearest).str(), r.post_only_rejects,
      c.refusals, r.total.str(), r.spread_capture.str(), r.adverse_selection.str(), r.inventory.str(), r.fees.str(),
      r.funding.str(), r.hedge_cost.str(), format_usd(r.net_per_million), r.position.str());
}

std::vector<std::string> MmNode::stats_lines() const {
  std::vector<std::string> out;
  for (const Market& m : markets_) out.push_back(stats_line(m));
  return out;
}

}  // namespace bparb::app
