// The journal's schema, its migrations and opening a file (docs/journal.md); writes are in
// journal_writes.cpp, reads in journal_reads.cpp.
#include "journal_impl.hpp"

namespace bparb::journal {

namespace {

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
    // A new file (version 0) is created, not migrated.
    if (version > 0) impl->migrated_from = static_cast<int>(version);
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
  // In unsigned arithmetic: an intent at the top of the stored range gives "exhausted", not an overflow.
  impl->next_client_id =
      std::max(static_cast<ClientId>(stored), static_cast<ClientId>(std::max<std::int64_t>(max_id, 0)) + 1);

  return Journal(std::move(impl));
}

Journal::Journal(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

namespace {
const std::string kEmpty;
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
int Journal::migrated_from() const noexcept {
  return impl_ ? impl_->migrated_from : 0;
}
ClientId Journal::peek_next_client_id() const noexcept {
  if (!impl_ || impl_->next_client_id > kMaxStoredClientId) return 0;
  return impl_->next_client_id;
}

}  // namespace bparb::journal
