#pragma once
// Transaction nonces per API key, and when to renew an auth token (docs/lighter.md, "Nonces" and "Auth
// tokens"). Pure: the caller performs the nextNonce request and reports answers; nothing here reads a
// clock or does I/O.
//
// One key (NonceManager):
//   unknown --acquire: "fetch"--> fetching --on_fetched(n)--> optimistic (n, n+1, ... handed out at once)
//   optimistic --invalid nonce--> unknown (one fetch, once nothing is in flight)
//   optimistic --other error / unknown outcome--> guarded: the failed nonce may or may not have been
//     consumed, so at most ONE transaction is in flight until an answer settles it
//   guarded --accepted--> optimistic;  guarded --invalid nonce--> unknown
// Answers for nonces handed out before the latest fetch are stale: they only release their in-flight
// slot and never trigger a second resync.
#include <cstddef>
#include <cstdint>
#include <span>

#include "bparb/core/clock.hpp"

namespace bparb::lighter {

// What happened to a transaction sent with a nonce.
enum class TxOutcome : std::uint8_t {
  kAccepted,      // code 200: the venue took it (its nonce is consumed)
  kInvalidNonce,  // 21104 / 21105
  kRejected,      // any other error answer: the nonce was probably not consumed, but that is a guess
  kNoAnswer,      // transport failure / timeout: it may or may not have reached the venue
};

enum class NonceStatus : std::uint8_t {
  kReady,  // `nonce` may be signed and sent now
  kFetch,  // fetch nextNonce for this key now and report it with on_fetched / on_fetch_failed
  kWait,   // nothing may be sent on this key now (a fetch or a guarded transaction is pending)
};

struct NonceGrant {
  NonceStatus status = NonceStatus::kWait;
  std::int64_t nonce = -1;
  std::uint64_t epoch = 0;  // pass back with the outcome
};

class NonceManager {
 public:
  NonceManager() = default;

  NonceGrant acquire() noexcept;
  void on_fetched(std::int64_t next_nonce) noexcept;
  void on_fetch_failed() noexcept;  // the next acquire asks for a fetch again
  void on_outcome(const NonceGrant& grant, TxOutcome outcome) noexcept;

  std::uint32_t in_flight() const noexcept { return in_flight_; }
  bool guarded() const noexcept { return mode_ == Mode::kGuarded; }
  std::uint64_t resyncs() const noexcept { return fetches_; }

 private:
  enum class Mode : std::uint8_t { kUnknown, kFetching, kOptimistic, kGuarded };
  Mode mode_ = Mode::kUnknown;
  std::int64_t next_ = -1;
  std::uint64_t epoch_ = 0;      // bumped by every fetch result
  std::uint32_t in_flight_ = 0;  // of the current epoch
  std::uint64_t fetches_ = 0;
};

// Several API keys of one account, used round robin for parallel submission. `acquire` skips keys
// that cannot send now; the first key that needs a fetch is returned with kFetch.
class NoncePool {
 public:
  static constexpr std::size_t kMaxKeys = 16;
  // api key indexes, in rotation order (at most kMaxKeys; extra ones are ignored).
  explicit NoncePool(std::span<const std::uint8_t> api_key_indexes) noexcept;

  struct Grant {
    std::uint8_t api_key_index = 0;
    NonceGrant nonce;
  };
  Grant acquire() noexcept;
  // The key is named by its api key index; unknown indexes are ignored.
  void on_fetched(std::uint8_t api_key_index, std::int64_t next_nonce) noexcept;
  void on_fetch_failed(std::uint8_t api_key_index) noexcept;
  void on_outcome(const Grant& grant, TxOutcome outcome) noexcept;

  std::size_t size() const noexcept { return n_; }
  const NonceManager* key(std::uint8_t api_key_index) const noexcept;

 private:
  NonceManager* find(std::uint8_t api_key_index) noexcept;
  std::uint8_t indexes_[kMaxKeys] = {};
  NonceManager keys_[kMaxKeys];
  std::size_t n_ = 0;
  std::size_t next_ = 0;
};

// When to renew the auth token of the account channels. A token is "{deadline}:{account}:{key}:{sig}"
// with its deadline in Unix seconds; the venue accepts it while deadline - now <= 8 h. We ask for
// `lifetime` (capped at 8 h) and renew `refresh_before` ahead of the deadline, then resubscribe.
class AuthTokenSchedule {
 public:
  static constexpr std::int64_t kMaxLifetimeS = std::int64_t{8} * 3600;
  AuthTokenSchedule(std::int64_t lifetime_s = std::int64_t{7} * 3600,
                    std::int64_t refresh_before_s = std::int64_t{10} * 60) noexcept;

  // Deadline (Unix seconds) to sign into a new token made at `now_us`.
  std::int64_t deadline_for(TimestampUs now_us) const noexcept;
  // The caller made a token with this deadline.
  void on_token(std::int64_t deadline_s) noexcept { deadline_s_ = deadline_s; }
  // True when there is no token yet or it is due for renewal (also when it has expired).
  bool needs_refresh(TimestampUs now_us) const noexcept;
  // When the current token is due for renewal (µs since the epoch); 0 when there is none.
  TimestampUs refresh_at_us() const noexcept;
  std::int64_t lifetime_s() const noexcept { return lifetime_s_; }

 private:
  std::int64_t lifetime_s_;
  std::int64_t refresh_before_s_;
  std::int64_t deadline_s_ = 0;
};

}  // namespace bparb::lighter
