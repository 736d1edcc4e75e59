#include "bparb/journal/journal.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace bparb::journal {
namespace {

Decimal d(const char* s) {
  return Decimal::from_string(s);
}

// A per-test scratch directory, removed at the end.
class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / ("bparb_journal_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "journal.sqlite").string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static IntentRecord intent(ClientId cid, const char* symbol = "SOL_USDC", Side side = Side::kBid) {
    IntentRecord in;
    in.client_id = cid;
    in.pair = "SOL";
    in.leg = "spot";
    in.purpose = "Entry";
    in.symbol = symbol;
    in.side = side;
    in.type = OrderType::kLimit;
    in.tif = TimeInForce::kIoc;
    in.price = d("150.25");
    in.quantity = d("0.33");
    in.flags = kIntentReduceOnly;
    in.created_us = 1'700'000'000'000'000 + cid;
    return in;
  }
  static FillRecord fill(std::int64_t trade_id, const char* symbol = "SOL_USDC", TimestampUs t = 1'000) {
    FillRecord f;
    f.trade_id = trade_id;
    f.symbol = symbol;
    f.client_id = 7;
    f.side = Side::kAsk;
    f.price = d("150.27");
    f.quantity = d("0.11");
    f.fee = d("0.016529700");
    f.fee_symbol = "USDC";
    f.maker = true;
    f.time_us = t;
    return f;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(JournalTest, CreatesSchemaWithWalAndVersion) {
  auto j = Journal::open(path_);
  EXPECT_EQ(j.schema_version(), kSchemaVersion);
  EXPECT_EQ(j.migrated_from(), 0) << "a new file is created, not migrated";
  EXPECT_TRUE(j.healthy());
  EXPECT_EQ(j.path(), path_);
  auto v = j.get_meta("schema_version");
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, std::to_string(kSchemaVersion));
  // WAL mode is persistent in the file header: the -wal file exists while a connection is open.
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal"));
}

TEST_F(JournalTest, IntentRoundTripAndOpenIntents) {
  auto j = Journal::open(path_);
  const IntentRecord a = intent(10);
  IntentRecord b = intent(11, "SOL_USDC_PERP", Side::kAsk);
  b.leg = "perp";
  b.type = OrderType::kMarket;
  b.tif = TimeInForce::kFok;
  b.flags = kIntentPostOnly;
  const IntentRecord batch[] = {a, b};
  ASSERT_TRUE(j.record_intents(batch).ok()) << j.last_error();
  ASSERT_TRUE(j.record_intent(intent(12)).ok());

  // 10: accepted, partially filled (not terminal); 11: filled (terminal); 12: never acked.
  ASSERT_TRUE(j.record_ack({10, "111", OrderRecordState::kPartiallyFilled, d("0.1"), 5}).ok());
  ASSERT_TRUE(j.record_ack({11, "112", OrderRecordState::kFilled, d("0.33"), 6}).ok());

  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value()) << j.last_error();
  ASSERT_EQ(open->size(), 2u);
  const OpenIntent& o10 = (*open)[0];
  EXPECT_EQ(o10.intent, a);
  EXPECT_TRUE(o10.acked);
  EXPECT_EQ(o10.exchange_order_id, "111");
  EXPECT_EQ(o10.state, OrderRecordState::kPartiallyFilled);
  EXPECT_EQ(o10.executed, d("0.1"));
  EXPECT_EQ(o10.updated_us, 5);
  const OpenIntent& o12 = (*open)[1];
  EXPECT_EQ(o12.intent.client_id, 12u);
  EXPECT_FALSE(o12.acked);
  EXPECT_EQ(o12.state, OrderRecordState::kPendingNew);
  EXPECT_TRUE(o12.exchange_order_id.empty());

  auto f11 = j.find_intent(11);
  ASSERT_TRUE(f11.has_value());
  ASSERT_TRUE(f11->has_value());
  EXPECT_EQ((*f11)->intent, b);
  EXPECT_EQ((*f11)->state, OrderRecordState::kFilled);
  auto none = j.find_intent(99);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST_F(JournalTest, AckTerminalStateIsStickyAndExecutedNeverDecreases) {
  auto j = Journal::open(path_);
  ASSERT_TRUE(j.record_intent(intent(1)).ok());
  // Stream says Filled first, then the (late) REST answer says New with nothing executed.
  ASSERT_TRUE(j.record_ack({1, "900", OrderRecordState::kFilled, d("0.33"), 20}).ok());
  ASSERT_TRUE(j.record_ack({1, "", OrderRecordState::kOpen, d("0"), 10}).ok());
  auto f = j.find_intent(1);
  ASSERT_TRUE(f.has_value() && f->has_value());
  EXPECT_EQ((*f)->state, OrderRecordState::kFilled);
  EXPECT_EQ((*f)->executed, d("0.33"));
  EXPECT_EQ((*f)->exchange_order_id, "900");  // an empty id does not erase a known one
  EXPECT_EQ((*f)->updated_us, 20);
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(open->empty());

  // Unknown -> Open -> Cancelled moves forward normally.
  ASSERT_TRUE(j.record_intent(intent(2)).ok());
  ASSERT_TRUE(j.record_ack({2, "", OrderRecordState::kUnknown, d("0"), 1}).ok());
  ASSERT_TRUE(j.record_ack({2, "901", OrderRecordState::kOpen, d("0"), 2}).ok());
  open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].state, OrderRecordState::kOpen);
  ASSERT_TRUE(j.record_ack({2, "901", OrderRecordState::kCancelled, d("0"), 3}).ok());
  open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(open->empty());
}

TEST_F(JournalTest, TerminalAckBeforeIntentLeavesNothingPending) {
  // Should not happen (intent first), but a replayed stream event must not create a phantom open order.
  auto j = Journal::open(path_);
  ASSERT_TRUE(j.record_ack({30, "77", OrderRecordState::kCancelled, d("0"), 1}).ok());
  ASSERT_TRUE(j.record_intent(intent(30)).ok());
  ASSERT_TRUE(j.record_ack({31, "78", OrderRecordState::kOpen, d("0"), 1}).ok());
  ASSERT_TRUE(j.record_intent(intent(31)).ok());
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].intent.client_id, 31u);
  EXPECT_EQ((*open)[0].exchange_order_id, "78");
}

TEST_F(JournalTest, DuplicateClientIdIntentIsAConstraintError) {
  auto j = Journal::open(path_);
  ASSERT_TRUE(j.record_intent(intent(5)).ok());
  const JournalStatus st = j.record_intent(intent(5));
  EXPECT_EQ(st.code, JournalErrc::kConstraint);
  EXPECT_FALSE(j.healthy());
  EXPECT_NE(j.last_error().find("record_intent"), std::string::npos);
}

TEST_F(JournalTest, BatchIntentIsAllOrNothing) {
  auto j = Journal::open(path_);
  ASSERT_TRUE(j.record_intent(intent(3)).ok());
  const IntentRecord batch[] = {intent(4), intent(3)};  // second collides
  EXPECT_EQ(j.record_intents(batch).code, JournalErrc::kConstraint);
  auto f4 = j.find_intent(4);
  ASSERT_TRUE(f4.has_value());
  EXPECT_FALSE(f4->has_value()) << "intent 4 must have been rolled back";
}

TEST_F(JournalTest, FillDedupByTradeIdAndSymbol) {
  auto j = Journal::open(path_);
  auto r = j.record_fill(fill(100));
  ASSERT_TRUE(r.has_value()) << j.last_error();
  EXPECT_TRUE(*r);
  r = j.record_fill(fill(100));  // replay (stream + history)
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
  r = j.record_fill(fill(100, "SOL_USDC_PERP", 2'000));  // same trade id on another market is another fill
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(*r);
  r = j.record_fill(fill(101, "SOL_USDC", 3'000));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(*r);
  EXPECT_TRUE(j.healthy());

  auto all = j.fills_since(0);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], fill(100));
  EXPECT_EQ((*all)[1].symbol, "SOL_USDC_PERP");
  EXPECT_EQ((*all)[2].trade_id, 101);
  auto later = j.fills_since(2'000);
  ASSERT_TRUE(later.has_value());
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ((*later)[0].time_us, 2'000);
  auto last = j.last_fill_time_us();
  ASSERT_TRUE(last.has_value() && last->has_value());
  EXPECT_EQ(**last, 3'000);
}

TEST_F(JournalTest, LastFillTimeEmptyJournal) {
  auto j = Journal::open(path_);
  auto last = j.last_fill_time_us();
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->has_value());
}

TEST_F(JournalTest, MalformedFillAndIntentAreRefusedWithoutBreakingTheJournal) {
  auto j = Journal::open(path_);
  auto r = j.record_fill(fill(-1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, JournalErrc::kInvalidArgument);
  IntentRecord in = intent(1);
  in.symbol.clear();
  EXPECT_EQ(j.record_intent(in).code, JournalErrc::kInvalidArgument);
  // A caller bug, not a storage failure: the journal stays usable.
  EXPECT_TRUE(j.healthy());
  EXPECT_TRUE(j.record_intent(intent(1)).ok());
}

TEST_F(JournalTest, FundingDedup) {
  auto j = Journal::open(path_);
  auto r = j.record_funding({"SOL_USDC_PERP", 1'700'000'000'000, d("-0.0123")});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(*r);
  r = j.record_funding({"SOL_USDC_PERP", 1'700'000'000'000, d("-0.0123")});
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
  r = j.record_funding({"BTC_USDC_PERP", 1'700'000'000'000, d("0.5")});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(*r);
  auto rows = j.funding_since(0);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], (FundingRecord{"BTC_USDC_PERP", 1'700'000'000'000, d("0.5")}));
  EXPECT_EQ((*rows)[1].amount, d("-0.0123"));
}

TEST_F(JournalTest, PositionUpsertAndOpenPositions) {
  auto j = Journal::open(path_);
  PositionRecord p;
  p.pair = "SOL";
  p.position_id = 1;
  p.open = true;
  p.spot_qty = d("3.3");
  p.spot_cost = d("495.825");
  p.perp_qty = d("-3.3");
  p.perp_cost = d("-496.89");
  p.entry_basis = d("0.002148");
  p.opened_us = 100;
  p.fees = d("0.8");
  ASSERT_TRUE(j.upsert_position(p).ok());
  PositionRecord q = p;
  q.pair = "BTC";
  q.spot_qty = d("0.001");
  ASSERT_TRUE(j.upsert_position(q).ok());

  auto open = j.open_positions();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0], q);  // ordered by pair
  EXPECT_EQ((*open)[1], p);

  p.open = false;
  p.spot_qty = Decimal::zero();
  p.perp_qty = Decimal::zero();
  p.closed_us = 500;
  p.realized = d("1.065");
  p.funding = d("0.02");
  ASSERT_TRUE(j.upsert_position(p).ok());
  open = j.open_positions();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].pair, "BTC");
}

TEST_F(JournalTest, MetaBaselineAndTradingState) {
  auto j = Journal::open(path_);
  auto none = j.daily_baseline();
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(j.set_daily_baseline({utc_day_start(1'700'000'123'000'000), d("-12.5")}).ok());
  ASSERT_TRUE(j.set_trading_state({"ReduceOnly", "hedge deadline passed on SOL", 42}).ok());
  ASSERT_TRUE(j.set_meta("operator_note", "resumed by alice").ok());
  EXPECT_EQ(j.set_meta("schema_version", "9").code, JournalErrc::kInvalidArgument);
  EXPECT_EQ(j.set_meta("next_client_id", "1").code, JournalErrc::kInvalidArgument);

  auto b = j.daily_baseline();
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ(**b, (DailyBaseline{1'699'920'000'000'000, d("-12.5")}));
  auto ts = j.trading_state();
  ASSERT_TRUE(ts.has_value() && ts->has_value());
  EXPECT_EQ((*ts)->state, "ReduceOnly");
  EXPECT_EQ((*ts)->reason, "hedge deadline passed on SOL");
  EXPECT_EQ((*ts)->since_us, 42);
  auto note = j.get_meta("operator_note");
  ASSERT_TRUE(note.has_value() && note->has_value());
  EXPECT_EQ(**note, "resumed by alice");
  auto missing = j.get_meta("nope");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(JournalTest, PersistsAcrossCloseAndReopen) {
  {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.record_intent(intent(20)).ok());
    ASSERT_TRUE(j.record_fill(fill(7)).has_value());
    ASSERT_TRUE(j.record_funding({"SOL_USDC_PERP", 5, d("1")}).has_value());
    ASSERT_TRUE(j.set_daily_baseline({0, d("3")}).ok());
  }
  auto j = Journal::open(path_);
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].intent, intent(20));
  auto again = j.record_fill(fill(7));  // dedup survives the restart
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);
  auto fund = j.record_funding({"SOL_USDC_PERP", 5, d("1")});
  ASSERT_TRUE(fund.has_value());
  EXPECT_FALSE(*fund);
  auto b = j.daily_baseline();
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->baseline, d("3"));
}

TEST_F(JournalTest, IntentWithoutFullSyncStillPersists) {
  {
    auto j = Journal::open(path_, {.intent_full_sync = false});
    ASSERT_TRUE(j.record_intent(intent(40)).ok());
    ASSERT_TRUE(j.set_trading_state({"Halted", "operator", 1}).ok());  // still FULL
    ASSERT_TRUE(j.record_intent(intent(41)).ok());
  }
  auto j = Journal::open(path_);
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[1].intent, intent(41));
  EXPECT_EQ(j.peek_next_client_id(), 42u);
}

TEST_F(JournalTest, ClientIdsMonotonicAcrossReopen) {
  {
    auto j = Journal::open(path_);
    EXPECT_EQ(j.peek_next_client_id(), 1u);
    auto a = j.next_client_id();
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(*a, 1u);
    auto block = j.reserve_client_ids(100);
    ASSERT_TRUE(block.has_value());
    EXPECT_EQ(*block, 2u);
    EXPECT_EQ(j.peek_next_client_id(), 102u);
  }
  {
    auto j = Journal::open(path_);
    EXPECT_EQ(j.peek_next_client_id(), 102u);
    // An intent journaled beyond the counter (engine allocating inside its block) pushes it on.
    ASSERT_TRUE(j.record_intent(intent(500)).ok());
    EXPECT_EQ(j.peek_next_client_id(), 501u);
  }
  auto j = Journal::open(path_);
  EXPECT_EQ(j.peek_next_client_id(), 501u);  // recomputed from the intents table
  auto c = j.next_client_id();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, 501u);
}

TEST_F(JournalTest, ClientIdSpaceExhaustion) {
  auto j = Journal::open(path_);
  // Ids are 64-bit: 2^32 is an ordinary id.
  ASSERT_TRUE(j.record_intent(intent(0xFFFF'FFFFu)).ok());
  auto wide = j.next_client_id();
  ASSERT_TRUE(wide.has_value());
  EXPECT_EQ(*wide, ClientId{1} << 32);
  // The stored range ends at SQLite's largest integer; beyond it an intent is refused, never wrapped.
  constexpr ClientId kTop = 0x7FFF'FFFF'FFFF'FFFFu;
  EXPECT_FALSE(j.record_intent(intent(kTop + 1)).ok());
  ASSERT_TRUE(j.record_intent(intent(kTop - 1)).ok());
  auto last = j.next_client_id();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, kTop);
  auto over = j.next_client_id();
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, JournalErrc::kExhausted);
  EXPECT_FALSE(j.healthy());
}

TEST_F(JournalTest, FullDiskSurfacesAsFailedWrite) {
  // Page size 4096: the schema alone needs ~12 pages, so a cap of 16 fills up after a few hundred rows.
  auto j = Journal::open(path_, {.max_page_count = 16});
  JournalStatus st;
  ClientId cid = 1;
  for (; cid < 10'000; ++cid) {
    IntentRecord in = intent(cid);
    in.purpose = std::string(200, 'x');  // fill pages quickly
    st = j.record_intent(in);
    if (!st.ok()) break;
  }
  ASSERT_LT(cid, 10'000u) << "the page cap never triggered";
  EXPECT_EQ(st.code, JournalErrc::kFull);
  EXPECT_EQ(st.sqlite_code & 0xff, SQLITE_FULL);
  EXPECT_STREQ(st.op, "record_intent");
  EXPECT_FALSE(j.healthy());
  EXPECT_NE(j.last_error().find("full"), std::string::npos) << j.last_error();
  // Reads still work for diagnosis, and the failed intent is not half-written.
  auto f = j.find_intent(cid);
  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->has_value());
  auto open = j.open_intents();
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->size(), cid - 1);
  // Other writes fail too once no page is left, and say so (a small row may still fit in a page).
  Expected<bool, JournalStatus> fr = true;
  for (std::int64_t t = 1; t < 1'000 && fr.has_value(); ++t) fr = j.record_fill(fill(t));
  ASSERT_FALSE(fr.has_value());
  EXPECT_EQ(fr.error().code, JournalErrc::kFull);
}

TEST_F(JournalTest, ReadOnlyConnectionRefusesWrites) {
  {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.record_intent(intent(1)).ok());
  }
  auto ro = Journal::open(path_, {.read_only = true});
  auto open = ro.open_intents();
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->size(), 1u);
  const JournalStatus st = ro.record_intent(intent(2));
  EXPECT_EQ(st.code, JournalErrc::kReadOnly);
  EXPECT_FALSE(ro.healthy());
  auto fr = ro.record_fill(fill(1));
  ASSERT_FALSE(fr.has_value());
  EXPECT_EQ(fr.error().code, JournalErrc::kReadOnly);
  auto id = ro.next_client_id();
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, JournalErrc::kReadOnly);
  EXPECT_EQ(ro.peek_next_client_id(), 2u) << "a failed reservation must not consume ids";
}

TEST_F(JournalTest, ReadOnlyFileIsRefusedAtOpen) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  { auto j = Journal::open(path_); }
  std::filesystem::permissions(path_, std::filesystem::perms::owner_read);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  EXPECT_THROW(Journal::open(path_), std::runtime_error);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
}

TEST_F(JournalTest, UnopenablePathThrowsWithPath) {
  const std::string bad = (dir_ / "missing_dir" / "j.sqlite").string();
  try {
    Journal::open(bad);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  EXPECT_THROW(Journal::open(""), std::runtime_error);
  EXPECT_THROW(Journal::open((dir_ / "absent.sqlite").string(), {.read_only = true}), std::runtime_error);
}

TEST_F(JournalTest, GarbageFileIsNotADatabase) {
  {
    std::ofstream out(path_, std::ios::binary);
    out << std::string(4096, 'z');
  }
  try {
    Journal::open(path_);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path_), std::string::npos) << what;
    EXPECT_NE(what.find("not a database"), std::string::npos) << what;
  }
}

// Writes with raw SQLite, bypassing Journal (schema tampering / foreign files).
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(db);
}

TEST_F(JournalTest, NewerSchemaVersionIsRefused) {
  { auto j = Journal::open(path_); }
  const std::string newer = std::to_string(kSchemaVersion + 1);
  raw_exec(path_, ("UPDATE meta SET value = '" + newer + "' WHERE key = 'schema_version'").c_str());
  for (const bool read_only : {false, true}) {
    try {
      Journal::open(path_, {.read_only = read_only});
      FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
      // Names the file, the file's version and the version this build supports.
      const std::string what = e.what();
      EXPECT_NE(what.find(path_), std::string::npos) << what;
      EXPECT_NE(what.find("schema version " + newer + " is newer"), std::string::npos) << what;
      EXPECT_NE(what.find("supports (" + std::to_string(kSchemaVersion) + ")"), std::string::npos) << what;
    }
  }
  raw_exec(path_, "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'");
  EXPECT_THROW(Journal::open(path_), std::runtime_error);
}

TEST_F(JournalTest, ForeignDatabaseIsRefused) {
  raw_exec(path_, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  try {
    Journal::open(path_);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a bparb journal"), std::string::npos) << e.what();
  }
  const std::string other = (dir_ / "other.sqlite").string();
  raw_exec(other, "PRAGMA application_id = 1234");
  EXPECT_THROW(Journal::open(other), std::runtime_error);
}

TEST_F(JournalTest, UndecodableStoredRowIsReportedNotCrashing) {
  {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.record_intent(intent(1)).ok());
  }
  raw_exec(path_, "UPDATE intents SET side = 'Sideways' WHERE client_id = 1");
  auto j = Journal::open(path_);
  auto open = j.open_intents();
  ASSERT_FALSE(open.has_value());
  EXPECT_EQ(open.error().code, JournalErrc::kBadRow);
  EXPECT_TRUE(j.healthy()) << "a bad read is not a failed write";
}

TEST_F(JournalTest, MovedFromJournalReportsClosed) {
  auto j = Journal::open(path_);
  Journal k = std::move(j);
  EXPECT_TRUE(k.record_intent(intent(1)).ok());
  EXPECT_EQ(j.record_intent(intent(2)).code, JournalErrc::kClosed);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(j.healthy());                                         // NOLINT(bugprone-use-after-move)
}

TEST(JournalNames, OrderRecordStateNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(OrderRecordState::kRejected); ++i) {
    const auto s = static_cast<OrderRecordState>(i);
    OrderRecordState back = OrderRecordState::kPendingNew;
    ASSERT_TRUE(parse_order_record_state(order_record_state_name(s), back));
    EXPECT_EQ(back, s);
  }
  OrderRecordState out;
  EXPECT_FALSE(parse_order_record_state("filled", out));
  EXPECT_TRUE(is_terminal(OrderRecordState::kRejected));
  EXPECT_FALSE(is_terminal(OrderRecordState::kUnknown));
}

}  // namespace
}  // namespace bparb::journal
