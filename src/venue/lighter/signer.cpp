// The Signer facade (docs/lighter-signing.md).
#include "bparb/venue/lighter/signer.hpp"

#include <charconv>
#include <cstring>

#include "bparb/venue/lighter/poseidon2.hpp"

namespace bparb::lighter {

void SignedTx::message_hash_hex(std::span<char, 80> out) const {
  std::array<std::uint8_t, 40> bytes{};
  encode(message_hash, bytes);
  to_hex(bytes, out);
}

Expected<Signer, KeyError> Signer::create(std::string_view private_key_hex, const SignerConfig& config) {
  auto key = PrivateKey::from_hex(private_key_hex);
  if (!key) return unexpected(key.error());
  return Signer(std::move(*key), config);
}

Signer::Signer(PrivateKey key, const SignerConfig& config)
    : key_(std::move(key)), config_(config), public_key_(key_.public_key()) {}

void Signer::public_key_hex(std::span<char, 80> out) const {
  to_hex(public_key_, out);
}

TxEnvelope Signer::envelope(std::int64_t nonce, std::int64_t expired_at) const {
  return TxEnvelope{config_.chain_id, config_.account_index, config_.api_key_index, nonce, expired_at};
}

template <class Tx>
std::optional<TxError> Signer::sign(const Tx& tx, TxType type, std::int64_t nonce, std::int64_t expired_at,
                                    const Scalar* fixed_k, SignedTx& out) const {
  const TxEnvelope env = envelope(nonce, expired_at);
  if (auto err = check(env, tx)) return err;
  out.tx_type = type;
  out.message_hash = message_hash(env, tx);
  out.signature = fixed_k != nullptr
                      ? schnorr_sign_with_fixed_nonce_for_tests(key_.scalar(), out.message_hash, *fixed_k)
                      : schnorr_sign(key_.scalar(), out.message_hash);
  out.tx_info_len = write_tx_info(env, tx, out.signature, config_.layout, out.tx_info_buf);
  if (out.tx_info_len == 0) return TxError::kBufferTooSmall;
  return std::nullopt;
}

std::optional<TxError> Signer::sign_create_order(const CreateOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                                 SignedTx& out) const {
  return sign(tx, TxType::kCreateOrder, nonce, expired_at, nullptr, out);
}

std::optional<TxError> Signer::sign_create_order_with_fixed_nonce_for_tests(const CreateOrderTx& tx, std::int64_t nonce,
                                                                            std::int64_t expired_at, const Scalar& k,
                                                                            SignedTx& out) const {
  return sign(tx, TxType::kCreateOrder, nonce, expired_at, &k, out);
}

std::optional<TxError> Signer::sign_cancel_order(const CancelOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                                 SignedTx& out) const {
  return sign(tx, TxType::kCancelOrder, nonce, expired_at, nullptr, out);
}

std::optional<TxError> Signer::sign_cancel_all_orders(const CancelAllOrdersTx& tx, std::int64_t nonce,
                                                      std::int64_t expired_at, SignedTx& out) const {
  return sign(tx, TxType::kCancelAllOrders, nonce, expired_at, nullptr, out);
}

std::optional<TxError> Signer::sign_modify_order(const ModifyOrderTx& tx, std::int64_t nonce, std::int64_t expired_at,
                                                 SignedTx& out) const {
  return sign(tx, TxType::kModifyOrder, nonce, expired_at, nullptr, out);
}

std::optional<TxError> Signer::auth_token(std::int64_t deadline, AuthToken& out) const {
  return make_auth_token(deadline, nullptr, out);
}

std::optional<TxError> Signer::auth_token_with_fixed_nonce_for_tests(std::int64_t deadline, const Scalar& k,
                                                                     AuthToken& out) const {
  return make_auth_token(deadline, &k, out);
}

std::optional<TxError> Signer::make_auth_token(std::int64_t deadline, const Scalar* fixed_k, AuthToken& out) const {
  if (deadline < 0 || config_.api_key_index > 254) return TxError::kBadEnvelope;
  // "{deadline}:{account}:{api_key}"
  char* p = out.buf.data();
  char* const end = out.buf.data() + out.buf.size();
  p = std::to_chars(p, end, deadline).ptr;
  *p++ = ':';
  p = std::to_chars(p, end, config_.account_index).ptr;
  *p++ = ':';
  p = std::to_chars(p, end, static_cast<unsigned>(config_.api_key_index)).ptr;
  const std::string_view message(out.buf.data(), static_cast<std::size_t>(p - out.buf.data()));
  std::uint64_t el[8];
  const std::size_t n = auth_message_elements(message, el);
  out.message_hash = hash_to_fp5(std::span<const std::uint64_t>(el, n));
  const Signature sig = fixed_k != nullptr
                            ? schnorr_sign_with_fixed_nonce_for_tests(key_.scalar(), out.message_hash, *fixed_k)
                            : schnorr_sign(key_.scalar(), out.message_hash);
  *p++ = ':';
  to_hex(sig, std::span<char>(p, 160));
  p += 160;
  out.len = static_cast<std::size_t>(p - out.buf.data());
  return std::nullopt;
}

}  // namespace bparb::lighter
