// [venues.lighter]: the documented example equals the defaults, every key is range-checked with file,
// key, value and allowed range, the private key is refused with where it belongs, and check-config
// says honestly what reads the section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app_test_util.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/lighter_node.hpp"
#include "bparb/venue/lighter/keys.hpp"

namespace bparb::app {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

const std::string kLighterSrc = BPARB_SOURCE_DIR;
const std::string kLighterPaper = "[exchange]\nmode = \"paper\"\n";

std::vector<std::string> lighter_errors_of(const std::string& text) {
  try {
    (void)parse_config_string(text, "test.toml");
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  }
}

bool any_contains(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
  for (const auto& l : lines) {
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  }
  return false;
}

// The commented-out [venues.lighter] example of config/bparb.toml, uncommented.
std::string reference_lighter_section() {
  const std::string file = testing::read_file(kLighterSrc + "/config/bparb.toml");
  const std::size_t at = file.find("# [venues.lighter]\n");
  EXPECT_NE(at, std::string::npos);
  std::string out;
  std::size_t pos = at;
  while (pos < file.size()) {
    std::size_t end = file.find('\n', pos);
    if (end == std::string::npos) end = file.size();
    std::string line = file.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# # ", 0) == 0) continue;  // a comment inside the example
    if (line.rfind("# ", 0) != 0) break;
    out += line.substr(2) + "\n";
  }
  return out;
}

TEST(LighterConfig, AbsentUnlessConfiguredAndTheDocumentedExampleIsTheDefaults) {
  EXPECT_FALSE(parse_config_string(kLighterPaper, "test.toml").venues.lighter.has_value());
  EXPECT_FALSE(load_config(kLighterSrc + "/config/bparb.toml").venues.lighter.has_value());

  const std::string section = reference_lighter_section();
  ASSERT_THAT(section, HasSubstr("dead_man_abort_on_stop"));
  const Config c = parse_config_string(kLighterPaper + section, "test.toml");
  ASSERT_TRUE(c.venues.lighter.has_value());
  const LighterVenueConfig& l = *c.venues.lighter;
  const LighterVenueConfig d;
  EXPECT_EQ(l.rest_url, d.rest_url);
  EXPECT_EQ(l.ws_url, d.ws_url);
  EXPECT_EQ(l.chain_id, d.chain_id);
  EXPECT_EQ(l.account_index, 123456);
  EXPECT_EQ(l.api_key_index, 4);
  EXPECT_EQ(l.account_tier, d.account_tier);
  EXPECT_EQ(l.dead_man_switch, d.dead_man_switch);
  EXPECT_EQ(l.dead_man_window_us, d.dead_man_window_us);
  EXPECT_EQ(l.dead_man_refresh_us, d.dead_man_refresh_us);
  EXPECT_EQ(l.dead_man_abort_on_stop, d.dead_man_abort_on_stop);
  EXPECT_TRUE(l.markets.empty());
  // One remark only: without markets the daemon does not connect to Lighter.
  std::size_t remarks = 0;
  for (const auto& w : c.warnings) {
    if (w.find("venues.lighter") != std::string::npos) {
      ++remarks;
      EXPECT_NE(w.find("no markets listed, so the daemon does not connect to Lighter"), std::string::npos) << w;
    }
  }
  EXPECT_EQ(remarks, 1u);
}

TEST(LighterConfig, MarketsAreReadInOrderAndTheRemarkSaysWhatTheDaemonDoes) {
  const Config c = parse_config_string(
      kLighterPaper +
          "[venues.lighter]\naccount_index = 1\napi_key_index = 4\nmarkets = [\"SOL\", \"BTC\", \"ETH/USDC\"]\n",
      "test.toml");
  ASSERT_TRUE(c.venues.lighter.has_value());
  EXPECT_EQ(c.venues.lighter->markets, (std::vector<std::string>{"SOL", "BTC", "ETH/USDC"}));
  std::size_t remarks = 0;
  for (const auto& w : c.warnings) {
    if (w.find("venues.lighter") == std::string::npos) continue;
    ++remarks;
    EXPECT_NE(w.find("the daemon hosts 3 Lighter market(s) and routes orders on them to Lighter; only [strategy] kind "
                     "= \"cross_venue\" opens positions there"),
              std::string::npos)
        << w;
  }
  EXPECT_EQ(remarks, 1u);
}

TEST(LighterConfig, BadMarketsAreNamedWithTheAllowedForm) {
  const auto markets_error = [](const std::string& markets) {
    try {
      (void)parse_config_string(
          kLighterPaper + "[venues.lighter]\naccount_index = 1\napi_key_index = 4\nmarkets = " + markets + "\n",
          "test.toml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_THAT(markets_error("\"SOL\""), HasSubstr("venues.lighter.markets: wrong type"));
  EXPECT_THAT(markets_error("[\"sol\"]"),
              HasSubstr("venues.lighter.markets[0]: \"sol\" is not a Lighter market symbol"));
  EXPECT_THAT(markets_error("[\"SOL\", 3]"), HasSubstr("venues.lighter.markets[1]: wrong type"));
  EXPECT_THAT(markets_error("[\"SOL\", \"SOL\"]"), HasSubstr("venues.lighter.markets[1]: \"SOL\" is listed twice"));
}

TEST(LighterConfig, ValuesAreReadAndConverted) {
  const Config c = parse_config_string(kLighterPaper +
                                           "[venues.lighter]\nrest_url = \"http://127.0.0.1:9000\"\n"
                                           "ws_url = \"ws://127.0.0.1:9000/stream\"\nchain_id = 300\n"
                                           "account_index = 140737488355328\napi_key_index = 254\n"
                                           "account_tier = \"premium\"\ndead_man_switch = false\n"
                                           "dead_man_window_seconds = 900\ndead_man_refresh_seconds = 300\n"
                                           "dead_man_abort_on_stop = false\n",
                                       "test.toml");
  const LighterVenueConfig& l = *c.venues.lighter;
  EXPECT_EQ(l.rest_url, "http://127.0.0.1:9000");
  EXPECT_EQ(l.chain_id, 300u);
  EXPECT_EQ(l.account_index, std::int64_t{1} << 47);
  EXPECT_EQ(l.api_key_index, 254);
  EXPECT_EQ(l.account_tier, LighterTier::kPremium);
  EXPECT_FALSE(l.dead_man_switch);
  EXPECT_EQ(l.dead_man_window_us, 900 * kUsPerSecond);
  EXPECT_EQ(l.dead_man_refresh_us, 300 * kUsPerSecond);
  EXPECT_FALSE(l.dead_man_abort_on_stop);
}

TEST(LighterConfig, EveryBadValueNamesFileKeyValueAndRange) {
  const auto e = lighter_errors_of(kLighterPaper +
                                   "[venues.lighter]\nrest_url = \"http://venue.example\"\nchain_id = 301\n"
                                   "account_index = -1\napi_key_index = 255\naccount_tier = \"gold\"\n"
                                   "dead_man_window_seconds = 120\ndead_man_refresh_seconds = 0\nfoo = 1\n");
  EXPECT_TRUE(any_contains(e, "test.toml:4:", "venues.lighter.rest_url"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.rest_url", "unencrypted"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.chain_id: 301 is not allowed", "304 (mainnet) or 300 (testnet)"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.account_index: -1 is out of range", "0 to 281474976710654"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.api_key_index: 255 is out of range", "0 to 254"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.account_tier: \"gold\"", "\"standard\", \"premium\""));
  EXPECT_TRUE(any_contains(e, "venues.lighter.dead_man_window_seconds", ">= 360 and <= 86400"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.dead_man_refresh_seconds", ">= 5"));
  EXPECT_TRUE(any_contains(e, "venues.lighter.foo: unknown key"));

  const auto missing = lighter_errors_of(kLighterPaper + "[venues.lighter]\n");
  EXPECT_TRUE(any_contains(missing, "venues.lighter.account_index: missing required key"));
  EXPECT_TRUE(any_contains(missing, "venues.lighter.api_key_index: missing required key"));

  const auto tight = lighter_errors_of(kLighterPaper +
                                       "[venues.lighter]\naccount_index = 1\napi_key_index = 4\n"
                                       "dead_man_window_seconds = 600\ndead_man_refresh_seconds = 300\n");
  EXPECT_TRUE(any_contains(tight, "dead_man_refresh_seconds: 300 does not fit three times", "600"));

  EXPECT_TRUE(
      any_contains(lighter_errors_of(kLighterPaper + "[venues.binance]\nx = 1\n"), "venues.binance: unknown key"));
}

TEST(LighterConfig, APrivateKeyInTheFileIsRefusedAndNotEchoed) {
  const std::string key(80, 'a');
  const auto e = lighter_errors_of(
      kLighterPaper + "[venues.lighter]\naccount_index = 1\napi_key_index = 4\nprivate_key = \"" + key + "\"\n");
  ASSERT_TRUE(any_contains(e, "venues.lighter.private_key", "LIGHTER_API_PRIVATE_KEY"));
  for (const auto& l : e) EXPECT_EQ(l.find(key), std::string::npos);
  // A slot index is not key material.
  EXPECT_TRUE(lighter_errors_of(kLighterPaper + "[venues.lighter]\naccount_index = 1\napi_key_index = 4\n").empty());
}

TEST(LighterConfig, APoolOfApiKeysIsReadInOrderAndEachKeyComesFromItsOwnVariable) {
  Config c = parse_config_string(
      kLighterPaper + "[venues.lighter]\naccount_index = 1\napi_key_indexes = [5, 4, 9]\nmarkets = [\"SOL\"]\n",
      "test.toml");
  ASSERT_TRUE(c.venues.lighter.has_value());
  EXPECT_EQ(c.venues.lighter->api_key_indexes, (std::vector<std::int64_t>{5, 4, 9}));
  EXPECT_EQ(c.venues.lighter->api_key_index, 5);  // the first: it also signs the auth tokens
  EXPECT_EQ(lighter_key_slots(c), (std::vector<std::uint8_t>{5, 4, 9}));

  const std::string head = kLighterPaper + "[venues.lighter]\naccount_index = 1\n";
  EXPECT_TRUE(any_contains(lighter_errors_of(head + "api_key_index = 4\napi_key_indexes = [5, 6]\n"),
                           "venues.lighter.api_key_index: given with api_key_indexes", "allowed: one of them"));
  EXPECT_TRUE(any_contains(lighter_errors_of(head + "api_key_indexes = []\n"),
                           "venues.lighter.api_key_indexes: 0 slots", "1 to 16 distinct API key slots from 0 to 254"));
  EXPECT_TRUE(any_contains(lighter_errors_of(head + "api_key_indexes = [4, 255]\n"),
                           "venues.lighter.api_key_indexes[1]: 255 is out of range"));
  EXPECT_TRUE(
      any_contains(lighter_errors_of(head + "api_key_indexes = [4, 5, 4]\n"), "api_key_indexes[2]: 4 is listed twice"));
  EXPECT_TRUE(any_contains(lighter_errors_of(head + "api_key_indexes = 4\n"), "api_key_indexes: wrong type"));
  EXPECT_TRUE(any_contains(lighter_errors_of(head + "api_key_indexes = [" +
                                             [] {
                                               std::string l;
                                               for (int i = 4; i < 21; ++i)
                                                 l += (i > 4 ? ", " : "") + std::to_string(i);
                                               return l;
                                             }() +
                                             "]\n"),
                           "api_key_indexes: 17 slots"));
  EXPECT_THAT(parse_config_string(head + "api_key_indexes = [2, 5]\n", "test.toml").warnings,
              Contains(HasSubstr("venues.lighter.api_key_indexes: 2 is a slot")));

  // Live mode reads LIGHTER_API_PRIVATE_KEY_<slot> for each slot (here from the .env file), each signer for
  // its own slot of the account.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bparb_lighter_pool_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> pubs;
  {
    std::ofstream env(dir / ".env");
    for (const int slot : {5, 4}) {
      std::array<char, 80> hex{};
      const lighter::PrivateKey k = lighter::PrivateKey::generate();
      k.to_hex(hex);
      env << "LIGHTER_API_PRIVATE_KEY_" << slot << "=" << std::string(hex.data(), hex.size()) << "\n";
      std::array<char, 80> pub{};
      lighter::Signer::create(std::string_view(hex.data(), hex.size()), {})->public_key_hex(pub);
      pubs.emplace_back(pub.data(), pub.size());
    }
  }
  c.exchange.env_file = (dir / ".env").string();
  c.venues.lighter->api_key_indexes = {5, 4};
  std::string from;
  const std::vector<lighter::Signer> keys = load_lighter_keys(c, from);
  ASSERT_EQ(keys.size(), 2u);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(keys[i].config().account_index, 1);
    EXPECT_EQ(keys[i].config().api_key_index, i == 0 ? 5 : 4);
    std::array<char, 80> pub{};
    keys[i].public_key_hex(pub);
    EXPECT_EQ(std::string(pub.data(), pub.size()), pubs[i]);
  }
  EXPECT_EQ(from, c.exchange.env_file);
  // A slot without its variable stops the start, naming the variable (never a key).
  c.venues.lighter->api_key_indexes = {5, 4, 9};
  try {
    (void)load_lighter_keys(c, from);
    ADD_FAILURE() << "slot 9 has no key";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("API key slot 9 is unusable"));
    EXPECT_THAT(e.what(), HasSubstr("has no LIGHTER_API_PRIVATE_KEY_9 line"));
  }
  std::filesystem::remove_all(dir);
}

TEST(LighterConfig, LowKeySlotsDrawAWarning) {
  const Config c =
      parse_config_string(kLighterPaper + "[venues.lighter]\naccount_index = 1\napi_key_index = 0\n", "test.toml");
  EXPECT_THAT(c.warnings, Contains(HasSubstr("venues.lighter.api_key_index 0")));
}

TEST(LighterConfig, CheckConfigSaysWhatReadsTheSection) {
  testing::ScratchDir dir;
  const std::string cfg = dir.file("bparb.toml");
  testing::write_file(cfg, "[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + kLighterSrc +
                               "/config/sim.toml\"\n[venues.lighter]\naccount_index = 7\napi_key_index = 5\n");
  const testing::CliResult r = testing::run_cli_captured({"check-config", cfg});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("venues.lighter: account 7, api key 5, chain 304"));
  EXPECT_THAT(r.out, HasSubstr("used by 'bparb lighter check' and 'bparb record' only"));
}

// Sets an environment variable for one scope, then restores what was there.
struct EnvVar {
  std::string name;
  std::optional<std::string> before;
  EnvVar(const char* n, const std::string& v) : name(n) {
    if (const char* b = ::getenv(n)) before = b;
    ::setenv(n, v.c_str(), 1);
  }
  ~EnvVar() {
    if (before) {
      ::setenv(name.c_str(), before->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

TEST(LighterConfig, CheckConfigSecretsChecksTheLighterKeyOffline) {
  testing::ScratchDir dir;
  const std::string cfg = dir.file("bparb.toml");
  testing::write_file(cfg, "[exchange]\nmode = \"live\"\nenv_file = \"" + dir.file("absent.env") +
                               "\"\n[venues.lighter]\naccount_index = 7\napi_key_index = 5\n");
  EnvVar bp("BACKPACK_PRIVATE_KEY", testing::kSeed32);
  const lighter::PrivateKey key = lighter::PrivateKey::generate();
  std::array<char, 80> hex{};
  key.to_hex(hex);
  std::array<char, 80> pub{};
  lighter::to_hex(key.public_key(), pub);
  {
    EnvVar lk("LIGHTER_API_PRIVATE_KEY", std::string(hex.data(), hex.size()));
    const testing::CliResult r = testing::run_cli_captured({"check-config", cfg, "--secrets"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("lighter key OK: public key " + std::string(pub.data(), pub.size()) +
                                 " (LIGHTER_API_PRIVATE_KEY from the environment)"));
    EXPECT_EQ((r.out + r.err).find(std::string(hex.data(), hex.size())), std::string::npos);
  }
  EnvVar unset_later("LIGHTER_API_PRIVATE_KEY", "");
  ::unsetenv("LIGHTER_API_PRIVATE_KEY");
  const testing::CliResult r = testing::run_cli_captured({"check-config", cfg, "--secrets"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("lighter key INVALID: LIGHTER_API_PRIVATE_KEY is not set"));

  // A pool: each slot's own variable is checked.
  testing::write_file(cfg, "[exchange]\nmode = \"live\"\nenv_file = \"" + dir.file("absent.env") +
                               "\"\n[venues.lighter]\naccount_index = 7\napi_key_indexes = [5, 6]\n");
  {
    EnvVar k5("LIGHTER_API_PRIVATE_KEY_5", std::string(hex.data(), hex.size()));
    const testing::CliResult p1 = testing::run_cli_captured({"check-config", cfg, "--secrets"});
    EXPECT_EQ(p1.code, 2);
    EXPECT_THAT(p1.out, HasSubstr("lighter key OK: public key " + std::string(pub.data(), pub.size()) +
                                  " (LIGHTER_API_PRIVATE_KEY_5 from the environment)"));
    EXPECT_THAT(p1.err, HasSubstr("lighter key INVALID: LIGHTER_API_PRIVATE_KEY_6 is not set"));
    EnvVar k6("LIGHTER_API_PRIVATE_KEY_6", std::string(hex.data(), hex.size()));
    EXPECT_EQ(testing::run_cli_captured({"check-config", cfg, "--secrets"}).code, 0);
  }
}

}  // namespace
}  // namespace bparb::app
