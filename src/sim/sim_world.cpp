#include "bparb/sim/sim_world.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

namespace bparb::sim {

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
  std::vector<std::unique_ptr<SimRuntime>> venues;  // config.venues' order
  boost::asio::steady_timer timer;
  bool running = false;
  std::uint64_t steps = 0;
};

SimWorld::SimWorld(boost::asio::io_context& io, SimVenuesConfig config, const Clock* wall,
                   RecordedFrameDecoderFactory frames)
    : impl_(std::make_unique<Impl>(io, std::move(config), wall)) {
  Impl& I = *impl_;
  I.venues.reserve(I.config.venues.size());
  for (const VenueConfig& v : I.config.venues) {
    SimConfig sc = v.sim;
    // The venue's runtime reports the clock it actually runs on.
    sc.runtime.time_scale = I.config.runtime.time_scale;
    sc.runtime.start_time_ms = I.config.runtime.start_time_ms;
    sc.runtime.step_interval_ms = I.config.runtime.step_interval_ms;
    I.venues.push_back(std::make_unique<SimRuntime>(io, std::move(sc), SharedSimClocks{&I.wall, &I.sim}, frames));
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
std::uint64_t SimWorld::steps() const noexcept {
  return impl_->steps;
}

}  // namespace bparb::sim
