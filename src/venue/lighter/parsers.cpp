// Lighter REST bodies and WebSocket frames (docs/lighter.md). Single forward pass per document: keys
// are matched as they come, in any order, so a frame's `type` (which the venue sends last) is only
// looked at once the payload has been read.
#include "bparb/venue/lighter/parsers.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "parsers_fast.hpp"

namespace bparb::lighter {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

struct JsonParser::Impl {
  explicit Impl(std::size_t max_bytes) : parser(max_bytes), max_document_bytes(max_bytes) {
    // Reserving up front keeps a frame larger than any before from allocating on the frame path; a
    // failure only means that the first large frame allocates.
    [[maybe_unused]] const simdjson::error_code reserved =
        parser.allocate(std::min<std::size_t>(max_bytes, std::size_t{64} * 1024));
  }
  simdjson::ondemand::parser parser;
  std::string scratch;
  std::size_t max_document_bytes;

  simdjson::error_code iterate(JsonInput in, simdjson::ondemand::document& doc) noexcept {
    if (in.size > max_document_bytes) return simdjson::CAPACITY;
    if (in.data != nullptr && in.capacity >= in.size + simdjson::SIMDJSON_PADDING)
      return parser.iterate(in.data, in.size, in.capacity).get(doc);
    const std::size_t need = in.size + simdjson::SIMDJSON_PADDING;
    if (scratch.size() < need) {
      try {
        scratch.resize(need);
      } catch (...) {
        return simdjson::MEMALLOC;
      }
    }
    if (in.size != 0) std::memcpy(scratch.data(), in.data, in.size);
    std::memset(scratch.data() + in.size, 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(scratch.data(), in.size, scratch.size()).get(doc);
  }
};

JsonParser::JsonParser(std::size_t max_document_bytes) : impl_(std::make_unique<Impl>(max_document_bytes)) {}
JsonParser::~JsonParser() = default;
JsonParser::JsonParser(JsonParser&&) noexcept = default;
JsonParser& JsonParser::operator=(JsonParser&&) noexcept = default;

const char* to_string(ParseErrc e) noexcept {
  switch (e) {
    case ParseErrc::kOk:
      return "ok";
    case ParseErrc::kInvalidJson:
      return "invalid JSON";
    case ParseErrc::kWrongType:
      return "wrong type";
    case ParseErrc::kMissingField:
      return "missing field";
    case ParseErrc::kBadNumber:
      return "not a number";
    case ParseErrc::kOutOfRange:
      return "out of range";
    case ParseErrc::kBadEnum:
      return "unknown value";
    case ParseErrc::kBadValue:
      return "invalid value";
    case ParseErrc::kApiError:
      return "venue error";
    case ParseErrc::kTooLarge:
      return "document too large";
  }
  return "?";
}

std::string ParseError::message() const {
  std::string m = std::string(field) + ": " + to_string(code);
  if (code == ParseErrc::kApiError) m += " " + std::to_string(api_code) + " (" + to_string(venue_error()) + ")";
  return m;
}

namespace {

namespace od = simdjson::ondemand;

ParseError fail(ParseErrc c, const char* field) noexcept {
  return ParseError{c, field, 0};
}
ParseError ok() noexcept {
  return ParseError{};
}

ParseErrc map_error(simdjson::error_code e) noexcept {
  switch (e) {
    case simdjson::INCORRECT_TYPE:
      return ParseErrc::kWrongType;
    case simdjson::NUMBER_OUT_OF_RANGE:
      return ParseErrc::kOutOfRange;
    case simdjson::NUMBER_ERROR:
      return ParseErrc::kBadNumber;
    case simdjson::NO_SUCH_FIELD:
      return ParseErrc::kMissingField;
    case simdjson::CAPACITY:
      return ParseErrc::kTooLarge;
    default:
      return ParseErrc::kInvalidJson;
  }
}

#define LCAT2(a, b) a##b
#define LCAT(a, b) LCAT2(a, b)
// Unique names: the macros nest inside the lambdas of each other.
#define LTRY(expr) LTRY_N(expr, LCAT(e_, __COUNTER__))
#define LTRY_N(expr, name)                                                                 \
  do {                                                                                     \
    const ::bparb::lighter::ParseError name = (expr);                                      \
    if (!name.ok()) return name; /* NOLINT(bugprone-macro-parentheses): a declared name */ \
  } while (0)

#define LSJ(expr, field)                                                \
  do {                                                                  \
    ::simdjson::error_code sj_ = (expr);                                \
    if (sj_ != ::simdjson::SUCCESS) return fail(map_error(sj_), field); \
  } while (0)

bool is_null(od::value& v) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS || t != od::json_type::null) return false;
  bool n = false;
  return v.is_null().get(n) == simdjson::SUCCESS && n;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Text of a string (unescaped) or of a number token.
ParseError scalar_text(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::string) {
    LSJ(v.get_string().get(out), field);
    return ok();
  }
  if (t == od::json_type::number) {
    out = trim(v.raw_json_token());
    return ok();
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

ParseError int_from_text(std::string_view s, std::int64_t& out, const char* field) noexcept {
  if (s.empty()) return fail(ParseErrc::kBadNumber, field);
  const char* b = s.data();
  const char* e = s.data() + s.size();
  std::int64_t v = 0;  // from_chars stores a value even when text follows it: assign only on success
  auto r = std::from_chars(b, e, v);
  if (r.ec == std::errc::result_out_of_range) return fail(ParseErrc::kOutOfRange, field);
  if (r.ec != std::errc() || r.ptr != e) return fail(ParseErrc::kBadNumber, field);
  out = v;
  return ok();
}

ParseError get_int(od::value& v, std::int64_t& out, const char* field) noexcept {
  std::string_view s;
  LTRY(scalar_text(v, s, field));
  return int_from_text(s, out, field);
}

ParseError get_int_range(od::value& v, std::int64_t& out, std::int64_t lo, std::int64_t hi,
                         const char* field) noexcept {
  LTRY(get_int(v, out, field));
  if (out < lo || out > hi) return fail(ParseErrc::kOutOfRange, field);
  return ok();
}

template <class T>
ParseError get_small(od::value& v, T& out, std::int64_t lo, std::int64_t hi, const char* field) noexcept {
  std::int64_t x = 0;
  LTRY(get_int_range(v, x, lo, hi, field));
  out = static_cast<T>(x);
  return ok();
}

// Exact unless `rounded` (PnL and funding values may carry more than nine decimals).
ParseError get_decimal(od::value& v, Decimal& out, const char* field, bool rounded = false) noexcept {
  std::string_view s;
  LTRY(scalar_text(v, s, field));
  const DecimalParseError e = rounded ? Decimal::parse_rounded(s, out, Rounding::kNearest) : Decimal::parse(s, out);
  switch (e) {
    case DecimalParseError::kOk:
      return ok();
    case DecimalParseError::kOverflow:
    case DecimalParseError::kTooPrecise:
      return fail(ParseErrc::kOutOfRange, field);
    default:
      return fail(ParseErrc::kBadNumber, field);
  }
}

ParseError get_string(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  if (t != od::json_type::string) return fail(ParseErrc::kWrongType, field);
  LSJ(v.get_string().get(out), field);
  return ok();
}

ParseError get_bool(od::value& v, bool& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::boolean) {
    LSJ(v.get_bool().get(out), field);
    return ok();
  }
  if (t == od::json_type::number) {  // 0/1 flags
    std::int64_t x = 0;
    LTRY(get_int_range(v, x, 0, 1, field));
    out = x == 1;
    return ok();
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

// Calls f(key, value) for each field of the object in `v`, in document order.
template <class F>
ParseError for_each_field(od::value& v, const char* field, F&& f) {
  od::object obj;
  LSJ(v.get_object().get(obj), field);
  for (auto fr : obj) {
    od::field fl;
    LSJ(std::move(fr).get(fl), field);
    std::string_view key;
    LSJ(fl.unescaped_key().get(key), field);
    od::value val = fl.value();
    LTRY(f(key, val));
  }
  return ok();
}

template <class F>
ParseError for_each_element(od::value& v, const char* field, F&& f) {
  od::array arr;
  LSJ(v.get_array().get(arr), field);
  for (auto er : arr) {
    od::value el;
    LSJ(er.get(el), field);
    LTRY(f(el));
  }
  return ok();
}

// Elements of a list that the venue sends either flat ([...]) or keyed by market ({"0":[...],...}).
template <class F>
ParseError for_each_keyed_element(od::value& v, const char* field, F&& f) {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::array) return for_each_element(v, field, f);
  if (t == od::json_type::null) return ok();
  return for_each_field(v, field, [&](std::string_view, od::value& inner) noexcept -> ParseError {
    od::json_type it;
    LSJ(inner.type().get(it), field);
    if (it == od::json_type::array) return for_each_element(inner, field, f);
    return f(inner);  // positions: one object per market
  });
}

// A reused element at the end of `vec`: keeps the elements' own capacity across frames.
template <class T>
T& next_slot(std::vector<T>& vec, std::size_t& used) {
  if (used == vec.size()) vec.emplace_back();
  T& t = vec[used++];
  t = T{};
  return t;
}

// ---------------------------------------------------------------- element parsers

ParseError parse_market_details(od::value& v, MarketDetails& m) noexcept {
  bool has_id = false;
  bool has_size_dec = false;
  bool has_price_dec = false;
  std::int64_t supported_size = -1;
  std::int64_t supported_price = -1;
  LTRY(for_each_field(v, "market", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "market_id") {
      has_id = true;
      return get_int_range(x, m.market_id, 0, INT64_MAX, "market_id");
    }
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        m.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "market_type") {
      std::string_view s;
      LTRY(get_string(x, s, "market_type"));
      if (s == "perp") {
        m.kind = MarketKind::kPerp;
      } else if (s == "spot") {
        m.kind = MarketKind::kSpot;
      } else {
        return fail(ParseErrc::kBadEnum, "market_type");
      }
      return ok();
    }
    if (k == "status") {
      std::string_view s;
      LTRY(get_string(x, s, "status"));
      m.active = s == "active";
      return ok();
    }
    if (k == "size_decimals") {
      has_size_dec = true;
      return get_small(x, m.size_decimals, 0, 9, "size_decimals");
    }
    if (k == "price_decimals") {
      has_price_dec = true;
      return get_small(x, m.price_decimals, 0, 9, "price_decimals");
    }
    if (k == "supported_size_decimals") return get_int_range(x, supported_size, 0, 9, "supported_size_decimals");
    if (k == "supported_price_decimals") return get_int_range(x, supported_price, 0, 9, "supported_price_decimals");
    if (k == "supported_quote_decimals") return get_small(x, m.quote_decimals, 0, 18, "supported_quote_decimals");
    if (k == "min_base_amount") return get_decimal(x, m.min_base_amount, "min_base_amount");
    if (k == "min_quote_amount") return get_decimal(x, m.min_quote_amount, "min_quote_amount");
    if (k == "order_quote_limit") return get_decimal(x, m.order_quote_limit, "order_quote_limit");
    if (k == "taker_fee") return get_decimal(x, m.taker_fee_pct, "taker_fee");
    if (k == "maker_fee") return get_decimal(x, m.maker_fee_pct, "maker_fee");
    if (k == "liquidation_fee") return get_decimal(x, m.liquidation_fee_pct, "liquidation_fee");
    if (k == "default_initial_margin_fraction") {
      m.has_margin_fractions = true;
      return get_small(x, m.default_initial_margin_fraction, 0, 10000, "default_initial_margin_fraction");
    }
    if (k == "min_initial_margin_fraction")
      return get_small(x, m.min_initial_margin_fraction, 0, 10000, "min_initial_margin_fraction");
    if (k == "maintenance_margin_fraction")
      return get_small(x, m.maintenance_margin_fraction, 0, 10000, "maintenance_margin_fraction");
    if (k == "closeout_margin_fraction")
      return get_small(x, m.closeout_margin_fraction, 0, 10000, "closeout_margin_fraction");
    return ok();
  }));
  if (!has_id) return fail(ParseErrc::kMissingField, "market_id");
  // The older names carry the same scales; the newer ones win when both are present.
  if (!has_size_dec) {
    if (supported_size < 0) return fail(ParseErrc::kMissingField, "size_decimals");
    m.size_decimals = static_cast<std::uint8_t>(supported_size);
  }
  if (!has_price_dec) {
    if (supported_price < 0) return fail(ParseErrc::kMissingField, "price_decimals");
    m.price_decimals = static_cast<std::uint8_t>(supported_price);
  }
  if (m.symbol.empty()) return fail(ParseErrc::kMissingField, "symbol");
  return ok();
}

struct StatusName {
  std::string_view text;
  const char* reason;
};
// "canceled-<reason>" statuses of the venue's order object (docs/lighter.md, "Orders").
constexpr StatusName kCancelReasons[] = {
    {"post-only", "post-only"},
    {"reduce-only", "reduce-only"},
    {"position-not-allowed", "position-not-allowed"},
    {"margin-not-allowed", "margin-not-allowed"},
    {"too-much-slippage", "too-much-slippage"},
    {"not-enough-liquidity", "not-enough-liquidity"},
    {"self-trade", "self-trade"},
    {"expired", "expired"},
    {"oco", "oco"},
    {"child", "child"},
    {"liquidation", "liquidation"},
    {"invalid-balance", "invalid-balance"},
};

bool parse_status(std::string_view s, Order& o) noexcept {
  if (s == "open") {
    o.status = OrderStatus::kOpen;
  } else if (s == "filled") {
    o.status = OrderStatus::kFilled;
  } else if (s == "pending") {
    o.status = OrderStatus::kPending;
  } else if (s == "in-progress") {
    o.status = OrderStatus::kInProgress;
  } else if (s == "canceled") {
    o.status = OrderStatus::kCanceled;
    o.cancel_reason = "";
  } else if (s.starts_with("canceled-")) {
    o.status = OrderStatus::kCanceled;
    const std::string_view r = s.substr(9);
    o.cancel_reason = "other";
    for (const StatusName& n : kCancelReasons)
      if (n.text == r) o.cancel_reason = n.reason;
  } else {
    return false;
  }
  return true;
}

bool parse_order_kind(std::string_view s, OrderKind& k) noexcept {
  constexpr std::pair<std::string_view, OrderKind> kKinds[] = {
      {"limit", OrderKind::kLimit},
      {"market", OrderKind::kMarket},
      {"stop-loss", OrderKind::kStopLoss},
      {"stop-loss-limit", OrderKind::kStopLossLimit},
      {"take-profit", OrderKind::kTakeProfit},
      {"take-profit-limit", OrderKind::kTakeProfitLimit},
      {"twap", OrderKind::kTwap},
      {"twap-sub", OrderKind::kTwapSub},
      {"liquidation", OrderKind::kLiquidation},
  };
  for (const auto& [t, kind] : kKinds) {
    if (t == s) {
      k = kind;
      return true;
    }
  }
  return false;
}

bool parse_tif(std::string_view s, OrderTimeInForce& t) noexcept {
  if (s == "good-till-time") {
    t = OrderTimeInForce::kGoodTillTime;
  } else if (s == "immediate-or-cancel") {
    t = OrderTimeInForce::kImmediateOrCancel;
  } else if (s == "post-only") {
    t = OrderTimeInForce::kPostOnly;
  } else {
    return false;
  }
  return true;
}

ParseError parse_order(od::value& v, Order& o) noexcept {
  bool has_index = false;
  bool has_status = false;
  LTRY(for_each_field(v, "order", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "order_index") {
      has_index = true;
      return get_int_range(x, o.order_index, 0, INT64_MAX, "order_index");
    }
    if (k == "client_order_index") return get_int_range(x, o.client_order_index, 0, INT64_MAX, "client_order_index");
    if (k == "market_index") return get_int_range(x, o.market_index, 0, INT64_MAX, "market_index");
    if (k == "owner_account_index") return get_int(x, o.owner_account_index, "owner_account_index");
    if (k == "initial_base_amount") return get_decimal(x, o.initial_base_amount, "initial_base_amount");
    if (k == "remaining_base_amount") return get_decimal(x, o.remaining_base_amount, "remaining_base_amount");
    if (k == "filled_base_amount") return get_decimal(x, o.filled_base_amount, "filled_base_amount");
    if (k == "filled_quote_amount") return get_decimal(x, o.filled_quote_amount, "filled_quote_amount", true);
    if (k == "price") return get_decimal(x, o.price, "price");
    if (k == "trigger_price") return get_decimal(x, o.trigger_price, "trigger_price");
    if (k == "is_ask") return get_bool(x, o.is_ask, "is_ask");
    if (k == "reduce_only") return get_bool(x, o.reduce_only, "reduce_only");
    if (k == "order_expiry") return get_int(x, o.order_expiry_ms, "order_expiry");
    if (k == "nonce") return get_int(x, o.nonce, "nonce");
    if (k == "timestamp") return get_int(x, o.timestamp_ms, "timestamp");
    if (k == "updated_at") return get_int(x, o.updated_at_ms, "updated_at");
    if (k == "type") {
      std::string_view s;
      LTRY(get_string(x, s, "type"));
      return parse_order_kind(s, o.type) ? ok() : fail(ParseErrc::kBadEnum, "type");
    }
    if (k == "time_in_force") {
      std::string_view s;
      LTRY(get_string(x, s, "time_in_force"));
      return parse_tif(s, o.time_in_force) ? ok() : fail(ParseErrc::kBadEnum, "time_in_force");
    }
    if (k == "status") {
      has_status = true;
      std::string_view s;
      LTRY(get_string(x, s, "status"));
      return parse_status(s, o) ? ok() : fail(ParseErrc::kBadEnum, "status");
    }
    return ok();
  }));
  if (!has_index) return fail(ParseErrc::kMissingField, "order_index");
  if (!has_status) return fail(ParseErrc::kMissingField, "status");
  if (o.remaining_base_amount.is_negative() || o.initial_base_amount.is_negative() || o.price.is_negative())
    return fail(ParseErrc::kBadValue, "order");
  return ok();
}

ParseError parse_trade(od::value& v, Trade& t) noexcept {
  bool has_id = false;
  bool has_price = false;
  bool has_size = false;
  LTRY(for_each_field(v, "trade", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "trade_id") {
      has_id = true;
      return get_int(x, t.trade_id, "trade_id");
    }
    if (k == "market_id") return get_int_range(x, t.market_id, 0, INT64_MAX, "market_id");
    if (k == "size") {
      has_size = true;
      return get_decimal(x, t.size, "size");
    }
    if (k == "price") {
      has_price = true;
      return get_decimal(x, t.price, "price");
    }
    if (k == "usd_amount") return get_decimal(x, t.usd_amount, "usd_amount", true);
    if (k == "ask_id") return get_int(x, t.ask_id, "ask_id");
    if (k == "bid_id") return get_int(x, t.bid_id, "bid_id");
    if (k == "ask_account_id") return get_int(x, t.ask_account_id, "ask_account_id");
    if (k == "bid_account_id") return get_int(x, t.bid_account_id, "bid_account_id");
    if (k == "is_maker_ask") return get_bool(x, t.is_maker_ask, "is_maker_ask");
    if (k == "block_height") return get_int(x, t.block_height, "block_height");
    if (k == "timestamp") return get_int(x, t.timestamp_ms, "timestamp");
    return ok();
  }));
  if (!has_id || !has_price || !has_size) return fail(ParseErrc::kMissingField, "trade");
  if (!t.price.is_positive() || !t.size.is_positive()) return fail(ParseErrc::kBadValue, "trade");
  return ok();
}

ParseError parse_position(od::value& v, Position& p) noexcept {
  bool has_market = false;
  bool has_sign = false;
  LTRY(for_each_field(v, "position", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "market_id") {
      has_market = true;
      return get_int_range(x, p.market_id, 0, INT64_MAX, "market_id");
    }
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        p.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "sign") {
      has_sign = true;
      return get_small(x, p.sign, -1, 1, "sign");
    }
    if (k == "position") return get_decimal(x, p.size, "position");
    if (k == "avg_entry_price") return get_decimal(x, p.avg_entry_price, "avg_entry_price", true);
    if (k == "position_value") return get_decimal(x, p.position_value, "position_value", true);
    if (k == "unrealized_pnl") return get_decimal(x, p.unrealized_pnl, "unrealized_pnl", true);
    if (k == "realized_pnl") return get_decimal(x, p.realized_pnl, "realized_pnl", true);
    if (k == "liquidation_price") return get_decimal(x, p.liquidation_price, "liquidation_price", true);
    if (k == "allocated_margin") return get_decimal(x, p.allocated_margin, "allocated_margin", true);
    if (k == "open_order_count") return get_int(x, p.open_order_count, "open_order_count");
    if (k == "pending_order_count") return get_int(x, p.pending_order_count, "pending_order_count");
    if (k == "margin_mode") return get_small(x, p.margin_mode, 0, 1, "margin_mode");
    return ok();
  }));
  if (!has_market || !has_sign) return fail(ParseErrc::kMissingField, "position");
  if (p.size.is_negative()) return fail(ParseErrc::kBadValue, "position");
  p.signed_size = p.sign < 0 ? -p.size : p.size;
  return ok();
}

ParseError parse_asset(od::value& v, Asset& a) noexcept {
  return for_each_field(v, "asset", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        a.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "asset_id") return get_int(x, a.asset_id, "asset_id");
    if (k == "balance") return get_decimal(x, a.balance, "balance", true);
    if (k == "locked_balance") return get_decimal(x, a.locked_balance, "locked_balance", true);
    return ok();
  });
}

ParseError parse_funding(od::value& v, PositionFunding& f) noexcept {
  bool has_change = false;
  LTRY(for_each_field(v, "position_funding", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "timestamp") return get_int(x, f.timestamp, "timestamp");
    if (k == "market_id") return get_int_range(x, f.market_id, 0, INT64_MAX, "market_id");
    if (k == "funding_id") return get_int(x, f.funding_id, "funding_id");
    if (k == "change") {
      has_change = true;
      return get_decimal(x, f.change, "change", true);
    }
    if (k == "rate") return get_decimal(x, f.rate, "rate", true);
    if (k == "position_size") return get_decimal(x, f.position_size, "position_size");
    if (k == "discount") return get_decimal(x, f.discount, "discount", true);
    if (k == "position_side") {
      std::string_view s;
      LTRY(get_string(x, s, "position_side"));
      if (s == "long") {
        f.long_side = true;
      } else if (s == "short") {
        f.long_side = false;
      } else {
        return fail(ParseErrc::kBadEnum, "position_side");
      }
      return ok();
    }
    return ok();
  }));
  if (!has_change) return fail(ParseErrc::kMissingField, "change");
  return ok();
}

bool is_hex_lower_or_upper(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// 80 hex characters, an optional "0x" in front, stored lowercase.
ParseError get_tx_hash(od::value& v, TxHashHex& out, const char* field) noexcept {
  std::string_view s;
  LTRY(get_string(v, s, field));
  if (s.starts_with("0x")) s.remove_prefix(2);
  if (s.size() != out.size()) return fail(ParseErrc::kBadValue, field);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!is_hex_lower_or_upper(c)) return fail(ParseErrc::kBadValue, field);
    out[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return ok();
}

// ---------------------------------------------------------------- REST envelope

// Runs `f` over the fields of the top-level object; a `code` other than 200 turns into kApiError
// (reported in preference to any missing-field error, since failure bodies lack the payload).
template <class F>
ParseError rest_body(JsonParser& p, JsonInput in, F&& f) {
  od::document doc;
  LSJ(p.impl().iterate(in, doc), "body");
  od::value root;
  LSJ(doc.get_value().get(root), "body");
  std::int64_t code = 200;
  bool api_failed = false;
  ParseError payload_error;
  const ParseError e = for_each_field(root, "body", [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "code") {
      // A repeated key: the last one counts, as for every other field; an unreadable one is an error
      // of its own, not a venue error.
      const ParseError ce = get_int(x, code, "code");
      api_failed = ce.ok() && code != 200;
      return ce;
    }
    if (api_failed) return ok();  // skip the payload of a failure body
    ParseError pe = f(k, x);
    if (!pe.ok() && payload_error.ok()) payload_error = pe;
    return pe;
  });
  if (api_failed) return ParseError{ParseErrc::kApiError, "code", code};
  if (!payload_error.ok()) return payload_error;
  LTRY(e);
  return ok();
}

std::string_view channel_tail(std::string_view ch) noexcept {
  const std::size_t c = ch.find_first_of(":/");
  return c == std::string_view::npos ? std::string_view{} : ch.substr(c + 1);
}

}  // namespace

// ---------------------------------------------------------------- REST

ParseError parse_order_book_details(JsonParser& p, JsonInput in, std::vector<MarketDetails>& out) {
  out.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "order_book_details" && k != "spot_order_book_details") return ok();
    if (is_null(x)) return ok();
    seen = true;
    return for_each_element(x, "order_book_details", [&](od::value& el) -> ParseError {
      out.emplace_back();
      return parse_market_details(el, out.back());
    });
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "order_book_details");
  return ok();
}

ParseError parse_order_books(JsonParser& p, JsonInput in, std::vector<MarketDetails>& out) {
  out.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "order_books") return ok();
    seen = true;
    return for_each_element(x, "order_books", [&](od::value& el) -> ParseError {
      out.emplace_back();
      return parse_market_details(el, out.back());
    });
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "order_books");
  return ok();
}

ParseError parse_account(JsonParser& p, JsonInput in, Account& out) {
  out = Account{};
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "accounts") return ok();
    return for_each_element(x, "accounts", [&](od::value& el) -> ParseError {
      if (seen) return ok();  // by=index names one account
      seen = true;
      bool has_index = false;
      LTRY(for_each_field(el, "account", [&](std::string_view ak, od::value& av) -> ParseError {
        if (ak == "index" || ak == "account_index") {
          has_index = true;
          return get_int(av, out.index, "index");
        }
        if (ak == "status") return get_int(av, out.status, "status");
        if (ak == "collateral") return get_decimal(av, out.collateral, "collateral", true);
        if (ak == "available_balance") return get_decimal(av, out.available_balance, "available_balance", true);
        if (ak == "total_asset_value") return get_decimal(av, out.total_asset_value, "total_asset_value", true);
        if (ak == "total_order_count") return get_int(av, out.total_order_count, "total_order_count");
        if (ak == "pending_order_count") return get_int(av, out.pending_order_count, "pending_order_count");
        if (ak == "positions") {
          return for_each_element(av, "positions", [&](od::value& pv) -> ParseError {
            out.positions.emplace_back();
            return parse_position(pv, out.positions.back());
          });
        }
        if (ak == "assets") {
          return for_each_element(av, "assets", [&](od::value& sv) -> ParseError {
            out.assets.emplace_back();
            return parse_asset(sv, out.assets.back());
          });
        }
        return ok();
      }));
      if (!has_index) return fail(ParseErrc::kMissingField, "index");
      return ok();
    });
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "accounts");
  return ok();
}

ParseError parse_next_nonce(JsonParser& p, JsonInput in, std::int64_t& out) {
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "nonce") return ok();
    seen = true;
    return get_int_range(x, out, 0, (std::int64_t{1} << 48) - 1, "nonce");
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "nonce");
  return ok();
}

ParseError parse_send_tx(JsonParser& p, JsonInput in, SendTxResult& out) {
  out = SendTxResult{};
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "tx_hash") {
      seen = true;
      return get_tx_hash(x, out.tx_hash, "tx_hash");
    }
    if (k == "predicted_execution_time_ms")
      return get_int(x, out.predicted_execution_time_ms, "predicted_execution_time_ms");
    if (k == "volume_quota_remaining") return get_int(x, out.volume_quota_remaining, "volume_quota_remaining");
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "tx_hash");
  return ok();
}

ParseError parse_send_tx_batch(JsonParser& p, JsonInput in, SendTxBatchResult& out) {
  out.tx_hashes.clear();
  out.predicted_execution_time_ms = 0;
  out.volume_quota_remaining = -1;
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "tx_hash" || k == "tx_hashes") {
      seen = true;
      return for_each_element(x, "tx_hash", [&](od::value& h) -> ParseError {
        out.tx_hashes.emplace_back();
        return get_tx_hash(h, out.tx_hashes.back(), "tx_hash");
      });
    }
    if (k == "predicted_execution_time_ms")
      return get_int(x, out.predicted_execution_time_ms, "predicted_execution_time_ms");
    if (k == "volume_quota_remaining") return get_int(x, out.volume_quota_remaining, "volume_quota_remaining");
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "tx_hash");
  return ok();
}

namespace {
ParseError next_cursor(od::value& x, std::string& out) {
  if (is_null(x)) {
    out.clear();
    return ok();
  }
  std::string_view s;
  LTRY(get_string(x, s, "next_cursor"));
  out.assign(s);
  return ok();
}
}  // namespace

ParseError parse_orders(JsonParser& p, JsonInput in, OrdersPage& out) {
  out.orders.clear();
  out.next_cursor.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "orders") {
      seen = true;
      return for_each_element(x, "orders", [&](od::value& el) -> ParseError {
        out.orders.emplace_back();
        return parse_order(el, out.orders.back());
      });
    }
    if (k == "next_cursor") return next_cursor(x, out.next_cursor);
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "orders");
  return ok();
}

ParseError parse_trades(JsonParser& p, JsonInput in, TradesPage& out) {
  out.trades.clear();
  out.next_cursor.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "trades") {
      seen = true;
      return for_each_element(x, "trades", [&](od::value& el) -> ParseError {
        out.trades.emplace_back();
        return parse_trade(el, out.trades.back());
      });
    }
    if (k == "next_cursor") return next_cursor(x, out.next_cursor);
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "trades");
  return ok();
}

ParseError parse_position_funding(JsonParser& p, JsonInput in, FundingPage& out) {
  out.fundings.clear();
  out.next_cursor.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "position_fundings") {
      seen = true;
      return for_each_element(x, "position_fundings", [&](od::value& el) -> ParseError {
        out.fundings.emplace_back();
        return parse_funding(el, out.fundings.back());
      });
    }
    if (k == "next_cursor") return next_cursor(x, out.next_cursor);
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "position_fundings");
  return ok();
}

ParseError parse_api_status(JsonParser& p, JsonInput in, std::int64_t& code, std::string& message) {
  code = 0;
  message.clear();
  od::document doc;
  LSJ(p.impl().iterate(in, doc), "body");
  od::value root;
  LSJ(doc.get_value().get(root), "body");
  bool seen = false;
  LTRY(for_each_field(root, "body", [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "code") {
      seen = true;
      return get_int(x, code, "code");
    }
    if (k == "message") {
      std::string_view s;
      LTRY(scalar_text(x, s, "message"));
      message.assign(s);
    }
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "code");
  return ok();
}

// ---------------------------------------------------------------- WebSocket

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
