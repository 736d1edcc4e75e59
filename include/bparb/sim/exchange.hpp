#pragma once
// bpsim's pure exchange core: Backpack-compatible matching, spot balances, perp positions and cross
// margin, funding, and the market-data/account event streams. No sockets and no wall clock: every
// timestamp comes from the injected Clock, so the same calls with the same clock give the same
// results and the same event stream byte for byte.
//
// Threading: not thread-safe; the server drives it from one io_context thread.
// Re-entrancy: listeners are called synchronously from inside mutating calls and must not call
// mutating Exchange methods from the callback (queue the work instead). Queries are fine.
//
// Event order inside one mutating call (e.g. execute): orderAccepted(taker) [-> orderModified if
// a reduce-only order was trimmed] -> for each match: trade, orderFill(maker), position event
// (maker), orderFill(taker), position event (taker) -> orderExpired for the taker remainder / STP
// victims -> one depth delta for the market -> bookTicker if the top of book changed.
//
// Rules and simplifications (what a client sees; docs/backpack.md section in brackets):
// - Errors are a neutral sim::Reject (reject.hpp): unknown market, price off tick, quantity off step,
//   below minQuantity / above maxQuantity, price outside last * [minMultiplier, maxMultiplier], spot
//   funds, perp margin, cancel/query of anything not resting... A protocol front-end turns it into
//   its venue's answer (Backpack's codes and wording [§4]: sim/backpack/errors.hpp). A rejected request
//   creates no order and no event.
// - Post-only that would take, IOC/FOK remainders, STP, reduce-only with nothing to reduce, market
//   orders stopped by maxImpactMultiplier/minImpactMultiplier (vs the best price when the order
//   arrives) or an empty book: accepted (200) with status Expired and the exchange's reason [§3].
// - Fees: bps of notional (spot Bid: of quantity, charged in the base asset), rounded UP to 1e-9,
//   per fill. Perp fees, realized P&L and funding settle into USDC at once (autoRealizePnl).
//   Realized P&L excludes fees and funding. A position's entry price is its average cost and
//   resets when the position flips (close + open, new position id).
// - Margin (see accounts.cpp): only perp orders are margin-checked; spot orders check balances.
//   No liquidation, borrowing, lending or interest is modelled.
// - Funding [§8]: settles at each nextFundingTimestamp on the epoch-aligned interval grid, rate =
//   clamp(time-weighted mean of mark/index - 1 over the interval * interval / 8h, bounds) — an
//   hourly market pays 1/8 of the premium per hour, as Backpack's "daily rate / 24" —, payment =
//   -position * mark(at settlement) * rate rounded toward -inf, credited in USDC.
// - Public market data: depth ids U..u count changed levels (one id per level per delta), so
//   U == previous u + 1 always and depth_snapshot().last_update_id is the last u sent.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/sim/reject.hpp"
#include "bparb/sim/sim_types.hpp"

namespace bparb::sim {

// Fee rates in basis points (negative = rebate). Defaults: Backpack VIP Tier 1.
struct FeeSchedule {
  Decimal spot_maker_bps = Decimal::from_int(8);
  Decimal spot_taker_bps = Decimal::from_int(10);
  Decimal perp_maker_bps = Decimal::from_int(2);
  Decimal perp_taker_bps = Decimal::from_int(5);
};

// One market and the price it starts at: last trade price (the price-band reference), and the
// mark/index prices unless given separately. tickSize * stepSize must have at most 9 decimals so
// every notional is exact.
struct MarketSetup {
  MarketSpec spec;
  Decimal seed_price;
  std::optional<Decimal> seed_mark;   // default: seed_price
  std::optional<Decimal> seed_index;  // default: seed_price
};

struct AccountSetup {
  std::string api_key;                                    // base64 ED25519 public key, as sent in X-API-Key
  std::vector<std::pair<std::string, Decimal>> balances;  // asset -> amount, e.g. {"USDC", 100000}
  std::optional<FeeSchedule> fees;                        // default: ExchangeConfig::fees
  std::optional<Decimal> leverage_limit;                  // default: ExchangeConfig::leverage_limit
  // Market-model accounts: no balance/margin checks or accounting, no positions, no history, no
  // private events, not listed by open_orders() (their resting orders are still in the books and
  // can be queried/cancelled by order id).
  bool unlimited = false;
};

struct ExchangeConfig {
  std::vector<MarketSetup> markets;
  std::vector<AccountSetup> accounts;
  FeeSchedule fees;
  // Collateral weight (haircut) per asset; USDC is always 1. Assets not listed use the default.
  std::map<std::string, Decimal> collateral_weights;
  Decimal default_collateral_weight = Decimal::from_string("0.9");
  // Account leverage cap: the initial margin fraction used is max(market imf, 1 / leverage_limit).
  Decimal leverage_limit = Decimal::from_int(10);
  // The asset perps settle in (fees, funding, realized P&L).
  std::string settlement_asset = "USDC";
  // First order id handed out; ids then increase by one per accepted order.
  OrderId first_order_id = 1'000'000'000;
  // Cadence of markPrice and ticker events emitted from advance_to() (0 disables).
  DurationUs mark_price_interval_us = kUsPerSecond;
  DurationUs ticker_interval_us = kUsPerSecond;
  // Funding rate = clamp(time-weighted average over the interval of (mark/index - 1), bounds).
  // false: the premium at the settlement instant is used instead.
  bool average_premium_over_interval = true;
  // Per-account caps on history kept in memory (oldest dropped first). 0 = unlimited.
  std::size_t max_history_per_account = 0;
  std::size_t public_trades_kept = 1000;  // per symbol, for /api/v1/trades
  std::size_t max_batch_size = 50;        // execute_batch rejects larger batches
  // false: no depth stream. Listeners get no on_depth and the depth update id stays 0 (depth_snapshot() still
  // answers from the book, with id 0): for a simulated venue whose market data no subscriber reads (the
  // backtest), where working out which levels each operation changed is pure cost.
  bool publish_depth = true;
};

class ExchangeListener {
 public:
  virtual ~ExchangeListener() = default;
  virtual void on_depth(const DepthDelta&) {}
  virtual void on_book_ticker(const BookTickerEvent&) {}
  virtual void on_trade(const TradeEvent&) {}
  virtual void on_mark_price(const MarkPriceEvent&) {}
  virtual void on_ticker(const TickerEvent&) {}
  virtual void on_order(const OrderEvent&) {}        // never for `unlimited` accounts
  virtual void on_position(const PositionEvent&) {}  // never for `unlimited` accounts
};

class Exchange {
 public:
  // Throws std::invalid_argument at start-up for bad config (duplicate symbol/api key, zero tick...).
  Exchange(const Clock& clock, ExchangeConfig config);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const Clock& clock() const noexcept;
  const ExchangeConfig& config() const noexcept;

  // ---- listeners (not owned; remove before destroying the listener)
  void add_listener(ExchangeListener* l);
  void remove_listener(ExchangeListener* l);

  // ---- accounts. An AccountId not from this exchange: execute/cancel answer
  // kUnknownAccount, queries return empty results, api_key/deposit/set_fees throw
  // std::out_of_range.
  std::optional<AccountId> find_account(std::string_view api_key) const;
  // Adds an account at run time; throws std::invalid_argument if the key exists.
  AccountId add_account(const AccountSetup& setup);
  const std::string& api_key(AccountId a) const;
  std::size_t account_count() const noexcept;
  // Credit (or debit, negative) a balance directly: deposits, test set-up.
  void deposit(AccountId a, std::string_view asset, Decimal amount);
  void set_fees(AccountId a, const FeeSchedule& fees);

  // ---- orders (the matching outcome is synchronous, like POST /api/v1/order)
  // Ok: the order after matching (status New / PartiallyFilled / Filled / Expired).
  // Err: validation or funds failure; no order was created and no event emitted.
  Expected<SimOrder, Reject> execute(AccountId a, const SimOrderRequest& req);
  // POST /api/v1/orders: each element executed independently, in order, one result per element.
  // An empty batch or one larger than max_batch_size is refused as a whole: the returned vector is
  // empty and `*batch_error` (if given) says why (kEmptyBatch / kBatchTooLarge).
  std::vector<Expected<SimOrder, Reject>> execute_batch(AccountId a, const std::vector<SimOrderRequest>& reqs,
                                                        std::optional<Reject>* batch_error = nullptr);
  // DELETE /api/v1/order. kUnknownOrder if not resting; kOrderRefAmbiguous if
  // ref has both or neither id. By clientId: the oldest resting order with that clientId.
  Expected<SimOrder, Reject> cancel(AccountId a, std::string_view symbol, const OrderRef& ref);
  // DELETE /api/v1/orders: every resting order of the account in `symbol` (empty vector if none).
  Expected<std::vector<SimOrder>, Reject> cancel_all(AccountId a, std::string_view symbol);
  // GET /api/v1/orders: resting orders, oldest first; all symbols when symbol is empty.
  std::vector<SimOrder> open_orders(AccountId a, std::optional<std::string_view> symbol = std::nullopt) const;
  // GET /api/v1/order: resting orders only; anything else -> kUnknownOrder like the real API.
  Expected<SimOrder, Reject> query_order(AccountId a, std::string_view symbol, const OrderRef& ref) const;

  // ---- history (/wapi/v1/history/*)
  Page<SimOrder> order_history(AccountId a, const OrderHistoryQuery& q) const;
  Page<SimFill> fills(AccountId a, const FillQuery& q) const;
  Page<FundingPayment> funding_history(AccountId a, const FundingHistoryQuery& q) const;

  // ---- account state
  std::vector<BalanceView> balances(AccountId a) const;        // /api/v1/capital, sorted by asset
  Decimal balance(AccountId a, std::string_view asset) const;  // available + locked
  Decimal available_balance(AccountId a, std::string_view asset) const;
  Decimal locked_balance(AccountId a, std::string_view asset) const;
  CollateralSummary collateral(AccountId a) const;  // /api/v1/capital/collateral
  // /api/v1/position: open positions (non-zero), sorted by symbol; `symbol` filters.
  std::vector<PositionView> positions(AccountId a, std::optional<std::string_view> symbol = std::nullopt) const;
  // Position snapshot sent on account.positionUpdate subscribe (same as positions()).
  std::vector<PositionView> positions_snapshot(AccountId a) const { return positions(a); }
  AccountSummaryView account_summary(AccountId a) const;  // /api/v1/account

  // ---- public queries
  const std::vector<MarketSpec>& markets() const noexcept;  // config order
  const MarketSpec* market(std::string_view symbol) const noexcept;
  // Both sides ASCENDING by price (best bid last, best ask first) like the REST API; `limit` levels
  // per side nearest the touch (0 = all). kUnknownSymbol for an unknown market.
  Expected<DepthSnapshot, Reject> depth_snapshot(std::string_view symbol, std::size_t limit = 1000) const;
  std::optional<TickerView> ticker(std::string_view symbol) const;  // rolling 24h
  std::vector<TickerView> tickers() const;
  std::optional<MarkPriceView> mark_price(std::string_view symbol) const;
  // markType filter: nullopt = perps only (REST default), otherwise that type.
  std::vector<MarkPriceView> mark_prices(std::optional<MarketType> type = std::nullopt) const;
  Page<FundingRateRecord> funding_rates(std::string_view symbol, std::size_t limit = 100, std::size_t offset = 0) const;
  std::vector<PublicTrade> recent_trades(std::string_view symbol, std::size_t limit = 100) const;  // oldest first
  std::optional<Decimal> last_price(std::string_view symbol) const;
  // Best bid/ask prices (nullopt if that side is empty).
  std::optional<Decimal> best_bid(std::string_view symbol) const;
  std::optional<Decimal> best_ask(std::string_view symbol) const;
  std::int64_t last_update_id(std::string_view symbol) const;  // depth id space

  // ---- driver / scenario hooks
  // Set the mark and index price of a market (perps: feeds funding and margin; spot: index is the
  // asset's collateral mark). Emits nothing by itself; markPrice events come from advance_to().
  bool set_mark_index(std::string_view symbol, Decimal mark, Decimal index);
  // Recorded data (backtests): the perp's settlement at `funding_time_ms` pays `rate` instead of the rate
  // modelled from the premium (no clamp: the venue's own figure). A later call for the same time
  // replaces it; a rate for another time is kept only for that time. False if not a perp.
  bool set_funding_rate(std::string_view symbol, Decimal rate, std::int64_t funding_time_ms);
  // Backtests (tape-driven queue model): a recorded trade reached resting order `order_id` at the front of
  // its queue, so it fills `lots` (capped at its remainder) as MAKER at its own price against
  // `counterparty`, which must be an `unlimited` account (its side of the trade is not accounted).
  // Emits the usual trade / orderFill / position / depth events. Returns the lots filled (0 if the order
  // is not resting or the counterparty is not unlimited).
  std::int64_t fill_resting(OrderId order_id, AccountId counterparty, std::int64_t lots);
  // Order-book state (Open, CancelOnly, PostOnly, LimitOnly, Closed).
  bool set_market_state(std::string_view symbol, OrderBookState state);
  // Process everything due up to `now` (normally clock().now_us()): funding settlements at each
  // nextFundingTimestamp on the interval grid (possibly several if time jumped), then markPrice /
  // ticker events at their cadence. Idempotent for the same `now`.
  void advance_to(TimestampUs now);
  // Group several mutating calls so that each touched market publishes ONE depth delta (and at
  // most one bookTicker) at the matching batch_end(), e.g. the market model's re-quotes.
  // Nestable; every batch_begin() needs a batch_end().
  void batch_begin() noexcept;
  void batch_end();
  // Force markPrice (all markets) and ticker events now, e.g. right after a subscribe.
  void publish_mark_prices();
  void publish_tickers();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim
