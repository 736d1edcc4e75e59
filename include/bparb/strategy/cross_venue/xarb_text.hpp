#pragma once
// The cross-venue arbitrage's log lines. Each writes at most cap-1 characters plus a NUL into `buf` and
// returns the length written; no allocation, but still string formatting: call them only for lines that
// are going to be logged (an opportunity, a refusal worth reporting, an exit, the periodic summary), never
// per book update. Amounts are exact decimals; bps are the fractions times 10,000.
#include <cstddef>
#include <string_view>

#include "bparb/strategy/cross_venue/xarb_exit.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"

namespace bparb {

// "Found opportunity BTC LongBackpack spread=12.5 (2.5 bps) net=1.3 bps (0.65 USD) confidence=0.80
//  size=0.002 backpack=buy vwap=50000 lighter=sell vwap=50012.5 fees=2.8 bps slip=2 bps funding=+0.1 bps
//  (4h/4h) exit=0 bps size_by=target TRADEABLE"
std::size_t format_opportunity(const XarbQuote& q, std::string_view coin, char* buf, std::size_t cap) noexcept;

// "Refused BTC ShortBackpack reason=book_stale venue=lighter spread=... net=... confidence=... size=..."
// (the economics only when they were computed).
std::size_t format_refusal(const XarbQuote& q, std::string_view coin, char* buf, std::size_t cap) noexcept;

// "Closing BTC LongBackpack reason=converged exit_spread=0.5 pnl=1.23 USD (24.6 bps) held=3600s
//  funding_against=0.1 bps/h reduce_only backpack=sell 0.002 lighter=buy 0.002"
std::size_t format_exit(const XarbExitSignal& s, const XarbPosition& pos, std::string_view coin, char* buf,
                        std::size_t cap) noexcept;

// "Refusals BTC total=12 book_invalid=3 book_stale=9": every reason with a non-zero count, in enum order.
std::size_t format_refusal_counts(const XarbRefusalCounts& c, std::string_view coin, char* buf,
                                  std::size_t cap) noexcept;

}  // namespace bparb
