#pragma once
// The recent log lines as records for GET /api/v1/events (docs/service.md): a log sink holding the last
// kCapacity lines at info level and above, each with a sequence number. The daemon adds it (behind the
// redacting wrapper, so a secret never reaches it) to its own logger when the service is enabled. Slots
// keep their string capacity, so a warm ring does not allocate; a mutex guards it because any thread may
// log.
#include <spdlog/sinks/base_sink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/service/views.hpp"

namespace bparb::service {

class EventLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr std::size_t kCapacity = 256;
  EventLogSink();

  // Appends the held lines with seq > since_seq, oldest first (takes the sink's lock).
  void copy_since(std::uint64_t since_seq, std::vector<EventView>& out);
  std::uint64_t last_seq();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  struct Slot {
    std::uint64_t seq = 0;
    TimestampUs time_us = 0;
    std::string_view level;
    std::string text;
  };
  std::array<Slot, kCapacity> slots_{};
  std::uint64_t seq_ = 0;
};

}  // namespace bparb::service
