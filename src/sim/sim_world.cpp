#include "bparb/sim/sim_world.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "bparb/sim/fair_value.hpp"

namespace bparb::sim {

namespace {

// The coins of every venue driven by the market model, each once: its volatility from the first such venue's
// [model.coins], its start price from that venue's seed price (spot market, else perp). The history covers
// the largest venue lag.
std::optional<FairValueConfig> fair_value_config(const SimVenuesConfig& cfg) {
  FairValueConfig out;
  out.seed = cfg.runtime.seed ^ 0xFA12'7A1E'5EED'0001ull;
  std::int64_t max_lag_ms = 0;
  for (const VenueConfig& v : cfg.venues) {
    const SimConfig& sc = v.sim;
    if (sc.replay.enabled || !sc.runtime.model_enabled) continue;
    max_lag_ms = std::max(max_lag_ms, sc.model.follow.lag_ms);
    for (const CoinModelParams& c : sc.model.coins) {
      if (std::any_of(out.coins.begin(), out.coins.end(), [&](const FairValueCoin& f) { return f.coin == c.coin; }))
        continue;
      const MarketSetup* seed = nullptr;
      for (const char* suffix : {"_USDC", "_USDC_PERP"}) {
        for (const MarketSetup& m : sc.exchange.markets)
          if (seed == nullptr && m.spec.symbol == c.coin + suffix) seed = &m;
      }
      if (seed == nullptr) continue;
      out.coins.push_back(FairValueCoin{c.coin, c.annual_volatility, seed->seed_price.to_double()});
    }
  }
  if (out.coins.empty()) return std::nullopt;
  out.history_us = max_lag_ms * kUsPerMs + out.grid_us;
  return out;
}

}  // namespace

struct SimWorld::Impl {
  Impl(boost::asio::io_context& io_, SimVenuesConfig cfg, const Clock* wall_in)
      : io(io_),
        config(std::move(cfg)),
        wall(wall_in != nullptr ? *wall_in : system_clock),
        sim(wall, config.runtime.start_time_ms > 0 ? config.runtime.start_time_ms * kUsPerMs : wall.now_us(),
            config.runtime.time_scale),
        timer(io_) {}

  void arm() {
    if (!running || config.runtime.step_interval_ms <= 0) return;
    timer.expires_after(std::chrono::milliseconds(config.runtime.step_interval_ms));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running) return;
      do_step();
      arm();
    });
  }

  void do_step() {
    for (auto& v : venues) v->step();
    ++steps;
  }

  boost::asio::io_context& io;
  SimVenuesConfig config;
  SystemClock system_clock;
  const Clock& wall;
  ScaledClock sim;
  std::unique_ptr<FairValue> fair;                  // before the venues: they follow it
  std::vector<std::unique_ptr<SimRuntime>> venues;  // config.venues' order
  boost::asio::steady_timer timer;
  bool running = false;
  std::uint64_t steps = 0;
};

SimWorld::SimWorld(boost::asio::io_context& io, SimVenuesConfig config, const Clock* wall,
                   RecordedFrameDecoderFactory frames)
    : impl_(std::make_unique<Impl>(io, std::move(config), wall)) {
  Impl& I = *impl_;
  if (auto fc = fair_value_config(I.config)) I.fair = std::make_unique<FairValue>(std::move(*fc), I.sim.now_us());
  I.venues.reserve(I.config.venues.size());
  for (const VenueConfig& v : I.config.venues) {
    SimConfig sc = v.sim;
    // The venue's runtime reports the clock it actually runs on.
    sc.runtime.time_scale = I.config.runtime.time_scale;
    sc.runtime.start_time_ms = I.config.runtime.start_time_ms;
    sc.runtime.step_interval_ms = I.config.runtime.step_interval_ms;
    I.venues.push_back(
        std::make_unique<SimRuntime>(io, std::move(sc), SimShared{&I.wall, &I.sim, I.fair.get()}, frames));
  }
}

SimWorld::~SimWorld() {
  stop();
}

void SimWorld::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->arm();
}

void SimWorld::stop() {
  impl_->running = false;
  impl_->timer.cancel();
}

void SimWorld::step() {
  impl_->do_step();
}

std::size_t SimWorld::venue_count() const noexcept {
  return impl_->venues.size();
}
SimRuntime& SimWorld::venue(std::size_t i) noexcept {
  return *impl_->venues[i];
}
const VenueConfig& SimWorld::venue_config(std::size_t i) const noexcept {
  return impl_->config.venues[i];
}
SimRuntime* SimWorld::find(std::string_view name) noexcept {
  for (std::size_t i = 0; i < impl_->venues.size(); ++i)
    if (impl_->config.venues[i].name == name) return impl_->venues[i].get();
  return nullptr;
}
const Clock& SimWorld::sim_clock() const noexcept {
  return impl_->sim;
}
const Clock& SimWorld::wall_clock() const noexcept {
  return impl_->wall;
}
FairValue* SimWorld::fair_value() noexcept {
  return impl_->fair.get();
}
std::uint64_t SimWorld::steps() const noexcept {
  return impl_->steps;
}

}  // namespace bparb::sim
