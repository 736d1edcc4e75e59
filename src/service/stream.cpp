#include "bparb/service/stream.hpp"

namespace bparb::service {

namespace {

std::string_view trim_newlines(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

void append_sse_event(std::string& out, std::string_view name, std::uint64_t id, std::string_view data) {
  out += "event: ";
  out += name;
  out += "\nid: ";
  out += std::to_string(id);
  out += '\n';
  data = trim_newlines(data);
  // A bare CR also ends a line for an SSE parser: every line break becomes its own data line.
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n' ? 2 : 1);
  }
  out += '\n';
}

void append_sse_comment(std::string& out, std::string_view text) {
  out += ": ";
  out += trim_newlines(text.substr(0, text.find_first_of("\r\n")));
  out += "\n\n";
}

std::string sse_stream_head(unsigned retry_ms) {
  std::string o =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-store\r\n"
      "Connection: close\r\n"
      "X-Accel-Buffering: no\r\n"
      "\r\n";
  o += "retry: ";
  o += std::to_string(retry_ms);
  o += "\n\n";
  return o;
}

std::string render_stream_data(std::string_view status_json, std::string_view positions_json,
                               std::string_view orders_json) {
  std::string o;
  o.reserve(status_json.size() + positions_json.size() + orders_json.size() + 48);
  o += R"({"status":)";
  o += trim_newlines(status_json);
  o += R"(,"positions":)";
  o += trim_newlines(positions_json);
  o += R"(,"orders":)";
  o += trim_newlines(orders_json);
  o += '}';
  return o;
}

StreamStep stream_step(bool writing, TimestampUs write_started_us, TimestampUs now_us, DurationUs stall_us) noexcept {
  if (!writing) return StreamStep::kWrite;
  return now_us - write_started_us > stall_us ? StreamStep::kDrop : StreamStep::kSkip;
}

}  // namespace bparb::service
