// The Lighter order path (include/bparb/venue/lighter/tx_sender.hpp).
#include "bparb/venue/lighter/tx_sender.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <utility>

namespace bparb::lighter {

const char* to_string(TxRoute r) noexcept {
  switch (r) {
    case TxRoute::kNone:
      return "none";
    case TxRoute::kWebSocket:
      return "websocket";
    case TxRoute::kRest:
      return "rest";
  }
  return "unknown";
}

const char* to_string(TxSendError e) noexcept {
  switch (e) {
    case TxSendError::kFull:
      return "every transaction slot is busy";
    case TxSendError::kInvalidTx:
      return "the transaction does not sign (a field out of range)";
  }
  return "unknown";
}

struct LighterTxSender::Alive {
  explicit Alive(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
  LighterTxSender* owner = nullptr;  // null once the sender is gone
};

LighterTxSender::LighterTxSender(boost::asio::io_context& ioc, const Clock& clock, const Signer& signer,
                                 LighterRest& rest, LighterWs& ws, TxSenderOptions opts)
    : clock_(clock),
      signer_(signer),
      rest_(rest),
      ws_(ws),
      opts_(opts),
      nonces_(std::span<const std::uint8_t>(&signer.config().api_key_index, 1)),
      alive_(std::make_shared<Alive>(ioc)) {
  signers_[0] = &signer;
  alive_->owner = this;
  // Both check that the sender still exists: the session may outlive it.
  ws_.handlers().on_tx_reply = [a = alive_](const WsFrame& f) {
    if (a->owner) a->owner->on_ws_reply(f);
  };
  auto previous = std::move(ws_.handlers().on_disconnected);
  ws_.handlers().on_disconnected = [a = alive_, previous = std::move(previous)](const net::DisconnectInfo& info) {
    if (a->owner) a->owner->on_ws_disconnected();
    if (previous) previous(info);
  };
  arm_timer();
}

bool LighterTxSender::add_key(const Signer& signer) {
  const SignerConfig& c = signer.config();
  if (key_count_ == NoncePool::kMaxKeys || c.account_index != signer_.config().account_index ||
      c.chain_id != signer_.config().chain_id || key_position(c.api_key_index) < key_count_)
    return false;
  signers_[key_count_++] = &signer;
  std::array<std::uint8_t, NoncePool::kMaxKeys> indexes{};
  for (std::size_t i = 0; i < key_count_; ++i) indexes[i] = signers_[i]->config().api_key_index;
  nonces_ = NoncePool(std::span<const std::uint8_t>(indexes.data(), key_count_));
  return true;
}

std::size_t LighterTxSender::key_position(std::uint8_t api_key_index) const noexcept {
  std::size_t i = 0;
  while (i < key_count_ && signers_[i]->config().api_key_index != api_key_index) ++i;
  return i;
}

LighterTxSender::~LighterTxSender() {
  alive_->owner = nullptr;
  alive_->timer.cancel();
}

std::size_t LighterTxSender::busy_slots() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.state != SlotState::kFree; }));
}

// ---------------------------------------------------------------- queueing

namespace {
template <class Tx>
bool signable(const Signer& signer, const Tx& tx, std::int64_t expired_at) {
  TxEnvelope env;
  env.chain_id = signer.config().chain_id;
  env.account_index = signer.config().account_index;
  env.api_key_index = signer.config().api_key_index;
  env.nonce = 0;
  env.expired_at = expired_at;
  return !check(env, tx).has_value();
}
}  // namespace

template <class Tx>
std::optional<TxSendError> LighterTxSender::enqueue(const Tx& tx, TxType type, std::uint64_t tag) {
  if (!signable(signer_, tx, clock_.now_ms())) return TxSendError::kInvalidTx;
  std::size_t idx = kMaxSlots;
  for (std::size_t i = 0; i < kMaxSlots; ++i) {
    if (slots_[i].state == SlotState::kFree) {
      idx = i;
      break;
    }
  }
  if (idx == kMaxSlots) return TxSendError::kFull;
  Slot& s = slots_[idx];
  s.state = SlotState::kQueued;
  s.type = type;
  if constexpr (std::is_same_v<Tx, CreateOrderTx>) s.create = tx;
  if constexpr (std::is_same_v<Tx, CancelOrderTx>) s.cancel = tx;
  if constexpr (std::is_same_v<Tx, CancelAllOrdersTx>) s.cancel_all = tx;
  if constexpr (std::is_same_v<Tx, ModifyOrderTx>) s.modify = tx;
  s.tag = tag;
  s.seq = next_seq_++;
  ++s.generation;
  s.attempts = 0;
  s.grant = NoncePool::Grant{};
  s.route = TxRoute::kNone;
  s.queued_us = clock_.now_us();
  pump();
  return std::nullopt;
}

std::optional<TxSendError> LighterTxSender::send(const CreateOrderTx& tx, std::uint64_t tag) {
  return enqueue(tx, TxType::kCreateOrder, tag);
}
std::optional<TxSendError> LighterTxSender::send(const CancelOrderTx& tx, std::uint64_t tag) {
  return enqueue(tx, TxType::kCancelOrder, tag);
}
std::optional<TxSendError> LighterTxSender::send(const CancelAllOrdersTx& tx, std::uint64_t tag) {
  return enqueue(tx, TxType::kCancelAllOrders, tag);
}
std::optional<TxSendError> LighterTxSender::send(const ModifyOrderTx& tx, std::uint64_t tag) {
  return enqueue(tx, TxType::kModifyOrder, tag);
}

// Sends queued transactions oldest first while the nonce manager allows it.
void LighterTxSender::pump() {
  if (pumping_) return;
  pumping_ = true;
  for (;;) {
    std::size_t oldest = kMaxSlots;
    for (std::size_t i = 0; i < kMaxSlots; ++i) {
      if (slots_[i].state == SlotState::kQueued && (oldest == kMaxSlots || slots_[i].seq < slots_[oldest].seq)) {
        oldest = i;
      }
    }
    if (oldest == kMaxSlots || !dispatch(oldest)) break;
  }
  pumping_ = false;
}

std::optional<TxError> LighterTxSender::sign(Slot& s, std::int64_t nonce, std::int64_t expired_at) const {
  const std::size_t k = key_position(s.grant.api_key_index);
  if (k == key_count_) return TxError::kBadField;  // unreachable: the pool hands out only its own keys
  const Signer& signer = *signers_[k];
  switch (s.type) {
    case TxType::kCreateOrder:
      return signer.sign_create_order(s.create, nonce, expired_at, s.signed_tx);
    case TxType::kCancelOrder:
      return signer.sign_cancel_order(s.cancel, nonce, expired_at, s.signed_tx);
    case TxType::kCancelAllOrders:
      return signer.sign_cancel_all_orders(s.cancel_all, nonce, expired_at, s.signed_tx);
    case TxType::kModifyOrder:
      return signer.sign_modify_order(s.modify, nonce, expired_at, s.signed_tx);
  }
  return TxError::kBadField;
}

bool LighterTxSender::dispatch(std::size_t idx) {
  Slot& s = slots_[idx];
  NoncePool::Grant g = nonces_.acquire();
  // A key whose nonce must be fetched is asked now (it waits for the answer); another key may send meanwhile.
  for (std::size_t i = 0; i < key_count_ && g.nonce.status == NonceStatus::kFetch; ++i) {
    start_fetch(g.api_key_index);
    g = nonces_.acquire();
  }
  if (g.nonce.status != NonceStatus::kReady) return false;
  s.grant = g;
  ++s.attempts;
  const std::int64_t expired_at = (clock_.now_us() + opts_.tx_expiry_us) / kUsPerMs;
  if (sign(s, g.nonce.nonce, expired_at).has_value()) {
    // Checked at send(): only reachable if the clock ran backwards past zero. The nonce was never used.
    nonces_.on_outcome(g, TxOutcome::kRejected);
    SubmitResult r;
    r.state = SubmitState::kRefused;
    r.action = ErrorAction::kReject;
    r.nonce_outcome = TxOutcome::kRejected;
    s.state = SlotState::kInFlightRest;  // complete() frees it
    s.grant = NoncePool::Grant{};
    complete(idx, r);
    return true;
  }
  s.sent_us = clock_.now_us();
  s.request_id = next_request_id_++;
  if (ws_.connected() && ws_.send_tx(s.signed_tx, s.request_id)) {
    s.state = SlotState::kInFlightWs;
    s.route = TxRoute::kWebSocket;
    ws_fifo_[ws_count_] = static_cast<std::uint8_t>(idx);
    ++ws_count_;
    ++counters_.sent_ws;
    if (on_written_) on_written_(TxWritten{s.tag, s.type, TxRoute::kWebSocket, clock_.now_us()});
    return true;
  }
  s.state = SlotState::kInFlightRest;
  s.route = TxRoute::kRest;
  ++counters_.sent_rest;
  rest_.send_tx(s.signed_tx.tx_type, s.signed_tx.tx_info(),
                [a = alive_, idx, gen = s.generation](RestResult<SendTxResult>& r) {
                  if (a->owner) a->owner->on_rest_answer(idx, gen, r);
                });
  if (on_written_)
    boost::asio::post(alive_->timer.get_executor(), [a = alive_, tag = s.tag, type = s.type] {
      if (a->owner && a->owner->on_written_)
        a->owner->on_written_(TxWritten{tag, type, TxRoute::kRest, a->owner->clock_.now_us()});
    });
  return true;
}

void LighterTxSender::start_fetch(std::uint8_t api_key_index) {
  const std::size_t k = key_position(api_key_index);
  if (k == key_count_ || fetching_[k]) return;
  fetching_[k] = true;
  ++counters_.nonce_fetches;
  rest_.next_nonce(signer_.config().account_index, api_key_index,
                   [a = alive_, k, api_key_index](RestResult<std::int64_t>& r) {
                     LighterTxSender* self = a->owner;
                     if (!self) return;
                     self->fetching_[k] = false;
                     if (r.has_value()) {
                       self->nonces_.on_fetched(api_key_index, *r);
                     } else {
                       ++self->counters_.nonce_fetch_failures;
                       self->nonces_.on_fetch_failed(api_key_index);  // the timer's pump asks again
                       return;
                     }
                     self->pump();
                   });
}

// ---------------------------------------------------------------- answers

std::size_t LighterTxSender::take_ws(std::size_t pos) noexcept {
  const std::size_t idx = ws_fifo_[pos];
  for (std::size_t j = pos; j + 1 < ws_count_; ++j) ws_fifo_[j] = ws_fifo_[j + 1];
  --ws_count_;
  return idx;
}

void LighterTxSender::on_ws_reply(const WsFrame& frame) {
  std::size_t pos = 0;
  if (frame.request_id >= 0) {
    while (pos < ws_count_ && slots_[ws_fifo_[pos]].request_id != frame.request_id) ++pos;
  }
  if (pos >= ws_count_) {  // nothing in flight, or an id that is not (or no longer) ours
    ++counters_.unmatched_replies;
    return;
  }
  const std::size_t idx = take_ws(pos);
  complete(idx, submit_result(frame));
}

void LighterTxSender::on_ws_disconnected() {
  // Written, never answered: they may or may not have reached the venue.
  while (ws_count_ > 0) complete(take_ws(0), SubmitResult{});
}

void LighterTxSender::on_rest_answer(std::size_t idx, std::uint32_t generation, RestResult<SendTxResult>& r) {
  Slot& s = slots_[idx];
  if (s.state != SlotState::kInFlightRest || s.generation != generation) return;
  if (r.has_value()) {
    complete(idx, submit_result(ParseError{}, *r));
    return;
  }
  const RestError& e = r.error();
  if (e.kind == RestErrorKind::kApi) {
    ParseError pe;
    pe.code = ParseErrc::kApiError;
    pe.api_code = e.code;
    complete(idx, submit_result(pe, SendTxResult{}));
    return;
  }
  if (e.kind == RestErrorKind::kTransport && !e.maybe_sent) {
    // Nothing left this process: the nonce is certainly unused, the order certainly does not exist.
    SubmitResult refused;
    refused.state = SubmitState::kRefused;
    refused.action = ErrorAction::kRetry;
    refused.nonce_outcome = TxOutcome::kRejected;
    complete(idx, refused);
    return;
  }
  complete(idx, SubmitResult{});  // timeout, dropped connection, 5xx, unreadable: outcome unknown
}

void LighterTxSender::complete(std::size_t idx, const SubmitResult& r) {
  Slot& s = slots_[idx];
  if (s.grant.nonce.status == NonceStatus::kReady) nonces_.on_outcome(s.grant, r.nonce_outcome);
  if (r.nonce_outcome == TxOutcome::kInvalidNonce && s.attempts <= opts_.max_nonce_resends) {
    // Refused for its nonce, so not taken: back to the queue, re-signed once the nonce is fetched.
    ++counters_.nonce_resends;
    s.state = SlotState::kQueued;
    s.grant = NoncePool::Grant{};
    pump();
    return;
  }
  TxAnswer a;
  a.tag = s.tag;
  a.type = s.type;
  a.route = s.route;
  a.nonce = s.grant.nonce.nonce;
  a.api_key_index = s.grant.api_key_index;
  a.attempts = s.attempts;
  a.result = r;
  switch (r.state) {
    case SubmitState::kSubmitted:
      ++counters_.accepted;
      break;
    case SubmitState::kRefused:
      ++counters_.refused;
      break;
    case SubmitState::kUnknown:
      ++counters_.unknown;
      break;
  }
  s.state = SlotState::kFree;
  s.grant = NoncePool::Grant{};
  if (on_answer_) on_answer_(a);
  pump();
}

// ---------------------------------------------------------------- timer

void LighterTxSender::arm_timer() {
  alive_->timer.expires_after(std::chrono::microseconds(std::max<DurationUs>(opts_.timer_period_us, kUsPerMs)));
  alive_->timer.async_wait([a = alive_](boost::system::error_code ec) {
    if (ec || a->owner == nullptr) return;
    a->owner->on_timer();
    a->owner->arm_timer();
  });
}

void LighterTxSender::on_timer() {
  if (ws_count_ > 0) {
    const Slot& oldest = slots_[ws_fifo_[0]];
    if (clock_.now_us() - oldest.sent_us >= opts_.ws_reply_timeout_us) {
      // A socket that stopped answering: replace it, so that no late reply meets a later transaction.
      // The disconnect settles every transaction written on it as unknown.
      ++counters_.ws_reply_timeouts;
      ws_.reconnect();
      on_ws_disconnected();  // in case the socket was already closed (no disconnect callback)
    }
  }
  pump();
  const TimestampUs now = clock_.now_us();
  for (std::size_t i = 0; i < kMaxSlots; ++i) {
    Slot& s = slots_[i];
    if (s.state != SlotState::kQueued || now - s.queued_us < opts_.queue_timeout_us) continue;
    ++counters_.queue_timeouts;
    SubmitResult never_sent;
    never_sent.state = SubmitState::kRefused;
    never_sent.action = ErrorAction::kRetry;
    never_sent.nonce_outcome = TxOutcome::kRejected;  // not reported: a queued slot holds no nonce
    complete(i, never_sent);
  }
}

}  // namespace bparb::lighter
