#pragma once
// The simulated Lighter's reading of a signed transaction: tx_type + tx_info JSON (as sendTx, sendTxBatch
// and jsonapi/sendtx carry it) -> the typed transaction, its envelope and its 80-byte signature. Fields are
// read by name (any order); every hashed field is required, with the width the signer hashes it at
// (docs/lighter-signing.md, "tx_info"); unknown keys are ignored, a repeated key is refused (two values
// for one signed field would make the signature ambiguous). Verifying the signature is the caller's job:
// it rebuilds the message hash from these fields with its own chain id.
#include <cstdint>
#include <memory>
#include <string_view>
#include <variant>

#include "bparb/core/expected.hpp"
#include "bparb/venue/lighter/schnorr.hpp"
#include "bparb/venue/lighter/tx.hpp"

namespace bparb::sim::lighter {

enum class TxInfoError : std::uint8_t {
  kUnsupportedType,  // tx_type other than 14, 15, 16, 17
  kInvalidJson,      // not a JSON object
  kMissingField,     // a hashed field, Nonce, ExpiredAt or Sig absent (or null)
  kDuplicateField,
  kBadField,       // not an integer, or outside the field's width
  kBadSignature,   // Sig not standard base64 of exactly 80 bytes
  kBadAttributes,  // L2TxAttributes not null/object, unknown type, or against the signer's rules
};
const char* to_string(TxInfoError e) noexcept;

using AnyTx = std::variant<bparb::lighter::CreateOrderTx, bparb::lighter::CancelOrderTx,
                           bparb::lighter::CancelAllOrdersTx, bparb::lighter::ModifyOrderTx>;

struct ParsedTx {
  bparb::lighter::TxType type = bparb::lighter::TxType::kCreateOrder;
  bparb::lighter::TxEnvelope envelope;  // chain_id left at its default: the verifier sets its own
  AnyTx tx;
  bparb::lighter::Signature signature{};
};

// The message hash of `tx` under `chain_id` (the tx hash the venue answers with).
bparb::lighter::Fp5 tx_message_hash(const ParsedTx& tx, std::uint32_t chain_id);

// One per connection or server, reused; not thread-safe.
class TxInfoParser {
 public:
  TxInfoParser();
  ~TxInfoParser();
  TxInfoParser(const TxInfoParser&) = delete;
  TxInfoParser& operator=(const TxInfoParser&) = delete;

  Expected<ParsedTx, TxInfoError> parse(std::int64_t tx_type, std::string_view tx_info);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim::lighter
