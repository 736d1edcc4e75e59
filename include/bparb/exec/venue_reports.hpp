#pragma once
// What a venue adapter reports, in the engine's vocabulary: the runtime (journal, recovery, reconciliation)
// reads these and never a venue's own message types. Views only: a report lives as long as the venue's
// answer it was read from.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/strategy/fee_model.hpp"

namespace bparb::exec {

// One execution of one of our orders, from the private stream, a fills-history answer or recovery.
struct FillReport {
  bool has_client_id = true;  // false: not placed with a client id (not ours)
  ClientId client_id = 0;
  std::int64_t trade_id = -1;  // -1 = the venue gave none (not deduplicated)
  std::string_view exchange_order_id;
  std::string_view symbol;
  // The instrument of `symbol` in the adapter's table (kNoInstrument when the table does not hold it: a
  // market this run does not trade), so owners need no symbol lookup.
  InstrumentId instrument = kNoInstrument;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;
  std::string_view fee_symbol;
  bool maker = false;
  TimestampUs time_us = 0;             // when it happened, as journaled
  TimestampUs venue_time_us = 0;       // the venue's execution time for the engine (0 = unknown)
  Decimal cumulative_quantity;         // the order's executed quantity after it (zero = unknown, history rows)
  bool order_filled = false;           // the stream says this fill completed the order
  VenueId venue = VenueId::kBackpack;  // where it happened: the journal keys fills by (venue, symbol, trade id)
};

// A request the venue did not answer: what was asked ("GET /api/v1/position") and why it failed.
struct VenueError {
  std::string request;
  std::string code;
  std::string message;
};

// A perp position as the venue holds it: net_quantity + long / - short.
struct PositionReport {
  std::string_view symbol;
  Decimal net_quantity;
  Decimal entry_price;
};

// The account's equity as the venue measures it (quote asset).
struct EquityReport {
  Decimal net_equity;
  Decimal available;
  Decimal locked;
};

// A free balance of one asset.
struct BalanceReport {
  std::string_view asset;
  Decimal available;
};

// One funding payment: + received / - paid, in the quote asset, for the interval ending at interval_end_ms.
struct FundingReport {
  std::string_view symbol;
  Decimal quantity;
  std::int64_t interval_end_ms = 0;
};

// What recovery and reconciliation ask a venue. Every answer is a callback with the error (null = answered)
// and the neutral report; the report's views live until the callback returns.
class ReconciliationVenue {
 public:
  virtual ~ReconciliationVenue() = default;
  // How many of our orders rest on `symbol`.
  virtual void open_order_count(std::string_view symbol, std::function<void(const VenueError*, std::size_t)> done) = 0;
  virtual void cancel_all(std::string_view symbol, std::function<void(const VenueError*)> done) = 0;
  // Fills on `symbol` since `from_ms`, oldest first, at most `limit`.
  virtual void fills_since(std::string_view symbol, std::int64_t from_ms, std::size_t limit,
                           std::function<void(const VenueError*, std::span<const FillReport>)> done) = 0;
  virtual void positions(std::function<void(const VenueError*, std::span<const PositionReport>)> done) = 0;
  virtual void equity(std::function<void(const VenueError*, const EquityReport&)> done) = 0;
  // The account poll: equity, then the free balances (null when only that second answer failed). A request
  // refused as expired re-measures the venue's clock.
  virtual void account(
      std::function<void(const VenueError*, const EquityReport&, const std::span<const BalanceReport>*)> done) = 0;
  // The newest `limit` fills of every symbol since `from_ms`, oldest first.
  virtual void recent_fills(std::int64_t from_ms, std::size_t limit,
                            std::function<void(const VenueError*, std::span<const FillReport>)> done) = 0;
  // The newest `limit` funding payments, oldest first.
  virtual void funding_history(std::size_t limit,
                               std::function<void(const VenueError*, std::span<const FundingReport>)> done) = 0;
};

// The venue's clock against ours: offset = venue - local (half the round trip corrected).
struct ClockOffsetReport {
  std::int64_t offset_ms = 0;
  DurationUs rtt_us = 0;
};

// This account's terms at the venue: the fee rates it pays and whether the venue is liquidating it.
struct AccountTermsReport {
  FeeSchedule fees;
  bool liquidating = false;
};

// What start-up asks a venue before recovery. Answers as in ReconciliationVenue: the error (null = answered)
// and the report, whose views live until the callback returns.
class StartupVenue {
 public:
  virtual ~StartupVenue() = default;
  // Measures the offset to the venue's clock and signs every later request with it.
  virtual void sync_clock(std::function<void(const VenueError*, const ClockOffsetReport&)> done) = 0;
  // Every market the venue lists.
  virtual void markets(std::function<void(const VenueError*, std::span<const MarketSpec>)> done) = 0;
  virtual void account_terms(std::function<void(const VenueError*, const AccountTermsReport&)> done) = 0;
};

}  // namespace bparb::exec
