// The bench tools render depth frames and snapshots themselves (no sockets); this checks they are
// byte-identical to what bpsim's WsHub sends and what its REST API answers for the same book events.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "../../src/bench/tick_to_wire.hpp"
#include "bparb/sim/backpack/rest_api.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::bench {
namespace {

struct FakeConnection final : sim::WsConnection {
  std::vector<std::string> frames;
  void send_text(std::shared_ptr<const std::string> f) override { frames.push_back(*f); }
  void close_connection(std::string_view, bool) override {}
};

struct Renderer final : sim::ExchangeListener {
  std::vector<std::string> frames;
  void on_depth(const DepthDelta& d) override {
    if (d.symbol != "SOL_USDC_PERP") return;
    std::string f;
    render_depth_frame(d, f);
    frames.push_back(std::move(f));
  }
};

TEST(RenderMatchesBpsim, DepthFramesAndSnapshotAreByteIdentical) {
  boost::asio::io_context io;
  ManualClock wall(1'795'132'800LL * kUsPerSecond);
  sim::SimConfig cfg = sim::default_sim_config();
  cfg.runtime.step_interval_ms = 0;
  sim::SimRuntime rt(io, cfg, &wall);
  sim::WsHub hub(rt);
  FakeConnection conn;
  hub.attach(&conn);
  hub.on_client_message(&conn, R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC_PERP"]})");
  Renderer mine;
  rt.exchange().add_listener(&mine);
  // Until a few frames were published: how many steps that takes depends on the seeded market (and on the
  // compiler's floating-point contraction), not on what is compared.
  for (int i = 0; i < 5000 && mine.frames.size() <= 10; ++i) {
    wall.advance_us(100 * kUsPerMs);
    rt.step();
  }
  rt.exchange().remove_listener(&mine);
  hub.detach(&conn);
  ASSERT_GT(mine.frames.size(), 10u);
  ASSERT_EQ(conn.frames.size(), mine.frames.size());
  for (std::size_t i = 0; i < mine.frames.size(); ++i) ASSERT_EQ(conn.frames[i], mine.frames[i]) << "frame " << i;

  sim::RestApi api(rt);
  sim::RestRequest req;
  req.method = "GET";
  req.target = "/api/v1/depth?symbol=SOL_USDC_PERP";
  const sim::RestOutcome out = api.handle(req);
  ASSERT_EQ(out.response.status, 200);
  auto snap = rt.exchange().depth_snapshot("SOL_USDC_PERP", 1000);
  ASSERT_TRUE(snap);
  std::string body;
  render_depth_snapshot(*snap, body);
  EXPECT_EQ(out.response.body, body);
}

}  // namespace
}  // namespace bparb::bench
