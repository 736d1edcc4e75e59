// Lighter REST client (include/bparb/venue/lighter/rest_client.hpp).
#include "bparb/venue/lighter/rest_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>

namespace bparb::lighter {

const char* to_string(RestErrorKind k) noexcept {
  switch (k) {
    case RestErrorKind::kTransport:
      return "transport";
    case RestErrorKind::kHttp:
      return "http";
    case RestErrorKind::kApi:
      return "api";
    case RestErrorKind::kParse:
      return "parse";
    case RestErrorKind::kInvalidRequest:
      return "invalid_request";
  }
  return "unknown";
}

ErrorAction RestError::action() const noexcept {
  switch (kind) {
    case RestErrorKind::kApi:
      return classify(venue_error);
    case RestErrorKind::kTransport:
    case RestErrorKind::kHttp:
      return ErrorAction::kRetry;
    case RestErrorKind::kParse:
    case RestErrorKind::kInvalidRequest:
      return ErrorAction::kReject;
  }
  return ErrorAction::kReject;
}

std::string RestError::describe() const {
  std::string s = to_string(kind);
  switch (kind) {
    case RestErrorKind::kApi:
      s += ' ';
      s += std::to_string(code);
      s += " (";
      s += to_string(venue_error);
      s += ')';
      break;
    case RestErrorKind::kTransport:
      s += ' ';
      s += net::to_string(transport);
      if (maybe_sent) s += " (may have been sent)";
      break;
    case RestErrorKind::kHttp:
      s += ' ';
      s += std::to_string(http_status);
      break;
    case RestErrorKind::kParse:
      s += ' ';
      s += lighter::to_string(parse);
      break;
    case RestErrorKind::kInvalidRequest:
      break;
  }
  if (!message.empty()) {
    s += ": ";
    s += message;
  }
  return s;
}

void append_form_escaped(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

namespace {

constexpr std::size_t kMaxBatch = 50;  // the larger of the venue's published limits; it refuses beyond

// A JSON string literal of `s` (quotes included): tx_info inside the batch's tx_infos list.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += "\\u00";
      out += kHex[(ch >> 4) & 0xF];
      out += kHex[ch & 0xF];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_query_int(std::string& target, const char* name, std::int64_t v) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  target += '=';
  target += std::to_string(v);
}

void append_query_str(std::string& target, const char* name, std::string_view v) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  target += '=';
  append_form_escaped(target, v);
}

}  // namespace

class LighterRest::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& ioc, LighterRestOptions opts)
      : ioc_(ioc), opts_(std::move(opts)), http_(ioc, opts_.http) {}

  template <class T>
  using Parser = ParseError (*)(JsonParser&, JsonInput, T&);

  template <class T>
  void get(std::string target, std::string_view auth, Parser<T> parse, RestCallback<T> cb) {
    net::HttpRequest req;
    req.method = net::HttpMethod::kGet;
    req.target = std::move(target);
    if (!auth.empty()) req.headers.push_back(net::HttpHeader{"Authorization", std::string(auth)});
    send(std::move(req), parse, std::move(cb));
  }

  template <class T>
  void post_form(const char* path, std::string body, Parser<T> parse, RestCallback<T> cb) {
    net::HttpRequest req;
    req.method = net::HttpMethod::kPost;
    req.target = path;
    req.body = std::move(body);
    req.content_type = "application/x-www-form-urlencoded";
    req.timeout_us = opts_.tx_timeout_us;
    req.retry_safe = false;
    send(std::move(req), parse, std::move(cb));
  }

  template <class T>
  void send(net::HttpRequest req, Parser<T> parse, RestCallback<T> cb) {
    ++counters_.requests;
    http_.request(std::move(req), [w = weak_from_this(), parse, cb = std::move(cb)](net::HttpResult& r) {
      const auto self = w.lock();
      if (!self) return;
      RestResult<T> out = self->finish(r, parse);
      cb(out);
    });
  }

  template <class T>
  RestResult<T> finish(net::HttpResult& r, Parser<T> parse) {
    RestError e;
    if (!r.ok()) {
      ++counters_.transport_errors;
      e.kind = RestErrorKind::kTransport;
      e.transport = r.error;
      e.maybe_sent = r.maybe_sent;
      e.message = r.error_message;
      return unexpected(std::move(e));
    }
    e.http_status = r.response.status;
    T value{};
    const ParseError pe = parse(parser_, JsonInput(r.response.body), value);
    if (pe.code == ParseErrc::kApiError) {
      ++counters_.api_errors;
      e.kind = RestErrorKind::kApi;
      e.code = pe.api_code;
      e.venue_error = pe.venue_error();
      std::int64_t code = 0;
      (void)parse_api_status(parser_, JsonInput(r.response.body), code, e.message);
      return unexpected(std::move(e));
    }
    const bool success_status = r.response.status >= 200 && r.response.status < 300;
    if (!success_status) {
      ++counters_.http_errors;
      e.kind = RestErrorKind::kHttp;
      e.message = r.response.body.substr(0, 200);
      return unexpected(std::move(e));
    }
    if (!pe.ok()) {
      ++counters_.parse_errors;
      e.kind = RestErrorKind::kParse;
      e.parse = pe.code;
      e.message = pe.message();
      return unexpected(std::move(e));
    }
    return RestResult<T>(std::move(value));
  }

  boost::asio::io_context& ioc_;
  LighterRestOptions opts_;
  net::HttpClient http_;
  JsonParser parser_;
  LighterRestCounters counters_;
};

LighterRest::LighterRest(boost::asio::io_context& ioc, LighterRestOptions opts)
    : impl_(std::make_shared<Impl>(ioc, std::move(opts))) {}

LighterRest::~LighterRest() = default;

void LighterRest::order_book_details(std::int64_t market_id, RestCallback<std::vector<MarketDetails>> cb) {
  std::string t = "/api/v1/orderBookDetails";
  append_query_int(t, "market_id", market_id);
  append_query_str(t, "filter", "all");
  impl_->get<std::vector<MarketDetails>>(std::move(t), {}, &parse_order_book_details, std::move(cb));
}

void LighterRest::order_books(RestCallback<std::vector<MarketDetails>> cb) {
  impl_->get<std::vector<MarketDetails>>("/api/v1/orderBooks", {}, &parse_order_books, std::move(cb));
}

void LighterRest::recent_trades(std::int64_t market_id, std::int64_t limit, RestCallback<TradesPage> cb) {
  std::string t = "/api/v1/recentTrades";
  append_query_int(t, "market_id", market_id);
  append_query_int(t, "limit", limit);
  impl_->get<TradesPage>(std::move(t), {}, &parse_trades, std::move(cb));
}

void LighterRest::account(std::int64_t account_index, RestCallback<Account> cb) {
  std::string t = "/api/v1/account?by=index";
  append_query_int(t, "value", account_index);
  impl_->get<Account>(std::move(t), {}, &parse_account, std::move(cb));
}

void LighterRest::next_nonce(std::int64_t account_index, std::uint8_t api_key_index, RestCallback<std::int64_t> cb) {
  std::string t = "/api/v1/nextNonce";
  append_query_int(t, "account_index", account_index);
  append_query_int(t, "api_key_index", api_key_index);
  impl_->get<std::int64_t>(std::move(t), {}, &parse_next_nonce, std::move(cb));
}

void LighterRest::api_keys(std::int64_t account_index, std::uint8_t api_key_index,
                           RestCallback<std::vector<ApiKeyInfo>> cb) {
  std::string t = "/api/v1/apikeys";
  append_query_int(t, "account_index", account_index);
  append_query_int(t, "api_key_index", api_key_index);
  impl_->get<std::vector<ApiKeyInfo>>(std::move(t), {}, &parse_api_keys, std::move(cb));
}

void LighterRest::active_orders(std::int64_t account_index, std::int64_t market_id, std::string_view auth_token,
                                RestCallback<OrdersPage> cb) {
  std::string t = "/api/v1/accountActiveOrders";
  append_query_int(t, "account_index", account_index);
  append_query_int(t, "market_id", market_id);
  impl_->get<OrdersPage>(std::move(t), auth_token, &parse_orders, std::move(cb));
}

void LighterRest::inactive_orders(const InactiveOrdersQuery& q, std::string_view auth_token,
                                  RestCallback<OrdersPage> cb) {
  std::string t = "/api/v1/accountInactiveOrders";
  append_query_int(t, "account_index", q.account_index);
  if (q.market_id != 255) append_query_int(t, "market_id", q.market_id);
  append_query_int(t, "limit", q.limit);
  if (!q.cursor.empty()) append_query_str(t, "cursor", q.cursor);
  impl_->get<OrdersPage>(std::move(t), auth_token, &parse_orders, std::move(cb));
}

void LighterRest::trades(const TradesQuery& q, std::string_view auth_token, RestCallback<TradesPage> cb) {
  std::string t = "/api/v1/trades";
  append_query_str(t, "sort_by", q.sort_by);
  append_query_int(t, "limit", q.limit);
  if (q.account_index >= 0) append_query_int(t, "account_index", q.account_index);
  if (q.market_id != 255) append_query_int(t, "market_id", q.market_id);
  if (!q.cursor.empty()) append_query_str(t, "cursor", q.cursor);
  impl_->get<TradesPage>(std::move(t), auth_token, &parse_trades, std::move(cb));
}

void LighterRest::funding_rates(RestCallback<std::vector<FundingRate>> cb) {
  impl_->get<std::vector<FundingRate>>("/api/v1/funding-rates", {}, &parse_funding_rates, std::move(cb));
}

void LighterRest::position_funding(const FundingQuery& q, std::string_view auth_token, RestCallback<FundingPage> cb) {
  std::string t = "/api/v1/positionFunding";
  append_query_int(t, "account_index", q.account_index);
  if (q.market_id != 255) append_query_int(t, "market_id", q.market_id);
  append_query_int(t, "limit", q.limit);
  if (!q.cursor.empty()) append_query_str(t, "cursor", q.cursor);
  impl_->get<FundingPage>(std::move(t), auth_token, &parse_position_funding, std::move(cb));
}

void LighterRest::send_tx(TxType type, std::string_view tx_info, RestCallback<SendTxResult> cb) {
  std::string body = "tx_type=";
  body += std::to_string(static_cast<int>(type));
  body += "&tx_info=";
  append_form_escaped(body, tx_info);
  ++impl_->counters_.transactions;
  impl_->post_form<SendTxResult>("/api/v1/sendTx", std::move(body), &parse_send_tx, std::move(cb));
}

void LighterRest::send_tx_batch(std::span<const TxRef> txs, RestCallback<SendTxBatchResult> cb) {
  if (txs.empty() || txs.size() > kMaxBatch) {
    RestError e;
    e.kind = RestErrorKind::kInvalidRequest;
    e.message = "a batch holds 1.." + std::to_string(kMaxBatch) + " transactions, got " + std::to_string(txs.size());
    // Never inside the call: the answer comes from the io_context like every other.
    boost::asio::post(impl_->ioc_, [w = std::weak_ptr<Impl>(impl_), e = std::move(e), cb = std::move(cb)]() mutable {
      if (w.expired()) return;
      RestResult<SendTxBatchResult> out = unexpected(std::move(e));
      cb(out);
    });
    return;
  }
  std::string types = "[";
  std::string infos = "[";
  for (const TxRef& t : txs) {
    if (types.size() > 1) {
      types += ',';
      infos += ',';
    }
    types += std::to_string(static_cast<int>(t.type));
    append_json_string(infos, t.tx_info);
  }
  types += ']';
  infos += ']';
  std::string body = "tx_types=";
  append_form_escaped(body, types);
  body += "&tx_infos=";
  append_form_escaped(body, infos);
  impl_->counters_.transactions += txs.size();
  impl_->post_form<SendTxBatchResult>("/api/v1/sendTxBatch", std::move(body), &parse_send_tx_batch, std::move(cb));
}

const LighterRestCounters& LighterRest::counters() const noexcept {
  return impl_->counters_;
}

const net::HttpClient& LighterRest::http() const noexcept {
  return impl_->http_;
}

}  // namespace bparb::lighter
