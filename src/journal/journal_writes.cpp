// Journal writes: each is one statement or one transaction, and fails as a returned status (docs/journal.md).
#include "journal_impl.hpp"

namespace bparb::journal {

// ------------------------------------------------------------------------------------------ writes

JournalStatus Journal::record_intent(const IntentRecord& intent) noexcept {
  return record_intents(std::span<const IntentRecord>(&intent, 1));
}

JournalStatus Journal::record_intents(std::span<const IntentRecord> intents) noexcept {
  constexpr const char* kOp = "record_intent";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  for (const auto& in : intents) {
    // An empty pair is a single order's (exec/order_entry.hpp): it belongs to no pair.
    if (in.symbol.empty() || stored_venue(in.venue).empty()) {
      return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty symbol or unknown venue", false);
    }
    if (in.client_id > kMaxStoredClientId) {
      return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "client id beyond the stored 64-bit range", false);
    }
  }
  if (intents.empty()) return {};
  m.durability(m.intent_full_sync);
  const bool txn = intents.size() > 1;
  if (txn) {
    if (int rc = m.begin(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  }
  for (const auto& in : intents) {
    if (int rc = m.insert_intent(in); rc != SQLITE_OK) {
      JournalStatus st = m.fail(kOp, rc, true);
      if (txn) m.rollback();
      return st;
    }
  }
  if (txn) {
    if (int rc = m.commit(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  }
  for (const auto& in : intents) {
    if (in.client_id >= m.next_client_id) m.next_client_id = in.client_id + 1;
  }
  return {};
}

JournalStatus Journal::record_ack(const AckRecord& ack) noexcept {
  constexpr const char* kOp = "record_ack";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  if (stored_venue(ack.venue).empty()) {
    return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "unknown venue", false);
  }
  m.durability(false);
  sqlite3_stmt* s = m.stmt(kUpsertOrder);
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(ack.client_id));
  bind_text(s, 2, ack.exchange_order_id);
  bind_text(s, 3, order_record_state_name(ack.state));
  sqlite3_bind_int(s, 4, is_terminal(ack.state) ? 1 : 0);
  sqlite3_bind_int64(s, 5, ack.executed.raw());
  sqlite3_bind_int64(s, 6, ack.updated_us);
  bind_text(s, 7, stored_venue(ack.venue));
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return m.fail(kOp, rc, true);
  return {};
}

Expected<bool, JournalStatus> Journal::record_fill(const FillRecord& f) noexcept {
  constexpr const char* kOp = "record_fill";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  if (f.trade_id < 0 || f.symbol.empty() || stored_venue(f.venue).empty()) {
    return unexpected(m.fail_with({JournalErrc::kInvalidArgument, 0, kOp},
                                  "negative trade id, empty symbol or unknown venue", false));
  }
  m.durability(false);
  sqlite3_stmt* s = m.stmt(kInsertFill);
  sqlite3_bind_int64(s, 1, f.trade_id);
  bind_text(s, 2, f.symbol);
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(f.client_id));
  bind_text(s, 4, side_name(f.side));
  sqlite3_bind_int64(s, 5, f.price.raw());
  sqlite3_bind_int64(s, 6, f.quantity.raw());
  sqlite3_bind_int64(s, 7, f.fee.raw());
  bind_text(s, 8, f.fee_symbol);
  sqlite3_bind_int(s, 9, f.maker ? 1 : 0);
  sqlite3_bind_int64(s, 10, f.time_us);
  bind_text(s, 11, stored_venue(f.venue));
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return unexpected(m.fail(kOp, rc, true));
  return sqlite3_changes(m.db) > 0;
}

Expected<bool, JournalStatus> Journal::record_funding(const FundingRecord& f) noexcept {
  constexpr const char* kOp = "record_funding";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  if (f.symbol.empty() || stored_venue(f.venue).empty()) {
    return unexpected(m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty symbol or unknown venue", false));
  }
  m.durability(false);
  sqlite3_stmt* s = m.stmt(kInsertFunding);
  bind_text(s, 1, f.symbol);
  sqlite3_bind_int64(s, 2, f.interval_end_ms);
  sqlite3_bind_int64(s, 3, f.amount.raw());
  bind_text(s, 4, stored_venue(f.venue));
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return unexpected(m.fail(kOp, rc, true));
  return sqlite3_changes(m.db) > 0;
}

JournalStatus Journal::upsert_position(const PositionRecord& p) noexcept {
  constexpr const char* kOp = "upsert_position";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  if (p.pair.empty() || p.position_id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      stored_venue(p.spot_venue).empty() || stored_venue(p.perp_venue).empty()) {
    return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty pair, position id beyond int64 or unknown venue",
                       false);
  }
  m.durability(false);
  if (int rc = m.begin(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  sqlite3_stmt* s = m.stmt(kUpsertPosition);
  bind_text(s, 1, p.pair);
  sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(p.position_id));
  sqlite3_bind_int(s, 3, p.open ? 1 : 0);
  sqlite3_bind_int64(s, 4, p.entry_basis.raw());
  sqlite3_bind_int64(s, 5, p.opened_us);
  sqlite3_bind_int64(s, 6, p.closed_us);
  sqlite3_bind_int64(s, 7, p.realized.raw());
  sqlite3_bind_int64(s, 8, p.fees.raw());
  sqlite3_bind_int64(s, 9, p.funding.raw());
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
  if (rc == SQLITE_OK) rc = m.upsert_leg(p, 0, "spot", p.spot_venue, p.spot_symbol, p.spot_qty, p.spot_cost);
  if (rc == SQLITE_OK) rc = m.upsert_leg(p, 1, "perp", p.perp_venue, p.perp_symbol, p.perp_qty, p.perp_cost);
  if (rc != SQLITE_OK) {
    JournalStatus st = m.fail(kOp, rc, true);
    m.rollback();
    return st;
  }
  if (rc = m.commit(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  return {};
}

Expected<ClientId, JournalStatus> Journal::next_client_id() noexcept {
  return reserve_client_ids(1);
}

Expected<ClientId, JournalStatus> Journal::reserve_client_ids(std::uint32_t count) noexcept {
  constexpr const char* kOp = "next_client_id";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  if (count == 0) return unexpected(m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "count is zero", false));
  const std::uint64_t first = m.next_client_id;
  const std::uint64_t after = first + count;
  if (after - 1 > kMaxStoredClientId) {
    return unexpected(m.fail_with({JournalErrc::kExhausted, 0, kOp}, "client-id space used up", true));
  }
  m.durability(false);  // losing a reservation is harmless: open() also counts from the intents
  if (int rc = m.put_meta_int(kMetaNextClientId, static_cast<std::int64_t>(after)); rc != SQLITE_OK) {
    return unexpected(m.fail(kOp, rc, true));
  }
  m.next_client_id = after;
  return first;
}

JournalStatus Journal::set_meta(std::string_view key, std::string_view value) noexcept {
  constexpr const char* kOp = "set_meta";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  if (key.empty() || key == kMetaSchemaVersion || key == kMetaNextClientId) {
    return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty or reserved key", false);
  }
  m.durability(true);
  if (int rc = m.put_meta(key, value); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  return {};
}

Expected<std::optional<std::string>, JournalStatus> Journal::get_meta(std::string_view key) noexcept {
  constexpr const char* kOp = "get_meta";
  if (!impl_) return unexpected(closed_status(kOp));
  try {
    std::string v;
    int rc = impl_->read_meta(key, v);
    if (rc == SQLITE_ROW) return std::optional<std::string>(std::move(v));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return unexpected(impl_->fail(kOp, rc, false));
  } catch (const std::bad_alloc&) {
    return unexpected(JournalStatus{JournalErrc::kOther, SQLITE_NOMEM, kOp});
  }
}

JournalStatus Journal::set_daily_baseline(const DailyBaseline& b) noexcept {
  constexpr const char* kOp = "set_daily_baseline";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  m.durability(true);
  if (int rc = m.begin(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  int rc = m.put_meta_int(kMetaBaseline, b.baseline.raw());
  if (rc == SQLITE_OK) rc = m.put_meta_int(kMetaBaselineDay, b.day_start_us);
  if (rc != SQLITE_OK) {
    JournalStatus st = m.fail(kOp, rc, true);
    m.rollback();
    return st;
  }
  if (rc = m.commit(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  return {};
}

Expected<std::optional<DailyBaseline>, JournalStatus> Journal::daily_baseline() noexcept {
  constexpr const char* kOp = "daily_baseline";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  try {
    std::string value;
    std::string day;
    int rc1 = m.read_meta(kMetaBaseline, value);
    if (rc1 != SQLITE_ROW && rc1 != SQLITE_DONE) return unexpected(m.fail(kOp, rc1, false));
    int rc2 = m.read_meta(kMetaBaselineDay, day);
    if (rc2 != SQLITE_ROW && rc2 != SQLITE_DONE) return unexpected(m.fail(kOp, rc2, false));
    if (rc1 == SQLITE_DONE && rc2 == SQLITE_DONE) return std::optional<DailyBaseline>();
    std::int64_t raw = 0;
    DailyBaseline b;
    if (rc1 != SQLITE_ROW || rc2 != SQLITE_ROW || !parse_i64(value, raw) || !parse_i64(day, b.day_start_us)) {
      return unexpected(
          m.fail_with({JournalErrc::kBadRow, 0, kOp}, "daily baseline meta keys incomplete or invalid", false));
    }
    b.baseline = Decimal::from_raw(raw);
    return std::optional<DailyBaseline>(b);
  } catch (const std::bad_alloc&) {
    return unexpected(JournalStatus{JournalErrc::kOther, SQLITE_NOMEM, kOp});
  }
}

JournalStatus Journal::set_trading_state(const TradingStateRecord& ts) noexcept {
  constexpr const char* kOp = "set_trading_state";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  if (ts.state.empty()) return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty state", false);
  m.durability(true);
  if (int rc = m.begin(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  int rc = m.put_meta(kMetaTradingState, ts.state);
  if (rc == SQLITE_OK) rc = m.put_meta(kMetaTradingReason, ts.reason);
  if (rc == SQLITE_OK) rc = m.put_meta_int(kMetaTradingSince, ts.since_us);
  if (rc != SQLITE_OK) {
    JournalStatus st = m.fail(kOp, rc, true);
    m.rollback();
    return st;
  }
  if (rc = m.commit(); rc != SQLITE_OK) return m.fail(kOp, rc, true);
  return {};
}

Expected<std::optional<TradingStateRecord>, JournalStatus> Journal::trading_state() noexcept {
  constexpr const char* kOp = "trading_state";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  try {
    TradingStateRecord ts;
    std::string since;
    int rc = m.read_meta(kMetaTradingState, ts.state);
    if (rc == SQLITE_DONE) return std::optional<TradingStateRecord>();
    if (rc != SQLITE_ROW) return unexpected(m.fail(kOp, rc, false));
    rc = m.read_meta(kMetaTradingReason, ts.reason);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unexpected(m.fail(kOp, rc, false));
    rc = m.read_meta(kMetaTradingSince, since);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unexpected(m.fail(kOp, rc, false));
    if (rc == SQLITE_ROW && !parse_i64(since, ts.since_us)) {
      return unexpected(m.fail_with({JournalErrc::kBadRow, 0, kOp}, "trading_state_since_us is not an integer", false));
    }
    return std::optional<TradingStateRecord>(std::move(ts));
  } catch (const std::bad_alloc&) {
    return unexpected(JournalStatus{JournalErrc::kOther, SQLITE_NOMEM, kOp});
  }
}

}  // namespace bparb::journal
