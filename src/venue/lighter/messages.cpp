// Venue error codes and their handling classes (docs/lighter.md, "Error codes").
#include "bparb/venue/lighter/messages.hpp"

namespace bparb::lighter {

namespace {
constexpr LighterError kKnown[] = {
    LighterError::kInvalidNonce,
    LighterError::kBatchNonceNotConsecutive,
    LighterError::kInvalidPublicKey,
    LighterError::kTxNotFound,
    LighterError::kInvalidTxInfo,
    LighterError::kUnsupportedTxType,
    LighterError::kTooManyPendingTxs,
    LighterError::kBelowMaintenanceMargin,
    LighterError::kBelowInitialMargin,
    LighterError::kInvalidOrderIndex,
    LighterError::kInvalidBaseAmount,
    LighterError::kInvalidPrice,
    LighterError::kInvalidIsAsk,
    LighterError::kInvalidOrderType,
    LighterError::kInvalidTimeInForce,
    LighterError::kInvalidBaseQuoteAmount,
    LighterError::kNotOwner,
    LighterError::kOrderInactive,
    LighterError::kInvalidExpiry,
    LighterError::kInvalidClientOrderIndex,
    LighterError::kClientOrderIndexExists,
    LighterError::kReduceOnlyIncreasesPosition,
    LighterError::kPriceTooFarFromMark,
    LighterError::kNotEnoughMargin,
    LighterError::kTooManyRequests,
    LighterError::kTooManySubscriptions,
    LighterError::kTooManyAccounts,
    LighterError::kTooManyConnections,
};

Decimal pow10_inverse(std::uint8_t decimals) noexcept {
  std::int64_t raw = Decimal::kOne;
  for (std::uint8_t i = 0; i < decimals && raw > 1; ++i) raw /= 10;
  return Decimal::from_raw(raw);
}
}  // namespace

LighterError lighter_error_from_code(std::int64_t code) noexcept {
  if (code == 200) return LighterError::kNone;
  for (LighterError e : kKnown)
    if (static_cast<std::int64_t>(e) == code) return e;
  if (code >= 21000 && code < 22000) return LighterError::kOtherTx;
  if (code >= 23000 && code < 24000) return LighterError::kOtherRateLimit;
  return LighterError::kOther;
}

ErrorAction classify(LighterError e) noexcept {
  switch (e) {
    case LighterError::kNone:
      return ErrorAction::kNone;
    case LighterError::kInvalidNonce:
    case LighterError::kBatchNonceNotConsecutive:
      return ErrorAction::kResyncNonce;
    case LighterError::kTooManyPendingTxs:
    case LighterError::kOther:
      // kOther: no 21xxx/23xxx code, i.e. not a verdict on the transaction (server trouble).
      return ErrorAction::kRetry;
    case LighterError::kTooManyRequests:
    case LighterError::kTooManySubscriptions:
    case LighterError::kTooManyAccounts:
    case LighterError::kTooManyConnections:
    case LighterError::kOtherRateLimit:
      return ErrorAction::kRateLimit;
    default:
      return ErrorAction::kReject;
  }
}

const char* to_string(ErrorAction a) noexcept {
  switch (a) {
    case ErrorAction::kNone:
      return "none";
    case ErrorAction::kRetry:
      return "retry";
    case ErrorAction::kResyncNonce:
      return "resync-nonce";
    case ErrorAction::kReject:
      return "reject";
    case ErrorAction::kRateLimit:
      return "rate-limit";
  }
  return "?";
}

const char* to_string(LighterError e) noexcept {
  switch (e) {
    case LighterError::kNone:
      return "ok";
    case LighterError::kInvalidNonce:
      return "invalid nonce";
    case LighterError::kBatchNonceNotConsecutive:
      return "batch nonces not consecutive";
    case LighterError::kInvalidPublicKey:
      return "invalid public key";
    case LighterError::kTxNotFound:
      return "tx not found";
    case LighterError::kInvalidTxInfo:
      return "invalid tx info";
    case LighterError::kUnsupportedTxType:
      return "unsupported tx type";
    case LighterError::kTooManyPendingTxs:
      return "too many pending txs";
    case LighterError::kBelowMaintenanceMargin:
      return "below maintenance margin";
    case LighterError::kBelowInitialMargin:
      return "below initial margin";
    case LighterError::kInvalidOrderIndex:
      return "invalid order index";
    case LighterError::kInvalidBaseAmount:
      return "invalid base amount";
    case LighterError::kInvalidPrice:
      return "invalid price";
    case LighterError::kInvalidIsAsk:
      return "invalid is_ask";
    case LighterError::kInvalidOrderType:
      return "invalid order type";
    case LighterError::kInvalidTimeInForce:
      return "invalid time in force";
    case LighterError::kInvalidBaseQuoteAmount:
      return "invalid base/quote amount";
    case LighterError::kNotOwner:
      return "not the order's owner";
    case LighterError::kOrderInactive:
      return "order inactive";
    case LighterError::kInvalidExpiry:
      return "invalid expiry";
    case LighterError::kInvalidClientOrderIndex:
      return "invalid client order index";
    case LighterError::kClientOrderIndexExists:
      return "client order index already exists";
    case LighterError::kReduceOnlyIncreasesPosition:
      return "reduce-only would increase the position";
    case LighterError::kPriceTooFarFromMark:
      return "limit price too far from mark";
    case LighterError::kNotEnoughMargin:
      return "not enough margin";
    case LighterError::kTooManyRequests:
      return "too many requests";
    case LighterError::kTooManySubscriptions:
      return "too many subscriptions";
    case LighterError::kTooManyAccounts:
      return "too many different accounts";
    case LighterError::kTooManyConnections:
      return "too many connections";
    case LighterError::kOtherTx:
      return "transaction error";
    case LighterError::kOtherRateLimit:
      return "rate limited";
    case LighterError::kOther:
      return "venue error";
  }
  return "?";
}

Decimal MarketDetails::tick_size() const noexcept {
  return pow10_inverse(price_decimals);
}
Decimal MarketDetails::step_size() const noexcept {
  return pow10_inverse(size_decimals);
}

}  // namespace bparb::lighter
