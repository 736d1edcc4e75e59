#include "bparb/runtime/journal_writer.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace bparb::runtime {

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

void JournalWriter::open(const JournalOptions& opts) {
  if (!opts.enabled) {
    log_->warn(
        "Journal: disabled ([journal] enabled = false): no crash recovery; a restart cannot explain open "
        "positions");
    return;
  }
  const std::string& path = opts.path;
  if (opts.paper) rotate_paper_journal(path);
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  jr_.emplace(journal::Journal::open(path));  // throws with the path and SQLite's message
  if (jr_->migrated_from() != 0)
    log_->info("Journal: {} migrated in place from schema {} to {} (docs/journal.md); every row kept", path,
               jr_->migrated_from(), jr_->schema_version());
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
             opts.paper ? "paper: fresh for the fresh simulated exchange, the last run's "
                          "kept as .prev"
                        : "recovering from it",
             position_id_base_ + 1);
}

namespace {
// Records the time from its construction to the end of the write's scope.
class TimedWrite {
 public:
  TimedWrite(LatencyHistogram& h, const Clock& c) noexcept : h_(h), c_(c), start_us_(c.now_us()) {}
  ~TimedWrite() { h_.record(c_.now_us() - start_us_); }
  TimedWrite(const TimedWrite&) = delete;
  TimedWrite& operator=(const TimedWrite&) = delete;

 private:
  LatencyHistogram& h_;
  const Clock& c_;
  TimestampUs start_us_;
};
}  // namespace

std::uint64_t JournalWriter::position_id(std::uint64_t portfolio_id) const noexcept {
  if (auto it = restored_ids_.find(portfolio_id); it != restored_ids_.end()) return it->second;
  return position_id_base_ + portfolio_id;
}

void JournalWriter::fail() {
  if (alarm_) return;
  alarm_ = true;
  log_->critical("Journal: write failed: {} — no new positions until it is fixed and bparb restarted",
                 jr_ ? jr_->last_error() : std::string());
  if (on_failure_) on_failure_();
}

bool JournalWriter::intents(std::span<const exec::OrderSpec> orders, VenueId venue) {
  if (!jr_) return true;
  intents_.clear();
  const TimestampUs now = clock_.now_us();
  for (const exec::OrderSpec& o : orders) {
    journal::IntentRecord r;
    r.client_id = o.client_id;
    // A single order (exec/order_entry.hpp) belongs to no pair: no pair name, and its leg is its market's kind.
    const bool in_pair = o.pair < pair_names_.size();
    r.pair = in_pair ? pair_names_[o.pair] : std::string();
    r.leg = in_pair ? (o.leg == exec::LegIndex::kSpot ? "spot" : "perp") : (o.market->is_perp() ? "perp" : "spot");
    r.purpose = exec::order_purpose_name(o.purpose);
    r.symbol = o.market->symbol;
    r.side = o.side;
    r.type = o.type;
    r.tif = o.tif;
    r.price = o.price;
    r.quantity = o.quantity;
    r.flags = (o.post_only ? journal::kIntentPostOnly : 0u) | (o.reduce_only ? journal::kIntentReduceOnly : 0u);
    r.created_us = now;
    r.venue = venue;
    intents_.push_back(std::move(r));
  }
  bool ok = false;
  {
    const TimedWrite timed(write_latency_, clock_);
    ok = jr_->record_intents(intents_).ok();
  }
  if (ok) return true;
  log_->critical(
      "Journal: recording {} order intent(s) failed: {} — NOT sending them; trading halted (orders the "
      "journal cannot record cannot be recovered after a crash)",
      orders.size(), jr_->last_error());
  alarm_ = true;
  return false;
}

void JournalWriter::ack(ClientId id, std::string_view exchange_id, journal::OrderRecordState st, Decimal executed,
                        VenueId venue) {
  if (!jr_) return;
  const TimedWrite timed(write_latency_, clock_);
  if (!jr_->record_ack({id, std::string(exchange_id), st, executed, clock_.now_us(), venue}).ok()) fail();
}

void JournalWriter::query_answer(ClientId id, bool found, OrderStatus status, Decimal executed, VenueId venue) {
  // The venue does not know the order (a transaction taken and never executed, a send that never arrived):
  // nothing was placed, so its intent is closed as rejected with nothing executed.
  if (!found) return ack(id, {}, journal::OrderRecordState::kRejected, Decimal{}, venue);
  const journal::OrderRecordState st = record_state(status);
  if (journal::is_terminal(st)) ack(id, {}, st, executed, venue);
}

bool JournalWriter::fill(std::int64_t trade_id, std::string_view symbol, ClientId cid, Side side, Decimal price,
                         Decimal qty, Decimal fee, std::string_view fee_symbol, bool maker, TimestampUs t,
                         VenueId venue) {
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
  f.venue = venue;
  const TimedWrite timed(write_latency_, clock_);
  auto r = jr_->record_fill(f);
  if (!r) {
    fail();
    return true;
  }
  // Debug: the periodic fills reconciliation re-offers journaled fills of orders the engine no longer tracks.
  if (!*r) log_->debug("Journal: fill trade {} on {} (#{}) already booked; skipped", trade_id, symbol, cid);
  return *r;
}

bool JournalWriter::funding(const std::string& symbol, std::int64_t interval_end_ms, Decimal quantity, VenueId venue) {
  if (!jr_) return true;
  const TimedWrite timed(write_latency_, clock_);
  auto r = jr_->record_funding({symbol, interval_end_ms, quantity, venue});
  if (!r) {
    fail();
    return true;
  }
  return *r;
}

void JournalWriter::position(std::string_view pair, const PositionState& pos) {
  if (!jr_ || pos.id == 0) return;
  journal::PositionRecord r;
  r.pair = pair;
  r.position_id = position_id(pos.id);
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
  for (const PairLegs& l : pair_legs_) {
    if (l.pair != pair) continue;
    r.spot_venue = l.venue[0];
    r.spot_symbol = l.symbol[0];
    r.perp_venue = l.venue[1];
    r.perp_symbol = l.symbol[1];
  }
  const TimedWrite timed(write_latency_, clock_);
  if (!jr_->upsert_position(r).ok()) fail();
}

void JournalWriter::trading_state(const StateChange& c, std::string_view why) {
  if (!jr_) return;
  const std::string reason = std::string(to_string(c.reason)) + ": " + std::string(why);
  const TimedWrite timed(write_latency_, clock_);
  if (!jr_->set_trading_state({to_string(c.to), reason, clock_.now_us()}).ok()) fail();
}

// Realized, fees, funding; unrealized is re-measured after a restart from the restored positions' cost.
void JournalWriter::daily_pnl(Decimal realized_net) {
  if (!jr_) return;
  const TimestampUs now = clock_.now_us();
  const TimestampUs day = utc_day_start(now);
  if (day != daily_day_us_) {
    daily_day_us_ = day;
    daily_carried_ = Decimal{};
    daily_realized_start_ = realized_net;
  }
  const Decimal today = daily_carried_ + realized_net - daily_realized_start_;
  if (today == daily_last_written_) return;
  const TimedWrite timed(write_latency_, clock_);
  if (!jr_->set_daily_baseline({day, today}).ok()) return fail();
  daily_last_written_ = today;
}

void JournalWriter::restore_daily(TimestampUs day_start_us, Decimal carried, Decimal realized_net) {
  daily_carried_ = carried;
  daily_day_us_ = day_start_us;
  daily_realized_start_ = realized_net;
  daily_last_written_ = daily_carried_;
}

}  // namespace bparb::runtime
