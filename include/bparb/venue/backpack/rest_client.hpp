#pragma once
// Typed, asynchronous Backpack REST client on top of net::HttpClient (one io_context, one thread).
//
// Outcome rules (an order request whose outcome is unknown may have filled, so it is never "rejected"):
//  - Order requests (execute, batch, cancel, cancel-all): a timeout, a dropped connection after the
//    request may have left, a 5xx, or an unparseable 2xx are kOutcomeUnknown — never "rejected". The
//    caller keeps the order in flight until the order stream or a query settles it.
//  - A 429 on an order is returned (kRateLimited: the exchange refused it). A 429 on a GET is retried
//    with exponential back-off (max_429_retries), then returned.
//  - Orders are never resent automatically (HttpClient does not retry POST/DELETE either).
// Every request passes the self-imposed RateLimiter: GETs wait for a token (FIFO), orders take a
// reserved token or fail immediately with kRateLimited (nothing sent).
//
// Signing: X-API-Key, X-Signature, X-Timestamp (Clock + server offset from sync_time()), X-Window.
// Secrets and signed headers are never logged; order bodies are logged at debug level.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/venue/backpack/messages.hpp"
#include "bparb/venue/backpack/rate_limiter.hpp"
#include "bparb/venue/backpack/rejects.hpp"
#include "bparb/venue/backpack/requests.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::backpack {

class SigningKey;

enum class RestErrorKind : std::uint8_t {
  kHttp,            // non-2xx status without a Backpack error body
  kApi,             // Backpack error body {"code","message"} (4xx): the request was refused
  kTransport,       // connection-level failure; for orders only when nothing can have been sent
  kTimeout,         // GET timed out (orders that may have been sent time out as kOutcomeUnknown)
  kParse,           // 2xx body we could not parse (GETs)
  kOutcomeUnknown,  // order request whose fate is unknown: reconcile via stream / query
  kRateLimited,     // 429 from the exchange, or our own limiter refused (then nothing was sent)
  kInvalidRequest,  // refused locally before sending (bad order fields, no key for a signed call)
};
const char* to_string(RestErrorKind k) noexcept;

struct RestError {
  RestErrorKind kind = RestErrorKind::kHttp;
  int http_status = 0;  // 0 when no response arrived
  std::string code;     // Backpack code ("INVALID_ORDER"), transport error name, or parse error code
  std::string message;  // human-readable detail (never contains secrets or signed headers)
  // What the refusal means (kApi: from the code and message; kRateLimited: rate_limited; else other).
  RejectClass reject = RejectClass::kOther;
  // True when the exchange certainly did not act on the request (safe to treat an order as rejected).
  bool definitely_not_applied() const noexcept {
    return kind != RestErrorKind::kOutcomeUnknown && !(kind == RestErrorKind::kTimeout) &&
           !(kind == RestErrorKind::kHttp && http_status >= 500);
  }
};

template <class T>
using RestResult = Expected<T, RestError>;
// The result is valid until the callback returns (order answers live in reused per-order storage;
// moving out of it is fine). Orders (execute_order / execute_batch / cancel_order) allocate nothing once
// warm when the callback's capture is trivially copyable and at most 16 bytes (libstdc++ keeps such a
// std::function target inline), e.g. [this, slot_index]; a larger capture costs one allocation.
template <class T>
using RestCallback = std::function<void(RestResult<T>& result)>;

// DELETE /api/v1/order: 200 with the final order, or 202 "accepted, not yet executed" (no body).
struct CancelResult {
  bool pending = false;  // 202: confirm through the order stream / a query
  std::optional<Order> order;
};
// DELETE /api/v1/orders: 200 with the cancelled orders, or 202.
struct CancelAllResult {
  bool pending = false;
  std::vector<Order> orders;
};

struct ServerTimeSync {
  std::int64_t server_ms = 0;
  std::int64_t offset_ms = 0;  // server - local, half-RTT corrected
  DurationUs rtt_us = 0;
};

struct FillsQuery {
  std::string symbol;              // empty = all
  std::string order_id;            // empty = all
  std::int64_t from_ms = 0;        // 0 = absent
  std::int64_t to_ms = 0;          // 0 = absent
  std::int64_t limit = 0;          // 0 = server default (100); max 1000
  std::int64_t offset = 0;         // 0 = absent
  std::string fill_type = "User";  // own fills only (docs/backpack.md §3); empty = absent
  std::string market_type;         // "SPOT" / "PERP"; empty = absent
  std::string sort_direction;      // "Asc" / "Desc"; empty = absent
};

struct FundingHistoryQuery {
  std::string symbol;  // empty = all
  std::int64_t limit = 0;
  std::int64_t offset = 0;
  std::string sort_direction;
};

struct RestClientOptions {
  net::HttpClientOptions http;                // base_url e.g. "https://api.backpack.exchange"
  std::int64_t window_ms = kDefaultWindowMs;  // X-Window; 1..60000
  RateLimiterConfig rate_limit;
  int max_429_retries = 3;                       // GETs only
  DurationUs retry_initial_us = 500 * kUsPerMs;  // 429 back-off without Retry-After: initial, doubling, capped
  DurationUs retry_max_us = 8 * kUsPerSecond;
  DurationUs order_timeout_us = 5 * kUsPerSecond;  // execute / batch / cancel deadline
};

struct RestCounters {
  std::uint64_t requests = 0;
  std::uint64_t orders_sent = 0;
  std::uint64_t outcome_unknown = 0;
  std::uint64_t rate_limited_local = 0;  // refused or delayed by our own limiter
  std::uint64_t http_429 = 0;
  std::uint64_t retries_429 = 0;
  std::uint64_t errors = 0;
  // The one back-off a 429 starts (rest_client_impl.hpp): GETs wait while it runs, orders do not.
  bool backing_off = false;
  std::uint64_t backoffs = 0;                             // back-offs entered
  std::uint64_t held_by_backoff = 0;                      // GETs asked while one ran
  std::chrono::steady_clock::time_point backoff_until{};  // when the running back-off ends
};

class RestClient {
 public:
  // `key` may be null for a market-data-only client (signed calls then fail with kInvalidRequest).
  // `clock` and `key` must outlive the client. Throws std::invalid_argument on bad options.
  RestClient(boost::asio::io_context& ioc, const Clock& clock, RestClientOptions opts, const SigningKey* key = nullptr);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // ---- public market data
  void get_markets(RestCallback<std::vector<MarketSpec>> cb);
  // limit: 5|10|20|50|100|500|1000 (0 = server default 1000).
  void get_depth(std::string_view symbol, int limit, RestCallback<DepthSnapshot> cb);
  void get_ticker(std::string_view symbol, RestCallback<Ticker> cb);
  void get_tickers(RestCallback<std::vector<Ticker>> cb);
  // symbol empty = every perp.
  void get_mark_prices(std::string_view symbol, RestCallback<std::vector<MarkPrice>> cb);
  void get_funding_rates(std::string_view symbol, std::int64_t limit, std::int64_t offset,
                         RestCallback<std::vector<FundingRate>> cb);
  void get_server_time(RestCallback<std::int64_t> cb);
  // Reads /api/v1/time and stores offset = server - (t_send + t_recv)/2, applied to X-Timestamp.
  void sync_time(RestCallback<ServerTimeSync> cb);

  // ---- account (signed)
  void get_account(RestCallback<AccountSummary> cb);
  void get_capital(RestCallback<std::vector<Balance>> cb);
  void get_collateral(RestCallback<CollateralSummary> cb);
  void get_positions(std::string_view symbol, RestCallback<std::vector<Position>> cb);  // empty = all

  // ---- orders (signed; never retried). Orders, batches and cancels use reusable order slots (no
  // allocation once warm, BENCHMARKS.md §4): 16 to start with, one more whenever more are in flight than
  // ever before.
  void execute_order(const OrderRequest& order, RestCallback<Order> cb);
  void execute_batch(std::span<const OrderRequest> orders, RestCallback<std::vector<BatchOrderResult>> cb);
  void cancel_order(const CancelRequest& cancel, RestCallback<CancelResult> cb);
  void cancel_all(std::string_view symbol, CancelAllKind kind, RestCallback<CancelAllResult> cb);

  // ---- order state / history (signed)
  void get_open_orders(std::string_view symbol, RestCallback<std::vector<Order>> cb);  // empty = all
  // nullopt when the order is not resting (404: filled, cancelled, expired or unknown — docs/backpack.md §3).
  void get_order(std::string_view symbol, std::string_view order_id, RestCallback<std::optional<Order>> cb);
  void get_order_by_client_id(std::string_view symbol, std::uint32_t client_id, RestCallback<std::optional<Order>> cb);
  void get_fills(const FillsQuery& q, RestCallback<std::vector<Fill>> cb);
  void get_funding_history(const FundingHistoryQuery& q, RestCallback<std::vector<FundingPayment>> cb);

  // X-Timestamp value for a request sent now: clock + offset.
  std::int64_t timestamp_ms() const noexcept;
  std::int64_t time_offset_ms() const noexcept;
  void set_time_offset_ms(std::int64_t offset) noexcept;
  std::int64_t window_ms() const noexcept;

  const RestCounters& counters() const noexcept;
  net::HttpClient& http() noexcept;
  RateLimiter& rate_limiter() noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::backpack
