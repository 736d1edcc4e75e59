// Every vector of data/tx_kats.json: key derivation, hashed elements, base/attribute/message hashes,
// fixed-nonce signatures (s and e exactly), tx_info strings and auth tokens.
#include <gtest/gtest.h>

#include <map>

#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "lighter_test_util.hpp"

namespace bparb::lighter {
namespace {

using namespace bparb::lighter::testing;

struct TxKats {
  std::string text = read_data_file("tx_kats.json");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(text);

  std::string private_key(std::string_view label) {
    for (auto k : root["keys"].get_array()) {
      if (std::string_view(k["label"].get_string()) == label) return str(k["private_key"]);
    }
    return {};
  }
};

std::int64_t i64(simdjson::dom::element obj, const char* key) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS) return 0;
  return v.get_int64();
}

TxAttributes attributes_of(simdjson::dom::element obj) {
  TxAttributes a;
  for (auto [key, value] : obj.get_object()) {
    const int t = std::stoi(std::string(key));
    const std::int64_t v = value.get_int64();
    switch (t) {
      case 1:
        a.integrator_account_index = v;
        break;
      case 2:
        a.integrator_taker_fee = static_cast<std::uint32_t>(v);
        break;
      case 3:
        a.integrator_maker_fee = static_cast<std::uint32_t>(v);
        break;
      case 4:
        a.skip_nonce = static_cast<std::uint8_t>(v);
        break;
      case 5:
        a.cancel_all_market_index = static_cast<std::int16_t>(v);
        break;
      case 6:
        a.self_trade_behavior = static_cast<std::uint8_t>(v);
        break;
      case 7:
        a.self_trade_equality = static_cast<std::uint8_t>(v);
        break;
      default:
        ADD_FAILURE() << "unknown attribute type " << t;
    }
  }
  return a;
}

struct Case {
  TxEnvelope env;
  std::vector<std::uint64_t> elements;
  TxAttributes attrs;
  std::string tx_info;  // with the given signature
};

Case build(simdjson::dom::element v, std::span<const std::uint8_t, 80> sig) {
  Case c;
  const simdjson::dom::element f = v["fields"];
  c.env.chain_id = static_cast<std::uint32_t>(v["chain_id"].get_int64());
  c.env.account_index = i64(f, "AccountIndex");
  c.env.api_key_index = static_cast<std::uint8_t>(i64(f, "ApiKeyIndex"));
  c.env.nonce = i64(f, "Nonce");
  c.env.expired_at = i64(f, "ExpiredAt");
  c.attrs = attributes_of(v["attributes"]);
  std::uint64_t el[16];
  std::size_t n = 0;
  std::array<char, kMaxTxInfoSize> buf{};
  std::size_t len = 0;
  switch (v["tx_type"].get_int64()) {
    case 14: {
      CreateOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(i64(f, "MarketIndex"));
      tx.client_order_index = i64(f, "ClientOrderIndex");
      tx.base_amount = i64(f, "BaseAmount");
      tx.price = static_cast<std::uint32_t>(i64(f, "Price"));
      tx.is_ask = static_cast<std::uint8_t>(i64(f, "IsAsk"));
      tx.type = static_cast<std::uint8_t>(i64(f, "Type"));
      tx.time_in_force = static_cast<std::uint8_t>(i64(f, "TimeInForce"));
      tx.reduce_only = static_cast<std::uint8_t>(i64(f, "ReduceOnly"));
      tx.trigger_price = static_cast<std::uint32_t>(i64(f, "TriggerPrice"));
      tx.order_expiry = i64(f, "OrderExpiry");
      tx.attributes = c.attrs;
      EXPECT_FALSE(check(c.env, tx).has_value());
      n = tx_elements(c.env, tx, el);
      EXPECT_EQ(message_hash(c.env, tx), message_hash(std::span<const std::uint64_t>(el, n), c.attrs));
      len = write_tx_info(c.env, tx, sig, TxInfoLayout::kCurrent, buf);
      break;
    }
    case 15: {
      CancelOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(i64(f, "MarketIndex"));
      tx.index = i64(f, "Index");
      tx.attributes = c.attrs;
      EXPECT_FALSE(check(c.env, tx).has_value());
      n = tx_elements(c.env, tx, el);
      EXPECT_EQ(message_hash(c.env, tx), message_hash(std::span<const std::uint64_t>(el, n), c.attrs));
      len = write_tx_info(c.env, tx, sig, TxInfoLayout::kCurrent, buf);
      break;
    }
    case 16: {
      CancelAllOrdersTx tx;
      tx.time_in_force = static_cast<std::uint8_t>(i64(f, "TimeInForce"));
      tx.time = i64(f, "Time");
      tx.attributes = c.attrs;
      EXPECT_FALSE(check(c.env, tx).has_value());
      n = tx_elements(c.env, tx, el);
      EXPECT_EQ(message_hash(c.env, tx), message_hash(std::span<const std::uint64_t>(el, n), c.attrs));
      len = write_tx_info(c.env, tx, sig, TxInfoLayout::kCurrent, buf);
      break;
    }
    case 17: {
      ModifyOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(i64(f, "MarketIndex"));
      tx.index = i64(f, "Index");
      tx.base_amount = i64(f, "BaseAmount");
      tx.price = static_cast<std::uint32_t>(i64(f, "Price"));
      tx.trigger_price = static_cast<std::uint32_t>(i64(f, "TriggerPrice"));
      tx.attributes = c.attrs;
      EXPECT_FALSE(check(c.env, tx).has_value());
      n = tx_elements(c.env, tx, el);
      EXPECT_EQ(message_hash(c.env, tx), message_hash(std::span<const std::uint64_t>(el, n), c.attrs));
      len = write_tx_info(c.env, tx, sig, TxInfoLayout::kCurrent, buf);
      break;
    }
    default:
      ADD_FAILURE() << "unexpected tx_type";
  }
  c.elements.assign(el, el + n);
  c.tx_info.assign(buf.data(), len);
  return c;
}

TEST(LighterTxKats, KeysDerivePublishedPublicKeys) {
  TxKats k;
  int n = 0;
  for (auto key : k.root["keys"].get_array()) {
    auto sk = PrivateKey::from_hex(str(key["private_key"]));
    ASSERT_TRUE(sk.has_value());
    EXPECT_EQ(big_of(sk->scalar().v), cpp_int(str(key["sk_decimal"])));
    EXPECT_EQ(hex(sk->public_key()), str(key["public_key"]));
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST(LighterTxKats, EveryTransactionVector) {
  TxKats k;
  int n = 0;
  for (auto v : k.root["txs"].get_array()) {
    const std::string name(str(v["name"]));
    SCOPED_TRACE(name);
    auto key = PrivateKey::from_hex(k.private_key(str(v["key"])));
    ASSERT_TRUE(key.has_value());
    // The signature first (fixed k), then the tx_info written around it.
    const Scalar kk = scalar_dec(str(v["k"]));
    Signature zero{};
    Case probe = build(v, zero);
    EXPECT_EQ(probe.elements, u64s(v["message_elements"]));
    const Fp5 base = hash_to_fp5(probe.elements);
    EXPECT_EQ(hex_fp5(base), str(v["base_hash"]));
    simdjson::dom::element attr_el;
    if (v["attributes_elements"].get(attr_el) == simdjson::SUCCESS) {
      std::uint64_t ae[8];
      ASSERT_GT(attribute_elements(probe.attrs, ae), 0U);
      EXPECT_EQ(std::vector<std::uint64_t>(ae, ae + 8), u64s(attr_el));
      EXPECT_EQ(hex_fp5(hash_to_fp5(ae)), str(v["attributes_hash"]));
    } else {
      std::uint64_t ae[8];
      EXPECT_EQ(attribute_elements(probe.attrs, ae), 0U);
    }
    const Fp5 m = message_hash(probe.elements, probe.attrs);
    EXPECT_EQ(hex_fp5(m), str(v["message_hash"]));
    EXPECT_EQ(hex_fp5(encode(mul_generator(kk))), str(v["r_encoding"]));
    const Signature sig = schnorr_sign_with_fixed_nonce_for_tests(key->scalar(), m, kk);
    EXPECT_EQ(hex(sig), str(v["sig"]));
    EXPECT_TRUE(schnorr_verify(key->public_key(), m, sig));
    const Case c = build(v, sig);
    EXPECT_EQ(c.tx_info, str(v["tx_info"]));
    ++n;
  }
  EXPECT_EQ(n, 14);
}

TEST(LighterTxKats, SignerFacadeReproducesCreateOrderVector) {
  TxKats k;
  simdjson::dom::element v = k.root["txs"].at(0);
  ASSERT_EQ(str(v["name"]), "create_limit_gtt_sell");
  auto signer = Signer::create(k.private_key("alice"), SignerConfig{304, 12345, 3, TxInfoLayout::kCurrent});
  ASSERT_TRUE(signer.has_value());
  CreateOrderTx tx;
  tx.market_index = 1;
  tx.client_order_index = 77;
  tx.base_amount = 1000;
  tx.price = 3000000;
  tx.is_ask = 1;
  tx.type = 0;
  tx.time_in_force = 1;
  tx.order_expiry = 1893456000000;
  SignedTx out;
  ASSERT_FALSE(
      signer->sign_create_order_with_fixed_nonce_for_tests(tx, 42, 1893455400000, scalar_dec(str(v["k"])), out));
  EXPECT_EQ(out.tx_type, TxType::kCreateOrder);
  EXPECT_EQ(out.tx_info(), str(v["tx_info"]));
  EXPECT_EQ(hex_fp5(out.message_hash), str(v["message_hash"]));
  EXPECT_EQ(hex(out.signature), str(v["sig"]));
}

TEST(LighterTxKats, AuthTokens) {
  TxKats k;
  int n = 0;
  for (auto v : k.root["auth_tokens"].get_array()) {
    const std::string message(str(v["message"]));
    SCOPED_TRACE(message);
    const auto c1 = message.find(':');
    const auto c2 = message.find(':', c1 + 1);
    SignerConfig cfg;
    cfg.account_index = std::stoll(message.substr(c1 + 1, c2 - c1 - 1));
    cfg.api_key_index = static_cast<std::uint8_t>(std::stoi(message.substr(c2 + 1)));
    const std::int64_t deadline = std::stoll(message.substr(0, c1));
    auto signer = Signer::create(k.private_key(str(v["key"])), cfg);
    ASSERT_TRUE(signer.has_value());
    std::uint64_t el[8];
    const std::size_t words = auth_message_elements(message, el);
    EXPECT_EQ(std::vector<std::uint64_t>(el, el + words), u64s(v["message_elements"]));
    AuthToken tok;
    ASSERT_FALSE(signer->auth_token_with_fixed_nonce_for_tests(deadline, scalar_dec(str(v["k"])), tok));
    EXPECT_EQ(hex_fp5(tok.message_hash), str(v["message_hash"]));
    EXPECT_EQ(tok.str(), str(v["token"]));
    ++n;
  }
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace bparb::lighter
