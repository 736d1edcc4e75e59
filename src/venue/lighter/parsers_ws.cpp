// Lighter WebSocket frames (docs/lighter.md). Single forward pass per frame: keys are matched as they
// come, so a frame's `type` (which the venue sends last) is only looked at once the payload has been read.
#include "parsers_fast.hpp"
#include "parsers_json.hpp"

namespace bparb::lighter {

using namespace json;  // NOLINT(google-build-using-namespace): the parsers' own readers

namespace {

ParseError parse_levels(od::value& v, std::vector<LevelUpdate>& out, const char* field) noexcept {
  out.clear();
  return for_each_element(v, field, [&](od::value& el) noexcept -> ParseError {
    LevelUpdate u;
    bool has_price = false;
    bool has_size = false;
    LTRY(for_each_field(el, field, [&](std::string_view k, od::value& x) noexcept -> ParseError {
      if (k == "price") {
        has_price = true;
        return get_decimal(x, u.price, field);
      }
      if (k == "size") {
        has_size = true;
        return get_decimal(x, u.quantity, field);
      }
      return ok();
    }));
    if (!has_price || !has_size) return fail(ParseErrc::kMissingField, field);
    if (!u.price.is_positive() || u.quantity.is_negative()) return fail(ParseErrc::kBadValue, field);
    if (out.size() == out.capacity()) {
      // Growth beyond the warm capacity (a larger snapshot than ever before) is the one allocation.
      try {
        out.reserve(std::max<std::size_t>(64, out.capacity() * 2));
      } catch (...) {
        return fail(ParseErrc::kTooLarge, field);
      }
    }
    out.push_back(u);
    return ok();
  });
}

ParseError parse_book_object(od::value& v, BookFrame& b, bool& has_nonce, bool& has_begin) noexcept {
  return for_each_field(v, "order_book", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "asks") return parse_levels(x, b.levels.asks, "order_book.asks");
    if (k == "bids") return parse_levels(x, b.levels.bids, "order_book.bids");
    if (k == "nonce") {
      has_nonce = true;
      return get_int_range(x, b.nonce, 0, INT64_MAX, "order_book.nonce");
    }
    if (k == "begin_nonce") {
      has_begin = true;
      return get_int_range(x, b.begin_nonce, 0, INT64_MAX, "order_book.begin_nonce");
    }
    if (k == "offset") return get_int(x, b.offset, "order_book.offset");
    if (k == "last_updated_at") return get_int(x, b.last_updated_at_us, "order_book.last_updated_at");
    if (k == "code") {
      std::int64_t c = 0;
      LTRY(get_int(x, c, "order_book.code"));
      return c == 0 ? ok() : fail(ParseErrc::kBadValue, "order_book.code");
    }
    return ok();
  });
}

// Milliseconds that still fit in microseconds.
constexpr std::int64_t kMaxTimestampMs = INT64_MAX / kUsPerMs;

enum class Kind : std::uint8_t { kOther, kOrderBook, kTrade, kAccountOrders, kAccountAll };

// "subscribed/order_book" -> (snapshot, kOrderBook) etc.
bool split_type(std::string_view t, bool& snapshot, Kind& kind) noexcept {
  std::string_view name;
  if (t.starts_with("subscribed/")) {
    snapshot = true;
    name = t.substr(11);
  } else if (t.starts_with("update/")) {
    snapshot = false;
    name = t.substr(7);
  } else {
    return false;
  }
  if (name == "order_book") {
    kind = Kind::kOrderBook;
  } else if (name == "trade") {
    kind = Kind::kTrade;
  } else if (name == "account_orders" || name == "account_all_orders") {
    kind = Kind::kAccountOrders;
  } else if (name == "account_all") {
    kind = Kind::kAccountAll;
  } else {
    kind = Kind::kOther;
  }
  return true;
}

ParseError parse_ws_impl(JsonParser& p, JsonInput in, WsFrame& out) noexcept {
  od::document doc;
  LSJ(p.impl().iterate(in, doc), "frame");
  od::value root;
  LSJ(doc.get_value().get(root), "frame");
  std::string_view type;
  std::string_view channel;
  bool has_book = false;
  bool has_nonce = false;
  bool has_begin = false;
  bool has_code = false;
  bool has_tx_hash = false;
  std::size_t n_trades = 0;
  std::size_t n_orders = 0;
  std::size_t n_positions = 0;
  BookFrame& b = out.book;
  // The book's vectors are cleared only when an order_book payload arrives, so other frames never
  // cost the book's warm capacity.
  LTRY(for_each_field(root, "frame", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "type") return get_string(x, type, "type");
    if (k == "channel") return get_string(x, channel, "channel");
    if (k == "order_book") {
      has_book = true;
      b.levels.bids.clear();
      b.levels.asks.clear();
      return parse_book_object(x, b, has_nonce, has_begin);
    }
    if (k == "timestamp") return get_int_range(x, b.timestamp_ms, 0, kMaxTimestampMs, "timestamp");
    if (k == "trades") {
      return for_each_keyed_element(x, "trades", [&](od::value& el) noexcept -> ParseError {
        try {
          return parse_trade(el, next_slot(out.trades, n_trades));
        } catch (...) {
          return fail(ParseErrc::kTooLarge, "trades");
        }
      });
    }
    if (k == "orders") {
      return for_each_keyed_element(x, "orders", [&](od::value& el) noexcept -> ParseError {
        try {
          return parse_order(el, next_slot(out.orders, n_orders));
        } catch (...) {
          return fail(ParseErrc::kTooLarge, "orders");
        }
      });
    }
    if (k == "positions") {
      return for_each_keyed_element(x, "positions", [&](od::value& el) noexcept -> ParseError {
        try {
          return parse_position(el, next_slot(out.positions, n_positions));
        } catch (...) {
          return fail(ParseErrc::kTooLarge, "positions");
        }
      });
    }
    if (k == "account") return get_int(x, out.account, "account");
    if (k == "code") {
      has_code = true;
      return get_int(x, out.error_code, "code");
    }
    if (k == "message") return scalar_text(x, out.error_message, "message");
    if (k == "error") {  // {"error":{"code":..,"message":..}}
      has_code = true;
      return for_each_field(x, "error", [&](std::string_view ek, od::value& ev) noexcept -> ParseError {
        if (ek == "code") return get_int(ev, out.error_code, "error.code");
        if (ek == "message") return scalar_text(ev, out.error_message, "error.message");
        return ok();
      });
    }
    if (k == "tx_hash") {
      has_tx_hash = true;
      return get_tx_hash(x, out.send_tx.tx_hash, "tx_hash");
    }
    if (k == "id") {
      // Ours are decimal integers; another client's id of any other shape is simply not ours.
      std::int64_t id = -1;
      if (get_int(x, id, "id").ok() && id >= 0) out.request_id = id;
      return ok();
    }
    if (k == "predicted_execution_time_ms")
      return get_int(x, out.send_tx.predicted_execution_time_ms, "predicted_execution_time_ms");
    if (k == "volume_quota_remaining") return get_int(x, out.send_tx.volume_quota_remaining, "volume_quota_remaining");
    return ok();
  }));
  out.trades.resize(n_trades);
  out.orders.resize(n_orders);
  out.positions.resize(n_positions);

  if (type.empty()) {
    if (has_code && out.error_code != 200) {
      out.type = WsType::kError;
      return ok();
    }
    return fail(ParseErrc::kMissingField, "type");
  }
  if (type == "ping") {
    out.type = WsType::kPing;
    return ok();
  }
  if (type == "pong") {
    out.type = WsType::kPong;
    return ok();
  }
  if (type == "connected") {
    out.type = WsType::kConnected;
    return ok();
  }
  if (type == "error") {
    if (!has_code) return fail(ParseErrc::kMissingField, "code");
    out.type = WsType::kError;
    return ok();
  }
  if (type == "jsonapi/sendtx" || type == "jsonapi/sendtxbatch") {
    if (!has_code) return fail(ParseErrc::kMissingField, "code");
    if (out.error_code == 200 && !has_tx_hash && type == "jsonapi/sendtx")
      return fail(ParseErrc::kMissingField, "tx_hash");
    out.type = WsType::kSendTx;
    return ok();
  }
  Kind kind = Kind::kOther;
  if (!split_type(type, out.snapshot, kind) || kind == Kind::kOther) {
    out.type = WsType::kUnknown;
    return ok();
  }
  switch (kind) {
    case Kind::kOrderBook: {
      if (!has_book) return fail(ParseErrc::kMissingField, "order_book");
      if (!has_nonce) return fail(ParseErrc::kMissingField, "order_book.nonce");
      if (!out.snapshot && !has_begin) return fail(ParseErrc::kMissingField, "order_book.begin_nonce");
      const std::string_view tail = channel_tail(channel);
      std::int64_t m = 0;
      LTRY(int_from_text(tail, m, "channel"));
      if (m < 0) return fail(ParseErrc::kBadValue, "channel");
      b.market_id = m;
      b.snapshot = out.snapshot;
      b.levels.first_update_id = b.begin_nonce;
      b.levels.last_update_id = b.nonce;
      b.levels.engine_time_us = b.last_updated_at_us;
      b.levels.event_time_us = b.timestamp_ms * kUsPerMs;
      out.type = WsType::kOrderBook;
      return ok();
    }
    case Kind::kTrade:
      out.type = WsType::kTrade;
      return ok();
    case Kind::kAccountOrders:
      out.type = WsType::kAccountOrders;
      return ok();
    case Kind::kAccountAll:
      out.type = WsType::kAccountAll;
      return ok();
    case Kind::kOther:
      break;
  }
  out.type = WsType::kUnknown;
  return ok();
}

}  // namespace

namespace {
void reset_frame(WsFrame& out) noexcept {
  out.type = WsType::kNone;
  out.snapshot = false;
  out.account = 0;
  out.error_code = 0;
  out.error_message = {};
  out.request_id = -1;
  BookFrame& b = out.book;
  b.offset = b.nonce = b.begin_nonce = b.last_updated_at_us = b.timestamp_ms = 0;
}
}  // namespace

ParseError parse_ws_frame_generic(JsonParser& p, JsonInput in, WsFrame& out) noexcept {
  reset_frame(out);
  const ParseError e = parse_ws_impl(p, in, out);
  if (!e.ok()) out.type = WsType::kNone;
  return e;
}

ParseError parse_ws_frame(JsonParser& p, JsonInput in, WsFrame& out) noexcept {
  constexpr std::string_view kBookPrefix = R"({"channel":"order_book:)";
  if (in.data != nullptr && std::string_view(in.data, in.size).starts_with(kBookPrefix)) {
    reset_frame(out);
    if (detail::fast_book_frame(in.data, in.data + in.size, out)) return ParseError{};
  }
  return parse_ws_frame_generic(p, in, out);
}

}  // namespace bparb::lighter
