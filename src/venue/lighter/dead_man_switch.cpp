#include "bparb/venue/lighter/dead_man_switch.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>

namespace bparb::lighter {

std::optional<const char*> check_options(const DeadManSwitchOptions& o) noexcept {
  if (o.window_us < kMinDeadManWindowUs || o.window_us > kMaxDeadManWindowUs) {
    return "the window must lie between 5 minutes and 15 days (the venue's range for a scheduled cancel-all)";
  }
  if (o.refresh_us <= 0 || o.refresh_us * 3 > o.window_us) {
    return "the refresh interval must be positive and at most a third of the window";
  }
  if (o.retry_initial_us <= 0 || o.retry_max_us < o.retry_initial_us || o.timer_period_us <= 0) {
    return "retry and timer periods must be positive (retry_max >= retry_initial)";
  }
  return std::nullopt;
}

const char* to_string(DeadManEventKind k) noexcept {
  switch (k) {
    case DeadManEventKind::kArmed:
      return "armed";
    case DeadManEventKind::kRefreshFailed:
      return "refresh failed";
    case DeadManEventKind::kAborted:
      return "aborted";
    case DeadManEventKind::kAbortFailed:
      return "abort failed";
    case DeadManEventKind::kStopped:
      return "stopped (schedule left)";
    case DeadManEventKind::kLapsed:
      return "lapsed (the venue cancelled the resting orders)";
  }
  return "unknown";
}

struct LighterDeadManSwitch::Alive {
  explicit Alive(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
  LighterDeadManSwitch* owner = nullptr;
};

LighterDeadManSwitch::LighterDeadManSwitch(boost::asio::io_context& ioc, const Clock& clock, LighterTxSender& sender,
                                           DeadManSwitchOptions opts)
    : clock_(clock), sender_(sender), opts_(opts), alive_(std::make_shared<Alive>(ioc)) {
  if (auto err = check_options(opts_)) throw std::invalid_argument(std::string("dead-man switch: ") + *err);
  alive_->owner = this;
}

LighterDeadManSwitch::~LighterDeadManSwitch() {
  alive_->owner = nullptr;
  alive_->timer.cancel();
}

void LighterDeadManSwitch::start() {
  if (state_ == State::kRunning) return;
  state_ = State::kRunning;
  failures_ = 0;
  next_attempt_us_ = clock_.now_us();
  on_timer();
  arm_timer();
}

void LighterDeadManSwitch::stop() {
  if (state_ != State::kRunning) return;
  state_ = State::kStopping;
  if (in_flight_ != InFlight::kNone) return;  // settled when its answer comes
  if (opts_.abort_on_stop) {
    send_abort();
  } else {
    finish(DeadManEvent{DeadManEventKind::kStopped, trigger_ms_});
  }
}

void LighterDeadManSwitch::on_timer() {
  if (state_ != State::kRunning) return;
  const TimestampUs now = clock_.now_us();
  if (trigger_ms_ != 0 && now / kUsPerMs >= trigger_ms_) {
    const std::int64_t fired = trigger_ms_;
    trigger_ms_ = 0;
    emit(DeadManEvent{DeadManEventKind::kLapsed, fired});
  }
  if (in_flight_ == InFlight::kNone && now >= next_attempt_us_) send_refresh(now);
}

void LighterDeadManSwitch::send_refresh(TimestampUs now) {
  CancelAllOrdersTx tx;
  tx.time_in_force = 1;
  tx.time = (now + opts_.window_us) / kUsPerMs;
  ++counters_.refreshes_sent;
  if (auto err = sender_.send(tx, kDeadManSwitchTag)) {
    DeadManEvent e{DeadManEventKind::kRefreshFailed, trigger_ms_};
    e.state = SubmitState::kRefused;
    e.send_error = *err;
    refresh_failed(e, now);
    return;
  }
  in_flight_ = InFlight::kRefresh;
  pending_trigger_ms_ = tx.time;
}

void LighterDeadManSwitch::send_abort() {
  CancelAllOrdersTx tx;
  tx.time_in_force = 2;
  tx.time = 0;
  ++counters_.aborts_sent;
  if (auto err = sender_.send(tx, kDeadManSwitchTag)) {
    DeadManEvent e{DeadManEventKind::kAbortFailed, trigger_ms_};
    e.state = SubmitState::kRefused;
    e.send_error = *err;
    finish(e);
    return;
  }
  in_flight_ = InFlight::kAbort;
}

bool LighterDeadManSwitch::on_answer(const TxAnswer& a) {
  if (a.tag != kDeadManSwitchTag || in_flight_ == InFlight::kNone) return a.tag == kDeadManSwitchTag;
  const InFlight was = in_flight_;
  in_flight_ = InFlight::kNone;
  const bool ok = a.result.state == SubmitState::kSubmitted;
  const TimestampUs now = clock_.now_us();

  if (was == InFlight::kAbort) {
    DeadManEvent e{ok ? DeadManEventKind::kAborted : DeadManEventKind::kAbortFailed, trigger_ms_};
    e.state = a.result.state;
    e.error = a.result.error;
    if (ok) trigger_ms_ = 0;
    e.trigger_ms = trigger_ms_;
    finish(e);
    return true;
  }

  if (ok) {
    ++counters_.refreshes_accepted;
    failures_ = 0;
    trigger_ms_ = pending_trigger_ms_;
    next_attempt_us_ = now + opts_.refresh_us;
    emit(DeadManEvent{DeadManEventKind::kArmed, trigger_ms_});
  } else {
    DeadManEvent e{DeadManEventKind::kRefreshFailed, trigger_ms_};
    e.state = a.result.state;
    e.error = a.result.error;
    refresh_failed(e, now);
  }
  if (state_ == State::kStopping) {
    if (opts_.abort_on_stop) {
      send_abort();
    } else {
      finish(DeadManEvent{DeadManEventKind::kStopped, trigger_ms_});
    }
  }
  return true;
}

void LighterDeadManSwitch::refresh_failed(const DeadManEvent& base, TimestampUs now) {
  ++counters_.refresh_failures;
  ++failures_;
  DurationUs backoff = opts_.retry_initial_us;
  for (std::uint32_t i = 1; i < failures_ && backoff < opts_.retry_max_us; ++i) backoff *= 2;
  backoff = std::min({backoff, opts_.retry_max_us, opts_.refresh_us});
  next_attempt_us_ = now + backoff;
  DeadManEvent e = base;
  e.consecutive_failures = failures_;
  e.retry_in_us = backoff;
  emit(e);
}

void LighterDeadManSwitch::finish(DeadManEvent e) {
  state_ = State::kStopped;
  alive_->timer.cancel();
  emit(e);
}

void LighterDeadManSwitch::emit(const DeadManEvent& e) {
  if (on_event_) on_event_(e);
}

void LighterDeadManSwitch::arm_timer() {
  alive_->timer.expires_after(std::chrono::microseconds(opts_.timer_period_us));
  alive_->timer.async_wait([a = alive_](const boost::system::error_code& ec) {
    if (ec || !a->owner || a->owner->state_ == State::kStopped) return;
    a->owner->on_timer();
    a->owner->arm_timer();
  });
}

}  // namespace bparb::lighter
