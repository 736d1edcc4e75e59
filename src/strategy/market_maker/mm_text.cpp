// Names of the market maker's enums, the one-line text of a breaker trip, and the book adapter.
#include <cstdio>

#include "bparb/book/order_book.hpp"
#include "bparb/strategy/market_maker/market_maker_core.hpp"

namespace bparb {

BookTop book_top(const OrderBook& book) noexcept {
  BookTop t;
  const auto bids = book.near_levels(Side::kBid);
  const auto asks = book.near_levels(Side::kAsk);
  if (!bids.empty()) {
    t.bid_ticks = bids.back().price_ticks;
    t.bid_lots = bids.back().qty_lots;
    if (bids.size() > 1) t.next_bid_ticks = bids[bids.size() - 2].price_ticks;
  }
  if (!asks.empty()) {
    t.ask_ticks = asks.back().price_ticks;
    t.ask_lots = asks.back().qty_lots;
    if (asks.size() > 1) t.next_ask_ticks = asks[asks.size() - 2].price_ticks;
  }
  t.updated_us = book.last_update_us();
  t.valid = book.valid() && !bids.empty() && !asks.empty();
  return t;
}

const char* to_string(QuoteState s) noexcept {
  switch (s) {
    case QuoteState::kNone:
      return "none";
    case QuoteState::kPendingNew:
      return "pending_new";
    case QuoteState::kLive:
      return "live";
    case QuoteState::kPendingCancel:
      return "pending_cancel";
  }
  return "?";
}

const char* to_string(MmAction a) noexcept {
  switch (a) {
    case MmAction::kNone:
      return "none";
    case MmAction::kPlace:
      return "place";
    case MmAction::kCancel:
      return "cancel";
    case MmAction::kHedge:
      return "hedge";
  }
  return "?";
}

const char* to_string(MmReason r) noexcept {
  switch (r) {
    case MmReason::kNone:
      return "none";
    case MmReason::kQuote:
      return "quote";
    case MmReason::kSideSwitch:
      return "side_switch";
    case MmReason::kPriceMoved:
      return "price_moved";
    case MmReason::kQuoteAged:
      return "quote_aged";
    case MmReason::kBreaker:
      return "breaker";
    case MmReason::kEquityUnknown:
      return "equity_unknown";
    case MmReason::kBookInvalid:
      return "book_invalid";
    case MmReason::kInventorySoft:
      return "inventory_soft";
    case MmReason::kInventoryCap:
      return "inventory_cap";
    case MmReason::kNoSide:
      return "no_side";
    case MmReason::kTooSmall:
      return "too_small";
    case MmReason::kRateLimited:
      return "rate_limited";
    case MmReason::kBudget:
      return "budget";
    case MmReason::kWaitingForOrder:
      return "waiting_for_order";
    case MmReason::kHedgeInFlight:
      return "hedge_in_flight";
    case MmReason::kOverCap:
      return "over_cap";
    case MmReason::kStopping:
      return "stopping";
  }
  return "?";
}

const char* to_string(MmBreaker b) noexcept {
  switch (b) {
    case MmBreaker::kMidMove:
      return "mid_move";
    case MmBreaker::kSpread:
      return "spread";
    case MmBreaker::kStaleBook:
      return "stale_book_ms";
    case MmBreaker::kStaleTrades:
      return "stale_trades_ms";
    case MmBreaker::kReconnect:
      return "reconnect";
    case MmBreaker::kPostOnlyRejects:
      return "post_only_rejects";
    case MmBreaker::kRateLimited:
      return "rate_limited_backoff_ms";
  }
  return "?";
}

std::size_t format_trip(const BreakerTrip& t, char* buf, std::size_t n) noexcept {
  if (n == 0) return 0;
  char obs[Decimal::kMaxChars];
  char lim[Decimal::kMaxChars];
  obs[t.observed.format(obs)] = '\0';
  lim[t.limit.format(lim)] = '\0';
  const long long until_ms = static_cast<long long>((t.cooldown_until_us - t.at_us) / kUsPerMs);
  int w = 0;
  switch (t.kind) {
    case MmBreaker::kMidMove: {
      char now_mid[Decimal::kMaxChars];
      char then_mid[Decimal::kMaxChars];
      now_mid[t.mid_now.format(now_mid)] = '\0';
      then_mid[t.mid_then.format(then_mid)] = '\0';
      w = std::snprintf(buf, n,
                        "mm breaker mid_move: observed %s >= limit %s (mid %s vs %s %lld ms earlier); no quote "
                        "for %lld ms",
                        obs, lim, now_mid, then_mid, static_cast<long long>((t.at_us - t.then_us) / kUsPerMs),
                        until_ms);
      break;
    }
    case MmBreaker::kReconnect:
      w = std::snprintf(buf, n, "mm breaker reconnect: no quote for %lld ms and until the book updates", until_ms);
      break;
    case MmBreaker::kRateLimited:
      w = std::snprintf(buf, n, "mm rate limited (429): sending nothing for %s ms", obs);
      break;
    case MmBreaker::kPostOnlyRejects:
      w = std::snprintf(buf, n,
                        "mm breaker post_only_rejects: observed %s >= limit %s post-only rejections within %lld ms; no "
                        "quote for %lld ms",
                        obs, lim, static_cast<long long>((t.at_us - t.then_us) / kUsPerMs), until_ms);
      break;
    default:
      w = std::snprintf(buf, n, "mm breaker %s: observed %s >= limit %s; no quote for %lld ms", to_string(t.kind), obs,
                        lim, until_ms);
      break;
  }
  if (w < 0) {
    buf[0] = '\0';
    return 0;
  }
  return static_cast<std::size_t>(w) < n ? static_cast<std::size_t>(w) : n - 1;
}

}  // namespace bparb
