#pragma once
// A venue-neutral order -> the signer's CreateOrder / CancelOrder fields for one Lighter market, and a
// sendTx answer -> what the order state machine should assume (docs/lighter.md, "Order fields",
// "Sending"). Pure and allocation-free; every refusal is a return value, nothing is ever rounded or
// truncated into range.
#include <cstdint>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/core/types.hpp"
#include "bparb/venue/lighter/messages.hpp"
#include "bparb/venue/lighter/nonce_manager.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "bparb/venue/lighter/tx.hpp"

namespace bparb::lighter {

// A price or quantity either already in the market's integer units or as an exact Decimal that must
// lie on the market's grid.
struct Amount {
  bool in_units = false;
  std::int64_t units = 0;
  Decimal value;
  static Amount of_units(std::int64_t u) noexcept { return Amount{true, u, Decimal{}}; }
  static Amount of(Decimal d) noexcept { return Amount{false, 0, d}; }
};

enum class NeutralTif : std::uint8_t {
  kGtc,       // Lighter good-till-time with an expiry (the order's, or now + default)
  kIoc,       // immediate-or-cancel (no expiry)
  kPostOnly,  // maker only, with an expiry like kGtc
};

struct NeutralOrder {
  std::int64_t market_id = 0;
  Side side = Side::kBid;  // kBid buys, kAsk sells
  Amount price;            // for a market order: the worst acceptable price
  Amount quantity;
  NeutralTif tif = NeutralTif::kGtc;
  bool market = false;  // market order (must be kIoc)
  bool reduce_only = false;
  ClientId client_id = 0;      // the kernel's id: 0 = none, else 1 .. 2^48 - 1 (wider ids are refused)
  std::int64_t expiry_ms = 0;  // 0 = now + default for kGtc/kPostOnly; must be 0 for kIoc
};

enum class OrderError : std::uint8_t {
  kMarketIndex,      // negative or beyond the signer's 16-bit market field
  kPriceOffTick,     // finer than 10^-price_decimals
  kPriceRange,       // <= 0 or > 2^32 - 1 units
  kQuantityOffStep,  // finer than 10^-size_decimals
  kQuantityRange,    // <= 0 or >= 2^48 units
  kClientIdRange,    // >= 2^48
  kReduceOnlySpot,   // spot markets have no reduce-only
  kMarketNotIoc,     // a market order must be immediate-or-cancel
  kExpiry,           // IOC with an expiry, or a negative expiry
  kBelowMinBase,     // quantity below min_base_amount
  kBelowMinQuote,    // price x quantity below min_quote_amount
  kOrderIndexRange,  // cancel: index <= 0 or >= 2^56
};
const char* to_string(OrderError e) noexcept;

struct OrderDefaults {
  DurationUs gtt_lifetime_us = 28 * kUsPerDay;  // expiry given to kGtc/kPostOnly orders without one
};

// `now_us` only feeds the default expiry.
Expected<CreateOrderTx, OrderError> to_create_order(const NeutralOrder& o, const MarketDetails& m, TimestampUs now_us,
                                                    const OrderDefaults& d = {}) noexcept;
// `index`: the client order index the order was created with, or the venue's order_index.
Expected<CancelOrderTx, OrderError> to_cancel_order(std::int64_t market_id, std::int64_t index) noexcept;

// What a sendTx / jsonapi/sendtx answer means for the order. Only kSubmitted says the venue took the
// transaction; whether it rests, fills or is cancelled comes from the account stream (or an orders
// query when the stream is silent), exactly as for any order whose outcome is unknown.
enum class SubmitState : std::uint8_t {
  kSubmitted,  // accepted by the API: outcome unknown until the account stream tells
  kRefused,    // an error answer: the transaction was not taken (see action)
  kUnknown,    // no usable answer (transport failure, unreadable body): it may or may not exist
};

struct SubmitResult {
  SubmitState state = SubmitState::kUnknown;
  LighterError error = LighterError::kNone;
  ErrorAction action = ErrorAction::kNone;
  TxOutcome nonce_outcome = TxOutcome::kNoAnswer;  // report to the NonceManager
  TxHashHex tx_hash{};
};

// From parse_send_tx's result (pass a transport failure as a ParseError of kInvalidJson).
SubmitResult submit_result(const ParseError& e, const SendTxResult& r) noexcept;
// From a parsed jsonapi/sendtx reply frame.
SubmitResult submit_result(const WsFrame& reply) noexcept;

}  // namespace bparb::lighter
