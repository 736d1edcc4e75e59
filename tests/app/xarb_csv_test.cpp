// The cross-venue CSV files: exact headers and rows, the 5 s cadence, the roll at UTC midnight, append
// across restarts.
#include "bparb/app/xarb_csv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bparb::app {
namespace {
namespace fs = std::filesystem;

Decimal csv_dec(const char* s) {
  return Decimal::from_string(s);
}

std::string xarb_slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CsvTempDir {
  fs::path path;
  CsvTempDir() {
    path = fs::temp_directory_path() / ("bparb_xarb_csv_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~CsvTempDir() { fs::remove_all(path); }
};

// 2026-11-21T23:59:59.5Z and half a second into the next UTC day.
constexpr TimestampUs kXarbLateEvening = 1'795'305'599'500'000;
constexpr TimestampUs kXarbAfterMidnight = kXarbLateEvening + 1'000'000;

TEST(XarbCsv, IsoTimestamp) {
  EXPECT_EQ(iso_utc_ms(kXarbLateEvening), "2026-11-21T23:59:59.500Z");
  EXPECT_EQ(iso_utc_ms(kXarbAfterMidnight + 1'999), "2026-11-22T00:00:00.501Z");
  EXPECT_EQ(iso_utc_ms(0), "1970-01-01T00:00:00.000Z");
}

TEST(XarbCsv, BboEveryFiveSecondsRolledAtMidnight) {
  CsvTempDir d;
  ManualClock clock(kXarbLateEvening - 10 * kUsPerSecond);
  XarbCsvWriter w(d.path.string(), "BTC", clock);
  XarbBboSample s{
      csv_dec("49999"), csv_dec("50000"), csv_dec("50080"), csv_dec("50081"), true, XarbDirection::kLongBackpack};
  EXPECT_TRUE(w.on_bbo(s));  // 23:59:49.500
  clock.advance_us(kUsPerSecond);
  EXPECT_FALSE(w.on_bbo(s));
  clock.advance_us(4 * kUsPerSecond - 1);
  EXPECT_FALSE(w.on_bbo(s));  // 4.999999 s after the first row
  clock.advance_us(1);
  s.lighter_ask = Decimal::zero();  // an empty side: its price and its spread stay empty
  s.has_signal = false;
  EXPECT_TRUE(w.on_bbo(s));  // 23:59:54.500
  clock.set_us(kXarbAfterMidnight);
  s.backpack_bid = csv_dec("50080.5");
  s.lighter_ask = csv_dec("50000.1");
  s.has_signal = true;
  s.signal = XarbDirection::kShortBackpack;
  EXPECT_TRUE(w.on_bbo(s));
  w.flush();
  EXPECT_EQ(xarb_slurp(d.path / "bbo_BTC_2026-11-21.csv"),
            "timestamp,backpack_bid,backpack_ask,lighter_bid,lighter_ask,long_spread,short_spread,signal\n"
            "2026-11-21T23:59:49.500Z,49999,50000,50080,50081,80,-82,LongBackpack\n"
            "2026-11-21T23:59:54.500Z,49999,50000,50080,,80,,none\n");
  EXPECT_EQ(xarb_slurp(d.path / "bbo_BTC_2026-11-22.csv"),
            "timestamp,backpack_bid,backpack_ask,lighter_bid,lighter_ask,long_spread,short_spread,signal\n"
            "2026-11-22T00:00:00.500Z,50080.5,50000,50080,50000.1,80,80.4,ShortBackpack\n");
  EXPECT_EQ(w.bbo_path(), (d.path / "bbo_BTC_2026-11-22.csv").string());
}

TEST(XarbCsv, TradesNetOfFeesAppendAcrossRestarts) {
  CsvTempDir d;
  ManualClock clock(kXarbLateEvening);
  {
    XarbCsvWriter w(d.path.string(), "BTC", clock);
    w.on_trade({XarbDirection::kLongBackpack, csv_dec("0.02"), csv_dec("50000.5"), csv_dec("50077.5"),
                csv_dec("0.500005"), csv_dec("0")});
  }
  clock.advance_us(100 * kUsPerMs);  // still 2026-11-21: the restarted writer appends, no second header
  {
    XarbCsvWriter w(d.path.string(), "BTC", clock);
    w.on_trade({XarbDirection::kShortBackpack, csv_dec("0.01"), csv_dec("50080"), csv_dec("50000"), csv_dec("0.2504"),
                csv_dec("0.14")});
  }
  EXPECT_EQ(xarb_slurp(d.path / "trades_BTC_2026-11-21.csv"),
            "timestamp,direction,quantity,backpack_side,backpack_price,lighter_side,lighter_price,spread_captured,"
            "pnl_estimate,backpack_fee,lighter_fee\n"
            // 77 x 0.02 - 0.500005 - 0
            "2026-11-21T23:59:59.500Z,LongBackpack,0.02,buy,50000.5,sell,50077.5,77,1.039995,0.500005,0\n"
            // 80 x 0.01 - 0.2504 - 0.14
            "2026-11-21T23:59:59.600Z,ShortBackpack,0.01,sell,50080,buy,50000,80,0.4096,0.2504,0.14\n");
  // A trade after midnight opens the next day's file.
  clock.set_us(kXarbAfterMidnight);
  XarbCsvWriter w(d.path.string(), "BTC", clock);
  w.on_trade({XarbDirection::kLongBackpack, csv_dec("0.01"), csv_dec("50000"), csv_dec("49990"), csv_dec("0.25"),
              csv_dec("0")});
  EXPECT_EQ(xarb_slurp(d.path / "trades_BTC_2026-11-22.csv"),
            std::string(kXarbTradesCsvHeader) +
                "2026-11-22T00:00:00.500Z,LongBackpack,0.01,buy,50000,sell,49990,-10,-0.35,0.25,0\n");
}

TEST(XarbCsv, UnwritableDirectoryNamesTheFile) {
  ManualClock clock(kXarbLateEvening);
  XarbCsvWriter w("/nonexistent-dir-for-xarb", "ETH", clock);
  try {
    w.on_bbo({});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-for-xarb/bbo_ETH_2026-11-21.csv"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace bparb::app
