// Lighter as the daemon's second venue, end to end over loopback sockets against paper mode's embedded bpsim:
// what the daemon's pieces (lighter_daemon_fixture.hpp) keep of the Lighter account across restarts and polls —
// an orphan order cancelled at a restart, a position the journal cannot explain, funding journaled once, the
// account's figures in the engine's view, a book no longer synced — and the built daemon in paper mode with
// [venues.lighter], whose status page shows the Lighter books.
#include "lighter_daemon_fixture.hpp"

namespace bparb::lighter_daemon_testing {
namespace {

TEST_F(LighterVenueTest, ARestartCancelsARestingLighterOrderAsAnOrphanAndSettlesItsIntent) {
  {
    Run& r = start_run();
    const exec::SubmitResult s = submit(r, /*ioc=*/false, 200, 50);  // a post-only bid well below the touch
    ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
    ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted); }));
    EXPECT_EQ(open_orders(r), 1u);
    auto open = journal_.journal()->open_intents();
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().intent.venue, VenueId::kLighter);
  }
  runs_.clear();  // the process is gone; its order rests on the venue

  Run& r2 = start_run();  // recovery ran inside: the orphan is cancelled before anything trades
  EXPECT_EQ(open_orders(r2), 0u);
  auto open = journal_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(LighterVenueTest, ALighterPositionTheJournalCannotExplainFollowsTheUnexplainedPositionsPolicy) {
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // buy 0.50 SOL through the ask
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  ASSERT_EQ(r.owner.filled, D("0.5"));

  // Lighter's recovery as LighterNode runs it, against `journal`, with `policy`: the failure, or whether
  // trading must start ReduceOnly.
  struct Outcome {
    std::optional<std::string> failed;
    bool flagged = false;
  };
  const auto recover = [&](runtime::JournalWriter& journal, runtime::RecoveryOptions::Unexplained policy) {
    runtime::RecoveryOptions ro;
    ro.venue = VenueId::kLighter;
    ro.source_path = "test.toml";
    ro.check_single_positions = true;
    ro.unexplained = policy;
    runtime::Recovery rec(log_, clock_, journal, *r.venue, r.instruments, std::vector<runtime::PairRef>{}, ro);
    Outcome o;
    bool over = false;
    rec.run(
        [&](const std::string& e) {
          o.failed = e;
          over = true;
        },
        [&] { over = true; });
    EXPECT_TRUE(run_until([&] { return over; }));
    o.flagged = rec.flagged();
    return o;
  };
  using U = runtime::RecoveryOptions::Unexplained;
  // The journal that booked the fill explains the 0.5 SOL the venue holds: a restart starts as usual.
  Outcome o = recover(journal_, U::kRefuse);
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_FALSE(o.flagged);

  // A journal that never saw it (the position was opened by hand, or by another program on this key).
  runtime::JournalWriter other(log_, clock_);
  other.open({true, (dir_ / "other.sqlite").string(), false});
  o = recover(other, U::kRefuse);
  ASSERT_TRUE(o.failed);
  EXPECT_NE(o.failed->find("lighter SOL: the exchange holds 0.5 but the journal's single orders explain 0"),
            std::string::npos)
      << *o.failed;
  EXPECT_NE(o.failed->find("unexplained_positions = \"flag\""), std::string::npos) << *o.failed;
  EXPECT_NE(o.failed->find("test.toml"), std::string::npos) << *o.failed;
  o = recover(other, U::kFlag);
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_TRUE(o.flagged);
  o = recover(other, U::kAdopt);  // no pair to unwind it with: left alone, ReduceOnly as with flag
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_TRUE(o.flagged);
}

TEST_F(LighterVenueTest, LighterFundingFromPositionFundingIsJournaledOnceUnderLighter) {
  // A simulated market whose one-minute funding interval ends four simulated seconds after start (its clock
  // starts just before a minute boundary) and whose perp trades half a percent over its index, so the long
  // bought below pays funding at the first settlement.
  const std::int64_t minute_ms = 60'000;
  const std::int64_t start_ms = (clock_.now_us() / kUsPerMs / minute_ms + 1) * minute_ms - 4'000;
  const fs::path cfg = dir_ / "sim.toml";
  std::ofstream(cfg) << "[runtime]\nseed = 7\nstep_interval_ms = 100\nstart_time_ms = " << start_ms
                     << "\n[[market]]\nsymbol = \"SOL_USDC_PERP\"\nfunding_interval_ms = 60000\n"
                     << "[[model.coins]]\ncoin = \"SOL\"\n[[script]]\nat_seconds = 0\ncoin = \"SOL\"\nbasis_bps = 50\n";
  start_paper(cfg.string());
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // long 0.50 SOL before the settlement
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled); }));
  ASSERT_EQ(r.owner.filled, D("0.5"));

  // The daemon's Lighter reconciler (as app/lighter_node starts it), polling funding every 200 ms.
  runtime::ReconcilerOptions ro;
  ro.account_poll_us = 10 * kUsPerSecond;
  ro.fills_reconcile_us = 10 * kUsPerSecond;
  ro.funding_poll_us = 200 * kUsPerMs;
  ro.started_us = clock_.now_us();
  ro.venue = VenueId::kLighter;
  ro.feeds_engine_account = false;
  std::vector<std::pair<std::string, Decimal>> unpaired;
  auto rec = std::make_unique<runtime::Reconciler>(io_, log_, clock_, journal_, *r.venue,
                                                   std::vector<runtime::PairRef>{}, "USDC", FeeSchedule{}, ro);
  rec->on_unpaired_funding(
      [&](std::string_view sym, Decimal a, TimestampUs) { unpaired.emplace_back(std::string(sym), a); });
  rec->start(*r.engine, *r.portfolio, next_client_id_);
  journal::Journal& jr = *journal_.journal();
  std::vector<journal::FundingRecord> booked;
  ASSERT_TRUE(run_until([&] {
    auto f = jr.funding_since(0);
    if (f) booked = *f;
    return !booked.empty();
  }));
  // A few more polls (and the final pass) see the same payment: still one row, told once.
  const auto settle_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
  run_until([&] { return std::chrono::steady_clock::now() > settle_until; });
  bool final_done = false;
  rec->final_pass([&] { final_done = true; });
  ASSERT_TRUE(run_until([&] { return final_done; }));
  rec->cancel();
  auto f = jr.funding_since(0);
  ASSERT_TRUE(f);
  booked = *f;
  ASSERT_EQ(booked.size(), 1u);
  EXPECT_EQ(booked[0].venue, VenueId::kLighter);
  EXPECT_EQ(booked[0].symbol, "SOL");
  EXPECT_EQ(booked[0].interval_end_ms, start_ms + 4'000);
  EXPECT_TRUE(booked[0].amount.is_negative()) << booked[0].amount.str();  // a long pays a positive rate
  ASSERT_EQ(unpaired.size(), 1u);
  EXPECT_EQ(unpaired[0].first, "SOL");
  EXPECT_EQ(unpaired[0].second, booked[0].amount);

  // What bpsim's positionFunding answers, as the venue reports it: the same payment, to the micro-USDC.
  std::optional<std::vector<exec::FundingReport>> venue_funding;
  std::vector<std::string> symbols;
  r.venue->funding_history(100, [&](const exec::VenueError* e, std::span<const exec::FundingReport> fs) {
    ASSERT_EQ(e, nullptr) << e->message;
    venue_funding.emplace(fs.begin(), fs.end());
    for (const exec::FundingReport& x : fs) symbols.emplace_back(x.symbol);
  });
  ASSERT_TRUE(run_until([&] { return venue_funding.has_value(); }));
  ASSERT_EQ(venue_funding->size(), 1u);
  EXPECT_EQ(symbols[0], "SOL");
  EXPECT_EQ((*venue_funding)[0].quantity, booked[0].amount);
  EXPECT_EQ((*venue_funding)[0].interval_end_ms, booked[0].interval_end_ms);
}

TEST_F(LighterVenueTest, LighterAccountFiguresReachTheEnginesViewAndTheMarginRuleOfLighterOrders) {
  Run& r = start_run();
  // A Lighter account with 20 USDC of equity: the 0.50 SOL buy needs more margin than it has, whatever the
  // Backpack account (100,000) holds.
  r.engine->on_venue_account(VenueId::kLighter, exec::VenueAccount{true, D("20"), D("20"), Decimal{}});
  exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.refusal, exec::EntryRefusal::kRisk);
  EXPECT_EQ(s.risk.rule, RiskRule::kMarginHeadroom);
  EXPECT_EQ(s.risk.limit, D("20").mul(RiskLimits{}.max_margin_utilization, Rounding::kDown));

  // The daemon's Lighter reconciler (as app/lighter_node starts it): its account poll is Lighter's view.
  runtime::ReconcilerOptions ro;
  ro.account_poll_us = 10 * kUsPerSecond;
  ro.fills_reconcile_us = 10 * kUsPerSecond;
  ro.funding_poll_us = 10 * kUsPerSecond;
  ro.started_us = clock_.now_us();
  ro.venue = VenueId::kLighter;
  ro.feeds_engine_account = false;
  runtime::Reconciler rec(io_, log_, clock_, journal_, *r.venue, std::vector<runtime::PairRef>{}, "USDC", FeeSchedule{},
                          ro);
  rec.start(*r.engine, *r.portfolio, next_client_id_);
  ASSERT_TRUE(run_until([&] { return r.engine->venue_account(VenueId::kLighter).net_equity == D("100000"); }));
  EXPECT_EQ(r.engine->venue_account(VenueId::kLighter).available_margin, D("100000"));
  EXPECT_EQ(r.engine->venue_account(VenueId::kBackpack).net_equity, D("100000"));  // the primary's, untouched
  rec.cancel();
  s = submit(r, /*ioc=*/true, 20, 50);
  EXPECT_TRUE(s.ok()) << exec::entry_refusal_name(s.refusal) << " " << s.risk.rule_name();
}

TEST_F(LighterVenueTest, ALighterBookThatIsNoLongerSyncedMakesItsInstrumentUntradeable) {
  Run& r = start_run();
  ASSERT_TRUE(r.venue->book_valid(r.sol));
  const OrderBook& book = *r.venue->book(r.sol);
  const Decimal ask = book.best_ask().price;
  r.venue->close();  // the stream is gone: every Lighter book is invalid until a fresh snapshot
  ASSERT_TRUE(run_until([&] { return !r.venue->book_valid(r.sol); }));
  EXPECT_EQ(r.venue->valid_books(), 0u);
  exec::SingleOrderRequest q;
  q.instrument = r.sol;
  q.side = Side::kBid;
  q.price_ticks = r.instruments.market(r.sol).price_to_ticks(ask);
  q.quantity_lots = 50;
  q.ioc = true;
  const exec::SubmitResult s = r.engine->order_entry().submit(r.owner_id, q, clock_.now_us());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.refusal, exec::EntryRefusal::kRisk);
  auto intents = journal_.journal()->open_intents();
  ASSERT_TRUE(intents);
  EXPECT_TRUE(intents->empty()) << "nothing was sent";
}

// ---- The built daemon in paper mode with [venues.lighter]

TEST(LighterDaemon, PaperModeWithLighterMarketsShowsTheLighterBooksHealthyInStatus) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_lighter_paper_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::uint16_t port = static_cast<std::uint16_t>(21000 + ::getpid() % 20000);
  std::ofstream(dir / "bparb.toml") << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \""
                                    << BPARB_SOURCE_DIR << "/config/paper-sim.toml\"\nduration_seconds = 30\n"
                                    << "[logging]\nfile = \"" << (dir / "arbitrage.log").string()
                                    << "\"\n[journal]\npath = \"" << (dir / "journal.sqlite").string()
                                    << "\"\n[service]\nenabled = true\nport = " << port
                                    << "\n[venues.lighter]\naccount_index = 1001\napi_key_index = 4\n"
                                    << "markets = [\"SOL\", \"BTC\"]\n";
  const std::string bin = bparb_binary().string();
  const std::string cfg = (dir / "bparb.toml").string();
  const std::string out = (dir / "out.txt").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FILE* f = std::freopen(out.c_str(), "w", stdout);
    (void)f;
    ::dup2(::fileno(stdout), 2);
    ::execl(bin.c_str(), "bparb", "run", "--config", cfg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string status;
  bool healthy = false;
  for (int i = 0; i < 200 && !healthy; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto a = testing::http_get(port, "/api/v1/status");
    if (!a || a->status != 200) continue;
    status = a->body;
    const std::size_t lighter = status.find("\"name\":\"lighter\"");
    healthy = status.find("\"ready\":true") != std::string::npos && lighter != std::string::npos &&
              status.find("\"symbol\":\"SOL\",\"valid\":true", lighter) != std::string::npos &&
              status.find("\"symbol\":\"BTC\",\"valid\":true", lighter) != std::string::npos;
  }
  // /metrics: Lighter's net equity from its reconciler's first account poll (the simulated account's 100,000
  // USDC of collateral and no position), beside its margin.
  std::string metrics;
  for (int i = 0; i < 100 && healthy; ++i) {
    const auto m = testing::http_get(port, "/metrics");
    if (m && m->status == 200 && m->body.find("bparb_equity_usd{venue=\"lighter\"}") != std::string::npos) {
      metrics = m->body;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A clean stop (SIGTERM): the dead-man switch's schedule is aborted on the way out.
  ::kill(child, SIGTERM);
  int st = 0;
  ::waitpid(child, &st, 0);
  EXPECT_TRUE(WIFEXITED(st)) << slurp(out);
  const std::string log = slurp(dir / "arbitrage.log");
  EXPECT_TRUE(healthy) << status;
  EXPECT_NE(status.find("\"stream_connected\":true"), std::string::npos) << status;
  // The Lighter venue's own figures: its stream's last frame (the books are synced, so frames came).
  const std::size_t lighter = status.find("\"name\":\"lighter\"");
  ASSERT_NE(lighter, std::string::npos) << status;
  EXPECT_NE(status.find("\"last_message_age_seconds\":\"", lighter), std::string::npos) << status;
  EXPECT_NE(status.find("\"latency\":{\"order_ack\":{\"count\":0", lighter), std::string::npos) << status;
  EXPECT_NE(metrics.find("bparb_equity_usd{venue=\"lighter\"} 100000\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("bparb_margin_available_usd{venue=\"lighter\"} 100000\n"), std::string::npos) << metrics;
  EXPECT_NE(log.find("Lighter market SOL (id 0)"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch armed"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch aborted"), std::string::npos) << log;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb::lighter_daemon_testing
