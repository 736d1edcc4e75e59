// WebSocket frame parsers (hot path): no exceptions, no allocation once the output vectors are warm.
// Fields are matched by a single pass over the object, so key order does not matter.
#include <cstring>

#include "parsers_detail.hpp"

namespace bparb::backpack {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): local helper vocabulary

// Required-field bookkeeping: each parser ORs a bit when it sees a field and checks the mask at the end.
struct Seen {
  std::uint32_t bits = 0;
  void set(int i) noexcept { bits |= 1u << i; }
  bool has(int i) const noexcept { return (bits >> i) & 1u; }
};

inline char key1(std::string_view k) noexcept {
  return k.size() == 1 ? k[0] : '\0';
}

ParseError check_event(od::value& v, std::string_view expected, const char* field) noexcept {
  std::string_view e;
  BPARB_TRY(get_string(v, e, field));
  if (e != expected) return fail(ParseErrc::kUnknownStream, field);
  return ok();
}

// doc_end: one past the document's last byte (JsonParser::Impl::doc_end), for the fast level reader.
ParseError depth_obj(od::object& obj, DepthDelta& out, const char* doc_end) noexcept {
  out.clear();
  Seen seen;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    switch (key1(k)) {
      case 'e':
        return check_event(v, "depth", "data.e");
      case 'E':
        return get_int_fast(v, out.event_time_us, "data.E", doc_end);
      case 'T':
        return get_int_fast(v, out.engine_time_us, "data.T", doc_end);
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'U':
        seen.set(1);
        return get_int_fast(v, out.first_update_id, "data.U", doc_end);
      case 'u':
        seen.set(2);
        return get_int_fast(v, out.last_update_id, "data.u", doc_end);
      case 'a':
        return get_levels_fast(v, out.asks, "data.a", doc_end);
      case 'b':
        return get_levels_fast(v, out.bids, "data.b", doc_end);
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.U");
  if (!seen.has(2)) return fail(ParseErrc::kMissingField, "data.u");
  if (out.first_update_id > out.last_update_id) return fail(ParseErrc::kBadValue, "data.U");
  return ok();
}

ParseError book_ticker_obj(od::object& obj, BookTickerEvent& out) noexcept {
  out = BookTickerEvent{};
  Seen seen;
  bool a = false, A = false, b = false, B = false;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    switch (key1(k)) {
      case 'e':
        return check_event(v, "bookTicker", "data.e");
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 'T':
        return get_int(v, out.engine_time_us, "data.T");
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'u':
        return get_int(v, out.update_id, "data.u");
      case 'a':
        return get_opt_decimal(v, out.ask_price, a, "data.a");
      case 'A':
        return get_opt_decimal(v, out.ask_quantity, A, "data.A");
      case 'b':
        return get_opt_decimal(v, out.bid_price, b, "data.b");
      case 'B':
        return get_opt_decimal(v, out.bid_quantity, B, "data.B");
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  out.has_ask = a && A;
  out.has_bid = b && B;
  return ok();
}

ParseError trade_obj(od::object& obj, TradeEvent& out) noexcept {
  out = TradeEvent{};
  Seen seen;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    switch (key1(k)) {
      case 'e':
        return check_event(v, "trade", "data.e");
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 'T':
        return get_int(v, out.engine_time_us, "data.T");
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'p':
        seen.set(1);
        return get_decimal(v, out.price, "data.p");
      case 'q':
        seen.set(2);
        return get_decimal(v, out.quantity, "data.q");
      case 'b':
        return is_null(v) ? ok() : get_id_text(v, out.buyer_order_id, "data.b");
      case 'a':
        return is_null(v) ? ok() : get_id_text(v, out.seller_order_id, "data.a");
      case 't':
        return is_null(v) ? ok() : get_int(v, out.trade_id, "data.t");
      case 'm':
        return get_bool(v, out.buyer_is_maker, "data.m");
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.p");
  if (!seen.has(2)) return fail(ParseErrc::kMissingField, "data.q");
  return ok();
}

ParseError mark_price_obj(od::object& obj, MarkPriceEvent& out) noexcept {
  out = MarkPriceEvent{};
  Seen seen;
  bool has_f = false, has_i = false;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    switch (key1(k)) {
      case 'e':
        return check_event(v, "markPrice", "data.e");
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 'T':
        return get_int(v, out.engine_time_us, "data.T");
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'p':
        seen.set(1);
        return get_decimal_rounded(v, out.mark_price, "data.p");
      case 'f':
        return get_opt_decimal(v, out.funding_rate, has_f, "data.f", true);
      case 'i':
        return get_opt_decimal(v, out.index_price, has_i, "data.i", true);
      case 'n':
        return is_null(v) ? ok() : get_int(v, out.next_funding_ms, "data.n");
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.p");
  out.has_funding = has_f;
  return ok();
}

ParseError ticker_obj(od::object& obj, TickerEvent& out) noexcept {
  out = TickerEvent{};
  Seen seen;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    switch (key1(k)) {
      case 'e':
        return check_event(v, "ticker", "data.e");
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'o':
        return get_decimal_rounded(v, out.open, "data.o");
      case 'c':
        seen.set(1);
        return get_decimal_rounded(v, out.close, "data.c");
      case 'h':
        return get_decimal_rounded(v, out.high, "data.h");
      case 'l':
        return get_decimal_rounded(v, out.low, "data.l");
      case 'v':
        return get_decimal_rounded(v, out.volume, "data.v");
      case 'V':
        return get_decimal_rounded(v, out.quote_volume, "data.V");
      case 'n':
        return get_int(v, out.trades, "data.n");
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.c");
  return ok();
}

ParseError order_update_obj(od::object& obj, OrderUpdateEvent& out) noexcept {
  out.clear();
  Seen seen;
  bool has_l = false, has_L = false;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    const char c = key1(k);
    if (c == '\0') return ok();
    // Every optional field may be null in live frames ("t":null): null == absent.
    if (c != 'e' && c != 's' && c != 'i' && c != 'S' && c != 'X' && is_null(v)) return ok();
    switch (c) {
      case 'e':
        seen.set(0);
        return get_enum(v, out.event, parse_order_event_type, "data.e");
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 'T':
        return get_int(v, out.engine_time_us, "data.T");
      case 's':
        seen.set(1);
        return get_string(v, out.symbol, "data.s");
      case 'i':
        seen.set(2);
        return get_id_text(v, out.order_id, "data.i");
      case 'S':
        seen.set(3);
        return get_enum(v, out.side, parse_side, "data.S");
      case 'X':
        seen.set(4);
        return get_enum(v, out.status, parse_order_status, "data.X");
      case 'c':
        out.has_client_id = true;
        return get_u32(v, out.client_id, "data.c");
      case 'o':
        return get_enum(v, out.order_type, parse_order_type, "data.o");
      case 'f':
        out.has_time_in_force = true;
        return get_enum(v, out.time_in_force, parse_tif, "data.f");
      case 'q':
        out.has_quantity = true;
        return get_decimal(v, out.quantity, "data.q");
      case 'Q':
        out.has_quote_quantity = true;
        return get_decimal(v, out.quote_quantity, "data.Q");
      case 'p':
        out.has_price = true;
        return get_decimal(v, out.price, "data.p");
      case 'P':
        out.has_trigger_price = true;
        return get_decimal(v, out.trigger_price, "data.P");
      case 'Y':
        return get_id_text(v, out.trigger_quantity, "data.Y");
      case 'R':
        return get_string(v, out.expiry_reason, "data.R");
      case 't':
        out.has_trade_id = true;
        return get_int(v, out.trade_id, "data.t");
      case 'l':
        has_l = true;
        return get_decimal(v, out.fill_quantity, "data.l");
      case 'L':
        has_L = true;
        return get_decimal(v, out.fill_price, "data.L");
      case 'z':
        return get_decimal(v, out.executed_quantity, "data.z");
      case 'Z':
        return get_decimal(v, out.executed_quote_quantity, "data.Z");
      case 'm':
        return get_bool(v, out.is_maker, "data.m");
      case 'n':
        out.has_fee = true;
        return get_decimal(v, out.fee, "data.n");
      case 'N':
        return get_string(v, out.fee_symbol, "data.N");
      case 'V':
        out.has_self_trade_prevention = true;
        return get_enum(v, out.self_trade_prevention, parse_stp, "data.V");
      case 'O':
        return get_string(v, out.origin, "data.O");
      case 'I':
        return get_id_text(v, out.related_order_id, "data.I");
      case 'H':
        return get_id_text(v, out.strategy_id, "data.H");
      case 'y':
        return get_bool(v, out.post_only, "data.y");
      case 'r':
        return get_bool(v, out.reduce_only, "data.r");
      default:
        return ok();  // a/b/j/k (TP/SL), B/d/g (trigger-by): not used by the daemon
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.e");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(2)) return fail(ParseErrc::kMissingField, "data.i");
  if (!seen.has(3)) return fail(ParseErrc::kMissingField, "data.S");
  if (!seen.has(4)) return fail(ParseErrc::kMissingField, "data.X");
  out.has_fill = has_l && has_L;
  if (out.event == OrderEventType::kOrderFill && !out.has_fill) return fail(ParseErrc::kMissingField, "data.l");
  return ok();
}

ParseError position_update_obj(od::object& obj, PositionUpdateEvent& out) noexcept {
  out.clear();
  Seen seen;
  ParseError fe_status = for_each_field(obj, "data", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    const char c = key1(k);
    if (c == '\0') return ok();
    if (c != 's' && c != 'q' && is_null(v)) return ok();
    switch (c) {
      case 'e': {
        std::string_view e;
        BPARB_TRY(get_string(v, e, "data.e"));
        if (e == "positionAdjusted")
          out.event = PositionEventType::kPositionAdjusted;
        else if (e == "positionOpened")
          out.event = PositionEventType::kPositionOpened;
        else if (e == "positionClosed")
          out.event = PositionEventType::kPositionClosed;
        else
          return fail(ParseErrc::kBadEnum, "data.e");
        return ok();
      }
      case 'E':
        return get_int(v, out.event_time_us, "data.E");
      case 'T':
        return get_int(v, out.engine_time_us, "data.T");
      case 's':
        seen.set(0);
        return get_string(v, out.symbol, "data.s");
      case 'q':
        seen.set(1);
        return get_decimal(v, out.net_quantity, "data.q");
      case 'i':
        return get_int(v, out.position_id, "data.i");
      case 'b':
        return get_decimal_rounded(v, out.break_even_price, "data.b");
      case 'B':
        return get_decimal_rounded(v, out.entry_price, "data.B");
      case 'f':
        return get_decimal_rounded(v, out.imf, "data.f");
      case 'm':
        return get_decimal_rounded(v, out.mmf, "data.m");
      case 'M':
        return get_decimal_rounded(v, out.mark_price, "data.M");
      case 'Q':
        return get_decimal_rounded(v, out.net_exposure_quantity, "data.Q");
      case 'n':
        return get_decimal_rounded(v, out.net_exposure_notional, "data.n");
      case 'p':
        return get_decimal_rounded(v, out.pnl_realized, "data.p");
      case 'P':
        return get_decimal_rounded(v, out.pnl_unrealized, "data.P");
      case 'l':
        return get_decimal_rounded(v, out.est_liquidation_price, "data.l");
      default:
        return ok();
    }
  });
  if (!fe_status.ok()) return fe_status;
  if (!seen.has(0)) return fail(ParseErrc::kMissingField, "data.s");
  if (!seen.has(1)) return fail(ParseErrc::kMissingField, "data.q");
  return ok();
}

ParseError error_obj(od::object& obj, WsErrorEvent& out) noexcept {
  out.code = 0;  // id/has_id may already be set from an "id" key that came first
  out.message = {};
  bool has_code = false;
  ParseError fe_status = for_each_field(obj, "error", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    if (k == "code") {
      has_code = true;
      return get_int(v, out.code, "error.code");
    }
    if (k == "message") return is_null(v) ? ok() : get_string(v, out.message, "error.message");
    return ok();
  });
  if (!fe_status.ok()) return fe_status;
  if (!has_code) return fail(ParseErrc::kMissingField, "error.code");
  return ok();
}

// Stream name -> frame type. "depth.SOL_USDC", "depth.200ms.SOL_USDC", "account.orderUpdate",
// "account.orderUpdate.SOL_USDC", ...
WsFrameType classify(std::string_view stream) noexcept {
  auto starts = [&](std::string_view p) noexcept {
    return stream.size() >= p.size() && stream.compare(0, p.size(), p) == 0;
  };
  auto exact_or_dot = [&](std::string_view p) noexcept {
    return stream == p || (starts(p) && stream.size() > p.size() && stream[p.size()] == '.');
  };
  if (starts("depth.")) return WsFrameType::kDepth;
  if (starts("bookTicker.")) return WsFrameType::kBookTicker;
  if (starts("trade.")) return WsFrameType::kTrade;
  if (starts("markPrice.")) return WsFrameType::kMarkPrice;
  if (starts("ticker.")) return WsFrameType::kTicker;
  if (exact_or_dot("account.orderUpdate")) return WsFrameType::kOrderUpdate;
  if (exact_or_dot("account.positionUpdate")) return WsFrameType::kPositionUpdate;
  return WsFrameType::kUnknown;
}

ParseError dispatch(WsFrameType type, od::object& data, WsFrame& out, const char* doc_end) noexcept {
  switch (type) {
    case WsFrameType::kDepth:
      return depth_obj(data, out.depth, doc_end);
    case WsFrameType::kBookTicker:
      return book_ticker_obj(data, out.book_ticker);
    case WsFrameType::kTrade:
      return trade_obj(data, out.trade);
    case WsFrameType::kMarkPrice:
      return mark_price_obj(data, out.mark_price);
    case WsFrameType::kTicker:
      return ticker_obj(data, out.ticker);
    case WsFrameType::kOrderUpdate:
      return order_update_obj(data, out.order_update);
    case WsFrameType::kPositionUpdate:
      return position_update_obj(data, out.position_update);
    default:
      return ok();
  }
}

ParseError parse_data(WsFrameType type, od::value& v, WsFrame& out, const char* doc_end) noexcept {
  if (type == WsFrameType::kUnknown) return ok();  // a stream we don't decode: not an error
  od::json_type t;
  BPARB_TRY(value_type(v, t, "data"));
  if (t != od::json_type::object) return fail(ParseErrc::kWrongType, "data");
  od::object data;
  BPARB_SJ(v.get_object().get(data), "data");
  return dispatch(type, data, out, doc_end);
}

template <class Out, class Fn>
ParseError parse_payload(JsonParser& p, JsonInput in, Out& out, Fn fn) noexcept {
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "data"));
  return fn(obj, out);
}

}  // namespace

ParseError parse_ws_frame(JsonParser& p, JsonInput in, WsFrame& out) noexcept {
  // Depth, bookTicker and trade frames of the usual shapes skip simdjson entirely (parsers_ws_fast.cpp);
  // everything else (and every error) is decided by the simdjson path below. The size limit applies to both.
  if (in.data != nullptr && in.size <= p.impl().max_document_bytes &&
      detail::fast_ws_frame(in.data, in.data + in.size, out, p.impl().fast_strings, sizeof p.impl().fast_strings))
    return ok();
  return detail::parse_ws_frame_simdjson(p, in, out);
}

ParseError detail::parse_ws_frame_simdjson(JsonParser& p, JsonInput in, WsFrame& out) noexcept {
  out.type = WsFrameType::kNone;
  out.stream = {};
  out.error = WsErrorEvent{};
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "frame"));

  // One in-order pass over the envelope: the usual {"stream":..,"data":..} is decoded without
  // backtracking, and walking to the closing brace catches truncated frames. If "data" comes before
  // "stream" it is skipped here and revisited with find_field_unordered afterwards (rare path).
  WsFrameType type = WsFrameType::kUnknown;
  bool has_stream = false, has_data = false, data_done = false, has_error = false;
  ParseError fe_status = for_each_field(obj, "frame", [&](std::string_view k, od::value& v) noexcept -> ParseError {
    if (k == "stream") {
      BPARB_TRY(get_string(v, out.stream, "stream"));
      type = classify(out.stream);
      has_stream = true;
      return ok();
    }
    if (k == "data") {
      has_data = true;
      if (!has_stream) return ok();
      data_done = true;
      return parse_data(type, v, out, p.impl().doc_end);
    }
    if (k == "error") {
      od::json_type t;
      BPARB_TRY(value_type(v, t, "error"));
      if (t != od::json_type::object) return fail(ParseErrc::kWrongType, "error");
      od::object eo;
      BPARB_SJ(v.get_object().get(eo), "error");
      has_error = true;
      return error_obj(eo, out.error);
    }
    if (k == "id") {
      out.error.has_id = false;
      if (!is_null(v) && get_int(v, out.error.id, "id").ok()) out.error.has_id = true;
      return ok();
    }
    return ok();
  });
  if (!fe_status.ok()) {
    out.type = WsFrameType::kNone;
    return fe_status;
  }
  if (has_stream) {
    if (!has_data) return fail(ParseErrc::kMissingField, "data");
    if (!data_done) {
      od::value dv;
      BPARB_SJ(obj.find_field_unordered("data").get(dv), "data");
      BPARB_TRY(parse_data(type, dv, out, p.impl().doc_end));
    }
    out.type = type;
    return ok();
  }
  out.type = has_error ? WsFrameType::kError : WsFrameType::kUnknown;  // unknown: e.g. a {"result":..,"id":..} ack
  return ok();
}

ParseError parse_depth_event(JsonParser& p, JsonInput in, DepthDelta& out) noexcept {
  return parse_payload(p, in, out,
                       [&p](od::object& obj, DepthDelta& d) noexcept { return depth_obj(obj, d, p.impl().doc_end); });
}
ParseError parse_book_ticker_event(JsonParser& p, JsonInput in, BookTickerEvent& out) noexcept {
  return parse_payload(p, in, out, book_ticker_obj);
}
ParseError parse_trade_event(JsonParser& p, JsonInput in, TradeEvent& out) noexcept {
  return parse_payload(p, in, out, trade_obj);
}
ParseError parse_mark_price_event(JsonParser& p, JsonInput in, MarkPriceEvent& out) noexcept {
  return parse_payload(p, in, out, mark_price_obj);
}
ParseError parse_ticker_event(JsonParser& p, JsonInput in, TickerEvent& out) noexcept {
  return parse_payload(p, in, out, ticker_obj);
}
ParseError parse_order_update_event(JsonParser& p, JsonInput in, OrderUpdateEvent& out) noexcept {
  return parse_payload(p, in, out, order_update_obj);
}
ParseError parse_position_update_event(JsonParser& p, JsonInput in, PositionUpdateEvent& out) noexcept {
  return parse_payload(p, in, out, position_update_obj);
}

}  // namespace bparb::backpack
