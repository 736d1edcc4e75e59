// Two venues of one bpsim (SimWorld), each behind its own Backpack front-end on its own loopback port:
// each answers with its own markets and books, and both move with the shared fair value.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bparb/sim/fair_value.hpp"
#include "bparb/sim/sim_world.hpp"
#include "bpsim_test_util.hpp"

namespace bpsim_test {
namespace {

class TwoVenues {
 public:
  TwoVenues()
      : guard_(net::make_work_guard(io_)),
        world_(io_, sim::parse_sim_venues_config(R"(
[runtime]
step_interval_ms = 0
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
[model]
background_trading = false
[venues.backpack]
[venues.second]
protocol = "backpack"
exchange = { markets = ["SOL_USDC_PERP"] }
)",
                                                 "two.toml")),
        a_(io_, world_.venue(0), world_.venue_config(0).sim.server),
        b_(io_, world_.venue(1), world_.venue_config(1).sim.server) {
    a_.start();
    b_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TwoVenues() {
    on_server([this] {
      a_.stop();
      b_.stop();
    });
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  TwoVenues(const TwoVenues&) = delete;
  TwoVenues& operator=(const TwoVenues&) = delete;

  template <class Fn>
  auto on_server(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto fut = task.get_future();
    net::post(io_, [&task] { task(); });
    return fut.get();
  }

  std::uint16_t port_a() const { return a_.port(); }
  std::uint16_t port_b() const { return b_.port(); }
  sim::SimWorld& world_unsafe() { return world_; }  // only inside on_server()

 private:
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  sim::SimWorld world_;
  sim::SimServer a_;
  sim::SimServer b_;
  std::thread thread_;
};

double mid_of_depth(const std::string& body) {
  Json j(body);
  EXPECT_TRUE(j.ok);
  simdjson::dom::array bids = j.root["bids"].get_array().value();
  simdjson::dom::array asks = j.root["asks"].get_array().value();
  // Ascending on both sides: the best bid is the last bid, the best ask the first ask.
  const double bid =
      std::stod(std::string((*(bids.at(bids.size() - 1).get_array().value().begin())).get_string().value()));
  const double ask = std::stod(std::string((*(asks.at(0).get_array().value().begin())).get_string().value()));
  return (bid + ask) / 2;
}

TEST(BpsimVenues, EachVenueServesItsOwnMarketsOnItsOwnPortAndFollowsTheSharedValue) {
  TwoVenues sim;
  ASSERT_NE(sim.port_a(), sim.port_b());
  HttpConn a(sim.port_a());
  HttpConn b(sim.port_b());
  Json ma(a.get("/api/v1/markets").body);
  Json mb(b.get("/api/v1/markets").body);
  ASSERT_TRUE(ma.ok && mb.ok);
  EXPECT_EQ(ma.root.get_array().value().size(), 2u);
  EXPECT_EQ(mb.root.get_array().value().size(), 1u);
  EXPECT_EQ(b.get("/api/v1/depth?symbol=SOL_USDC").status, 400);  // not listed on the second venue

  // One step of the world: both venues' books are re-quoted around the shared value.
  const double fair = sim.on_server([&] {
    sim::SimWorld& w = sim.world_unsafe();
    w.step();
    return *w.fair_value()->at("SOL", w.sim_clock().now_us());
  });
  const double pa = mid_of_depth(a.get("/api/v1/depth?symbol=SOL_USDC_PERP").body);
  const double pb = mid_of_depth(b.get("/api/v1/depth?symbol=SOL_USDC_PERP").body);
  // Both perps sit on the fair value times the perp basis (a few bps), within a few bps of each other.
  EXPECT_LT(std::fabs(pa / fair - 1) * 1e4, 30.0);
  EXPECT_LT(std::fabs(pb / fair - 1) * 1e4, 30.0);
}

}  // namespace
}  // namespace bpsim_test
