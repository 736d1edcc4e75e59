#pragma once
// The operator's read views beyond the status document (docs/service.md): positions, live orders, recent
// fills, P&L per UTC period, recent log-line events and the effective config. Like the status they are
// built from the last Snapshot; the fills and events views take a `since` query and are cut from the
// snapshot's copy of the two bounded rings per request, the others are rendered once per snapshot.
//
// The rings: FillRing is filled by the daemon's event sink on every booked fill (fixed slots whose strings
// keep their capacity, so a warm ring does not allocate); the events ring is a log sink (event_log.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb::service {

struct Snapshot;

// One of our live orders as the order manager holds it.
struct OrderView {
  std::uint64_t client_id = 0;
  std::string symbol;
  std::string pair;
  Side side = Side::kBid;
  Decimal price, quantity, filled;
  std::string_view purpose;  // order_purpose_name(): a closed list
  std::string_view state;    // order state name: a closed list
  bool post_only = false, reduce_only = false;
  TimestampUs sent_us = 0;  // 0 = not sent yet
};

// One booked fill.
struct FillView {
  TimestampUs time_us = 0;
  std::string pair;
  std::string symbol;
  Side side = Side::kBid;
  Decimal price, quantity, fee;
  std::string fee_symbol;
  bool maker = false;
  std::int64_t trade_id = -1;  // -1 = not known on the path that booked it
  std::uint64_t client_id = 0;
};

// The last `kCapacity` booked fills, oldest first.
class FillRing {
 public:
  static constexpr std::size_t kCapacity = 256;
  // Copies into the next slot (its strings are assigned in place: no allocation once the slot is warm).
  void push(TimestampUs time_us, std::string_view pair, std::string_view symbol, Side side, Decimal price,
            Decimal quantity, Decimal fee, std::string_view fee_symbol, bool maker, std::int64_t trade_id,
            std::uint64_t client_id) noexcept;
  std::size_t size() const noexcept { return count_ < kCapacity ? count_ : kCapacity; }
  std::uint64_t total() const noexcept { return count_; }
  // Appends the held fills, oldest first (allocates: call it from the snapshot timer).
  void copy_to(std::vector<FillView>& out) const;

 private:
  std::array<FillView, kCapacity> slots_{};
  std::uint64_t count_ = 0;
};

// A log line as a record: `seq` counts every line the ring was given (1, 2, ...), so a client polling with
// since=<last seq> sees each line once, and a gap in seq says lines went out of the ring in between.
struct EventView {
  std::uint64_t seq = 0;
  TimestampUs time_us = 0;
  std::string_view level;  // "info" / "warning" / "error" / "critical"
  std::string text;
};
// What a line is about, from its leading words (the greppable contract of docs/service.md): "fill",
// "opportunity", "orders", "position_opened", "position_closed", "exit_signal", "funding", "hedge",
// "leg_risk", "refusal", "trading_state", "stats", "journal", "recovery", "reload", "service", else "log".
std::string_view event_kind(std::string_view text) noexcept;

// One UTC period's realized P&L (spread, fees, funding) from the journal.
struct PnlPeriod {
  TimestampUs start_us = 0;  // 00:00 UTC of the day / Monday of the week / first of the month
  Decimal spread, fees, funding;
  std::uint32_t fills = 0;
  std::uint32_t positions_closed = 0;
  Decimal net() const noexcept { return spread - fees + funding; }
};

// One position of the journal.
struct PositionPnl {
  std::string pair;
  std::uint64_t id = 0;
  bool open = false;
  TimestampUs opened_us = 0, closed_us = 0;
  Decimal spread, fees, funding;
  Decimal net() const noexcept { return spread - fees + funding; }
};

enum class PnlPeriodKind : std::uint8_t { kDay, kWeek, kMonth };
std::string_view pnl_period_name(PnlPeriodKind k) noexcept;  // "day" / "week" / "month"
// 00:00 UTC of the period holding `t` (weeks start on Monday, ISO).
TimestampUs pnl_period_start(PnlPeriodKind k, TimestampUs t) noexcept;

// P&L per UTC period, computed from the journal off the hot path (docs/service.md says how each part is
// dated). Periods are newest first and only those with activity; totals are the positions' sums.
struct PnlReport {
  TimestampUs computed_us = 0;
  std::string error;  // non-empty: the journal could not be read (the report is empty)
  std::vector<PnlPeriod> days, weeks, months;
  std::vector<PositionPnl> positions;  // oldest first
  Decimal total_spread, total_fees, total_funding;
  Decimal total_net() const noexcept { return total_spread - total_fees + total_funding; }
  const std::vector<PnlPeriod>& periods(PnlPeriodKind k) const noexcept {
    return k == PnlPeriodKind::kDay ? days : k == PnlPeriodKind::kWeek ? weeks : months;
  }
};

// ---- Query strings (`a=1&b=2`, no percent-decoding needed for the values we take)

// The value of `key` in `query`; nullopt when absent. A key given twice takes the first.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) noexcept;

// A parsed view query, or the 400 text naming the parameter and the allowed values.
struct ViewQuery {
  std::int64_t since = 0;  // fills: ms since the epoch; events: sequence number
  PnlPeriodKind period = PnlPeriodKind::kDay;
  std::string error;  // non-empty: answer 400 with it
};
// `since` as a non-negative decimal integer (absent = 0); `what` names its unit in the error.
ViewQuery parse_since(std::string_view query, std::string_view what);
// `period` = day | week | month (absent = day).
ViewQuery parse_period(std::string_view query);

// ---- Renderers (JSON; money as exact decimals in strings)

std::string render_positions_json(const Snapshot& s);
std::string render_orders_json(const Snapshot& s);
// The fills with time_us >= since_ms (milliseconds).
std::string render_fills_json(const Snapshot& s, std::int64_t since_ms);
// The events with seq > since_seq.
std::string render_events_json(const Snapshot& s, std::uint64_t since_seq);
// `now_us` dates the current period (the report's computed_us when served).
std::string render_pnl_json(const PnlReport* report, PnlPeriodKind k, TimestampUs now_us);

// ---- The read-view part of the HTTP handler

struct ViewAnswer {
  unsigned status = 200;
  std::string_view content_type = "application/json";
  std::string body;
};

// Renders what does not depend on the query once per snapshot and answers the view paths from it.
class ViewCache {
 public:
  static bool is_view_path(std::string_view path) noexcept;
  void publish(std::shared_ptr<const Snapshot> s);
  // The answer for a view path (is_view_path() true) and its query.
  ViewAnswer answer(std::string_view path, std::string_view query) const;
  // The last snapshot's positions and orders JSON (empty before the first): the live stream sends them too.
  const std::string& positions_json() const noexcept { return positions_; }
  const std::string& orders_json() const noexcept { return orders_; }

 private:
  std::shared_ptr<const Snapshot> snap_;
  std::string positions_, orders_, config_;
  std::shared_ptr<const PnlReport> pnl_source_;  // the report pnl_ was rendered from
  std::array<std::string, 3> pnl_;
};

}  // namespace bparb::service
