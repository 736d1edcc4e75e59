#pragma once
// The instruments bparb trades, as one table built once at start-up from the venues' markets: a dense
// InstrumentId indexes it, so the hot path addresses a market by a small integer and never by its symbol.
// Per instrument: its venue, its kind (spot or perpetual), the venue's trading rules (MarketSpec: symbol,
// base and quote asset, tick, step, min/max, funding interval, margin functions, state) and this account's
// maker/taker fee rates on it.
//
// Symbols are looked up (find) at start-up only, by (venue, symbol): the same symbol may exist on two
// venues. The table owns its markets at stable addresses (a deque): pointers and references into it stay
// valid while instruments are added, so a component may keep `&market(id)` for the life of the run.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/venue.hpp"

namespace bparb {

using InstrumentId = std::uint16_t;
// "No instrument": never handed out by a table.
inline constexpr InstrumentId kNoInstrument = 0xffff;

enum class InstrumentKind : std::uint8_t { kSpot, kPerp };
std::string_view instrument_kind_name(InstrumentKind k) noexcept;  // "spot" / "perp"

// This account's fee rates on one instrument, in basis points (negative = a rebate).
struct InstrumentFees {
  Decimal maker_bps;
  Decimal taker_bps;
};

struct Instrument {
  InstrumentId id = kNoInstrument;
  VenueId venue = VenueId::kBackpack;
  InstrumentKind kind = InstrumentKind::kSpot;
  MarketSpec market;
  InstrumentFees fees;

  const std::string& symbol() const noexcept { return market.symbol; }
  const std::string& base() const noexcept { return market.base_symbol; }
  const std::string& quote() const noexcept { return market.quote_symbol; }
  bool is_perp() const noexcept { return kind == InstrumentKind::kPerp; }
};

class InstrumentTable {
 public:
  static constexpr std::size_t kMaxInstruments = kNoInstrument;

  // ---- Start-up (allocates; throws std::invalid_argument naming the venue and symbol)
  // Adds one market and returns its id (ids are dense, in the order added). Refused: a (venue, symbol)
  // already in the table, an empty symbol, a market type other than SPOT or PERP.
  InstrumentId add(VenueId venue, const MarketSpec& market, InstrumentFees fees = {});
  // This account's fee rates, once the venue told them (they arrive after the markets).
  void set_fees(InstrumentId id, InstrumentFees fees) noexcept;
  // The id of (venue, symbol), if the table has it. A linear scan: start-up only.
  std::optional<InstrumentId> find(VenueId venue, std::string_view symbol) const noexcept;

  // ---- Lookups (no allocation; `id` must be one this table handed out)
  std::size_t size() const noexcept { return instruments_.size(); }
  bool empty() const noexcept { return instruments_.empty(); }
  bool contains(InstrumentId id) const noexcept { return id < instruments_.size(); }
  const Instrument& operator[](InstrumentId id) const noexcept { return instruments_[id]; }
  const MarketSpec& market(InstrumentId id) const noexcept { return instruments_[id].market; }
  // The id of a market this table owns (by address), or kNoInstrument.
  InstrumentId id_of(const MarketSpec* market) const noexcept;

  auto begin() const noexcept { return instruments_.begin(); }
  auto end() const noexcept { return instruments_.end(); }

 private:
  std::deque<Instrument> instruments_;
};

}  // namespace bparb
