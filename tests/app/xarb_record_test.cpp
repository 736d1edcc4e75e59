// `bparb record` for a cross-venue config against the two-venue paper world (Backpack and Lighter in one
// embedded bpsim): both legs are recorded by one process, each line tagged with its venue, Backpack's perp
// alone and Lighter's market under lighter_<SYMBOL>, over the same span of receive times.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>

#include "app_test_util.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::app {
namespace {

const std::string kSrc = BPARB_SOURCE_DIR;

std::string xarb_config(const testing::ScratchDir& dir) {
  return "[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + kSrc +
         "/config/paper-xvenue-sim.toml\"\nport = 0\n"
         "[strategy]\nkind = \"cross_venue\"\n"
         "[xarb]\ncoin = \"BTC\"\n"
         "[venues.lighter]\nrest_url = \"http://127.0.0.1:1\"\nws_url = \"ws://127.0.0.1:1/stream\"\n"
         "account_index = 1001\napi_key_index = 4\nmarkets = [\"BTC\"]\n"
         "[logging]\nfile = \"" +
         dir.file("r.log") + "\"\nconsole = false\n[journal]\npath = \"" + dir.file("j.sqlite") + "\"\n";
}

TEST(XarbRecord, BothLegsInOneProcessTaggedByVenue) {
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), xarb_config(dir));
  const testing::CliResult r =
      testing::run_cli_captured({"record", "--config", dir.file("c.toml"), "--out", dir.file("o"), "--duration", "3"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("Recorded BTC_USDC_PERP="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lighter recorded: lighter_BTC="), std::string::npos) << r.out;

  record::RecordingReader reader(dir.file("o"));
  bool bp_file = false;
  bool lt_file = false;
  for (const std::string& f : reader.files()) {
    bp_file = bp_file || f.find("/BTC_USDC_PERP/") != std::string::npos;
    lt_file = lt_file || f.find("/lighter_BTC/") != std::string::npos;
  }
  EXPECT_TRUE(bp_file && lt_file);
  struct Span {
    std::uint64_t lines = 0;
    TimestampUs first = INT64_MAX;
    TimestampUs last = 0;
  };
  Span bp;
  Span lt;
  std::uint64_t depth_frames = 0;  // (its REST snapshot follows ten of them: too slow a world for this test)
  TimestampUs prev = 0;
  record::FrameLine line;
  while (reader.next(line)) {
    EXPECT_GE(line.receive_time_us, prev);  // one stream of receive times across both venues
    prev = line.receive_time_us;
    Span& s = line.venue == VenueId::kLighter ? lt : bp;
    if (line.venue == VenueId::kBackpack && line.payload.find("\"depth.BTC_USDC_PERP\"") != std::string::npos)
      ++depth_frames;
    if (line.venue == VenueId::kLighter) {
      EXPECT_EQ(line.kind, record::FrameKind::kWs);
      EXPECT_NE(line.payload.find("\"channel\""), std::string::npos);
    }
    ++s.lines;
    s.first = std::min(s.first, line.receive_time_us);
    s.last = std::max(s.last, line.receive_time_us);
  }
  EXPECT_TRUE(reader.error().empty()) << reader.error();
  EXPECT_GT(bp.lines, 5u);
  EXPECT_GT(lt.lines, 5u);
  EXPECT_GE(depth_frames, 1u);
  // Recorded over the same span: each venue's lines start before the other's end.
  EXPECT_LT(bp.first, lt.last);
  EXPECT_LT(lt.first, bp.last);
  // A lone perp has no pair CSV files.
  for (const auto& e : std::filesystem::directory_iterator(dir.file("o")))
    EXPECT_FALSE(e.path().filename().string().starts_with("bbo_")) << e.path();
}

TEST(XarbRecord, OneLegOnRequestAndBothRefusedForABasisConfig) {
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), xarb_config(dir));
  testing::CliResult r = testing::run_cli_captured(
      {"record", "--config", dir.file("c.toml"), "--out", dir.file("o"), "--duration", "1", "--venue", "lighter"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.find("Recorded BTC_USDC_PERP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lighter_BTC="), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o/BTC_USDC_PERP")));

  testing::write_file(dir.file("b.toml"), "[exchange]\nmode = \"paper\"\n[logging]\nfile = \"" + dir.file("b.log") +
                                              "\"\nconsole = false\n");
  r = testing::run_cli_captured({"record", "--config", dir.file("b.toml"), "--out", dir.file("p"), "--venue", "both"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--venue both records the two legs of [strategy] kind = \"cross_venue\""), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace bparb::app
