#include "bparb/service/event_log.hpp"

#include <chrono>

namespace bparb::service {
namespace {

std::string_view level_word(spdlog::level::level_enum l) noexcept {
  switch (l) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warning";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

}  // namespace

EventLogSink::EventLogSink() {
  // Debug detail (quotes, frames) would push the operator's lines out of the ring.
  set_level(spdlog::level::info);
}

void EventLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  Slot& s = slots_[seq_ % kCapacity];
  s.seq = ++seq_;
  s.time_us = std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
  s.level = level_word(msg.level);
  s.text.assign(msg.payload.data(), msg.payload.size());
}

void EventLogSink::copy_since(std::uint64_t since_seq, std::vector<EventView>& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t held = seq_ < kCapacity ? seq_ : kCapacity;
  for (std::uint64_t seq = seq_ - held + 1; seq <= seq_; ++seq) {
    if (seq <= since_seq) continue;
    const Slot& s = slots_[(seq - 1) % kCapacity];
    out.push_back({s.seq, s.time_us, s.level, s.text});
  }
}

std::uint64_t EventLogSink::last_seq() {
  std::lock_guard<std::mutex> lock(mutex_);
  return seq_;
}

}  // namespace bparb::service
