#pragma once
// The Lighter order path: signs transactions with the key's nonces and sends them over the WebSocket
// session (jsonapi/sendtx, the low-latency path) or, while the socket is down, over REST sendTx
// (docs/lighter.md, "Nonces", "Sending").
//
// Nonces come from one NonceManager per API key: handed out optimistically, one nextNonce fetch after
// an invalid-nonce answer (made once nothing is in flight), and after any other error or a lost
// answer at most one transaction in flight until an answer settles the guess. A transaction refused
// for its nonce is re-signed with the fetched nonce and sent again (max_nonce_resends times): the venue
// did not take it, so this cannot duplicate it. With a pool of API keys of the account (add_key), each
// transaction takes the next key that may send now, round robin (NoncePool), and is signed with that key:
// one key waiting for its nonce or guarding an error does not hold the others.
//
// Answers: each jsonapi/sendtx carries our request id, which the venue echoes; a reply without one
// (an error frame) is matched to the oldest transaction written on the socket. A socket that drops with transactions in
// flight, or does not answer within ws_reply_timeout, leaves them "outcome unknown" (the order may or may not exist);
// the session is reconnected in the second case so that no late reply can be matched to a later transaction. Only the
// account stream (or an orders query) tells what became of a transaction.
//
// Hot path: fixed slots and signing in place, so the sender itself allocates nothing per transaction;
// the WebSocket transport copies each frame into its write queue, and the REST fallback builds its
// request (both allocate).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "bparb/core/clock.hpp"
#include "bparb/venue/lighter/nonce_manager.hpp"
#include "bparb/venue/lighter/orders.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "bparb/venue/lighter/ws_session.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::lighter {

enum class TxRoute : std::uint8_t { kNone, kWebSocket, kRest };
const char* to_string(TxRoute r) noexcept;

struct TxSenderOptions {
  DurationUs tx_expiry_us = 600 * kUsPerSecond - kUsPerSecond;  // ExpiredAt = now + this (signer default)
  DurationUs ws_reply_timeout_us = 5 * kUsPerSecond;
  // A transaction still waiting for a nonce after this long (nextNonce keeps failing) is answered as
  // refused with kRetry: it was never sent.
  DurationUs queue_timeout_us = 5 * kUsPerSecond;
  DurationUs timer_period_us = 100 * kUsPerMs;  // reply timeouts, fetch retries (steady time)
  std::uint32_t max_nonce_resends = 1;
};

// What became of one send() call.
struct TxAnswer {
  std::uint64_t tag = 0;  // the caller's tag
  TxType type = TxType::kCreateOrder;
  TxRoute route = TxRoute::kNone;  // of the last attempt
  std::int64_t nonce = -1;         // of the last attempt
  std::uint8_t api_key_index = 0;  // the key that signed the last attempt
  std::uint32_t attempts = 0;
  SubmitResult result;
};

// One transaction on its way to the venue (each attempt): written on the socket (jsonapi/sendtx), or handed
// to the REST client (sendTx fallback).
struct TxWritten {
  std::uint64_t tag = 0;  // the caller's tag
  TxType type = TxType::kCreateOrder;
  TxRoute route = TxRoute::kNone;
  TimestampUs at_us = 0;
};

enum class TxSendError : std::uint8_t {
  kFull,       // every slot is busy
  kInvalidTx,  // the transaction would not sign (field ranges, attributes)
};
const char* to_string(TxSendError e) noexcept;

struct TxSenderCounters {
  std::uint64_t sent_ws = 0;
  std::uint64_t sent_rest = 0;
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  std::uint64_t unknown = 0;
  std::uint64_t nonce_fetches = 0;
  std::uint64_t nonce_fetch_failures = 0;
  std::uint64_t nonce_resends = 0;  // transactions re-signed after an invalid-nonce answer
  std::uint64_t ws_reply_timeouts = 0;
  std::uint64_t queue_timeouts = 0;
  std::uint64_t unmatched_replies = 0;
};

class LighterTxSender {
 public:
  static constexpr std::size_t kMaxSlots = 64;

  // Installs LighterWs::handlers().on_tx_reply and wraps on_disconnected (set the session's other
  // handlers first). All references must outlive the sender.
  LighterTxSender(boost::asio::io_context& ioc, const Clock& clock, const Signer& signer, LighterRest& rest,
                  LighterWs& ws, TxSenderOptions opts = {});
  ~LighterTxSender();
  LighterTxSender(const LighterTxSender&) = delete;
  LighterTxSender& operator=(const LighterTxSender&) = delete;

  // Every answer, on the io_context thread, never inside send().
  void on_answer(std::function<void(const TxAnswer&)> f) { on_answer_ = std::move(f); }
  // Every attempt once its bytes are on their way (the order path's tick-to-order time): on the socket, told
  // right after the write was started (possibly inside send()); over REST, from a handler posted after the
  // request was handed to the HTTP client, which starts its write from the handler it has just posted.
  void on_written(std::function<void(const TxWritten&)> f) { on_written_ = std::move(f); }

  // Queues the transaction: it is signed and sent as soon as the key has a nonce for it (at once
  // when the nonces are known). nullopt = queued; the answer comes through on_answer.
  std::optional<TxSendError> send(const CreateOrderTx& tx, std::uint64_t tag);
  std::optional<TxSendError> send(const CancelOrderTx& tx, std::uint64_t tag);
  std::optional<TxSendError> send(const CancelAllOrdersTx& tx, std::uint64_t tag);
  std::optional<TxSendError> send(const ModifyOrderTx& tx, std::uint64_t tag);

  // Another API key of the same account, used round robin with the constructor's (its own nonces). Before the
  // first send; `signer` outlives the sender. False (nothing changed): another account, a slot already in the
  // pool, or the pool is full (NoncePool::kMaxKeys).
  bool add_key(const Signer& signer);
  std::size_t key_count() const noexcept { return key_count_; }

  // The constructor's key's nonces; nonce_pool() has every key's.
  const NonceManager& nonces() const noexcept { return *nonces_.key(signer_.config().api_key_index); }
  const NoncePool& nonce_pool() const noexcept { return nonces_; }
  const TxSenderCounters& counters() const noexcept { return counters_; }
  std::size_t busy_slots() const noexcept;

  // The periodic work (reply timeouts, a failed fetch retried, queued transactions), as the timer runs it.
  void on_timer();

 private:
  enum class SlotState : std::uint8_t { kFree, kQueued, kInFlightWs, kInFlightRest };
  struct Slot {
    SlotState state = SlotState::kFree;
    TxType type = TxType::kCreateOrder;
    CreateOrderTx create;
    CancelOrderTx cancel;
    CancelAllOrdersTx cancel_all;
    ModifyOrderTx modify;
    std::uint64_t tag = 0;
    std::uint64_t seq = 0;         // queue order
    std::int64_t request_id = -1;  // the jsonapi/sendtx "id" of the last attempt
    std::uint32_t generation = 0;  // bumped on every reuse: a late REST answer for an old use is ignored
    std::uint32_t attempts = 0;
    NoncePool::Grant grant;  // the key and its nonce
    TxRoute route = TxRoute::kNone;
    TimestampUs queued_us = 0;
    TimestampUs sent_us = 0;
    SignedTx signed_tx;
  };

  template <class Tx>
  std::optional<TxSendError> enqueue(const Tx& tx, TxType type, std::uint64_t tag);
  void pump();
  bool dispatch(std::size_t idx);
  std::optional<TxError> sign(Slot& s, std::int64_t nonce, std::int64_t expired_at) const;
  void start_fetch(std::uint8_t api_key_index);
  std::size_t key_position(std::uint8_t api_key_index) const noexcept;
  void on_ws_reply(const WsFrame& frame);
  std::size_t take_ws(std::size_t pos) noexcept;  // removes the pos-th oldest socket transaction
  void on_ws_disconnected();
  void on_rest_answer(std::size_t idx, std::uint32_t generation, RestResult<SendTxResult>& r);
  void complete(std::size_t idx, const SubmitResult& r);
  void arm_timer();

  const Clock& clock_;
  const Signer& signer_;  // the first key: transactions are checked against its account
  std::array<const Signer*, NoncePool::kMaxKeys> signers_{};
  std::size_t key_count_ = 1;
  LighterRest& rest_;
  LighterWs& ws_;
  TxSenderOptions opts_;
  NoncePool nonces_;
  std::array<Slot, kMaxSlots> slots_;
  std::array<std::uint8_t, kMaxSlots> ws_fifo_{};  // slot indexes in the order written on the socket, oldest first
  std::size_t ws_count_ = 0;
  std::uint64_t next_seq_ = 1;
  std::int64_t next_request_id_ = 1;
  std::array<bool, NoncePool::kMaxKeys> fetching_{};  // by key position
  bool pumping_ = false;
  std::function<void(const TxAnswer&)> on_answer_;
  std::function<void(const TxWritten&)> on_written_;
  TxSenderCounters counters_;
  struct Alive;
  std::shared_ptr<Alive> alive_;  // async callbacks check it: the sender may be gone when they run
};

}  // namespace bparb::lighter
