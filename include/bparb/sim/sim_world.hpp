#pragma once
// SimWorld: several simulated venues on one io_context and one simulation clock. Each venue is a
// SimRuntime of its own (exchange with that venue's markets, fees and accounts; market model or replay;
// faults), built from a VenueConfig; the world owns the shared clocks and the one timer that steps every
// venue, so simulated time is the same everywhere. It also owns one FairValue per coin of the model-driven
// venues, which their market models follow, each with its own lag, noise and dislocations
// ([venues.NAME.follow]), so cross-venue dislocations appear and converge. The protocol front-ends (sim/backpack's
// SimServer, one per venue on its own port) are the caller's: the world does not know any venue's wire protocol.
//
// SimRuntime alone stays the one-venue form (paper mode, tests, today's sim.toml); a world exists beside it
// so that the single-venue path is untouched.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/sim/recorded_frames.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace bparb::sim {

class FairValue;

class SimWorld {
 public:
  // Builds every venue of `config` in order. `wall` (optional) replaces the system clock (tests) and must
  // outlive the world; `frames` is passed to every venue (replay). Throws what SimRuntime throws.
  SimWorld(boost::asio::io_context& io, SimVenuesConfig config, const Clock* wall = nullptr,
           RecordedFrameDecoderFactory frames = nullptr);
  ~SimWorld();
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  // Starts the step timer (every runtime.step_interval_ms of wall time; 0 = manual). stop() cancels it.
  void start();
  void stop();
  // One step of every venue, in order, at the same simulated time.
  void step();

  std::size_t venue_count() const noexcept;
  SimRuntime& venue(std::size_t i) noexcept;
  const VenueConfig& venue_config(std::size_t i) const noexcept;
  SimRuntime* find(std::string_view name) noexcept;  // nullptr if no venue has that name
  const Clock& sim_clock() const noexcept;
  const Clock& wall_clock() const noexcept;
  FairValue* fair_value() noexcept;  // nullptr when no venue runs the market model
  std::uint64_t steps() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim
