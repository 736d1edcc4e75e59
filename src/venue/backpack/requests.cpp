#include "bparb/venue/backpack/requests.hpp"

#include <charconv>

#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

// Symbols and ids go verbatim into JSON strings, query strings and the signing string, so anything
// that would need escaping in any of the three is refused instead of escaped differently in each.
bool safe_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '&' || c == '=' || c == '%' || c == '+' || c == '?' ||
        c == '#')
      return false;
  }
  return true;
}

bool safe_order_id(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Keys whose JSON value is a literal (bool / integer) rather than a string.
bool json_literal_key(std::string_view k) noexcept {
  return k == "clientId" || k == "postOnly" || k == "reduceOnly" || k == "autoLend" || k == "autoLendRedeem" ||
         k == "autoBorrow" || k == "autoBorrowRepay";
}

std::string_view bool_text(bool b) noexcept {
  return b ? "true" : "false";
}

RequestError format_decimal(Decimal v, int decimals, char* buf, std::string_view& out) noexcept {
  if (decimals < -1 || decimals > Decimal::kScale) return RequestError::kBadDecimals;
  if (v.raw() <= 0) return RequestError::kNonPositive;
  std::size_t n;
  if (decimals < 0) {
    n = v.format(buf);
  } else {
    if (v.decimals() > decimals) return RequestError::kTooPrecise;
    n = v.format_fixed(buf, decimals);
  }
  out = std::string_view(buf, n);
  return RequestError::kOk;
}

std::string_view format_uint(std::uint64_t v, char* buf) noexcept {
  auto r = std::to_chars(buf, buf + Decimal::kMaxChars, v);
  return std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
}

std::string_view cancel_kind_name(CancelAllKind k) noexcept {
  switch (k) {
    case CancelAllKind::kRestingLimitOrder:
      return "RestingLimitOrder";
    case CancelAllKind::kConditionalOrder:
      return "ConditionalOrder";
    case CancelAllKind::kAll:
      break;
  }
  return {};
}

bool unreserved(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void append_percent_encoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    if (unreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
}

}  // namespace

const char* to_string(RequestError e) noexcept {
  switch (e) {
    case RequestError::kOk:
      return "ok";
    case RequestError::kMissingSymbol:
      return "symbol is missing";
    case RequestError::kBadSymbol:
      return "symbol contains characters that would need escaping";
    case RequestError::kMissingQuantity:
      return "quantity is missing (Limit needs quantity; Market needs quantity or quoteQuantity)";
    case RequestError::kMissingPrice:
      return "Limit order without price";
    case RequestError::kUnexpectedPrice:
      return "Market order must not carry a price";
    case RequestError::kUnexpectedQuoteQuantity:
      return "quoteQuantity is only for Market orders without quantity";
    case RequestError::kNonPositive:
      return "price/quantity must be positive";
    case RequestError::kTooPrecise:
      return "value has more decimals than the market's tick/step allows";
    case RequestError::kBadDecimals:
      return "decimals must be -1..9";
    case RequestError::kCancelIdMissing:
      return "cancel needs orderId or clientId";
    case RequestError::kCancelIdAmbiguous:
      return "cancel must not give both orderId and clientId";
    case RequestError::kBadOrderId:
      return "orderId must be [0-9A-Za-z_-]+";
    case RequestError::kEmptyBatch:
      return "batch has no orders";
    case RequestError::kBatchTooLarge:
      return "batch has more orders than RequestWriter::kMaxBatch";
    case RequestError::kBadParam:
      return "query parameter key is empty or contains '&'/'='";
    case RequestError::kBadWindow:
      return "window must be 1..60000 ms";
  }
  return "?";
}

RequestWriter::RequestWriter() : batch_(kMaxBatch) {
  body_.reserve(16 * 1024);
  sign_.resize(16 * 1024);
  spans_.reserve(kMaxBatch);
}

RequestError RequestWriter::collect(const OrderRequest& o, OrderFields& f) noexcept {
  f.count = 0;
  if (o.symbol.empty()) return RequestError::kMissingSymbol;
  if (!safe_token(o.symbol)) return RequestError::kBadSymbol;
  auto add = [&f](std::string_view k, std::string_view v) noexcept { f.params[f.count++] = SignParam{k, v}; };

  const bool has_qty = !o.quantity.is_zero();
  const bool has_quote = !o.quote_quantity.is_zero();
  const bool has_price = !o.price.is_zero();
  if (o.type == OrderType::kLimit) {
    if (!has_price) return RequestError::kMissingPrice;
    if (!has_qty) return RequestError::kMissingQuantity;
    if (has_quote) return RequestError::kUnexpectedQuoteQuantity;
  } else {
    if (has_price) return RequestError::kUnexpectedPrice;
    if (!has_qty && !has_quote) return RequestError::kMissingQuantity;
    if (has_qty && has_quote) return RequestError::kUnexpectedQuoteQuantity;
  }

  std::string_view v;
  if (o.auto_borrow) add("autoBorrow", bool_text(*o.auto_borrow));
  if (o.auto_borrow_repay) add("autoBorrowRepay", bool_text(*o.auto_borrow_repay));
  if (o.auto_lend) add("autoLend", bool_text(*o.auto_lend));
  if (o.auto_lend_redeem) add("autoLendRedeem", bool_text(*o.auto_lend_redeem));
  if (o.client_id) add("clientId", format_uint(*o.client_id, f.text[3]));
  add("orderType", order_type_name(o.type));
  if (o.post_only) add("postOnly", bool_text(*o.post_only));
  if (has_price) {
    if (auto e = format_decimal(o.price, o.price_decimals, f.text[0], v); e != RequestError::kOk) return e;
    add("price", v);
  }
  if (has_qty) {
    if (auto e = format_decimal(o.quantity, o.quantity_decimals, f.text[1], v); e != RequestError::kOk) return e;
    add("quantity", v);
  }
  if (has_quote) {
    if (auto e = format_decimal(o.quote_quantity, o.quote_quantity_decimals, f.text[2], v); e != RequestError::kOk)
      return e;
    add("quoteQuantity", v);
  }
  if (o.reduce_only) add("reduceOnly", bool_text(*o.reduce_only));
  if (o.self_trade_prevention) add("selfTradePrevention", stp_name(*o.self_trade_prevention));
  add("side", side_name(o.side));
  add("symbol", o.symbol);
  if (o.time_in_force) add("timeInForce", tif_name(*o.time_in_force));
  return RequestError::kOk;
}

// Writes {"k":v,...} from params that build_*_signing_string has already sorted, so the body lists
// the fields in the same order as the signing string (not required by the API, but easy to eyeball).
void RequestWriter::append_object(const OrderFields& f) noexcept {
  body_ += '{';
  for (std::size_t i = 0; i < f.count; ++i) {
    const SignParam& p = f.params[i];
    if (i) body_ += ',';
    body_ += '"';
    body_ += p.key;
    body_ += "\":";
    if (json_literal_key(p.key)) {
      body_ += p.value;
    } else {
      body_ += '"';
      body_ += p.value;
      body_ += '"';
    }
  }
  body_ += '}';
}

RequestError RequestWriter::sign_into(std::size_t sign_len, std::string_view instruction, const RequestAuth& auth,
                                      WrittenRequest& out) noexcept {
  out.instruction = instruction;
  out.body = body_;
  out.signing_string = std::string_view(sign_.data(), sign_len);
  auto r1 = std::to_chars(ts_, ts_ + sizeof ts_ - 1, auth.timestamp_ms);
  out.timestamp = std::string_view(ts_, static_cast<std::size_t>(r1.ptr - ts_));
  auto r2 = std::to_chars(win_, win_ + sizeof win_ - 1, auth.window_ms);
  out.window = std::string_view(win_, static_cast<std::size_t>(r2.ptr - win_));
  if (auth.key != nullptr) {
    const std::size_t n = auth.key->sign_base64(out.signing_string, sig_);
    out.signature = std::string_view(sig_, n);
  } else {
    out.signature = {};
  }
  return RequestError::kOk;
}

#define BPARB_CHECK_WINDOW(auth) \
  if ((auth).window_ms <= 0 || (auth).window_ms > kMaxWindowMs) return RequestError::kBadWindow

RequestError RequestWriter::write_order(const OrderRequest& order, const RequestAuth& auth,
                                        WrittenRequest& out) noexcept {
  BPARB_CHECK_WINDOW(auth);
  OrderFields& f = batch_[0];
  if (auto e = collect(order, f); e != RequestError::kOk) return e;
  std::span<SignParam> params(f.params, f.count);
  std::size_t n;
  while ((n = build_signing_string("orderExecute", params, auth.timestamp_ms, auth.window_ms, sign_.data(),
                                   sign_.size())) == 0)
    sign_.resize(sign_.size() * 2);
  body_.clear();
  append_object(f);
  return sign_into(n, "orderExecute", auth, out);
}

RequestError RequestWriter::write_batch(std::span<const OrderRequest> orders, const RequestAuth& auth,
                                        WrittenRequest& out) noexcept {
  BPARB_CHECK_WINDOW(auth);
  if (orders.empty()) return RequestError::kEmptyBatch;
  if (orders.size() > kMaxBatch) return RequestError::kBatchTooLarge;
  spans_.clear();
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (auto e = collect(orders[i], batch_[i]); e != RequestError::kOk) return e;
    spans_.emplace_back(batch_[i].params, batch_[i].count);
  }
  std::size_t n;
  while ((n = build_batch_signing_string("orderExecute", spans_, auth.timestamp_ms, auth.window_ms, sign_.data(),
                                         sign_.size())) == 0)
    sign_.resize(sign_.size() * 2);
  body_.clear();
  body_ += '[';
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (i) body_ += ',';
    append_object(batch_[i]);
  }
  body_ += ']';
  return sign_into(n, "orderExecute", auth, out);
}

RequestError RequestWriter::write_cancel(const CancelRequest& cancel, const RequestAuth& auth,
                                         WrittenRequest& out) noexcept {
  BPARB_CHECK_WINDOW(auth);
  if (cancel.symbol.empty()) return RequestError::kMissingSymbol;
  if (!safe_token(cancel.symbol)) return RequestError::kBadSymbol;
  const bool by_order = !cancel.order_id.empty();
  if (by_order && cancel.client_id) return RequestError::kCancelIdAmbiguous;
  if (!by_order && !cancel.client_id) return RequestError::kCancelIdMissing;
  if (by_order && !safe_order_id(cancel.order_id)) return RequestError::kBadOrderId;
  OrderFields& f = batch_[0];
  SignParam params[2];
  body_.clear();
  if (by_order) {
    params[0] = {"orderId", cancel.order_id};
    body_ += "{\"orderId\":\"";
    body_ += cancel.order_id;
    body_ += "\",\"symbol\":\"";
  } else {
    params[0] = {"clientId", format_uint(*cancel.client_id, f.text[3])};
    body_ += "{\"clientId\":";
    body_ += params[0].value;
    body_ += ",\"symbol\":\"";
  }
  params[1] = {"symbol", cancel.symbol};
  body_ += cancel.symbol;
  body_ += "\"}";
  std::size_t n;
  while ((n = build_signing_string("orderCancel", params, auth.timestamp_ms, auth.window_ms, sign_.data(),
                                   sign_.size())) == 0)
    sign_.resize(sign_.size() * 2);
  return sign_into(n, "orderCancel", auth, out);
}

RequestError RequestWriter::write_cancel_all(std::string_view symbol, CancelAllKind kind, const RequestAuth& auth,
                                             WrittenRequest& out) noexcept {
  BPARB_CHECK_WINDOW(auth);
  if (symbol.empty()) return RequestError::kMissingSymbol;
  if (!safe_token(symbol)) return RequestError::kBadSymbol;
  SignParam params[2];
  std::size_t count = 0;
  body_.clear();
  body_ += '{';
  const std::string_view kind_name = cancel_kind_name(kind);
  if (!kind_name.empty()) {
    params[count++] = {"orderType", kind_name};
    body_ += "\"orderType\":\"";
    body_ += kind_name;
    body_ += "\",";
  }
  params[count++] = {"symbol", symbol};
  body_ += "\"symbol\":\"";
  body_ += symbol;
  body_ += "\"}";
  std::size_t n;
  while ((n = build_signing_string("orderCancelAll", std::span<SignParam>(params, count), auth.timestamp_ms,
                                   auth.window_ms, sign_.data(), sign_.size())) == 0)
    sign_.resize(sign_.size() * 2);
  return sign_into(n, "orderCancelAll", auth, out);
}

RequestError RequestWriter::write_query(std::string_view instruction, std::span<SignParam> params,
                                        const RequestAuth& auth, WrittenRequest& out) noexcept {
  BPARB_CHECK_WINDOW(auth);
  if (params.size() > kMaxQueryParams) return RequestError::kBadParam;
  for (const SignParam& p : params) {
    if (p.key.empty() || p.key.find_first_of("&=") != std::string_view::npos) return RequestError::kBadParam;
  }
  std::size_t n;
  while ((n = build_signing_string(instruction, params, auth.timestamp_ms, auth.window_ms, sign_.data(),
                                   sign_.size())) == 0)
    sign_.resize(sign_.size() * 2);
  body_.clear();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) body_ += '&';
    append_percent_encoded(body_, params[i].key);
    body_ += '=';
    append_percent_encoded(body_, params[i].value);
  }
  return sign_into(n, instruction, auth, out);
}

#undef BPARB_CHECK_WINDOW

}  // namespace bparb::backpack
