// The Lighter recorder against the simulated Lighter on loopback: order_book and trade frames land in
// DIR/lighter_ETH/<date>.frames.gz tagged `lighter`, every ws line parses with the Lighter frame
// parser, and feeding the lines to a fresh LighterWs (the live decoder) rebuilds the venue's book.
#include "bparb/app/lighter_record.hpp"

#include <gtest/gtest.h>

#include "../venue/lighter/client_test_util.hpp"
#include "app_test_util.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/ws_session.hpp"

namespace bparb::app {
namespace {

namespace lt = bparb::lighter;
using lt::testing::D;
using lt::testing::Loopback;

lt::MarketDetails fetch_eth(Loopback& lb) {
  lt::LighterRestOptions o;
  o.http.base_url = lb.server->http_url();
  lt::LighterRest rest(lb.io, o);
  std::vector<lt::MarketDetails> out;
  bool done = false;
  rest.order_book_details(0, [&](lt::RestResult<std::vector<lt::MarketDetails>>& r) {
    if (r) out = std::move(*r);
    done = true;
  });
  EXPECT_TRUE(lb.run_until([&] { return done; }));
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? lt::MarketDetails{} : out[0];
}

void place(Loopback& lb, const lt::SignedTx& tx) {
  const auto r = lb.server->api().submit(static_cast<int>(tx.tx_type), tx.tx_info());
  ASSERT_EQ(r.code, 200) << r.message;
}

TEST(LighterRecord, FramesAreTaggedParseAndRebuildTheBook) {
  Loopback lb;
  auto& f = lb.f;
  testing::ScratchDir dir;
  const lt::MarketDetails eth = fetch_eth(lb);
  EXPECT_EQ(lighter_market_dir(eth), "lighter_ETH");

  LighterRecorderOptions o;
  o.out_dir = dir.file("rec");
  o.ws_url = lb.server->ws_url();
  LighterRecorder rec(lb.io, f.clock, {eth}, o);
  rec.start();
  auto frames = [&] {
    auto it = rec.stats().frames.find("lighter_ETH");
    return it == rec.stats().frames.end() ? std::uint64_t{0} : it->second;
  };
  ASSERT_TRUE(lb.run_until([&] { return frames() >= 2; }));  // the book and trade snapshots

  place(lb, f.create(*f.alice, f.alice_nonce, 1, 20'000, 199'000, false));
  place(lb, f.create(*f.bob, f.bob_nonce, 2, 5'000, 201'000, true));
  place(lb, f.create(*f.bob, f.bob_nonce, 3, 5'000, 199'000, true, 0));  // crosses: a trade
  ASSERT_TRUE(lb.run_until([&] { return frames() >= 6; }));
  lb.settle();
  rec.stop();
  EXPECT_TRUE(rec.error().empty()) << rec.error();
  EXPECT_GT(rec.stats().other_frames, 0u);  // "connected", subscription acks: not written

  record::RecordingReader reader(o.out_dir);
  ASSERT_EQ(reader.files().size(), 1u);
  EXPECT_NE(reader.files()[0].find("lighter_ETH/2027-01-15.frames.gz"), std::string::npos) << reader.files()[0];

  lt::LighterWsOptions wo;
  wo.ws.url = lb.server->ws_url();
  lt::LighterWs replay(lb.io, f.clock, wo);  // never started: fed from the file
  std::vector<lt::Trade> trades;
  lt::LighterWsHandlers h;
  h.on_trade = [&](const lt::Trade& t) { trades.push_back(t); };
  replay.set_handlers(std::move(h));
  replay.add_book(eth);
  replay.add_trades(0);

  lt::JsonParser parser;
  lt::WsFrame frame;
  record::FrameLine line;
  std::uint64_t books = 0;
  std::uint64_t lines = 0;
  while (reader.next(line)) {
    ++lines;
    EXPECT_EQ(line.venue, VenueId::kLighter);
    ASSERT_EQ(line.kind, record::FrameKind::kWs);
    const std::string payload(line.payload);
    ASSERT_TRUE(lt::parse_ws_frame(parser, lt::JsonInput(payload.data(), payload.size(), payload.size()), frame).ok())
        << payload;
    EXPECT_TRUE(frame.type == lt::WsType::kOrderBook || frame.type == lt::WsType::kTrade) << payload;
    if (frame.type == lt::WsType::kOrderBook) ++books;
    replay.handle_frame(payload.data(), payload.size(), payload.size());
  }
  EXPECT_EQ(lines, frames());
  EXPECT_GE(books, 3u);
  EXPECT_EQ(replay.counters().malformed, 0u);
  ASSERT_TRUE(replay.book_valid(0));
  EXPECT_EQ(replay.book(0)->best_bid().price, D("1990.00"));
  EXPECT_EQ(replay.book(0)->best_bid().quantity, D("1.5000"));
  EXPECT_EQ(replay.book(0)->best_ask().price, D("2010.00"));
  ASSERT_FALSE(trades.empty());
  EXPECT_EQ(trades.back().price, D("1990.00"));
}

TEST(LighterRecord, TheCommandRefusesAnUnknownVenueOrAMissingSection) {
  testing::ScratchDir dir;
  testing::write_file(dir.file("c.toml"), "[exchange]\nmode = \"paper\"\n[logging]\nfile = \"" + dir.file("r.log") +
                                              "\"\nconsole = false\n");
  testing::CliResult r = testing::run_cli_captured(
      {"record", "--config", dir.file("c.toml"), "--out", dir.file("o"), "--venue", "kraken"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--venue: expected backpack, lighter or both, got \"kraken\""), std::string::npos) << r.err;
  r = testing::run_cli_captured(
      {"record", "--config", dir.file("c.toml"), "--out", dir.file("o"), "--venue", "lighter"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("needs a [venues.lighter] section"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bparb::app
