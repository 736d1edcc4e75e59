#include "bparb/venue/backpack/rest_client.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rest_client_impl.hpp"

namespace bparb::backpack {

const char* to_string(RestErrorKind k) noexcept {
  switch (k) {
    case RestErrorKind::kHttp:
      return "http";
    case RestErrorKind::kApi:
      return "api";
    case RestErrorKind::kTransport:
      return "transport";
    case RestErrorKind::kTimeout:
      return "timeout";
    case RestErrorKind::kParse:
      return "parse";
    case RestErrorKind::kOutcomeUnknown:
      return "outcome_unknown";
    case RestErrorKind::kRateLimited:
      return "rate_limited";
    case RestErrorKind::kInvalidRequest:
      return "invalid_request";
  }
  return "unknown";
}

RestClient::RestClient(boost::asio::io_context& ioc, const Clock& clock, RestClientOptions opts, const SigningKey* key)
    : impl_(std::make_shared<Impl>(ioc, clock, std::move(opts), key)) {}

RestClient::~RestClient() = default;

// ------------------------------------------------------------------ public market data

void RestClient::get_markets(RestCallback<std::vector<MarketSpec>> cb) {
  GetCall c;
  c.path = "/api/v1/markets";
  c.done = impl_->get_handler<std::vector<MarketSpec>>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, std::vector<MarketSpec>& out) { return parse_markets(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_depth(std::string_view symbol, int limit, RestCallback<DepthSnapshot> cb) {
  GetCall c;
  c.path = "/api/v1/depth";
  c.params.emplace_back("symbol", std::string(symbol));
  if (limit > 0) c.params.emplace_back("limit", std::to_string(limit));
  c.done = impl_->get_handler<DepthSnapshot>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, DepthSnapshot& out) { return parse_depth_snapshot(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_ticker(std::string_view symbol, RestCallback<Ticker> cb) {
  GetCall c;
  c.path = "/api/v1/ticker";
  c.params.emplace_back("symbol", std::string(symbol));
  c.done = impl_->get_handler<Ticker>(
      std::move(cb), body_parser([](JsonParser& p, JsonInput in, Ticker& out) { return parse_ticker(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_tickers(RestCallback<std::vector<Ticker>> cb) {
  GetCall c;
  c.path = "/api/v1/tickers";
  c.done = impl_->get_handler<std::vector<Ticker>>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, std::vector<Ticker>& out) { return parse_tickers(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_mark_prices(std::string_view symbol, RestCallback<std::vector<MarkPrice>> cb) {
  GetCall c;
  c.path = "/api/v1/markPrices";
  if (!symbol.empty()) c.params.emplace_back("symbol", std::string(symbol));
  c.done = impl_->get_handler<std::vector<MarkPrice>>(
      std::move(cb), body_parser([](JsonParser& p, JsonInput in, std::vector<MarkPrice>& out) {
        return parse_mark_prices(p, in, out);
      }));
  impl_->get(std::move(c));
}

void RestClient::get_funding_rates(std::string_view symbol, std::int64_t limit, std::int64_t offset,
                                   RestCallback<std::vector<FundingRate>> cb) {
  GetCall c;
  c.path = "/api/v1/fundingRates";
  c.params.emplace_back("symbol", std::string(symbol));
  if (limit > 0) c.params.emplace_back("limit", std::to_string(limit));
  if (offset > 0) c.params.emplace_back("offset", std::to_string(offset));
  c.done = impl_->get_handler<std::vector<FundingRate>>(
      std::move(cb), body_parser([](JsonParser& p, JsonInput in, std::vector<FundingRate>& out) {
        return parse_funding_rates(p, in, out);
      }));
  impl_->get(std::move(c));
}

void RestClient::get_server_time(RestCallback<std::int64_t> cb) {
  GetCall c;
  c.path = "/api/v1/time";
  c.done = impl_->get_handler<std::int64_t>(std::move(cb), [](JsonParser&, const std::string& body, std::int64_t& out) {
    return parse_server_time(body, out);
  });
  impl_->get(std::move(c));
}

void RestClient::sync_time(RestCallback<ServerTimeSync> cb) {
  GetCall c;
  c.path = "/api/v1/time";
  c.done = [w = std::weak_ptr<Impl>(impl_), cb = std::move(cb)](RawOutcome& o) {
    auto self = w.lock();
    if (!self) return;
    RestError err;
    if (!self->classify_get(o, err)) return self->deliver_error(cb, std::move(err));
    ServerTimeSync s;
    const ParseError pe = parse_server_time(o.http->response.body, s.server_ms);
    if (!pe.ok()) return self->deliver_error(cb, self->parse_error<ServerTimeSync>(pe, o.http->response.status, false));
    // The server stamped its clock somewhere between send and receive; assume the middle.
    s.rtt_us = std::max<DurationUs>(o.done_us - o.sent_us, 0);
    const TimestampUs mid_us = o.sent_us + s.rtt_us / 2;
    s.offset_ms = s.server_ms - mid_us / kUsPerMs;
    self->offset_ms_ = s.offset_ms;
    spdlog::info("backpack clock offset {} ms (rtt {} us)", s.offset_ms, s.rtt_us);
    self->deliver(cb, std::move(s));
  };
  impl_->get(std::move(c));
}

// ------------------------------------------------------------------ account

void RestClient::get_account(RestCallback<AccountSummary> cb) {
  GetCall c;
  c.path = "/api/v1/account";
  c.instruction = "accountQuery";
  c.done = impl_->get_handler<AccountSummary>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, AccountSummary& out) { return parse_account_summary(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_capital(RestCallback<std::vector<Balance>> cb) {
  GetCall c;
  c.path = "/api/v1/capital";
  c.instruction = "balanceQuery";
  c.done = impl_->get_handler<std::vector<Balance>>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, std::vector<Balance>& out) { return parse_capital(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_collateral(RestCallback<CollateralSummary> cb) {
  GetCall c;
  c.path = "/api/v1/capital/collateral";
  c.instruction = "collateralQuery";
  c.done = impl_->get_handler<CollateralSummary>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, CollateralSummary& out) { return parse_collateral(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_positions(std::string_view symbol, RestCallback<std::vector<Position>> cb) {
  GetCall c;
  c.path = "/api/v1/position";
  c.instruction = "positionQuery";
  if (!symbol.empty()) c.params.emplace_back("symbol", std::string(symbol));
  auto inner = impl_->get_handler<std::vector<Position>>(
      cb,
      body_parser([](JsonParser& p, JsonInput in, std::vector<Position>& out) { return parse_positions(p, in, out); }));
  // 404 "Position not found" means flat, like an empty array.
  c.done = [w = std::weak_ptr<Impl>(impl_), cb, inner](RawOutcome& o) {
    auto self = w.lock();
    if (!self) return;
    if (!o.local && o.http->ok() && o.http->response.status == 404) {
      return self->deliver(cb, std::vector<Position>{});
    }
    inner(o);
  };
  impl_->get(std::move(c));
}
std::int64_t RestClient::timestamp_ms() const noexcept {
  return impl_->timestamp_ms();
}
std::int64_t RestClient::time_offset_ms() const noexcept {
  return impl_->offset_ms_;
}
void RestClient::set_time_offset_ms(std::int64_t offset) noexcept {
  impl_->offset_ms_ = offset;
}
std::int64_t RestClient::window_ms() const noexcept {
  return impl_->opts_.window_ms;
}
const RestCounters& RestClient::counters() const noexcept {
  return impl_->counters_;
}
net::HttpClient& RestClient::http() noexcept {
  return impl_->http_;
}
RateLimiter& RestClient::rate_limiter() noexcept {
  return impl_->limiter_;
}

}  // namespace bparb::backpack
