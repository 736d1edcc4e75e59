#pragma once
// RestClient's transport, shared by the files of its endpoints (rest_client.cpp: market data and account;
// rest_client_orders.cpp: orders, order queries and history): signing and request building, the GET
// pipeline with its rate-limit waits and 429 back-off, the pooled order slots, and the classification of
// every outcome. Not a public header.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {

namespace asio = boost::asio;

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

inline bool unreserved(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

inline void append_encoded(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : v) {
    if (unreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
}

inline std::string truncate_for_message(std::string_view body) {
  constexpr std::size_t kMax = 256;
  std::string s(body.substr(0, kMax));
  if (body.size() > kMax) s += "...";
  return s;
}

// The result of one HTTP exchange, or a local refusal before anything was sent.
struct RawOutcome {
  net::HttpResult* http = nullptr;
  std::optional<RestError> local;
  TimestampUs sent_us = 0;
  TimestampUs done_us = 0;
};
using Completion = std::function<void(RawOutcome&)>;

// DELETE /api/v1/order answer: 202 (or an empty body) = accepted, confirm later; else the order.
inline ParseError parse_cancel_result(JsonParser& p, const net::HttpResult& r, CancelResult& c) {
  c.pending = false;
  c.order.reset();
  if (r.response.status == 202 || r.response.body.empty()) {
    c.pending = r.response.status == 202;
    return ParseError{};
  }
  Order o;
  const ParseError pe = parse_order(p, JsonInput::from_string(r.response.body), o);
  if (pe.ok()) c.order = std::move(o);
  return pe;
}

// One order request (execute / batch / cancel) in flight. Slots are reused, so once warm an order
// costs no allocation: the HTTP request (target, body, the four auth headers) is lent to HttpClient
// and keeps its string capacity, the caller's callback is moved in (no allocation when its capture
// is small, see RestCallback), and the answer is parsed into a reused value.
struct OrderSlot {
  enum class Kind : std::uint8_t { kOrder, kBatch, kCancel };
  static constexpr std::size_t kReserveBody = 4096;  // a 20-leg batch body is ~3.5 KB

  OrderSlot() {
    req.target.reserve(32);
    req.body.reserve(kReserveBody);
    req.content_type.reserve(40);
    req.headers.resize(4);  // the auth headers (fill_order_request)
    for (auto& h : req.headers) h.value.reserve(96);
    batch.reserve(20);
  }

  bool busy = false;
  Kind kind = Kind::kOrder;
  TimestampUs sent_us = 0;
  net::HttpRequest req;
  RestCallback<Order> order_cb;
  RestCallback<std::vector<BatchOrderResult>> batch_cb;
  RestCallback<CancelResult> cancel_cb;
  Order order;
  std::vector<BatchOrderResult> batch;
  CancelResult cancel;
};

struct GetCall {
  std::string path;
  std::string instruction;  // empty = public (unsigned)
  std::vector<std::pair<std::string, std::string>> params;
  Completion done;
  int attempts_429 = 0;
};

class RestClient::Impl : public std::enable_shared_from_this<RestClient::Impl> {
 public:
  Impl(asio::io_context& ioc, const Clock& clock, RestClientOptions opts, const SigningKey* key)
      : ioc_(ioc),
        clock_(clock),
        opts_(std::move(opts)),
        key_(key),
        http_(ioc, opts_.http),
        limiter_(clock, opts_.rate_limit),
        wait_timer_(ioc),
        backoff_timer_(ioc) {
    if (opts_.window_ms < 1 || opts_.window_ms > kMaxWindowMs) {
      throw std::invalid_argument("RestClient: window_ms must be in 1..60000, got " + std::to_string(opts_.window_ms));
    }
    if (opts_.max_429_retries < 0) opts_.max_429_retries = 0;
    if (opts_.retry_initial_us <= 0) opts_.retry_initial_us = 500 * kUsPerMs;
    opts_.retry_max_us = std::max(opts_.retry_max_us, opts_.retry_initial_us);
    if (opts_.order_timeout_us <= 0) opts_.order_timeout_us = 5 * kUsPerSecond;
  }

  ~Impl() {
    wait_timer_.cancel();
    backoff_timer_.cancel();
  }

  // Sized for the batches in flight at once (the engine has a handful); more in flight than ever before
  // adds a slot (one allocation, then it is reused like the others).
  static constexpr std::size_t kOrderSlots = 16;
  std::vector<std::unique_ptr<OrderSlot>> slots_ = make_slots();
  static std::vector<std::unique_ptr<OrderSlot>> make_slots() {
    std::vector<std::unique_ptr<OrderSlot>> v;
    v.reserve(kOrderSlots);
    for (std::size_t i = 0; i < kOrderSlots; ++i) v.push_back(std::make_unique<OrderSlot>());
    return v;
  }

  // Orders, batches and cancels go out from an order slot; the answer comes back in on_slot_done().
  template <class T>
  void send_order_pooled(OrderSlot::Kind kind, net::HttpMethod method, std::string_view path, const WrittenRequest& out,
                         RestCallback<T>& cb) {
    if (!admit_order()) {
      return local_error(std::move(cb), RestErrorKind::kRateLimited, "LOCAL_RATE_LIMIT",
                         "self-imposed rate limit reached; order not sent");
    }
    std::uint32_t idx = 0;
    while (idx < slots_.size() && slots_[idx]->busy) ++idx;
    if (idx == slots_.size()) slots_.push_back(std::make_unique<OrderSlot>());
    OrderSlot& s = *slots_[idx];
    s.busy = true;
    s.kind = kind;
    if constexpr (std::is_same_v<T, Order>) {
      s.order_cb = std::move(cb);
    } else if constexpr (std::is_same_v<T, std::vector<BatchOrderResult>>) {
      s.batch_cb = std::move(cb);
    } else {
      static_assert(std::is_same_v<T, CancelResult>);
      s.cancel_cb = std::move(cb);
    }
    s.sent_us = fill_order_request(s.req, method, path, out);
    // 16 trivially copyable bytes: std::function keeps them inline. A raw Impl pointer is safe: Impl owns
    // http_, and HttpClient never calls back once destroyed.
    http_.request_lent(s.req, [self = this, idx](net::HttpResult& r) { self->on_slot_done(idx, r); });
  }

  // Classifies the answer, parses a 2xx body into the slot's reused value and calls back.
  template <class T, class Parse>
  void finish_slot(OrderSlot& s, RestCallback<T>& slot_cb, T& value, const RawOutcome& o, Parse parse) {
    // Free the slot before the callback: it may place the next order at once.
    RestCallback<T> cb = std::move(slot_cb);
    s.busy = false;
    RestError err;
    if (!classify_order(o, err)) return deliver_error(cb, std::move(err));
    const ParseError pe = parse(value);
    if (!pe.ok()) return deliver_error(cb, parse_error<T>(pe, o.http->response.status, true));
    RestResult<T> r(std::move(value));
    if (cb) cb(r);
    // Hand the storage (vector capacity) back for the next answer unless the callback took it.
    if (r) value = std::move(*r);
  }

  void on_slot_done(std::uint32_t idx, net::HttpResult& http) {
    OrderSlot& s = *slots_[idx];
    const RawOutcome o{&http, std::nullopt, s.sent_us, clock_.now_us()};
    const JsonInput body = JsonInput::from_string(http.response.body);
    switch (s.kind) {
      case OrderSlot::Kind::kOrder:
        return finish_slot(s, s.order_cb, s.order, o, [&](Order& v) { return parse_order(parser_, body, v); });
      case OrderSlot::Kind::kBatch:
        return finish_slot(s, s.batch_cb, s.batch, o,
                           [&](std::vector<BatchOrderResult>& v) { return parse_batch_results(parser_, body, v); });
      case OrderSlot::Kind::kCancel:
        return finish_slot(s, s.cancel_cb, s.cancel, o,
                           [&](CancelResult& v) { return parse_cancel_result(parser_, http, v); });
    }
  }

  std::int64_t timestamp_ms() const noexcept { return clock_.now_ms() + offset_ms_; }

  // ------------------------------------------------------------ GET pipeline
  void get(GetCall call) {
    ++counters_.requests;
    if (counters_.backing_off) ++counters_.held_by_backoff;
    pending_gets_.push_back(std::move(call));
    pump_gets();
  }

  void pump_gets() {
    while (!pending_gets_.empty()) {
      if (counters_.backing_off) return;         // the back-off's timer pumps again when it ends
      if (probing_ && probe_in_flight_) return;  // the probe's answer pumps again
      if (!limiter_.try_acquire(RequestPriority::kLow)) {
        ++counters_.rate_limited_local;
        if (!waiting_) {
          waiting_ = true;
          const DurationUs wait = std::max<DurationUs>(limiter_.wait_us(RequestPriority::kLow), kUsPerMs);
          wait_timer_.expires_after(std::chrono::microseconds(wait));
          wait_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
            auto self = w.lock();
            if (!self || ec) return;
            self->waiting_ = false;
            self->pump_gets();
          });
        }
        return;
      }
      GetCall call = std::move(pending_gets_.front());
      pending_gets_.pop_front();
      send_get(std::move(call));
    }
  }

  void send_get(GetCall call) {
    net::HttpRequest req;
    req.method = net::HttpMethod::kGet;
    req.target = call.path;
    if (!call.instruction.empty()) {
      if (!key_)
        return fail_local(call.done, RestErrorKind::kInvalidRequest, "NO_KEY",
                          "signed endpoint " + call.path + " needs an API key");
      SignParam params[RequestWriter::kMaxQueryParams];
      const std::size_t n = std::min(call.params.size(), RequestWriter::kMaxQueryParams);
      for (std::size_t i = 0; i < n; ++i) params[i] = {call.params[i].first, call.params[i].second};
      WrittenRequest out;
      const RequestAuth auth{key_, timestamp_ms(), opts_.window_ms};
      const RequestError e = writer_.write_query(call.instruction, std::span<SignParam>(params, n), auth, out);
      if (e != RequestError::kOk) return fail_local(call.done, RestErrorKind::kInvalidRequest, to_string(e), "");
      if (!out.body.empty()) {
        req.target += '?';
        req.target.append(out.body);
      }
      add_auth_headers(req, out);
    } else if (!call.params.empty()) {
      req.target += '?';
      bool first = true;
      for (const auto& [k, v] : call.params) {
        if (!first) req.target += '&';
        first = false;
        append_encoded(req.target, k);
        req.target += '=';
        append_encoded(req.target, v);
      }
    }
    const TimestampUs sent = clock_.now_us();
    const bool probe = probing_;
    probe_in_flight_ = probe_in_flight_ || probe;
    http_.request(std::move(req),
                  [w = weak_from_this(), call = std::move(call), sent, probe](net::HttpResult& r) mutable {
                    auto self = w.lock();
                    if (!self) return;
                    if (probe) self->probe_in_flight_ = false;
                    if (r.ok() && r.response.status == 429) {
                      ++self->counters_.http_429;
                      self->rate_limited(r.response);
                      if (call.attempts_429 < self->opts_.max_429_retries) {
                        ++self->counters_.retries_429;
                        ++call.attempts_429;
                        // First in line once the back-off ends: it has waited longest.
                        self->pending_gets_.push_front(std::move(call));
                        self->pump_gets();
                        return;
                      }
                    } else if (r.ok()) {
                      self->backoff_streak_ = 0;
                      self->probing_ = false;  // the venue answers again: the held requests go
                    }
                    RawOutcome o{&r, std::nullopt, sent, self->clock_.now_us()};
                    call.done(o);
                    if (probe) self->pump_gets();  // the rest, or the next probe after a transport error
                  });
  }

  // ---- The venue's one back-off (docs/backpack.md §4): a 429 on any request, a poll's or an order's, holds
  // every GET (account, fills and funding polls, queries) until it ends, so the daemon's other requests stop
  // instead of going on twice a second into the limit. Its length is the answer's Retry-After (delta seconds,
  // at most kMaxRetryAfterUs) when the venue sends one, else retry_initial_us doubled per 429 in a row, capped
  // at retry_max_us. Orders and cancels are not held: the strategy that sent them decides (a hedge or an exit
  // must still be tried); their 429s lengthen the back-off like any other.
  static constexpr DurationUs kMaxRetryAfterUs = 300 * kUsPerSecond;

  // Retry-After as delta seconds ("7"); an HTTP date or anything else is not used (the doubling applies).
  static std::optional<DurationUs> retry_after_us(std::string_view v) noexcept {
    if (v.empty() || v.size() > 6) return std::nullopt;
    DurationUs secs = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return std::nullopt;
      secs = secs * 10 + (c - '0');
    }
    return std::min(secs * kUsPerSecond, kMaxRetryAfterUs);
  }

  void rate_limited(const net::HttpResponse& r) {
    const std::optional<DurationUs> told = retry_after_us(r.header("Retry-After"));
    DurationUs hold = opts_.retry_initial_us;
    for (int i = 0; i < backoff_streak_ && hold < opts_.retry_max_us; ++i) hold *= 2;
    hold = told ? *told : std::min(hold, opts_.retry_max_us);
    ++backoff_streak_;
    const auto now = std::chrono::steady_clock::now();
    const auto until = now + std::chrono::microseconds(hold);
    if (counters_.backing_off && until <= backoff_until_) return;  // the running back-off already covers it
    const bool entering = !counters_.backing_off;
    if (entering) {
      counters_.backing_off = true;
      ++counters_.backoffs;
      backoff_since_ = now;
    }
    backoff_until_ = until;
    counters_.backoff_until = until;
    // One warning per back-off: a storm of 429s on orders must not become a storm of log lines.
    spdlog::log(entering ? spdlog::level::warn : spdlog::level::debug,
                "Backpack REST: HTTP 429 (rate limited): polls and queries {} for {} ({}); orders still go",
                entering ? "held" : "held longer", fmt_seconds(hold),
                told ? "the venue's Retry-After" : fmt::format("back-off after {} 429 in a row", backoff_streak_));
    backoff_timer_.expires_at(until);
    backoff_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      auto self = w.lock();
      if (!self || ec) return;  // cancelled: re-armed longer, or the client is going away
      self->end_backoff();
    });
  }

  void end_backoff() {
    // A handler already queued when a later 429 re-armed the timer: the re-armed wait ends it.
    if (!counters_.backing_off || std::chrono::steady_clock::now() < backoff_until_) return;
    counters_.backing_off = false;
    // One held request goes first; the rest follow once the venue answers it (or any order) with something
    // other than 429, so a back-off does not end in the burst that starts the next one.
    probing_ = true;
    const auto held =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - backoff_since_);
    spdlog::info(
        "Backpack REST: rate-limit back-off over after {}; {} held request(s): one goes first, the rest "
        "once it is answered",
        fmt_seconds(held.count()), pending_gets_.size());
    pump_gets();
  }

  static std::string fmt_seconds(DurationUs us) {
    return fmt::format("{}.{:03d} s", us / kUsPerSecond, (us % kUsPerSecond) / kUsPerMs);
  }

  void fail_local(const Completion& done, RestErrorKind kind, std::string code, std::string message) {
    RawOutcome o;
    o.local = RestError{kind, 0, std::move(code), std::move(message)};
    // Asynchronous like every other outcome: callers never see a callback inside their own call.
    asio::post(ioc_, [done, o]() mutable { done(o); });
  }

  // The four auth headers into h[0..4), assigned in place (a reused request keeps its string capacity).
  void write_auth_headers(net::HttpHeader* h, const WrittenRequest& out) const {
    h[0].name.assign("X-API-Key");
    h[0].value.assign(key_->public_key_base64());
    h[1].name.assign("X-Signature");
    h[1].value.assign(out.signature);
    h[2].name.assign("X-Timestamp");
    h[2].value.assign(out.timestamp);
    h[3].name.assign("X-Window");
    h[3].value.assign(out.window);
  }
  void add_auth_headers(net::HttpRequest& req, const WrittenRequest& out) const {
    const std::size_t at = req.headers.size();
    req.headers.resize(at + 4);
    write_auth_headers(req.headers.data() + at, out);
  }

  // ------------------------------------------------------------ order pipeline (never retried)
  // Counts the request and takes a token from the local limiter; false (counted) when it refuses.
  bool admit_order() {
    ++counters_.requests;
    if (limiter_.try_acquire(RequestPriority::kHigh)) return true;
    ++counters_.rate_limited_local;
    return false;
  }
  // Writes an order request into `req` (fresh, or a slot's reused one) and counts it as sent; returns
  // the send time.
  TimestampUs fill_order_request(net::HttpRequest& req, net::HttpMethod method, std::string_view path,
                                 const WrittenRequest& out) {
    req.method = method;
    req.target.assign(path);
    req.body.assign(out.body);
    req.content_type.assign(kJsonContentType);
    req.timeout_us = opts_.order_timeout_us;
    req.retry_safe = false;
    req.headers.resize(4);  // exactly the auth headers
    write_auth_headers(req.headers.data(), out);
    ++counters_.orders_sent;
    spdlog::debug("backpack REST {} {} body={}", net::to_string(method), path, out.body);
    return clock_.now_us();
  }
  // cancel_all's path (orders, batches and cancels use the order slots).
  void send_order(net::HttpMethod method, std::string_view path, const WrittenRequest& out, Completion done) {
    if (!admit_order()) {
      return fail_local(done, RestErrorKind::kRateLimited, "LOCAL_RATE_LIMIT",
                        "self-imposed rate limit reached; order not sent");
    }
    net::HttpRequest req;
    const TimestampUs sent = fill_order_request(req, method, path, out);
    http_.request(std::move(req), [w = weak_from_this(), done = std::move(done), sent](net::HttpResult& r) {
      auto self = w.lock();
      if (!self) return;
      RawOutcome o{&r, std::nullopt, sent, self->clock_.now_us()};
      done(o);
    });
  }

  // ------------------------------------------------------------ outcome classification
  RestError api_or_http_error(const net::HttpResult& r, RestErrorKind api_kind) {
    RestError e;
    e.http_status = r.response.status;
    ApiError api;
    if (!r.response.body.empty() && parse_api_error(parser_, JsonInput::from_string(r.response.body), api).ok() &&
        !api.code.empty()) {
      e.kind = api_kind;
      e.reject = classify_reject(api.code, api.message);
      e.code = std::move(api.code);
      e.message = std::move(api.message);
    } else {
      e.kind = RestErrorKind::kHttp;
      e.code = "HTTP_" + std::to_string(r.response.status);
      e.message = truncate_for_message(r.response.body);
    }
    return e;
  }

  // GETs: true if a 2xx body is there to parse; otherwise `err` says why.
  bool classify_get(const RawOutcome& o, RestError& err) {
    if (o.local) {
      err = *o.local;
      return false;
    }
    const net::HttpResult& r = *o.http;
    if (!r.ok()) {
      err.kind = r.error == net::TransportError::kTimeout ? RestErrorKind::kTimeout : RestErrorKind::kTransport;
      err.code = net::to_string(r.error);
      err.message = r.error_message;
      return false;
    }
    const int s = r.response.status;
    if (s >= 200 && s < 300) return true;
    if (s == 429) {
      err = api_or_http_error(r, RestErrorKind::kApi);
      err.kind = RestErrorKind::kRateLimited;
      return false;
    }
    err = api_or_http_error(r, RestErrorKind::kApi);
    return false;
  }

  // Orders: true if a 2xx body is there to parse; otherwise `err`, with the OutcomeUnknown rules.
  bool classify_order(const RawOutcome& o, RestError& err) {
    if (o.local) {
      err = *o.local;
      return false;
    }
    const net::HttpResult& r = *o.http;
    if (!r.ok()) {
      if (r.maybe_sent) {
        err.kind = RestErrorKind::kOutcomeUnknown;
      } else {
        err.kind = r.error == net::TransportError::kTimeout ? RestErrorKind::kTimeout : RestErrorKind::kTransport;
      }
      if (!r.maybe_sent && r.error == net::TransportError::kTimeout) {
        // Timed out before a byte left (connect phase / queue): certainly not applied.
        err.kind = RestErrorKind::kTransport;
      }
      err.code = net::to_string(r.error);
      err.message = r.error_message;
      if (err.kind == RestErrorKind::kOutcomeUnknown) ++counters_.outcome_unknown;
      return false;
    }
    const int s = r.response.status;
    if (s != 429) {
      backoff_streak_ = 0;
      if (probing_) {  // the venue answers again: the held requests go
        probing_ = false;
        pump_gets();
      }
    }
    if (s >= 200 && s < 300) return true;
    if (s == 429) {
      ++counters_.http_429;
      rate_limited(r.response);
      err = api_or_http_error(r, RestErrorKind::kApi);
      err.kind = RestErrorKind::kRateLimited;
      return false;
    }
    err = api_or_http_error(r, RestErrorKind::kApi);
    if (s >= 500) {
      err.kind = RestErrorKind::kOutcomeUnknown;  // a 5xx says nothing about whether the order executed
      ++counters_.outcome_unknown;
    }
    return false;
  }

  template <class T>
  void deliver_error(const RestCallback<T>& cb, RestError err) {
    ++counters_.errors;
    // A 429 carries TOO_MANY_REQUESTS or no body at all; our own limiter's refusal has no answer either.
    if (err.kind == RestErrorKind::kRateLimited) err.reject = RejectClass::kRateLimited;
    if (err.kind == RestErrorKind::kOutcomeUnknown) {
      spdlog::warn("backpack REST order outcome unknown: {} {}", err.code, err.message);
    }
    RestResult<T> r = unexpected(std::move(err));
    if (cb) cb(r);
  }

  template <class T>
  void deliver(const RestCallback<T>& cb, T&& value) {
    RestResult<T> r(std::move(value));
    if (cb) cb(r);
  }

  template <class T>
  RestError parse_error(const ParseError& pe, int status, bool order) {
    RestError e;
    e.kind = order ? RestErrorKind::kOutcomeUnknown : RestErrorKind::kParse;
    e.http_status = status;
    e.code = to_string(pe.code);
    e.message = "unparseable response: " + pe.message();
    if (order) ++counters_.outcome_unknown;
    return e;
  }

  // Completion for a GET whose 2xx body is parsed by `parse` into T.
  template <class T, class Parse>
  Completion get_handler(RestCallback<T> cb, Parse parse) {
    return [w = weak_from_this(), cb = std::move(cb), parse](RawOutcome& o) {
      auto self = w.lock();
      if (!self) return;
      RestError err;
      if (!self->classify_get(o, err)) return self->deliver_error(cb, std::move(err));
      T value{};
      const ParseError pe = parse(self->parser_, o.http->response.body, value);
      if (!pe.ok()) return self->deliver_error(cb, self->parse_error<T>(pe, o.http->response.status, false));
      self->deliver(cb, std::move(value));
    };
  }

  // Completion for an order request whose 2xx body is parsed into T.
  template <class T, class Parse>
  Completion order_handler(RestCallback<T> cb, Parse parse) {
    return [w = weak_from_this(), cb = std::move(cb), parse](RawOutcome& o) {
      auto self = w.lock();
      if (!self) return;
      RestError err;
      if (!self->classify_order(o, err)) return self->deliver_error(cb, std::move(err));
      T value{};
      const ParseError pe = parse(self->parser_, *o.http, value);
      if (!pe.ok()) return self->deliver_error(cb, self->parse_error<T>(pe, o.http->response.status, true));
      self->deliver(cb, std::move(value));
    };
  }

  // Local refusal (nothing sent), reported asynchronously like every other outcome.
  template <class T>
  void local_error(RestCallback<T> cb, RestErrorKind kind, std::string code, std::string message) {
    RestError e{kind, 0, std::move(code), std::move(message)};
    asio::post(ioc_, [w = weak_from_this(), cb = std::move(cb), e = std::move(e)]() mutable {
      if (auto self = w.lock()) self->deliver_error(cb, std::move(e));
    });
  }

  asio::io_context& ioc_;
  const Clock& clock_;
  RestClientOptions opts_;
  const SigningKey* key_;
  net::HttpClient http_;
  RateLimiter limiter_;
  asio::steady_timer wait_timer_;
  bool waiting_ = false;
  asio::steady_timer backoff_timer_;  // ends the back-off (counters_.backing_off)
  std::chrono::steady_clock::time_point backoff_since_, backoff_until_;
  int backoff_streak_ = 0;        // 429 answers since the last other answer
  bool probing_ = false;          // a back-off ended: one GET at a time until the venue answers without 429
  bool probe_in_flight_ = false;  // that GET
  std::deque<GetCall> pending_gets_;
  RequestWriter writer_;
  JsonParser parser_;
  std::int64_t offset_ms_ = 0;
  RestCounters counters_;
};

// Adapters from A's parser signatures to the (parser, body, out) shape used by get_handler.
template <class F>
auto body_parser(F f) {
  return [f](JsonParser& p, const std::string& body, auto& out) { return f(p, JsonInput::from_string(body), out); };
}

}  // namespace bparb::backpack
