#include "bparb/sim/sim_types.hpp"

#include <limits>

#include "bparb/sim/reject.hpp"

namespace bparb::sim {

std::string_view expiry_reason_name(ExpiryReason r) noexcept {
  switch (r) {
    case ExpiryReason::kAccountTradingSuspended:
      return "AccountTradingSuspended";
    case ExpiryReason::kBorrowRequiresLendRedeem:
      return "BorrowRequiresLendRedeem";
    case ExpiryReason::kFillOrKill:
      return "FillOrKill";
    case ExpiryReason::kInsufficientBorrowableQuantity:
      return "InsufficientBorrowableQuantity";
    case ExpiryReason::kInsufficientFunds:
      return "InsufficientFunds";
    case ExpiryReason::kInsufficientLiquidity:
      return "InsufficientLiquidity";
    case ExpiryReason::kInvalidPrice:
      return "InvalidPrice";
    case ExpiryReason::kInvalidQuantity:
      return "InvalidQuantity";
    case ExpiryReason::kImmediateOrCancel:
      return "ImmediateOrCancel";
    case ExpiryReason::kInsufficientMargin:
      return "InsufficientMargin";
    case ExpiryReason::kLiquidation:
      return "Liquidation";
    case ExpiryReason::kNegativeEquity:
      return "NegativeEquity";
    case ExpiryReason::kPostOnlyMode:
      return "PostOnlyMode";
    case ExpiryReason::kPostOnlyTaker:
      return "PostOnlyTaker";
    case ExpiryReason::kPriceOutOfBounds:
      return "PriceOutOfBounds";
    case ExpiryReason::kReduceOnlyNotReduced:
      return "ReduceOnlyNotReduced";
    case ExpiryReason::kSelfTradePrevention:
      return "SelfTradePrevention";
    case ExpiryReason::kStopWithoutPosition:
      return "StopWithoutPosition";
    case ExpiryReason::kPriceImpact:
      return "PriceImpact";
    case ExpiryReason::kUnknown:
      return "Unknown";
    case ExpiryReason::kUserPermissions:
      return "UserPermissions";
    case ExpiryReason::kMaxStopOrdersPerPosition:
      return "MaxStopOrdersPerPosition";
    case ExpiryReason::kPositionLimit:
      return "PositionLimit";
    case ExpiryReason::kSlippageToleranceExceeded:
      return "SlippageToleranceExceeded";
  }
  return "Unknown";
}

std::string_view order_event_name(OrderEventType t) noexcept {
  switch (t) {
    case OrderEventType::kAccepted:
      return "orderAccepted";
    case OrderEventType::kFill:
      return "orderFill";
    case OrderEventType::kCancelled:
      return "orderCancelled";
    case OrderEventType::kExpired:
      return "orderExpired";
    case OrderEventType::kModified:
      return "orderModified";
  }
  return "orderAccepted";
}

std::string_view position_event_name(PositionEventType t) noexcept {
  switch (t) {
    case PositionEventType::kOpened:
      return "positionOpened";
    case PositionEventType::kAdjusted:
      return "positionAdjusted";
    case PositionEventType::kClosed:
      return "positionClosed";
  }
  return "positionAdjusted";
}

std::string_view reject_name(Reject r) noexcept {
  switch (r) {
    case Reject::kUnknownAccount:
      return "unknown_account";
    case Reject::kUnknownSymbol:
      return "unknown_symbol";
    case Reject::kTradingPaused:
      return "trading_paused";
    case Reject::kCancelOnlyMode:
      return "cancel_only_mode";
    case Reject::kLimitOnlyMode:
      return "limit_only_mode";
    case Reject::kReduceOnlyNotPerp:
      return "reduce_only_not_perp";
    case Reject::kPriceRequired:
      return "price_required";
    case Reject::kQuantityRequired:
      return "quantity_required";
    case Reject::kQuoteQuantityOnLimit:
      return "quote_quantity_on_limit";
    case Reject::kPriceNotPositive:
      return "price_not_positive";
    case Reject::kPriceOffTick:
      return "price_off_tick";
    case Reject::kPriceOutOfBounds:
      return "price_out_of_bounds";
    case Reject::kPriceTooFar:
      return "price_too_far";
    case Reject::kMarketSizeAmbiguous:
      return "market_size_ambiguous";
    case Reject::kPostOnlyOnMarket:
      return "post_only_on_market";
    case Reject::kQuantityNotPositive:
      return "quantity_not_positive";
    case Reject::kQuantityOffStep:
      return "quantity_off_step";
    case Reject::kQuantityBelowMin:
      return "quantity_below_min";
    case Reject::kQuantityAboveMax:
      return "quantity_above_max";
    case Reject::kQuoteQuantityNotPositive:
      return "quote_quantity_not_positive";
    case Reject::kInsufficientFunds:
      return "insufficient_funds";
    case Reject::kInsufficientMargin:
      return "insufficient_margin";
    case Reject::kOrderRefAmbiguous:
      return "order_ref_ambiguous";
    case Reject::kUnknownOrder:
      return "unknown_order";
    case Reject::kEmptyBatch:
      return "empty_batch";
    case Reject::kBatchTooLarge:
      return "batch_too_large";
  }
  return "unknown";
}

bool parse_order_id(std::string_view s, OrderId& out) noexcept {
  if (s.empty() || s.size() > 20) return false;
  OrderId v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<OrderId>(c - '0');
    if (v > (std::numeric_limits<OrderId>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace bparb::sim
