// Neutral order -> Lighter order fields, and sendTx answers -> submission state (docs/lighter.md,
// "Order fields", "Sending").
#include "bparb/venue/lighter/orders.hpp"

namespace bparb::lighter {

namespace {

__extension__ using i128 = __int128;

constexpr std::int64_t k2Pow48 = std::int64_t{1} << 48;
constexpr std::int64_t kMaxPrice = 0xFFFFFFFFll;

bool to_units(const Amount& a, Decimal unit, std::int64_t& out) noexcept {
  if (a.in_units) {
    out = a.units;
    return true;
  }
  if (!a.value.is_multiple_of(unit)) return false;
  out = a.value.to_units(unit);
  return true;
}

}  // namespace

const char* to_string(OrderError e) noexcept {
  switch (e) {
    case OrderError::kMarketIndex:
      return "market index out of the signer's range";
    case OrderError::kPriceOffTick:
      return "price finer than the market's price decimals";
    case OrderError::kPriceRange:
      return "price out of range";
    case OrderError::kQuantityOffStep:
      return "quantity finer than the market's size decimals";
    case OrderError::kQuantityRange:
      return "quantity out of range";
    case OrderError::kClientIdRange:
      return "client order index out of range (0 or 1 .. 2^48-1)";
    case OrderError::kReduceOnlySpot:
      return "reduce-only on a spot market";
    case OrderError::kMarketNotIoc:
      return "market order not immediate-or-cancel";
    case OrderError::kExpiry:
      return "bad expiry for the time in force";
    case OrderError::kBelowMinBase:
      return "quantity below the market minimum";
    case OrderError::kBelowMinQuote:
      return "notional below the market minimum";
    case OrderError::kOrderIndexRange:
      return "order index out of range";
  }
  return "?";
}

Expected<CreateOrderTx, OrderError> to_create_order(const NeutralOrder& o, const MarketDetails& m, TimestampUs now_us,
                                                    const OrderDefaults& d) noexcept {
  if (o.market_id < 0 || o.market_id > INT16_MAX) return unexpected(OrderError::kMarketIndex);
  std::int64_t price = 0;
  if (!to_units(o.price, m.tick_size(), price)) return unexpected(OrderError::kPriceOffTick);
  if (price <= 0 || price > kMaxPrice) return unexpected(OrderError::kPriceRange);
  std::int64_t base = 0;
  if (!to_units(o.quantity, m.step_size(), base)) return unexpected(OrderError::kQuantityOffStep);
  if (base <= 0 || base >= k2Pow48) return unexpected(OrderError::kQuantityRange);
  if (o.client_id >= static_cast<ClientId>(k2Pow48)) return unexpected(OrderError::kClientIdRange);
  if (o.reduce_only && m.kind == MarketKind::kSpot) return unexpected(OrderError::kReduceOnlySpot);
  if (o.market && o.tif != NeutralTif::kIoc) return unexpected(OrderError::kMarketNotIoc);
  if (o.expiry_ms < 0 || (o.tif == NeutralTif::kIoc && o.expiry_ms != 0)) return unexpected(OrderError::kExpiry);

  // Minimums in the market's units: base >= min_base_amount, price * base >= min_quote_amount. Both
  // sides are integers scaled by 10^(price_decimals + size_decimals); 128 bits hold the product.
  const std::int64_t min_base = m.min_base_amount.to_units(m.step_size(), Rounding::kUp);
  if (base < min_base) return unexpected(OrderError::kBelowMinBase);
  // price * base is the notional in units of 10^-(price_decimals + size_decimals); compare
  // notional >= min_quote as price * base * 1e9 >= min_quote.raw() * 10^(pd + sd), exact in 128 bits
  // (< 2^110 and < 2^123).
  i128 scale = 1;
  for (int i = 0; i < m.price_decimals + m.size_decimals; ++i) scale *= 10;
  const i128 notional = static_cast<i128>(price) * base * Decimal::kOne;
  if (notional < static_cast<i128>(m.min_quote_amount.raw()) * scale) return unexpected(OrderError::kBelowMinQuote);

  CreateOrderTx tx;
  tx.market_index = static_cast<std::int16_t>(o.market_id);
  tx.client_order_index = static_cast<std::int64_t>(o.client_id);  // < 2^48: checked above
  tx.base_amount = base;
  tx.price = static_cast<std::uint32_t>(price);
  tx.is_ask = o.side == Side::kAsk ? 1 : 0;
  tx.type = o.market ? 1 : 0;
  switch (o.tif) {
    case NeutralTif::kIoc:
      tx.time_in_force = 0;
      break;
    case NeutralTif::kGtc:
      tx.time_in_force = 1;
      break;
    case NeutralTif::kPostOnly:
      tx.time_in_force = 2;
      break;
  }
  tx.reduce_only = o.reduce_only ? 1 : 0;
  tx.trigger_price = 0;
  tx.order_expiry = o.tif == NeutralTif::kIoc ? 0
                    : o.expiry_ms != 0        ? o.expiry_ms
                                              : (now_us + d.gtt_lifetime_us) / kUsPerMs;
  return tx;
}

Expected<CancelOrderTx, OrderError> to_cancel_order(std::int64_t market_id, std::int64_t index) noexcept {
  if (market_id < 0 || market_id > INT16_MAX) return unexpected(OrderError::kMarketIndex);
  if (index <= 0 || index >= (std::int64_t{1} << 56)) return unexpected(OrderError::kOrderIndexRange);
  CancelOrderTx tx;
  tx.market_index = static_cast<std::int16_t>(market_id);
  tx.index = index;
  return tx;
}

namespace {
SubmitResult refused(std::int64_t code) noexcept {
  SubmitResult s;
  s.state = SubmitState::kRefused;
  s.error = lighter_error_from_code(code);
  s.action = classify(s.error);
  s.nonce_outcome = s.action == ErrorAction::kResyncNonce ? TxOutcome::kInvalidNonce : TxOutcome::kRejected;
  return s;
}
}  // namespace

SubmitResult submit_result(const ParseError& e, const SendTxResult& r) noexcept {
  if (e.ok()) {
    SubmitResult s;
    s.state = SubmitState::kSubmitted;
    s.nonce_outcome = TxOutcome::kAccepted;
    s.tx_hash = r.tx_hash;
    return s;
  }
  if (e.code == ParseErrc::kApiError) return refused(e.api_code);
  return SubmitResult{};  // unknown
}

SubmitResult submit_result(const WsFrame& reply) noexcept {
  if (reply.type == WsType::kSendTx) {
    if (reply.error_code == 200) {
      SubmitResult s;
      s.state = SubmitState::kSubmitted;
      s.nonce_outcome = TxOutcome::kAccepted;
      s.tx_hash = reply.send_tx.tx_hash;
      return s;
    }
    return refused(reply.error_code);
  }
  if (reply.type == WsType::kError) return refused(reply.error_code);
  return SubmitResult{};
}

}  // namespace bparb::lighter
