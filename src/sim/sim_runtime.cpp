#include "bparb/sim/sim_runtime.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>

#include "bparb/record/recording.hpp"

namespace bparb::sim {

ScaledClock::ScaledClock(const Clock& base, TimestampUs start_us, double scale) noexcept
    : base_(base), base_start_us_(base.now_us()), start_us_(start_us), scale_(scale) {}

TimestampUs ScaledClock::now_us() const noexcept {
  const TimestampUs elapsed = base_.now_us() - base_start_us_;
  if (scale_ == 1.0) return start_us_ + elapsed;
  return start_us_ + static_cast<TimestampUs>(std::llround(static_cast<double>(elapsed) * scale_));
}

struct SimRuntime::Impl {
  // `shared_sim` null: the runtime's own scaled clock over `wall_in` (or the system clock).
  Impl(boost::asio::io_context& io_, SimConfig cfg, const Clock* wall_in, const Clock* shared_sim,
       RecordedFrameDecoderFactory frames, FairValue* fair)
      : io(io_),
        config(std::move(cfg)),
        wall(wall_in != nullptr ? *wall_in : system_clock),
        own_sim(wall, config.runtime.start_time_ms > 0 ? config.runtime.start_time_ms * kUsPerMs : wall.now_us(),
                config.runtime.time_scale),
        sim(shared_sim != nullptr ? *shared_sim : own_sim),
        exchange(sim, config.exchange),
        faults(config.faults, config.runtime.seed ^ 0x9E3779B97F4A7C15ull),
        timer(io_) {
    faults.set_config(config.faults, wall.now_us());
    if (config.replay.enabled) {
      replay_source = std::make_unique<record::RecordingReader>(config.replay.path);
      ReplayOptions ro;
      ro.maker_api_key = config.replay.maker_api_key;
      ro.speed = config.replay.speed;
      ro.recording_start_us = config.replay.start_us;
      ro.symbol_map = config.replay.symbols;
      replay = std::make_unique<ReplayModel>(exchange, *replay_source, frames != nullptr ? frames() : nullptr,
                                             std::move(ro));
    } else if (config.runtime.model_enabled) {
      MarketModelConfig mc = config.model;
      mc.seed = config.runtime.seed;
      model = fair != nullptr ? std::make_unique<MarketModel>(exchange, std::move(mc), *fair)
                              : std::make_unique<MarketModel>(exchange, std::move(mc));
    }
  }

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
    const TimestampUs now = sim.now_us();
    run_script(now);
    if (replay) {
      replay->step(now);
    } else if (model) {
      model->step(now);
    } else {
      exchange.advance_to(now);
    }
    ++steps;
  }

  // Scheduled basis moves ([[script]]), in order, each once, before the step that reaches its time.
  void run_script(TimestampUs now) {
    if (!model) return;
    for (; next_script < config.script.size(); ++next_script) {
      const ScriptedBasis& e = config.script[next_script];
      if (now < script_start_us + static_cast<TimestampUs>(e.at_seconds * 1e6)) break;
      if (e.dislocation) {
        const bool moved = model->dislocate(e.coin, e.basis_bps);
        spdlog::info("bpsim script: {} {} by {:.1f} bps at {:.0f} s ([[script]] in the sim config)", e.coin,
                     moved ? "moved from the fair value" : "follows no fair value, not moved", e.basis_bps,
                     e.at_seconds);
        continue;
      }
      const double before = model->basis_bps(e.coin).value_or(0.0);
      model->set_basis_bps(e.coin, e.basis_bps);
      spdlog::info("bpsim script: {} basis moved from {:.1f} to {:.1f} bps at {:.0f} s ([[script]] in the sim config)",
                   e.coin, before, e.basis_bps, e.at_seconds);
    }
  }

  boost::asio::io_context& io;
  SimConfig config;
  SystemClock system_clock;
  const Clock& wall;
  ScaledClock own_sim;  // unused when a SimWorld shares its clock
  const Clock& sim;
  Exchange exchange;
  std::unique_ptr<MarketModel> model;
  std::unique_ptr<record::RecordingReader> replay_source;  // before replay: outlives it
  std::unique_ptr<ReplayModel> replay;
  FaultInjector faults;
  boost::asio::steady_timer timer;
  bool running = false;
  std::uint64_t steps = 0;
  TimestampUs script_start_us = sim.now_us();  // [[script]] times count from here
  std::size_t next_script = 0;
};

SimRuntime::SimRuntime(boost::asio::io_context& io, SimConfig config, const Clock* wall,
                       RecordedFrameDecoderFactory frames)
    : impl_(std::make_unique<Impl>(io, std::move(config), wall, nullptr, frames, nullptr)) {
  log_start();
}

SimRuntime::SimRuntime(boost::asio::io_context& io, SimConfig config, SimShared shared,
                       RecordedFrameDecoderFactory frames)
    : impl_(std::make_unique<Impl>(io, std::move(config), shared.wall, shared.sim, frames, shared.fair)) {
  log_start();
}

void SimRuntime::log_start() const {
  spdlog::info("bpsim runtime: {} markets, {} accounts, time_scale {}, model {}, replay {}",
               impl_->exchange.markets().size(), impl_->config.exchange.accounts.size(),
               impl_->config.runtime.time_scale, impl_->model ? "on" : "off",
               impl_->replay ? impl_->config.replay.path : "off");
}

SimRuntime::~SimRuntime() {
  stop();
}

void SimRuntime::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->arm();
}

void SimRuntime::stop() {
  impl_->running = false;
  impl_->timer.cancel();
}

void SimRuntime::step() {
  impl_->do_step();
}

Exchange& SimRuntime::exchange() noexcept {
  return impl_->exchange;
}
MarketModel* SimRuntime::model() noexcept {
  return impl_->model.get();
}
ReplayModel* SimRuntime::replay() noexcept {
  return impl_->replay.get();
}
FaultInjector& SimRuntime::faults() noexcept {
  return impl_->faults;
}
const Clock& SimRuntime::sim_clock() const noexcept {
  return impl_->sim;
}
const Clock& SimRuntime::wall_clock() const noexcept {
  return impl_->wall;
}
const SimConfig& SimRuntime::config() const noexcept {
  return impl_->config;
}
boost::asio::io_context& SimRuntime::io() noexcept {
  return impl_->io;
}
std::uint64_t SimRuntime::steps() const noexcept {
  return impl_->steps;
}

TimestampUs SimRuntime::server_time_us() const noexcept {
  return impl_->wall.now_us() + impl_->faults.clock_skew_ms() * kUsPerMs;
}
std::int64_t SimRuntime::server_time_ms() const noexcept {
  return server_time_us() / kUsPerMs;
}

}  // namespace bparb::sim
