// RestClient: orders (execute, batch, cancel, cancel-all), order queries, fills and funding history. The
// transport they share is rest_client_impl.hpp.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bparb/venue/backpack/rest_client.hpp"
#include "rest_client_impl.hpp"

namespace bparb::backpack {

// ------------------------------------------------------------------ orders

void RestClient::execute_order(const OrderRequest& order, RestCallback<Order> cb) {
  WrittenRequest out;
  const RequestAuth auth{impl_->key_, impl_->timestamp_ms(), impl_->opts_.window_ms};
  if (!impl_->key_) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, "NO_KEY",
                              "order endpoints need an API key");
  }
  const RequestError e = impl_->writer_.write_order(order, auth, out);
  if (e != RequestError::kOk) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, to_string(e), "request not sent");
  }
  impl_->send_order_pooled(OrderSlot::Kind::kOrder, net::HttpMethod::kPost, "/api/v1/order", out, cb);
}

void RestClient::execute_batch(std::span<const OrderRequest> orders, RestCallback<std::vector<BatchOrderResult>> cb) {
  WrittenRequest out;
  const RequestAuth auth{impl_->key_, impl_->timestamp_ms(), impl_->opts_.window_ms};
  if (!impl_->key_) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, "NO_KEY",
                              "order endpoints need an API key");
  }
  const RequestError e = impl_->writer_.write_batch(orders, auth, out);
  if (e != RequestError::kOk) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, to_string(e), "request not sent");
  }
  impl_->send_order_pooled(OrderSlot::Kind::kBatch, net::HttpMethod::kPost, "/api/v1/orders", out, cb);
}

void RestClient::cancel_order(const CancelRequest& cancel, RestCallback<CancelResult> cb) {
  WrittenRequest out;
  const RequestAuth auth{impl_->key_, impl_->timestamp_ms(), impl_->opts_.window_ms};
  if (!impl_->key_) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, "NO_KEY",
                              "order endpoints need an API key");
  }
  const RequestError e = impl_->writer_.write_cancel(cancel, auth, out);
  if (e != RequestError::kOk) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, to_string(e), "request not sent");
  }
  impl_->send_order_pooled(OrderSlot::Kind::kCancel, net::HttpMethod::kDelete, "/api/v1/order", out, cb);
}

void RestClient::cancel_all(std::string_view symbol, CancelAllKind kind, RestCallback<CancelAllResult> cb) {
  WrittenRequest out;
  const RequestAuth auth{impl_->key_, impl_->timestamp_ms(), impl_->opts_.window_ms};
  if (!impl_->key_) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, "NO_KEY",
                              "order endpoints need an API key");
  }
  const RequestError e = impl_->writer_.write_cancel_all(symbol, kind, auth, out);
  if (e != RequestError::kOk) {
    return impl_->local_error(std::move(cb), RestErrorKind::kInvalidRequest, to_string(e), "request not sent");
  }
  impl_->send_order(net::HttpMethod::kDelete, "/api/v1/orders", out,
                    impl_->order_handler<CancelAllResult>(
                        std::move(cb), [](JsonParser& p, const net::HttpResult& r, CancelAllResult& c) {
                          if (r.response.status == 202 || r.response.body.empty()) {
                            c.pending = r.response.status == 202;
                            return ParseError{};
                          }
                          return parse_orders(p, JsonInput::from_string(r.response.body), c.orders);
                        }));
}

// ------------------------------------------------------------------ order state / history

void RestClient::get_open_orders(std::string_view symbol, RestCallback<std::vector<Order>> cb) {
  GetCall c;
  c.path = "/api/v1/orders";
  c.instruction = "orderQueryAll";
  if (!symbol.empty()) c.params.emplace_back("symbol", std::string(symbol));
  c.done = impl_->get_handler<std::vector<Order>>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, std::vector<Order>& out) { return parse_orders(p, in, out); }));
  impl_->get(std::move(c));
}

namespace {

Completion order_query_handler(const std::weak_ptr<RestClient::Impl>& w, RestCallback<std::optional<Order>> cb);

}  // namespace

void RestClient::get_order(std::string_view symbol, std::string_view order_id, RestCallback<std::optional<Order>> cb) {
  GetCall c;
  c.path = "/api/v1/order";
  c.instruction = "orderQuery";
  c.params.emplace_back("orderId", std::string(order_id));
  c.params.emplace_back("symbol", std::string(symbol));
  c.done = order_query_handler(impl_, std::move(cb));
  impl_->get(std::move(c));
}

void RestClient::get_order_by_client_id(std::string_view symbol, std::uint32_t client_id,
                                        RestCallback<std::optional<Order>> cb) {
  GetCall c;
  c.path = "/api/v1/order";
  c.instruction = "orderQuery";
  c.params.emplace_back("clientId", std::to_string(client_id));
  c.params.emplace_back("symbol", std::string(symbol));
  c.done = order_query_handler(impl_, std::move(cb));
  impl_->get(std::move(c));
}

namespace {

Completion order_query_handler(const std::weak_ptr<RestClient::Impl>& w, RestCallback<std::optional<Order>> cb) {
  return [w, cb = std::move(cb)](RawOutcome& o) {
    auto self = w.lock();
    if (!self) return;
    // 404: not resting (filled, cancelled, expired or never seen) — not an error for the caller.
    if (!o.local && o.http->ok() && o.http->response.status == 404) {
      return self->deliver(cb, std::optional<Order>{});
    }
    RestError err;
    if (!self->classify_get(o, err)) return self->deliver_error(cb, std::move(err));
    Order order;
    const ParseError pe = parse_order(self->parser_, JsonInput::from_string(o.http->response.body), order);
    if (!pe.ok()) {
      return self->deliver_error(cb, self->parse_error<std::optional<Order>>(pe, o.http->response.status, false));
    }
    self->deliver(cb, std::optional<Order>(std::move(order)));
  };
}

}  // namespace

void RestClient::get_fills(const FillsQuery& q, RestCallback<std::vector<Fill>> cb) {
  GetCall c;
  c.path = "/wapi/v1/history/fills";
  c.instruction = "fillHistoryQueryAll";
  if (!q.fill_type.empty()) c.params.emplace_back("fillType", q.fill_type);
  if (q.from_ms > 0) c.params.emplace_back("from", std::to_string(q.from_ms));
  if (q.limit > 0) c.params.emplace_back("limit", std::to_string(q.limit));
  if (!q.market_type.empty()) c.params.emplace_back("marketType", q.market_type);
  if (q.offset > 0) c.params.emplace_back("offset", std::to_string(q.offset));
  if (!q.order_id.empty()) c.params.emplace_back("orderId", q.order_id);
  if (!q.sort_direction.empty()) c.params.emplace_back("sortDirection", q.sort_direction);
  if (!q.symbol.empty()) c.params.emplace_back("symbol", q.symbol);
  if (q.to_ms > 0) c.params.emplace_back("to", std::to_string(q.to_ms));
  c.done = impl_->get_handler<std::vector<Fill>>(
      std::move(cb),
      body_parser([](JsonParser& p, JsonInput in, std::vector<Fill>& out) { return parse_fills(p, in, out); }));
  impl_->get(std::move(c));
}

void RestClient::get_funding_history(const FundingHistoryQuery& q, RestCallback<std::vector<FundingPayment>> cb) {
  GetCall c;
  c.path = "/wapi/v1/history/funding";
  c.instruction = "fundingHistoryQueryAll";
  if (q.limit > 0) c.params.emplace_back("limit", std::to_string(q.limit));
  if (q.offset > 0) c.params.emplace_back("offset", std::to_string(q.offset));
  if (!q.sort_direction.empty()) c.params.emplace_back("sortDirection", q.sort_direction);
  if (!q.symbol.empty()) c.params.emplace_back("symbol", q.symbol);
  c.done = impl_->get_handler<std::vector<FundingPayment>>(
      std::move(cb), body_parser([](JsonParser& p, JsonInput in, std::vector<FundingPayment>& out) {
        return parse_funding_payments(p, in, out);
      }));
  impl_->get(std::move(c));
}
}  // namespace bparb::backpack
