// Message hashes and tx_info JSON of Lighter transactions (docs/lighter-signing.md, "Message hashes",
// "Attributes" and "tx_info").
#include "bparb/venue/lighter/tx.hpp"

#include <sodium.h>

#include <charconv>
#include <cstring>

#include "bparb/venue/lighter/poseidon2.hpp"

namespace bparb::lighter {

namespace {

// Go signers cast every integer to uint64 before hashing; negative values (only AccountIndex = -1 is
// legal) therefore enter as two's complement, reduced mod p by the sponge.
inline std::uint64_t word(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}

bool envelope_ok(const TxEnvelope& env) {
  return env.nonce >= 0 && env.expired_at >= 0 && env.api_key_index <= 254;
}

void header(const TxEnvelope& env, TxType type, std::span<std::uint64_t, 16> out) {
  out[0] = env.chain_id;
  out[1] = static_cast<std::uint64_t>(type);
  out[2] = word(env.nonce);
  out[3] = word(env.expired_at);
  out[4] = word(env.account_index);
  out[5] = env.api_key_index;
}

// Appends to a fixed buffer; remembers overflow instead of failing at each call.
class Writer {
 public:
  explicit Writer(std::span<char> out) : out_(out) {}
  Writer& raw(std::string_view s) {
    if (ok_ && out_.size() - n_ >= s.size()) {
      std::memcpy(out_.data() + n_, s.data(), s.size());
      n_ += s.size();
    } else {
      ok_ = false;
    }
    return *this;
  }
  template <class Int>
  Writer& num(Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  // "Key":value,
  template <class Int>
  Writer& field(std::string_view key, Int v) {
    raw("\"").raw(key).raw("\":").num(v);
    return raw(",");
  }
  std::size_t finish() const { return ok_ ? n_ : 0; }

 private:
  std::span<char> out_;
  std::size_t n_ = 0;
  bool ok_ = true;
};

void envelope_tail(Writer& w, const TxEnvelope& env, std::span<const std::uint8_t, 80> sig, const TxAttributes& a,
                   TxInfoLayout layout) {
  w.field("ExpiredAt", env.expired_at).field("Nonce", env.nonce);
  char b64[sodium_base64_ENCODED_LEN(80, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, sig.data(), sig.size(), sodium_base64_VARIANT_ORIGINAL);
  w.raw("\"Sig\":\"").raw(std::string_view(b64, sizeof b64 - 1)).raw("\"");
  if (layout == TxInfoLayout::kCurrent) {
    std::uint64_t el[8];
    const std::size_t n = attribute_elements(a, el);
    if (n == 0) {
      w.raw(",\"L2TxAttributes\":null");
    } else {
      w.raw(",\"L2TxAttributes\":{");
      for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) w.raw(",");
        w.raw("\"").num(el[2 * i]).raw("\":");
        // Values are written as the Go integer types hold them (all non-negative here except an
        // integrator account index, which is an int64).
        if (el[2 * i] == 1) {
          w.num(static_cast<std::int64_t>(el[2 * i + 1]));
        } else {
          w.num(el[2 * i + 1]);
        }
      }
      w.raw("}");
    }
  }
  w.raw("}");
}

}  // namespace

const char* tx_error_message(TxError e) {
  switch (e) {
    case TxError::kBadEnvelope:
      return "invalid envelope: nonce and expired_at must be >= 0, api_key_index <= 254";
    case TxError::kBadField:
      return "invalid field: market index, amounts, indexes and times must be >= 0";
    case TxError::kBadAttributes:
      return "invalid transaction attributes";
    case TxError::kBufferTooSmall:
      return "output buffer too small";
  }
  return "invalid transaction";
}

bool validate_attributes(const TxAttributes& a) {
  if (a.skip_nonce > 1) return false;
  const bool fees = a.integrator_taker_fee != 0 || a.integrator_maker_fee != 0;
  if (fees && a.integrator_account_index == 0) return false;
  const bool self_trade = a.self_trade_behavior != 0 || a.self_trade_equality != 0;
  if (fees && self_trade) return false;
  if (a.self_trade_behavior > 3 || a.self_trade_equality > 1) return false;
  if (a.self_trade_behavior == 3 && a.self_trade_equality == 1) return false;
  if (a.cancel_all_market_index < 0) return false;
  std::uint64_t el[8];
  return attribute_elements(a, el) <= 4;
}

std::optional<TxError> check(const TxEnvelope& env, const CreateOrderTx& tx) {
  if (!envelope_ok(env)) return TxError::kBadEnvelope;
  if (tx.market_index < 0 || tx.client_order_index < 0 || tx.base_amount < 0 || tx.order_expiry < 0) {
    return TxError::kBadField;
  }
  if (!validate_attributes(tx.attributes)) return TxError::kBadAttributes;
  return std::nullopt;
}

std::optional<TxError> check(const TxEnvelope& env, const CancelOrderTx& tx) {
  if (!envelope_ok(env)) return TxError::kBadEnvelope;
  if (tx.market_index < 0 || tx.index < 0) return TxError::kBadField;
  if (!validate_attributes(tx.attributes)) return TxError::kBadAttributes;
  return std::nullopt;
}

std::optional<TxError> check(const TxEnvelope& env, const CancelAllOrdersTx& tx) {
  if (!envelope_ok(env)) return TxError::kBadEnvelope;
  if (tx.time < 0) return TxError::kBadField;
  if (!validate_attributes(tx.attributes)) return TxError::kBadAttributes;
  return std::nullopt;
}

std::optional<TxError> check(const TxEnvelope& env, const ModifyOrderTx& tx) {
  if (!envelope_ok(env)) return TxError::kBadEnvelope;
  if (tx.market_index < 0 || tx.index < 0 || tx.base_amount < 0) return TxError::kBadField;
  if (!validate_attributes(tx.attributes)) return TxError::kBadAttributes;
  return std::nullopt;
}

std::size_t attribute_elements(const TxAttributes& a, std::span<std::uint64_t, 8> out) {
  const std::uint64_t values[7] = {
      word(a.integrator_account_index), a.integrator_taker_fee, a.integrator_maker_fee, a.skip_nonce,
      word(a.cancel_all_market_index),  a.self_trade_behavior,  a.self_trade_equality};
  const std::uint64_t nil[7] = {0, 0, 0, 0, 255, 0, 0};
  for (auto& v : out) v = 0;
  std::size_t n = 0;
  for (std::size_t t = 0; t < 7; ++t) {
    if (values[t] == nil[t]) continue;
    if (n < 4) {
      out[2 * n] = t + 1;
      out[2 * n + 1] = values[t];
    }
    ++n;
  }
  return n;
}

Fp5 message_hash(std::span<const std::uint64_t> elements, const TxAttributes& a) {
  const Fp5 base = hash_to_fp5(elements);
  std::uint64_t attr[8];
  if (attribute_elements(a, attr) == 0) return base;
  const Fp5 ah = hash_to_fp5(attr);
  const std::uint64_t both[10] = {base.c[0], base.c[1], base.c[2], base.c[3], base.c[4],
                                  ah.c[0],   ah.c[1],   ah.c[2],   ah.c[3],   ah.c[4]};
  return hash_to_fp5(both);
}

std::size_t tx_elements(const TxEnvelope& env, const CreateOrderTx& tx, std::span<std::uint64_t, 16> out) {
  header(env, TxType::kCreateOrder, out);
  out[6] = word(tx.market_index);
  out[7] = word(tx.client_order_index);
  out[8] = word(tx.base_amount);
  out[9] = tx.price;
  out[10] = tx.is_ask;
  out[11] = tx.type;
  out[12] = tx.time_in_force;
  out[13] = tx.reduce_only;
  out[14] = tx.trigger_price;
  out[15] = word(tx.order_expiry);
  return 16;
}

std::size_t tx_elements(const TxEnvelope& env, const CancelOrderTx& tx, std::span<std::uint64_t, 16> out) {
  header(env, TxType::kCancelOrder, out);
  out[6] = word(tx.market_index);
  out[7] = word(tx.index);
  return 8;
}

std::size_t tx_elements(const TxEnvelope& env, const CancelAllOrdersTx& tx, std::span<std::uint64_t, 16> out) {
  header(env, TxType::kCancelAllOrders, out);
  out[6] = tx.time_in_force;
  out[7] = word(tx.time);
  return 8;
}

std::size_t tx_elements(const TxEnvelope& env, const ModifyOrderTx& tx, std::span<std::uint64_t, 16> out) {
  header(env, TxType::kModifyOrder, out);
  out[6] = word(tx.market_index);
  out[7] = word(tx.index);
  out[8] = word(tx.base_amount);
  out[9] = tx.price;
  out[10] = tx.trigger_price;
  return 11;
}

namespace {
template <class Tx>
Fp5 hash_tx(const TxEnvelope& env, const Tx& tx) {
  std::uint64_t el[16];
  const std::size_t n = tx_elements(env, tx, el);
  return message_hash(std::span<const std::uint64_t>(el, n), tx.attributes);
}
}  // namespace

Fp5 message_hash(const TxEnvelope& env, const CreateOrderTx& tx) {
  return hash_tx(env, tx);
}
Fp5 message_hash(const TxEnvelope& env, const CancelOrderTx& tx) {
  return hash_tx(env, tx);
}
Fp5 message_hash(const TxEnvelope& env, const CancelAllOrdersTx& tx) {
  return hash_tx(env, tx);
}
Fp5 message_hash(const TxEnvelope& env, const ModifyOrderTx& tx) {
  return hash_tx(env, tx);
}

std::size_t write_tx_info(const TxEnvelope& env, const CreateOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out) {
  Writer w(out);
  w.raw("{")
      .field("AccountIndex", env.account_index)
      .field("ApiKeyIndex", env.api_key_index)
      .field("MarketIndex", tx.market_index)
      .field("ClientOrderIndex", tx.client_order_index)
      .field("BaseAmount", tx.base_amount)
      .field("Price", tx.price)
      .field("IsAsk", tx.is_ask)
      .field("Type", tx.type)
      .field("TimeInForce", tx.time_in_force)
      .field("ReduceOnly", tx.reduce_only)
      .field("TriggerPrice", tx.trigger_price)
      .field("OrderExpiry", tx.order_expiry);
  envelope_tail(w, env, sig, tx.attributes, layout);
  return w.finish();
}

std::size_t write_tx_info(const TxEnvelope& env, const CancelOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out) {
  Writer w(out);
  w.raw("{")
      .field("AccountIndex", env.account_index)
      .field("ApiKeyIndex", env.api_key_index)
      .field("MarketIndex", tx.market_index)
      .field("Index", tx.index);
  envelope_tail(w, env, sig, tx.attributes, layout);
  return w.finish();
}

std::size_t write_tx_info(const TxEnvelope& env, const CancelAllOrdersTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out) {
  Writer w(out);
  w.raw("{")
      .field("AccountIndex", env.account_index)
      .field("ApiKeyIndex", env.api_key_index)
      .field("TimeInForce", tx.time_in_force)
      .field("Time", tx.time);
  envelope_tail(w, env, sig, tx.attributes, layout);
  return w.finish();
}

std::size_t write_tx_info(const TxEnvelope& env, const ModifyOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out) {
  Writer w(out);
  w.raw("{")
      .field("AccountIndex", env.account_index)
      .field("ApiKeyIndex", env.api_key_index)
      .field("MarketIndex", tx.market_index)
      .field("Index", tx.index)
      .field("BaseAmount", tx.base_amount)
      .field("Price", tx.price)
      .field("TriggerPrice", tx.trigger_price);
  envelope_tail(w, env, sig, tx.attributes, layout);
  return w.finish();
}

std::size_t auth_message_elements(std::string_view message, std::span<std::uint64_t, 8> out) {
  const std::size_t words = (message.size() + 7) / 8;
  for (std::size_t i = 0; i < words && i < 8; ++i) {
    std::uint64_t v = 0;
    for (std::size_t j = 0; j < 8; ++j) {
      const std::size_t k = 8 * i + j;
      if (k < message.size()) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(message[k])) << (8 * j);
    }
    out[i] = v;
  }
  return words < 8 ? words : 8;
}

}  // namespace bparb::lighter
