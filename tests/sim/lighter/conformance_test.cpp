// Conformance: an independent client drives the simulated Lighter. lighter_ts_client.mjs runs the npm
// lighter-ts-sdk's SignerClient (its REST calls and the official Lighter signer compiled to WebAssembly)
// against a LighterServer on loopback: the official signatures must verify here, the order must rest
// and then be cancelled. The packages come from tests/venue/lighter/witness (npm ci there); without
// them, or without node, the test skips.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "bparb/sim/lighter/server.hpp"
#include "sim_lighter_test_util.hpp"

namespace bparb::sim::lighter::testing {
namespace {

const std::string kModules = std::string(BPARB_SOURCE_DIR) + "/tests/venue/lighter/witness/node_modules";
const std::string kScript = std::string(BPARB_SOURCE_DIR) + "/tests/sim/lighter/lighter_ts_client.mjs";

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

TEST(LighterConformance, OfficialSignerClientCreatesAndCancelsAnOrder) {
  if (!std::filesystem::exists(kModules + "/lighter-ts-sdk/wasm/lighter-signer.wasm")) {
    GTEST_SKIP() << "lighter-ts-sdk not installed: run `npm ci` in tests/venue/lighter/witness";
  }
  int status = 0;
  (void)run("node --version > /dev/null 2>&1", status);
  if (status != 0) GTEST_SKIP() << "node not found";

  Fixture f;
  // The official signer stamps ExpiredAt and the token deadline from the real time.
  f.clock.set_us(SystemClock().now_us());
  std::array<char, 80> key_hex{};
  f.alice_key.to_hex(key_hex);
  boost::asio::io_context io;
  LighterServer server(io, *f.ex, f.clock, f.rules);
  server.start();
  std::thread runner([&] { io.run(); });

  std::ostringstream cmd;
  cmd << "node '" << kScript << "' --url " << server.http_url() << " --key "
      << std::string(key_hex.data(), key_hex.size()) << " --account " << kAlice << " --api-key "
      << static_cast<int>(kKey) << " --node-modules '" << kModules
      << "' --client-order-index 4242 --base-amount 12500 --price 199950 2>/dev/null";
  const std::string out = run(cmd.str(), status);
  boost::asio::post(io, [&] { server.stop(); });
  runner.join();
  ASSERT_EQ(status, 0) << out;

  simdjson::dom::parser parser;
  std::istringstream lines(out);
  std::string line;
  int steps = 0;
  while (std::getline(lines, line)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    const std::string_view step = e["step"].get_string().value();
    if (step == "create") {
      EXPECT_EQ(e["tx_hash"].get_string().value().size(), 80u) << line;
      EXPECT_EQ(e["nonce"].get_int64().value(), 0) << line;
      ++steps;
    } else if (step == "active") {
      EXPECT_EQ(e["http"].get_int64().value(), 200) << line;
      EXPECT_EQ(e["count"].get_int64().value(), 1) << line;
      EXPECT_EQ(e["client_order_index"].get_int64().value(), 4242) << line;
      EXPECT_EQ(e["remaining"].get_string().value(), "1.2500") << line;
      EXPECT_EQ(e["price"].get_string().value(), "1999.50") << line;
      ++steps;
    } else if (step == "cancel") {
      EXPECT_EQ(e["tx_hash"].get_string().value().size(), 80u) << line;
      EXPECT_EQ(e["nonce"].get_int64().value(), 1) << line;
      ++steps;
    } else if (step == "after_cancel") {
      EXPECT_EQ(e["count"].get_int64().value(), 0) << line;
      ++steps;
    }
  }
  EXPECT_EQ(steps, 4) << out;
  // The server's own state (its thread has finished): both transactions consumed their nonce, and
  // the order is in the account's history as cancelled.
  LighterApi& api = server.api();
  EXPECT_EQ(api.next_nonce(kAlice, kKey), 2);
  EXPECT_TRUE(f.ex->open_orders(0).empty());
  OrderHistoryQuery q;
  const auto history = f.ex->order_history(0, q);
  ASSERT_EQ(history.items.size(), 1u);
  EXPECT_EQ(history.items[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(history.items[0].quantity, D("1.25"));
}

}  // namespace
}  // namespace bparb::sim::lighter::testing
