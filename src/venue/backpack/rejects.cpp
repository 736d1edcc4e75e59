#include "bparb/venue/backpack/rejects.hpp"

#include <string_view>

// Backpack's error answers, read into the kernel's RejectClass. This is the only place where Backpack's
// error codes and wordings are compared; the table is docs/backpack.md §4.

namespace bparb::backpack {
namespace {

bool contains(std::string_view text, std::string_view words) noexcept {
  return text.find(words) != std::string_view::npos;
}

}  // namespace

RejectClass classify_reject(std::string_view code, std::string_view message) noexcept {
  if (code == "INSUFFICIENT_FUNDS" || code == "INSUFFICIENT_MARGIN") return RejectClass::kInsufficientFunds;
  if (code == "INVALID_MARKET" || code == "INVALID_SYMBOL" || code == "TRADING_PAUSED" || code == "MAINTENANCE")
    return RejectClass::kMarketUnavailable;
  if (code == "FORBIDDEN" || code == "ACCOUNT_LIQUIDATING" || code == "ACCOUNT_DEACTIVATED" || code == "UNAUTHORIZED")
    return RejectClass::kAccountRefused;
  if (code == "POSITION_LIMIT") return RejectClass::kPositionLimit;
  if (code == "TOO_MANY_REQUESTS") return RejectClass::kRateLimited;
  if (code == "INVALID_SIGNATURE") return RejectClass::kBadSignature;
  if (code == "INVALID_PRICE") {
    if (contains(message, "too far from the last active price") || contains(message, "out of bounds"))
      return RejectClass::kPriceOutOfBand;
    return RejectClass::kOther;
  }
  if (code == "INVALID_ORDER") {
    if (contains(message, "Reduce only orders are only supported")) return RejectClass::kReduceOnlyRefused;
    // The market takes cancels only until its state changes: the same order again is pointless.
    if (contains(message, "cancel only mode")) return RejectClass::kMarketUnavailable;
    return RejectClass::kOther;
  }
  if (code != "INVALID_CLIENT_REQUEST") return RejectClass::kOther;
  // One code, several refusals: only the message tells them apart.
  if (contains(message, "Request has expired")) return RejectClass::kRequestExpired;
  if (contains(message, "Invalid signature") || contains(message, "Invalid X-Signature header"))
    return RejectClass::kBadSignature;
  if (contains(message, "decimal too long")) return RejectClass::kOffTickOrStep;
  return RejectClass::kOther;
}

}  // namespace bparb::backpack
