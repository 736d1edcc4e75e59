#pragma once
// What a venue's refusal of an order means to the kernel, whatever the venue's own code and wording.
// Adapters fill it in from their venue's error answers (for Backpack: docs/backpack.md §4); the kernel
// decides on the class only and never reads a venue's code. The venue's code and message still travel
// next to it for log lines. The names are stable lower-case words for logs and tests.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bparb {

enum class RejectClass : std::uint8_t {
  kOther,              // anything below does not describe it (the venue's code says what)
  kInsufficientFunds,  // not enough balance or margin for the order
  kMarketUnavailable,  // unknown market, trading paused, venue in maintenance
  kAccountRefused,     // the account may not trade: forbidden, liquidating, deactivated, unauthorized
  kPositionLimit,      // the order would take the position beyond the venue's limit
  kPriceOutOfBand,     // price too far from the market or outside the venue's bounds
  kOffTickOrStep,      // price or quantity not on the market's tick or step
  kPostOnlyWouldTake,  // a post-only order would have crossed the book
  kReduceOnlyRefused,  // a reduce-only order the venue does not accept here
  kRateLimited,        // the venue (or our own budget for it) refused for rate
  kRequestExpired,     // arrived after its validity window: a clock or latency problem, not the order
  kBadSignature,       // the signature or the key did not verify
};
inline constexpr std::size_t kRejectClassCount = 12;

// "other", "insufficient_funds", "market_unavailable", ...; "?" for a value outside the enum.
std::string_view reject_class_name(RejectClass c) noexcept;

// True when sending the same leg again is pointless: the market or the account refuses it, whatever the
// price or the moment. Rate, clock, signature and price refusals are not definitive: a later or
// re-priced order can pass.
constexpr bool definitive(RejectClass c) noexcept {
  return c == RejectClass::kInsufficientFunds || c == RejectClass::kMarketUnavailable ||
         c == RejectClass::kAccountRefused || c == RejectClass::kPositionLimit;
}

}  // namespace bparb
