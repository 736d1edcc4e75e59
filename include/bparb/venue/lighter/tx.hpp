#pragma once
// Lighter L2 transactions bparb signs: CreateOrder (14), CancelOrder (15), CancelAllOrders (16) and
// ModifyOrder (17). Their message hash (the venue's tx hash) and their exact tx_info JSON
// (docs/lighter-signing.md, "Message hashes" and "tx_info"). Integers only: amounts and prices are the
// venue's integer units.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "bparb/venue/lighter/fp5.hpp"

namespace bparb::lighter {

enum class TxType : std::uint8_t { kCreateOrder = 14, kCancelOrder = 15, kCancelAllOrders = 16, kModifyOrder = 17 };

inline constexpr std::uint32_t kChainIdMainnet = 304;
inline constexpr std::uint32_t kChainIdTestnet = 300;

// The optional L2 transaction attributes of the newest signer generation. Each field at its "nil"
// value is absent; all absent (the default) leaves the message hash equal to the base hash.
struct TxAttributes {
  std::int64_t integrator_account_index = 0;   // type 1
  std::uint32_t integrator_taker_fee = 0;      // type 2, units of 1e-6
  std::uint32_t integrator_maker_fee = 0;      // type 3
  std::uint8_t skip_nonce = 0;                 // type 4, 0 or 1
  std::int16_t cancel_all_market_index = 255;  // type 5, 255 = all markets
  std::uint8_t self_trade_behavior = 0;        // type 6
  std::uint8_t self_trade_equality = 0;        // type 7
};

// Who signs, for which chain, with which nonce and expiry: common to every transaction.
struct TxEnvelope {
  std::uint32_t chain_id = kChainIdMainnet;
  std::int64_t account_index = 0;
  std::uint8_t api_key_index = 0;
  std::int64_t nonce = 0;
  std::int64_t expired_at = 0;  // ms since epoch
};

struct CreateOrderTx {
  std::int16_t market_index = 0;
  std::int64_t client_order_index = 0;
  std::int64_t base_amount = 0;
  std::uint32_t price = 0;
  std::uint8_t is_ask = 0;
  std::uint8_t type = 0;           // 0 limit, 1 market, ...
  std::uint8_t time_in_force = 0;  // 0 IOC, 1 GTT, 2 post-only
  std::uint8_t reduce_only = 0;
  std::uint32_t trigger_price = 0;
  std::int64_t order_expiry = 0;  // ms since epoch, 0 = none
  TxAttributes attributes;
};

struct CancelOrderTx {
  std::int16_t market_index = 0;
  std::int64_t index = 0;  // client order index or venue order index
  TxAttributes attributes;
};

struct CancelAllOrdersTx {
  std::uint8_t time_in_force = 0;  // 0 immediate, 1 scheduled, 2 abort scheduled
  std::int64_t time = 0;           // trigger time (ms) for a scheduled cancel-all, else 0
  TxAttributes attributes;
};

struct ModifyOrderTx {
  std::int16_t market_index = 0;
  std::int64_t index = 0;
  std::int64_t base_amount = 0;
  std::uint32_t price = 0;
  std::uint32_t trigger_price = 0;
  TxAttributes attributes;
};

enum class TxError {
  kBadEnvelope,    // negative nonce/expiry, api key index above 254
  kBadField,       // a negative market index, amount, index or time
  kBadAttributes,  // violates the attribute rules (see validate_attributes)
  kBufferTooSmall,
};
const char* tx_error_message(TxError e);

// The attribute rules the official signer enforces: skip_nonce is 0 or 1, fees need an integrator
// account, no self-trade fields together with non-zero fees, behavior 3 not with equality 1, and at
// most four attributes set.
bool validate_attributes(const TxAttributes& a);

// Range checks before signing; nullopt when the transaction may be signed.
std::optional<TxError> check(const TxEnvelope& env, const CreateOrderTx& tx);
std::optional<TxError> check(const TxEnvelope& env, const CancelOrderTx& tx);
std::optional<TxError> check(const TxEnvelope& env, const CancelAllOrdersTx& tx);
std::optional<TxError> check(const TxEnvelope& env, const ModifyOrderTx& tx);

// The hashed element lists (16, 8, 8 and 11 words); each function returns the count written.
std::size_t tx_elements(const TxEnvelope& env, const CreateOrderTx& tx, std::span<std::uint64_t, 16> out);
std::size_t tx_elements(const TxEnvelope& env, const CancelOrderTx& tx, std::span<std::uint64_t, 16> out);
std::size_t tx_elements(const TxEnvelope& env, const CancelAllOrdersTx& tx, std::span<std::uint64_t, 16> out);
std::size_t tx_elements(const TxEnvelope& env, const ModifyOrderTx& tx, std::span<std::uint64_t, 16> out);

// (type, value) pairs of the set attributes, ascending, padded with (0, 0) to 8 words; returns the
// number of set attributes (0: no attribute hash).
std::size_t attribute_elements(const TxAttributes& a, std::span<std::uint64_t, 8> out);

// base = H5(elements); with attributes: H5(base || H5(attribute elements)).
Fp5 message_hash(std::span<const std::uint64_t> elements, const TxAttributes& a);

Fp5 message_hash(const TxEnvelope& env, const CreateOrderTx& tx);
Fp5 message_hash(const TxEnvelope& env, const CancelOrderTx& tx);
Fp5 message_hash(const TxEnvelope& env, const CancelAllOrdersTx& tx);
Fp5 message_hash(const TxEnvelope& env, const ModifyOrderTx& tx);

// Current: ends with "L2TxAttributes" (null or an object), as the newest official signer writes it.
// Legacy: without that key, as signers before the attributes existed wrote it.
enum class TxInfoLayout { kCurrent, kLegacy };

// Writes the exact tx_info JSON into out; returns its length, or 0 if out is too small (512 bytes
// always suffice).
inline constexpr std::size_t kMaxTxInfoSize = 512;
std::size_t write_tx_info(const TxEnvelope& env, const CreateOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out);
std::size_t write_tx_info(const TxEnvelope& env, const CancelOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out);
std::size_t write_tx_info(const TxEnvelope& env, const CancelAllOrdersTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out);
std::size_t write_tx_info(const TxEnvelope& env, const ModifyOrderTx& tx, std::span<const std::uint8_t, 80> sig,
                          TxInfoLayout layout, std::span<char> out);

// The auth-token message "{deadline}:{account}:{api_key}" packed into little-endian 8-byte words
// (zero-padded); returns the word count.
std::size_t auth_message_elements(std::string_view message, std::span<std::uint64_t, 8> out);

}  // namespace bparb::lighter
