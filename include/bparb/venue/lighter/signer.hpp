#pragma once
// bparb's Lighter signer: one API key (account, key slot, chain) signing L2 transactions and auth
// tokens without sending anything (docs/lighter-signing.md). Signing allocates nothing once warm: the
// tx_info lands in the SignedTx the caller owns. Errors are return values; no message ever contains
// key material.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "bparb/core/expected.hpp"
#include "bparb/venue/lighter/keys.hpp"
#include "bparb/venue/lighter/schnorr.hpp"
#include "bparb/venue/lighter/tx.hpp"

namespace bparb::lighter {

struct SignerConfig {
  std::uint32_t chain_id = kChainIdMainnet;
  std::int64_t account_index = 0;
  std::uint8_t api_key_index = 0;
  TxInfoLayout layout = TxInfoLayout::kCurrent;
};

// One signed transaction, ready for sendTx (tx_type, tx_info); message_hash is the tx hash the venue
// reports. Reuse one instance per sending slot: signing overwrites it.
struct SignedTx {
  TxType tx_type = TxType::kCreateOrder;
  Fp5 message_hash;
  Signature signature{};
  std::array<char, kMaxTxInfoSize> tx_info_buf{};
  std::size_t tx_info_len = 0;

  std::string_view tx_info() const { return {tx_info_buf.data(), tx_info_len}; }
  // 80 lowercase hex characters of the 40-byte little-endian message hash.
  void message_hash_hex(std::span<char, 80> out) const;
};

// "{deadline}:{account}:{api_key}:{160 hex signature}".
struct AuthToken {
  std::array<char, 224> buf{};
  std::size_t len = 0;
  Fp5 message_hash;
  std::string_view str() const { return {buf.data(), len}; }
};

class Signer {
 public:
  static Expected<Signer, KeyError> create(std::string_view private_key_hex, const SignerConfig& config);
  Signer(PrivateKey key, const SignerConfig& config);

  const SignerConfig& config() const { return config_; }
  // Another account / key slot / chain for the same key (the key and its public key are kept).
  void set_config(const SignerConfig& config) { config_ = config; }
  const PublicKeyBytes& public_key() const { return public_key_; }
  // 80 lowercase hex characters.
  void public_key_hex(std::span<char, 80> out) const;

  std::optional<TxError> sign_create_order(const CreateOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                           SignedTx& out) const;
  std::optional<TxError> sign_cancel_order(const CancelOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                           SignedTx& out) const;
  std::optional<TxError> sign_cancel_all_orders(const CancelAllOrdersTx& tx, std::int64_t nonce,
                                                std::int64_t expired_at, SignedTx& out) const;
  std::optional<TxError> sign_modify_order(const ModifyOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                           SignedTx& out) const;
  // deadline in Unix seconds.
  std::optional<TxError> auth_token(std::int64_t deadline, AuthToken& out) const;

  // The same with a caller-chosen Schnorr nonce: for known-answer tests ONLY (a repeated nonce
  // reveals the key).
  std::optional<TxError> sign_create_order_with_fixed_nonce_for_tests(const CreateOrderTx& tx, std::int64_t nonce,
                                                                      std::int64_t expired_at, const Scalar& k,
                                                                      SignedTx& out) const;
  std::optional<TxError> auth_token_with_fixed_nonce_for_tests(std::int64_t deadline, const Scalar& k,
                                                               AuthToken& out) const;

 private:
  template <class Tx>
  std::optional<TxError> sign(const Tx& tx, TxType type, std::int64_t nonce, std::int64_t expired_at,
                              const Scalar* fixed_k, SignedTx& out) const;
  std::optional<TxError> make_auth_token(std::int64_t deadline, const Scalar* fixed_k, AuthToken& out) const;
  TxEnvelope envelope(std::int64_t nonce, std::int64_t expired_at) const;

  PrivateKey key_;
  SignerConfig config_;
  PublicKeyBytes public_key_{};
};

}  // namespace bparb::lighter
