#pragma once
// Request bodies / query strings for signed Backpack endpoints, written together with their signing
// string so that every signed value is byte-identical to what goes on the wire.
//
// Hot path: RequestWriter reuses its internal buffers; once warm (after the first few requests of
// each size) writing an order, a batch or a cancel allocates nothing and never throws.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/venue/backpack/keys.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::backpack {

class SigningKey;

// POST /api/v1/order body (OrderExecutePayload). Decimal zero = field absent.
struct OrderRequest {
  std::string_view symbol;
  Side side = Side::kBid;
  OrderType type = OrderType::kLimit;
  Decimal quantity;        // base quantity (Limit: required; Market: this or quote_quantity)
  Decimal quote_quantity;  // Market only
  Decimal price;           // Limit only
  // Places written after the decimal point (the market's tick / step decimals), e.g. price 150.2
  // with price_decimals 2 -> "150.20". -1 = canonical text (no trailing zeros). A value with more
  // decimals than allowed is REJECTED (kTooPrecise), never silently truncated.
  int price_decimals = -1;
  int quantity_decimals = -1;
  int quote_quantity_decimals = -1;
  std::optional<TimeInForce> time_in_force;
  std::optional<bool> post_only;
  std::optional<bool> reduce_only;
  std::optional<std::uint32_t> client_id;
  std::optional<SelfTradePrevention> self_trade_prevention;
  std::optional<bool> auto_lend;
  std::optional<bool> auto_lend_redeem;
  std::optional<bool> auto_borrow;
  std::optional<bool> auto_borrow_repay;
};

// Sets price/quantity decimals from the market's tickSize/stepSize, so that the order strings are
// aligned to the market ("150.20" on a 0.01 tick) and off-tick values are rejected by the writer.
inline void apply_market_precision(OrderRequest& o, const MarketSpec& m) noexcept {
  o.price_decimals = m.price_decimals();
  o.quantity_decimals = m.quantity_decimals();
}

// DELETE /api/v1/order: exactly one of order_id / client_id.
struct CancelRequest {
  std::string_view symbol;
  std::string_view order_id;  // empty = absent
  std::optional<std::uint32_t> client_id;
};

// DELETE /api/v1/orders `orderType` filter.
enum class CancelAllKind : std::uint8_t { kAll, kRestingLimitOrder, kConditionalOrder };

enum class RequestError : std::uint8_t {
  kOk = 0,
  kMissingSymbol,
  kBadSymbol,                // contains '"', '\\', '&', '=' or control characters
  kMissingQuantity,          // Limit without quantity; Market with neither quantity nor quoteQuantity
  kMissingPrice,             // Limit without price
  kUnexpectedPrice,          // Market with a price
  kUnexpectedQuoteQuantity,  // Limit with quoteQuantity, or Market with both quantity and quoteQuantity
  kNonPositive,              // price / quantity / quoteQuantity <= 0
  kTooPrecise,               // value has more decimals than *_decimals allows
  kBadDecimals,              // *_decimals outside -1..9
  kCancelIdMissing,          // neither orderId nor clientId
  kCancelIdAmbiguous,        // both orderId and clientId
  kBadOrderId,               // orderId not [0-9A-Za-z_-]
  kEmptyBatch,
  kBatchTooLarge,  // more than RequestWriter::kMaxBatch orders
  kBadParam,       // query key/value empty or containing '&' '=' in the key
  kBadWindow,      // window outside 1..60000 ms
};
const char* to_string(RequestError e) noexcept;

// Timestamp/window go into the signing string; with a key the writer also signs it.
struct RequestAuth {
  const SigningKey* key = nullptr;  // nullptr: build strings only (signature stays empty)
  std::int64_t timestamp_ms = 0;
  std::int64_t window_ms = kDefaultWindowMs;
};

// Views into the writer's buffers: valid until the next write_* call on the same writer.
struct WrittenRequest {
  std::string_view instruction;     // e.g. "orderExecute"
  std::string_view body;            // JSON body (POST/DELETE) or query string without '?' (GET; may be empty)
  std::string_view signing_string;  // exactly what was signed
  std::string_view signature;       // X-Signature (base64, 88 chars) or empty without a key
  std::string_view timestamp;       // X-Timestamp text
  std::string_view window;          // X-Window text
};

class RequestWriter {
 public:
  static constexpr std::size_t kMaxBatch = 50;
  static constexpr std::size_t kMaxQueryParams = 32;

  RequestWriter();  // reserves buffers for typical sizes

  // POST /api/v1/order (instruction orderExecute). Body keys are written in sorted order.
  RequestError write_order(const OrderRequest& order, const RequestAuth& auth, WrittenRequest& out) noexcept;
  // POST /api/v1/orders: JSON array body, batch signing string (docs/backpack.md §1.3).
  RequestError write_batch(std::span<const OrderRequest> orders, const RequestAuth& auth, WrittenRequest& out) noexcept;
  // DELETE /api/v1/order (orderCancel): {"orderId":"..","symbol":".."} or {"clientId":n,"symbol":".."}.
  RequestError write_cancel(const CancelRequest& cancel, const RequestAuth& auth, WrittenRequest& out) noexcept;
  // DELETE /api/v1/orders (orderCancelAll): {"symbol":".."} (+ "orderType" unless kAll).
  RequestError write_cancel_all(std::string_view symbol, CancelAllKind kind, const RequestAuth& auth,
                                WrittenRequest& out) noexcept;
  // Signed GET: `params` are sorted in place; out.body is the query string ("k=v&k2=v2", values
  // percent-encoded where needed, signing string has the raw values). Empty params -> empty query.
  // instruction: e.g. instruction_for("GET", "/wapi/v1/history/fills").
  RequestError write_query(std::string_view instruction, std::span<SignParam> params, const RequestAuth& auth,
                           WrittenRequest& out) noexcept;

 private:
  // Up to 16 signed fields per order; formatted numeric texts live in `text`.
  struct OrderFields {
    SignParam params[16];
    char text[4][Decimal::kMaxChars];
    std::size_t count = 0;
  };
  RequestError collect(const OrderRequest& o, OrderFields& f) noexcept;
  void append_object(const OrderFields& f) noexcept;
  RequestError sign_into(std::size_t sign_len, std::string_view instruction, const RequestAuth& auth,
                         WrittenRequest& out) noexcept;

  std::string body_;
  std::string sign_;  // used as a raw buffer: size() is the capacity handed to the builders
  std::vector<OrderFields> batch_;
  std::vector<std::span<SignParam>> spans_;
  char sig_[kSignatureBase64Chars + 1] = {};
  char ts_[24] = {};
  char win_[24] = {};
};

}  // namespace bparb::backpack
