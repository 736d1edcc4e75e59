#include "bparb/app/daily_csv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bparb::app {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("bparb_csv_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// 2026-11-21T23:59:59.5Z and half a second later (next UTC day).
constexpr TimestampUs kLateEvening = 1'795'305'599'500'000;
constexpr TimestampUs kAfterMidnight = kLateEvening + 1'000'000;

TEST(DailyCsv, UtcDate) {
  EXPECT_EQ(utc_date(kLateEvening), "2026-11-21");
  EXPECT_EQ(utc_date(kAfterMidnight), "2026-11-22");
  EXPECT_EQ(utc_date(0), "1970-01-01");
}

TEST(TradesCsv, OneFilePerPairAndDayHeaderOnceRowsExact) {
  TempDir d;
  {
    TradesCsv csv(d.path.string());
    csv.write({kLateEvening, "SOL", 7, "entry", "SOL_USDC", "Bid", Decimal::from_string("1.25"),
               Decimal::from_string("150.12"), Decimal::from_string("0.00125"), "SOL", false, 41});
    csv.write({kLateEvening, "SOL", 7, "entry", "SOL_USDC_PERP", "Ask", Decimal::from_string("1.25"),
               Decimal::from_string("151.3"), Decimal::from_string("0.0945625"), "USDC", true, 42});
    csv.write({kAfterMidnight, "SOL", 7, "exit", "SOL_USDC", "Ask", Decimal::from_string("1.25"),
               Decimal::from_string("150.5"), Decimal::from_string("0.188125"), "USDC", false, 43});
    csv.write({kAfterMidnight, "BTC", 8, "hedge", "BTC_USDC", "Bid", Decimal::from_string("0.001"),
               Decimal::from_string("61800"), Decimal::from_string("0.000001"), "BTC", false, 44});
    EXPECT_EQ(csv.rows(), 4u);
  }
  EXPECT_EQ(slurp(d.path / "trades_SOL_2026-11-21.csv"),
            std::string(kTradesCsvHeader) +
                "1795305599500000,SOL,7,entry,SOL_USDC,Bid,1.25,150.12,0.00125,SOL,taker,41\n"
                "1795305599500000,SOL,7,entry,SOL_USDC_PERP,Ask,1.25,151.3,0.0945625,USDC,maker,42\n");
  EXPECT_EQ(
      slurp(d.path / "trades_SOL_2026-11-22.csv"),
      std::string(kTradesCsvHeader) + "1795305600500000,SOL,7,exit,SOL_USDC,Ask,1.25,150.5,0.188125,USDC,taker,43\n");
  EXPECT_EQ(
      slurp(d.path / "trades_BTC_2026-11-22.csv"),
      std::string(kTradesCsvHeader) + "1795305600500000,BTC,8,hedge,BTC_USDC,Bid,0.001,61800,0.000001,BTC,taker,44\n");
}

TEST(TradesCsv, RestartAppendsWithoutSecondHeader) {
  TempDir d;
  const TradeCsvRow row{kLateEvening,
                        "SOL",
                        1,
                        "entry",
                        "SOL_USDC",
                        "Bid",
                        Decimal::from_int(1),
                        Decimal::from_int(150),
                        Decimal::from_string("0.001"),
                        "SOL",
                        false,
                        1};
  { TradesCsv(d.path.string()).write(row); }
  { TradesCsv(d.path.string()).write(row); }
  const std::string body = slurp(d.path / "trades_SOL_2026-11-21.csv");
  EXPECT_EQ(body.find(kTradesCsvHeader), 0u);
  EXPECT_EQ(body.find(kTradesCsvHeader, 1), std::string::npos);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 3);
}

TEST(TradesCsv, UnwritableDirectoryNamesThePath) {
  TempDir d;
  const fs::path file = d.path / "not_a_dir";
  std::ofstream(file) << "x";
  TradesCsv csv(file.string());
  try {
    csv.write({kLateEvening, "SOL", 1, "entry", "SOL_USDC", "Bid", Decimal::from_int(1), Decimal::from_int(1),
               Decimal::from_int(0), "SOL", false, 1});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((file / "trades_SOL_2026-11-21.csv").string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bparb::app
