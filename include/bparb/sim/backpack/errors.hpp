#pragma once
// Backpack's error answers for the exchange core's neutral rejects: the HTTP status, ApiErrorCode and
// message the real REST API gives for the same refusal (docs/backpack.md §4).
#include <string>

#include "bparb/sim/exchange.hpp"
#include "bparb/sim/reject.hpp"

namespace bparb::sim {

// An error answer exactly as the REST API gives it: HTTP status + {"code","message"}.
struct ApiError {
  int http_status = 400;
  std::string code;     // ApiErrorCode, e.g. "INSUFFICIENT_FUNDS"
  std::string message;  // e.g. "Price is too far from the last active price"
  bool operator==(const ApiError&) const = default;
};

// `config` supplies the numbers some messages carry (the batch size limit).
ApiError backpack_api_error(Reject r, const ExchangeConfig& config);

}  // namespace bparb::sim
