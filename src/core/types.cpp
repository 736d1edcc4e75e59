#include "bparb/core/types.hpp"

#include <array>
#include <utility>

namespace bparb {
namespace {

template <class E, std::size_t N>
bool lookup(std::string_view s, const std::array<std::pair<std::string_view, E>, N>& table, E& out) noexcept {
  for (const auto& [name, v] : table) {
    if (name == s) {
      out = v;
      return true;
    }
  }
  return false;
}

constexpr std::array<std::pair<std::string_view, Side>, 2> kSides{{{"Bid", Side::kBid}, {"Ask", Side::kAsk}}};
constexpr std::array<std::pair<std::string_view, OrderType>, 4> kOrderTypes{{{"Limit", OrderType::kLimit},
                                                                             {"Market", OrderType::kMarket},
                                                                             {"LIMIT", OrderType::kLimit},
                                                                             {"MARKET", OrderType::kMarket}}};
constexpr std::array<std::pair<std::string_view, TimeInForce>, 3> kTifs{
    {{"GTC", TimeInForce::kGtc}, {"IOC", TimeInForce::kIoc}, {"FOK", TimeInForce::kFok}}};
constexpr std::array<std::pair<std::string_view, MarketType>, 6> kMarketTypes{{{"SPOT", MarketType::kSpot},
                                                                               {"PERP", MarketType::kPerp},
                                                                               {"IPERP", MarketType::kIperp},
                                                                               {"DATED", MarketType::kDated},
                                                                               {"PREDICTION", MarketType::kPrediction},
                                                                               {"RFQ", MarketType::kRfq}}};
constexpr std::array<std::pair<std::string_view, OrderStatus>, 7> kStatuses{
    {{"New", OrderStatus::kNew},
     {"PartiallyFilled", OrderStatus::kPartiallyFilled},
     {"Filled", OrderStatus::kFilled},
     {"Cancelled", OrderStatus::kCancelled},
     {"Expired", OrderStatus::kExpired},
     {"TriggerPending", OrderStatus::kTriggerPending},
     {"TriggerFailed", OrderStatus::kTriggerFailed}}};
constexpr std::array<std::pair<std::string_view, OrderBookState>, 5> kBookStates{
    {{"Open", OrderBookState::kOpen},
     {"Closed", OrderBookState::kClosed},
     {"CancelOnly", OrderBookState::kCancelOnly},
     {"LimitOnly", OrderBookState::kLimitOnly},
     {"PostOnly", OrderBookState::kPostOnly}}};
constexpr std::array<std::pair<std::string_view, SelfTradePrevention>, 4> kStps{
    {{"RejectTaker", SelfTradePrevention::kRejectTaker},
     {"RejectMaker", SelfTradePrevention::kRejectMaker},
     {"RejectBoth", SelfTradePrevention::kRejectBoth},
     {"Allow", SelfTradePrevention::kAllow}}};

template <class E, std::size_t N>
std::string_view name_of(E v, const std::array<std::pair<std::string_view, E>, N>& table) noexcept {
  for (const auto& [name, e] : table)
    if (e == v) return name;
  return "?";
}

}  // namespace

std::string_view side_name(Side s) noexcept { return name_of(s, kSides); }
std::string_view order_type_name(OrderType t) noexcept { return t == OrderType::kLimit ? "Limit" : "Market"; }
std::string_view order_type_ws_name(OrderType t) noexcept { return t == OrderType::kLimit ? "LIMIT" : "MARKET"; }
std::string_view tif_name(TimeInForce t) noexcept { return name_of(t, kTifs); }
std::string_view market_type_name(MarketType t) noexcept { return name_of(t, kMarketTypes); }
std::string_view order_status_name(OrderStatus s) noexcept { return name_of(s, kStatuses); }
std::string_view order_book_state_name(OrderBookState s) noexcept { return name_of(s, kBookStates); }
std::string_view stp_name(SelfTradePrevention s) noexcept { return name_of(s, kStps); }

bool parse_side(std::string_view s, Side& out) noexcept { return lookup(s, kSides, out); }
bool parse_order_type(std::string_view s, OrderType& out) noexcept { return lookup(s, kOrderTypes, out); }
bool parse_tif(std::string_view s, TimeInForce& out) noexcept { return lookup(s, kTifs, out); }
bool parse_market_type(std::string_view s, MarketType& out) noexcept { return lookup(s, kMarketTypes, out); }
bool parse_order_status(std::string_view s, OrderStatus& out) noexcept { return lookup(s, kStatuses, out); }
bool parse_order_book_state(std::string_view s, OrderBookState& out) noexcept { return lookup(s, kBookStates, out); }
bool parse_stp(std::string_view s, SelfTradePrevention& out) noexcept { return lookup(s, kStps, out); }

}  // namespace bparb
