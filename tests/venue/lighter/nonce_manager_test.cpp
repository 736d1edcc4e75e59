// Nonce sequences per API key (optimistic increments, one resync on invalid nonce, one transaction at a
// time after an error), the key pool's rotation, and the auth-token renewal schedule.
#include "bparb/venue/lighter/nonce_manager.hpp"

#include <gtest/gtest.h>

#include <array>

namespace bparb::lighter {
namespace {

NonceManager ready_at(std::int64_t n) {
  NonceManager m;
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  m.on_fetched(n);
  return m;
}

TEST(LighterNonce, FetchFirstThenOptimisticIncrements) {
  NonceManager m;
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  EXPECT_EQ(m.acquire().status, NonceStatus::kWait);  // one fetch at a time
  m.on_fetched(722);
  const NonceGrant a = m.acquire();
  const NonceGrant b = m.acquire();
  const NonceGrant c = m.acquire();
  EXPECT_EQ(a.status, NonceStatus::kReady);
  EXPECT_EQ(a.nonce, 722);
  EXPECT_EQ(b.nonce, 723);
  EXPECT_EQ(c.nonce, 724);
  EXPECT_EQ(m.in_flight(), 3u);
  m.on_outcome(a, TxOutcome::kAccepted);
  m.on_outcome(b, TxOutcome::kAccepted);
  EXPECT_EQ(m.in_flight(), 1u);
  EXPECT_EQ(m.acquire().nonce, 725);
}

TEST(LighterNonce, FetchFailureAsksAgain) {
  NonceManager m;
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  m.on_fetch_failed();
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  m.on_fetched(5);
  EXPECT_EQ(m.acquire().nonce, 5);
}

TEST(LighterNonce, InvalidNonceResyncsOnceAfterInFlightSettles) {
  NonceManager m = ready_at(10);
  const NonceGrant a = m.acquire();  // 10
  const NonceGrant b = m.acquire();  // 11
  const NonceGrant c = m.acquire();  // 12
  m.on_outcome(a, TxOutcome::kInvalidNonce);
  // b and c are still out: no fetch yet, nothing new sent.
  EXPECT_EQ(m.acquire().status, NonceStatus::kWait);
  m.on_outcome(b, TxOutcome::kInvalidNonce);
  EXPECT_EQ(m.acquire().status, NonceStatus::kWait);
  m.on_outcome(c, TxOutcome::kInvalidNonce);
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  EXPECT_EQ(m.resyncs(), 2u);  // the first fetch + exactly one resync for three invalid answers
  m.on_fetched(40);
  const NonceGrant d = m.acquire();
  EXPECT_EQ(d.nonce, 40);
  // A late duplicate report of an old grant changes nothing.
  m.on_outcome(a, TxOutcome::kInvalidNonce);
  EXPECT_EQ(m.acquire().nonce, 41);
  EXPECT_EQ(m.resyncs(), 2u);
}

TEST(LighterNonce, RejectionReusesTheNonceOneAtATime) {
  NonceManager m = ready_at(100);
  const NonceGrant a = m.acquire();  // 100
  m.on_outcome(a, TxOutcome::kRejected);
  EXPECT_TRUE(m.guarded());
  const NonceGrant b = m.acquire();
  EXPECT_EQ(b.nonce, 100);                            // guessed not consumed
  EXPECT_EQ(m.acquire().status, NonceStatus::kWait);  // never two in flight on a guess
  m.on_outcome(b, TxOutcome::kAccepted);              // guess confirmed
  EXPECT_FALSE(m.guarded());
  EXPECT_EQ(m.acquire().nonce, 101);
  EXPECT_EQ(m.acquire().nonce, 102);
}

TEST(LighterNonce, WrongGuessEndsInOneResync) {
  NonceManager m = ready_at(100);
  const NonceGrant a = m.acquire();
  m.on_outcome(a, TxOutcome::kRejected);
  const NonceGrant b = m.acquire();  // 100 again, but the venue had consumed it
  m.on_outcome(b, TxOutcome::kInvalidNonce);
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
  m.on_fetched(101);
  EXPECT_EQ(m.acquire().nonce, 101);
}

TEST(LighterNonce, RejectionWithLaterNoncesInFlight) {
  NonceManager m = ready_at(7);
  const NonceGrant a = m.acquire();  // 7
  const NonceGrant b = m.acquire();  // 8
  m.on_outcome(a, TxOutcome::kRejected);
  EXPECT_EQ(m.acquire().status, NonceStatus::kWait);  // b still out
  m.on_outcome(b, TxOutcome::kAccepted);              // so 7 was consumed after all
  EXPECT_EQ(m.acquire().nonce, 9);
}

TEST(LighterNonce, NoAnswerResyncsInsteadOfGuessing) {
  NonceManager m = ready_at(3);
  const NonceGrant a = m.acquire();
  m.on_outcome(a, TxOutcome::kNoAnswer);
  EXPECT_EQ(m.acquire().status, NonceStatus::kFetch);
}

TEST(LighterNonce, PoolRotatesAndSkipsBusyKeys) {
  const std::array<std::uint8_t, 3> keys{4, 5, 6};
  NoncePool pool(keys);
  ASSERT_EQ(pool.size(), 3u);
  // Each key asks for its first fetch in turn.
  for (std::uint8_t k : keys) {
    const NoncePool::Grant g = pool.acquire();
    EXPECT_EQ(g.nonce.status, NonceStatus::kFetch);
    EXPECT_EQ(g.api_key_index, k);
  }
  EXPECT_EQ(pool.acquire().nonce.status, NonceStatus::kWait);
  pool.on_fetched(4, 10);
  pool.on_fetched(5, 20);
  pool.on_fetched(6, 30);
  const NoncePool::Grant a = pool.acquire();
  const NoncePool::Grant b = pool.acquire();
  const NoncePool::Grant c = pool.acquire();
  const NoncePool::Grant d = pool.acquire();
  EXPECT_EQ(a.api_key_index, 4);
  EXPECT_EQ(a.nonce.nonce, 10);
  EXPECT_EQ(b.api_key_index, 5);
  EXPECT_EQ(b.nonce.nonce, 20);
  EXPECT_EQ(c.api_key_index, 6);
  EXPECT_EQ(d.api_key_index, 4);
  EXPECT_EQ(d.nonce.nonce, 11);
  // Key 5 is refused once: it goes guarded with b in flight settled, the rotation skips it while its
  // single retry is out.
  pool.on_outcome(b, TxOutcome::kRejected);
  const NoncePool::Grant e = pool.acquire();
  EXPECT_EQ(e.api_key_index, 5);
  EXPECT_EQ(e.nonce.nonce, 20);
  const NoncePool::Grant f = pool.acquire();
  EXPECT_EQ(f.api_key_index, 6);
  const NoncePool::Grant g = pool.acquire();
  EXPECT_EQ(g.api_key_index, 4);
  const NoncePool::Grant h = pool.acquire();
  EXPECT_EQ(h.api_key_index, 6);  // 5 skipped: its guarded retry is in flight
  EXPECT_TRUE(pool.key(5)->guarded());
  EXPECT_EQ(pool.key(9), nullptr);
}

TEST(LighterAuthSchedule, RenewsBeforeTheDeadline) {
  AuthTokenSchedule s(std::int64_t{7} * 3600, 600);
  const TimestampUs t0 = 1'800'000'000 * kUsPerSecond;
  EXPECT_TRUE(s.needs_refresh(t0));
  const std::int64_t deadline = s.deadline_for(t0);
  EXPECT_EQ(deadline, 1'800'000'000 + 7 * 3600);
  s.on_token(deadline);
  EXPECT_FALSE(s.needs_refresh(t0));
  EXPECT_EQ(s.refresh_at_us(), (deadline - 600) * kUsPerSecond);
  EXPECT_FALSE(s.needs_refresh(s.refresh_at_us() - 1));
  EXPECT_TRUE(s.needs_refresh(s.refresh_at_us()));
  EXPECT_TRUE(s.needs_refresh((deadline + 1) * kUsPerSecond));  // expired
}

TEST(LighterAuthSchedule, LifetimeCappedAtTheVenueLimit) {
  const AuthTokenSchedule s(std::int64_t{24} * 3600, 600);
  EXPECT_EQ(s.lifetime_s(), 8 * 3600);
  EXPECT_EQ(s.deadline_for(0), 8 * 3600);
}

}  // namespace
}  // namespace bparb::lighter
