// JsonParser, error texts, timestamps, query strings: the parts shared by REST, WS and server parsers.
#include <cstring>

#include "parsers_detail.hpp"

namespace bparb::backpack {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING, "kJsonPadding must match simdjson's padding");

simdjson::error_code JsonParser::Impl::iterate(JsonInput in, simdjson::ondemand::document& doc) noexcept {
  if (in.size > max_document_bytes) return simdjson::CAPACITY;
  if (in.data == nullptr || in.size == 0) return simdjson::EMPTY;
  if (in.capacity >= in.size + simdjson::SIMDJSON_PADDING) {
    doc_end = in.data + in.size;
    return parser.iterate(in.data, in.size, in.capacity).get(doc);
  }
  // Grow-only scratch: after the largest frame has been seen once, no further allocation.
  if (scratch.size() < in.size + simdjson::SIMDJSON_PADDING) {
    try {
      scratch.resize(in.size + simdjson::SIMDJSON_PADDING);
    } catch (...) {
      return simdjson::MEMALLOC;
    }
  }
  std::memcpy(scratch.data(), in.data, in.size);
  std::memset(scratch.data() + in.size, 0, simdjson::SIMDJSON_PADDING);
  doc_end = scratch.data() + in.size;
  return parser.iterate(scratch.data(), in.size, scratch.size()).get(doc);
}

JsonParser::JsonParser(std::size_t max_document_bytes) : impl_(std::make_unique<Impl>(max_document_bytes)) {}
JsonParser::~JsonParser() = default;
JsonParser::JsonParser(JsonParser&&) noexcept = default;
JsonParser& JsonParser::operator=(JsonParser&&) noexcept = default;

const char* to_string(ParseErrc e) noexcept {
  switch (e) {
    case ParseErrc::kOk:
      return "ok";
    case ParseErrc::kInvalidJson:
      return "malformed or truncated JSON";
    case ParseErrc::kWrongType:
      return "wrong JSON type";
    case ParseErrc::kMissingField:
      return "required field missing or null";
    case ParseErrc::kBadNumber:
      return "not a number";
    case ParseErrc::kOutOfRange:
      return "number out of range or too many decimals";
    case ParseErrc::kBadEnum:
      return "unknown enum value";
    case ParseErrc::kBadTimestamp:
      return "not a timestamp (int ms or naive ISO date-time)";
    case ParseErrc::kBadValue:
      return "invalid value";
    case ParseErrc::kUnknownStream:
      return "unexpected stream type";
    case ParseErrc::kTooLarge:
      return "document too large";
  }
  return "?";
}

std::string ParseError::message() const {
  std::string m = (field != nullptr && *field) ? field : "document";
  m += ": ";
  m += to_string(code);
  return m;
}

const char* to_string(WsFrameType t) noexcept {
  switch (t) {
    case WsFrameType::kNone:
      return "none";
    case WsFrameType::kDepth:
      return "depth";
    case WsFrameType::kBookTicker:
      return "bookTicker";
    case WsFrameType::kTrade:
      return "trade";
    case WsFrameType::kMarkPrice:
      return "markPrice";
    case WsFrameType::kTicker:
      return "ticker";
    case WsFrameType::kOrderUpdate:
      return "orderUpdate";
    case WsFrameType::kPositionUpdate:
      return "positionUpdate";
    case WsFrameType::kError:
      return "error";
    case WsFrameType::kUnknown:
      return "unknown";
  }
  return "?";
}

namespace {
struct OrderEventName {
  OrderEventType type;
  std::string_view name;
};
constexpr OrderEventName kOrderEvents[] = {
    {OrderEventType::kOrderAccepted, "orderAccepted"}, {OrderEventType::kOrderCancelled, "orderCancelled"},
    {OrderEventType::kOrderExpired, "orderExpired"},   {OrderEventType::kOrderFill, "orderFill"},
    {OrderEventType::kOrderModified, "orderModified"}, {OrderEventType::kTriggerPlaced, "triggerPlaced"},
    {OrderEventType::kTriggerFailed, "triggerFailed"},
};
}  // namespace

const char* to_string(OrderEventType t) noexcept {
  for (const auto& e : kOrderEvents)
    if (e.type == t) return e.name.data();  // literals are NUL-terminated
  return "?";
}

bool parse_order_event_type(std::string_view s, OrderEventType& out) noexcept {
  for (const auto& e : kOrderEvents) {
    if (e.name == s) {
      out = e.type;
      return true;
    }
  }
  return false;
}

const char* to_string(PositionEventType t) noexcept {
  switch (t) {
    case PositionEventType::kSnapshot:
      return "snapshot";
    case PositionEventType::kPositionAdjusted:
      return "positionAdjusted";
    case PositionEventType::kPositionOpened:
      return "positionOpened";
    case PositionEventType::kPositionClosed:
      return "positionClosed";
  }
  return "?";
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) noexcept {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  out = v;
  return true;
}

bool leap(unsigned y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

bool parse_naive_datetime_ms(std::string_view s, std::int64_t& out_ms) noexcept {
  // YYYY-MM-DD[T| ]HH:MM:SS[.f{0,9}][Z]
  unsigned y, mo, d, h, mi, se;
  if (s.size() < 19) return false;
  if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d)) return false;
  if (s[10] != 'T' && s[10] != ' ') return false;
  if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return false;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return false;
  if (d > kDays[mo - 1] + ((mo == 2 && leap(y)) ? 1 : 0)) return false;
  if (h > 23 || mi > 59 || se > 60) return false;
  std::size_t i = 19;
  unsigned ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t nd = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (nd < 3) ms = ms * 10 + static_cast<unsigned>(s[i] - '0');
      ++nd;
      ++i;
    }
    if (nd == 0 || nd > 9) return false;
    for (std::size_t k = nd; k < 3; ++k) ms *= 10;
  }
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size()) return false;
  const std::int64_t days = days_from_civil(y, mo, d);
  out_ms = ((days * 24 + h) * 60 + mi) * 60'000LL + static_cast<std::int64_t>(se) * 1000 + ms;
  return true;
}

ParseError parse_server_time(std::string_view body, std::int64_t& out_ms) noexcept {
  body = detail::trim_ws(body);
  ParseError e = detail::int_from_text(body, out_ms, "time");
  if (e.ok() && out_ms <= 0) return detail::fail(ParseErrc::kBadValue, "time");
  return e;
}

ParseError parse_query_string(std::string_view query, std::vector<ParamText>& out) {
  out.clear();
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;  // "a=1&&b=2": tolerate empty pieces
    const std::size_t eq = piece.find('=');
    ParamText p;
    if (!percent_decode(piece.substr(0, eq), p.key)) return detail::fail(ParseErrc::kBadValue, "query key");
    if (p.key.empty()) return detail::fail(ParseErrc::kBadValue, "query key");
    if (eq != std::string_view::npos && !percent_decode(piece.substr(eq + 1), p.value))
      return detail::fail(ParseErrc::kBadValue, "query value");
    out.push_back(std::move(p));
  }
  return detail::ok();
}

}  // namespace bparb::backpack
