#pragma once
// bpsim's Lighter front-end, transport-free: the REST routes and the transaction path (sendTx,
// sendTxBatch, jsonapi/sendtx) over the venue-neutral sim::Exchange. LighterServer feeds it from Beast;
// tests call it directly. Answers, codes and the choices where the venue is silent are in docs/lighter.md
// ("The simulated Lighter").
//
// Every transaction is parsed by name (tx_info.hpp), its message hash rebuilt with the server's chain id,
// its signature verified strictly against the public key registered for (AccountIndex, ApiKeyIndex), its
// nonce checked against that key's stream and its ExpiredAt against the wall clock, before the order
// reaches the Exchange. A refused transaction consumes no nonce.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/lighter/tx_info.hpp"

namespace bparb::sim::lighter {

// One Lighter market over one Exchange market. The Exchange market's tick and step must be powers of
// ten: they are Lighter's 10^-price_decimals and 10^-size_decimals.
struct LighterMarketRules {
  std::int64_t market_id = 0;                           // perps 0..254, spot from 2048
  std::string symbol;                                   // the Exchange's market ("SOL_USDC_PERP")
  std::string lighter_symbol;                           // what Lighter calls it ("SOL")
  Decimal min_base_amount;                              // in units of the base asset
  Decimal min_quote_amount;                             // in USDC
  std::uint16_t default_initial_margin_fraction = 500;  // 1/10,000
  std::uint16_t min_initial_margin_fraction = 200;
  std::uint16_t maintenance_margin_fraction = 120;
  std::uint16_t closeout_margin_fraction = 80;
};

struct LighterApiKeyRules {
  std::uint8_t api_key_index = 0;
  std::string public_key_hex;  // 80 hex characters, as the venue's apikeys endpoint lists it
};

struct LighterAccountRules {
  std::int64_t account_index = 0;
  AccountId account = 0;  // the Exchange account that trades for it
  std::vector<LighterApiKeyRules> api_keys;
};

struct LighterRules {
  std::uint32_t chain_id = 304;
  std::vector<LighterMarketRules> markets;
  std::vector<LighterAccountRules> accounts;
  // Percent, as orderBookDetails reports them; applied to every Lighter account's Exchange fees.
  Decimal maker_fee_pct;
  Decimal taker_fee_pct;
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = ephemeral
  DurationUs max_auth_token_lifetime_us = 8 * kUsPerHour;
};

struct HttpRequest {
  std::string_view method;  // "GET" / "POST"
  std::string_view target;  // path + optional "?query"
  std::string_view body;
  std::string_view content_type;   // for POST forms: url-encoded or multipart/form-data
  std::string_view authorization;  // Authorization header (auth token), empty if absent
};

struct HttpResponse {
  int status = 200;
  std::string body;
};

// One transaction's answer: code 200 with the tx hash (80 hex), or a Lighter error code and message.
struct TxOutcome {
  int code = 200;
  std::string message;
  std::string tx_hash;
};

// What the front-end remembers about an order it placed (the Exchange knows nothing of Lighter ids).
struct OrderMeta {
  std::int64_t order_index = 0;  // >= 2^48
  std::int64_t client_order_index = 0;
  std::int64_t market_id = 0;
  std::int64_t account_index = 0;
  std::uint8_t type = 0;  // 0 limit, 1 market
  std::uint8_t time_in_force = 1;
  std::int64_t order_expiry_ms = 0;
  std::int64_t nonce = 0;
  // The base amount the transaction asked for when the fill-cap fault matched less of it (zero otherwise).
  Decimal asked_base;
};

// Registers itself as an Exchange listener (before any hub, so that the hub sees the ids of a new order).
class LighterApi final : public ExchangeListener {
 public:
  // Throws std::invalid_argument for rules that do not fit the Exchange (unknown market, tick or step
  // not a power of ten, bad public key, duplicate ids).
  LighterApi(Exchange& exchange, const Clock& wall_clock, LighterRules rules);
  ~LighterApi() override;
  LighterApi(const LighterApi&) = delete;
  LighterApi& operator=(const LighterApi&) = delete;

  HttpResponse handle(const HttpRequest& req);
  TxOutcome submit(std::int64_t tx_type, std::string_view tx_info);
  // Validates every transaction (and the consecutive nonces of each key) before executing any.
  std::vector<TxOutcome> submit_batch(const std::vector<std::int64_t>& tx_types,
                                      const std::vector<std::string>& tx_infos, TxOutcome& batch_error);
  // Fires a due scheduled cancel-all (the dead-man switch) and cancels resting orders whose
  // OrderExpiry has passed; the server calls it from a timer.
  void poll();
  // True for an order poll() cancelled because its OrderExpiry passed.
  bool expired_by_order_expiry(OrderId id) const;
  // True for an Exchange order a Modify took off the book to re-enter it under the same order index: its
  // cancel is no news of the venue's order (neither streamed nor listed as inactive).
  bool replaced_by_modify(OrderId id) const;

  // A fault of the venue for tests: the next `n` CreateOrder transactions are verified, their nonces consumed
  // and answered 200 with their hash, but never executed: no order, no trade, no stream update, and no query
  // finds them (the venue took the transaction and nothing came of it).
  void never_execute_next_orders(std::int64_t n) noexcept;
  std::int64_t orders_never_executed() const noexcept;  // how many were taken and dropped so
  // A fault of the venue for tests: the next `n` immediate-or-cancel CreateOrder transactions match at most
  // `ratio` of their base amount (rounded down to the step; a cap below the market's minimum or not below the
  // amount leaves the order alone and uncounted). The order is reported as asked, its remainder cancelled as
  // for want of liquidity (canceled-not-enough-liquidity), on the stream and in the inactive orders.
  void cap_next_fills(Decimal ratio, std::int64_t n) noexcept;
  std::int64_t fills_capped() const noexcept;
  // A fault of the venue for tests: another process on the same API key sends a transaction just before each of
  // the next `n` CreateOrder transactions, taking the key's next nonce, so ours is refused as an invalid nonce
  // (21104) and consumes none; nonces_taken() counts them. nonce_refusals() counts every 21104/21105 answer,
  // nonce_reads() every nextNonce answered, and guessed_after_refusal() the transactions a key sent after an
  // invalid-nonce answer without having read nextNonce since (a nonce guessed rather than resynced).
  void take_nonce_before_next_orders(std::int64_t n) noexcept;
  std::int64_t nonces_taken() const noexcept;
  std::int64_t nonce_refusals() const noexcept;
  std::int64_t nonce_reads() const noexcept;
  std::int64_t guessed_after_refusal() const noexcept;

  // "{deadline}:{account}:{api_key}:{sig hex}" -> the account index it authorises, if valid now.
  std::optional<std::int64_t> verify_auth_token(std::string_view token) const;

  // ---- lookups for the WebSocket hub
  const LighterRules& rules() const noexcept { return rules_; }
  Exchange& exchange() noexcept { return ex_; }
  const LighterMarketRules* market_by_id(std::int64_t id) const;
  const LighterMarketRules* market_by_symbol(std::string_view symbol) const;
  int price_decimals(const LighterMarketRules& m) const;
  int size_decimals(const LighterMarketRules& m) const;
  std::optional<std::int64_t> account_index_of(AccountId a) const;
  std::optional<AccountId> account_of(std::int64_t account_index) const;
  // The venue's order index of an Exchange order (2^48 + id unless a modify carried it over).
  std::int64_t order_index_of(OrderId id) const;
  std::string order_json(const SimOrder& o) const;
  std::string position_json(const LighterMarketRules& m, const PositionView* p) const;
  std::string account_json(std::int64_t account_index) const;
  std::int64_t next_nonce(std::int64_t account_index, std::uint8_t api_key_index) const;
  bool has_api_key(std::int64_t account_index, std::uint8_t api_key_index) const;
  // The Lighter ids of an order this front-end placed; false for any other order.
  bool meta_of(OrderId id, OrderMeta& out) const;
  // The pending scheduled cancel-all of an account (ms), 0 if none.
  std::int64_t scheduled_cancel_all_ms(std::int64_t account_index) const;

  // ExchangeListener: records the Lighter ids of an order this front-end just placed.
  void on_order(const OrderEvent& e) override;

  struct Impl;

 private:
  Exchange& ex_;
  const Clock& wall_;
  LighterRules rules_;
  // nextNonce answered for this key: it has resynced.
  void note_nonce_read(std::int64_t account_index, std::uint8_t api_key_index);

  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim::lighter
