// LighterVenue's reconciliation reports (exec::ReconciliationVenue) from Lighter's REST answers: the account's
// active orders, an immediate cancel-all per market, the account's trades (our client ids resolved through
// its orders), positions, equity, balances and funding (docs/lighter.md, "REST answers").
#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/venue/lighter/funding.hpp"
#include "lighter_venue_impl.hpp"

namespace bparb::runtime {

namespace {

using FillsDone = std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)>;

exec::VenueError rest_error(std::string request, const lighter::RestError& e) {
  return {std::move(request),
          e.kind == lighter::RestErrorKind::kApi ? std::to_string(e.code) : lighter::to_string(e.kind), e.describe()};
}

// Auth tokens for the account endpoints live ten minutes: each reconciliation call makes its own.
constexpr std::int64_t kTokenLifetimeS = 600;

// What a trade of ours cost: the venue's fee rates are percent of the notional (rounded up, as the adapter
// charges a streamed fill).
Decimal fee_of(const lighter::MarketDetails& m, Decimal price, Decimal qty, bool maker) {
  const Decimal pct = maker ? m.maker_fee_pct : m.taker_fee_pct;
  return price.mul(qty, Rounding::kUp).mul(pct, Rounding::kUp).div_int(100, Rounding::kUp);
}

}  // namespace

void LighterVenue::open_order_count(std::string_view symbol,
                                    std::function<void(const exec::VenueError*, std::size_t)> done) {
  const Market* m = market_by_symbol(symbol);
  lighter::AuthToken token;
  if (m == nullptr || impl_->signer.auth_token(clock_.now_us() / kUsPerSecond + kTokenLifetimeS, token)) {
    const exec::VenueError e{"GET /api/v1/accountActiveOrders", "REFUSED",
                             m ? "could not sign an auth token" : "not a Lighter market of this run"};
    return done(&e, 0);
  }
  impl_->rest.active_orders(opts_.signer.account_index, m->details.market_id, token.str(),
                            [done = std::move(done)](lighter::RestResult<lighter::OrdersPage>& r) {
                              if (!r) {
                                const exec::VenueError e = rest_error("GET /api/v1/accountActiveOrders", r.error());
                                return done(&e, 0);
                              }
                              done(nullptr, r->orders.size());
                            });
}

// One immediate CancelAllOrders for the market (attribute cancel_all_market_index), through the adapter and so
// the sender, sharing the key's nonces; answered when the venue took it (the stream then reports each order
// cancelled).
void LighterVenue::cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done) {
  if (symbol.empty() || market_by_symbol(symbol) == nullptr) {
    const exec::VenueError e{"CancelAllOrders", "REFUSED", "not a Lighter market of this run"};
    return done(&e);
  }
  impl_->adapter->cancel_all(symbol, std::move(done));
}

void LighterVenue::fills_since(std::string_view symbol, std::int64_t from_ms, std::size_t limit, FillsDone done) {
  const Market* m = market_by_symbol(symbol);
  if (m == nullptr) return done(nullptr, {});
  account_fills(m->details.market_id, from_ms, limit, std::move(done));
}

void LighterVenue::recent_fills(std::int64_t from_ms, std::size_t limit, FillsDone done) {
  account_fills(255, from_ms, limit, std::move(done));
}

void LighterVenue::account_fills(std::int64_t market_id, std::int64_t from_ms, std::size_t limit, FillsDone done) {
  lighter::AuthToken token;
  if (impl_->signer.auth_token(clock_.now_us() / kUsPerSecond + kTokenLifetimeS, token)) {
    const exec::VenueError e{"GET /api/v1/trades", "REFUSED", "could not sign an auth token"};
    return done(&e, {});
  }
  const std::int64_t acct = opts_.signer.account_index;
  lighter::TradesQuery q;
  q.account_index = acct;
  q.market_id = market_id;
  q.limit = static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 100));
  // The trades first, then the account's orders (the latest finished ones and the resting ones): a trade
  // names the venue's order index, our client id is on the order.
  struct State {
    std::string token;
    std::vector<lighter::Trade> trades;
    std::unordered_map<std::int64_t, std::int64_t> client_of;  // order index -> client order index
  };
  auto st = std::make_shared<State>();
  st->token = std::string(token.str());
  impl_->rest.trades(
      q, st->token,
      [this, st, acct, market_id, from_ms,
       done = std::move(done)](lighter::RestResult<lighter::TradesPage>& r) mutable {
        if (!r) {
          const exec::VenueError e = rest_error("GET /api/v1/trades", r.error());
          return done(&e, {});
        }
        for (const lighter::Trade& t : r->trades)
          if ((t.ask_account_id == acct || t.bid_account_id == acct) && t.timestamp_ms >= from_ms)
            st->trades.push_back(t);
        if (st->trades.empty()) return done(nullptr, {});
        lighter::InactiveOrdersQuery iq;
        iq.account_index = acct;
        iq.market_id = market_id;
        iq.limit = 100;
        impl_->rest.inactive_orders(
            iq, st->token,
            [this, st, acct, market_id, done = std::move(done)](lighter::RestResult<lighter::OrdersPage>& io) mutable {
              if (!io) {
                const exec::VenueError e = rest_error("GET /api/v1/accountInactiveOrders", io.error());
                return done(&e, {});
              }
              for (const lighter::Order& o : io->orders) st->client_of[o.order_index] = o.client_order_index;
              impl_->rest.active_orders(
                  acct, market_id, st->token,
                  [this, st, acct, done = std::move(done)](lighter::RestResult<lighter::OrdersPage>& ao) {
                    if (!ao) {
                      const exec::VenueError e = rest_error("GET /api/v1/accountActiveOrders", ao.error());
                      return done(&e, {});
                    }
                    for (const lighter::Order& o : ao->orders) st->client_of[o.order_index] = o.client_order_index;
                    std::stable_sort(st->trades.begin(), st->trades.end(),
                                     [](const lighter::Trade& a, const lighter::Trade& b) {
                                       return a.timestamp_ms != b.timestamp_ms ? a.timestamp_ms < b.timestamp_ms
                                                                               : a.trade_id < b.trade_id;
                                     });
                    std::vector<std::string> order_ids;
                    order_ids.reserve(st->trades.size());
                    std::vector<exec::FillReport> out;
                    out.reserve(st->trades.size());
                    for (const lighter::Trade& t : st->trades) {
                      const Market* m = market_by_id(t.market_id);
                      if (m == nullptr) continue;  // a market this run does not trade
                      const bool ask = t.ask_account_id == acct;
                      const std::int64_t order_index = ask ? t.ask_id : t.bid_id;
                      exec::FillReport f;
                      const auto it = st->client_of.find(order_index);
                      f.has_client_id = it != st->client_of.end() && it->second > 0;
                      f.client_id = f.has_client_id ? static_cast<ClientId>(it->second) : 0;
                      f.trade_id = t.trade_id;
                      order_ids.push_back(std::to_string(order_index));
                      f.exchange_order_id = order_ids.back();
                      f.symbol = instruments_.market(m->id).symbol;
                      f.instrument = m->id;
                      f.side = ask ? Side::kAsk : Side::kBid;
                      f.price = t.price;
                      f.quantity = t.size;
                      f.maker = t.is_maker_ask == ask;
                      f.fee = fee_of(m->details, t.price, t.size, f.maker);
                      f.fee_symbol = "USDC";
                      f.time_us = t.timestamp_ms * kUsPerMs;
                      f.venue_time_us = f.time_us;
                      f.venue = VenueId::kLighter;
                      out.push_back(f);
                    }
                    done(nullptr, out);
                  });
            });
      });
}

void LighterVenue::positions(std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)> done) {
  impl_->rest.account(
      opts_.signer.account_index, [this, done = std::move(done)](lighter::RestResult<lighter::Account>& r) {
        if (!r) {
          const exec::VenueError e = rest_error("GET /api/v1/account", r.error());
          return done(&e, {});
        }
        std::vector<exec::PositionReport> out;
        for (const lighter::Position& p : r->positions) {
          if (p.signed_size.is_zero()) continue;
          const Market* m = market_by_id(p.market_id);
          out.push_back({m ? std::string_view(instruments_.market(m->id).symbol) : std::string_view(p.symbol),
                         p.signed_size, p.avg_entry_price});
        }
        done(nullptr, out);
      });
}

namespace {
// The account's equity as the kernel reads it: the venue's total asset value; what is not available is
// taken as in use by margin and orders.
exec::EquityReport equity_of(const lighter::Account& a) {
  exec::EquityReport e;
  e.net_equity = a.total_asset_value;
  e.available = a.available_balance;
  const Decimal used = a.total_asset_value - a.available_balance;
  e.locked = used.is_positive() ? used : Decimal{};
  return e;
}
}  // namespace

void LighterVenue::equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)> done) {
  impl_->rest.account(opts_.signer.account_index, [done = std::move(done)](lighter::RestResult<lighter::Account>& r) {
    if (!r) {
      const exec::VenueError e = rest_error("GET /api/v1/account", r.error());
      return done(&e, exec::EquityReport{});
    }
    done(nullptr, equity_of(*r));
  });
}

void LighterVenue::account(
    std::function<void(const exec::VenueError*, const exec::EquityReport&, const std::span<const exec::BalanceReport>*)>
        done) {
  impl_->rest.account(opts_.signer.account_index, [done = std::move(done)](lighter::RestResult<lighter::Account>& r) {
    if (!r) {
      const exec::VenueError e = rest_error("GET /api/v1/account", r.error());
      return done(&e, exec::EquityReport{}, nullptr);
    }
    // The collateral (USDC) is what is available for margin; other assets (spot) free of their locked part.
    std::vector<exec::BalanceReport> balances;
    balances.push_back({"USDC", r->available_balance});
    for (const lighter::Asset& a : r->assets)
      if (a.symbol != "USDC") balances.push_back({a.symbol, a.balance - a.locked_balance});
    const std::span<const exec::BalanceReport> view(balances);
    done(nullptr, equity_of(*r), &view);
  });
}

void LighterVenue::funding_history(
    std::size_t limit, std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)> done) {
  lighter::AuthToken token;
  if (impl_->signer.auth_token(clock_.now_us() / kUsPerSecond + kTokenLifetimeS, token)) {
    const exec::VenueError e{"GET /api/v1/positionFunding", "REFUSED", "could not sign an auth token"};
    return done(&e, {});
  }
  lighter::FundingQuery q;
  q.account_index = opts_.signer.account_index;
  q.limit = static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 100));
  impl_->rest.position_funding(
      q, token.str(), [this, done = std::move(done)](lighter::RestResult<lighter::FundingPage>& r) {
        if (!r) {
          const exec::VenueError e = rest_error("GET /api/v1/positionFunding", r.error());
          return done(&e, {});
        }
        std::vector<exec::FundingReport> out;
        for (const lighter::PositionFunding& f : r->fundings) {
          const Market* m = market_by_id(f.market_id);
          if (m == nullptr) continue;
          // The venue's timestamp is in seconds (a value below 10^11 cannot be milliseconds of this era).
          const std::int64_t ms = f.timestamp < 100'000'000'000 ? f.timestamp * 1000 : f.timestamp;
          out.push_back({instruments_.market(m->id).symbol, f.change, ms});
        }
        std::stable_sort(out.begin(), out.end(), [](const exec::FundingReport& a, const exec::FundingReport& b) {
          return a.interval_end_ms < b.interval_end_ms;
        });
        done(nullptr, out);
      });
}

void LighterVenue::refresh_funding(std::function<void(const std::string* error)> done) {
  impl_->rest.funding_rates([this, done = std::move(done)](lighter::RestResult<std::vector<lighter::FundingRate>>& r) {
    if (!r) {
      const std::string e = "GET /api/v1/funding-rates: " + r.error().describe();
      return done(&e);
    }
    for (Market& m : markets_)
      if (const std::optional<Decimal> rate = lighter::lighter_rate(*r, m.details.market_id)) m.funding_rate_8h = rate;
    done(nullptr);
  });
}

std::optional<FundingInfo> LighterVenue::funding(InstrumentId id) const noexcept {
  const Market* m = market_of(id);
  if (m == nullptr || !m->funding_rate_8h) return std::nullopt;
  return lighter::hourly_funding(*m->funding_rate_8h, clock_.now_us());
}

}  // namespace bparb::runtime
