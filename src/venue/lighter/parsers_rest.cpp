// Lighter REST answers (docs/lighter.md). Single forward pass per document: keys are matched as they
// come, in any order.
#include "parsers_json.hpp"

namespace bparb::lighter {

using namespace json;  // NOLINT(google-build-using-namespace): the parsers' own readers

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

ParseError parse_api_keys(JsonParser& p, JsonInput in, std::vector<ApiKeyInfo>& out) {
  out.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "api_keys") return ok();
    seen = true;
    if (is_null(x)) return ok();
    return for_each_element(x, "api_keys", [&](od::value& el) -> ParseError {
      ApiKeyInfo& key = out.emplace_back();
      bool has_index = false;
      bool has_key = false;
      LTRY(for_each_field(el, "api_key", [&](std::string_view f, od::value& v) -> ParseError {
        if (f == "account_index") return get_int(v, key.account_index, "account_index");
        if (f == "api_key_index") {
          has_index = true;
          return get_int_range(v, key.api_key_index, 0, 255, "api_key_index");
        }
        if (f == "nonce") return get_int(v, key.nonce, "nonce");
        if (f == "public_key") {
          has_key = true;
          std::string_view pk;
          LTRY(get_string(v, pk, "public_key"));
          if (pk.size() >= 2 && pk[0] == '0' && (pk[1] == 'x' || pk[1] == 'X')) pk.remove_prefix(2);
          key.public_key.assign(pk);
          for (char& c : key.public_key) {
            if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
          }
          return ok();
        }
        return ok();
      }));
      if (!has_index) return fail(ParseErrc::kMissingField, "api_key_index");
      if (!has_key) return fail(ParseErrc::kMissingField, "public_key");
      return ok();
    });
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "api_keys");
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

namespace {
// A history page: the list under `key`, each element read by `parse_element`, and the cursor of the next page.
template <class T, class F>
ParseError parse_page(JsonParser& p, JsonInput in, const char* key, std::vector<T>& items, std::string& cursor,
                      F&& parse_element) {
  items.clear();
  cursor.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k == key) {
      seen = true;
      return for_each_element(x, key, [&](od::value& el) -> ParseError {
        items.emplace_back();
        return parse_element(el, items.back());
      });
    }
    if (k == "next_cursor") return next_cursor(x, cursor);
    return ok();
  }));
  if (!seen) return fail(ParseErrc::kMissingField, key);
  return ok();
}
}  // namespace

ParseError parse_orders(JsonParser& p, JsonInput in, OrdersPage& out) {
  return parse_page(p, in, "orders", out.orders, out.next_cursor, parse_order);
}

ParseError parse_trades(JsonParser& p, JsonInput in, TradesPage& out) {
  return parse_page(p, in, "trades", out.trades, out.next_cursor, parse_trade);
}

ParseError parse_position_funding(JsonParser& p, JsonInput in, FundingPage& out) {
  return parse_page(p, in, "position_fundings", out.fundings, out.next_cursor, parse_funding);
}

namespace {
// A rate as a decimal string or a JSON number, which may be in exponent form: a server that writes its floats
// the shortest way gives rates below 1e-6 as "5e-07". The point is moved in the text, then rounded to 1e-9.
ParseError get_rate(od::value& v, Decimal& out, const char* field) {
  std::string_view s;
  LTRY(scalar_text(v, s, field));
  const std::size_t e = s.find_first_of("eE");
  if (e == std::string_view::npos) {
    const DecimalParseError pe = Decimal::parse_rounded(s, out, Rounding::kNearest);
    return pe == DecimalParseError::kOk ? ok() : fail(ParseErrc::kBadNumber, field);
  }
  std::string_view exp_text = s.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::int64_t exp = 0;
  LTRY(int_from_text(exp_text, exp, field));
  if (exp < -30 || exp > 30) return fail(ParseErrc::kOutOfRange, field);
  std::string_view m = s.substr(0, e);
  std::string text;
  if (!m.empty() && (m.front() == '-' || m.front() == '+')) {
    if (m.front() == '-') text += '-';
    m.remove_prefix(1);
  }
  const std::size_t dot = m.find('.');
  const std::string_view int_part = m.substr(0, dot);
  const std::string_view frac_part = dot == std::string_view::npos ? std::string_view{} : m.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return fail(ParseErrc::kBadNumber, field);
  std::string digits(int_part);
  digits += frac_part;
  if (digits.find_first_not_of("0123456789") != std::string::npos) return fail(ParseErrc::kBadNumber, field);
  const std::int64_t point = static_cast<std::int64_t>(int_part.size()) + exp;
  const auto n = static_cast<std::int64_t>(digits.size());
  if (point <= 0) {
    text += "0.";
    text.append(static_cast<std::size_t>(-point), '0');
    text += digits;
  } else if (point >= n) {
    text += digits;
    text.append(static_cast<std::size_t>(point - n), '0');
  } else {
    text.append(digits, 0, static_cast<std::size_t>(point));
    text += '.';
    text.append(digits, static_cast<std::size_t>(point), std::string::npos);
  }
  const DecimalParseError pe = Decimal::parse_rounded(text, out, Rounding::kNearest);
  if (pe == DecimalParseError::kOk) return ok();
  return fail(pe == DecimalParseError::kOverflow ? ParseErrc::kOutOfRange : ParseErrc::kBadNumber, field);
}
}  // namespace

ParseError parse_funding_rates(JsonParser& p, JsonInput in, std::vector<FundingRate>& out) {
  out.clear();
  bool seen = false;
  LTRY(rest_body(p, in, [&](std::string_view k, od::value& x) -> ParseError {
    if (k != "funding_rates") return ok();
    seen = true;
    return for_each_element(x, "funding_rates", [&](od::value& el) -> ParseError {
      out.emplace_back();
      FundingRate& r = out.back();
      bool has_rate = false;
      bool has_market = false;
      LTRY(for_each_field(el, "funding_rate", [&](std::string_view f, od::value& v) -> ParseError {
        if (f == "market_id") {
          has_market = true;
          return get_int_range(v, r.market_id, 0, INT64_MAX, "funding_rates.market_id");
        }
        if (f == "rate") {
          has_rate = true;
          return get_rate(v, r.rate, "funding_rates.rate");
        }
        if (f == "exchange" || f == "symbol") {
          std::string_view t;
          LTRY(get_string(v, t, f == "exchange" ? "funding_rates.exchange" : "funding_rates.symbol"));
          (f == "exchange" ? r.exchange : r.symbol).assign(t);
        }
        return ok();
      }));
      if (!has_market) return fail(ParseErrc::kMissingField, "funding_rates.market_id");
      if (!has_rate) return fail(ParseErrc::kMissingField, "funding_rates.rate");
      return ok();
    });
  }));
  if (!seen) return fail(ParseErrc::kMissingField, "funding_rates");
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

}  // namespace bparb::lighter
