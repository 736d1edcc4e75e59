#pragma once
// SimRuntime: everything bpsim simulates, wired together on one io_context — the scaled simulation
// clock, the Exchange, the MarketModel, the FaultInjector and the timer that steps the model.
//
// Two clocks:
//  - wall clock (SystemClock unless injected): what clients see as "now" — /api/v1/time, the
//    X-Timestamp expiry check, WS ping/pong, fault timers. Fault clock skew is added on top.
//  - simulation clock (ScaledClock over the wall clock): what the Exchange stamps events with
//    and runs funding on. time_scale = 60 makes an hourly funding interval pass in one minute.
//    With time_scale 1 and start_time_ms 0 both clocks agree.
#include <cstdint>
#include <memory>

#include "bparb/core/clock.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/faults.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/recorded_frames.hpp"
#include "bparb/sim/replay_model.hpp"
#include "bparb/sim/sim_config.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace bparb::sim {

// sim_now = start + (base_now - base_start) * scale
class ScaledClock final : public Clock {
 public:
  ScaledClock(const Clock& base, TimestampUs start_us, double scale) noexcept;
  TimestampUs now_us() const noexcept override;
  double scale() const noexcept { return scale_; }

 private:
  const Clock& base_;
  TimestampUs base_start_us_;
  TimestampUs start_us_;
  double scale_;
};

class FairValue;

// What a SimWorld shares with each venue it hosts: one wall clock, one simulation clock and the fair value
// the venues' market models follow (null: the model runs its own price path), all outliving the runtime.
struct SimShared {
  const Clock* wall = nullptr;
  const Clock* sim = nullptr;
  FairValue* fair = nullptr;
};

class SimRuntime {
 public:
  // Builds clock, exchange (accounts from config), replay (replay.enabled: reads the recording; the
  // market model is then not built) or model (unless disabled), and faults. Throws
  // std::invalid_argument / SimConfigError for bad configuration, std::runtime_error for an unreadable recording.
  // `wall` (optional) replaces the system clock (tests); it must outlive the runtime. `frames` makes the decoder of the
  // recording's frames (the venue front-end's, e.g. make_backpack_frame_decoder); replay without one is a
  // std::invalid_argument.
  SimRuntime(boost::asio::io_context& io, SimConfig config, const Clock* wall = nullptr,
             RecordedFrameDecoderFactory frames = nullptr);
  // A venue of a SimWorld: the same, on the world's clocks (and fair value) instead of its own (config.runtime's
  // time_scale and start_time_ms are then the world's business). The world steps it; start() would add a timer of its
  // own.
  SimRuntime(boost::asio::io_context& io, SimConfig config, SimShared shared,
             RecordedFrameDecoderFactory frames = nullptr);
  ~SimRuntime();
  SimRuntime(const SimRuntime&) = delete;
  SimRuntime& operator=(const SimRuntime&) = delete;

  // Starts the periodic step timer (no-op when step_interval_ms == 0). stop() cancels it.
  void start();
  void stop();
  // One step now: replay.step(sim now), else model.step(sim now), else exchange.advance_to.
  void step();

  Exchange& exchange() noexcept;
  MarketModel* model() noexcept;   // nullptr when runtime.model_enabled == false or replay is on
  ReplayModel* replay() noexcept;  // nullptr unless replay.enabled
  FaultInjector& faults() noexcept;
  const Clock& sim_clock() const noexcept;
  const Clock& wall_clock() const noexcept;
  const SimConfig& config() const noexcept;
  boost::asio::io_context& io() noexcept;

  // Wall time as the server reports it (clock-skew fault applied), ms / µs.
  std::int64_t server_time_ms() const noexcept;
  TimestampUs server_time_us() const noexcept;
  std::uint64_t steps() const noexcept;

 private:
  void log_start() const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim
