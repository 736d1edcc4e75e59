#include "bparb/app/signals.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

namespace bparb::app {

std::string_view signal_action_name(SignalAction a) noexcept {
  switch (a) {
    case SignalAction::kShutdown:
      return "shutdown";
    case SignalAction::kForceExit:
      return "force-exit";
    case SignalAction::kReload:
      return "reload";
    case SignalAction::kDumpStatus:
      return "dump-status";
    case SignalAction::kReopenLog:
      return "reopen-log";
    case SignalAction::kIgnore:
      return "ignore";
  }
  return "?";
}

SignalAction classify_signal(int signo, std::uint32_t shutdown_requests_before) noexcept {
  switch (signo) {
    case SIGTERM:
    case SIGINT:
      return shutdown_requests_before == 0 ? SignalAction::kShutdown : SignalAction::kForceExit;
    case SIGHUP:
      return SignalAction::kReload;
    case SIGUSR1:
      return SignalAction::kDumpStatus;
    case SIGUSR2:
      return SignalAction::kReopenLog;
    default:
      return SignalAction::kIgnore;
  }
}

// The pending async_wait holds only a weak_ptr: after ~SignalWatcher the aborted completion finds
// nothing and returns (no use-after-free, no ownership cycle keeping the signal_set alive).
struct SignalWatcher::Impl : std::enable_shared_from_this<SignalWatcher::Impl> {
  Impl(boost::asio::io_context& io, Handler h) : set(io, SIGTERM, SIGINT, SIGHUP), handler(std::move(h)) {
    set.add(SIGUSR1);
    set.add(SIGUSR2);
  }

  void arm() {
    set.async_wait([weak = weak_from_this()](const boost::system::error_code& ec, int signo) {
      auto self = weak.lock();
      if (ec || !self || self->cancelled) return;  // operation_aborted on cancel() / destruction
      const SignalAction a = classify_signal(signo, self->shutdown_requests);
      if (signo == SIGTERM || signo == SIGINT) ++self->shutdown_requests;
      // Re-arm before the handler runs so a signal arriving during it is not lost.
      self->arm();
      if (a != SignalAction::kIgnore && self->handler) self->handler(a, signo);
    });
  }

  boost::asio::signal_set set;
  Handler handler;
  std::uint32_t shutdown_requests = 0;
  bool cancelled = false;
};

SignalWatcher::SignalWatcher(boost::asio::io_context& io, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  std::signal(SIGPIPE, SIG_IGN);
  impl_->arm();
}

SignalWatcher::~SignalWatcher() {
  cancel();
}

void SignalWatcher::cancel() noexcept {
  if (!impl_ || impl_->cancelled) return;
  impl_->cancelled = true;
  boost::system::error_code ec;
  impl_->set.cancel(ec);
  impl_->set.clear(ec);  // restores the default dispositions
}

std::uint32_t SignalWatcher::shutdown_requests() const noexcept {
  return impl_ ? impl_->shutdown_requests : 0;
}

}  // namespace bparb::app
