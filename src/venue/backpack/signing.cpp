#include "bparb/venue/backpack/signing.hpp"

#include <array>
#include <charconv>
#include <cstring>

#include "bparb/core/json_escape.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

// Bounded appender over a caller buffer; once it overflows every later append is a no-op.
struct Sink {
  char* out;
  std::size_t cap;
  std::size_t len = 0;
  bool overflow = false;

  void put(std::string_view s) noexcept {
    if (overflow) return;
    if (cap - len < s.size()) {
      overflow = true;
      return;
    }
    std::memcpy(out + len, s.data(), s.size());
    len += s.size();
  }
  void put(char c) noexcept { put(std::string_view(&c, 1)); }
  void put_int(std::int64_t v) noexcept {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    put(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
};

// Insertion sort: stable, allocation-free, and the param lists are tiny (< 20).
void sort_params(std::span<SignParam> params) noexcept {
  for (std::size_t i = 1; i < params.size(); ++i) {
    SignParam x = params[i];
    std::size_t j = i;
    while (j > 0 && x.key < params[j - 1].key) {
      params[j] = params[j - 1];
      --j;
    }
    params[j] = x;
  }
}

void put_params(Sink& s, std::span<const SignParam> params) noexcept {
  for (const SignParam& p : params) {
    s.put('&');
    s.put(p.key);
    s.put('=');
    s.put(p.value);
  }
}

void put_tail(Sink& s, std::int64_t ts, std::int64_t window) noexcept {
  s.put("&timestamp=");
  s.put_int(ts);
  s.put("&window=");
  s.put_int(window);
}

std::string build_string(std::string_view instruction, std::vector<SignParam>& params, std::int64_t ts,
                         std::int64_t window) {
  // "instruction=" (12) + "&timestamp=" (11) + "&window=" (8) + two int64 of up to 20 chars: 71.
  // 80 leaves room; fuzz_signing found the old 64 silently returned "" for extreme values.
  std::size_t need = instruction.size() + 80;
  for (const auto& p : params) need += p.key.size() + p.value.size() + 2;
  std::string out(need, '\0');
  const std::size_t n = build_signing_string(instruction, params, ts, window, out.data(), out.size());
  out.resize(n);
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  json_escape_append(out, s);
  out += '"';
}

std::string ws_message(std::string_view method, std::span<const std::string_view> streams, const SigningKey* key,
                       std::int64_t ts, std::int64_t window) {
  std::string out = "{\"method\":\"";
  out += method;
  out += "\",\"params\":[";
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, streams[i]);
  }
  out += ']';
  if (key != nullptr) {
    const std::string signee = signing_string("subscribe", std::span<const SignParam>{}, ts, window);
    out += ",\"signature\":[";
    append_json_string(out, key->public_key_base64());
    out += ",\"";
    out += key->sign_base64(signee);
    out += "\",\"";
    out += std::to_string(ts);
    out += "\",\"";
    out += std::to_string(window);
    out += "\"]";
  }
  out += '}';
  return out;
}

struct Route {
  std::string_view method;
  std::string_view path;
  std::string_view instruction;
};

// docs/backpack.md §1.4 (the instruction each endpoint documents).
constexpr std::array kRoutes{
    Route{"GET", "/api/v1/account", "accountQuery"},
    Route{"PATCH", "/api/v1/account", "accountUpdate"},
    Route{"GET", "/api/v1/account/limits/order", "maxOrderQuantity"},
    Route{"GET", "/api/v1/account/limits/borrow", "maxBorrowQuantity"},
    Route{"GET", "/api/v1/account/limits/withdrawal", "maxWithdrawalQuantity"},
    Route{"POST", "/api/v1/account/convertDust", "convertDust"},
    Route{"GET", "/api/v1/capital", "balanceQuery"},
    Route{"GET", "/api/v1/capital/collateral", "collateralQuery"},
    Route{"GET", "/api/v1/position", "positionQuery"},
    Route{"GET", "/api/v1/order", "orderQuery"},
    Route{"POST", "/api/v1/order", "orderExecute"},
    Route{"DELETE", "/api/v1/order", "orderCancel"},
    Route{"GET", "/api/v1/orders", "orderQueryAll"},
    Route{"POST", "/api/v1/orders", "orderExecute"},
    Route{"DELETE", "/api/v1/orders", "orderCancelAll"},
    Route{"GET", "/wapi/v1/history/fills", "fillHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/orders", "orderHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/funding", "fundingHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/position", "positionHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/settlement", "settlementHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/interest", "interestHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/borrowLend", "borrowHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/borrowLend/positions", "borrowPositionHistoryQueryAll"},
    Route{"GET", "/wapi/v1/history/dust", "dustHistoryQueryAll"},
    Route{"GET", "/api/v1/borrowLend/positions", "borrowLendPositionQuery"},
    Route{"POST", "/api/v1/borrowLend", "borrowLendExecute"},
    Route{"GET", "/wapi/v1/capital/withdrawals", "withdrawalQueryAll"},
    Route{"POST", "/wapi/v1/capital/withdrawals", "withdraw"},
    Route{"GET", "/wapi/v1/capital/deposits", "depositQueryAll"},
    Route{"GET", "/wapi/v1/capital/deposit/address", "depositAddressQuery"},
    Route{"POST", "/api/v1/rfq", "rfqSubmit"},
    Route{"POST", "/api/v1/rfq/quote", "quoteSubmit"},
    Route{"POST", "/api/v1/rfq/accept", "quoteAccept"},
    Route{"POST", "/api/v1/rfq/refresh", "rfqRefresh"},
    Route{"POST", "/api/v1/rfq/cancel", "rfqCancel"},
    Route{"GET", "/api/v1/strategy", "strategyQuery"},
    Route{"POST", "/api/v1/strategy", "strategyCreate"},
    Route{"DELETE", "/api/v1/strategy", "strategyCancel"},
    Route{"GET", "/api/v1/strategies", "strategyQueryAll"},
    Route{"DELETE", "/api/v1/strategies", "strategyCancelAll"},
};

}  // namespace

std::size_t build_signing_string(std::string_view instruction, std::span<SignParam> params, std::int64_t timestamp_ms,
                                 std::int64_t window_ms, char* out, std::size_t cap) noexcept {
  sort_params(params);
  Sink s{out, cap};
  s.put("instruction=");
  s.put(instruction);
  put_params(s, params);
  put_tail(s, timestamp_ms, window_ms);
  return s.overflow ? 0 : s.len;
}

std::size_t build_batch_signing_string(std::string_view instruction, std::span<std::span<SignParam>> orders,
                                       std::int64_t timestamp_ms, std::int64_t window_ms, char* out,
                                       std::size_t cap) noexcept {
  Sink s{out, cap};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    sort_params(orders[i]);
    if (i) s.put('&');
    s.put("instruction=");
    s.put(instruction);
    put_params(s, orders[i]);
  }
  if (orders.empty()) {
    // Degenerate, but keep the documented no-params shape rather than a leading '&'.
    s.put("instruction=");
    s.put(instruction);
  }
  put_tail(s, timestamp_ms, window_ms);
  return s.overflow ? 0 : s.len;
}

std::string signing_string(std::string_view instruction, std::span<const SignParam> params, std::int64_t timestamp_ms,
                           std::int64_t window_ms) {
  std::vector<SignParam> copy(params.begin(), params.end());
  return build_string(instruction, copy, timestamp_ms, window_ms);
}

std::string signing_string(std::string_view instruction, std::span<const ParamText> params, std::int64_t timestamp_ms,
                           std::int64_t window_ms) {
  std::vector<SignParam> copy;
  copy.reserve(params.size());
  for (const auto& p : params) copy.push_back({p.key, p.value});
  return build_string(instruction, copy, timestamp_ms, window_ms);
}

std::string batch_signing_string(std::string_view instruction, std::span<const std::vector<ParamText>> orders,
                                 std::int64_t timestamp_ms, std::int64_t window_ms) {
  std::vector<std::vector<SignParam>> lists(orders.size());
  std::vector<std::span<SignParam>> spans;
  std::size_t need = 80 + orders.size() * (instruction.size() + 14);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    for (const auto& p : orders[i]) {
      lists[i].push_back({p.key, p.value});
      need += p.key.size() + p.value.size() + 2;
    }
    spans.emplace_back(lists[i]);
  }
  std::string out(need, '\0');
  const std::size_t n = build_batch_signing_string(instruction, spans, timestamp_ms, window_ms, out.data(), out.size());
  out.resize(n);
  return out;
}

std::string ws_subscribe_message(std::span<const std::string_view> streams, const SigningKey* key_or_null,
                                 std::int64_t timestamp_ms, std::int64_t window_ms) {
  return ws_message("SUBSCRIBE", streams, key_or_null, timestamp_ms, window_ms);
}

std::string ws_unsubscribe_message(std::span<const std::string_view> streams, const SigningKey* key_or_null,
                                   std::int64_t timestamp_ms, std::int64_t window_ms) {
  return ws_message("UNSUBSCRIBE", streams, key_or_null, timestamp_ms, window_ms);
}

std::string_view instruction_for(std::string_view method, std::string_view path) noexcept {
  // Tolerate a trailing slash ("/api/v1/order/"), which HTTP routers commonly treat as the same path.
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (const Route& r : kRoutes) {
    if (r.method == method && r.path == path) return r.instruction;
  }
  return {};
}

}  // namespace bparb::backpack
