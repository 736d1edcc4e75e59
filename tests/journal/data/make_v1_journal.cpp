// Writes v1_journal.sqlite through the schema-v1 Journal API (see README.md in this folder for the
// command). The values are repeated in tests/journal/migration_test.cpp, which checks that every one
// survives the migration to the current schema.
#include <cstdio>
#include <string>

#include "bparb/journal/journal.hpp"

namespace {

bparb::Decimal d(const char* s) {
  return bparb::Decimal::from_string(s);
}

bool ok(const bparb::journal::Journal& j, bool good, const char* what) {
  if (!good) std::fprintf(stderr, "%s failed: %s\n", what, j.last_error().c_str());
  return good;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bparb;
  using namespace bparb::journal;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out.sqlite>\n", argv[0]);
    return 2;
  }
  std::remove(argv[1]);
  Journal j = Journal::open(argv[1]);
  bool good = true;

  // A basis entry on SOL: spot buy filled, perp sell partially filled and still working, plus an
  // exit order that was sent but never answered (crash between send and answer).
  auto intent = [](std::uint32_t cid, const char* leg, const char* symbol, Side side, const char* price,
                   const char* qty, std::uint32_t flags, TimestampUs t) {
    IntentRecord r;
    r.client_id = cid;
    r.pair = "SOL";
    r.leg = leg;
    r.purpose = "Entry";
    r.symbol = symbol;
    r.side = side;
    r.type = OrderType::kLimit;
    r.tif = TimeInForce::kIoc;
    r.price = d(price);
    r.quantity = d(qty);
    r.flags = flags;
    r.created_us = t;
    return r;
  };
  const IntentRecord batch[] = {
      intent(4'000'000'001u, "spot", "SOL_USDC", Side::kBid, "150.25", "3.3", 0, 1'700'000'000'000'000),
      intent(4'000'000'002u, "perp", "SOL_USDC_PERP", Side::kAsk, "150.57", "3.3", 0, 1'700'000'000'000'001),
  };
  good = good && ok(j, j.reserve_client_ids(4'000'000'000u).has_value(), "reserve_client_ids");
  good = good && ok(j, j.record_intents(batch).ok(), "record_intents");
  IntentRecord exit =
      intent(4'000'000'003u, "spot", "SOL_USDC", Side::kAsk, "151", "3.3", kIntentReduceOnly, 1'700'000'000'500'000);
  exit.purpose = "Exit";
  exit.type = OrderType::kMarket;
  exit.tif = TimeInForce::kFok;
  good = good && ok(j, j.record_intent(exit).ok(), "record_intent");
  good = good &&
         ok(j, j.record_ack({4'000'000'001u, "9001", OrderRecordState::kFilled, d("3.3"), 1'700'000'000'000'100}).ok(),
            "record_ack");
  good = good &&
         ok(j,
            j.record_ack({4'000'000'002u, "9002", OrderRecordState::kPartiallyFilled, d("1.1"), 1'700'000'000'000'200})
                .ok(),
            "record_ack");

  // Fills: the same trade id on spot and perp (Backpack's trade ids are per market).
  auto fill = [](std::int64_t trade, const char* symbol, std::uint32_t cid, Side side, const char* price,
                 const char* qty, const char* fee, const char* fee_symbol, bool maker, TimestampUs t) {
    FillRecord f;
    f.trade_id = trade;
    f.symbol = symbol;
    f.client_id = cid;
    f.side = side;
    f.price = d(price);
    f.quantity = d(qty);
    f.fee = d(fee);
    f.fee_symbol = fee_symbol;
    f.maker = maker;
    f.time_us = t;
    return f;
  };
  const FillRecord fills[] = {
      fill(77, "SOL_USDC", 4'000'000'001u, Side::kBid, "150.25", "2.2", "0.0022", "SOL", false, 1'700'000'000'000'050),
      fill(78, "SOL_USDC", 4'000'000'001u, Side::kBid, "150.25", "1.1", "0.0011", "SOL", true, 1'700'000'000'000'060),
      fill(77, "SOL_USDC_PERP", 4'000'000'002u, Side::kAsk, "150.57", "1.1", "0.066255", "USDC", false,
           1'700'000'000'000'070),
  };
  for (const FillRecord& f : fills) {
    auto r = j.record_fill(f);
    good = good && ok(j, r.has_value() && *r, "record_fill");
  }

  good =
      good && ok(j, j.record_funding({"SOL_USDC_PERP", 1'700'000'000'000, d("-0.0123")}).has_value(), "record_funding");
  good = good && ok(j, j.record_funding({"BTC_USDC_PERP", 1'699'996'400'000, d("0.5")}).has_value(), "record_funding");

  // One closed position (BTC) and the open SOL position.
  PositionRecord closed;
  closed.pair = "BTC";
  closed.position_id = 1;
  closed.open = false;
  closed.entry_basis = d("0.0011");
  closed.opened_us = 1'699'990'000'000'000;
  closed.closed_us = 1'699'999'000'000'000;
  closed.realized = d("1.065");
  closed.fees = d("0.8");
  closed.funding = d("0.5");
  good = good && ok(j, j.upsert_position(closed).ok(), "upsert_position");
  PositionRecord open;
  open.pair = "SOL";
  open.position_id = 2;
  open.open = true;
  open.spot_qty = d("3.3");
  open.spot_cost = d("495.825");
  open.perp_qty = d("-1.1");
  open.perp_cost = d("-165.627");
  open.entry_basis = d("0.002148");
  open.opened_us = 1'700'000'000'000'000;
  open.fees = d("0.396777");
  open.funding = d("-0.0123");
  good = good && ok(j, j.upsert_position(open).ok(), "upsert_position");

  good = good && ok(j, j.set_daily_baseline({1'699'920'000'000'000, d("-12.5")}).ok(), "set_daily_baseline");
  good =
      good && ok(j, j.set_trading_state({"ReduceOnly", "hedge deadline passed on SOL", 42}).ok(), "set_trading_state");
  good = good && ok(j, j.set_meta("operator_note", "v1 fixture").ok(), "set_meta");
  return good ? 0 : 1;
}
