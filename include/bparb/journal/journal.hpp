#pragma once
// Write-ahead journal of order actions (SQLite3, WAL), so a restart can reconcile with the exchange
// instead of guessing.
//
// Durability: intents, trading state, daily baseline and set_meta commit with synchronous=FULL (WAL
// fsync'd before the call returns: survives a power cut). Acks, fills, funding, positions and client-id
// reservations commit with synchronous=NORMAL (survive a process crash; a power cut may lose the last
// few, which the exchange's history restores — and the next FULL commit makes them durable as well).
// Measured on the dev VM (virtio disk, tests/journal/bench/journal_insert_bench.cpp): FULL 0.2 ms/commit
// on a quiet disk, up to 6.5 ms while other builds write (it is one fdatasync); NORMAL 12-150 us/commit;
// a duplicate fill ~3 us. strace confirms one fdatasync per intent commit and none for NORMAL writes.
//
// Protocol the daemon follows:
//   1. record_intent() BEFORE an order leaves the process (durable: fsync'd WAL commit). A crash after
//      the send therefore always leaves an intent to query by client id on restart.
//   2. record_ack() on every REST answer / order-stream state change (terminal states are sticky and
//      `executed` never goes down, so late or out-of-order answers cannot roll an order back).
//   3. record_fill() per fill; (venue, symbol, trade_id) is unique, a replayed fill returns false.
//   4. record_funding() per settlement; (venue, symbol, interval_end_ms) is unique.
//   5. upsert_position() whenever a position changes; meta keeps the client-id counter, the daily P&L
//      baseline and the trading state.
// On start-up: open_intents() = orders whose outcome is not known to be final (query them),
// last_fill_time_us() = where to resume the exchange's fill history, open_positions() and
// daily_baseline() to rebuild the portfolio/risk state.
//
// The schema (tables, keys, versions and the migration rule) is described in docs/journal.md.
//
// Money columns are INTEGER in units of 1e-9 (Decimal::raw(), suffix `_e9`): exact, comparable and
// summable in SQL. Enums are stored by their exchange/log names so `sqlite3 journal.sqlite` is readable.
//
// Errors: open() throws std::runtime_error naming the path and SQLite's message (start-up). Every
// other call returns a JournalStatus / Expected and never throws; any failed write also latches
// healthy() == false so the daemon can stop opening positions (disk full, I/O error, read-only).
// Not thread-safe: one Journal per thread (the daemon's io thread).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/core/types.hpp"
#include "bparb/core/venue.hpp"

namespace bparb::journal {

// 2: venue columns, fills unique on (venue, symbol, trade_id), position legs in their own table.
inline constexpr int kSchemaVersion = 2;
// PRAGMA application_id marking the file as a bparb journal ("bpar").
inline constexpr std::int32_t kApplicationId = 0x62706172;

enum class JournalErrc : std::uint8_t {
  kOk = 0,
  kReadOnly,         // database or file is read-only
  kFull,             // disk full or max_page_count reached
  kIo,               // I/O error (fsync, write)
  kBusy,             // locked by another connection beyond the busy timeout
  kCorrupt,          // database image is malformed
  kConstraint,       // a constraint other than the dedup keys failed
  kInvalidArgument,  // e.g. negative trade id, empty symbol, a VenueId outside the enum
  kBadRow,           // a stored row could not be decoded (hand-edited / corrupt value)
  kExhausted,        // client-id space (what SQLite's signed 64-bit integer holds) used up
  kClosed,           // the Journal was moved from
  kOther,            // any other SQLite error
};
const char* to_string(JournalErrc e) noexcept;

// Result of one journal call. `op` is a static string naming the operation ("record_intent", ...).
struct [[nodiscard]] JournalStatus {
  JournalErrc code = JournalErrc::kOk;
  int sqlite_code = 0;  // extended result code, 0 when not from SQLite
  const char* op = "";
  bool ok() const noexcept { return code == JournalErrc::kOk; }
};

// Flags of an intent (bit set).
inline constexpr std::uint32_t kIntentPostOnly = 1u << 0;
inline constexpr std::uint32_t kIntentReduceOnly = 1u << 1;

struct IntentRecord {
  ClientId client_id = 0;
  std::string pair;     // "SOL" (stable across restarts, unlike a pair index); empty for a single order
  std::string leg;      // "spot" / "perp"
  std::string purpose;  // exec::order_purpose_name(): "Entry", "Exit", "Hedge", ...
  std::string symbol;   // "SOL_USDC"
  Side side = Side::kBid;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kIoc;
  Decimal price;
  Decimal quantity;
  std::uint32_t flags = 0;  // kIntentPostOnly | kIntentReduceOnly
  TimestampUs created_us = 0;
  VenueId venue = VenueId::kBackpack;
  bool operator==(const IntentRecord&) const = default;
};

// Mirrors oms::OrderState one to one (same names, same order) so the journal needs no oms headers.
enum class OrderRecordState : std::uint8_t {
  kPendingNew,
  kUnknown,
  kOpen,
  kPartiallyFilled,
  kPendingCancel,
  kFilled,
  kCancelled,
  kExpired,
  kRejected,
};
std::string_view order_record_state_name(OrderRecordState s) noexcept;  // "PendingNew", ...
bool parse_order_record_state(std::string_view s, OrderRecordState& out) noexcept;
constexpr bool is_terminal(OrderRecordState s) noexcept {
  return s == OrderRecordState::kFilled || s == OrderRecordState::kCancelled || s == OrderRecordState::kExpired ||
         s == OrderRecordState::kRejected;
}

struct AckRecord {
  ClientId client_id = 0;
  std::string exchange_order_id;  // empty when not known (rejected / unknown outcome)
  OrderRecordState state = OrderRecordState::kOpen;
  Decimal executed;  // cumulative executed quantity as reported
  TimestampUs updated_us = 0;
  VenueId venue = VenueId::kBackpack;  // stored with the first ack of the client id
};

// An intent whose order is not known to be terminal, with what the journal knows about it.
struct OpenIntent {
  IntentRecord intent;
  bool acked = false;  // false: no record_ack() ever (crashed between send and answer)
  std::string exchange_order_id;
  OrderRecordState state = OrderRecordState::kPendingNew;
  Decimal executed;
  TimestampUs updated_us = 0;
};

struct FillRecord {
  std::int64_t trade_id = 0;  // exchange trade id, >= 0
  std::string symbol;
  ClientId client_id = 0;  // 0 when the fill is not ours / unknown
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;
  std::string fee_symbol;
  bool maker = false;
  TimestampUs time_us = 0;
  VenueId venue = VenueId::kBackpack;
  bool operator==(const FillRecord&) const = default;
};

// A two-leg (basis) position. The journal stores each leg as its own row (docs/journal.md); the record
// keeps the spot/perp fields its callers use, as leg 0 (spot) and leg 1 (perp).
struct PositionRecord {
  std::string pair;
  std::uint64_t position_id = 0;
  bool open = true;
  Decimal spot_qty;   // signed
  Decimal spot_cost;  // signed cost basis (LegPosition::cost)
  Decimal perp_qty;
  Decimal perp_cost;
  Decimal entry_basis;
  TimestampUs opened_us = 0;
  TimestampUs closed_us = 0;
  Decimal realized;
  Decimal fees;
  Decimal funding;
  VenueId spot_venue = VenueId::kBackpack;
  std::string spot_symbol;  // empty when not known (journals from schema 1 did not record it)
  VenueId perp_venue = VenueId::kBackpack;
  std::string perp_symbol;
  bool operator==(const PositionRecord&) const = default;
};

struct FundingRecord {
  std::string symbol;
  std::int64_t interval_end_ms = 0;
  Decimal amount;  // + received / - paid
  VenueId venue = VenueId::kBackpack;
  bool operator==(const FundingRecord&) const = default;
};

struct DailyBaseline {
  TimestampUs day_start_us = 0;  // 00:00 UTC of the day the baseline belongs to
  // Today's P&L so far (realized - fees + funding of this run and of earlier runs the same UTC day), not a
  // running total: a restart on the same day adds it to the risk gate's daily P&L.
  Decimal baseline;
  bool operator==(const DailyBaseline&) const = default;
};

struct TradingStateRecord {
  std::string state;   // "Active" / "ReduceOnly" / "Halted"
  std::string reason;  // free text
  TimestampUs since_us = 0;
};

struct JournalOptions {
  bool read_only = false;           // inspection tools: every write then fails with kReadOnly
  std::int64_t max_page_count = 0;  // > 0: hard size cap in pages (tests use a tiny one to simulate a full disk)
  int busy_timeout_ms = 2'000;
  // true: intents fsync'd before record_intent() returns (~ms on a VM disk, added to every order's
  // latency). false: NORMAL like fills — still survives a process crash, not a power cut / kernel panic.
  bool intent_full_sync = true;
};

class Journal {
 public:
  // Opens (creating if needed, unless read_only) and migrates an older schema to kSchemaVersion in place,
  // all steps in one transaction (a failure leaves the file as it was). Throws std::runtime_error
  // "journal <path>: <what> (<sqlite message>)" when the file cannot be opened, is not a bparb journal, is
  // written by a newer schema, needs a migration but is opened read_only, the migration fails, or WAL
  // cannot be enabled.
  static Journal open(const std::string& path, const JournalOptions& opts = {});

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  const std::string& path() const noexcept;
  // False once any write failed; stays false (the daemon stops trading and alerts).
  bool healthy() const noexcept;
  // Last failure, e.g. "record_fill: database or disk is full (SQLITE_FULL)". Empty if none.
  const std::string& last_error() const noexcept;

  // --- Order path
  JournalStatus record_intent(const IntentRecord& intent) noexcept;
  // Several intents (one batch request) in one transaction: one fsync, all or nothing.
  JournalStatus record_intents(std::span<const IntentRecord> intents) noexcept;
  JournalStatus record_ack(const AckRecord& ack) noexcept;
  // true = stored, false = duplicate (venue, symbol, trade_id) already journaled.
  Expected<bool, JournalStatus> record_fill(const FillRecord& fill) noexcept;
  // true = stored, false = duplicate (venue, symbol, interval_end_ms).
  Expected<bool, JournalStatus> record_funding(const FundingRecord& funding) noexcept;
  // Both legs and the position row in one transaction.
  JournalStatus upsert_position(const PositionRecord& position) noexcept;

  // --- Client ids: persisted and monotonic across restarts. The counter also never goes below
  // max(journaled intent client_id) + 1. Ids start at 1.
  Expected<ClientId, JournalStatus> next_client_id() noexcept;
  // Reserves `count` consecutive ids (e.g. the ArbEngine's first_client_id, then one block per run):
  // returns the first.
  Expected<ClientId, JournalStatus> reserve_client_ids(std::uint32_t count) noexcept;
  // Next id without consuming it.
  ClientId peek_next_client_id() const noexcept;

  // --- Meta
  JournalStatus set_meta(std::string_view key, std::string_view value) noexcept;
  Expected<std::optional<std::string>, JournalStatus> get_meta(std::string_view key) noexcept;
  JournalStatus set_daily_baseline(const DailyBaseline& baseline) noexcept;
  Expected<std::optional<DailyBaseline>, JournalStatus> daily_baseline() noexcept;
  JournalStatus set_trading_state(const TradingStateRecord& state) noexcept;
  Expected<std::optional<TradingStateRecord>, JournalStatus> trading_state() noexcept;

  // --- Recovery reads (start-up; allocate)
  Expected<std::vector<OpenIntent>, JournalStatus> open_intents() noexcept;
  Expected<std::optional<OpenIntent>, JournalStatus> find_intent(ClientId client_id) noexcept;
  Expected<std::vector<FillRecord>, JournalStatus> fills_since(TimestampUs since_us) noexcept;  // time_us >= since
  Expected<std::optional<TimestampUs>, JournalStatus> last_fill_time_us() noexcept;
  Expected<std::vector<PositionRecord>, JournalStatus> open_positions() noexcept;
  Expected<std::vector<PositionRecord>, JournalStatus> positions() noexcept;  // open and closed
  // The pair's position that was open at `at_us` (opened at or before, closed at or after), if any: a
  // funding payment polled after a restart is booked to it.
  Expected<std::optional<PositionRecord>, JournalStatus> position_held_at(std::string_view pair,
                                                                          TimestampUs at_us) noexcept;
  Expected<std::vector<FundingRecord>, JournalStatus> funding_since(std::int64_t since_ms) noexcept;

  int schema_version() const noexcept;
  // The schema version this file had when open() migrated it in place; 0 when no migration ran (a new
  // file, or one already at kSchemaVersion).
  int migrated_from() const noexcept;

  struct Impl;

 private:
  explicit Journal(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::journal
