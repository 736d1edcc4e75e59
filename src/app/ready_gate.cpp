#include "bparb/app/ready_gate.hpp"

#include <chrono>
#include <utility>

namespace bparb::app {

ReadyAfterBookSync::ReadyAfterBookSync(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log,
                                       ServiceNotifier& svc)
    : log_(std::move(log)), svc_(svc), timer_(io) {}

void ReadyAfterBookSync::start(std::size_t total, std::function<std::size_t()> synced,
                               std::function<std::string()> ready_status) {
  total_ = total;
  synced_ = std::move(synced);
  ready_status_ = std::move(ready_status);
  check();
}

void ReadyAfterBookSync::cancel() noexcept {
  timer_.cancel();
}

void ReadyAfterBookSync::check() {
  const std::size_t n = synced_();
  if (n >= total_) {
    ready_ = true;
    log_->info("Ready: {} order book(s) synced after recovery; trading", total_);
    svc_.ready(ready_status_());
    return;
  }
  if (n != last_synced_) {  // one STATUS= per change, not per look
    last_synced_ = n;
    svc_.status(fmt::format("starting: waiting for order books ({}/{} synced)", n, total_));
  }
  timer_.expires_after(std::chrono::microseconds(kPollUs));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) check();
  });
}

}  // namespace bparb::app
