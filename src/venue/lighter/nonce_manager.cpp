// Nonce bookkeeping per API key and the auth-token renewal schedule (docs/lighter.md, "Nonces",
// "Auth tokens").
#include "bparb/venue/lighter/nonce_manager.hpp"

#include <algorithm>

namespace bparb::lighter {

NonceGrant NonceManager::acquire() noexcept {
  switch (mode_) {
    case Mode::kUnknown:
      // Fetch only once nothing of ours is in flight: an answer still to come could consume a nonce
      // after the venue told us the next one.
      if (in_flight_ > 0) return NonceGrant{NonceStatus::kWait, -1, epoch_};
      mode_ = Mode::kFetching;
      ++fetches_;
      return NonceGrant{NonceStatus::kFetch, -1, epoch_};
    case Mode::kFetching:
      return NonceGrant{NonceStatus::kWait, -1, epoch_};
    case Mode::kGuarded:
      if (in_flight_ > 0) return NonceGrant{NonceStatus::kWait, -1, epoch_};
      break;
    case Mode::kOptimistic:
      break;
  }
  ++in_flight_;
  return NonceGrant{NonceStatus::kReady, next_++, epoch_};
}

void NonceManager::on_fetched(std::int64_t next_nonce) noexcept {
  if (mode_ != Mode::kFetching) return;  // not asked for: ignore
  next_ = next_nonce;
  ++epoch_;
  in_flight_ = 0;
  mode_ = Mode::kOptimistic;
}

void NonceManager::on_fetch_failed() noexcept {
  if (mode_ == Mode::kFetching) mode_ = Mode::kUnknown;
}

void NonceManager::on_outcome(const NonceGrant& grant, TxOutcome outcome) noexcept {
  if (grant.status != NonceStatus::kReady || grant.epoch != epoch_) return;  // stale: settled by a fetch
  if (in_flight_ > 0) --in_flight_;
  switch (outcome) {
    case TxOutcome::kAccepted:
      if (mode_ == Mode::kGuarded) {
        // A later nonce accepted proves every earlier one consumed.
        next_ = std::max(next_, grant.nonce + 1);
        mode_ = Mode::kOptimistic;
      }
      break;
    case TxOutcome::kInvalidNonce:
      // One resync: later invalid-nonce answers of the same epoch find the mode already unknown.
      if (mode_ == Mode::kOptimistic || mode_ == Mode::kGuarded) mode_ = Mode::kUnknown;
      break;
    case TxOutcome::kRejected:
      if (mode_ == Mode::kOptimistic || mode_ == Mode::kGuarded) {
        // Guess: a refused transaction did not consume its nonce, so reuse it if it was the last one
        // handed out. Guarded: one transaction at a time until an answer confirms or refutes the guess.
        if (grant.nonce + 1 == next_) next_ = grant.nonce;
        mode_ = Mode::kGuarded;
      }
      break;
    case TxOutcome::kNoAnswer:
      // Not even a guess is possible: ask the venue once the rest has settled.
      if (mode_ == Mode::kOptimistic || mode_ == Mode::kGuarded) mode_ = Mode::kUnknown;
      break;
  }
}

NoncePool::NoncePool(std::span<const std::uint8_t> api_key_indexes) noexcept {
  for (std::uint8_t k : api_key_indexes) {
    if (n_ == kMaxKeys) break;
    indexes_[n_++] = k;
  }
}

NoncePool::Grant NoncePool::acquire() noexcept {
  for (std::size_t i = 0; i < n_; ++i) {
    const std::size_t k = (next_ + i) % n_;
    const NonceGrant g = keys_[k].acquire();
    if (g.status == NonceStatus::kReady) {
      next_ = (k + 1) % n_;
      return Grant{indexes_[k], g};
    }
    if (g.status == NonceStatus::kFetch) return Grant{indexes_[k], g};
  }
  return Grant{};
}

NonceManager* NoncePool::find(std::uint8_t api_key_index) noexcept {
  for (std::size_t i = 0; i < n_; ++i)
    if (indexes_[i] == api_key_index) return &keys_[i];
  return nullptr;
}

const NonceManager* NoncePool::key(std::uint8_t api_key_index) const noexcept {
  for (std::size_t i = 0; i < n_; ++i)
    if (indexes_[i] == api_key_index) return &keys_[i];
  return nullptr;
}

void NoncePool::on_fetched(std::uint8_t api_key_index, std::int64_t next_nonce) noexcept {
  if (NonceManager* m = find(api_key_index)) m->on_fetched(next_nonce);
}

void NoncePool::on_fetch_failed(std::uint8_t api_key_index) noexcept {
  if (NonceManager* m = find(api_key_index)) m->on_fetch_failed();
}

void NoncePool::on_outcome(const Grant& grant, TxOutcome outcome) noexcept {
  if (NonceManager* m = find(grant.api_key_index)) m->on_outcome(grant.nonce, outcome);
}

AuthTokenSchedule::AuthTokenSchedule(std::int64_t lifetime_s, std::int64_t refresh_before_s) noexcept
    : lifetime_s_(std::clamp<std::int64_t>(lifetime_s, 60, kMaxLifetimeS)),
      refresh_before_s_(std::clamp<std::int64_t>(refresh_before_s, 1, lifetime_s_ / 2)) {}

std::int64_t AuthTokenSchedule::deadline_for(TimestampUs now_us) const noexcept {
  return now_us / kUsPerSecond + lifetime_s_;
}

bool AuthTokenSchedule::needs_refresh(TimestampUs now_us) const noexcept {
  return deadline_s_ == 0 || now_us >= refresh_at_us();
}

TimestampUs AuthTokenSchedule::refresh_at_us() const noexcept {
  return deadline_s_ == 0 ? 0 : (deadline_s_ - refresh_before_s_) * kUsPerSecond;
}

}  // namespace bparb::lighter
