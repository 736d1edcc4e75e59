#pragma once
// The Lighter dead-man switch: a scheduled CancelAllOrders (time_in_force 1, trigger = now + window)
// kept moving forward through the LighterTxSender every refresh interval, so that the venue cancels
// every resting order of the account by itself once this process stops refreshing (a crash, a hung
// thread, a lost network). On a clean stop the schedule is aborted (time_in_force 2) or, by option,
// left to fire (docs/lighter.md, "Dead-man switch").
//
// Never more than one of its transactions in flight; a refused or unanswered refresh is reported and
// retried with a doubling back-off (capped by the refresh interval). Times come from the injected
// clock (the trigger is wall-clock ms), so tests drive it with a ManualClock; a steady timer only
// decides how often the switch looks at that clock.
//
// The sender has one answer callback: its owner hands every answer to on_answer() first (the switch
// takes only its own tag).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "bparb/core/clock.hpp"
#include "bparb/venue/lighter/tx_sender.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::lighter {

// The sender tag of the switch's transactions (order tags stay below it).
inline constexpr std::uint64_t kDeadManSwitchTag = std::uint64_t{1} << 63;

// The venue's accepted range for a scheduled cancel-all's trigger, ahead of now.
inline constexpr DurationUs kMinDeadManWindowUs = 5 * 60 * kUsPerSecond;
inline constexpr DurationUs kMaxDeadManWindowUs = 15 * kUsPerDay;

struct DeadManSwitchOptions {
  DurationUs window_us = 10 * 60 * kUsPerSecond;  // trigger = now + window
  DurationUs refresh_us = 60 * kUsPerSecond;      // between accepted refreshes
  DurationUs retry_initial_us = kUsPerSecond;     // after the first failure, doubling
  DurationUs retry_max_us = 30 * kUsPerSecond;    // also never above refresh_us
  bool abort_on_stop = true;                      // false: a clean stop leaves the schedule to fire
  DurationUs timer_period_us = 100 * kUsPerMs;    // how often the clock is looked at
};

// Refused options (the window outside the venue's range, a refresh that does not fit three times in
// the window, non-positive periods); nullopt when usable.
std::optional<const char*> check_options(const DeadManSwitchOptions& o) noexcept;

enum class DeadManEventKind : std::uint8_t {
  kArmed,          // the venue took a (re)scheduled cancel-all: orders die at trigger_ms unless refreshed
  kRefreshFailed,  // a refresh was refused, unanswered or not sendable; retried after retry_in_us
  kAborted,        // clean stop: the venue took the abort, no cancel-all is scheduled any more
  kAbortFailed,    // clean stop: the abort failed; the last schedule (if any) still fires at its time
  kStopped,        // clean stop without abort: the schedule is left to fire
  kLapsed,         // the last accepted trigger passed without a newer one: the venue has cancelled every
                   // resting order of the account (trigger_ms says when); refreshes go on
};
const char* to_string(DeadManEventKind k) noexcept;

struct DeadManEvent {
  DeadManEventKind kind = DeadManEventKind::kArmed;
  std::int64_t trigger_ms = 0;             // kArmed: the new trigger; otherwise the last accepted one (0: none)
  std::uint32_t consecutive_failures = 0;  // kRefreshFailed
  DurationUs retry_in_us = 0;              // kRefreshFailed
  SubmitState state = SubmitState::kSubmitted;
  LighterError error = LighterError::kNone;  // a refusal's venue error
  std::optional<TxSendError> send_error;     // the sender would not take it
};

struct DeadManCounters {
  std::uint64_t refreshes_sent = 0;
  std::uint64_t refreshes_accepted = 0;
  std::uint64_t refresh_failures = 0;
  std::uint64_t aborts_sent = 0;
};

class LighterDeadManSwitch {
 public:
  // Throws std::invalid_argument when check_options refuses the options (start-up only). The clock
  // and sender must outlive the switch.
  LighterDeadManSwitch(boost::asio::io_context& ioc, const Clock& clock, LighterTxSender& sender,
                       DeadManSwitchOptions opts = {});
  ~LighterDeadManSwitch();
  LighterDeadManSwitch(const LighterDeadManSwitch&) = delete;
  LighterDeadManSwitch& operator=(const LighterDeadManSwitch&) = delete;

  // Every event, on the io_context thread.
  void on_event(std::function<void(const DeadManEvent&)> f) { on_event_ = std::move(f); }

  // Schedules the first cancel-all at once.
  void start();
  // Stops refreshing; aborts the schedule when abort_on_stop (after any refresh still in flight).
  // stopped() turns true once that is settled.
  void stop();
  bool running() const noexcept { return state_ == State::kRunning; }
  bool stopped() const noexcept { return state_ == State::kStopped; }

  // True when the answer was the switch's own (then nobody else should look at it).
  bool on_answer(const TxAnswer& a);

  // The last trigger the venue accepted (ms), 0 when none is known to be scheduled.
  std::int64_t trigger_ms() const noexcept { return trigger_ms_; }
  const DeadManCounters& counters() const noexcept { return counters_; }

  // What the timer runs: a refresh when one is due.
  void on_timer();

 private:
  enum class State : std::uint8_t { kIdle, kRunning, kStopping, kStopped };
  enum class InFlight : std::uint8_t { kNone, kRefresh, kAbort };

  void send_refresh(TimestampUs now);
  void send_abort();
  void refresh_failed(const DeadManEvent& base, TimestampUs now);
  void finish(DeadManEvent e);
  void emit(const DeadManEvent& e);
  void arm_timer();

  const Clock& clock_;
  LighterTxSender& sender_;
  DeadManSwitchOptions opts_;
  State state_ = State::kIdle;
  InFlight in_flight_ = InFlight::kNone;
  std::int64_t pending_trigger_ms_ = 0;
  std::int64_t trigger_ms_ = 0;
  TimestampUs next_attempt_us_ = 0;
  std::uint32_t failures_ = 0;
  DeadManCounters counters_;
  std::function<void(const DeadManEvent&)> on_event_;
  struct Alive;
  std::shared_ptr<Alive> alive_;
};

}  // namespace bparb::lighter
