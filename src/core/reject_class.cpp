#include "bparb/core/reject_class.hpp"

#include <array>

namespace bparb {
namespace {
constexpr std::array<std::string_view, kRejectClassCount> kRejectClassNames = {
    "other",
    "insufficient_funds",
    "market_unavailable",
    "account_refused",
    "position_limit",
    "price_out_of_band",
    "off_tick_or_step",
    "post_only_would_take",
    "reduce_only_refused",
    "rate_limited",
    "request_expired",
    "bad_signature",
};
}  // namespace

std::string_view reject_class_name(RejectClass c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  return i < kRejectClassNames.size() ? kRejectClassNames[i] : std::string_view("?");
}

}  // namespace bparb
