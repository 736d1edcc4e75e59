#pragma once
// Typed, asynchronous Lighter REST client on top of net::HttpClient (one io_context, one thread).
// Endpoints and answers are in docs/lighter.md ("REST answers", "Sending"); each body goes through the
// existing parsers (parsers.hpp) into typed results.
//
// Errors are typed, never thrown: a transport failure (with `maybe_sent` for transactions: the venue
// may have taken it), an HTTP status without a readable venue body, a venue answer with a code other
// than 200 (its Lighter code, classified), or a 2xx body that does not parse. Transactions are never
// resent by this client (HttpClient does not retry POSTs either): the caller decides, through the
// nonce manager, what an unknown outcome means.
//
// Auth: the account endpoints that need it take the token as an argument (Authorization header); the
// client keeps no secret. Callbacks run on the io_context thread, never inside the call; none runs once
// the client is destroyed.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/net/errors.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/venue/lighter/messages.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "bparb/venue/lighter/tx.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::lighter {

enum class RestErrorKind : std::uint8_t {
  kTransport,       // no complete HTTP answer (see transport, maybe_sent)
  kHttp,            // an HTTP status other than 2xx without a venue error body
  kApi,             // the venue answered with a code other than 200 (see code, venue_error, action)
  kParse,           // a 2xx body the parser refused (see parse)
  kInvalidRequest,  // refused locally before anything was sent
};
const char* to_string(RestErrorKind k) noexcept;

struct RestError {
  RestErrorKind kind = RestErrorKind::kTransport;
  int http_status = 0;                                         // 0 when no answer arrived
  std::int64_t code = 0;                                       // kApi: the venue's code
  LighterError venue_error = LighterError::kNone;              // kApi: lighter_error_from_code(code)
  net::TransportError transport = net::TransportError::kNone;  // kTransport
  bool maybe_sent = false;                                     // kTransport: the request may have reached the venue
  ParseErrc parse = ParseErrc::kOk;                            // kParse
  std::string message;                                         // venue message or transport / parse detail

  // What a caller does about it: the venue's classification for kApi; kRetry for transport and HTTP
  // trouble; kReject for a refused request or an unreadable body.
  ErrorAction action() const noexcept;
  std::string describe() const;  // "api 21104 (invalid nonce): ..." (cold path)
};

template <class T>
using RestResult = Expected<T, RestError>;
// The result is valid until the callback returns; move out what must outlive it.
template <class T>
using RestCallback = std::function<void(RestResult<T>& result)>;

struct LighterRestOptions {
  net::HttpClientOptions http;                  // base_url e.g. "https://mainnet.zklighter.elliot.ai"
  DurationUs tx_timeout_us = 5 * kUsPerSecond;  // sendTx / sendTxBatch deadline
};

struct LighterRestCounters {
  std::uint64_t requests = 0;
  std::uint64_t transactions = 0;  // sendTx calls + transactions inside sendTxBatch calls
  std::uint64_t api_errors = 0;
  std::uint64_t transport_errors = 0;
  std::uint64_t http_errors = 0;
  std::uint64_t parse_errors = 0;
};

// One transaction of a batch: its type and its signed tx_info JSON.
struct TxRef {
  TxType type = TxType::kCreateOrder;
  std::string_view tx_info;
};

struct InactiveOrdersQuery {
  std::int64_t account_index = 0;
  std::int64_t market_id = 255;  // 255 = every market
  std::int64_t limit = 100;      // 1..100
  std::string cursor;            // empty = first page
};

struct TradesQuery {
  std::int64_t account_index = -1;  // -1 = absent
  std::int64_t market_id = 255;     // 255 = every market
  std::int64_t limit = 100;         // 1..100
  std::string sort_by = "timestamp";
  std::string cursor;
};

struct FundingQuery {
  std::int64_t account_index = 0;
  std::int64_t market_id = 255;
  std::int64_t limit = 100;
  std::string cursor;
};

class LighterRest {
 public:
  // Throws std::invalid_argument on a bad base URL or security options (start-up only).
  LighterRest(boost::asio::io_context& ioc, LighterRestOptions opts);
  ~LighterRest();
  LighterRest(const LighterRest&) = delete;
  LighterRest& operator=(const LighterRest&) = delete;

  // ---- markets
  // market_id 255 = every market; perps then spot.
  void order_book_details(std::int64_t market_id, RestCallback<std::vector<MarketDetails>> cb);
  void order_books(RestCallback<std::vector<MarketDetails>> cb);
  void recent_trades(std::int64_t market_id, std::int64_t limit, RestCallback<TradesPage> cb);
  // funding-rates: the current rate of every market, Lighter's and other exchanges' (fractions over 8 hours).
  void funding_rates(RestCallback<std::vector<FundingRate>> cb);

  // ---- account
  void account(std::int64_t account_index, RestCallback<Account> cb);
  void next_nonce(std::int64_t account_index, std::uint8_t api_key_index, RestCallback<std::int64_t> cb);
  // The keys registered for the account; api_key_index 255 = every slot.
  void api_keys(std::int64_t account_index, std::uint8_t api_key_index, RestCallback<std::vector<ApiKeyInfo>> cb);
  // market_id 255 = every market.
  void active_orders(std::int64_t account_index, std::int64_t market_id, std::string_view auth_token,
                     RestCallback<OrdersPage> cb);
  void inactive_orders(const InactiveOrdersQuery& q, std::string_view auth_token, RestCallback<OrdersPage> cb);
  void trades(const TradesQuery& q, std::string_view auth_token, RestCallback<TradesPage> cb);
  void position_funding(const FundingQuery& q, std::string_view auth_token, RestCallback<FundingPage> cb);

  // ---- transactions (url-encoded forms: tx_type + tx_info; tx_types + tx_infos for a batch)
  void send_tx(TxType type, std::string_view tx_info, RestCallback<SendTxResult> cb);
  // 1..50 transactions; an empty or larger batch fails with kInvalidRequest (nothing sent).
  void send_tx_batch(std::span<const TxRef> txs, RestCallback<SendTxBatchResult> cb);

  const LighterRestCounters& counters() const noexcept;
  const net::HttpClient& http() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// application/x-www-form-urlencoded escaping of one value (RFC 3986 unreserved characters kept).
void append_form_escaped(std::string& out, std::string_view value);

}  // namespace bparb::lighter
