// Background market for bpsim: price paths, basis, maker ladders and taker flow (see the header for
// the model). Random numbers come from one std::mt19937_64 and hand-written transforms (not
// <random> distributions, whose algorithms differ between standard libraries), so a seed gives the
// same market on every build.
#include "bparb/sim/market_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "bparb/sim/fair_value.hpp"
#include "random_draws.hpp"

namespace bparb::sim {
namespace {

constexpr double kSecondsPerYear = 365.0 * 24 * 3600;
constexpr DurationUs kMaxStepUs = kUsPerSecond;
constexpr int kMaxTakersPerStep = 20;  // per market; bounds the work after a large time jump

MarketSpec make_spec(const std::string& base, bool perp, const char* tick, const char* step, const char* imf_base,
                     const char* imf_factor, const char* mmf_base, const char* mmf_factor, int bound_bps) {
  MarketSpec s;
  s.base_symbol = base;
  s.quote_symbol = "USDC";
  s.symbol = base + (perp ? "_USDC_PERP" : "_USDC");
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = Decimal::from_string(tick);
  s.min_price = s.tick_size;
  s.max_multiplier = Decimal::from_string("2");  // Backpack fixture (docs/backpack.md §10)
  s.min_multiplier = Decimal::from_string("0.25");
  s.max_impact_multiplier = Decimal::from_string("1.01");
  s.min_impact_multiplier = Decimal::from_string("0.99");
  s.step_size = Decimal::from_string(step);
  s.min_quantity = s.step_size;
  if (perp) {
    s.funding_interval_ms = 3'600'000;  // hourly funding (docs/backpack.md §8)
    s.funding_rate_upper_bound_bps = Decimal::from_int(bound_bps);
    s.funding_rate_lower_bound_bps = Decimal::from_int(-bound_bps);
    s.imf = MarginFunction{true, Decimal::from_string(imf_base), Decimal::from_string(imf_factor)};
    s.mmf = MarginFunction{true, Decimal::from_string(mmf_base), Decimal::from_string(mmf_factor)};
  }
  return s;
}

struct CoinDefaults {
  const char* coin;
  const char* seed;
  const char* tick;
  const char* step;
  const char* imf_base;
  const char* imf_factor;
  const char* mmf_base;
  const char* mmf_factor;
  int bound_bps;
};

// Filters from docs/backpack.md §10 (SUI/JUP steps are guesses: thin coins trade in whole-ish units).
constexpr CoinDefaults kCoins[] = {
    {"SOL", "150", "0.01", "0.01", "0.02", "0.00006", "0.0135", "0.000036", 100},
    {"BTC", "95000", "0.1", "0.00001", "0.01333333", "0.00002494", "0.00666667", "0.00001496", 100},
    {"ETH", "3500", "0.01", "0.0001", "0.02", "0.0000935", "0.0125", "0.0000561", 100},
    {"SUI", "3.5", "0.0001", "0.1", "0.02", "0.0001275", "0.0125", "0.0000765", 150},
    {"JUP", "0.8", "0.0001", "1", "0.02", "0.0001275", "0.0125", "0.0000765", 150},
};

using draws::exponential;
using draws::poisson;
using draws::std_normal;
using draws::uniform01;

}  // namespace

CoinModelParams default_coin_params(std::string_view coin) {
  CoinModelParams c;
  c.coin = std::string(coin);
  auto liq = [](double hs, double sp, int levels, double notional, double rate, double taker) {
    LiquidityParams l;
    l.half_spread_bps = hs;
    l.level_spacing_bps = sp;
    l.levels = levels;
    l.level_notional_usd = notional;
    l.taker_rate_per_minute = rate;
    l.taker_mean_notional_usd = taker;
    return l;
  };
  // Stationary basis sd = basis_vol / sqrt(2 kappa); kappa 12/h -> sd = vol / 4.9.
  if (coin == "BTC") {
    c.annual_volatility = 0.5;
    c.basis_mean_bps = 1.0;
    c.basis_vol_bps = 14.7;  // sd ~3 bps: 20 bps needs a rare large jump
    c.jump_rate_per_hour = 0.3;
    c.jump_mean_bps = 8.0;
    c.spot = liq(0.5, 0.5, 15, 150000, 20, 5000);
    c.perp = liq(0.5, 0.5, 15, 250000, 30, 8000);
  } else if (coin == "SOL") {
    c.annual_volatility = 0.8;
    c.basis_mean_bps = 2.0;
    c.basis_vol_bps = 24.5;  // sd ~5 bps
    c.jump_rate_per_hour = 1.0;
    c.jump_mean_bps = 12.0;
    c.spot = liq(1.0, 1.0, 12, 50000, 15, 2000);
    c.perp = liq(1.0, 1.0, 12, 80000, 20, 3000);
  } else if (coin == "ETH") {
    c.annual_volatility = 0.7;
    c.basis_mean_bps = 1.5;
    c.basis_vol_bps = 19.6;  // sd ~4 bps
    c.jump_rate_per_hour = 0.6;
    c.jump_mean_bps = 10.0;
    c.spot = liq(0.8, 0.8, 12, 80000, 15, 3000);
    c.perp = liq(0.8, 0.8, 12, 120000, 20, 4000);
  } else if (coin == "SUI") {
    c.annual_volatility = 1.0;
    c.basis_mean_bps = 4.0;
    c.basis_vol_bps = 39.0;  // sd ~8 bps; with 3 jumps/h of ~20 bps, >20 bps several times an hour
    c.jump_rate_per_hour = 3.0;
    c.jump_mean_bps = 20.0;
    c.spot = liq(4.0, 4.0, 8, 5000, 6, 500);
    c.perp = liq(3.0, 3.0, 8, 8000, 8, 800);
  } else if (coin == "JUP") {
    c.annual_volatility = 1.2;
    c.basis_mean_bps = 5.0;
    c.basis_vol_bps = 44.0;  // sd ~9 bps
    c.jump_rate_per_hour = 4.0;
    c.jump_mean_bps = 22.0;
    c.spot = liq(6.0, 5.0, 8, 3000, 6, 300);
    c.perp = liq(5.0, 5.0, 8, 5000, 8, 500);
  } else {
    throw std::invalid_argument("no default market-model parameters for coin \"" + std::string(coin) +
                                "\" (known: SOL, BTC, ETH, SUI, JUP)");
  }
  return c;
}

MarketModelConfig default_model_config() {
  MarketModelConfig cfg;
  for (const CoinDefaults& d : kCoins) cfg.coins.push_back(default_coin_params(d.coin));
  return cfg;
}

std::vector<MarketSetup> default_markets() {
  std::vector<MarketSetup> out;
  for (bool perp : {false, true}) {
    for (const CoinDefaults& d : kCoins) {
      out.push_back(MarketSetup{
          make_spec(d.coin, perp, d.tick, d.step, d.imf_base, d.imf_factor, d.mmf_base, d.mmf_factor, d.bound_bps),
          Decimal::from_string(d.seed)});
    }
  }
  return out;
}

ExchangeConfig default_exchange_config() {
  ExchangeConfig cfg;
  cfg.markets = default_markets();
  return cfg;
}

// ---------------------------------------------------------------------------------------------

struct MarketModel::Impl {
  struct Book {  // one market the model quotes
    std::string symbol;
    const MarketSpec* spec = nullptr;
    bool perp = false;
    LiquidityParams liq;
    double quoted_mid = 0;  // mid of the current ladder (0 = none yet)
    struct Rung {
      OrderId id = 0;
      Side side = Side::kBid;
      std::int64_t ticks = 0;
    };
    std::vector<Rung> ladder;  // resting maker orders
    bool pinned = false;       // mark/index held by a scenario
  };
  struct Coin {
    CoinModelParams params;
    double spot_mid = 0;
    double basis_bps = 0;
    int spot_book = -1;  // index into books
    int perp_book = -1;
    int fair_coin = -1;  // index in the shared FairValue (-1: own spot path)
    double noise_bps = 0;
    double dislocation_bps = 0;
  };

  Impl(Exchange& ex, MarketModelConfig cfg) : exchange(ex), config(std::move(cfg)), rng(config.seed) {}

  Exchange& exchange;
  MarketModelConfig config;
  FairValue* fair = nullptr;
  std::mt19937_64 rng;
  std::vector<Coin> coins;
  std::vector<Book> books;
  AccountId maker = 0;
  AccountId taker = 0;
  TimestampUs last_us = 0;

  Coin* find_coin(std::string_view coin_or_symbol) {
    for (Coin& c : coins) {
      if (c.params.coin == coin_or_symbol) return &c;
      for (int b : {c.spot_book, c.perp_book})
        if (b >= 0 && books[static_cast<std::size_t>(b)].symbol == coin_or_symbol) return &c;
    }
    return nullptr;
  }
  Book* find_book(std::string_view symbol) {
    for (Book& b : books)
      if (b.symbol == symbol) return &b;
    return nullptr;
  }
  double perp_mid(const Coin& c) const { return c.spot_mid * (1.0 + c.basis_bps / 10000.0); }
  double mid_of(const Coin& c, const Book& b) const { return b.perp ? perp_mid(c) : c.spot_mid; }

  TimestampUs lagged(TimestampUs t) const { return t - config.follow.lag_ms * kUsPerMs; }

  // `t` is the simulated time at the end of the dt_s step.
  void evolve(Coin& c, double dt_s, TimestampUs t) {
    const CoinModelParams& p = c.params;
    if (c.fair_coin >= 0) {
      follow(c, dt_s, t);
    } else {
      const double sigma = p.annual_volatility;
      const double dt_y = dt_s / kSecondsPerYear;
      c.spot_mid *= std::exp(-0.5 * sigma * sigma * dt_y + sigma * std::sqrt(dt_y) * std_normal(rng));
    }
    const double dt_h = dt_s / 3600.0;
    c.basis_bps += p.basis_reversion_per_hour * (p.basis_mean_bps - c.basis_bps) * dt_h +
                   p.basis_vol_bps * std::sqrt(dt_h) * std_normal(rng);
    const int jumps = poisson(rng, p.jump_rate_per_hour * dt_h);
    for (int j = 0; j < jumps; ++j) {
      const double size = exponential(rng, p.jump_mean_bps);
      c.basis_bps += uniform01(rng) < 0.5 ? size : -size;
    }
  }

  // The venue's offset from the shared fair value (FollowParams): exact OU transition for the noise, exponential
  // decay and Poisson arrivals for the dislocation.
  void follow(Coin& c, double dt_s, TimestampUs t) {
    const FollowParams& f = config.follow;
    constexpr double kLn2 = 0.6931471805599453;
    if (f.noise_bps > 0) {
      const double keep = std::exp(-kLn2 * dt_s / f.noise_half_life_s);
      c.noise_bps = c.noise_bps * keep + f.noise_bps * std::sqrt(1.0 - keep * keep) * std_normal(rng);
    }
    c.dislocation_bps *= std::exp(-kLn2 * dt_s / f.dislocation_half_life_s);
    const int n = poisson(rng, f.dislocation_rate_per_hour * dt_s / 3600.0);
    for (int j = 0; j < n; ++j) {
      const double size = exponential(rng, f.dislocation_mean_bps);
      c.dislocation_bps += uniform01(rng) < 0.5 ? size : -size;
    }
    c.spot_mid = fair->at(c.fair_coin, lagged(t)) * (1.0 + (c.noise_bps + c.dislocation_bps) / 10000.0);
  }

  Decimal to_price(const MarketSpec& s, double px, Rounding mode) const {
    const double ticks = px / s.tick_size.to_double();
    std::int64_t t = mode == Rounding::kUp ? static_cast<std::int64_t>(std::ceil(ticks - 1e-9))
                                           : static_cast<std::int64_t>(std::floor(ticks + 1e-9));
    if (mode == Rounding::kNearest) t = std::llround(ticks);
    if (t < 1) t = 1;
    return s.ticks_to_price(t);
  }

  void publish_marks(Coin& c) {
    const Decimal index =
        c.spot_book >= 0 ? to_price(*books[static_cast<std::size_t>(c.spot_book)].spec, c.spot_mid, Rounding::kNearest)
                         : Decimal{};
    if (c.spot_book >= 0) {
      Book& b = books[static_cast<std::size_t>(c.spot_book)];
      if (!b.pinned) exchange.set_mark_index(b.symbol, index, index);
    }
    if (c.perp_book >= 0) {
      Book& b = books[static_cast<std::size_t>(c.perp_book)];
      const Decimal mark = to_price(*b.spec, perp_mid(c), Rounding::kNearest);
      const Decimal idx = c.spot_book >= 0 ? index : to_price(*b.spec, c.spot_mid, Rounding::kNearest);
      if (!b.pinned) exchange.set_mark_index(b.symbol, mark, idx);
    }
  }

  bool ladder_intact(const Book& b) const {
    for (const Book::Rung& r : b.ladder)
      if (!rung_intact(b, r)) return false;
    return true;
  }
  bool rung_intact(const Book& b, const Book::Rung& r) const {
    auto o = exchange.query_order(maker, b.symbol, OrderRef{r.id, std::nullopt});
    return o && !o->executed_quantity.is_positive();
  }

  struct Quote {
    Side side;
    std::int64_t ticks;
    std::int64_t lots;
    bool placed;  // keep_unchanged_levels: an intact resting order already quotes it
  };
  std::vector<Quote> quotes;  // reused by requote()

  void requote(Book& b, double mid, bool force) {
    const bool moved =
        b.quoted_mid <= 0 || std::fabs(mid / b.quoted_mid - 1.0) * 10000.0 > config.requote_threshold_bps;
    if (!force && !moved && ladder_intact(b)) return;
    // Only a consumed level to repair: the ladder stays where it is, so its other levels keep their prices.
    if (config.keep_unchanged_levels && !force && !moved) mid = b.quoted_mid;
    b.quoted_mid = mid;
    // The wanted ladder (one size draw per level in both modes).
    quotes.clear();
    const MarketSpec& s = *b.spec;
    const LiquidityParams& l = b.liq;
    std::int64_t prev_bid = std::numeric_limits<std::int64_t>::max();
    std::int64_t prev_ask = 0;
    // keep_unchanged_levels: the ladder sits on a fixed grid of whole-tick spacings anchored at a multiple
    // of the spacing, so a move of one spacing shifts one level in and one out per side and the others
    // keep their prices (a ladder at exact bps offsets lands on other ticks after almost every move).
    const double mid_ticks = mid / s.tick_size.to_double();
    const std::int64_t grid_step = std::max<std::int64_t>(1, std::llround(mid_ticks * l.level_spacing_bps / 10000.0));
    const std::int64_t grid_half = std::max<std::int64_t>(1, std::llround(mid_ticks * l.half_spread_bps / 10000.0));
    const std::int64_t grid_anchor = std::llround(mid_ticks / static_cast<double>(grid_step)) * grid_step;
    for (int k = 0; k < l.levels; ++k) {
      const double off = (l.half_spread_bps + k * l.level_spacing_bps) / 10000.0;
      const double size_usd = l.level_notional_usd * (1.0 + k * l.size_growth) * (0.6 + 0.8 * uniform01(rng));
      for (Side side : {Side::kBid, Side::kAsk}) {
        const bool bid = side == Side::kBid;
        std::int64_t ticks = config.keep_unchanged_levels
                                 ? grid_anchor + (bid ? -1 : 1) * (grid_half + k * grid_step)
                                 : s.price_to_ticks(to_price(s, mid * (bid ? 1.0 - off : 1.0 + off),
                                                             bid ? Rounding::kDown : Rounding::kUp));
        // Keep levels distinct and ordered even when the spacing is below one tick.
        if (bid && ticks >= prev_bid) ticks = prev_bid - 1;
        if (!bid && ticks <= prev_ask) ticks = prev_ask + 1;
        if (ticks < 1) continue;
        (bid ? prev_bid : prev_ask) = ticks;
        const double qty = size_usd / s.ticks_to_price(ticks).to_double();
        std::int64_t lots = static_cast<std::int64_t>(std::llround(qty / s.step_size.to_double()));
        const std::int64_t min_lots = s.quantity_to_lots(s.min_quantity, Rounding::kUp);
        if (lots < min_lots) lots = min_lots;
        quotes.push_back(Quote{side, ticks, lots, false});
      }
    }
    // keep_unchanged_levels: an unfilled order already resting at a wanted price stays (its size and its
    // queue place with it), like a market maker who moves only the levels that moved; the rest is
    // cancelled. Otherwise the whole ladder is cancelled and placed again.
    std::size_t kept = 0;
    for (const Book::Rung& r : b.ladder) {
      bool keep = false;
      if (config.keep_unchanged_levels) {
        for (Quote& q : quotes) {
          if (q.placed || q.side != r.side || q.ticks != r.ticks) continue;
          keep = rung_intact(b, r);
          q.placed = keep;
          break;
        }
      }
      if (keep) {
        b.ladder[kept++] = r;
      } else {
        (void)exchange.cancel(maker, b.symbol, OrderRef{r.id, std::nullopt});
      }
    }
    b.ladder.resize(kept);
    for (const Quote& q : quotes) {
      if (q.placed) continue;
      SimOrderRequest r;
      r.symbol = b.symbol;
      r.side = q.side;
      r.order_type = OrderType::kLimit;
      r.price = s.ticks_to_price(q.ticks);
      r.quantity = s.lots_to_quantity(q.lots);
      r.self_trade_prevention = SelfTradePrevention::kRejectMaker;
      auto res = exchange.execute(maker, r);
      if (res && res->is_open()) b.ladder.push_back(Book::Rung{res->id, q.side, q.ticks});
    }
  }

  void takers(Book& b, double mid, double dt_s) {
    if (!config.background_trading) return;
    int n = poisson(rng, b.liq.taker_rate_per_minute * dt_s / 60.0);
    n = std::min(n, kMaxTakersPerStep);
    const MarketSpec& s = *b.spec;
    for (int i = 0; i < n; ++i) {
      const Side side = uniform01(rng) < 0.5 ? Side::kBid : Side::kAsk;
      const double usd = exponential(rng, b.liq.taker_mean_notional_usd);
      std::int64_t lots = static_cast<std::int64_t>(std::llround(usd / mid / s.step_size.to_double()));
      const std::int64_t min_lots = s.quantity_to_lots(s.min_quantity, Rounding::kUp);
      if (lots < min_lots) lots = min_lots;
      SimOrderRequest r;
      r.symbol = b.symbol;
      r.side = side;
      r.order_type = OrderType::kMarket;
      r.quantity = s.lots_to_quantity(lots);
      r.self_trade_prevention = SelfTradePrevention::kAllow;
      (void)exchange.execute(taker, r);
    }
  }
};

MarketModel::MarketModel(Exchange& exchange, MarketModelConfig config)
    : impl_(std::make_unique<Impl>(exchange, std::move(config))) {
  init();
}

MarketModel::MarketModel(Exchange& exchange, MarketModelConfig config, FairValue& fair)
    : impl_(std::make_unique<Impl>(exchange, std::move(config))) {
  impl_->fair = &fair;
  init();
}

void MarketModel::init() {
  Impl& I = *impl_;
  Exchange& exchange = I.exchange;
  AccountSetup maker;
  maker.api_key = I.config.maker_api_key;
  maker.unlimited = true;
  maker.fees = FeeSchedule{{}, {}, {}, {}};
  AccountSetup taker = maker;
  taker.api_key = I.config.taker_api_key;
  I.maker = exchange.add_account(maker);
  I.taker = exchange.add_account(taker);
  I.last_us = exchange.clock().now_us();
  for (const CoinModelParams& p : I.config.coins) {
    Impl::Coin c;
    c.params = p;
    c.basis_bps = p.basis_mean_bps;
    for (bool perp : {false, true}) {
      const std::string sym = p.coin + (perp ? "_USDC_PERP" : "_USDC");
      const MarketSpec* spec = exchange.market(sym);
      if (!spec) continue;
      Impl::Book b;
      b.symbol = sym;
      b.spec = spec;
      b.perp = perp;
      b.liq = perp ? p.perp : p.spot;
      (perp ? c.perp_book : c.spot_book) = static_cast<int>(I.books.size());
      I.books.push_back(std::move(b));
    }
    if (c.spot_book < 0 && c.perp_book < 0) continue;
    const std::string& ref = I.books[static_cast<std::size_t>(c.spot_book >= 0 ? c.spot_book : c.perp_book)].symbol;
    c.spot_mid = exchange.last_price(ref)->to_double();
    if (c.spot_book < 0) c.basis_bps = 0;  // perp-only coin: its price is the perp's
    if (I.fair != nullptr) {
      c.fair_coin = I.fair->coin_index(p.coin);
      if (c.fair_coin >= 0) c.spot_mid = I.fair->at(c.fair_coin, I.lagged(I.last_us));
    }
    I.coins.push_back(std::move(c));
  }
  // Book pointers are stable now (no more push_back); place the first ladders in one batch.
  exchange.batch_begin();
  for (Impl::Coin& c : I.coins) {
    I.publish_marks(c);
    for (int bi : {c.spot_book, c.perp_book})
      if (bi >= 0)
        I.requote(I.books[static_cast<std::size_t>(bi)], I.mid_of(c, I.books[static_cast<std::size_t>(bi)]), true);
  }
  exchange.batch_end();
}

MarketModel::~MarketModel() = default;

void MarketModel::step(TimestampUs now) {
  Impl& I = *impl_;
  if (now <= I.last_us) return;
  const double total_s = static_cast<double>(now - I.last_us) / kUsPerSecond;
  while (I.last_us < now) {
    const DurationUs dt = std::min<DurationUs>(kMaxStepUs, now - I.last_us);
    I.last_us += dt;
    for (Impl::Coin& c : I.coins) I.evolve(c, static_cast<double>(dt) / kUsPerSecond, I.last_us);
  }
  for (Impl::Coin& c : I.coins) I.publish_marks(c);
  I.exchange.batch_begin();
  for (Impl::Coin& c : I.coins)
    for (int bi : {c.spot_book, c.perp_book})
      if (bi >= 0)
        I.requote(I.books[static_cast<std::size_t>(bi)], I.mid_of(c, I.books[static_cast<std::size_t>(bi)]), false);
  I.exchange.batch_end();
  for (Impl::Coin& c : I.coins)
    for (int bi : {c.spot_book, c.perp_book})
      if (bi >= 0)
        I.takers(I.books[static_cast<std::size_t>(bi)], I.mid_of(c, I.books[static_cast<std::size_t>(bi)]), total_s);
  I.exchange.advance_to(now);
}

bool MarketModel::set_basis_bps(std::string_view coin_or_symbol, double bps) {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c || c->perp_book < 0) return false;
  c->basis_bps = bps;
  impl_->publish_marks(*c);
  Impl::Book& b = impl_->books[static_cast<std::size_t>(c->perp_book)];
  impl_->exchange.batch_begin();
  impl_->requote(b, impl_->perp_mid(*c), true);
  impl_->exchange.batch_end();
  return true;
}

bool MarketModel::force_jump(std::string_view coin_or_symbol, double bps) {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c || c->perp_book < 0) return false;
  return set_basis_bps(coin_or_symbol, c->basis_bps + bps);
}

bool MarketModel::set_mid(std::string_view coin_or_symbol, double price) {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c || !(price > 0)) return false;
  if (c->fair_coin >= 0) {
    const double fair = impl_->fair->at(c->fair_coin, impl_->lagged(impl_->last_us));
    c->dislocation_bps = (price / fair - 1.0) * 10000.0 - c->noise_bps;
  }
  c->spot_mid = price;
  impl_->publish_marks(*c);
  impl_->exchange.batch_begin();
  for (int bi : {c->spot_book, c->perp_book})
    if (bi >= 0)
      impl_->requote(impl_->books[static_cast<std::size_t>(bi)],
                     impl_->mid_of(*c, impl_->books[static_cast<std::size_t>(bi)]), true);
  impl_->exchange.batch_end();
  return true;
}

bool MarketModel::dislocate(std::string_view coin_or_symbol, double bps) {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c || c->fair_coin < 0) return false;
  c->dislocation_bps += bps;
  return true;
}

bool MarketModel::set_half_spread_bps(std::string_view symbol, double bps) {
  Impl::Book* b = impl_->find_book(symbol);
  if (!b || !(bps > 0) || bps > 1000) return false;
  b->liq.half_spread_bps = bps;
  if (b->quoted_mid > 0) {  // no ladder yet: the first one is placed with the new spread
    impl_->exchange.batch_begin();
    impl_->requote(*b, b->quoted_mid, true);
    impl_->exchange.batch_end();
  }
  return true;
}

void MarketModel::set_background_trading(bool on) {
  impl_->config.background_trading = on;
}
bool MarketModel::background_trading() const noexcept {
  return impl_->config.background_trading;
}

bool MarketModel::hold_mark_index(std::string_view symbol, Decimal mark, Decimal index) {
  Impl::Book* b = impl_->find_book(symbol);
  if (!b || !impl_->exchange.set_mark_index(symbol, mark, index)) return false;
  b->pinned = true;
  return true;
}

bool MarketModel::release_mark_index(std::string_view symbol) {
  Impl::Book* b = impl_->find_book(symbol);
  if (!b) return false;
  b->pinned = false;
  if (Impl::Coin* c = impl_->find_coin(symbol)) impl_->publish_marks(*c);
  return true;
}

std::optional<double> MarketModel::mid(std::string_view coin_or_symbol) const {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c) return std::nullopt;
  if (const Impl::Book* b = impl_->find_book(coin_or_symbol); b && b->perp) return impl_->perp_mid(*c);
  return c->spot_mid;
}

std::optional<double> MarketModel::basis_bps(std::string_view coin_or_symbol) const {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c) return std::nullopt;
  return c->basis_bps;
}

std::optional<double> MarketModel::fair_offset_bps(std::string_view coin_or_symbol) const {
  Impl::Coin* c = impl_->find_coin(coin_or_symbol);
  if (!c || c->fair_coin < 0) return std::nullopt;
  return c->noise_bps + c->dislocation_bps;
}

AccountId MarketModel::maker_account() const noexcept {
  return impl_->maker;
}
AccountId MarketModel::taker_account() const noexcept {
  return impl_->taker;
}
const MarketModelConfig& MarketModel::config() const noexcept {
  return impl_->config;
}

}  // namespace bparb::sim
