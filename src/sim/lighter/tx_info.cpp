#include "bparb/sim/lighter/tx_info.hpp"

#include <simdjson.h>
#include <sodium.h>

#include <array>
#include <limits>
#include <string>

namespace bparb::sim::lighter {

namespace bl = bparb::lighter;

const char* to_string(TxInfoError e) noexcept {
  switch (e) {
    case TxInfoError::kUnsupportedType:
      return "unsupported tx type";
    case TxInfoError::kInvalidJson:
      return "tx_info is not a JSON object";
    case TxInfoError::kMissingField:
      return "tx_info lacks a required field";
    case TxInfoError::kDuplicateField:
      return "tx_info repeats a field";
    case TxInfoError::kBadField:
      return "tx_info field is not an integer of its width";
    case TxInfoError::kBadSignature:
      return "Sig is not base64 of 80 bytes";
    case TxInfoError::kBadAttributes:
      return "L2TxAttributes invalid";
  }
  return "?";
}

struct TxInfoParser::Impl {
  simdjson::dom::parser parser;
  std::string scratch;
};

TxInfoParser::TxInfoParser() : impl_(std::make_unique<Impl>()) {}
TxInfoParser::~TxInfoParser() = default;

namespace {

// The keys a transaction type reads, in one table so that presence and duplicates are tracked by bit.
enum Field : std::uint8_t {
  kAccountIndex,
  kApiKeyIndex,
  kMarketIndex,
  kClientOrderIndex,
  kIndex,
  kBaseAmount,
  kPrice,
  kIsAsk,
  kType,
  kTimeInForce,
  kReduceOnly,
  kTriggerPrice,
  kOrderExpiry,
  kTime,
  kExpiredAt,
  kNonce,
  kSig,
  kAttributes,
  kFieldCount,
};

constexpr std::array<std::string_view, kFieldCount> kNames = {
    "AccountIndex", "ApiKeyIndex", "MarketIndex", "ClientOrderIndex", "Index",        "BaseAmount",  "Price",
    "IsAsk",        "Type",        "TimeInForce", "ReduceOnly",       "TriggerPrice", "OrderExpiry", "Time",
    "ExpiredAt",    "Nonce",       "Sig",         "L2TxAttributes"};

constexpr std::uint32_t bit(Field f) {
  return 1u << f;
}

// Required keys per type (L2TxAttributes is optional: signers before attributes existed omit it).
std::uint32_t required_fields(bl::TxType t) {
  const std::uint32_t env = bit(kAccountIndex) | bit(kApiKeyIndex) | bit(kExpiredAt) | bit(kNonce) | bit(kSig);
  switch (t) {
    case bl::TxType::kCreateOrder:
      return env | bit(kMarketIndex) | bit(kClientOrderIndex) | bit(kBaseAmount) | bit(kPrice) | bit(kIsAsk) |
             bit(kType) | bit(kTimeInForce) | bit(kReduceOnly) | bit(kTriggerPrice) | bit(kOrderExpiry);
    case bl::TxType::kCancelOrder:
      return env | bit(kMarketIndex) | bit(kIndex);
    case bl::TxType::kCancelAllOrders:
      return env | bit(kTimeInForce) | bit(kTime);
    case bl::TxType::kModifyOrder:
      return env | bit(kMarketIndex) | bit(kIndex) | bit(kBaseAmount) | bit(kPrice) | bit(kTriggerPrice);
  }
  return 0;
}

// A JSON integer within [lo, hi]. Floats, strings and booleans are refused: the signer writes integers.
bool read_int(simdjson::dom::element v, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  std::int64_t x = 0;
  if (v.is_int64()) {
    x = v.get_int64().value_unsafe();
  } else {
    return false;  // uint64 beyond int64, double, or not a number: no field is that wide
  }
  if (x < lo || x > hi) return false;
  out = x;
  return true;
}

bool read_attributes(simdjson::dom::element v, bl::TxAttributes& a) {
  if (v.is_null()) return true;
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return false;
  std::uint32_t seen = 0;
  for (auto [key, val] : obj) {
    if (key.size() != 1 || key[0] < '1' || key[0] > '7') return false;
    const int type = key[0] - '0';
    if (seen & (1u << type)) return false;
    seen |= 1u << type;
    std::int64_t x = 0;
    switch (type) {
      case 1:
        if (!read_int(val, 0, (std::int64_t{1} << 48) - 1, x)) return false;
        a.integrator_account_index = x;
        break;
      case 2:
      case 3:
        if (!read_int(val, 0, std::numeric_limits<std::uint32_t>::max(), x)) return false;
        (type == 2 ? a.integrator_taker_fee : a.integrator_maker_fee) = static_cast<std::uint32_t>(x);
        break;
      case 4:
        if (!read_int(val, 0, 1, x)) return false;
        a.skip_nonce = static_cast<std::uint8_t>(x);
        break;
      case 5:
        if (!read_int(val, 0, std::numeric_limits<std::int16_t>::max(), x)) return false;
        a.cancel_all_market_index = static_cast<std::int16_t>(x);
        break;
      default:
        if (!read_int(val, 0, 255, x)) return false;
        (type == 6 ? a.self_trade_behavior : a.self_trade_equality) = static_cast<std::uint8_t>(x);
        break;
    }
  }
  return bl::validate_attributes(a);
}

}  // namespace

Expected<ParsedTx, TxInfoError> TxInfoParser::parse(std::int64_t tx_type, std::string_view tx_info) {
  ParsedTx out;
  switch (tx_type) {
    case 14:
    case 15:
    case 16:
    case 17:
      out.type = static_cast<bl::TxType>(tx_type);
      break;
    default:
      return unexpected(TxInfoError::kUnsupportedType);
  }
  simdjson::dom::element doc;
  if (impl_->parser.parse(tx_info.data(), tx_info.size(), /*realloc_if_needed=*/true).get(doc)) {
    return unexpected(TxInfoError::kInvalidJson);
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return unexpected(TxInfoError::kInvalidJson);

  const std::uint32_t required = required_fields(out.type);
  std::uint32_t seen = 0;
  std::array<std::int64_t, kFieldCount> v{};
  bl::TxAttributes attrs;
  constexpr std::int64_t k48 = (std::int64_t{1} << 48) - 1;
  constexpr std::int64_t kI64 = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kU32 = std::numeric_limits<std::uint32_t>::max();
  for (auto [key, val] : obj) {
    std::size_t f = 0;
    while (f < kFieldCount && kNames[f] != key) ++f;
    if (f == kFieldCount) continue;  // a key this type does not sign
    const auto field = static_cast<Field>(f);
    if (field != kAttributes && !(required & bit(field))) continue;
    if (seen & bit(field)) return unexpected(TxInfoError::kDuplicateField);
    seen |= bit(field);
    if (field == kSig) {
      if (val.is_null()) return unexpected(TxInfoError::kMissingField);
      std::string_view b64;
      if (val.get_string().get(b64)) return unexpected(TxInfoError::kBadSignature);
      std::size_t len = 0;
      const char* end = nullptr;
      if (sodium_base642bin(out.signature.data(), out.signature.size(), b64.data(), b64.size(), nullptr, &len, &end,
                            sodium_base64_VARIANT_ORIGINAL) != 0 ||
          len != out.signature.size() || end != b64.data() + b64.size()) {
        return unexpected(TxInfoError::kBadSignature);
      }
      continue;
    }
    if (field == kAttributes) {
      if (!read_attributes(val, attrs)) return unexpected(TxInfoError::kBadAttributes);
      continue;
    }
    if (val.is_null()) return unexpected(TxInfoError::kMissingField);
    std::int64_t lo = 0;
    std::int64_t hi = kI64;
    switch (field) {
      case kAccountIndex:
        lo = -1;
        hi = k48;
        break;
      case kApiKeyIndex:
        hi = 254;
        break;
      case kMarketIndex:
        hi = std::numeric_limits<std::int16_t>::max();
        break;
      case kIsAsk:
      case kType:
      case kTimeInForce:
      case kReduceOnly:
        hi = 255;
        break;
      case kPrice:
      case kTriggerPrice:
        hi = kU32;
        break;
      default:
        break;  // int64 fields: negatives are refused by check() below
    }
    if (field == kClientOrderIndex || field == kIndex || field == kBaseAmount || field == kOrderExpiry ||
        field == kTime || field == kExpiredAt || field == kNonce) {
      lo = std::numeric_limits<std::int64_t>::min();
    }
    if (!read_int(val, lo, hi, v[f])) return unexpected(TxInfoError::kBadField);
  }
  if ((seen & required) != required) return unexpected(TxInfoError::kMissingField);

  out.envelope.account_index = v[kAccountIndex];
  out.envelope.api_key_index = static_cast<std::uint8_t>(v[kApiKeyIndex]);
  out.envelope.nonce = v[kNonce];
  out.envelope.expired_at = v[kExpiredAt];
  std::optional<bl::TxError> bad;
  switch (out.type) {
    case bl::TxType::kCreateOrder: {
      bl::CreateOrderTx t;
      t.market_index = static_cast<std::int16_t>(v[kMarketIndex]);
      t.client_order_index = v[kClientOrderIndex];
      t.base_amount = v[kBaseAmount];
      t.price = static_cast<std::uint32_t>(v[kPrice]);
      t.is_ask = static_cast<std::uint8_t>(v[kIsAsk]);
      t.type = static_cast<std::uint8_t>(v[kType]);
      t.time_in_force = static_cast<std::uint8_t>(v[kTimeInForce]);
      t.reduce_only = static_cast<std::uint8_t>(v[kReduceOnly]);
      t.trigger_price = static_cast<std::uint32_t>(v[kTriggerPrice]);
      t.order_expiry = v[kOrderExpiry];
      t.attributes = attrs;
      bad = bl::check(out.envelope, t);
      out.tx = t;
      break;
    }
    case bl::TxType::kCancelOrder: {
      bl::CancelOrderTx t;
      t.market_index = static_cast<std::int16_t>(v[kMarketIndex]);
      t.index = v[kIndex];
      t.attributes = attrs;
      bad = bl::check(out.envelope, t);
      out.tx = t;
      break;
    }
    case bl::TxType::kCancelAllOrders: {
      bl::CancelAllOrdersTx t;
      t.time_in_force = static_cast<std::uint8_t>(v[kTimeInForce]);
      t.time = v[kTime];
      t.attributes = attrs;
      bad = bl::check(out.envelope, t);
      out.tx = t;
      break;
    }
    case bl::TxType::kModifyOrder: {
      bl::ModifyOrderTx t;
      t.market_index = static_cast<std::int16_t>(v[kMarketIndex]);
      t.index = v[kIndex];
      t.base_amount = v[kBaseAmount];
      t.price = static_cast<std::uint32_t>(v[kPrice]);
      t.trigger_price = static_cast<std::uint32_t>(v[kTriggerPrice]);
      t.attributes = attrs;
      bad = bl::check(out.envelope, t);
      out.tx = t;
      break;
    }
  }
  if (bad)
    return unexpected(*bad == bl::TxError::kBadAttributes ? TxInfoError::kBadAttributes : TxInfoError::kBadField);
  return out;
}

bl::Fp5 tx_message_hash(const ParsedTx& tx, std::uint32_t chain_id) {
  bl::TxEnvelope env = tx.envelope;
  env.chain_id = chain_id;
  return std::visit([&](const auto& t) { return bl::message_hash(env, t); }, tx.tx);
}

}  // namespace bparb::sim::lighter
