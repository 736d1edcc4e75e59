// Lighter as the daemon's second venue, end to end over loopback sockets against paper mode's embedded bpsim:
// orders on a Lighter instrument through the daemon's pieces (lighter_daemon_fixture.hpp) — a fill booked once
// in the journal to the cent, the tick-to-order sample, a pool of API keys and a key the venue does not hold,
// a replace as one ModifyOrder, the kernel's cancel-all as one CancelAllOrders.
#include "lighter_daemon_fixture.hpp"

namespace bparb::lighter_daemon_testing {
namespace {

TEST_F(LighterVenueTest, AnOrderOnALighterInstrumentFillsOnBpsimAndTheJournalHoldsEachTradeOnceToTheCent) {
  Run& r = start_run();
  EXPECT_EQ(r.instruments[r.sol].venue, VenueId::kLighter);
  // The premium account's fees, from orderBookDetails (percent) into the table (bps).
  EXPECT_EQ(r.instruments[r.sol].fees.taker_bps, D("2"));
  EXPECT_EQ(r.instruments[r.sol].fees.maker_bps, D("0.2"));

  // The venue tells of each order's answer before the engine hears it (the operator's order-ack latency).
  std::vector<std::pair<ClientId, bool>> answered;
  r.venue->on_answered([&](ClientId id, bool a) { answered.emplace_back(id, a); });
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // buy 0.50 SOL through the ask
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled); }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kFilled));
  EXPECT_EQ(r.owner.filled, D("0.5"));
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_EQ(answered[0].first, s.client_id);
  EXPECT_TRUE(answered[0].second);

  // The journal: the intent and its fills, venue lighter.
  journal::Journal& jr = *journal_.journal();
  auto intent = jr.find_intent(s.client_id);
  ASSERT_TRUE(intent && *intent);
  EXPECT_EQ((*intent)->intent.venue, VenueId::kLighter);
  EXPECT_EQ((*intent)->intent.symbol, "SOL");
  EXPECT_EQ((*intent)->intent.pair, "");
  auto fills = jr.fills_since(0);
  ASSERT_TRUE(fills);
  ASSERT_FALSE(fills->empty());
  Decimal qty, fees;
  for (const journal::FillRecord& f : *fills) {
    EXPECT_EQ(f.venue, VenueId::kLighter);
    EXPECT_EQ(f.symbol, "SOL");
    EXPECT_EQ(f.client_id, s.client_id);
    EXPECT_FALSE(f.maker);
    // Taker fee 0.02 % of the notional, rounded up to the micro-USDC.
    EXPECT_EQ(f.fee, f.price.mul(f.quantity, Rounding::kUp).mul(D("0.02"), Rounding::kUp).div_int(100, Rounding::kUp));
    qty += f.quantity;
    fees += f.fee;
  }
  EXPECT_EQ(qty, D("0.5"));

  // bpsim's record: the same trades (ids, prices, sizes) in the account's trades...
  std::optional<std::vector<exec::FillReport>> venue_fills;
  std::vector<std::string> keep;  // the reports' views live until the callback returns
  r.venue->recent_fills(0, 100, [&](const exec::VenueError* e, std::span<const exec::FillReport> fs) {
    ASSERT_EQ(e, nullptr) << e->message;
    venue_fills.emplace(fs.begin(), fs.end());
    for (exec::FillReport& f : *venue_fills) {
      keep.emplace_back(f.symbol);
      f.symbol = {};
      f.exchange_order_id = {};
    }
  });
  ASSERT_TRUE(run_until([&] { return venue_fills.has_value(); }));
  ASSERT_EQ(venue_fills->size(), fills->size());
  for (std::size_t i = 0; i < fills->size(); ++i) {
    const exec::FillReport& v = (*venue_fills)[i];
    const journal::FillRecord& j = (*fills)[i];
    EXPECT_EQ(v.trade_id, j.trade_id);
    EXPECT_EQ(v.client_id, s.client_id);
    EXPECT_EQ(v.price, j.price);
    EXPECT_EQ(v.quantity, j.quantity);
    EXPECT_EQ(v.fee, j.fee);
    // ...offered again (the fills reconciliation's path), each is known: booked exactly once.
    exec::FillReport again = v;
    again.symbol = keep[i];
    EXPECT_FALSE(runtime::ingest_fill(journal_, again, [](const exec::FillReport&) {}));
  }
  // ...and its collateral: 100,000 USDC less the fees, to the cent.
  lighter::LighterRestOptions ro;
  ro.http.base_url = paper_->lighter_http_url();
  lighter::LighterRest rest(io_, ro);
  std::optional<Decimal> collateral;
  rest.account(kAccount, [&](lighter::RestResult<lighter::Account>& a) {
    ASSERT_TRUE(a.has_value());
    collateral = a->collateral;
  });
  ASSERT_TRUE(run_until([&] { return collateral.has_value(); }));
  EXPECT_EQ(collateral->round_to(D("0.01"), Rounding::kNearest),
            (D("100000") - fees).round_to(D("0.01"), Rounding::kNearest));
}

TEST_F(LighterVenueTest, ALighterOrderDecidedOnABookFrameHasATickToOrderSampleOnceItsTransactionIsWritten) {
  Run& r = start_run();
  // An order no frame decided (the operator's, a timer's): its answer is timed, no tick-to-order sample.
  exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  EXPECT_EQ(r.events->lighter_metrics().order_ack().count(), 1u);
  EXPECT_EQ(r.events->lighter_metrics().tick_to_order().count(), 0u);

  // One placed while the sink hands a Lighter book frame to the engine (as the daemon's book callbacks do):
  // its transaction on the socket gives Lighter one sample, Backpack's histogram none (no order there).
  const OrderBook& book = *r.venue->book(r.sol);
  ASSERT_GT(book.last_update_us(), 0);
  r.events->tick_begin(book.last_update_us());
  s = submit(r, /*ioc=*/true, 20, 50);
  r.events->tick_end();
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  EXPECT_EQ(r.events->lighter_metrics().tick_to_order().count(), 1u);
  EXPECT_EQ(r.events->lighter_metrics().order_ack().count(), 2u);
  EXPECT_EQ(r.events->metrics().tick_to_order().count(), 0u);
}

TEST_F(LighterVenueTest, APoolOfApiKeysSignsTransactionsInTurnEachKeyWithItsOwnNonces) {
  add_pool_key(5, true);
  add_pool_key(6, true);
  const std::int64_t before = next_nonce(4) + next_nonce(5) + next_nonce(6);
  Run& r = start_run();
  // Six post-only bids well below the touch, one after the other: each transaction takes the next key.
  for (int i = 0; i < 6; ++i) {
    const exec::SubmitResult s = submit(r, /*ioc=*/false, 200 + i, 50);
    ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
    ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted, s.client_id); }));
  }
  EXPECT_EQ(open_orders(r), 6u);
  EXPECT_EQ(active_orders().size(), 6u);
  // Every key signed: the venue took each one's nonces in its own sequence (slot 4's, 5's and 6's), six in all.
  const std::int64_t n4 = next_nonce(4), n5 = next_nonce(5), n6 = next_nonce(6);
  EXPECT_EQ(n4 + n5 + n6 - before, 6);
  EXPECT_GE(n4, 1);
  EXPECT_GE(n5, 1);
  EXPECT_GE(n6, 1);
}

TEST_F(LighterVenueTest, AStartWithAKeyTheVenueDoesNotHoldInItsSlotStopsNamingTheSlot) {
  {
    add_pool_key(5, /*registered=*/false);  // slot 5 of the account is empty on the venue
    runs_.push_back(std::make_unique<Run>());
    runtime::LighterVenueOptions o;
    o.rest_url = paper_->lighter_http_url();
    o.ws_url = paper_->lighter_ws_url();
    o.signer = signer_config();
    o.markets = {"SOL"};
    o.source_path = "test.toml";
    o.dead_man_switch = false;
    const std::string e = load(*runs_.back(), o);
    EXPECT_NE(e.find("account 1001 has no API key in slot 5 on the venue (test.toml"), std::string::npos) << e;
  }
  // Slot 5 holds another key (the first one's): its transactions would all be refused for their signature.
  pool_.clear();
  registered_more_.clear();
  add_pool_key(5, /*registered=*/false, &pub_hex_);
  runs_.push_back(std::make_unique<Run>());
  runtime::LighterVenueOptions o;
  o.rest_url = paper_->lighter_http_url();
  o.ws_url = paper_->lighter_ws_url();
  o.signer = signer_config();
  o.markets = {"SOL"};
  o.source_path = "test.toml";
  o.dead_man_switch = false;
  const std::string e = load(*runs_.back(), o);
  EXPECT_NE(e.find("the key for API key slot 5 of account 1001 is not the one the venue holds there (venue " +
                   pub_hex_ + ", ours "),
            std::string::npos)
      << e;
}

TEST_F(LighterVenueTest, AReplaceOfARestingLighterOrderIsOneModifyOrderAndTheJournalAndOmsAgree) {
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/false, 200, 50);  // a post-only bid well below the touch
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted, s.client_id); }));
  std::vector<lighter::Order> before = active_orders();
  ASSERT_EQ(before.size(), 1u);
  const std::int64_t nonce_before = next_nonce();

  // Requoted: 150 ticks below the touch, 0.60 SOL, through the kernel's order entry and the daemon's sink.
  const MarketSpec& m = r.instruments.market(r.sol);
  const std::int64_t ticks = m.price_to_ticks(r.venue->book(r.sol)->best_bid().price) - 150;
  const exec::SubmitResult n = r.engine->order_entry().replace(r.owner_id, s.client_id, ticks, 60, clock_.now_us());
  ASSERT_TRUE(n.ok()) << exec::entry_refusal_name(n.refusal);
  ASSERT_NE(n.client_id, s.client_id);
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kAccepted, n.client_id);
  }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, s.client_id));
  EXPECT_EQ(r.venue->counts().replaces, 1u);

  // bpsim: one transaction (the key's nonce moved by one), the same venue order (a modify keeps its index and
  // client order index) at the new price and size: a cancel and a new order would be two, and a new index.
  EXPECT_EQ(next_nonce(), nonce_before + 1);
  const std::vector<lighter::Order> after = active_orders();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].order_index, before[0].order_index);
  EXPECT_EQ(after[0].client_order_index, static_cast<std::int64_t>(s.client_id));
  EXPECT_EQ(after[0].price, m.ticks_to_price(ticks));
  EXPECT_EQ(after[0].initial_base_amount, D("0.6"));
  EXPECT_EQ(after[0].status, lighter::OrderStatus::kOpen);

  // The OMS: the old order cancelled (and settled), the new one open.
  const oms::Order* old_order = r.engine->orders().find(s.client_id);
  ASSERT_NE(old_order, nullptr);
  EXPECT_EQ(old_order->state(), oms::OrderState::kCancelled);
  const oms::Order* new_order = r.engine->orders().find(n.client_id);
  ASSERT_NE(new_order, nullptr);
  EXPECT_EQ(new_order->state(), oms::OrderState::kOpen);
  EXPECT_EQ(new_order->request().price, m.ticks_to_price(ticks));
  // The journal: the same story, venue lighter; only the new order's intent is still open.
  journal::Journal& jr = *journal_.journal();
  auto old_intent = jr.find_intent(s.client_id);
  ASSERT_TRUE(old_intent && *old_intent);
  EXPECT_EQ((*old_intent)->state, journal::OrderRecordState::kCancelled);
  auto new_intent = jr.find_intent(n.client_id);
  ASSERT_TRUE(new_intent && *new_intent);
  EXPECT_EQ((*new_intent)->intent.venue, VenueId::kLighter);
  EXPECT_EQ((*new_intent)->intent.price, m.ticks_to_price(ticks));
  EXPECT_EQ((*new_intent)->intent.quantity, D("0.6"));
  EXPECT_EQ((*new_intent)->state, journal::OrderRecordState::kOpen);
  auto open = jr.open_intents();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().intent.client_id, n.client_id);
}

TEST_F(LighterVenueTest, TheKernelsCancelAllIsOneCancelAllOrdersOnLighterNotACancelPerOrder) {
  Run& r = start_run();
  const exec::SubmitResult a = submit(r, /*ioc=*/false, 200, 50);
  const exec::SubmitResult b = submit(r, /*ioc=*/false, 250, 60);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kAccepted, a.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kAccepted, b.client_id);
  }));
  ASSERT_EQ(active_orders().size(), 2u);
  const std::int64_t nonce_before = next_nonce();

  // What shutdown and the operator's /api/v1/cancel-all do with the engine's live orders.
  std::vector<exec::LiveOrder> live;
  r.engine->live_orders(live);
  ASSERT_EQ(live.size(), 2u);
  r.events->cancel_all(live);
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kSettled, a.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kSettled, b.client_id);
  }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, a.client_id));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, b.client_id));
  EXPECT_EQ(next_nonce(), nonce_before + 1) << "one transaction for both orders";
  EXPECT_TRUE(active_orders().empty());
  EXPECT_EQ(r.venue->counts().cancels, 0u) << "no per-order cancel was sent";
  auto open = journal_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

}  // namespace
}  // namespace bparb::lighter_daemon_testing
