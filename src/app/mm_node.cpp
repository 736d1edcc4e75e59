#include "bparb/app/mm_node.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "bparb/book/order_book.hpp"
#include "bparb/core/money.hpp"

namespace bparb::app {
namespace {

// Microseconds as seconds to the tenth.
std::string seconds(DurationUs us) {
  return Decimal::from_units(us / (kUsPerSecond / 10), Decimal::from_string("0.1")).str();
}

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
               InstrumentTable& instruments, std::span<const InstrumentId> perps, exec::OrderEntry& entry,
               backpack::BackpackVenue& venue, exec::ReconciliationVenue& account, MmNodeOptions opts)
    : io_(io),
      log_(std::move(log)),
      clock_(clock),
      instruments_(instruments),
      entry_(entry),
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
  for (Market& m : markets_) add_streams(m);
}

// The market's book, trade and mark streams (subscribed at once when the socket is up) and its book on the
// order entry (the post-only price check).
void MmNode::add_streams(Market& m) {
  venue_.feed->add_market(*m.spec, m.id, backpack::MarketStreams{.trades = true});
  m.book = venue_.feed->book(m.spec->symbol);
  entry_.set_book(m.id, m.book);
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
  for (Market& m : markets_) {
    m.runner->on_timer();
    if (m.runner->idle_reason() != m.idle_seen) on_idle_reason(m, m.runner->idle_reason());
    // The cap is told from the position itself: over the cap the core hedges and quotes the reducing side,
    // so no idle reason ever says so.
    const MarketMakerCore& c = m.runner->core();
    const std::int64_t size = c.position_lots() < 0 ? -c.position_lots() : c.position_lots();
    const bool at_cap = equity_known_ && size > 0 && size >= c.cap_lots();
    if (at_cap && !m.at_cap_seen) on_cap_reached(m);
    m.at_cap_seen = at_cap;
  }
  if (opts_.stats_us > 0 && now >= next_stats_us_) {
    next_stats_us_ = now + opts_.stats_us;
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired()) return;
      for (const Market& m : markets_) log_->info("{}", stats_line(m));
      if (markets_.size() > 1) log_->info("{}", total_stats_line());
    });
  }
}

void MmNode::stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  poll_timer_.cancel();
  if (opts_.flatten_on_stop) {
    // The core cancels its quote, quotes nothing more, and sends the position as reduce-only IOC orders.
    for (Market& m : markets_) m.runner->flatten();
    return;
  }
  // Unknown equity quotes nothing: the core cancels its quote and places no other (docs/market_maker.md).
  for (Market& m : markets_) m.runner->on_equity(Decimal{});
}

bool MmNode::idle() const noexcept {
  for (const Market& m : markets_) {
    const MarketMakerCore& c = m.runner->core();
    if (c.quote_state() != QuoteState::kNone || c.hedge_in_flight()) return false;
    if (c.flattening() && c.position_lots() != 0) return false;  // the shutdown's deadline bounds the wait
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

std::vector<std::string> MmNode::apply_pick(const std::vector<std::string>& picked,
                                            std::span<const MarketSpec> listed) {
  std::vector<std::string> refused;
  if (stopped_) return refused;
  const auto join = [](const auto& items, const auto& name) {
    std::string out;
    for (const auto& x : items) out += (out.empty() ? "" : ", ") + name(x);
    return out.empty() ? std::string("none") : out;
  };
  std::vector<const Market*> quoted;
  for (const Market& m : markets_)
    if (m.picked) quoted.push_back(&m);
  std::vector<std::string> was, now = picked;
  for (const Market* m : quoted) was.push_back(m->spec->symbol);
  std::sort(was.begin(), was.end());
  std::sort(now.begin(), now.end());
  const auto same = [](const std::string& s) { return s; };
  if (was == now) {
    log_->info("MM selector: the pick is unchanged: {}", join(picked, same));
    return refused;
  }
  log_->warn("MM selector: it now picks {} (quoted until now: {})", join(picked, same),
             join(quoted, [](const Market* m) { return m->spec->symbol; }));
  for (Market& m : markets_) {
    const bool in = std::find(picked.begin(), picked.end(), m.spec->symbol) != picked.end();
    if (in == m.picked) continue;
    m.picked = in;
    if (!in) {
      m.runner->on_equity(Decimal{});  // pulls the quote at once; the poll keeps it at no equity
      log_->warn("MM {}: the market selector no longer picks it: quote pulled, nothing quoted (position {} kept)",
                 m.spec->symbol, m.spec->lots_to_quantity(m.runner->core().position_lots()).str());
    } else {
      log_->info("MM {}: the market selector picks it again: quoting from the next account poll", m.spec->symbol);
    }
  }
  for (const std::string& sym : picked)
    if (std::none_of(markets_.begin(), markets_.end(), [&](const Market& m) { return m.spec->symbol == sym; }) &&
        !add_market(sym, listed))
      refused.push_back(sym);
  return refused;
}

bool MmNode::add_market(const std::string& symbol, std::span<const MarketSpec> listed) {
  const MarketSpec* spec = nullptr;
  for (const MarketSpec& s : listed)
    if (s.symbol == symbol) spec = &s;
  const Market* first = markets_.empty() ? nullptr : &markets_.front();
  std::string why;
  if (!spec || spec->type != MarketType::kPerp || spec->state != OrderBookState::kOpen)
    why = "not an open perp on the venue";
  else if (first && spec->quote_symbol != first->spec->quote_symbol)
    why =
        "it is quoted in " + spec->quote_symbol + ", the markets quoted and their P&L in " + first->spec->quote_symbol;
  if (why.empty()) {
    try {
      InstrumentId id = instruments_.find(VenueId::kBackpack, symbol).value_or(kNoInstrument);
      if (id == kNoInstrument) id = instruments_.add(VenueId::kBackpack, *spec);
      // The account's perp fee rates, which start-up set on every perp.
      if (first) instruments_.set_fees(id, instruments_[first->id].fees);
      auto runner = std::make_unique<MmRunner>(opts_.params, instruments_, id, entry_, clock_, this);
      Market& m = markets_.emplace_back();
      m.id = id;
      m.spec = &instruments_.market(id);
      m.runner = std::move(runner);
      m.position_known = false;
      add_streams(m);
      log_->info(
          "MM {}: picked by the market selector: book and trade streams subscribed; quoting once its book is "
          "valid and the account poll gave its position",
          symbol);
      return true;
    } catch (const std::exception& e) {  // a bad market, or more runners than the order entry has owners for
      why = e.what();
    }
  }
  log_->warn("MM {}: picked by the market selector but not quoted: {}", symbol, why);
  return false;
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
        // A market the selector no longer picks sees no equity, so it quotes nothing; nor does one added on
        // SIGHUP before its position is known.
        for (Market& m : markets_) m.runner->on_equity(m.picked && m.position_known ? eq.net_equity : Decimal{});
        equity_known_ = eq.net_equity.is_positive();
        std::vector<std::int64_t> before;
        before.reserve(markets_.size());
        for (const Market& m : markets_) before.push_back(m.runner->core().position_lots());
        account_.positions([this, alive, equity = eq.net_equity, before = std::move(before)](
                               const exec::VenueError* e, std::span<const exec::PositionReport> positions) {
          if (alive.expired() || stopped_) return;
          if (e) {
            log_->warn("MM: positions poll failed: {} {}", e->code, e->message);
            return schedule_poll();
          }
          // A market added while the request was out waits for the next poll.
          for (std::size_t i = 0; i < before.size() && i < markets_.size(); ++i) {
            Market& m = markets_[i];
            if (m.runner->core().position_lots() != before[i]) continue;
            Decimal qty;
            for (const exec::PositionReport& p : positions)
              if (p.symbol == m.spec->symbol) qty = p.net_quantity;
            m.runner->on_position(qty);
            if (!m.position_known) {
              m.position_known = true;
              if (m.picked) m.runner->on_equity(equity);
            }
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
  if (Market* mk = market(instrument)) {
    const auto k = static_cast<std::size_t>(trip.kind);
    if (k < mk->trips.size()) ++mk->trips[k];
  }
  boost::asio::post(io_, [this, instrument, trip, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m) return;
    char buf[256];
    const std::size_t n = format_trip(trip, buf, sizeof buf);
    log_->warn("MM {}: {}", m->spec->symbol, std::string_view(buf, n));
    if (alerter_ && alerter_->wants(alerts::AlertEvent::kMmBreaker))
      alerter_->notify(
          alerts::AlertEvent::kMmBreaker, alerts::Severity::kWarning,
          fmt::format("{}: {}", m->spec->symbol, std::string_view(buf, n)),
          {{"symbol", m->spec->symbol},
           {"breaker", to_string(trip.kind)},
           {"observed", trip.observed.str()},
           {"limit", trip.limit.str()},
           {"cooldown_ms", std::to_string(std::max<DurationUs>(0, trip.cooldown_until_us - trip.at_us) / kUsPerMs)}});
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
        if (alerter_ && alerter_->wants(alerts::AlertEvent::kMmHedge))
          alerter_->notify(alerts::AlertEvent::kMmHedge, alerts::Severity::kWarning,
                           fmt::format("{}: inventory hedge sent: {} {} at {} reduce-only IOC ({})", s.symbol,
                                       d.side == Side::kBid ? "buy" : "sell", qty, price, to_string(d.reason)),
                           {{"symbol", s.symbol},
                            {"side", d.side == Side::kBid ? "buy" : "sell"},
                            {"quantity", qty},
                            {"price", price},
                            {"position", s.lots_to_quantity(m->runner->core().position_lots()).str()},
                            {"cap", s.lots_to_quantity(m->runner->core().cap_lots()).str()}});
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
      "fees {} + funding {} + hedge {} | net per 1M USD volume {} USD | position {} | quoted {} s, at the touch "
      "{} s | markouts 1s {}, 5s {}, 30s {} USD",
      m.spec->symbol, format_usd(r.maker_volume_usd), r.quote_fills + r.hedge_fills, r.maker_fills, r.hedge_fills,
      r.quotes_placed, fill_rate.round_to(Decimal::from_string("0.1"), Rounding::kNearest).str(),
      r.cancel_to_fill.round_to(Decimal::from_string("0.01"), Rounding::kNearest).str(), r.post_only_rejects,
      c.refusals, r.total.str(), r.spread_capture.str(), r.adverse_selection.str(), r.inventory.str(), r.fees.str(),
      r.funding.str(), r.hedge_cost.str(), format_usd(r.net_per_million), r.position.str(), seconds(r.quoting_us),
      seconds(r.at_touch_us), r.markout_1s.str(), r.markout_5s.str(), r.markout_30s.str());
}

// Several markets: their sums on one line (the volume-weighted headline is the total over the total volume).
std::string MmNode::total_stats_line() const {
  MmReport t;
  std::int64_t refused = 0;
  for (const Market& m : markets_) {
    const MmReport r = m.runner->stats().report();
    t.maker_volume_usd += r.maker_volume_usd;
    t.quote_fills += r.quote_fills;
    t.maker_fills += r.maker_fills;
    t.hedge_fills += r.hedge_fills;
    t.quotes_placed += r.quotes_placed;
    t.cancels += r.cancels;
    t.post_only_rejects += r.post_only_rejects;
    t.total += r.total;
    t.spread_capture += r.spread_capture;
    t.adverse_selection += r.adverse_selection;
    t.inventory += r.inventory;
    t.fees += r.fees;
    t.funding += r.funding;
    t.hedge_cost += r.hedge_cost;
    refused += static_cast<std::int64_t>(m.runner->counters().refusals);
  }
  const Decimal per_million =
      t.maker_volume_usd.is_positive()
          ? t.total.mul(Decimal::from_int(1'000'000), Rounding::kNearest).div(t.maker_volume_usd, Rounding::kNearest)
          : Decimal{};
  return fmt::format(
      "MM stats total ({} markets): maker volume {} USD, fills {} (maker {}, hedge {}), quotes {}, cancels {}, "
      "post-only rejects {}, refused {} | P&L {} USD = spread {} + adverse {} + inventory {} + fees {} + funding {} "
      "+ hedge {} | net per 1M USD volume {} USD",
      markets_.size(), format_usd(t.maker_volume_usd), t.quote_fills + t.hedge_fills, t.maker_fills, t.hedge_fills,
      t.quotes_placed, t.cancels, t.post_only_rejects, refused, t.total.str(), t.spread_capture.str(),
      t.adverse_selection.str(), t.inventory.str(), t.fees.str(), t.funding.str(), t.hedge_cost.str(),
      format_usd(per_million));
}

// The position reached the cap (seen on the engine tick): told to the operator once each time it is reached.
void MmNode::on_cap_reached(const Market& mk) noexcept {
  if (!alerter_ || stopped_ || !alerter_->wants(alerts::AlertEvent::kMmInventoryCap)) return;
  boost::asio::post(io_, [this, instrument = mk.id, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m || !alerter_) return;
    const MarketMakerCore& c = m->runner->core();
    const std::string position = m->spec->lots_to_quantity(c.position_lots()).str();
    const std::string cap_qty = m->spec->lots_to_quantity(c.cap_lots()).str();
    alerter_->notify(alerts::AlertEvent::kMmInventoryCap, alerts::Severity::kWarning,
                     fmt::format("{}: inventory cap reached: position {} against a cap of {}; the side that adds to "
                                 "it is not quoted",
                                 m->spec->symbol, position, cap_qty),
                     {{"symbol", m->spec->symbol}, {"position", position}, {"cap", cap_qty}});
  });
}

// The idle reason changed (seen on the engine tick): stopping to quote (a breaker's cooldown, no usable
// equity) is told to the operator once each time it begins.
void MmNode::on_idle_reason(Market& mk, MmReason why) noexcept {
  mk.idle_seen = why;
  const bool stopped = (why == MmReason::kBreaker || why == MmReason::kEquityUnknown) && mk.picked;
  // A shutdown's "no equity" is no news, nor is the start before the first quote (no equity polled yet).
  if (!alerter_ || stopped_ || !stopped || mk.runner->counters().places == 0) return;
  boost::asio::post(io_, [this, instrument = mk.id, why, alive = std::weak_ptr<bool>(alive_)] {
    const Market* m = alive.expired() ? nullptr : market(instrument);
    if (!m || !alerter_) return;
    const MarketMakerCore& c = m->runner->core();
    const std::string position = m->spec->lots_to_quantity(c.position_lots()).str();
    if (!alerter_->wants(alerts::AlertEvent::kMmQuotesStopped)) return;
    std::vector<alerts::AlertField> fields{
        {"symbol", m->spec->symbol}, {"reason", to_string(why)}, {"position", position}};
    std::string text;
    if (why == MmReason::kBreaker) {
      const TimestampUs left = c.cooldown_until_us() - clock_.now_us();
      fields.push_back({"cooldown_ms", std::to_string(std::max<TimestampUs>(0, left) / kUsPerMs)});
      text = fmt::format("{}: quotes stopped: breaker {} cooling down for {} ms", m->spec->symbol,
                         to_string(c.last_trip().kind), std::max<TimestampUs>(0, left) / kUsPerMs);
    } else {
      text = fmt::format("{}: quotes stopped: no usable equity from the account poll", m->spec->symbol);
    }
    alerter_->notify(alerts::AlertEvent::kMmQuotesStopped, alerts::Severity::kWarning, std::move(text),
                     std::move(fields));
  });
}

std::string MmNode::status_words() const {
  std::string out = "market making";
  const char* sep = " ";
  for (const Market& m : markets_) {
    const MmReport r = m.runner->stats().report();
    out += fmt::format("{}{}: position {}, P&L {} USD", sep, m.spec->symbol, r.position.str(), r.total.str());
    sep = "; ";
  }
  return out;
}

std::string MmNode::shutdown_words() const {
  std::string held;
  for (const Market& m : markets_) {
    const std::int64_t lots = m.runner->core().position_lots();
    if (lots != 0)
      held += fmt::format("{}{} {}", held.empty() ? "" : ", ", m.spec->symbol, m.spec->lots_to_quantity(lots).str());
  }
  return "market maker: quotes pulled, nothing quoted again; " +
         (held.empty()            ? std::string("no perp position held")
          : opts_.flatten_on_stop ? "flattening with reduce-only IOC orders ([mm] flatten_on_stop): " + held
                                  : "perp positions stay open, unhedged ([mm] flatten_on_stop is off): " + held);
}

void MmNode::on_funding(std::string_view symbol, Decimal amount) {
  for (Market& m : markets_) {
    if (m.spec->symbol != symbol) continue;
    m.runner->on_funding(amount);
    log_->info("MM {}: funding {} {} booked into the market maker's P&L", symbol, amount.str(),
               amount.is_negative() ? "paid" : "received");
  }
}

void MmNode::collect(std::vector<service::MmMarketView>& out, TimestampUs now) const {
  out.clear();
  for (const Market& m : markets_) {
    const MarketMakerCore& c = m.runner->core();
    const MmReport r = m.runner->stats().report();
    const MmRunnerCounters& n = m.runner->counters();
    service::MmMarketView& v = out.emplace_back();
    v.symbol = m.spec->symbol;
    if (const std::optional<Side> side = c.flow().side()) v.side = *side == Side::kBid ? "bid" : "ask";
    v.quote_state = to_string(c.quote_state());
    if (c.quote_state() != QuoteState::kNone) {
      v.quote_side = c.quote_side() == Side::kBid ? "bid" : "ask";
      v.quote_price = m.spec->ticks_to_price(c.quote_price_ticks());
      v.quote_quantity = m.spec->lots_to_quantity(c.quote_remaining_lots());
      v.at_touch = c.quote_at_touch();
    } else {
      v.idle_reason = to_string(m.runner->idle_reason());
    }
    v.maker_volume = r.maker_volume_usd;
    v.quote_fills = r.quote_fills;
    v.maker_fills = r.maker_fills;
    v.hedge_fills = r.hedge_fills;
    v.quotes_placed = r.quotes_placed;
    v.cancels = r.cancels;
    v.post_only_rejects = r.post_only_rejects;
    v.hedges_sent = n.hedges;
    v.refusals = n.refusals;
    if (r.quotes_placed > 0)
      v.fill_rate = Decimal::from_int(r.quote_fills).div_int(r.quotes_placed, Rounding::kNearest);
    v.cancel_to_fill = r.cancel_to_fill;
    v.quoting_us = r.quoting_us;
    v.at_touch_us = r.at_touch_us;
    v.spread_capture = r.spread_capture;
    v.adverse_selection = r.adverse_selection;
    v.inventory = r.inventory;
    v.fees = r.fees;
    v.funding = r.funding;
    v.hedge_cost = r.hedge_cost;
    v.total = r.total;
    v.net_per_million = r.net_per_million;
    v.position = r.position;
    v.cap = m.spec->lots_to_quantity(c.cap_lots());
    v.last_mid = r.last_mid;
    v.cooldown_until_us = c.cooldown_until_us();
    v.cooling_down = now < c.cooldown_until_us();
    v.breaker_trips = c.trip_count();
    if (c.trip_count() > 0) {
      const BreakerTrip& t = c.last_trip();
      service::MmBreakerTripView& lt = v.last_trip.emplace();
      lt.reason = to_string(t.kind);
      lt.at_us = t.at_us;
      lt.observed = t.observed;
      lt.limit = t.limit;
      lt.cooldown_until_us = t.cooldown_until_us;
      char buf[256];
      lt.text.assign(buf, format_trip(t, buf, sizeof buf));
    }
    for (std::size_t k = 0; k < m.trips.size(); ++k)
      if (m.trips[k] > 0) v.trips_by_reason.push_back({to_string(static_cast<MmBreaker>(k)), m.trips[k]});
  }
}

std::vector<std::string> MmNode::stats_lines() const {
  std::vector<std::string> out;
  for (const Market& m : markets_) out.push_back(stats_line(m));
  if (markets_.size() > 1) out.push_back(total_stats_line());
  return out;
}

}  // namespace bparb::app
