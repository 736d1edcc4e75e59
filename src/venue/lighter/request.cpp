// JSON signing requests (include/bparb/venue/lighter/request.hpp).
#include "bparb/venue/lighter/request.hpp"

#include <limits>
#include <optional>
#include <ostream>
#include <string>

namespace bparb::lighter {

namespace {

void json_string(std::ostream& out, std::string_view s) {
  out << '"';
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') {
      out << '\\' << ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out << "\\u00" << kHex[(ch >> 4) & 0xF] << kHex[ch & 0xF];
    } else {
      out << ch;
    }
  }
  out << '"';
}

// A request field as an integer within [lo, hi]; missing fields take `fallback` when given.
class Fields {
 public:
  explicit Fields(simdjson::dom::object obj) : obj_(obj) {}
  template <class Int>
  bool get(const char* name, Int& out, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t> fallback = {}) {
    simdjson::dom::element el;
    if (obj_[name].get(el) != simdjson::SUCCESS) {
      if (fallback) {
        out = static_cast<Int>(*fallback);
        return true;
      }
      error_ = std::string("missing field ") + name;
      return false;
    }
    std::int64_t v = 0;
    if (el.get_int64().get(v) != simdjson::SUCCESS) {
      error_ = std::string("field ") + name + " must be an integer";
      return false;
    }
    if (v < lo || v > hi) {
      error_ = std::string("field ") + name + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      return false;
    }
    out = static_cast<Int>(v);
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  simdjson::dom::object obj_;
  std::string error_;
};

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kU32Max = 0xFFFFFFFFLL;

bool read_attributes(Fields& f, TxAttributes& a) {
  return f.get("integrator_account_index", a.integrator_account_index, 0, kI64Max, 0) &&
         f.get("integrator_taker_fee", a.integrator_taker_fee, 0, kU32Max, 0) &&
         f.get("integrator_maker_fee", a.integrator_maker_fee, 0, kU32Max, 0) &&
         f.get("skip_nonce", a.skip_nonce, 0, 1, 0) &&
         f.get("cancel_all_market_index", a.cancel_all_market_index, 0, 32767, 255) &&
         f.get("self_trade_behavior", a.self_trade_behavior, 0, 3, 0) &&
         f.get("self_trade_equality", a.self_trade_equality, 0, 1, 0);
}

void print_signed(std::ostream& out, const SignedTx& tx, std::string_view public_key_hex) {
  std::array<char, 80> h{};
  tx.message_hash_hex(h);
  out << "{\"tx_type\":" << static_cast<int>(tx.tx_type) << ",\"tx_info\":";
  json_string(out, tx.tx_info());
  out << ",\"message_hash\":\"" << std::string_view(h.data(), h.size()) << "\",\"public_key\":\"" << public_key_hex
      << "\"}\n";
}

// Signs one request line; on failure returns the message for {"error":...}.
std::optional<std::string> sign_line(Signer& signer, std::string_view line, simdjson::dom::parser& parser,
                                     std::int64_t now_ms, std::string_view public_key_hex, std::ostream& out) {
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get_object().get(obj) != simdjson::SUCCESS) {
    return std::string("request is not a JSON object");
  }
  simdjson::dom::element ignored;
  if (obj["private_key"].get(ignored) == simdjson::SUCCESS) {
    return std::string("private_key in a request is refused: the signer's key is configured separately");
  }
  std::string_view kind;
  if (obj["kind"].get_string().get(kind) != simdjson::SUCCESS) return std::string("missing string field kind");
  Fields f(obj);
  SignerConfig cfg;
  if (!f.get("account_index", cfg.account_index, -1, kI64Max) || !f.get("api_key_index", cfg.api_key_index, 0, 254) ||
      !f.get("chain_id", cfg.chain_id, 0, kU32Max, kChainIdMainnet)) {
    return f.error();
  }
  signer.set_config(cfg);
  std::int64_t nonce = 0;
  if (kind != "auth_token" && !f.get("nonce", nonce, 0, kI64Max)) return f.error();
  // Like the official signers: ExpiredAt defaults to now + 10 minutes - 1 second (ms).
  const std::int64_t default_expiry = now_ms + 599'000;
  std::int64_t expired_at = 0;
  if (!f.get("expired_at", expired_at, 0, kI64Max, default_expiry)) return f.error();

  SignedTx tx;
  std::optional<TxError> e;
  if (kind == "create_order") {
    CreateOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) ||
        !f.get("client_order_index", o.client_order_index, 0, kI64Max) ||
        !f.get("base_amount", o.base_amount, 0, kI64Max) || !f.get("price", o.price, 0, kU32Max) ||
        !f.get("is_ask", o.is_ask, 0, 1) || !f.get("order_type", o.type, 0, 255) ||
        !f.get("time_in_force", o.time_in_force, 0, 255) || !f.get("reduce_only", o.reduce_only, 0, 1) ||
        !f.get("trigger_price", o.trigger_price, 0, kU32Max, 0) || !f.get("order_expiry", o.order_expiry, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_create_order(o, nonce, expired_at, tx);
  } else if (kind == "cancel_order") {
    CancelOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) || !f.get("index", o.index, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_cancel_order(o, nonce, expired_at, tx);
  } else if (kind == "cancel_all_orders") {
    CancelAllOrdersTx o;
    if (!f.get("time_in_force", o.time_in_force, 0, 2) || !f.get("time", o.time, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_cancel_all_orders(o, nonce, expired_at, tx);
  } else if (kind == "modify_order") {
    ModifyOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) || !f.get("index", o.index, 0, kI64Max) ||
        !f.get("base_amount", o.base_amount, 0, kI64Max) || !f.get("price", o.price, 0, kU32Max) ||
        !f.get("trigger_price", o.trigger_price, 0, kU32Max, 0) || !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_modify_order(o, nonce, expired_at, tx);
  } else if (kind == "auth_token") {
    std::int64_t deadline = 0;
    if (!f.get("deadline", deadline, 0, kI64Max)) return f.error();
    AuthToken token;
    if (auto te = signer.auth_token(deadline, token)) return std::string(tx_error_message(*te));
    out << "{\"auth_token\":";
    json_string(out, token.str());
    out << ",\"public_key\":\"" << public_key_hex << "\"}\n";
    return std::nullopt;
  } else {
    return std::string("unknown kind (create_order, cancel_order, cancel_all_orders, modify_order, auth_token)");
  }
  if (e) return std::string(tx_error_message(*e));
  print_signed(out, tx, public_key_hex);
  return std::nullopt;
}

}  // namespace

bool sign_request_line(Signer& signer, std::string_view line, simdjson::dom::parser& parser, std::int64_t now_ms,
                       std::ostream& out) {
  std::array<char, 80> pk{};
  signer.public_key_hex(pk);
  if (auto e = sign_line(signer, line, parser, now_ms, std::string_view(pk.data(), pk.size()), out)) {
    out << "{\"error\":";
    json_string(out, *e);
    out << "}\n";
    return false;
  }
  return true;
}

}  // namespace bparb::lighter
