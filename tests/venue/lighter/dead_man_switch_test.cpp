// The dead-man switch against the simulated Lighter (REST route, the wall clock a ManualClock): the
// scheduled cancel-all is set and moved forward each refresh interval; once refreshes stop, the venue
// cancels the resting order after the window; a clean stop aborts or leaves the schedule; failures are
// reported and retried with a doubling back-off, one transaction at a time.
#include "bparb/venue/lighter/dead_man_switch.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "client_test_util.hpp"

namespace bparb::lighter::testing {
namespace {

constexpr DurationUs kMinute = 60 * kUsPerSecond;

struct DmsClient {
  Loopback& lb;
  std::unique_ptr<Signer> signer;
  LighterRest rest;
  LighterWs ws;  // never started: the sender takes the REST route
  std::unique_ptr<LighterTxSender> sender;
  std::unique_ptr<LighterDeadManSwitch> dms;
  std::vector<TxAnswer> answers;
  std::vector<DeadManEvent> events;

  static LighterRestOptions rest_options(Loopback& l) {
    LighterRestOptions o;
    o.http.base_url = l.server->http_url();
    return o;
  }
  static LighterWsOptions ws_options(Loopback& l) {
    LighterWsOptions o;
    o.ws.url = l.server->ws_url();
    return o;
  }
  static DeadManSwitchOptions dms_options(bool abort_on_stop = true) {
    DeadManSwitchOptions o;
    o.window_us = 5 * kMinute;
    o.refresh_us = kMinute;
    o.abort_on_stop = abort_on_stop;
    o.timer_period_us = 5 * kUsPerMs;
    return o;
  }

  DmsClient(Loopback& l, std::uint32_t chain_id = 304, DeadManSwitchOptions o = dms_options())
      : lb(l),
        signer(std::make_unique<Signer>(sim::lighter::testing::Fixture::clone(l.f.alice_key),
                                        SignerConfig{chain_id, kAlice, kKey})),
        rest(l.io, rest_options(l)),
        ws(l.io, l.f.clock, ws_options(l), signer.get()) {
    sender = std::make_unique<LighterTxSender>(l.io, l.f.clock, *signer, rest, ws);
    dms = std::make_unique<LighterDeadManSwitch>(l.io, l.f.clock, *sender, o);
    sender->on_answer([this](const TxAnswer& a) {
      if (dms && dms->on_answer(a)) return;
      answers.push_back(a);
    });
    dms->on_event([this](const DeadManEvent& e) { events.push_back(e); });
  }

  void rest_order(std::int64_t coi) {
    CreateOrderTx t;
    t.market_index = 0;
    t.client_order_index = coi;
    t.base_amount = 10'000;
    t.price = 199'000;
    t.time_in_force = 1;
    t.order_expiry = lb.f.clock.now_ms() + 24 * 3600 * 1000;
    const std::size_t before = answers.size();
    ASSERT_FALSE(sender->send(t, static_cast<std::uint64_t>(coi)));
    ASSERT_TRUE(lb.run_until([&] { return answers.size() > before; }));
    ASSERT_EQ(answers.back().result.state, SubmitState::kSubmitted);
  }
  std::size_t open_orders() const { return lb.f.ex->open_orders(0).size(); }
  std::int64_t scheduled() { return lb.server->api().scheduled_cancel_all_ms(kAlice); }
  bool wait_events(std::size_t n) {
    return lb.run_until([&] { return events.size() >= n; });
  }
};

TEST(LighterDeadManSwitchTest, TheScheduleMovesForwardAndFiresOnceRefreshesStop) {
  Loopback lb;
  DmsClient c(lb);
  c.rest_order(11);
  ASSERT_EQ(c.open_orders(), 1u);

  const std::int64_t t0 = lb.f.clock.now_ms();
  c.dms->start();
  ASSERT_TRUE(c.wait_events(1));
  EXPECT_EQ(c.events[0].kind, DeadManEventKind::kArmed);
  EXPECT_EQ(c.events[0].trigger_ms, t0 + 5 * 60 * 1000);
  EXPECT_EQ(c.scheduled(), t0 + 5 * 60 * 1000);
  EXPECT_EQ(c.dms->trigger_ms(), c.scheduled());

  // Not due yet: nothing more is sent.
  lb.f.clock.advance_us(30 * kUsPerSecond);
  lb.settle();
  EXPECT_EQ(c.dms->counters().refreshes_sent, 1u);

  // Due: the trigger moves forward by what the clock moved.
  lb.f.clock.advance_us(31 * kUsPerSecond);
  ASSERT_TRUE(c.wait_events(2));
  EXPECT_EQ(c.events[1].kind, DeadManEventKind::kArmed);
  const std::int64_t t1 = lb.f.clock.now_ms();
  EXPECT_EQ(c.scheduled(), t1 + 5 * 60 * 1000);
  EXPECT_EQ(c.dms->counters().refreshes_accepted, 2u);

  // The process "dies": no refresh, no abort. The order lives until the window has passed ...
  c.dms.reset();
  lb.f.clock.advance_us(4 * kMinute);
  lb.server->api().poll();
  EXPECT_EQ(c.open_orders(), 1u);
  // ... and then the venue cancels it by itself.
  lb.f.clock.advance_us(kMinute + kUsPerSecond);
  lb.server->api().poll();
  EXPECT_EQ(c.open_orders(), 0u);
  EXPECT_EQ(c.scheduled(), 0);
}

TEST(LighterDeadManSwitchTest, ACleanStopAbortsTheSchedule) {
  Loopback lb;
  DmsClient c(lb);
  c.rest_order(12);
  c.dms->start();
  ASSERT_TRUE(c.wait_events(1));
  ASSERT_NE(c.scheduled(), 0);

  c.dms->stop();
  ASSERT_TRUE(lb.run_until([&] { return c.dms->stopped(); }));
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[1].kind, DeadManEventKind::kAborted);
  EXPECT_EQ(c.scheduled(), 0);
  EXPECT_EQ(c.dms->trigger_ms(), 0);

  lb.f.clock.advance_us(60 * kMinute);
  lb.server->api().poll();
  EXPECT_EQ(c.open_orders(), 1u);  // nothing fired
}

TEST(LighterDeadManSwitchTest, ACleanStopMayLeaveTheScheduleToFire) {
  Loopback lb;
  DmsClient c(lb, 304, DmsClient::dms_options(/*abort_on_stop=*/false));
  c.rest_order(13);
  c.dms->start();
  c.dms->stop();  // the first refresh is still in flight: it settles first, nothing else is sent
  ASSERT_TRUE(lb.run_until([&] { return c.dms->stopped(); }));
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].kind, DeadManEventKind::kArmed);
  EXPECT_EQ(c.events[1].kind, DeadManEventKind::kStopped);
  EXPECT_EQ(c.dms->counters().aborts_sent, 0u);
  EXPECT_NE(c.scheduled(), 0);

  lb.f.clock.advance_us(5 * kMinute + kUsPerSecond);
  lb.server->api().poll();
  EXPECT_EQ(c.open_orders(), 0u);
}

TEST(LighterDeadManSwitchTest, FailuresAreReportedAndRetriedWithBackOff) {
  Loopback lb;
  DmsClient c(lb, 300);  // signs for the other chain: every refresh is refused
  c.dms->start();
  ASSERT_TRUE(c.wait_events(1));
  EXPECT_EQ(c.events[0].kind, DeadManEventKind::kRefreshFailed);
  EXPECT_EQ(c.events[0].state, SubmitState::kRefused);
  EXPECT_EQ(c.events[0].consecutive_failures, 1u);
  EXPECT_EQ(c.events[0].retry_in_us, kUsPerSecond);
  lb.settle();
  EXPECT_EQ(c.dms->counters().refreshes_sent, 1u);

  lb.f.clock.advance_us(kUsPerSecond);
  ASSERT_TRUE(c.wait_events(2));
  EXPECT_EQ(c.events[1].consecutive_failures, 2u);
  EXPECT_EQ(c.events[1].retry_in_us, 2 * kUsPerSecond);

  lb.f.clock.advance_us(kUsPerSecond);  // half the back-off: no attempt
  lb.settle();
  EXPECT_EQ(c.dms->counters().refreshes_sent, 2u);
  lb.f.clock.advance_us(kUsPerSecond);
  ASSERT_TRUE(c.wait_events(3));
  EXPECT_EQ(c.events[2].retry_in_us, 4 * kUsPerSecond);
  EXPECT_EQ(c.scheduled(), 0);
  EXPECT_EQ(c.dms->trigger_ms(), 0);
}

TEST(LighterDeadManSwitchTest, ATriggerPassedWithoutRefreshIsReportedAsLapsed) {
  Loopback lb;
  DmsClient c(lb);
  c.rest_order(14);
  c.dms->start();
  ASSERT_TRUE(c.wait_events(1));
  const std::int64_t trigger = c.dms->trigger_ms();

  // The venue becomes unreachable: every refresh fails, the trigger stays where it was.
  lb.server->stop();
  for (int i = 0; i < 6; ++i) {
    lb.f.clock.advance_us(kMinute);
    lb.settle();
  }
  ASSERT_TRUE(lb.run_until([&] {
    for (const auto& e : c.events)
      if (e.kind == DeadManEventKind::kLapsed) return true;
    return false;
  }));
  std::size_t lapsed = 0;
  for (const auto& e : c.events) {
    if (e.kind != DeadManEventKind::kLapsed) continue;
    ++lapsed;
    EXPECT_EQ(e.trigger_ms, trigger);
  }
  EXPECT_EQ(lapsed, 1u);
  EXPECT_EQ(c.dms->trigger_ms(), 0);
  EXPECT_GT(c.dms->counters().refresh_failures, 0u);
  EXPECT_TRUE(c.dms->running());  // it keeps trying
}

TEST(LighterDeadManSwitchTest, OptionsOutsideTheVenueRangeAreRefused) {
  DeadManSwitchOptions o;
  EXPECT_FALSE(check_options(o).has_value());
  o.window_us = 4 * kMinute;
  EXPECT_TRUE(check_options(o).has_value());
  o.window_us = 6 * kMinute;
  o.refresh_us = 3 * kMinute;  // does not fit three times
  EXPECT_TRUE(check_options(o).has_value());
}

}  // namespace
}  // namespace bparb::lighter::testing
