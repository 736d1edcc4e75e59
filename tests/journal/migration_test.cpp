// Schema migration: a journal written by the schema-1 release (tests/journal/data/v1_journal.sqlite, made
// by make_v1_journal.cpp there) opened by the current code, and the keys the current schema adds.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "bparb/journal/journal.hpp"

namespace bparb::journal {
namespace {

Decimal mig_dec(const char* s) {
  return Decimal::from_string(s);
}

// Every table's definition and every row, as text: "did anything change" for a whole file.
std::string dump(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string out;
  auto each_row = [&](const std::string& sql, auto&& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out += "cannot prepare " + sql;
      return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
  };
  auto text = [](sqlite3_stmt* st, int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return p != nullptr ? std::string(p) : std::string("NULL");
  };
  std::vector<std::string> tables;
  each_row("SELECT type, name, sql FROM sqlite_schema ORDER BY name", [&](sqlite3_stmt* st) {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on a chain of string +.
    out.append(text(st, 0)).append(" ").append(text(st, 1)).append(": ").append(text(st, 2)).append("\n");
    if (text(st, 0) == "table") tables.push_back(text(st, 1));
  });
  for (const std::string& t : tables) {
    each_row("SELECT * FROM \"" + t + "\" ORDER BY 1", [&](sqlite3_stmt* st) {
      out.append(t).append(":");
      for (int c = 0; c < sqlite3_column_count(st); ++c) out.append(" ").append(text(st, c));
      out.append("\n");
    });
  }
  sqlite3_close(db);
  return out;
}

void migration_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(db);
}

class JournalMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / ("bparb_migration_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "journal.sqlite").string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void copy_v1() {
    std::filesystem::copy_file(std::filesystem::path(BPARB_TEST_DATA_DIR) / "v1_journal.sqlite", path_);
  }
  // Opening must fail with all of `needles` in the message.
  void expect_open_fails(const JournalOptions& opts, std::initializer_list<std::string> needles) {
    try {
      Journal::open(path_, opts);
      ADD_FAILURE() << "expected an exception";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      for (const std::string& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "no '" << n << "' in " << what;
    }
  }

  std::filesystem::path dir_;
  std::string path_;
};

// The rows make_v1_journal.cpp wrote.
IntentRecord v1_intent(ClientId cid, const char* leg, const char* symbol, Side side, const char* price,
                       std::uint32_t flags, TimestampUs t) {
  IntentRecord r;
  r.client_id = cid;
  r.pair = "SOL";
  r.leg = leg;
  r.purpose = "Entry";
  r.symbol = symbol;
  r.side = side;
  r.type = OrderType::kLimit;
  r.tif = TimeInForce::kIoc;
  r.price = mig_dec(price);
  r.quantity = mig_dec("3.3");
  r.flags = flags;
  r.created_us = t;
  return r;
}

FillRecord v1_fill(std::int64_t trade, const char* symbol, ClientId cid, Side side, const char* price, const char* qty,
                   const char* fee, const char* fee_symbol, bool maker, TimestampUs t) {
  FillRecord f;
  f.trade_id = trade;
  f.symbol = symbol;
  f.client_id = cid;
  f.side = side;
  f.price = mig_dec(price);
  f.quantity = mig_dec(qty);
  f.fee = mig_dec(fee);
  f.fee_symbol = fee_symbol;
  f.maker = maker;
  f.time_us = t;
  return f;
}

TEST_F(JournalMigrationTest, V1FileIsMigratedInPlaceAndRecoversEveryRow) {
  copy_v1();
  const std::string before = dump(path_);
  ASSERT_NE(before.find("spot_qty_e9"), std::string::npos) << "not a schema-1 file:\n" << before;

  // Read-only: refused, and the file is left as it was.
  expect_open_fails({.read_only = true}, {path_, "schema version 1 needs a migration"});
  EXPECT_EQ(dump(path_), before);

  {
    auto j = Journal::open(path_);
    EXPECT_EQ(j.schema_version(), kSchemaVersion);
    EXPECT_EQ(j.migrated_from(), 1) << "the daemon logs the migration from this";
  }
  // Verified through a second open: what the migration committed, not what one connection saw.
  auto j = Journal::open(path_);
  EXPECT_EQ(j.schema_version(), kSchemaVersion);
  EXPECT_EQ(j.migrated_from(), 0) << "already at the current schema: nothing migrated";

  IntentRecord perp =
      v1_intent(4'000'000'002u, "perp", "SOL_USDC_PERP", Side::kAsk, "150.57", 0, 1'700'000'000'000'001);
  IntentRecord exit =
      v1_intent(4'000'000'003u, "spot", "SOL_USDC", Side::kAsk, "151", kIntentReduceOnly, 1'700'000'000'500'000);
  exit.purpose = "Exit";
  exit.type = OrderType::kMarket;
  exit.tif = TimeInForce::kFok;
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value()) << j.last_error();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].intent, perp);
  EXPECT_EQ((*open)[0].intent.venue, VenueId::kBackpack);
  EXPECT_TRUE((*open)[0].acked);
  EXPECT_EQ((*open)[0].exchange_order_id, "9002");
  EXPECT_EQ((*open)[0].state, OrderRecordState::kPartiallyFilled);
  EXPECT_EQ((*open)[0].executed, mig_dec("1.1"));
  EXPECT_EQ((*open)[0].updated_us, 1'700'000'000'000'200);
  EXPECT_EQ((*open)[1].intent, exit);
  EXPECT_FALSE((*open)[1].acked);
  auto filled = j.find_intent(4'000'000'001u);
  ASSERT_TRUE(filled.has_value() && filled->has_value());
  EXPECT_EQ((*filled)->intent,
            v1_intent(4'000'000'001u, "spot", "SOL_USDC", Side::kBid, "150.25", 0, 1'700'000'000'000'000));
  EXPECT_EQ((*filled)->state, OrderRecordState::kFilled);
  EXPECT_EQ((*filled)->exchange_order_id, "9001");
  EXPECT_EQ(j.peek_next_client_id(), 4'000'000'004u);

  auto fills = j.fills_since(0);
  ASSERT_TRUE(fills.has_value()) << j.last_error();
  ASSERT_EQ(fills->size(), 3u);
  EXPECT_EQ((*fills)[0], v1_fill(77, "SOL_USDC", 4'000'000'001u, Side::kBid, "150.25", "2.2", "0.0022", "SOL", false,
                                 1'700'000'000'000'050));
  EXPECT_EQ((*fills)[1], v1_fill(78, "SOL_USDC", 4'000'000'001u, Side::kBid, "150.25", "1.1", "0.0011", "SOL", true,
                                 1'700'000'000'000'060));
  EXPECT_EQ((*fills)[2], v1_fill(77, "SOL_USDC_PERP", 4'000'000'002u, Side::kAsk, "150.57", "1.1", "0.066255", "USDC",
                                 false, 1'700'000'000'000'070));
  auto last = j.last_fill_time_us();
  ASSERT_TRUE(last.has_value() && last->has_value());
  EXPECT_EQ(**last, 1'700'000'000'000'070);

  auto funding = j.funding_since(0);
  ASSERT_TRUE(funding.has_value()) << j.last_error();
  ASSERT_EQ(funding->size(), 2u);
  EXPECT_EQ((*funding)[0], (FundingRecord{"BTC_USDC_PERP", 1'699'996'400'000, mig_dec("0.5")}));
  EXPECT_EQ((*funding)[1], (FundingRecord{"SOL_USDC_PERP", 1'700'000'000'000, mig_dec("-0.0123")}));

  PositionRecord btc;
  btc.pair = "BTC";
  btc.position_id = 1;
  btc.open = false;
  btc.entry_basis = mig_dec("0.0011");
  btc.opened_us = 1'699'990'000'000'000;
  btc.closed_us = 1'699'999'000'000'000;
  btc.realized = mig_dec("1.065");
  btc.fees = mig_dec("0.8");
  btc.funding = mig_dec("0.5");
  PositionRecord sol;
  sol.pair = "SOL";
  sol.position_id = 2;
  sol.open = true;
  sol.spot_qty = mig_dec("3.3");
  sol.spot_cost = mig_dec("495.825");
  sol.perp_qty = mig_dec("-1.1");
  sol.perp_cost = mig_dec("-165.627");
  sol.entry_basis = mig_dec("0.002148");
  sol.opened_us = 1'700'000'000'000'000;
  sol.fees = mig_dec("0.396777");
  sol.funding = mig_dec("-0.0123");
  auto all = j.positions();
  ASSERT_TRUE(all.has_value()) << j.last_error();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], btc);
  EXPECT_EQ((*all)[1], sol);
  auto open_pos = j.open_positions();
  ASSERT_TRUE(open_pos.has_value()) << j.last_error();
  ASSERT_EQ(open_pos->size(), 1u);
  EXPECT_EQ((*open_pos)[0], sol);
  EXPECT_EQ((*open_pos)[0].spot_venue, VenueId::kBackpack);
  EXPECT_EQ((*open_pos)[0].perp_venue, VenueId::kBackpack);
  auto held = j.position_held_at("SOL", 1'700'000'100'000'000);
  ASSERT_TRUE(held.has_value() && held->has_value());
  EXPECT_EQ(**held, sol);

  auto baseline = j.daily_baseline();
  ASSERT_TRUE(baseline.has_value() && baseline->has_value());
  EXPECT_EQ(**baseline, (DailyBaseline{1'699'920'000'000'000, mig_dec("-12.5")}));
  auto ts = j.trading_state();
  ASSERT_TRUE(ts.has_value() && ts->has_value());
  EXPECT_EQ((*ts)->state, "ReduceOnly");
  EXPECT_EQ((*ts)->reason, "hedge deadline passed on SOL");
  EXPECT_EQ((*ts)->since_us, 42);
  auto note = j.get_meta("operator_note");
  ASSERT_TRUE(note.has_value() && note->has_value());
  EXPECT_EQ(**note, "v1 fixture");

  // The migrated rows take part in the new keys: a replayed Backpack fill is a duplicate, the same trade
  // id from another venue is not.
  auto replay = j.record_fill((*fills)[0]);
  ASSERT_TRUE(replay.has_value());
  EXPECT_FALSE(*replay);
  FillRecord other = (*fills)[0];
  other.venue = VenueId::kLighter;
  auto stored = j.record_fill(other);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(*stored);
  // The open position keeps being updated through the same API.
  sol.perp_qty = mig_dec("-3.3");
  sol.perp_cost = mig_dec("-496.881");
  ASSERT_TRUE(j.upsert_position(sol).ok()) << j.last_error();
  open_pos = j.open_positions();
  ASSERT_TRUE(open_pos.has_value() && open_pos->size() == 1u);
  EXPECT_EQ((*open_pos)[0], sol);
  EXPECT_TRUE(j.healthy());

  // The schema-1 position columns are gone (one row per leg instead).
  const std::string after = dump(path_);
  EXPECT_EQ(after.find("spot_qty_e9"), std::string::npos) << after;
  EXPECT_NE(after.find("position_legs: SOL 2 1 perp backpack  -3300000000 -496881000000"), std::string::npos) << after;
}

TEST_F(JournalMigrationTest, FailedMigrationLeavesTheV1FileIntact) {
  // A table the migration wants to create already exists: the step fails after the fills and funding
  // tables were rebuilt, and everything is rolled back.
  copy_v1();
  migration_exec(path_, "CREATE TABLE position_legs (x INTEGER)");
  const std::string before = dump(path_);
  expect_open_fails({}, {path_, "schema migration failed", "position_legs"});
  EXPECT_EQ(dump(path_), before);

  // The disk fills up during the migration (no page may be added).
  std::filesystem::remove(path_);
  copy_v1();
  const std::string pristine = dump(path_);
  std::int64_t pages = 0;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  ASSERT_GT(pages, 0);
  expect_open_fails({.max_page_count = pages}, {path_, "schema migration failed", "full"});
  EXPECT_EQ(dump(path_), pristine);

  // With room, the same file migrates.
  auto j = Journal::open(path_);
  EXPECT_EQ(j.schema_version(), kSchemaVersion);
  auto open = j.open_positions();
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->size(), 1u);
}

TEST_F(JournalMigrationTest, FillsAreUniquePerVenueSymbolAndTradeId) {
  auto j = Journal::open(path_);
  FillRecord f = v1_fill(500, "SOL_USDC_PERP", 9, Side::kBid, "150", "1", "0.09", "USDC", false, 10);
  auto r = j.record_fill(f);
  ASSERT_TRUE(r.has_value() && *r);
  f.venue = VenueId::kLighter;  // the same trade id on another venue is another fill
  f.time_us = 20;
  r = j.record_fill(f);
  ASSERT_TRUE(r.has_value() && *r);
  r = j.record_fill(f);  // twice on one venue is a duplicate
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
  auto fills = j.fills_since(0);
  ASSERT_TRUE(fills.has_value());
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_EQ((*fills)[0].venue, VenueId::kBackpack);
  EXPECT_EQ((*fills)[1], f);

  // Funding is per venue too.
  auto fr = j.record_funding({"SOL_USDC_PERP", 1'000, mig_dec("0.1")});
  ASSERT_TRUE(fr.has_value() && *fr);
  fr = j.record_funding({"SOL_USDC_PERP", 1'000, mig_dec("0.2"), VenueId::kLighter});
  ASSERT_TRUE(fr.has_value() && *fr);
  fr = j.record_funding({"SOL_USDC_PERP", 1'000, mig_dec("0.2"), VenueId::kLighter});
  ASSERT_TRUE(fr.has_value());
  EXPECT_FALSE(*fr);
  auto funding = j.funding_since(0);
  ASSERT_TRUE(funding.has_value());
  ASSERT_EQ(funding->size(), 2u);
  EXPECT_EQ((*funding)[1], (FundingRecord{"SOL_USDC_PERP", 1'000, mig_dec("0.2"), VenueId::kLighter}));

  // A venue outside the enum is a caller bug, refused before anything is written.
  f.venue = static_cast<VenueId>(9);
  r = j.record_fill(f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, JournalErrc::kInvalidArgument);
  EXPECT_TRUE(j.healthy());
}

TEST_F(JournalMigrationTest, PositionLegsKeepVenueAndSymbol) {
  auto j = Journal::open(path_);
  PositionRecord p;
  p.pair = "ETH";
  p.position_id = 7;
  p.spot_qty = mig_dec("2");
  p.spot_cost = mig_dec("6000");
  p.spot_symbol = "ETH_USDC";
  p.perp_qty = mig_dec("-2");
  p.perp_cost = mig_dec("-6010");
  p.perp_venue = VenueId::kLighter;
  p.perp_symbol = "ETH";
  p.opened_us = 5;
  ASSERT_TRUE(j.upsert_position(p).ok()) << j.last_error();
  auto all = j.positions();
  ASSERT_TRUE(all.has_value() && all->size() == 1u);
  EXPECT_EQ((*all)[0], p);

  // A leg row removed by hand is reported, not read as a flat leg.
  migration_exec(path_, "DELETE FROM position_legs WHERE leg_index = 1");
  auto broken = j.positions();
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code, JournalErrc::kBadRow);
}

TEST_F(JournalMigrationTest, ClientIdBeyondUint32ComesBackWholeAndIdsResumeAfterIt) {
  // Stored ids are 64-bit and so is the API: a wider one is read back whole, never cut down.
  { auto j = Journal::open(path_); }
  migration_exec(path_,
                 "INSERT INTO intents (client_id, pair, leg, purpose, symbol, side, order_type, tif, price_e9, qty_e9, "
                 "flags, created_us, venue) VALUES (4294967297, 'SOL', 'spot', 'Entry', 'SOL_USDC', 'Bid', 'Limit', "
                 "'IOC', 1, 1, 0, 1, 'backpack')");
  auto j = Journal::open(path_);
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].intent.client_id, 4294967297u);
  EXPECT_EQ(j.peek_next_client_id(), 4294967298u);
  auto next = j.next_client_id();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 4294967298u);
}

}  // namespace
}  // namespace bparb::journal
