// `bparb lighter check` against the simulated Lighter on loopback (its own thread): the matching key,
// another key, an empty slot, an unreachable venue and a config without the section, each with its
// documented exit code.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <sstream>
#include <thread>

#include "../sim/lighter/sim_lighter_test_util.hpp"
#include "app_test_util.hpp"
#include "bparb/app/lighter_command.hpp"
#include "bparb/sim/lighter/server.hpp"

namespace bparb::app {
namespace {

using sim::lighter::testing::Fixture;

// The simulated Lighter serving from a background thread while the command runs on the test thread.
struct SimLighter {
  Fixture f;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<sim::lighter::LighterServer> server;
  std::thread thread;

  // more_alice_keys: further API key slots registered for the first account (1001) besides slot 4.
  explicit SimLighter(const std::vector<sim::lighter::LighterApiKeyRules>& more_alice_keys = {}) {
    for (const auto& k : more_alice_keys) f.rules.accounts.front().api_keys.push_back(k);
    server = std::make_unique<sim::lighter::LighterServer>(io, *f.ex, f.clock, f.rules);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~SimLighter() {
    boost::asio::post(io, [this] {
      server->stop();
      work.reset();
    });
    thread.join();
  }
};

std::string key_hex(const lighter::PrivateKey& k) {
  std::array<char, 80> h{};
  k.to_hex(h);
  return std::string(h.data(), h.size());
}

LighterKeySource key_source(const std::string& hex) {
  LighterKeySource s;
  s.env_file = "";
  s.getenv = [hex](std::string_view name) -> std::optional<std::string> {
    if (name == kLighterPrivateKeyVar) return hex;
    return std::nullopt;
  };
  return s;
}

struct CheckRun {
  int code;
  std::string out, err;
};

CheckRun check(const std::string& config, const LighterKeySource& src) {
  std::istringstream in;
  std::ostringstream out, err;
  const std::vector<std::string> args{"check", "--config", config};
  const int code = run_lighter_command(args, in, out, err, src);
  return {code, out.str(), err.str()};
}

std::string config_text(const std::string& rest_url, int api_key_index) {
  return "[exchange]\nmode = \"paper\"\n[venues.lighter]\nrest_url = \"" + rest_url +
         "\"\naccount_index = 1001\napi_key_index = " + std::to_string(api_key_index) + "\n";
}

TEST(LighterCheck, TheRegisteredKeyMatches) {
  SimLighter sim;
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), config_text(sim.server->http_url(), 4));
  const CheckRun r = check(dir.file("c.toml"), key_source(key_hex(sim.f.alice_key)));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("key: MATCH"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("registered public key: " + Fixture::hex(sim.f.alice_key)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("next nonce: 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("account: status 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lighter check OK"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(key_hex(sim.f.alice_key)), std::string::npos) << "the private key is never printed";
}

TEST(LighterCheck, AnotherKeyOrAnEmptySlotIsAMismatch) {
  SimLighter sim;
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), config_text(sim.server->http_url(), 4));
  CheckRun r = check(dir.file("c.toml"), key_source(key_hex(sim.f.bob_key)));
  EXPECT_EQ(r.code, kLighterCheckKeyMismatch) << r.out << r.err;
  EXPECT_NE(r.out.find("key: MISMATCH"), std::string::npos) << r.out;

  testing::write_file(dir.file("c.toml"), config_text(sim.server->http_url(), 5));
  r = check(dir.file("c.toml"), key_source(key_hex(sim.f.alice_key)));
  EXPECT_EQ(r.code, kLighterCheckKeyMismatch) << r.out << r.err;
  EXPECT_NE(r.out.find("slot 5 of account 1001 has no key"), std::string::npos) << r.out;
}

LighterKeySource pool_source(const std::map<std::string, std::string>& keys) {
  LighterKeySource s;
  s.env_file = "";
  s.getenv = [keys](std::string_view name) -> std::optional<std::string> {
    if (const auto it = keys.find(std::string(name)); it != keys.end()) return it->second;
    return std::nullopt;
  };
  return s;
}

std::string pool_config_text(const std::string& rest_url, const std::string& slots) {
  return "[exchange]\nmode = \"paper\"\n[venues.lighter]\nrest_url = \"" + rest_url +
         "\"\naccount_index = 1001\napi_key_indexes = [" + slots + "]\n";
}

// Every slot of a pool is compared with the venue's key for it, one line per slot with its own nonce.
TEST(LighterCheck, EveryPoolSlotIsChecked) {
  const lighter::PrivateKey carol = lighter::PrivateKey::generate();
  SimLighter sim({{6, Fixture::hex(carol)}});
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), pool_config_text(sim.server->http_url(), "4, 6"));
  const std::string alice = key_hex(sim.f.alice_key);
  CheckRun r =
      check(dir.file("c.toml"),
            pool_source({{"LIGHTER_API_PRIVATE_KEY_4", alice}, {"LIGHTER_API_PRIVATE_KEY_6", key_hex(carol)}}));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("api key pool of 2 slots"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  slot 4: key: MATCH, registered public key: " + Fixture::hex(sim.f.alice_key)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  slot 6: key: MATCH, registered public key: " + Fixture::hex(carol)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(LIGHTER_API_PRIVATE_KEY_6 from "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lighter check OK"), std::string::npos) << r.out;

  // The second slot's key is wrong: the first still matches, the check fails on the second.
  r = check(dir.file("c.toml"),
            pool_source({{"LIGHTER_API_PRIVATE_KEY_4", alice}, {"LIGHTER_API_PRIVATE_KEY_6", alice}}));
  EXPECT_EQ(r.code, kLighterCheckKeyMismatch) << r.out << r.err;
  EXPECT_NE(r.out.find("  slot 4: key: MATCH"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  slot 6: key: MISMATCH: LIGHTER_API_PRIVATE_KEY_6 is not the key registered in slot 6"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(alice), std::string::npos) << "the private key is never printed";

  // A slot the venue holds no key for, and a slot whose variable is missing.
  testing::write_file(dir.file("c.toml"), pool_config_text(sim.server->http_url(), "4, 7"));
  r = check(dir.file("c.toml"),
            pool_source({{"LIGHTER_API_PRIVATE_KEY_4", alice}, {"LIGHTER_API_PRIVATE_KEY_7", alice}}));
  EXPECT_EQ(r.code, kLighterCheckKeyMismatch) << r.out << r.err;
  EXPECT_NE(r.out.find("  slot 7: registered public key: none: slot 7 of account 1001 has no key"), std::string::npos)
      << r.out;
  r = check(dir.file("c.toml"), pool_source({{"LIGHTER_API_PRIVATE_KEY_4", alice}}));
  EXPECT_EQ(r.code, kLighterCheckConfigError) << r.out << r.err;
  EXPECT_NE(r.out.find("  slot 4: key: MATCH"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  slot 7: bparb lighter: LIGHTER_API_PRIVATE_KEY_7 is not set"), std::string::npos) << r.out;
}

TEST(LighterCheck, UnreachableVenueAndConfigErrors) {
  std::string url;
  {
    SimLighter sim;
    url = sim.server->http_url();
  }  // stopped: nothing listens on its port any more
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), config_text(url, 4));
  const std::string key = key_hex(lighter::PrivateKey::generate());
  CheckRun r = check(dir.file("c.toml"), key_source(key));
  EXPECT_EQ(r.code, kLighterCheckUnreachable) << r.out << r.err;

  testing::write_file(dir.file("none.toml"), "[exchange]\nmode = \"paper\"\n");
  r = check(dir.file("none.toml"), key_source(key));
  EXPECT_EQ(r.code, kLighterCheckConfigError);
  EXPECT_NE(r.err.find("has no [venues.lighter] section"), std::string::npos) << r.err;

  r = check(dir.file("c.toml"), key_source(""));
  EXPECT_EQ(r.code, kLighterCheckConfigError);
  EXPECT_NE(r.err.find("LIGHTER_API_PRIVATE_KEY is not set"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bparb::app
