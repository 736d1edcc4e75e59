// `bparb lighter sign|pubkey`: a key generated here (never a real one), requests on an input stream,
// every output line parsed and its signature verified; bad requests give {"error":...} lines and exit 1.
#include "bparb/app/lighter_command.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sodium.h>

#include <sstream>

#include "app_test_util.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {
namespace {

namespace lt = bparb::lighter;

struct LighterRun {
  int code;
  std::string out, err;
};

LighterRun run_lighter(const std::vector<std::string>& args, const std::string& input, const LighterKeySource& src) {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = run_lighter_command(args, in, out, err, src);
  return {code, out.str(), err.str()};
}

struct TestKey {
  std::string hex;
  std::string public_hex;
  TestKey() {
    EXPECT_GE(sodium_init(), 0);
    const lt::PrivateKey key = lt::PrivateKey::generate();
    std::array<char, 80> h{};
    key.to_hex(h);
    hex.assign(h.data(), h.size());
    const auto pk = key.public_key();
    std::array<char, 80> p{};
    lt::to_hex(pk, p);
    public_hex.assign(p.data(), p.size());
  }
};

LighterKeySource no_env(const std::string& env_file) {
  LighterKeySource s;
  s.env_file = env_file;
  s.getenv = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

TEST(LighterCommand, PubkeyFromEnvFileAndFromEnvironment) {
  testing::ScratchDir dir;
  const TestKey key;
  testing::write_file(dir.file(".env"), "BACKPACK_PRIVATE_KEY=x\nLIGHTER_API_PRIVATE_KEY=0x" + key.hex + "\n");
  LighterRun r = run_lighter({"pubkey"}, "", no_env(dir.file(".env")));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, key.public_hex + "\n");

  LighterKeySource env;
  env.env_file = dir.file("missing.env");
  env.getenv = [&](std::string_view name) -> std::optional<std::string> {
    if (name == kLighterPrivateKeyVar) return key.hex;
    return std::nullopt;
  };
  r = run_lighter({"pubkey"}, "", env);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, key.public_hex + "\n");
}

TEST(LighterCommand, MissingOrInvalidKeyExitsTwoWithoutEchoingIt) {
  testing::ScratchDir dir;
  LighterRun r = run_lighter({"pubkey"}, "", no_env(dir.file("none.env")));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("LIGHTER_API_PRIVATE_KEY"), std::string::npos) << r.err;
  const std::string bad(80, 'f');  // above the group order
  testing::write_file(dir.file(".env"), "LIGHTER_API_PRIVATE_KEY=" + bad + "\n");
  r = run_lighter({"pubkey"}, "", no_env(dir.file(".env")));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.find(bad), std::string::npos);
  EXPECT_NE(r.err.find("group order"), std::string::npos) << r.err;
  r = run_lighter({"frobnicate"}, "", no_env(dir.file(".env")));
  EXPECT_EQ(r.code, 2);
}

TEST(LighterCommand, SignsEveryKindAndReportsBadRequests) {
  testing::ScratchDir dir;
  const TestKey key;
  testing::write_file(dir.file("k.env"), "LIGHTER_API_PRIVATE_KEY=" + key.hex + "\n");
  const std::string input =
      R"({"kind":"create_order","account_index":12345,"api_key_index":3,"chain_id":304,"market_index":1,"client_order_index":77,"base_amount":1000,"price":3000000,"is_ask":1,"order_type":0,"time_in_force":1,"reduce_only":0,"trigger_price":0,"order_expiry":1893456000000,"nonce":42,"expired_at":1893455400000})"
      "\n"
      R"({"kind":"cancel_order","account_index":12345,"api_key_index":3,"chain_id":300,"market_index":2048,"index":77,"nonce":43,"expired_at":1893455400000,"skip_nonce":1})"
      "\n"
      R"({"kind":"cancel_all_orders","account_index":12345,"api_key_index":3,"time_in_force":1,"time":1893459000000,"nonce":44,"expired_at":1893455400000})"
      "\n"
      R"({"kind":"modify_order","account_index":12345,"api_key_index":3,"market_index":1,"index":77,"base_amount":2000,"price":3000001,"trigger_price":0,"nonce":45})"
      "\n"
      R"({"kind":"auth_token","account_index":12345,"api_key_index":3,"deadline":1893456000})"
      "\n"
      R"({"kind":"create_order","account_index":12345,"api_key_index":3,"nonce":46})"
      "\n"
      "not json\n"
      R"({"kind":"cancel_order","private_key":")" +
      key.hex + R"(","account_index":1,"api_key_index":3,"market_index":1,"index":1,"nonce":1})" + "\n" +
      R"({"kind":"cancel_order","account_index":1,"api_key_index":255,"market_index":1,"index":1,"nonce":1})" + "\n";
  const LighterRun r = run_lighter({"sign", "--env-file", dir.file("k.env")}, input, no_env(""));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out.find(key.hex), std::string::npos) << "the private key must never be printed";
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 9U) << r.out;

  simdjson::dom::parser parser;
  const int expected_types[4] = {14, 15, 16, 17};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(lines[static_cast<std::size_t>(i)]);
    simdjson::dom::element rec = parser.parse(lines[static_cast<std::size_t>(i)]);
    EXPECT_EQ(rec["tx_type"].get_int64().value(), expected_types[i]);
    EXPECT_EQ(std::string_view(rec["public_key"].get_string().value()), key.public_hex);
    const std::string info(std::string_view(rec["tx_info"].get_string().value()));
    const std::string hash_hex(std::string_view(rec["message_hash"].get_string().value()));
    simdjson::dom::parser info_parser;
    simdjson::dom::element tx = info_parser.parse(info);
    const std::string_view b64 = tx["Sig"].get_string().value();
    std::array<std::uint8_t, 80> sig{};
    std::size_t len = 0;
    ASSERT_EQ(sodium_base642bin(sig.data(), sig.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                                sodium_base64_VARIANT_ORIGINAL),
              0);
    std::array<std::uint8_t, 40> hb{};
    ASSERT_TRUE(lt::parse_hex40(hash_hex, hb));
    lt::Fp5 m;
    ASSERT_TRUE(lt::decode(std::span<const std::uint8_t, 40>(hb), m));
    auto pk = lt::public_key_from_hex(key.public_hex);
    ASSERT_TRUE(pk.has_value());
    EXPECT_TRUE(lt::schnorr_verify(*pk, m, sig));
  }
  // The message hash is the one of the request's fields (first line: recomputed here).
  {
    simdjson::dom::element rec = parser.parse(lines[0]);
    lt::TxEnvelope env{304, 12345, 3, 42, 1893455400000};
    lt::CreateOrderTx tx;
    tx.market_index = 1;
    tx.client_order_index = 77;
    tx.base_amount = 1000;
    tx.price = 3000000;
    tx.is_ask = 1;
    tx.time_in_force = 1;
    tx.order_expiry = 1893456000000;
    std::array<std::uint8_t, 40> b{};
    lt::encode(lt::message_hash(env, tx), b);
    std::array<char, 80> h{};
    lt::to_hex(b, h);
    EXPECT_EQ(std::string_view(rec["message_hash"].get_string().value()), std::string_view(h.data(), h.size()));
  }
  EXPECT_NE(lines[1].find(R"(\"MarketIndex\":2048)"), std::string::npos);
  EXPECT_NE(lines[1].find(R"(\"L2TxAttributes\":{\"4\":1})"), std::string::npos);
  EXPECT_TRUE(lines[4].starts_with(R"({"auth_token":"1893456000:12345:3:)")) << lines[4];
  EXPECT_TRUE(lines[5].starts_with(R"({"error":"missing field market_index")")) << lines[5];
  EXPECT_TRUE(lines[6].starts_with(R"({"error":)")) << lines[6];
  EXPECT_NE(lines[7].find("private_key in a request is refused"), std::string::npos) << lines[7];
  EXPECT_NE(lines[8].find("api_key_index out of range"), std::string::npos) << lines[8];

  // Only good requests: exit 0.
  const LighterRun ok = run_lighter({"sign", "--env-file", dir.file("k.env")}, lines_of(input)[0] + "\n", no_env(""));
  EXPECT_EQ(ok.code, 0) << ok.out;
}

}  // namespace
}  // namespace bparb::app
