// Private to the journal (journal.cpp, journal_writes.cpp, journal_reads.cpp): the SQL statements, the
// column readers and the open database with its prepared statements (docs/journal.md).
#pragma once
#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

#include "bparb/journal/journal.hpp"

namespace bparb::journal {

inline constexpr std::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::string_view kMetaNextClientId = "next_client_id";
// Client ids are stored as SQLite INTEGER (signed 64-bit): the highest id the journal can hold.
inline constexpr ClientId kMaxStoredClientId = static_cast<ClientId>(std::numeric_limits<std::int64_t>::max());
inline constexpr std::string_view kMetaBaseline = "daily_baseline_e9";
inline constexpr std::string_view kMetaBaselineDay = "daily_baseline_day_us";
inline constexpr std::string_view kMetaTradingState = "trading_state";
inline constexpr std::string_view kMetaTradingReason = "trading_state_reason";
inline constexpr std::string_view kMetaTradingSince = "trading_state_since_us";

enum Sql : std::size_t {
  kBegin,
  kCommit,
  kRollback,
  kInsertIntent,
  kUpsertOrder,
  kInsertFill,
  kInsertFunding,
  kUpsertPosition,
  kUpsertLeg,
  kSetMeta,
  kGetMeta,
  kOpenIntents,
  kFindIntent,
  kFillsSince,
  kLastFill,
  kOpenPositions,
  kFundingSince,
  kPositionHeldAt,
  kAllPositions,
  kSqlCount,
};

inline constexpr const char* kIntentColumns =
    "i.client_id, i.pair, i.leg, i.purpose, i.symbol, i.side, i.order_type, i.tif, i.price_e9, i.qty_e9, "
    "i.flags, i.created_us, o.client_id IS NOT NULL, COALESCE(o.exchange_id, ''), COALESCE(o.state, 'PendingNew'), "
    "COALESCE(o.executed_e9, 0), COALESCE(o.updated_us, 0), i.venue";

// A position with its two legs. A missing leg (only a hand-edited file has one) reads as an undecodable row.
inline constexpr const char* kPositionSelect =
    "SELECT p.pair, p.position_id, p.open, s.qty_e9, s.cost_e9, f.qty_e9, f.cost_e9, p.entry_basis_e9, "
    "p.opened_us, p.closed_us, p.realized_e9, p.fees_e9, p.funding_e9, s.venue, s.symbol, f.venue, f.symbol, "
    "s.pair IS NOT NULL AND f.pair IS NOT NULL FROM positions p "
    "LEFT JOIN position_legs s ON s.pair = p.pair AND s.position_id = p.position_id AND s.leg_index = 0 "
    "LEFT JOIN position_legs f ON f.pair = p.pair AND f.position_id = p.position_id AND f.leg_index = 1 ";

inline const std::array<std::string, kSqlCount>& sql_texts() {
  static const std::array<std::string, kSqlCount> texts = {
      "BEGIN IMMEDIATE",
      "COMMIT",
      "ROLLBACK",
      "INSERT INTO intents (client_id, pair, leg, purpose, symbol, side, order_type, tif, price_e9, qty_e9, flags, "
      "created_us, venue) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
      // Terminal states are sticky and executed never decreases: a late REST "New" after the stream's
      // "Filled" must not resurrect the order.
      "INSERT INTO orders (client_id, exchange_id, state, terminal, executed_e9, updated_us, venue) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (client_id) DO UPDATE SET "
      "exchange_id = CASE WHEN excluded.exchange_id <> '' THEN excluded.exchange_id ELSE orders.exchange_id END, "
      "state = CASE WHEN orders.terminal = 1 AND excluded.terminal = 0 THEN orders.state ELSE excluded.state END, "
      "terminal = MAX(orders.terminal, excluded.terminal), "
      "executed_e9 = MAX(orders.executed_e9, excluded.executed_e9), "
      "updated_us = MAX(orders.updated_us, excluded.updated_us)",
      "INSERT OR IGNORE INTO fills (trade_id, symbol, client_id, side, price_e9, qty_e9, fee_e9, fee_symbol, maker, "
      "time_us, venue) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      "INSERT OR IGNORE INTO funding (symbol, interval_end_ms, amount_e9, venue) VALUES (?1, ?2, ?3, ?4)",
      "INSERT INTO positions (pair, position_id, open, entry_basis_e9, opened_us, closed_us, realized_e9, fees_e9, "
      "funding_e9) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (pair, position_id) DO UPDATE SET "
      "open = excluded.open, entry_basis_e9 = excluded.entry_basis_e9, opened_us = excluded.opened_us, "
      "closed_us = excluded.closed_us, realized_e9 = excluded.realized_e9, fees_e9 = excluded.fees_e9, "
      "funding_e9 = excluded.funding_e9",
      "INSERT INTO position_legs (pair, position_id, leg_index, leg, venue, symbol, qty_e9, cost_e9) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (pair, position_id, leg_index) DO UPDATE SET "
      "leg = excluded.leg, venue = excluded.venue, symbol = excluded.symbol, qty_e9 = excluded.qty_e9, "
      "cost_e9 = excluded.cost_e9",
      "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      "SELECT value FROM meta WHERE key = ?1",
      std::string("SELECT ") + kIntentColumns +
          " FROM pending p JOIN intents i ON i.client_id = p.client_id"
          " LEFT JOIN orders o ON o.client_id = i.client_id ORDER BY p.client_id",
      std::string("SELECT ") + kIntentColumns +
          " FROM intents i LEFT JOIN orders o ON o.client_id = i.client_id WHERE i.client_id = ?1",
      "SELECT trade_id, symbol, client_id, side, price_e9, qty_e9, fee_e9, fee_symbol, maker, time_us, venue FROM "
      "fills WHERE time_us >= ?1 ORDER BY time_us, id",
      "SELECT MAX(time_us) FROM fills",
      std::string(kPositionSelect) + "WHERE p.open = 1 ORDER BY p.pair, p.position_id",
      "SELECT symbol, interval_end_ms, amount_e9, venue FROM funding WHERE interval_end_ms >= ?1 "
      "ORDER BY interval_end_ms, symbol, venue",
      // The latest position of the pair opened at or before the moment and not closed before it.
      std::string(kPositionSelect) +
          "WHERE p.pair = ?1 AND p.opened_us <= ?2 AND (p.open = 1 OR p.closed_us >= ?2) "
          "ORDER BY p.opened_us DESC, p.position_id DESC LIMIT 1",
      std::string(kPositionSelect) + "ORDER BY p.pair, p.position_id",
  };
  return texts;
}

inline JournalErrc map_sqlite(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return JournalErrc::kOk;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return JournalErrc::kReadOnly;
    case SQLITE_FULL:
      return JournalErrc::kFull;
    case SQLITE_IOERR:
      return JournalErrc::kIo;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return JournalErrc::kBusy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return JournalErrc::kCorrupt;
    case SQLITE_CONSTRAINT:
      return JournalErrc::kConstraint;
    default:
      return JournalErrc::kOther;
  }
}

inline bool parse_i64(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

inline std::string_view column_text(sqlite3_stmt* st, int col) noexcept {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))};
}

inline Decimal column_decimal(sqlite3_stmt* st, int col) noexcept {
  return Decimal::from_raw(sqlite3_column_int64(st, col));
}

// Binds a text parameter without copying: the view outlives the sqlite3_step() that reads it.
inline int bind_text(sqlite3_stmt* st, int idx, std::string_view s) noexcept {
  return sqlite3_bind_text(st, idx, s.empty() ? "" : s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

// The stored name of a venue; empty for a value outside the enum (a caller bug, refused before writing).
inline std::string_view stored_venue(VenueId v) noexcept {
  const std::string_view n = venue_name(v);
  return n == "?" ? std::string_view() : n;
}

// ------------------------------------------------------------------------------------------ Impl

struct Journal::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string last_error;
  bool healthy = true;
  bool read_only = false;
  int schema_version = 0;
  int migrated_from = 0;        // the file's schema version when open() migrated it; 0 = no migration
  ClientId next_client_id = 1;  // kMaxStoredClientId + 1 ("exhausted") is representable
  std::array<sqlite3_stmt*, kSqlCount> stmts{};
  bool sync_full = true;  // current PRAGMA synchronous of the connection
  bool intent_full_sync = true;

  // Durability per write class. FULL fsyncs the WAL at every commit (~ms); NORMAL in WAL mode survives a
  // process crash (the daemon's common failure) and only risks the last commits on a power cut / kernel
  // crash. Intents, the trading state and the daily baseline must survive anything: an order may only
  // leave once its intent is on disk. Fills, acks, funding and positions can be re-fetched from the
  // exchange on restart, so they take NORMAL — and the next FULL commit's fsync makes them durable too.
  void durability(bool full) noexcept {
    if (full == sync_full || read_only) return;
    // Not a cached statement: PRAGMA synchronous takes effect when compiled, not when stepped.
    if (sqlite3_exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr) ==
        SQLITE_OK) {
      sync_full = full;
    }
  }

  ~Impl() {
    for (auto* s : stmts) sqlite3_finalize(s);
    if (db != nullptr) sqlite3_close_v2(db);
  }

  // Records a failure: message for the operator, healthy=false when it was a write.
  JournalStatus fail(const char* op, int rc, bool write) noexcept {
    JournalStatus st{map_sqlite(rc), rc, op};
    if (st.code == JournalErrc::kOk) st.code = JournalErrc::kOther;
    return fail_with(st, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), write);
  }
  JournalStatus fail_with(JournalStatus st, const char* detail, bool write) noexcept {
    if (write) healthy = false;
    try {
      last_error = std::string(st.op) + ": " + to_string(st.code);
      if (detail != nullptr && *detail != '\0') {
        last_error += " (";
        last_error += detail;
        last_error += ")";
      }
    } catch (...) {  // out of memory while describing an error: keep the code, drop the text
    }
    return st;
  }

  sqlite3_stmt* stmt(Sql id) noexcept {
    sqlite3_stmt* s = stmts[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
  }

  // Runs a statement with no result rows.
  int run(Sql id) noexcept {
    sqlite3_stmt* s = stmts[id];
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  int begin() noexcept { return run(kBegin); }
  int commit() noexcept {
    int rc = run(kCommit);
    // A failed COMMIT (e.g. SQLITE_FULL) can leave the transaction open: roll it back so the next
    // write starts clean.
    if (rc != SQLITE_OK && sqlite3_get_autocommit(db) == 0) run(kRollback);
    return rc;
  }
  void rollback() noexcept {
    if (sqlite3_get_autocommit(db) == 0) run(kRollback);
  }

  int insert_intent(const IntentRecord& in) noexcept {
    sqlite3_stmt* s = stmt(kInsertIntent);
    sqlite3_bind_int64(s, 1, in.client_id);
    bind_text(s, 2, in.pair);
    bind_text(s, 3, in.leg);
    bind_text(s, 4, in.purpose);
    bind_text(s, 5, in.symbol);
    bind_text(s, 6, side_name(in.side));
    bind_text(s, 7, order_type_name(in.type));
    bind_text(s, 8, tif_name(in.tif));
    sqlite3_bind_int64(s, 9, in.price.raw());
    sqlite3_bind_int64(s, 10, in.quantity.raw());
    sqlite3_bind_int64(s, 11, in.flags);
    sqlite3_bind_int64(s, 12, in.created_us);
    bind_text(s, 13, stored_venue(in.venue));
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  int put_meta(std::string_view key, std::string_view value) noexcept {
    sqlite3_stmt* s = stmt(kSetMeta);
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  int put_meta_int(std::string_view key, std::int64_t v) noexcept {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;  // 24 chars always hold an int64
    return put_meta(key, std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }

  // SQLITE_ROW with the value in `out`, SQLITE_DONE when absent, else an error code.
  int read_meta(std::string_view key, std::string& out) {
    sqlite3_stmt* s = stmt(kGetMeta);
    bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) out.assign(column_text(s, 0));
    sqlite3_reset(s);
    return rc;
  }

  // Reads one OpenIntent row (kIntentColumns layout). False on an undecodable value.
  static bool decode_intent(sqlite3_stmt* s, OpenIntent& out) {
    IntentRecord& in = out.intent;
    const std::int64_t cid = sqlite3_column_int64(s, 0);
    if (cid < 0) return false;
    in.client_id = static_cast<ClientId>(cid);
    in.pair.assign(column_text(s, 1));
    in.leg.assign(column_text(s, 2));
    in.purpose.assign(column_text(s, 3));
    in.symbol.assign(column_text(s, 4));
    if (!parse_side(column_text(s, 5), in.side)) return false;
    if (!parse_order_type(column_text(s, 6), in.type)) return false;
    if (!parse_tif(column_text(s, 7), in.tif)) return false;
    in.price = column_decimal(s, 8);
    in.quantity = column_decimal(s, 9);
    in.flags = static_cast<std::uint32_t>(sqlite3_column_int64(s, 10));
    in.created_us = sqlite3_column_int64(s, 11);
    out.acked = sqlite3_column_int(s, 12) != 0;
    out.exchange_order_id.assign(column_text(s, 13));
    if (!parse_order_record_state(column_text(s, 14), out.state)) return false;
    out.executed = column_decimal(s, 15);
    out.updated_us = sqlite3_column_int64(s, 16);
    return parse_venue_id(column_text(s, 17), in.venue);
  }

  static bool decode_fill(sqlite3_stmt* s, FillRecord& f) {
    f.trade_id = sqlite3_column_int64(s, 0);
    f.symbol.assign(column_text(s, 1));
    const std::int64_t cid = sqlite3_column_int64(s, 2);
    if (cid < 0) return false;
    f.client_id = static_cast<ClientId>(cid);
    if (!parse_side(column_text(s, 3), f.side)) return false;
    f.price = column_decimal(s, 4);
    f.quantity = column_decimal(s, 5);
    f.fee = column_decimal(s, 6);
    f.fee_symbol.assign(column_text(s, 7));
    f.maker = sqlite3_column_int(s, 8) != 0;
    f.time_us = sqlite3_column_int64(s, 9);
    return parse_venue_id(column_text(s, 10), f.venue);
  }

  // kPositionSelect layout. False on a missing leg or an unknown venue.
  static bool decode_position(sqlite3_stmt* s, PositionRecord& p) {
    p.pair.assign(column_text(s, 0));
    p.position_id = static_cast<std::uint64_t>(sqlite3_column_int64(s, 1));
    p.open = sqlite3_column_int(s, 2) != 0;
    p.spot_qty = column_decimal(s, 3);
    p.spot_cost = column_decimal(s, 4);
    p.perp_qty = column_decimal(s, 5);
    p.perp_cost = column_decimal(s, 6);
    p.entry_basis = column_decimal(s, 7);
    p.opened_us = sqlite3_column_int64(s, 8);
    p.closed_us = sqlite3_column_int64(s, 9);
    p.realized = column_decimal(s, 10);
    p.fees = column_decimal(s, 11);
    p.funding = column_decimal(s, 12);
    if (sqlite3_column_int(s, 17) == 0) return false;
    if (!parse_venue_id(column_text(s, 13), p.spot_venue)) return false;
    p.spot_symbol.assign(column_text(s, 14));
    if (!parse_venue_id(column_text(s, 15), p.perp_venue)) return false;
    p.perp_symbol.assign(column_text(s, 16));
    return true;
  }

  int upsert_leg(const PositionRecord& p, int index, std::string_view leg, VenueId venue, std::string_view symbol,
                 Decimal qty, Decimal cost) noexcept {
    sqlite3_stmt* s = stmt(kUpsertLeg);
    bind_text(s, 1, p.pair);
    sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(p.position_id));
    sqlite3_bind_int(s, 3, index);
    bind_text(s, 4, leg);
    bind_text(s, 5, stored_venue(venue));
    bind_text(s, 6, symbol);
    sqlite3_bind_int64(s, 7, qty.raw());
    sqlite3_bind_int64(s, 8, cost.raw());
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
};

// What an operation on a closed (moved-from) journal answers.
inline constexpr JournalStatus closed_status(const char* op) noexcept {
  return {JournalErrc::kClosed, 0, op};
}

}  // namespace bparb::journal
