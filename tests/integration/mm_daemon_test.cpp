// The market maker in the daemon, end to end: the built `bparb run` (a CHILD PROCESS, live mode, [strategy]
// kind = "market_maker") quotes SOL_USDC_PERP against bpsim on a thread of this test process, whose background
// takers give flow. What the exchange saw is checked, not what the daemon says: quotes rest, fills happen,
// never two of our orders rest on the book at once, every fill is in the journal to the cent; and a quote
// left resting by kill -9 is cancelled by the next start, with its fill made while down booked. Under bpsim's
// faults (late REST answers, a late order stream, a dropped WebSocket, 429s) the same promises hold, and a 429
// makes the market maker back off instead of retrying into a ban (its 429s counted, and bpsim's for the daemon).
//
// The binary: $BPARB_BINARY, else `bparb` in the build directory (build it first).
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "bparb/sim/market_model.hpp"
#include "mm_daemon_fixture.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using namespace testing::mm_daemon;

TEST_F(MmDaemon, QuotesFillOneAtATimeAndEveryFillIsJournaled) {
  start(1);
  // Quotes rest and get filled by bpsim's takers (a maker fill of ours at our price).
  ASSERT_TRUE(wait_for([&] { return fills().size() >= 3; }, milliseconds(60'000))) << "no fills within 60 s\n"
                                                                                   << log(1);
  // The operator's view against the fills: with the takers stopped no fill comes any more, so the status's
  // market_maker object and /metrics settle on exactly the exchange's fills (count and maker volume), which
  // expect_journal_matches_exchange() below finds in the journal one to one.
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  std::string status, metrics, why;
  const bool agree = wait_for(
      [&] {
        status = http_get(port_, "/api/v1/status");
        metrics = http_get(port_, "/metrics");
        // The exchange's record of our fills (the journal holds it one to one: checked after the stop; the
        // running daemon keeps the journal locked).
        const std::vector<sim::SimFill> rows = fills();
        std::int64_t maker = 0, taker = 0;
        Decimal volume;
        for (const auto& r : rows) {
          if (r.is_maker) {
            ++maker;
            volume += r.price.mul(r.quantity, Rounding::kNearest);
          } else {
            ++taker;
          }
        }
        const std::size_t mm = status.find("\"market_maker\":{\"markets\":[{\"symbol\":\"SOL_USDC_PERP\"");
        if (mm == std::string::npos) return false;
        const std::string counts = fmt::format(R"("fills":{{"quote":{},"maker":{},"hedge":{}}})", maker, maker, taker);
        why = counts + " maker volume " + volume.str();
        return status.find(counts, mm) != std::string::npos &&
               Decimal::from_string(json_string_after(status, mm, "maker_volume_usd")) == volume &&
               metrics.find(fmt::format("bparb_mm_quote_fills_total{{symbol=\"SOL_USDC_PERP\"}} {}\n", maker)) !=
                   std::string::npos &&
               metrics.find(fmt::format("bparb_mm_maker_volume_usd_total{{symbol=\"SOL_USDC_PERP\"}} {}\n",
                                        json_string_after(status, mm, "maker_volume_usd"))) != std::string::npos;
      },
      milliseconds(15'000));
  EXPECT_TRUE(agree) << "fills: " << why << "\nstatus: " << status << "\nmetrics:\n" << metrics;
  EXPECT_NE(status.find("\"side\":\"", status.find("\"market_maker\"")), std::string::npos) << status;
  EXPECT_NE(metrics.find("bparb_mm_pnl_usd{symbol=\"SOL_USDC_PERP\",component=\"total\"} "), std::string::npos)
      << metrics;
  stop_cleanly();
  const std::string l = log(1);
  EXPECT_NE(l.find("market maker: quotes pulled"), std::string::npos) << l;
  EXPECT_EQ(l.find("open positions stay hedged"), std::string::npos) << l;
  EXPECT_EQ(l.find("Strategy stats:"), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: side "), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: quote placed #"), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: quote fill #"), std::string::npos) << l;
  EXPECT_NE(l.find("MM stats SOL_USDC_PERP: maker volume "), std::string::npos) << l;
  EXPECT_NE(testing::slurp_file(out_).find("MM stats SOL_USDC_PERP"), std::string::npos) << "exit summary";
  // Never two of our orders on the book at once; nothing left resting after a clean stop.
  EXPECT_GT(watch_.events.load(), 0u);
  EXPECT_EQ(watch_.max_resting.load(), 1u);
  EXPECT_TRUE(resting().empty());
  for (const auto& f : fills()) {
    EXPECT_EQ(f.symbol, kPerp);
    ASSERT_TRUE(f.client_id.has_value());
  }
  expect_journal_matches_exchange();
}

TEST_F(MmDaemon, KillNineLeavesAQuoteThatTheNextStartCancelsAndBooks) {
  start(1);
  ASSERT_TRUE(wait_for([&] { return !resting().empty(); }, milliseconds(60'000))) << "no quote rested\n" << log(1);
  // Freeze the crowd so the orphan stays as it is, then kill -9 with the quote resting.
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  kill9();
  std::vector<sim::SimOrder> orphans = resting();
  ASSERT_EQ(orphans.size(), 1u);
  const sim::SimOrder orphan = orphans[0];
  // While the daemon is down, a taker fills part of the orphan: the next start must book that fill.
  const std::size_t fills_before = fills().size();
  const std::int64_t filled = sim_->call(
      [this, &orphan] { return sim_->rt->exchange().fill_resting(orphan.id, sim_->rt->model()->taker_account(), 1); });
  ASSERT_EQ(filled, 1);
  ASSERT_EQ(fills().size(), fills_before + 1);
  ASSERT_EQ(resting().size(), 1u) << "one lot of the quote filled, the rest still rests";

  start(2);
  ASSERT_TRUE(
      wait_for([&] { return log(2).find("Cancelling 1 orphan order(s) on SOL_USDC_PERP") != std::string::npos; },
               milliseconds(20'000)))
      << log(2);
  EXPECT_NE(log(2).find("recovered fill made while bparb was down"), std::string::npos) << log(2);
  // The orphan is gone from the book (the new run's own quote may rest by now, under another id).
  for (const auto& o : resting()) EXPECT_NE(o.id, orphan.id);
  stop_cleanly();
  EXPECT_TRUE(resting().empty());
  expect_journal_matches_exchange();
}

TEST_F(MmDaemon, UnderFaultsStillOneQuoteAtATimeAndEveryFillBookedOnce) {
  start(1);
  ASSERT_TRUE(wait_for([&] { return !resting().empty(); }, milliseconds(30'000))) << "no quote rested\n" << log(1);
  // Late REST answers: every cancel and place takes effect on the venue at once but is answered 500-900 ms
  // later, so the order stream reports the cancel before the cancel's own answer arrives.
  faults(R"({"rest_latency_ms":{"min":500,"max":900}})");
  std::this_thread::sleep_for(milliseconds(4000));
  // A late order stream: the cancel is answered 200 at once, the stream says the order is gone 700 ms later;
  // a quote placed in between would be a second live quote.
  faults(R"({"rest_latency_ms":0,"ws_latency_ms":700})");
  std::this_thread::sleep_for(milliseconds(4000));
  // The WebSocket dropped while the stream is late: frames in flight are lost.
  faults(R"({"drop_ws":true})");
  faults(R"({"ws_latency_ms":0})");
  std::this_thread::sleep_for(milliseconds(2000));
  faults(R"({"http_429":4})");
  const std::size_t orders_before_end = order_history().size();
  // It reconnected and goes on quoting after the 429s. Both back-offs double per 429 in a row: the venue's REST
  // back-off (polls and queries wait, then one probe goes) and the market maker's own; four 429s in a row keep
  // the quote off for up to about ten seconds (0.5 + 1 + 2 s of the one, 2 + 4 s of the other, overlapping).
  EXPECT_TRUE(wait_for([&] { return counters().http_429 == 4 && order_history().size() > orders_before_end; },
                       milliseconds(15'000)))
      << log(1);
  const sim::FaultCounters c = counters();
  EXPECT_GE(c.rest_delayed, 1);
  EXPECT_GE(c.ws_delayed, 1);
  EXPECT_GE(c.ws_drops, 1);
  EXPECT_EQ(c.http_429, 4);
  // Cancels answered 202 Accepted that land on the order stream 200-600 ms later: until then the quote is
  // not gone, and a quote placed in between would be a second live quote.
  faults(R"({"cancel_accepted":8,"cancel_accepted_effect_ms":{"min":200,"max":600}})");
  EXPECT_TRUE(wait_for([&] { return counters().cancels_accepted >= 4; }, milliseconds(30'000)))
      << "cancels answered 202: " << counters().cancels_accepted << "\n"
      << log(1);
  // Cancels the venue carries out 300-700 ms late (and answers then): the quote can fill in between.
  faults(R"({"cancel_accepted":0,"cancel_latency_ms":{"min":300,"max":700}})");
  EXPECT_TRUE(wait_for([&] { return counters().cancels_delayed >= 4; }, milliseconds(30'000)))
      << "cancels carried out late: " << counters().cancels_delayed << "\n"
      << log(1);
  faults(R"({"cancel_latency_ms":0})");
  const std::size_t orders_after_cancel_faults = order_history().size();
  ASSERT_TRUE(wait_for([&] { return order_history().size() > orders_after_cancel_faults; }, milliseconds(15'000)))
      << "no quote after the cancel faults\n"
      << log(1);
  stop_cleanly();
  EXPECT_GT(watch_.events.load(), 0u);
  EXPECT_EQ(watch_.max_resting.load(), 1u) << "two quotes of ours rested at once\n" << log(1);
  EXPECT_TRUE(resting().empty());
  EXPECT_FALSE(fills().empty()) << "no fills over the run\n" << log(1);
  expect_client_ids_unique();
  expect_journal_matches_exchange();
  // The exit summary's position is bpsim's, to the lot.
  const StatsPnl st = parse_stats_pnl(testing::slurp_file(out_));
  ASSERT_TRUE(st.parsed) << testing::slurp_file(out_);
  EXPECT_EQ(st.position, position()) << "daemon " << st.position.str() << " vs bpsim " << position().str();
}

TEST_F(MmDaemon, RateLimitedItBacksOffInsteadOfRetryingIntoABan) {
  // Polls every 5 s, so that nearly every request in the window is the market maker's own.
  poll_seconds_ = 5;
  start(1);
  ASSERT_TRUE(wait_for([&] { return !resting().empty(); }, milliseconds(30'000))) << "no quote rested\n" << log(1);
  // For 6 s every REST request is answered 429. With the back-off (nothing for 2 s, then 4 s) the market maker
  // sends at most three requests in that window; its own request budget alone (40 quote requests per 10 s)
  // would let some 24 through, and retrying every 50 ms tick over a hundred. The daemon's other pollers
  // (account, fills, funding) keep their own pace, about two requests a second here.
  const std::int64_t before = counters().http_429;
  const std::size_t mm_before = count_of(log(1), "mm rate limited (429)");
  faults(R"({"http_429":100000})");
  std::this_thread::sleep_for(milliseconds(6000));
  faults(R"({"http_429":0})");
  const std::int64_t in_window = counters().http_429 - before;
  const std::size_t mm_in_window = count_of(log(1), "mm rate limited (429)") - mm_before;
  EXPECT_GE(mm_in_window, 1u) << "the market maker sent nothing during the window\n" << log(1);
  EXPECT_LE(mm_in_window, 3u) << "the market maker retried into the ban\n" << log(1);
  EXPECT_GE(in_window, static_cast<std::int64_t>(mm_in_window));
  EXPECT_LE(in_window, 20) << "requests answered 429 by bpsim in 6 s\n" << log(1);
  // After the window it quotes again.
  const std::size_t orders_after = order_history().size();
  ASSERT_TRUE(wait_for([&] { return order_history().size() > orders_after; }, milliseconds(15'000))) << log(1);
  stop_cleanly();
  EXPECT_EQ(watch_.max_resting.load(), 1u) << log(1);
  EXPECT_TRUE(resting().empty());
  expect_client_ids_unique();
  expect_journal_matches_exchange();
}

// Side follows flow: with the background takers stopped, scripted bursts of taker buys make the market maker
// quote the ask, then bursts of taker sells the bid; bpsim's resting order of ours shows the side. With
// [mm] flatten_on_stop the stop closes the position it holds by reduce-only IOC orders.
TEST_F(MmDaemon, SideFollowsScriptedTakerBurstsAndTheStopFlattens) {
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  mm_extra_ = "flatten_on_stop = true\n";
  start(1);
  const auto burst = [this](Side side, int trades) {
    for (int i = 0; i < trades; ++i) {
      const bool ok = sim_->call([this, side] {
        sim::SimOrderRequest r;
        r.symbol = kPerp;
        r.side = side;
        r.order_type = OrderType::kMarket;
        r.quantity = Decimal::from_string("0.5");
        return sim_->rt->exchange().execute(sim_->rt->model()->taker_account(), r).has_value();
      });
      ASSERT_TRUE(ok) << "scripted taker order refused";
      std::this_thread::sleep_for(milliseconds(100));
    }
  };
  const auto resting_side_is = [this](Side side) {
    const auto r = resting();
    return r.size() == 1 && r[0].side == side;
  };
  // Taker buys: aggressive buyers lift asks, so the ask is quoted.
  burst(Side::kBid, 15);
  ASSERT_TRUE(wait_for([&] { return resting_side_is(Side::kAsk); }, milliseconds(10'000))) << log(1);
  EXPECT_NE(log(1).find("MM SOL_USDC_PERP: side none -> ask"), std::string::npos) << log(1);
  // Taker sells outweigh them (after the side's minimum hold): the bid is quoted.
  burst(Side::kAsk, 30);
  ASSERT_TRUE(wait_for([&] { return resting_side_is(Side::kBid); }, milliseconds(10'000))) << log(1);
  EXPECT_NE(log(1).find("MM SOL_USDC_PERP: side ask -> bid"), std::string::npos) << log(1);
  // [mm] flatten_on_stop: a position held at the stop is closed by reduce-only IOC orders. Make sure there is
  // one: a taker fills the resting bid (a maker fill of ours, on the stream like any other).
  const sim::AccountId taker = sim_->call([this] { return sim_->rt->model()->taker_account(); });
  ASSERT_TRUE(wait_for(
      [&] {
        if (!position().is_zero()) return true;
        for (const auto& o : resting())
          sim_->call([&] { return sim_->rt->exchange().fill_resting(o.id, taker, 1'000'000); });
        return false;
      },
      milliseconds(10'000)))
      << log(1);
  ASSERT_TRUE(wait_for([&] { return log(1).find("quote fill #") != std::string::npos; }, milliseconds(5'000)));
  stop_cleanly();
  EXPECT_TRUE(position().is_zero()) << "position left at the stop: " << position().str() << "\n" << log(1);
  EXPECT_NE(log(1).find("flattening with reduce-only IOC orders ([mm] flatten_on_stop)"), std::string::npos) << log(1);
  std::size_t closing = 0;
  for (const auto& o : order_history()) {
    if (o.time_in_force != TimeInForce::kIoc) continue;
    ++closing;
    EXPECT_TRUE(o.reduce_only.value_or(false)) << "closing order " << o.id << " not reduce-only";
  }
  EXPECT_GE(closing, 1u);
  EXPECT_EQ(watch_.max_resting.load(), 1u) << log(1);
  EXPECT_TRUE(resting().empty());
  expect_client_ids_unique();
  expect_journal_matches_exchange();
  const StatsPnl st = parse_stats_pnl(testing::slurp_file(out_));
  ASSERT_TRUE(st.parsed) << testing::slurp_file(out_);
  EXPECT_EQ(st.position, position()) << "daemon " << st.position.str() << " vs bpsim " << position().str();
}

// Every breaker, scripted in bpsim while a quote rests: the mid jumps 0.6 % (the mid-move breaker), the
// background ladder widens to 40 bps a side (spread), the depth stream and then the trade stream go silent
// for 4 s (stale book, stale trades), the WebSocket drops (reconnect). Each time: the trip's one log line
// with its numbers, the quote cancelled on bpsim, nothing placed for the cooldown after the quote went, quoting
// resumed; the operator's webhook gets each trip (mm_breaker) and the stop (mm_quotes_stopped).
TEST_F(MmDaemon, EveryBreakerFiresCancelsTheQuoteAndCoolsDown) {
  cooldown_ms_ = 1500;
  mm_extra_ = "max_book_age_ms = 2500\nmax_trade_age_ms = 2500\n";
  use_webhook(R"(["mm_breaker", "mm_quotes_stopped"])");
  start(1);
  struct Case {
    const char* line;            // the trip's log line, up to its numbers
    const char* numbers;         // a part of the line with the limit
    std::function<void()> act;   // makes the breaker fire
    std::function<void()> undo;  // after 2 s, ends the condition (may be empty)
    bool once;                   // exactly one trip line expected
  };
  const auto stall = [this](const std::string& stream) {
    faults(R"({"stall":{"stream":")" + stream + R"(","seconds":4}})");
  };
  const auto scenario = [this](auto&& f) {
    const bool ok = sim_->call([&] { return f(*sim_->rt->model()); });
    ASSERT_TRUE(ok);
  };
  const std::vector<Case> cases = {
      {"MM SOL_USDC_PERP: mm breaker mid_move: observed ",
       ">= limit 0.002 (mid ",
       [&] { scenario([](sim::MarketModel& m) { return m.set_mid("SOL", *m.mid("SOL") * 1.006); }); },
       {},
       true},
      {"MM SOL_USDC_PERP: mm breaker spread: observed ", ">= limit 0.002; no quote for ",
       [&] { scenario([](sim::MarketModel& m) { return m.set_half_spread_bps(kPerp, 40); }); },
       [&] { scenario([](sim::MarketModel& m) { return m.set_half_spread_bps(kPerp, 1); }); }, true},
      {"MM SOL_USDC_PERP: mm breaker stale_book_ms: observed ",
       ">= limit 2500; no quote for ",
       [&] { stall(std::string("depth.") + kPerp); },
       {},
       true},
      {"MM SOL_USDC_PERP: mm breaker stale_trades_ms: observed ",
       ">= limit 2500; no quote for ",
       [&] { stall(std::string("trade.") + kPerp); },
       {},
       true},
      {"MM SOL_USDC_PERP: mm breaker reconnect: ",
       "no quote for 1500 ms and until the book updates",
       [&] { faults(R"({"drop_ws":true})"); },
       {},
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    ASSERT_TRUE(wait_for([&] { return resting().size() == 1; }, milliseconds(20'000))) << "no quote rests\n" << log(1);
    const std::size_t before = count_of(log(1), c.line);
    c.act();
    ASSERT_TRUE(wait_for([&] { return count_of(log(1), c.line) > before; }, milliseconds(10'000)))
        << "the breaker did not fire\n"
        << log(1);
    // The quote is cancelled on the venue.
    ASSERT_TRUE(wait_for([&] { return resting().empty(); }, milliseconds(5'000))) << "the quote still rests\n"
                                                                                  << log(1);
    const std::size_t gone_events = sim_->call([this] { return watch_.gone_at.size(); });
    if (c.undo) {
      std::this_thread::sleep_for(milliseconds(2'000));
      c.undo();
    }
    ASSERT_TRUE(wait_for([&] { return !resting().empty(); }, milliseconds(20'000))) << "quoting did not resume\n"
                                                                                    << log(1);
    const std::string l = log(1);
    if (c.once) {
      EXPECT_EQ(count_of(l, c.line), before + 1) << l;
    }
    const std::size_t last = l.rfind(c.line);
    ASSERT_NE(last, std::string::npos);
    const std::string trip_line = l.substr(last, l.find('\n', last) - last);
    EXPECT_NE(trip_line.find(c.numbers), std::string::npos) << trip_line;
    // The cooldown, seen on the venue: from the quote going to the next quote placed, at least the cooldown
    // (less 500 ms for the cancel's own way to the venue).
    const auto [gone, placed] = sim_->call([this, gone_events] {
      using T = RestingWatch::Clock::time_point;
      const T g = watch_.gone_at.at(gone_events - 1);
      T p{};
      for (const T t : watch_.placed_at)
        if (t > g) {
          p = t;
          break;
        }
      return std::make_pair(g, p);
    });
    ASSERT_NE(placed, RestingWatch::Clock::time_point{}) << "no quote accepted after the quote went";
    EXPECT_GE(placed - gone, milliseconds(cooldown_ms_ - 500)) << trip_line;
  }
  stop_cleanly();
  EXPECT_EQ(watch_.max_resting.load(), 1u) << log(1);
  EXPECT_TRUE(resting().empty());
  expect_client_ids_unique();
  expect_journal_matches_exchange();
  // The operator's webhook: each trip with its numbers, and the quotes stopping for a breaker.
  for (const char* kind : {"mid_move", "spread", "stale_book_ms", "stale_trades_ms", "reconnect"})
    EXPECT_NE(webhook_body("mm_breaker", std::string(R"("breaker":")") + kind + "\""), "") << kind;
  const std::string mid = webhook_body("mm_breaker", R"("breaker":"mid_move")");
  EXPECT_NE(mid.find(R"("limit":"0.002")"), std::string::npos) << mid;
  EXPECT_NE(mid.find("SOL_USDC_PERP: mm breaker mid_move: observed "), std::string::npos) << mid;
  const std::string stopped = webhook_body("mm_quotes_stopped", R"("reason":"breaker")");
  EXPECT_NE(stopped, "");
  EXPECT_NE(stopped.find(R"("symbol":"SOL_USDC_PERP")"), std::string::npos) << stopped;
}

// bpsim moves the book through each of the next five post-only orders' price as it arrives (a background
// order takes the levels at or through it), so the venue expires them PostOnlyTaker: the fifth trips the
// burst breaker, nothing is placed during its cooldown, and quoting resumes after it.
TEST_F(MmDaemon, APostOnlyRejectionBurstTripsTheBreakerAndNothingIsPlacedInTheCooldown) {
  cooldown_ms_ = 3000;
  start(1);
  ASSERT_TRUE(wait_for([&] { return resting().size() == 1; }, milliseconds(20'000))) << "no quote rests\n" << log(1);
  faults(R"({"post_only_cross":5})");
  // The busy market can reject a quote of ours by itself now and then, so the burst may be complete before the
  // fifth crossed order; the trip is still at the fifth rejection within the window.
  const std::string line =
      "MM SOL_USDC_PERP: mm breaker post_only_rejects: observed 5 >= limit 5 post-only "
      "rejections within 10000 ms; no quote for 3000 ms";
  // The resting quote is replaced within its age limit (2 s), then the crossed ones follow one another.
  ASSERT_TRUE(wait_for([&] { return count_of(log(1), line) == 1; }, milliseconds(20'000)))
      << "the breaker did not fire\n"
      << log(1);
  // The trip's rejection is the last order of ours that went, and it was placed after every other one.
  const auto [gone, last_placed] =
      sim_->call([this] { return std::make_pair(watch_.gone_at.back(), watch_.placed_at.back()); });
  EXPECT_LE(last_placed, gone);
  EXPECT_TRUE(resting().empty()) << "a quote rests right after the trip";
  ASSERT_TRUE(wait_for([&] { return !resting().empty() && counters().post_only_crossed == 5; }, milliseconds(20'000)))
      << "quoting did not resume\n"
      << log(1);
  // The cooldown, seen on the venue: from the trip's rejection to the next order of ours accepted, at least the
  // cooldown (less 500 ms for the expiry's own way to the daemon).
  const auto placed = sim_->call([this, g = gone] {
    for (const RestingWatch::Clock::time_point t : watch_.placed_at)
      if (t > g) return t;
    return RestingWatch::Clock::time_point{};
  });
  ASSERT_NE(placed, RestingWatch::Clock::time_point{}) << "no quote accepted after the burst";
  EXPECT_GE(placed - gone, milliseconds(cooldown_ms_ - 500)) << log(1);
  stop_cleanly();
  // On the venue: at least the five crossed orders of ours expired PostOnlyTaker.
  std::int64_t expired = 0;
  for (const sim::SimOrder& o : order_history())
    if (o.expiry_reason == sim::ExpiryReason::kPostOnlyTaker) ++expired;
  EXPECT_GE(expired, 5);
  EXPECT_EQ(watch_.max_resting.load(), 1u) << log(1);
  expect_client_ids_unique();
  expect_journal_matches_exchange();
  // The exit summary counts every one of them.
  const std::string l = log(1);
  const std::size_t at = l.rfind("MM stats SOL_USDC_PERP:");
  ASSERT_NE(at, std::string::npos) << l;
  const std::string stats = l.substr(at, l.find('\n', at) - at);
  EXPECT_NE(stats.find("post-only rejects " + std::to_string(expired) + ","), std::string::npos) << stats;
}

TEST_F(MmDaemon, InventoryCapHedgesReduceOnlyAndThePnlSplitAddsUpToTheVenuesFills) {
  use_webhook(R"(["mm_hedge", "mm_inventory_cap"])");
  start(1);
  // Scripted takers push the inventory: each resting quote that would grow the position is filled in full
  // (as maker, at its price) until we hold at least 0.5 SOL either way.
  const Decimal target = Decimal::from_string("0.5");
  const sim::AccountId taker = sim_->call([this] { return sim_->rt->model()->taker_account(); });
  ASSERT_TRUE(wait_for(
      [&] {
        const Decimal pos = position();
        if (pos.abs() >= target) return true;
        for (const auto& o : resting()) {
          const bool grows = pos.is_zero() || ((o.side == Side::kBid) == pos.is_positive());
          if (grows) sim_->call([&] { return sim_->rt->exchange().fill_resting(o.id, taker, 1'000'000); });
        }
        return false;
      },
      milliseconds(40'000)))
      << "position " << position().str() << "\n"
      << log(1);
  // Lower the cap below the position (a live key, reloaded on SIGHUP): the market maker must cut the inventory
  // with reduce-only IOC hedges, and quote nothing that would grow it.
  mm_extra_ = "inventory_cap_fraction = 0.000001\nhedge_interval_ms = 500\n";
  write_config(1);
  ::kill(child_, SIGHUP);
  ASSERT_TRUE(wait_for([&] { return position().is_zero() && resting().empty(); }, milliseconds(20'000)))
      << "position " << position().str() << "\n"
      << log(1);
  stop_cleanly();
  EXPECT_NE(log(1).find("MM SOL_USDC_PERP: hedge #"), std::string::npos) << log(1);
  EXPECT_EQ(watch_.max_resting.load(), 1u) << log(1);

  // Every order that was not a post-only quote is a reduce-only IOC hedge.
  std::size_t hedges = 0;
  for (const auto& o : order_history()) {
    if (o.time_in_force != TimeInForce::kIoc) continue;
    ++hedges;
    EXPECT_TRUE(o.reduce_only.value_or(false)) << "hedge order " << o.id << " not reduce-only";
  }
  EXPECT_GE(hedges, 1u);
  // Replay the venue's fills in trade order: a taker fill of ours (a hedge) never grows the position nor flips it.
  std::vector<sim::SimFill> fs = fills();
  std::sort(fs.begin(), fs.end(), [](const auto& a, const auto& b) { return a.trade_id < b.trade_id; });
  Decimal pos;
  Decimal cash;  // - sum(side * quantity * price) - fees: the P&L of a round trip that ends flat
  std::size_t hedge_fills = 0;
  for (const auto& f : fs) {
    const Decimal signed_qty = f.side == Side::kBid ? f.quantity : -f.quantity;
    const Decimal after = pos + signed_qty;
    if (!f.is_maker) {
      ++hedge_fills;
      EXPECT_LE(after.abs(), pos.abs()) << "hedge fill " << f.trade_id << " grew the position " << pos.str();
      EXPECT_FALSE(after.is_positive() && pos.is_negative()) << "hedge fill " << f.trade_id << " flipped it";
      EXPECT_FALSE(after.is_negative() && pos.is_positive()) << "hedge fill " << f.trade_id << " flipped it";
    }
    cash -= signed_qty.mul(f.price, Rounding::kNearest);
    cash -= f.fee;
    pos = after;
  }
  EXPECT_GE(hedge_fills, 1u);
  ASSERT_TRUE(pos.is_zero()) << pos.str();
  // Flat, so the P&L no longer depends on any mid: the daemon's exit summary must give exactly the venue's cash,
  // and its six parts must add up to it.
  const StatsPnl st = parse_stats_pnl(testing::slurp_file(out_));
  ASSERT_TRUE(st.parsed) << testing::slurp_file(out_);
  EXPECT_TRUE(st.position.is_zero()) << st.position.str();
  EXPECT_EQ(st.parts_sum, st.total) << st.parts_sum.str() << " vs " << st.total.str();
  EXPECT_EQ(st.total, cash) << "daemon " << st.total.str() << " vs venue " << cash.str();
  expect_client_ids_unique();
  expect_journal_matches_exchange();
  // The operator heard of both: the cap reached (position and cap) and the hedges (reduce-only IOC).
  const std::string cap = webhook_body("mm_inventory_cap", R"("symbol":"SOL_USDC_PERP")");
  EXPECT_NE(cap.find("inventory cap reached: position "), std::string::npos) << cap;
  EXPECT_NE(cap.find(R"("cap":")"), std::string::npos) << cap;
  const std::string hedge = webhook_body("mm_hedge", R"("symbol":"SOL_USDC_PERP")");
  EXPECT_NE(hedge, "");
}

}  // namespace
}  // namespace bparb
