// ingest_fill is the one way a fill reaches the books (stream, fills-history poll, queried order, recovery):
// the journal deduplicates by trade id whichever path offers a fill first.
#include "bparb/runtime/ingest_fill.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <filesystem>
#include <string>
#include <vector>

namespace bparb::runtime {
namespace {

class IngestFillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "bparb_ingest_fill_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".sqlite";
    std::filesystem::remove(path_);
    writer_.open({true, path_, false});
    writer_.on_failure([this] { ++failures_; });
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  static exec::FillReport report(std::int64_t trade_id) {
    exec::FillReport f;
    f.client_id = 7;
    f.trade_id = trade_id;
    f.exchange_order_id = "111";
    f.symbol = "SOL_USDC";
    f.side = Side::kBid;
    f.price = Decimal::from_string("150.25");
    f.quantity = Decimal::from_string("2");
    f.fee = Decimal::from_string("0.002");
    f.fee_symbol = "SOL";
    f.time_us = 1'700'000'000'000'000;
    return f;
  }
  bool ingest(const exec::FillReport& f) {
    return ingest_fill(writer_, f, [this](const exec::FillReport& r) { booked_.push_back(fill_update(r)); });
  }

  std::string path_;
  ManualClock clock_{1'700'000'000'000'000};
  JournalWriter writer_{std::make_shared<spdlog::logger>("ingest_fill_test"), clock_};
  std::vector<exec::OrderUpdate> booked_;
  int failures_ = 0;
};

TEST_F(IngestFillTest, TheSameTradeFromStreamPollAndRecoveryIsBookedOnce) {
  exec::FillReport stream = report(42);
  stream.venue_time_us = stream.time_us;
  stream.cumulative_quantity = stream.quantity;
  exec::FillReport poll = report(42);  // a history row: no cumulative quantity
  exec::FillReport recovered = report(42);

  EXPECT_TRUE(ingest(stream));
  EXPECT_FALSE(ingest(poll));
  EXPECT_FALSE(ingest(recovered));
  ASSERT_EQ(booked_.size(), 1u);
  EXPECT_EQ(booked_[0].kind, exec::OrderUpdate::Kind::kFill);
  EXPECT_EQ(booked_[0].trade_id, 42);
  EXPECT_EQ(booked_[0].client_id, 7u);
  EXPECT_EQ(booked_[0].fill_quantity, Decimal::from_string("2"));
  EXPECT_EQ(booked_[0].cumulative_quantity, Decimal::from_string("2"));
  EXPECT_EQ(booked_[0].fee_symbol, "SOL");

  EXPECT_TRUE(ingest(report(43)));  // another trade of the same order
  EXPECT_EQ(booked_.size(), 2u);
  auto fills = writer_.journal()->fills_since(0);
  ASSERT_TRUE(fills);
  EXPECT_EQ(fills->size(), 2u);
  EXPECT_EQ(failures_, 0);
}

TEST_F(IngestFillTest, AFillWithoutTradeIdCannotBeDeduplicatedAndIsAlwaysBooked) {
  EXPECT_TRUE(ingest(report(-1)));
  EXPECT_TRUE(ingest(report(-1)));
  EXPECT_EQ(booked_.size(), 2u);
  auto fills = writer_.journal()->fills_since(0);
  ASSERT_TRUE(fills);
  EXPECT_TRUE(fills->empty());
}

TEST_F(IngestFillTest, TheFillThatCompletesTheOrderSettlesItsIntent) {
  exec::OrderSpec o;
  MarketSpec m;
  m.symbol = "SOL_USDC";
  o.market = &m;
  o.client_id = 7;
  o.quantity = Decimal::from_string("2");
  o.price = Decimal::from_string("150.25");
  writer_.set_pair_names({"SOL"});
  ASSERT_TRUE(writer_.intents(std::span<const exec::OrderSpec>(&o, 1)));
  exec::FillReport partial = report(50);
  partial.quantity = Decimal::from_string("1");
  partial.cumulative_quantity = partial.quantity;
  ASSERT_TRUE(ingest(partial));
  auto open = writer_.journal()->open_intents();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);  // a fill alone does not settle the order

  exec::FillReport last = report(51);
  last.quantity = Decimal::from_string("1");
  last.cumulative_quantity = Decimal::from_string("2");
  last.order_filled = true;
  ASSERT_TRUE(ingest(last));
  open = writer_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(failures_, 0);
}

TEST_F(IngestFillTest, AStreamCopyThatSaysFilledSettlesTheIntentEvenWhenTheFillWasBookedBefore) {
  // The history query of an unknown outcome books the fill first, without knowing the order is done; the
  // stream's late copy says it is filled, and is a duplicate: the order must still be settled.
  exec::OrderSpec o;
  MarketSpec m;
  m.symbol = "SOL_USDC";
  o.market = &m;
  o.client_id = 7;
  o.quantity = Decimal::from_string("2");
  o.price = Decimal::from_string("150.25");
  writer_.set_pair_names({"SOL"});
  ASSERT_TRUE(writer_.intents(std::span<const exec::OrderSpec>(&o, 1)));
  ASSERT_TRUE(ingest(report(60)));  // from the history query: no cumulative quantity, not known filled
  ASSERT_EQ(writer_.journal()->open_intents()->size(), 1u);

  exec::FillReport stream = report(60);
  stream.cumulative_quantity = stream.quantity;
  stream.order_filled = true;
  EXPECT_FALSE(ingest(stream));  // not booked twice
  EXPECT_EQ(booked_.size(), 1u);
  auto open = writer_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(failures_, 0);
}

}  // namespace
}  // namespace bparb::runtime
