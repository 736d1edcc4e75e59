#pragma once
// Why the exchange core refused a request, independent of any venue's wire format. A protocol front-end
// maps each value to its venue's error answer (Backpack: src/sim/backpack/errors.cpp). Values are
// numbered so that logs and tests can name them stably; new reasons are appended.
#include <cstdint>
#include <string_view>

namespace bparb::sim {

enum class Reject : std::uint8_t {
  kUnknownAccount = 1,
  kUnknownSymbol = 2,
  kTradingPaused = 3,
  kCancelOnlyMode = 4,
  kLimitOnlyMode = 5,
  kReduceOnlyNotPerp = 6,     // reduce-only on a spot market
  kPriceRequired = 7,         // limit order without a price
  kQuantityRequired = 8,      // limit order without a quantity
  kQuoteQuantityOnLimit = 9,  // quote quantity is for market orders only
  kPriceNotPositive = 10,
  kPriceOffTick = 11,         // not a multiple of the tick size
  kPriceOutOfBounds = 12,     // outside the market's min/max price
  kPriceTooFar = 13,          // outside the band around the last price
  kMarketSizeAmbiguous = 14,  // market order needs exactly one of quantity / quote quantity
  kPostOnlyOnMarket = 15,     // post-only on a market order
  kQuantityNotPositive = 16,
  kQuantityOffStep = 17,  // not a multiple of the step size
  kQuantityBelowMin = 18,
  kQuantityAboveMax = 19,
  kQuoteQuantityNotPositive = 20,
  kInsufficientFunds = 21,
  kInsufficientMargin = 22,
  kOrderRefAmbiguous = 23,  // cancel/query needs exactly one of order id / client id
  kUnknownOrder = 24,
  kEmptyBatch = 25,
  kBatchTooLarge = 26,  // more than ExchangeConfig::max_batch_size orders
};

// Short stable name for logs and test messages ("insufficient_funds").
std::string_view reject_name(Reject r) noexcept;

}  // namespace bparb::sim
