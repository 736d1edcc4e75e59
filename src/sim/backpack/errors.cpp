#include "bparb/sim/backpack/errors.hpp"

#include <string_view>

namespace bparb::sim {

namespace {

ApiError answer(int status, std::string_view code, std::string_view message) {
  return ApiError{status, std::string(code), std::string(message)};
}

}  // namespace

ApiError backpack_api_error(Reject r, const ExchangeConfig& config) {
  switch (r) {
    case Reject::kUnknownAccount:
      return answer(400, "INVALID_CLIENT_REQUEST", "Unknown account");
    case Reject::kUnknownSymbol:
      return answer(400, "INVALID_SYMBOL", "Invalid market symbol");
    case Reject::kTradingPaused:
      return answer(400, "TRADING_PAUSED", "Trading is paused for this market");
    case Reject::kCancelOnlyMode:
      return answer(400, "INVALID_ORDER", "Market is in cancel only mode");
    case Reject::kLimitOnlyMode:
      return answer(400, "INVALID_ORDER", "Market is in limit only mode");
    case Reject::kReduceOnlyNotPerp:
      return answer(400, "INVALID_ORDER", "Reduce only orders are only supported on futures markets");
    case Reject::kPriceRequired:
      return answer(400, "INVALID_CLIENT_REQUEST", "Price is required for limit orders");
    case Reject::kQuantityRequired:
      return answer(400, "INVALID_CLIENT_REQUEST", "Quantity is required for limit orders");
    case Reject::kQuoteQuantityOnLimit:
      return answer(400, "INVALID_CLIENT_REQUEST", "Quote quantity is only supported for market orders");
    case Reject::kPriceNotPositive:
      return answer(400, "INVALID_PRICE", "Price must be positive");
    case Reject::kPriceOffTick:
      return answer(400, "INVALID_CLIENT_REQUEST", "Price decimal too long");
    case Reject::kPriceOutOfBounds:
      return answer(400, "INVALID_PRICE", "Price is out of bounds");
    case Reject::kPriceTooFar:
      return answer(400, "INVALID_PRICE", "Price is too far from the last active price");
    case Reject::kMarketSizeAmbiguous:
      return answer(400, "INVALID_CLIENT_REQUEST",
                    "Must specify exactly one of 'quantity' or 'quoteQuantity' for market orders");
    case Reject::kPostOnlyOnMarket:
      return answer(400, "INVALID_ORDER", "Post only is not supported for market orders");
    case Reject::kQuantityNotPositive:
      return answer(400, "INVALID_QUANTITY", "Quantity must be positive");
    case Reject::kQuantityOffStep:
      return answer(400, "INVALID_CLIENT_REQUEST", "Quantity decimal too long");
    case Reject::kQuantityBelowMin:
      return answer(400, "INVALID_QUANTITY", "Quantity is below the minimum allowed value");
    case Reject::kQuantityAboveMax:
      return answer(400, "INVALID_QUANTITY", "Quantity is above the maximum allowed value");
    case Reject::kQuoteQuantityNotPositive:
      return answer(400, "INVALID_QUANTITY", "Quote quantity must be positive");
    case Reject::kInsufficientFunds:
      return answer(400, "INSUFFICIENT_FUNDS", "Insufficient funds");
    case Reject::kInsufficientMargin:
      return answer(400, "INSUFFICIENT_MARGIN", "Insufficient margin");
    case Reject::kOrderRefAmbiguous:
      return answer(400, "INVALID_CLIENT_REQUEST", "Must specify exactly one of 'orderId' or 'clientId'");
    case Reject::kUnknownOrder:
      return answer(404, "RESOURCE_NOT_FOUND", "Order not found");
    case Reject::kEmptyBatch:
      return answer(400, "INVALID_CLIENT_REQUEST", "Batch must contain at least one order");
    case Reject::kBatchTooLarge:
      return answer(400, "INVALID_CLIENT_REQUEST",
                    "Batch contains too many orders (max " + std::to_string(config.max_batch_size) + ")");
  }
  return answer(400, "INVALID_CLIENT_REQUEST", "Invalid request");
}

}  // namespace bparb::sim
