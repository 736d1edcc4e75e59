#pragma once
// Private state of bparb::sim::Exchange, shared by exchange.cpp (set-up, queries, funding, events),
// matching.cpp (orders) and accounts.cpp (balances, positions, margin). Not installed.
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bparb/sim/exchange.hpp"
#include "bparb/sim/funding.hpp"
#include "bparb/sim/node_pool.hpp"
#include "bparb/sim/order_book_sim.hpp"

namespace bparb::sim {

struct MinuteBucket {
  std::int64_t minute = 0;  // floor(t / 60 s)
  Decimal open, high, low, close, volume, quote_volume;
  std::int64_t count = 0;
};

struct MarketState {
  MarketSpec spec;
  std::size_t index = 0;
  OrderBookSim book;
  Decimal last_price;
  Decimal mark;
  Decimal index_price;
  std::int64_t depth_update_id = 0;
  std::int64_t book_ticker_id = 0;
  std::optional<std::int64_t> pub_bid_px, pub_ask_px;  // last published bookTicker top
  std::int64_t pub_bid_lots = 0, pub_ask_lots = 0;
  std::int64_t next_trade_id = 1;
  std::deque<PublicTrade> trades;
  std::deque<MinuteBucket> buckets;
  // Funding (perps only).
  std::int64_t next_funding_ms = 0;
  PremiumAverager premium;
  Decimal given_rate;  // set_funding_rate: the rate of the settlement at given_rate_ms
  std::int64_t given_rate_ms = -1;
  std::vector<FundingRateRecord> funding_rates;  // oldest first
  // Reused event buffer.
  DepthDelta delta;

  Decimal price_of(std::int64_t ticks) const noexcept { return spec.ticks_to_price(ticks); }
  Decimal qty_of(std::int64_t lots) const noexcept { return spec.lots_to_quantity(lots); }
  // price(ticks) * qty(lots); exact whenever tick*step has at most 9 decimals (all real markets).
  Decimal notional(std::int64_t ticks, std::int64_t lots) const noexcept {
    return price_of(ticks).mul(qty_of(lots), Rounding::kNearest);
  }
};

struct OrderState {
  SimOrder order;
  std::size_t market = 0;
  std::int64_t price_ticks = 0;     // limit price (0 for market orders)
  std::int64_t quantity_lots = 0;   // current quantity in lots (0 for quoteQuantity market orders)
  std::int64_t remaining_lots = 0;  // quantity_lots - filled
  Decimal locked;                   // spot: amount of the lock asset still held by this order
  bool lock_in_quote = false;       // spot Bid locks quote, spot Ask locks base
};

struct AssetBalance {
  Decimal available;
  Decimal locked;
};

struct Position {
  std::int64_t lots = 0;  // signed
  Decimal cost;           // signed cost basis of the open lots
  Decimal realized;
  Decimal funding;  // + received
  Decimal fees;     // paid on this position
  std::uint64_t id = 0;
};

struct Account {
  AccountId id = 0;
  std::string api_key;
  FeeSchedule fees;
  Decimal leverage_limit;
  bool unlimited = false;
  std::map<std::string, AssetBalance, std::less<>> balances;
  std::vector<Position> positions;  // by market index
  std::set<OrderId> open;           // resting orders (creation order)
  std::deque<OrderId> order_ids;    // every order, creation order (history)
  std::unordered_map<OrderId, SimOrder> closed;
  std::deque<SimFill> fills;
  std::deque<FundingPayment> funding;

  AssetBalance& bal(std::string_view asset) {
    auto it = balances.find(asset);
    if (it == balances.end()) it = balances.emplace(std::string(asset), AssetBalance{}).first;
    return it->second;
  }
};

// Why a taker stopped walking the book.
enum class StopReason : std::uint8_t { kNone, kFilled, kLimit, kImpact, kEmpty, kSelfTrade, kBudget };

struct Exchange::Impl {
  Impl(const Clock& c, ExchangeConfig cfg);

  const Clock& clock;
  ExchangeConfig config;
  std::vector<MarketSpec> specs;
  std::vector<MarketState> markets;
  std::map<std::string, std::size_t, std::less<>> market_by_symbol;
  mutable std::size_t last_market = 0;  // find_market() tries the market it found last first
  std::vector<Account> accounts;
  std::unordered_map<std::string, AccountId> account_by_key;
  // Resting orders by id; the nodes are pooled (a replay's background liquidity places and cancels tens of
  // thousands of orders).
  std::unordered_map<OrderId, OrderState, std::hash<OrderId>, std::equal_to<OrderId>,
                     NodePoolAllocator<std::pair<const OrderId, OrderState>>>
      resting;
  std::vector<ExchangeListener*> listeners;
  OrderId next_order_id = 0;
  std::uint64_t next_position_id = 1;
  TimestampUs next_mark_emit_us = 0;
  TimestampUs next_ticker_emit_us = 0;
  TimestampUs last_advance_us = std::numeric_limits<TimestampUs>::min();
  int batch_depth = 0;                   // > 0: flush_market() is deferred to batch_end()
  std::vector<AccountId> maker_scratch;  // reused by execute(): accounts hit as makers

  // ---- helpers (exchange.cpp)
  MarketState* find_market(std::string_view symbol) noexcept;
  const MarketState* find_market(std::string_view symbol) const noexcept;
  Account* account(AccountId a) noexcept { return a < accounts.size() ? &accounts[a] : nullptr; }
  const Account* account(AccountId a) const noexcept { return a < accounts.size() ? &accounts[a] : nullptr; }
  AccountId add_account(const AccountSetup& s);
  TimestampUs now() const noexcept { return clock.now_us(); }
  Decimal collateral_weight(std::string_view asset) const noexcept;
  Decimal asset_price(std::string_view asset) const noexcept;  // USDC per unit (index/mark)

  // ---- events (exchange.cpp)
  void flush_market(MarketState& m);
  void emit_order(const Account& acct, OrderEventType type, const SimOrder& o);
  void emit_fill(const Account& acct, const SimOrder& o, std::int64_t trade_id, Decimal qty, Decimal price, bool maker,
                 Decimal fee, std::string_view fee_symbol);
  void emit_position(const Account& acct, const MarketState& m, PositionEventType type);
  void emit_mark_price(const MarketState& m);
  void emit_ticker(const MarketState& m);
  void record_trade(MarketState& m, std::int64_t trade_id, std::int64_t ticks, std::int64_t lots, OrderId buyer,
                    OrderId seller, bool buyer_maker);
  void settle_funding(MarketState& m, std::int64_t interval_end_ms);
  void settle_due(MarketState& m, TimestampUs t);         // every settlement with boundary <= t
  void record_history(Account& acct, const SimOrder& o);  // order reached a final state

  // ---- orders (matching.cpp)
  Expected<SimOrder, Reject> execute(AccountId a, const SimOrderRequest& req);
  Expected<SimOrder, Reject> cancel(AccountId a, std::string_view symbol, const OrderRef& ref);
  Expected<std::vector<SimOrder>, Reject> cancel_all(AccountId a, std::string_view symbol);
  OrderState* find_resting(const Account& acct, const MarketState& m, const OrderRef& ref);
  void finish_resting(OrderState& st, OrderStatus status, std::optional<ExpiryReason> reason);
  void release_lock(Account& acct, OrderState& st);
  void apply_fill(MarketState& m, OrderState& taker, OrderState& maker, std::int64_t ticks, std::int64_t lots);
  void account_fill(Account& acct, MarketState& m, OrderState& st, std::int64_t ticks, std::int64_t lots, bool maker,
                    std::int64_t trade_id);
  void enforce_reduce_only(Account& acct, MarketState& m);

  // ---- accounts & margin (accounts.cpp)
  PositionView position_view(const Account& acct, const MarketState& m) const;
  Decimal unrealized_pnl(const Account& acct) const;
  Decimal net_equity(const Account& acct) const;
  // Initial margin required by positions + resting perp orders, optionally with one extra
  // hypothetical perp order (market index, side, lots) counted as fully open.
  Decimal required_imf(const Account& acct, std::optional<std::size_t> extra_market = std::nullopt,
                       Side extra_side = Side::kBid, std::int64_t extra_lots = 0) const;
  void open_perp_lots(const Account& acct, std::size_t market, std::int64_t& bid_lots, std::int64_t& ask_lots) const;
  Decimal imf_fraction(const Account& acct, const MarketState& m, Decimal notional) const noexcept;
};

}  // namespace bparb::sim
