// `bparb doctor` against bpsim on loopback (its own thread) in live mode with the test key: everything ok, a
// key the venue does not know, a .env readable by others, a skewed venue clock (the sim's clock_skew_ms
// fault), a journal directory that cannot be written, an unreachable venue, a taken service port, an invalid
// config and paper mode's embedded bpsim, each with its documented exit status.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "../sim/lighter/sim_lighter_test_util.hpp"
#include "app_test_util.hpp"
#include "bparb/app/doctor_command.hpp"
#include "bparb/app/lighter_command.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/sim/lighter/server.hpp"

namespace bparb::app {
namespace {

using testing::ScratchDir;
using testing::write_file;

// bpsim serving the test key's account from a background thread while doctor runs on the test thread.
struct SimBackpack {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<runtime::PaperExchange> exchange;
  std::thread thread;

  explicit SimBackpack(const std::string& sim_config) {
    runtime::PaperOptions po;
    po.sim_config = sim_config;
    po.api_key = testing::kApiKey;
    po.pairs = {{"SOL", "SOL_USDC"}};
    exchange = std::make_unique<runtime::PaperExchange>(io, po);
    thread = std::thread([this] { io.run(); });
  }
  ~SimBackpack() {
    boost::asio::post(io, [this] {
      exchange->stop();
      work.reset();
      io.stop();
    });
    thread.join();
  }
};

struct DoctorRun {
  int code;
  std::string out, err;
  bool has(const std::string& line_start) const {
    return out.find("\n" + line_start) != std::string::npos || out.rfind(line_start, 0) == 0;
  }
};

// lighter_key is LIGHTER_API_PRIVATE_KEY; pool_keys maps a pool's variables (LIGHTER_API_PRIVATE_KEY_<slot>).
DoctorRun doctor(const std::string& config, bool json = false, const std::string& lighter_key = "",
                 const std::map<std::string, std::string>& pool_keys = {}) {
  DoctorOptions o;
  o.config_path = config;
  o.json = json;
  o.getenv = [lighter_key, pool_keys](std::string_view name) -> std::optional<std::string> {
    if (name == kLighterPrivateKeyVar && !lighter_key.empty()) return lighter_key;
    if (const auto it = pool_keys.find(std::string(name)); it != pool_keys.end()) return it->second;
    return std::nullopt;
  };
  std::ostringstream out, err;
  const int code = run_doctor(o, out, err);
  return {code, out.str(), err.str()};
}

class DoctorTest : public ::testing::Test {
 protected:
  ScratchDir dir;

  std::string sim_file(std::int64_t skew_ms = 0) {
    const std::string p = dir.file("sim.toml");
    write_file(p,
               "[runtime]\nstep_interval_ms = 0\n[exchange]\nmarkets = [\"SOL_USDC\", \"SOL_USDC_PERP\"]\n"
               "[faults]\nclock_skew_ms = " +
                   std::to_string(skew_ms) + "\n");
    return p;
  }
  std::string live_config(const std::string& rest_url, const std::string& extra = "", const std::string& journal = "") {
    const std::string p = dir.file("bparb.toml");
    write_file(p, "pairs = [\"SOL\"]\n[exchange]\nmode = \"live\"\nrest_url = \"" + rest_url +
                      "\"\nws_url = \"ws://127.0.0.1:1/ws\"\nenv_file = \"" + dir.file(".env") +
                      "\"\n[journal]\npath = \"" + (journal.empty() ? dir.file("j.sqlite") : journal) + "\"\n" + extra);
    return p;
  }
  void env(const char* seed, mode_t mode = 0600) {
    write_file(dir.file(".env"), std::string("BACKPACK_PRIVATE_KEY=") + seed + "\n", mode);
  }
};

TEST_F(DoctorTest, EverythingOkAgainstTheSim) {
  SimBackpack sim(sim_file());
  env(testing::kSeed32);
  const DoctorRun r = doctor(live_config(sim.exchange->http_url()));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  for (const char* c : {"ok config:", "ok keys: api key A6EHv/PO", "ok journal:", "ok service: disabled",
                        "ok venue:", "ok clock:", "ok account:", "ok markets: 2 markets of 1 pairs"})
    EXPECT_TRUE(r.has(c)) << c << "\n" << r.out;
  EXPECT_NE(r.out.find("doctor: 8 ok, 0 warn, 0 fail (exit 0)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(testing::kSeed32), std::string::npos) << "the private key is never printed";

  const DoctorRun j = doctor(dir.file("bparb.toml"), /*json=*/true);
  EXPECT_EQ(j.code, 0);
  EXPECT_NE(j.out.find("{\"status\":\"ok\",\"check\":\"account\",\"detail\":"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"ok\":8,\"warn\":0,\"fail\":0,\"exit\":0}"), std::string::npos) << j.out;
}

TEST_F(DoctorTest, AKeyTheVenueDoesNotKnowFails) {
  SimBackpack sim(sim_file());
  env("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");  // a valid seed of another account
  const DoctorRun r = doctor(live_config(sim.exchange->http_url()));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail account: the venue refused the key:")) << r.out;
  EXPECT_TRUE(r.has("ok venue:")) << r.out;
}

TEST_F(DoctorTest, EnvFileReadableByOthersWarnsAndMissingKeyFails) {
  SimBackpack sim(sim_file());
  env(testing::kSeed32, 0644);
  DoctorRun r = doctor(live_config(sim.exchange->http_url()));
  EXPECT_EQ(r.code, kDoctorWarnings) << r.out;
  EXPECT_TRUE(r.has("warn keys:")) << r.out;
  EXPECT_NE(r.out.find("chmod 600"), std::string::npos) << r.out;

  write_file(dir.file(".env"), "# nothing here\n");
  r = doctor(dir.file("bparb.toml"));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail keys:")) << r.out;
  EXPECT_TRUE(r.has("fail account: not checked: no usable key")) << r.out;
  EXPECT_TRUE(r.has("ok markets:")) << "the public checks still run\n" << r.out;
}

TEST_F(DoctorTest, ClockSkewWarnsPastHalfASecondAndFailsPastTheWindow) {
  {
    SimBackpack sim(sim_file(2'000));
    env(testing::kSeed32);
    const DoctorRun r = doctor(live_config(sim.exchange->http_url()));
    EXPECT_EQ(r.code, kDoctorWarnings) << r.out;
    EXPECT_TRUE(r.has("warn clock: venue clock minus local +")) << r.out;
    EXPECT_TRUE(r.has("ok account:")) << "the client corrects its timestamps by the measured offset\n" << r.out;
  }
  SimBackpack sim(sim_file(-10'000));
  const DoctorRun r = doctor(live_config(sim.exchange->http_url()));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail clock: venue clock minus local -")) << r.out;
}

TEST_F(DoctorTest, JournalThatCannotBeWrittenFailsAndAnExistingOneShowsItsSchema) {
  SimBackpack sim(sim_file());
  env(testing::kSeed32);
  write_file(dir.file("plain"), "a file, not a directory\n");
  DoctorRun r = doctor(live_config(sim.exchange->http_url(), "", dir.file("plain") + "/j.sqlite"));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail journal:")) << r.out;
  EXPECT_NE(r.out.find("is not a directory"), std::string::npos) << r.out;

  { journal::Journal j = journal::Journal::open(dir.file("j.sqlite")); }
  r = doctor(live_config(sim.exchange->http_url()));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(r.has("ok journal: " + dir.file("j.sqlite") + ": writable, schema version " +
                    std::to_string(journal::kSchemaVersion)))
      << r.out;
}

TEST_F(DoctorTest, UnreachableVenueFails) {
  std::string url;
  {
    SimBackpack sim(sim_file());
    url = sim.exchange->http_url();
  }  // stopped: nothing listens on its port any more
  env(testing::kSeed32);
  const DoctorRun r = doctor(live_config(url));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail venue: " + url + " unreachable")) << r.out;
  EXPECT_TRUE(r.has("fail account: not checked: the venue did not answer")) << r.out;
}

TEST_F(DoctorTest, ServicePortFreeOrTaken) {
  SimBackpack sim(sim_file());
  env(testing::kSeed32);
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = taken.local_endpoint().port();
  // Something listens and never answers HTTP: the daemon could not bind the port.
  DoctorRun r =
      doctor(live_config(sim.exchange->http_url(), "[service]\nenabled = true\nport = " + std::to_string(port) + "\n"));
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail service: 127.0.0.1:" + std::to_string(port) + " cannot be bound")) << r.out;
  taken.close();
  r = doctor(dir.file("bparb.toml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(r.has("ok service: 127.0.0.1:" + std::to_string(port) + " is free")) << r.out;
}

TEST_F(DoctorTest, InvalidConfigExitsTwoAndPaperModeUsesTheEmbeddedSim) {
  write_file(dir.file("bad.toml"), "[exchange]\nmode = \"sideways\"\n");
  DoctorRun r = doctor(dir.file("bad.toml"));
  EXPECT_EQ(r.code, kExitUsage) << r.out;
  EXPECT_TRUE(r.has("fail config:")) << r.out;
  EXPECT_NE(r.err.find("config INVALID"), std::string::npos) << r.err;

  write_file(dir.file("paper.toml"), "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" +
                                         sim_file() + "\"\n[journal]\npath = \"" + dir.file("p.sqlite") + "\"\n");
  r = doctor(dir.file("paper.toml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(r.has("ok keys: paper mode")) << r.out;
  EXPECT_TRUE(r.has("ok account:")) << r.out;
  EXPECT_TRUE(r.has("ok markets: 2 markets of 1 pairs")) << r.out;
}

// The simulated Lighter, serving from its own thread.
struct DoctorSimLighter {
  sim::lighter::testing::Fixture f;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<sim::lighter::LighterServer> server;
  std::thread thread;

  // more_alice_keys: further API key slots registered for the first account (1001) besides slot 4.
  explicit DoctorSimLighter(const std::vector<sim::lighter::LighterApiKeyRules>& more_alice_keys = {}) {
    for (const auto& k : more_alice_keys) f.rules.accounts.front().api_keys.push_back(k);
    server = std::make_unique<sim::lighter::LighterServer>(io, *f.ex, f.clock, f.rules);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~DoctorSimLighter() {
    boost::asio::post(io, [this] {
      server->stop();
      work.reset();
    });
    thread.join();
  }
};

TEST_F(DoctorTest, LighterSectionDefersToLighterCheck) {
  DoctorSimLighter lighter;
  const std::string p = dir.file("paper.toml");
  auto config = [&](int api_key_index) {
    write_file(p, "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + sim_file() +
                      "\"\n[journal]\npath = \"" + dir.file("p.sqlite") + "\"\n[venues.lighter]\nrest_url = \"" +
                      lighter.server->http_url() +
                      "\"\naccount_index = 1001\napi_key_index = " + std::to_string(api_key_index) + "\n");
  };
  std::array<char, 80> hex{};
  lighter.f.alice_key.to_hex(hex);
  const std::string key(hex.data(), hex.size());
  config(4);
  DoctorRun r = doctor(p, false, key);
  // The config's remark about what the daemon does with [venues.lighter] is a warning.
  EXPECT_EQ(r.code, kDoctorWarnings) << r.out << r.err;
  EXPECT_TRUE(r.has("warn config:")) << r.out;
  EXPECT_TRUE(r.has("ok lighter: ")) << r.out;
  EXPECT_NE(r.out.find("key: MATCH"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(key), std::string::npos) << "the private key is never printed";

  config(5);  // an empty slot
  r = doctor(p, false, key);
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("fail lighter: bparb lighter check exit " + std::to_string(kLighterCheckKeyMismatch))) << r.out;
}

// A pool: one line per API key slot, each with its own verdict; one bad slot fails the check.
TEST_F(DoctorTest, LighterPoolGetsOneLinePerSlot) {
  const lighter::PrivateKey carol = lighter::PrivateKey::generate();
  DoctorSimLighter lighter({{6, sim::lighter::testing::Fixture::hex(carol)}});
  const std::string p = dir.file("pool.toml");
  write_file(p, "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + sim_file() +
                    "\"\n[journal]\npath = \"" + dir.file("p.sqlite") + "\"\n[venues.lighter]\nrest_url = \"" +
                    lighter.server->http_url() + "\"\naccount_index = 1001\napi_key_indexes = [4, 6]\n");
  auto hex = [](const lighter::PrivateKey& k) {
    std::array<char, 80> h{};
    k.to_hex(h);
    return std::string(h.data(), h.size());
  };
  const std::string alice = hex(lighter.f.alice_key);
  DoctorRun r = doctor(p, false, "", {{"LIGHTER_API_PRIVATE_KEY_4", alice}, {"LIGHTER_API_PRIVATE_KEY_6", hex(carol)}});
  EXPECT_TRUE(r.has("ok lighter slot 4: key: MATCH")) << r.out;
  EXPECT_TRUE(r.has("ok lighter slot 6: key: MATCH")) << r.out;
  EXPECT_TRUE(r.has("ok lighter: ")) << r.out;

  // Slot 6 given slot 4's key: slot 4 still passes, slot 6 fails and so does the whole check.
  r = doctor(p, false, "", {{"LIGHTER_API_PRIVATE_KEY_4", alice}, {"LIGHTER_API_PRIVATE_KEY_6", alice}});
  EXPECT_EQ(r.code, kDoctorFailed) << r.out;
  EXPECT_TRUE(r.has("ok lighter slot 4: key: MATCH")) << r.out;
  EXPECT_TRUE(r.has("fail lighter slot 6: key: MISMATCH")) << r.out;
  EXPECT_TRUE(r.has("fail lighter: bparb lighter check exit " + std::to_string(kLighterCheckKeyMismatch))) << r.out;
  EXPECT_EQ(r.out.find(alice), std::string::npos) << "the private key is never printed";
}

}  // namespace
}  // namespace bparb::app
