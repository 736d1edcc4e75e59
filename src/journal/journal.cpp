#include "bparb/journal/journal.hpp"

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace bparb::journal {

namespace {

constexpr std::string_view kMetaSchemaVersion = "schema_version";
constexpr std::string_view kMetaNextClientId = "next_client_id";
constexpr std::string_view kMetaBaseline = "daily_baseline_e9";
constexpr std::string_view kMetaBaselineDay = "daily_baseline_day_us";
constexpr std::string_view kMetaTradingState = "trading_state";
constexpr std::string_view kMetaTradingReason = "trading_state_reason";
constexpr std::string_view kMetaTradingSince = "trading_state_since_us";

// migrations[i] takes the schema from version i to i + 1. Journal::open() runs every step a file needs in
// one transaction; a new file runs them all, so new and migrated journals end with the same schema.
// Tables, keys and the migration rule: docs/journal.md.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 0 -> 1
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE intents (
  client_id  INTEGER PRIMARY KEY,
  pair       TEXT NOT NULL,
  leg        TEXT NOT NULL,
  purpose    TEXT NOT NULL,
  symbol     TEXT NOT NULL,
  side       TEXT NOT NULL,
  order_type TEXT NOT NULL,
  tif        TEXT NOT NULL,
  price_e9   INTEGER NOT NULL,
  qty_e9     INTEGER NOT NULL,
  flags      INTEGER NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE TABLE orders (
  client_id   INTEGER PRIMARY KEY,
  exchange_id TEXT NOT NULL,
  state       TEXT NOT NULL,
  terminal    INTEGER NOT NULL,
  executed_e9 INTEGER NOT NULL,
  updated_us  INTEGER NOT NULL
);
CREATE TABLE fills (
  id         INTEGER PRIMARY KEY,
  trade_id   INTEGER NOT NULL,
  symbol     TEXT NOT NULL,
  client_id  INTEGER NOT NULL,
  side       TEXT NOT NULL,
  price_e9   INTEGER NOT NULL,
  qty_e9     INTEGER NOT NULL,
  fee_e9     INTEGER NOT NULL,
  fee_symbol TEXT NOT NULL,
  maker      INTEGER NOT NULL,
  time_us    INTEGER NOT NULL,
  UNIQUE (trade_id, symbol)
);
CREATE INDEX fills_by_time ON fills (time_us);
CREATE INDEX fills_by_client ON fills (client_id);
CREATE TABLE positions (
  pair           TEXT NOT NULL,
  position_id    INTEGER NOT NULL,
  open           INTEGER NOT NULL,
  spot_qty_e9    INTEGER NOT NULL,
  spot_cost_e9   INTEGER NOT NULL,
  perp_qty_e9    INTEGER NOT NULL,
  perp_cost_e9   INTEGER NOT NULL,
  entry_basis_e9 INTEGER NOT NULL,
  opened_us      INTEGER NOT NULL,
  closed_us      INTEGER NOT NULL,
  realized_e9    INTEGER NOT NULL,
  fees_e9        INTEGER NOT NULL,
  funding_e9     INTEGER NOT NULL,
  PRIMARY KEY (pair, position_id)
);
CREATE TABLE funding (
  id              INTEGER PRIMARY KEY,
  symbol          TEXT NOT NULL,
  interval_end_ms INTEGER NOT NULL,
  amount_e9       INTEGER NOT NULL,
  UNIQUE (symbol, interval_end_ms)
);
-- Client ids of intents whose order is not terminal yet, maintained by triggers in the same statement,
-- so start-up recovery reads a handful of rows instead of scanning months of intents.
CREATE TABLE pending (client_id INTEGER PRIMARY KEY);
CREATE TRIGGER intents_pending AFTER INSERT ON intents BEGIN
  INSERT OR IGNORE INTO pending (client_id) SELECT NEW.client_id
    WHERE NOT EXISTS (SELECT 1 FROM orders WHERE client_id = NEW.client_id AND terminal = 1);
END;
CREATE TRIGGER orders_settled_insert AFTER INSERT ON orders WHEN NEW.terminal = 1 BEGIN
  DELETE FROM pending WHERE client_id = NEW.client_id;
END;
CREATE TRIGGER orders_settled_update AFTER UPDATE OF terminal ON orders WHEN NEW.terminal = 1 BEGIN
  DELETE FROM pending WHERE client_id = NEW.client_id;
END;
)sql",
    // 1 -> 2: the venue becomes part of what the journal stores. Rows written before knew only Backpack.
    // SQLite cannot change a table's UNIQUE constraint in place, so fills and funding are rebuilt (same
    // ids, same values); the positions' spot/perp columns move to one position_legs row per leg.
    R"sql(
ALTER TABLE intents ADD COLUMN venue TEXT NOT NULL DEFAULT 'backpack';
ALTER TABLE orders ADD COLUMN venue TEXT NOT NULL DEFAULT 'backpack';
CREATE TABLE fills_v2 (
  id         INTEGER PRIMARY KEY,
  venue      TEXT NOT NULL,
  trade_id   INTEGER NOT NULL,
  symbol     TEXT NOT NULL,
  client_id  INTEGER NOT NULL,
  side       TEXT NOT NULL,
  price_e9   INTEGER NOT NULL,
  qty_e9     INTEGER NOT NULL,
  fee_e9     INTEGER NOT NULL,
  fee_symbol TEXT NOT NULL,
  maker      INTEGER NOT NULL,
  time_us    INTEGER NOT NULL,
  UNIQUE (venue, symbol, trade_id)
);
INSERT INTO fills_v2 (id, venue, trade_id, symbol, client_id, side, price_e9, qty_e9, fee_e9, fee_symbol, maker,
                      time_us)
  SELECT id, 'backpack', trade_id, symbol, client_id, side, price_e9, qty_e9, fee_e9, fee_symbol, maker, time_us
  FROM fills;
DROP TABLE fills;
ALTER TABLE fills_v2 RENAME TO fills;
CREATE INDEX fills_by_time ON fills (time_us);
CREATE INDEX fills_by_client ON fills (client_id);
CREATE TABLE funding_v2 (
  id              INTEGER PRIMARY KEY,
  venue           TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  interval_end_ms INTEGER NOT NULL,
  amount_e9       INTEGER NOT NULL,
  UNIQUE (venue, symbol, interval_end_ms)
);
INSERT INTO funding_v2 (id, venue, symbol, interval_end_ms, amount_e9)
  SELECT id, 'backpack', symbol, interval_end_ms, amount_e9 FROM funding;
DROP TABLE funding;
ALTER TABLE funding_v2 RENAME TO funding;
CREATE TABLE position_legs (
  pair        TEXT NOT NULL,
  position_id INTEGER NOT NULL,
  leg_index   INTEGER NOT NULL,
  leg         TEXT NOT NULL,
  venue       TEXT NOT NULL,
  symbol      TEXT NOT NULL,
  qty_e9      INTEGER NOT NULL,
  cost_e9     INTEGER NOT NULL,
  PRIMARY KEY (pair, position_id, leg_index)
) WITHOUT ROWID;
INSERT INTO position_legs (pair, position_id, leg_index, leg, venue, symbol, qty_e9, cost_e9)
  SELECT pair, position_id, 0, 'spot', 'backpack', '', spot_qty_e9, spot_cost_e9 FROM positions;
INSERT INTO position_legs (pair, position_id, leg_index, leg, venue, symbol, qty_e9, cost_e9)
  SELECT pair, position_id, 1, 'perp', 'backpack', '', perp_qty_e9, perp_cost_e9 FROM positions;
ALTER TABLE positions DROP COLUMN spot_qty_e9;
ALTER TABLE positions DROP COLUMN spot_cost_e9;
ALTER TABLE positions DROP COLUMN perp_qty_e9;
ALTER TABLE positions DROP COLUMN perp_cost_e9;
)sql",
};

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

constexpr const char* kIntentColumns =
    "i.client_id, i.pair, i.leg, i.purpose, i.symbol, i.side, i.order_type, i.tif, i.price_e9, i.qty_e9, "
    "i.flags, i.created_us, o.client_id IS NOT NULL, COALESCE(o.exchange_id, ''), COALESCE(o.state, 'PendingNew'), "
    "COALESCE(o.executed_e9, 0), COALESCE(o.updated_us, 0), i.venue";

// A position with its two legs. A missing leg (only a hand-edited file has one) reads as an undecodable row.
constexpr const char* kPositionSelect =
    "SELECT p.pair, p.position_id, p.open, s.qty_e9, s.cost_e9, f.qty_e9, f.cost_e9, p.entry_basis_e9, "
    "p.opened_us, p.closed_us, p.realized_e9, p.fees_e9, p.funding_e9, s.venue, s.symbol, f.venue, f.symbol, "
    "s.pair IS NOT NULL AND f.pair IS NOT NULL FROM positions p "
    "LEFT JOIN position_legs s ON s.pair = p.pair AND s.position_id = p.position_id AND s.leg_index = 0 "
    "LEFT JOIN position_legs f ON f.pair = p.pair AND f.position_id = p.position_id AND f.leg_index = 1 ";

const std::array<std::string, kSqlCount>& sql_texts() {
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

JournalErrc map_sqlite(int rc) noexcept {
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

bool parse_i64(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string_view column_text(sqlite3_stmt* st, int col) noexcept {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))};
}

Decimal column_decimal(sqlite3_stmt* st, int col) noexcept {
  return Decimal::from_raw(sqlite3_column_int64(st, col));
}

// Binds a text parameter without copying: the view outlives the sqlite3_step() that reads it.
int bind_text(sqlite3_stmt* st, int idx, std::string_view s) noexcept {
  return sqlite3_bind_text(st, idx, s.empty() ? "" : s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

// The stored name of a venue; empty for a value outside the enum (a caller bug, refused before writing).
std::string_view stored_venue(VenueId v) noexcept {
  const std::string_view n = venue_name(v);
  return n == "?" ? std::string_view() : n;
}

[[noreturn]] void throw_open_error(const std::string& path, const std::string& what, sqlite3* db) {
  std::string msg = "journal " + path + ": " + what;
  if (db != nullptr) {
    msg += " (";
    msg += sqlite3_errmsg(db);
    msg += ")";
  }
  throw std::runtime_error(msg);
}

}  // namespace

const char* to_string(JournalErrc e) noexcept {
  switch (e) {
    case JournalErrc::kOk:
      return "ok";
    case JournalErrc::kReadOnly:
      return "read-only";
    case JournalErrc::kFull:
      return "disk or journal full";
    case JournalErrc::kIo:
      return "I/O error";
    case JournalErrc::kBusy:
      return "busy";
    case JournalErrc::kCorrupt:
      return "corrupt";
    case JournalErrc::kConstraint:
      return "constraint violated";
    case JournalErrc::kInvalidArgument:
      return "invalid argument";
    case JournalErrc::kBadRow:
      return "undecodable row";
    case JournalErrc::kExhausted:
      return "client ids exhausted";
    case JournalErrc::kClosed:
      return "journal closed";
    case JournalErrc::kOther:
      return "sqlite error";
  }
  return "?";
}

namespace {
constexpr std::array<std::string_view, 9> kStateNames = {
    "PendingNew", "Unknown", "Open", "PartiallyFilled", "PendingCancel", "Filled", "Cancelled", "Expired", "Rejected",
};
}  // namespace

std::string_view order_record_state_name(OrderRecordState s) noexcept {
  const auto i = static_cast<std::size_t>(s);
  return i < kStateNames.size() ? kStateNames[i] : std::string_view("?");
}

bool parse_order_record_state(std::string_view s, OrderRecordState& out) noexcept {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == s) {
      out = static_cast<OrderRecordState>(i);
      return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------------ Impl

struct Journal::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string last_error;
  bool healthy = true;
  bool read_only = false;
  int schema_version = 0;
  std::uint64_t next_client_id = 1;  // 64-bit so 2^32 ("exhausted") is representable
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
    if (cid < 0 || cid > std::numeric_limits<std::uint32_t>::max()) return false;
    in.client_id = static_cast<std::uint32_t>(cid);
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
    if (cid < 0 || cid > std::numeric_limits<std::uint32_t>::max()) return false;
    f.client_id = static_cast<std::uint32_t>(cid);
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

// ------------------------------------------------------------------------------------------ open

namespace {

void exec_or_throw(sqlite3* db, const std::string& path, const char* sql, const char* what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = std::string(what) + ": " + (err != nullptr ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    throw_open_error(path, msg, nullptr);
  }
}

// First column of the first row as text ("" if no row); throws on error.
std::string query_text(sqlite3* db, const std::string& path, const char* sql, const char* what) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  if (rc != SQLITE_OK) throw_open_error(path, what, db);
  std::string out;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out.assign(column_text(st, 0));
  } else if (rc != SQLITE_DONE) {
    std::string msg = std::string(what) + " (" + sqlite3_errmsg(db) + ")";
    sqlite3_finalize(st);
    throw_open_error(path, msg, nullptr);
  }
  sqlite3_finalize(st);
  return out;
}

std::int64_t query_int(sqlite3* db, const std::string& path, const char* sql, const char* what) {
  std::string t = query_text(db, path, sql, what);
  std::int64_t v = 0;
  if (t.empty()) return 0;
  if (!parse_i64(t, v)) throw_open_error(path, std::string(what) + ": not an integer: " + t, nullptr);
  return v;
}

}  // namespace

Journal Journal::open(const std::string& path, const JournalOptions& opts) {
  if (path.empty()) throw std::runtime_error("journal: empty path");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->read_only = opts.read_only;
  impl->intent_full_sync = opts.intent_full_sync;

  const int flags =
      (opts.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    throw_open_error(path, opts.read_only ? "cannot open for reading" : "cannot open or create", impl->db);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, opts.busy_timeout_ms);
  sqlite3* db = impl->db;
  const bool in_memory = path == ":memory:";

  if (!opts.read_only && sqlite3_db_readonly(db, "main") == 1) {
    throw_open_error(path, "opened read-only (check the permissions of the file and its directory)", nullptr);
  }

  // Reading the header first turns "not a database" into a clear start-up error.
  const std::int64_t app_id = query_int(db, path, "PRAGMA application_id", "not a SQLite database");
  if (app_id != 0 && app_id != kApplicationId) {
    throw_open_error(
        path, "is a SQLite database of another application (application_id " + std::to_string(app_id) + ")", nullptr);
  }

  if (!opts.read_only) {
    const std::string mode = query_text(db, path, "PRAGMA journal_mode=WAL", "cannot enable WAL");
    if (mode != "wal" && !(in_memory && mode == "memory")) {
      throw_open_error(path, "cannot enable WAL (journal_mode is '" + mode + "')", nullptr);
    }
    // Start at FULL; Impl::durability() switches per write class.
    exec_or_throw(db, path, "PRAGMA synchronous=FULL", "cannot set synchronous=FULL");
  }
  if (opts.max_page_count > 0) {
    const std::string sql = "PRAGMA max_page_count=" + std::to_string(opts.max_page_count);
    (void)query_text(db, path, sql.c_str(), "cannot set max_page_count");
  }

  // Schema: a file with tables but no meta is someone else's database.
  const std::int64_t tables =
      query_int(db, path, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'", "cannot read the schema");
  const bool has_meta = query_int(db, path, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'",
                                  "cannot read the schema") == 1;
  std::int64_t version = 0;
  if (has_meta) {
    const std::string v =
        query_text(db, path, "SELECT value FROM meta WHERE key = 'schema_version'", "cannot read schema_version");
    if (!parse_i64(v, version) || version < 1) {
      throw_open_error(path, "invalid schema_version '" + v + "' in meta", nullptr);
    }
  } else if (tables != 0) {
    throw_open_error(path, "is not a bparb journal (tables present but no meta table)", nullptr);
  }
  if (version > kSchemaVersion) {
    throw_open_error(path,
                     "schema version " + std::to_string(version) + " is newer than this build supports (" +
                         std::to_string(kSchemaVersion) + "); upgrade bparb",
                     nullptr);
  }
  if (version < kSchemaVersion) {
    if (opts.read_only) {
      throw_open_error(path, "schema version " + std::to_string(version) + " needs a migration (open read-write)",
                       nullptr);
    }
    exec_or_throw(db, path, "BEGIN IMMEDIATE", "cannot start the migration");
    try {
      for (std::int64_t v = version; v < kSchemaVersion; ++v) {
        exec_or_throw(db, path, kMigrations[static_cast<std::size_t>(v)], "schema migration failed");
      }
      const std::string set_version = "INSERT INTO meta (key, value) VALUES ('schema_version', '" +
                                      std::to_string(kSchemaVersion) +
                                      "') ON CONFLICT (key) DO UPDATE SET value = excluded.value";
      exec_or_throw(db, path, set_version.c_str(), "cannot store schema_version");
      const std::string set_app = "PRAGMA application_id=" + std::to_string(kApplicationId);
      exec_or_throw(db, path, set_app.c_str(), "cannot set application_id");
      exec_or_throw(db, path, "COMMIT", "cannot commit the migration");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    version = kSchemaVersion;
  }
  impl->schema_version = static_cast<int>(version);

  const auto& texts = sql_texts();
  for (std::size_t i = 0; i < kSqlCount; ++i) {
    rc = sqlite3_prepare_v3(db, texts[i].c_str(), static_cast<int>(texts[i].size() + 1), SQLITE_PREPARE_PERSISTENT,
                            &impl->stmts[i], nullptr);
    if (rc != SQLITE_OK) throw_open_error(path, "cannot prepare statement " + std::to_string(i), db);
  }

  // Client ids: max(stored counter, highest journaled intent + 1), so ids never repeat even if the
  // counter write was lost.
  std::int64_t stored = 1;
  const std::string next_text =
      query_text(db, path, "SELECT value FROM meta WHERE key = 'next_client_id'", "cannot read next_client_id");
  if (!next_text.empty() && (!parse_i64(next_text, stored) || stored < 1)) {
    throw_open_error(path, "invalid next_client_id '" + next_text + "' in meta", nullptr);
  }
  const std::string max_intent = query_text(db, path, "SELECT MAX(client_id) FROM intents", "cannot read intents");
  std::int64_t max_id = 0;
  if (!max_intent.empty() && !parse_i64(max_intent, max_id)) {
    throw_open_error(path, "invalid client_id in intents", nullptr);
  }
  impl->next_client_id = static_cast<std::uint64_t>(std::max(stored, max_id + 1));

  return Journal(std::move(impl));
}

Journal::Journal(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

namespace {
const std::string kEmpty;
constexpr JournalStatus closed_status(const char* op) noexcept {
  return {JournalErrc::kClosed, 0, op};
}
}  // namespace

const std::string& Journal::path() const noexcept {
  return impl_ ? impl_->path : kEmpty;
}
bool Journal::healthy() const noexcept {
  return impl_ && impl_->healthy;
}
const std::string& Journal::last_error() const noexcept {
  return impl_ ? impl_->last_error : kEmpty;
}
int Journal::schema_version() const noexcept {
  return impl_ ? impl_->schema_version : 0;
}
std::uint32_t Journal::peek_next_client_id() const noexcept {
  if (!impl_ || impl_->next_client_id > std::numeric_limits<std::uint32_t>::max()) return 0;
  return static_cast<std::uint32_t>(impl_->next_client_id);
}

// ------------------------------------------------------------------------------------------ writes

JournalStatus Journal::record_intent(const IntentRecord& intent) noexcept {
  return record_intents(std::span<const IntentRecord>(&intent, 1));
}

JournalStatus Journal::record_intents(std::span<const IntentRecord> intents) noexcept {
  constexpr const char* kOp = "record_intent";
  if (!impl_) return closed_status(kOp);
  Impl& m = *impl_;
  for (const auto& in : intents) {
    if (in.symbol.empty() || in.pair.empty() || stored_venue(in.venue).empty()) {
      return m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "empty symbol or pair, or unknown venue", false);
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
    if (in.client_id >= m.next_client_id) m.next_client_id = std::uint64_t{in.client_id} + 1;
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
  sqlite3_bind_int64(s, 1, ack.client_id);
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
  sqlite3_bind_int64(s, 3, f.client_id);
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

Expected<std::uint32_t, JournalStatus> Journal::next_client_id() noexcept {
  return reserve_client_ids(1);
}

Expected<std::uint32_t, JournalStatus> Journal::reserve_client_ids(std::uint32_t count) noexcept {
  constexpr const char* kOp = "next_client_id";
  if (!impl_) return unexpected(closed_status(kOp));
  Impl& m = *impl_;
  if (count == 0) return unexpected(m.fail_with({JournalErrc::kInvalidArgument, 0, kOp}, "count is zero", false));
  const std::uint64_t first = m.next_client_id;
  const std::uint64_t after = first + count;
  if (after - 1 > std::numeric_limits<std::uint32_t>::max()) {
    return unexpected(m.fail_with({JournalErrc::kExhausted, 0, kOp}, "uint32 client-id space used up", true));
  }
  m.durability(false);  // losing a reservation is harmless: open() also counts from the intents
  if (int rc = m.put_meta_int(kMetaNextClientId, static_cast<std::int64_t>(after)); rc != SQLITE_OK) {
    return unexpected(m.fail(kOp, rc, true));
  }
  m.next_client_id = after;
  return static_cast<std::uint32_t>(first);
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

// ------------------------------------------------------------------------------------------ reads

namespace {

// Steps `s` to the end, decoding each row with `decode(row) -> bool`. Returns SQLITE_DONE, an SQLite
// error, or -1 when a row did not decode.
template <class Decode>
int for_each_row(sqlite3_stmt* s, Decode&& decode) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!decode(s)) {
      sqlite3_reset(s);
      return -1;
    }
  }
  sqlite3_reset(s);
  return rc;
}

}  // namespace

namespace {
template <class T>
Expected<T, JournalStatus> finish_read(Journal::Impl& m, const char* op, int rc, T&& value) {
  if (rc == -1) return unexpected(m.fail_with({JournalErrc::kBadRow, 0, op}, "stored value not decodable", false));
  if (rc != SQLITE_DONE) return unexpected(m.fail(op, rc, false));
  return std::forward<T>(value);
}

// Reads allocate; out of memory becomes an error value instead of escaping a noexcept function.
template <class F>
auto guarded_read(const char* op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return unexpected(JournalStatus{JournalErrc::kOther, SQLITE_NOMEM, op});
  }
}
}  // namespace

Expected<std::vector<OpenIntent>, JournalStatus> Journal::open_intents() noexcept {
  if (!impl_) return unexpected(closed_status("open_intents"));
  return guarded_read("open_intents", [&]() -> Expected<std::vector<OpenIntent>, JournalStatus> {
    std::vector<OpenIntent> out;
    int rc = for_each_row(impl_->stmt(kOpenIntents), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_intent(s, out.back());
    });
    return finish_read(*impl_, "open_intents", rc, std::move(out));
  });
}

Expected<std::optional<OpenIntent>, JournalStatus> Journal::find_intent(std::uint32_t client_id) noexcept {
  if (!impl_) return unexpected(closed_status("find_intent"));
  return guarded_read("find_intent", [&]() -> Expected<std::optional<OpenIntent>, JournalStatus> {
    std::optional<OpenIntent> out;
    sqlite3_stmt* st = impl_->stmt(kFindIntent);
    sqlite3_bind_int64(st, 1, client_id);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace();
      return Impl::decode_intent(s, *out);
    });
    return finish_read(*impl_, "find_intent", rc, std::move(out));
  });
}

Expected<std::vector<FillRecord>, JournalStatus> Journal::fills_since(TimestampUs since_us) noexcept {
  if (!impl_) return unexpected(closed_status("fills_since"));
  return guarded_read("fills_since", [&]() -> Expected<std::vector<FillRecord>, JournalStatus> {
    std::vector<FillRecord> out;
    sqlite3_stmt* st = impl_->stmt(kFillsSince);
    sqlite3_bind_int64(st, 1, since_us);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_fill(s, out.back());
    });
    return finish_read(*impl_, "fills_since", rc, std::move(out));
  });
}

Expected<std::optional<TimestampUs>, JournalStatus> Journal::last_fill_time_us() noexcept {
  if (!impl_) return unexpected(closed_status("last_fill_time_us"));
  return guarded_read("last_fill_time_us", [&]() -> Expected<std::optional<TimestampUs>, JournalStatus> {
    std::optional<TimestampUs> out;
    int rc = for_each_row(impl_->stmt(kLastFill), [&](sqlite3_stmt* s) {
      if (sqlite3_column_type(s, 0) != SQLITE_NULL) out = sqlite3_column_int64(s, 0);
      return true;
    });
    return finish_read(*impl_, "last_fill_time_us", rc, std::move(out));
  });
}

Expected<std::vector<PositionRecord>, JournalStatus> Journal::open_positions() noexcept {
  if (!impl_) return unexpected(closed_status("open_positions"));
  return guarded_read("open_positions", [&]() -> Expected<std::vector<PositionRecord>, JournalStatus> {
    std::vector<PositionRecord> out;
    int rc = for_each_row(impl_->stmt(kOpenPositions), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_position(s, out.back());
    });
    return finish_read(*impl_, "open_positions", rc, std::move(out));
  });
}

Expected<std::vector<PositionRecord>, JournalStatus> Journal::positions() noexcept {
  if (!impl_) return unexpected(closed_status("positions"));
  return guarded_read("positions", [&]() -> Expected<std::vector<PositionRecord>, JournalStatus> {
    std::vector<PositionRecord> out;
    int rc = for_each_row(impl_->stmt(kAllPositions), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_position(s, out.back());
    });
    return finish_read(*impl_, "positions", rc, std::move(out));
  });
}

Expected<std::optional<PositionRecord>, JournalStatus> Journal::position_held_at(std::string_view pair,
                                                                                 TimestampUs at_us) noexcept {
  if (!impl_) return unexpected(closed_status("position_held_at"));
  return guarded_read("position_held_at", [&]() -> Expected<std::optional<PositionRecord>, JournalStatus> {
    std::optional<PositionRecord> out;
    sqlite3_stmt* st = impl_->stmt(kPositionHeldAt);
    sqlite3_bind_text(st, 1, pair.data(), static_cast<int>(pair.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, at_us);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace();
      return Impl::decode_position(s, *out);
    });
    return finish_read(*impl_, "position_held_at", rc, std::move(out));
  });
}

Expected<std::vector<FundingRecord>, JournalStatus> Journal::funding_since(std::int64_t since_ms) noexcept {
  if (!impl_) return unexpected(closed_status("funding_since"));
  return guarded_read("funding_since", [&]() -> Expected<std::vector<FundingRecord>, JournalStatus> {
    std::vector<FundingRecord> out;
    sqlite3_stmt* st = impl_->stmt(kFundingSince);
    sqlite3_bind_int64(st, 1, since_ms);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.push_back({std::string(column_text(s, 0)), sqlite3_column_int64(s, 1), column_decimal(s, 2)});
      return parse_venue_id(column_text(s, 3), out.back().venue);
    });
    return finish_read(*impl_, "funding_since", rc, std::move(out));
  });
}

}  // namespace bparb::journal
