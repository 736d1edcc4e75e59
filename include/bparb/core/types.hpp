#pragma once
// Exchange vocabulary shared by every component. The *_name() functions return exactly the strings
// Backpack uses on REST (e.g. "Bid", "Limit", "GTC"); parse_*() accept them and return false on
// anything else.
#include <cstdint>
#include <string_view>

namespace bparb {

enum class Side : std::uint8_t { kBid, kAsk };
enum class OrderType : std::uint8_t { kLimit, kMarket };
enum class TimeInForce : std::uint8_t { kGtc, kIoc, kFok };
enum class MarketType : std::uint8_t { kSpot, kPerp, kIperp, kDated, kPrediction, kRfq };
enum class OrderStatus : std::uint8_t {
  kNew,
  kPartiallyFilled,
  kFilled,
  kCancelled,
  kExpired,
  kTriggerPending,
  kTriggerFailed,
};
enum class OrderBookState : std::uint8_t { kOpen, kClosed, kCancelOnly, kLimitOnly, kPostOnly };
enum class SelfTradePrevention : std::uint8_t { kRejectTaker, kRejectMaker, kRejectBoth, kAllow };

constexpr Side opposite(Side s) noexcept { return s == Side::kBid ? Side::kAsk : Side::kBid; }
// +1 for a buy, -1 for a sell: signed position deltas.
constexpr int side_sign(Side s) noexcept { return s == Side::kBid ? 1 : -1; }

std::string_view side_name(Side s) noexcept;                 // "Bid" / "Ask"
std::string_view order_type_name(OrderType t) noexcept;      // "Limit" / "Market"
std::string_view order_type_ws_name(OrderType t) noexcept;   // "LIMIT" / "MARKET" (WS order stream)
std::string_view tif_name(TimeInForce t) noexcept;           // "GTC" / "IOC" / "FOK"
std::string_view market_type_name(MarketType t) noexcept;    // "SPOT" / "PERP" / ...
std::string_view order_status_name(OrderStatus s) noexcept;  // "New" / "PartiallyFilled" / ...
std::string_view order_book_state_name(OrderBookState s) noexcept;
std::string_view stp_name(SelfTradePrevention s) noexcept;

bool parse_side(std::string_view s, Side& out) noexcept;
bool parse_order_type(std::string_view s, OrderType& out) noexcept;  // accepts Limit/LIMIT, Market/MARKET
bool parse_tif(std::string_view s, TimeInForce& out) noexcept;
bool parse_market_type(std::string_view s, MarketType& out) noexcept;
bool parse_order_status(std::string_view s, OrderStatus& out) noexcept;
bool parse_order_book_state(std::string_view s, OrderBookState& out) noexcept;
bool parse_stp(std::string_view s, SelfTradePrevention& out) noexcept;

}  // namespace bparb
