#include "bparb/sim/lighter/api.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <stdexcept>
#include <variant>

#include "bparb/venue/lighter/keys.hpp"
#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/schnorr.hpp"

namespace bparb::sim::lighter {

namespace bl = bparb::lighter;

namespace {

constexpr std::int64_t kOrderIndexBase = std::int64_t{1} << 48;
constexpr std::int64_t kMax48 = kOrderIndexBase - 1;
constexpr std::int64_t kSkipNonceLimit = (std::int64_t{1} << 47) - 1;
// Order expiry window and scheduled cancel-all window (docs/lighter.md, "The simulated Lighter").
constexpr std::int64_t kMaxOrderExpiryMs = 30LL * 24 * 3600 * 1000;
constexpr std::int64_t kMinCancelAllMs = 5LL * 60 * 1000;
constexpr std::int64_t kMaxCancelAllMs = 15LL * 24 * 3600 * 1000;

TxOutcome fail(int code, std::string message) {
  return TxOutcome{code, std::move(message), {}};
}

// Decimal places of a power-of-ten increment, or -1.
int power_of_ten_decimals(Decimal inc) {
  for (int d = 0; d <= Decimal::kScale; ++d) {
    std::int64_t raw = Decimal::kOne;
    for (int i = 0; i < d; ++i) raw /= 10;
    if (inc.raw() == raw) return d;
  }
  return -1;
}

std::string hash_hex(const bl::Fp5& h) {
  std::array<std::uint8_t, 40> bytes{};
  bl::encode(h, bytes);
  std::string out(80, '0');
  bl::to_hex(bytes, std::span<char>(out.data(), out.size()));
  return out;
}

// The sim's answer to a neutral reject, in Lighter's code space (docs/lighter.md, "The simulated Lighter").
TxOutcome lighter_reject(Reject r) {
  switch (r) {
    case Reject::kUnknownAccount:
      return fail(21108, "invalid account");
    case Reject::kUnknownSymbol:
      return fail(21600, "invalid market index");
    case Reject::kTradingPaused:
    case Reject::kCancelOnlyMode:
    case Reject::kLimitOnlyMode:
      return fail(21601, "market is not accepting this order");
    case Reject::kReduceOnlyNotPerp:
      return fail(21740, "invalid reduce only mode");
    case Reject::kPriceRequired:
    case Reject::kPriceNotPositive:
    case Reject::kPriceOffTick:
    case Reject::kPriceOutOfBounds:
      return fail(21702, "invalid price");
    case Reject::kPriceTooFar:
      return fail(21734, "limit price too far from mark price");
    case Reject::kQuantityRequired:
    case Reject::kQuantityNotPositive:
    case Reject::kQuantityOffStep:
    case Reject::kQuantityAboveMax:
      return fail(21701, "invalid base amount");
    case Reject::kQuantityBelowMin:
      return fail(21706, "invalid order base or quote amount");
    case Reject::kInsufficientFunds:
    case Reject::kInsufficientMargin:
      return fail(21739, "not enough margin to create the order");
    case Reject::kUnknownOrder:
      return fail(21709, "order is not active");
    default:
      return fail(21501, "invalid tx info");
  }
}

}  // namespace

struct ApiKeyState {
  std::unique_ptr<bl::PreparedPublicKey> key;
  std::int64_t next_nonce = 0;
  bool refused_for_nonce = false;  // an invalid-nonce answer not yet followed by a nextNonce read
};

struct AccountState {
  const LighterAccountRules* rules = nullptr;
  std::map<std::uint8_t, ApiKeyState> keys;
  std::int64_t cancel_all_time_ms = 0;  // scheduled dead-man switch, 0 = none
};

struct LighterApi::Impl {
  TxInfoParser parser;
  std::map<std::int64_t, AccountState> accounts;    // by account index
  std::map<AccountId, std::int64_t> account_index;  // Exchange account -> index
  std::map<std::int64_t, const LighterMarketRules*> markets_by_id;
  std::map<std::string, const LighterMarketRules*, std::less<>> markets_by_symbol;
  std::map<std::int64_t, std::pair<int, int>> decimals;  // market id -> (price, size)
  std::map<OrderId, OrderMeta> orders;                   // Exchange order -> meta
  std::map<std::int64_t, OrderId> by_order_index;        // venue order index -> current Exchange order
  // (account index, client order index) -> venue order index of the latest order that carried it.
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> by_client_index;
  // The meta of the order being submitted: the Exchange announces the order (on_order) from inside
  // execute(), before the call returns, and every listener after this one must already see its ids.
  std::optional<OrderMeta> pending;
  // Resting orders with an OrderExpiry, by expiry (ms): poll() cancels them when due.
  std::multimap<std::int64_t, OrderId> expiries;
  std::set<OrderId> expired;  // cancelled by their OrderExpiry: reported as canceled-expired
  // Exchange orders a Modify took off the book to re-enter them: the venue's order lives on under the
  // same order index, so their cancel is not reported (docs/lighter.md, "The simulated Lighter").
  std::set<OrderId> replaced;
  std::int64_t never_execute_next = 0;  // never_execute_next_orders
  std::int64_t never_executed = 0;
  Decimal fill_cap_ratio = Decimal::one();  // cap_next_fills
  std::int64_t fill_cap_next = 0;
  std::int64_t fills_capped = 0;
  std::int64_t take_nonce_next = 0;  // take_nonce_before_next_orders
  std::int64_t nonces_taken = 0;
  std::int64_t nonce_refusals = 0;  // 21104 and 21105 answers
  std::int64_t nonce_reads = 0;
  std::int64_t guessed_after_refusal = 0;
};

LighterApi::LighterApi(Exchange& exchange, const Clock& wall_clock, LighterRules rules)
    : ex_(exchange), wall_(wall_clock), rules_(std::move(rules)), impl_(std::make_unique<Impl>()) {
  for (const auto& m : rules_.markets) {
    const MarketSpec* spec = ex_.market(m.symbol);
    if (!spec) throw std::invalid_argument("lighter: market " + m.symbol + " is not on the exchange");
    const int pd = power_of_ten_decimals(spec->tick_size);
    const int sd = power_of_ten_decimals(spec->step_size);
    if (pd < 0 || sd < 0) throw std::invalid_argument("lighter: " + m.symbol + " tick/step not a power of ten");
    if (!impl_->markets_by_id.emplace(m.market_id, &m).second ||
        !impl_->markets_by_symbol.emplace(m.symbol, &m).second) {
      throw std::invalid_argument("lighter: duplicate market " + m.symbol);
    }
    impl_->decimals[m.market_id] = {pd, sd};
  }
  FeeSchedule fees;
  // Percent -> basis points: x % = 100 x bps.
  fees.perp_maker_bps = fees.spot_maker_bps = rules_.maker_fee_pct * 100;
  fees.perp_taker_bps = fees.spot_taker_bps = rules_.taker_fee_pct * 100;
  for (const auto& a : rules_.accounts) {
    if (a.account >= ex_.account_count()) throw std::invalid_argument("lighter: account not on the exchange");
    auto [it, fresh] = impl_->accounts.emplace(a.account_index, AccountState{});
    if (!fresh || !impl_->account_index.emplace(a.account, a.account_index).second) {
      throw std::invalid_argument("lighter: duplicate account " + std::to_string(a.account_index));
    }
    it->second.rules = &a;
    for (const auto& k : a.api_keys) {
      auto pk = bl::public_key_from_hex(k.public_key_hex);
      if (!pk || k.api_key_index > 254)
        throw std::invalid_argument("lighter: bad API key of account " + std::to_string(a.account_index));
      ApiKeyState st;
      st.key = std::make_unique<bl::PreparedPublicKey>(*pk);
      if (!it->second.keys.emplace(k.api_key_index, std::move(st)).second) {
        throw std::invalid_argument("lighter: duplicate API key index");
      }
    }
    ex_.set_fees(a.account, fees);
  }
  ex_.add_listener(this);
}

LighterApi::~LighterApi() {
  ex_.remove_listener(this);
}

const LighterMarketRules* LighterApi::market_by_id(std::int64_t id) const {
  auto it = impl_->markets_by_id.find(id);
  return it == impl_->markets_by_id.end() ? nullptr : it->second;
}
const LighterMarketRules* LighterApi::market_by_symbol(std::string_view symbol) const {
  auto it = impl_->markets_by_symbol.find(symbol);
  return it == impl_->markets_by_symbol.end() ? nullptr : it->second;
}
int LighterApi::price_decimals(const LighterMarketRules& m) const {
  return impl_->decimals.at(m.market_id).first;
}
int LighterApi::size_decimals(const LighterMarketRules& m) const {
  return impl_->decimals.at(m.market_id).second;
}
std::optional<std::int64_t> LighterApi::account_index_of(AccountId a) const {
  auto it = impl_->account_index.find(a);
  if (it == impl_->account_index.end()) return std::nullopt;
  return it->second;
}
std::optional<AccountId> LighterApi::account_of(std::int64_t account_index) const {
  auto it = impl_->accounts.find(account_index);
  if (it == impl_->accounts.end()) return std::nullopt;
  return it->second.rules->account;
}
std::int64_t LighterApi::order_index_of(OrderId id) const {
  auto it = impl_->orders.find(id);
  if (it != impl_->orders.end()) return it->second.order_index;
  return kOrderIndexBase + static_cast<std::int64_t>(id);
}
std::int64_t LighterApi::next_nonce(std::int64_t account_index, std::uint8_t api_key_index) const {
  auto it = impl_->accounts.find(account_index);
  if (it == impl_->accounts.end()) return 0;
  auto k = it->second.keys.find(api_key_index);
  return k == it->second.keys.end() ? 0 : k->second.next_nonce;
}

bool LighterApi::has_api_key(std::int64_t account_index, std::uint8_t api_key_index) const {
  auto it = impl_->accounts.find(account_index);
  return it != impl_->accounts.end() && it->second.keys.count(api_key_index) != 0;
}
bool LighterApi::meta_of(OrderId id, OrderMeta& out) const {
  auto it = impl_->orders.find(id);
  if (it == impl_->orders.end()) return false;
  out = it->second;
  return true;
}
std::int64_t LighterApi::scheduled_cancel_all_ms(std::int64_t account_index) const {
  auto it = impl_->accounts.find(account_index);
  return it == impl_->accounts.end() ? 0 : it->second.cancel_all_time_ms;
}

// ---------------------------------------------------------------- transactions

namespace {

// Pre-execution checks shared by single and batch submission: the envelope's account and key, ExpiredAt,
// the signature. The nonce is checked by the caller (a batch checks a run of them).
struct Verified {
  ParsedTx tx;
  AccountState* account = nullptr;
  ApiKeyState* key = nullptr;
  std::string hash_hex;
};

}  // namespace

namespace {
Expected<Verified, TxOutcome> verify(LighterApi::Impl& impl, const LighterRules& rules, const Clock& wall,
                                     std::int64_t tx_type, std::string_view tx_info) {
  auto parsed = impl.parser.parse(tx_type, tx_info);
  if (!parsed) {
    if (parsed.error() == TxInfoError::kUnsupportedType) return unexpected(fail(21505, "unsupported tx type"));
    return unexpected(fail(21501, std::string("invalid tx info: ") + to_string(parsed.error())));
  }
  Verified v;
  v.tx = *parsed;
  auto acc = impl.accounts.find(v.tx.envelope.account_index);
  if (acc == impl.accounts.end()) return unexpected(fail(21108, "invalid PublicKey: account not found"));
  auto key = acc->second.keys.find(v.tx.envelope.api_key_index);
  if (key == acc->second.keys.end()) return unexpected(fail(21108, "invalid PublicKey: api key not registered"));
  if (v.tx.envelope.expired_at <= wall.now_ms()) return unexpected(fail(21501, "invalid tx info: tx expired"));
  const bl::Fp5 h = tx_message_hash(v.tx, rules.chain_id);
  if (!key->second.key->verify(h, v.tx.signature)) {
    return unexpected(fail(21501, "invalid tx info: invalid signature"));
  }
  v.account = &acc->second;
  v.key = &key->second;
  v.hash_hex = hash_hex(h);
  return v;
}

bool nonce_fits(const ParsedTx& tx, std::int64_t expected) {
  const std::int64_t n = tx.envelope.nonce;
  const bool skip = std::visit([](const auto& t) { return t.attributes.skip_nonce == 1; }, tx.tx);
  if (skip) return n >= expected && n < kSkipNonceLimit;
  return n == expected;
}
}  // namespace

// Executes one verified transaction on the Exchange. Ok: the nonce may be consumed.
namespace {

struct Executor {
  LighterApi& api;
  LighterApi::Impl& impl;
  Exchange& ex;
  const Clock& wall;

  std::optional<TxOutcome> create(const Verified& v, const bl::CreateOrderTx& t) {
    const LighterMarketRules* m = api.market_by_id(t.market_index);
    if (!m) return fail(21600, "invalid market index");
    if (t.type > 1) return fail(21704, "invalid order type");
    if (t.time_in_force > 2) return fail(21705, "invalid time in force");
    if (t.is_ask > 1) return fail(21703, "invalid is ask");
    if (t.reduce_only > 1) return fail(21740, "invalid reduce only mode");
    if (t.trigger_price != 0) return fail(21729, "invalid trigger price");
    if (t.base_amount < 1 || t.base_amount > kMax48) return fail(21701, "invalid base amount");
    if (t.price < 1) return fail(21702, "invalid price");
    if (t.client_order_index > kMax48) return fail(21727, "invalid client order index");
    const bool ioc = t.time_in_force == 0;
    if (t.type == 1 && !ioc) return fail(21705, "invalid time in force");
    if (ioc != (t.order_expiry == 0)) return fail(21711, "invalid order expiry");
    const std::int64_t now_ms = wall.now_ms();
    if (!ioc && (t.order_expiry <= now_ms || t.order_expiry > now_ms + kMaxOrderExpiryMs)) {
      return fail(21711, "invalid order expiry");
    }
    const MarketSpec* spec = ex.market(m->symbol);
    // Decimal holds 9 decimals in 63 bits: an amount beyond ~9.2e9 units of the asset cannot exist here.
    const std::int64_t step_raw = spec->step_size.raw();
    if (t.base_amount > std::numeric_limits<std::int64_t>::max() / step_raw) return fail(21701, "invalid base amount");
    const Decimal qty = Decimal::from_units(t.base_amount, spec->step_size);
    const Decimal px = Decimal::from_units(t.price, spec->tick_size);
    if (qty < m->min_base_amount || qty.mul(px, Rounding::kTowardZero) < m->min_quote_amount) {
      return fail(21706, "invalid order base or quote amount");
    }
    const AccountId a = v.account->rules->account;
    if (t.client_order_index != 0) {
      auto it = impl.by_client_index.find({v.tx.envelope.account_index, t.client_order_index});
      if (it != impl.by_client_index.end()) {
        const OrderId id = impl.by_order_index.at(it->second);
        const std::string& sym = api.market_by_id(impl.orders.at(id).market_id)->symbol;
        if (ex.query_order(a, sym, OrderRef{id, std::nullopt})) return fail(21728, "client order index already exists");
      }
    }
    SimOrderRequest req;
    req.symbol = m->symbol;
    req.side = t.is_ask ? Side::kAsk : Side::kBid;
    // A market order is an IOC limit at its worst acceptable price.
    req.order_type = OrderType::kLimit;
    req.price = px;
    req.quantity = qty;
    req.time_in_force = ioc ? TimeInForce::kIoc : TimeInForce::kGtc;
    req.post_only = t.time_in_force == 2;
    if (t.reduce_only) req.reduce_only = true;
    req.self_trade_prevention = SelfTradePrevention::kRejectMaker;
    // The meta must be known before the Exchange emits the order's events.
    OrderMeta meta;
    meta.client_order_index = t.client_order_index;
    meta.market_id = m->market_id;
    meta.account_index = v.tx.envelope.account_index;
    meta.type = t.type;
    meta.time_in_force = t.time_in_force;
    meta.order_expiry_ms = t.order_expiry;
    meta.nonce = v.tx.envelope.nonce;
    if (ioc && impl.fill_cap_next > 0) {
      const Decimal capped = qty.mul(impl.fill_cap_ratio, Rounding::kDown).round_to(spec->step_size, Rounding::kDown);
      if (capped >= spec->min_quantity && capped.is_positive() && capped < qty) {
        --impl.fill_cap_next;
        ++impl.fills_capped;
        meta.asked_base = qty;
        req.quantity = capped;
      }
    }
    impl.pending = meta;
    auto r = ex.execute(a, req);
    impl.pending.reset();
    if (!r) return lighter_reject(r.error());
    return std::nullopt;
  }

  // The order an Index names: a venue order index (>= 2^48) or the account's client order index.
  std::optional<OrderId> find(const Verified& v, const LighterMarketRules& m, std::int64_t index) {
    const AccountId a = v.account->rules->account;
    if (index >= kOrderIndexBase) {
      auto it = impl.by_order_index.find(index);
      OrderId id = it != impl.by_order_index.end() ? it->second : static_cast<OrderId>(index - kOrderIndexBase);
      if (ex.query_order(a, m.symbol, OrderRef{id, std::nullopt})) return id;
      return std::nullopt;
    }
    auto it = impl.by_client_index.find({v.tx.envelope.account_index, index});
    if (it == impl.by_client_index.end()) return std::nullopt;
    const OrderId id = impl.by_order_index.at(it->second);
    if (impl.orders.at(id).market_id != m.market_id) return std::nullopt;
    if (ex.query_order(a, m.symbol, OrderRef{id, std::nullopt})) return id;
    return std::nullopt;
  }

  std::optional<TxOutcome> cancel(const Verified& v, const bl::CancelOrderTx& t) {
    const LighterMarketRules* m = api.market_by_id(t.market_index);
    if (!m) return fail(21600, "invalid market index");
    auto id = find(v, *m, t.index);
    if (!id) return fail(21709, "order is not active");
    auto r = ex.cancel(v.account->rules->account, m->symbol, OrderRef{*id, std::nullopt});
    if (!r) return lighter_reject(r.error());
    return std::nullopt;
  }

  std::optional<TxOutcome> cancel_all(const Verified& v, const bl::CancelAllOrdersTx& t) {
    const std::int64_t now_ms = wall.now_ms();
    switch (t.time_in_force) {
      case 0: {
        if (t.time != 0) return fail(21714, "invalid cancel all time");
        const std::int16_t only = t.attributes.cancel_all_market_index;
        for (const auto& mr : api.rules().markets) {
          if (only != 255 && mr.market_id != only) continue;
          (void)ex.cancel_all(v.account->rules->account, mr.symbol);
        }
        return std::nullopt;
      }
      case 1:
        if (t.time < now_ms + kMinCancelAllMs || t.time > now_ms + kMaxCancelAllMs) {
          return fail(21714, "invalid cancel all time");
        }
        v.account->cancel_all_time_ms = t.time;
        return std::nullopt;
      case 2:
        if (t.time != 0) return fail(21714, "invalid cancel all time");
        v.account->cancel_all_time_ms = 0;
        return std::nullopt;
      default:
        return fail(21713, "invalid cancel all time in force");
    }
  }

  std::optional<TxOutcome> modify(const Verified& v, const bl::ModifyOrderTx& t) {
    const LighterMarketRules* m = api.market_by_id(t.market_index);
    if (!m) return fail(21600, "invalid market index");
    if (t.trigger_price != 0) return fail(21729, "invalid trigger price");
    if (t.base_amount < 1 || t.base_amount > kMax48) return fail(21701, "invalid base amount");
    if (t.price < 1) return fail(21702, "invalid price");
    auto id = find(v, *m, t.index);
    if (!id) return fail(21709, "order is not active");
    const AccountId a = v.account->rules->account;
    const MarketSpec* spec = ex.market(m->symbol);
    if (t.base_amount > std::numeric_limits<std::int64_t>::max() / spec->step_size.raw()) {
      return fail(21701, "invalid base amount");
    }
    auto old = ex.query_order(a, m->symbol, OrderRef{*id, std::nullopt});
    if (!old) return fail(21709, "order is not active");
    // Cancel and re-enter with the new size and price under the same venue order index: the order
    // loses its queue place, as a modified order does on the venue.
    OrderMeta meta = order_meta(*id);
    SimOrderRequest req;
    req.symbol = m->symbol;
    req.side = old->side;
    req.order_type = OrderType::kLimit;
    req.price = Decimal::from_units(t.price, spec->tick_size);
    req.quantity = Decimal::from_units(t.base_amount, spec->step_size);
    req.time_in_force = old->time_in_force;
    req.post_only = old->post_only;
    req.reduce_only = old->reduce_only;
    req.self_trade_prevention = old->self_trade_prevention;
    impl.replaced.insert(*id);
    auto c = ex.cancel(a, m->symbol, OrderRef{*id, std::nullopt});
    if (!c) {
      impl.replaced.erase(*id);
      return lighter_reject(c.error());
    }
    const OrderMeta old_meta = meta;
    meta.nonce = v.tx.envelope.nonce;
    impl.pending = meta;
    auto r = ex.execute(a, req);
    impl.pending.reset();
    if (!r) {
      // The venue refuses a modify and leaves the order as it was: put the remainder back at the old price
      // (it rested there a moment ago), under the same order index.
      req.price = old->price;
      req.quantity = old->quantity.value_or(Decimal::zero()) - old->executed_quantity;
      impl.pending = old_meta;
      (void)ex.execute(a, req);
      impl.pending.reset();
      return lighter_reject(r.error());
    }
    return std::nullopt;
  }

  OrderMeta order_meta(OrderId id) const {
    auto it = impl.orders.find(id);
    if (it != impl.orders.end()) return it->second;
    OrderMeta m;
    m.order_index = kOrderIndexBase + static_cast<std::int64_t>(id);
    return m;
  }
};

}  // namespace

TxOutcome LighterApi::submit(std::int64_t tx_type, std::string_view tx_info) {
  std::vector<std::int64_t> types{tx_type};
  std::vector<std::string> infos{std::string(tx_info)};
  TxOutcome batch_error;
  auto out = submit_batch(types, infos, batch_error);
  if (batch_error.code != 200) return batch_error;
  return out.front();
}

std::vector<TxOutcome> LighterApi::submit_batch(const std::vector<std::int64_t>& tx_types,
                                                const std::vector<std::string>& tx_infos, TxOutcome& batch_error) {
  batch_error = TxOutcome{};
  std::vector<TxOutcome> out;
  if (tx_types.size() != tx_infos.size() || tx_types.empty()) {
    batch_error = fail(21501, "invalid tx info: tx_types and tx_infos differ");
    return out;
  }
  std::vector<Verified> all;
  std::map<ApiKeyState*, std::int64_t> expect;  // next nonce per key within the batch
  for (std::size_t i = 0; i < tx_types.size(); ++i) {
    auto v = verify(*impl_, rules_, wall_, tx_types[i], tx_infos[i]);
    if (!v) {
      batch_error = v.error();
      return out;
    }
    if (v->key->refused_for_nonce && expect.count(v->key) == 0) ++impl_->guessed_after_refusal;
    if (impl_->take_nonce_next > 0 && expect.count(v->key) == 0 &&
        std::holds_alternative<bl::CreateOrderTx>(v->tx.tx)) {
      // The fault: another process on this API key sent a transaction just before, so it took the nonce.
      --impl_->take_nonce_next;
      ++impl_->nonces_taken;
      ++v->key->next_nonce;
    }
    auto [it, fresh] = expect.emplace(v->key, v->key->next_nonce);
    if (!nonce_fits(v->tx, it->second)) {
      ++impl_->nonce_refusals;
      v->key->refused_for_nonce = true;
      batch_error = fresh ? fail(21104, "invalid nonce") : fail(21105, "batch nonces are not consecutive");
      return out;
    }
    it->second = v->tx.envelope.nonce + 1;
    all.push_back(std::move(*v));
  }
  Executor exec{*this, *impl_, ex_, wall_};
  for (auto& v : all) {
    std::optional<TxOutcome> err = std::visit(
        [&](const auto& t) -> std::optional<TxOutcome> {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, bl::CreateOrderTx>) {
            if (impl_->never_execute_next > 0) {  // the fault: taken, answered, dropped
              --impl_->never_execute_next;
              ++impl_->never_executed;
              return std::nullopt;
            }
            return exec.create(v, t);
          } else if constexpr (std::is_same_v<T, bl::CancelOrderTx>) {
            return exec.cancel(v, t);
          } else if constexpr (std::is_same_v<T, bl::CancelAllOrdersTx>) {
            return exec.cancel_all(v, t);
          } else {
            return exec.modify(v, t);
          }
        },
        v.tx.tx);
    if (err) {
      // Earlier transactions of the batch stand (and their nonces are consumed); this one and the
      // rest are refused.
      batch_error = *err;
      return out;
    }
    v.key->next_nonce = v.tx.envelope.nonce + 1;
    out.push_back(TxOutcome{200, "", v.hash_hex});
  }
  return out;
}

void LighterApi::on_order(const OrderEvent& e) {
  if (e.type != OrderEventType::kAccepted || !impl_->pending || impl_->orders.count(e.order->id)) return;
  OrderMeta meta = *impl_->pending;
  impl_->pending.reset();
  if (meta.order_index == 0) meta.order_index = kOrderIndexBase + static_cast<std::int64_t>(e.order->id);
  impl_->orders[e.order->id] = meta;
  impl_->by_order_index[meta.order_index] = e.order->id;
  if (meta.order_expiry_ms > 0) impl_->expiries.emplace(meta.order_expiry_ms, e.order->id);
  if (meta.client_order_index != 0)
    impl_->by_client_index[{meta.account_index, meta.client_order_index}] = meta.order_index;
}

void LighterApi::never_execute_next_orders(std::int64_t n) noexcept {
  impl_->never_execute_next = n;
}

std::int64_t LighterApi::orders_never_executed() const noexcept {
  return impl_->never_executed;
}

void LighterApi::cap_next_fills(Decimal ratio, std::int64_t n) noexcept {
  impl_->fill_cap_ratio = ratio;
  impl_->fill_cap_next = n;
}

std::int64_t LighterApi::fills_capped() const noexcept {
  return impl_->fills_capped;
}

void LighterApi::take_nonce_before_next_orders(std::int64_t n) noexcept {
  impl_->take_nonce_next = n;
}

std::int64_t LighterApi::nonces_taken() const noexcept {
  return impl_->nonces_taken;
}

std::int64_t LighterApi::nonce_refusals() const noexcept {
  return impl_->nonce_refusals;
}

std::int64_t LighterApi::nonce_reads() const noexcept {
  return impl_->nonce_reads;
}

std::int64_t LighterApi::guessed_after_refusal() const noexcept {
  return impl_->guessed_after_refusal;
}

void LighterApi::note_nonce_read(std::int64_t account_index, std::uint8_t api_key_index) {
  ++impl_->nonce_reads;
  auto it = impl_->accounts.find(account_index);
  if (it == impl_->accounts.end()) return;
  auto k = it->second.keys.find(api_key_index);
  if (k != it->second.keys.end()) k->second.refused_for_nonce = false;
}

void LighterApi::poll() {
  const std::int64_t now_ms = wall_.now_ms();
  for (auto& [index, st] : impl_->accounts) {
    if (st.cancel_all_time_ms == 0 || st.cancel_all_time_ms > now_ms) continue;
    st.cancel_all_time_ms = 0;
    for (const auto& m : rules_.markets) (void)ex_.cancel_all(st.rules->account, m.symbol);
  }
  // Resting orders whose OrderExpiry has passed die as on the venue (an order already gone is skipped).
  auto& due = impl_->expiries;
  while (!due.empty() && due.begin()->first <= now_ms) {
    const OrderId id = due.begin()->second;
    due.erase(due.begin());
    const OrderMeta& meta = impl_->orders.at(id);
    const LighterMarketRules* m = market_by_id(meta.market_id);
    const auto a = account_of(meta.account_index);
    if (!m || !a || !ex_.query_order(*a, m->symbol, OrderRef{id, std::nullopt})) continue;
    impl_->expired.insert(id);
    (void)ex_.cancel(*a, m->symbol, OrderRef{id, std::nullopt});
  }
}

bool LighterApi::replaced_by_modify(OrderId id) const {
  return impl_->replaced.count(id) != 0;
}

bool LighterApi::expired_by_order_expiry(OrderId id) const {
  return impl_->expired.count(id) != 0;
}

std::optional<std::int64_t> LighterApi::verify_auth_token(std::string_view token) const {
  // deadline:account:api_key:signature
  std::array<std::string_view, 4> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t end = i < 3 ? token.find(':', start) : token.size();
    if (end == std::string_view::npos) return std::nullopt;
    parts[i] = token.substr(start, end - start);
    start = end + 1;
  }
  std::int64_t deadline = 0;
  std::int64_t account = 0;
  std::int64_t key_index = 0;
  auto num = [](std::string_view s, std::int64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  if (!num(parts[0], deadline) || !num(parts[1], account) || !num(parts[2], key_index)) return std::nullopt;
  if (parts[3].size() != 160 || key_index < 0 || key_index > 254) return std::nullopt;
  const std::int64_t now_s = wall_.now_us() / kUsPerSecond;
  if (deadline <= now_s || (deadline - now_s) * kUsPerSecond > rules_.max_auth_token_lifetime_us) {
    return std::nullopt;
  }
  auto acc = impl_->accounts.find(account);
  if (acc == impl_->accounts.end()) return std::nullopt;
  auto key = acc->second.keys.find(static_cast<std::uint8_t>(key_index));
  if (key == acc->second.keys.end()) return std::nullopt;
  bl::Signature sig{};
  std::size_t len = 0;
  if (sodium_hex2bin(sig.data(), sig.size(), parts[3].data(), parts[3].size(), nullptr, &len, nullptr) != 0 ||
      len != sig.size()) {
    return std::nullopt;
  }
  const std::string_view message = token.substr(0, parts[0].size() + parts[1].size() + parts[2].size() + 2);
  std::array<std::uint64_t, 8> el{};
  if (message.size() > 64) return std::nullopt;
  const std::size_t n = bl::auth_message_elements(message, el);
  const bl::Fp5 h = bl::hash_to_fp5(std::span<const std::uint64_t>(el.data(), n));
  if (!key->second.key->verify(h, sig)) return std::nullopt;
  return account;
}

}  // namespace bparb::sim::lighter
