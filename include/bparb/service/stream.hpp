#pragma once
// The live event stream, GET /api/v1/stream (docs/service.md): Server-Sent Events, one `snapshot` event per
// snapshot. The pieces here are pure (framing, the client bound, what to do with a client at a snapshot);
// the server (http.hpp) owns the sockets and writes from the snapshot timer only, so the stream can never
// make the event loop do more than one render per snapshot, whatever the number of clients.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"

namespace bparb::service {

inline constexpr std::string_view kStreamPath = "/api/v1/stream";

// Appends one event: `event: <name>`, `id: <id>`, then one `data:` line per line of `data` (a trailing
// newline of `data` is dropped), then the blank line that ends the event. `name` holds no newline.
void append_sse_event(std::string& out, std::string_view name, std::uint64_t id, std::string_view data);
// Appends a comment (`: <text>`), which a client ignores: the keep-alive.
void append_sse_comment(std::string& out, std::string_view text);
// The HTTP/1.1 answer head that opens a stream: 200, text/event-stream, no-store, closed by the server
// (the body runs until either side closes), then the client's reconnect delay.
std::string sse_stream_head(unsigned retry_ms);
// The data of one `snapshot` event: {"status":<status>,"positions":<positions>,"orders":<orders>}, each
// part the JSON its own endpoint serves (trailing newlines dropped).
std::string render_stream_data(std::string_view status_json, std::string_view positions_json,
                               std::string_view orders_json);

// At most `capacity` stream clients at once; the next one is answered 503.
class StreamSlots {
 public:
  explicit StreamSlots(std::size_t capacity) noexcept : capacity_(capacity) {}
  bool try_acquire() noexcept {
    if (used_ >= capacity_) return false;
    ++used_;
    return true;
  }
  void release() noexcept {
    if (used_ > 0) --used_;
  }
  std::size_t used() const noexcept { return used_; }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::size_t capacity_;
  std::size_t used_ = 0;
};

// What a snapshot does to one stream client: write the event, skip it (its previous write is still under
// way: a slow reader misses events instead of growing a queue), or drop it (a write has been under way for
// longer than `stall_us`: the reader is gone or stuck, and its slot is better given to another).
enum class StreamStep : std::uint8_t { kWrite, kSkip, kDrop };
StreamStep stream_step(bool writing, TimestampUs write_started_us, TimestampUs now_us, DurationUs stall_us) noexcept;

}  // namespace bparb::service
