// The operator's commands without a daemon: `bparb pnl` on a journal written here (per position, totals,
// per UTC day; read-only; exit codes), the effective-config JSON (redaction), and `bparb status` rendering
// canned answers and failing cleanly when nothing listens.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app_test_util.hpp"
#include "bparb/app/config_json.hpp"
#include "bparb/app/pnl_report.hpp"
#include "bparb/app/status_command.hpp"
#include "bparb/journal/journal.hpp"

namespace bparb::app {
namespace {

using testing::ScratchDir;

constexpr TimestampUs kDay = 86'400 * kUsPerSecond;
constexpr TimestampUs kMon = 1'699'833'600LL * kUsPerSecond;  // Monday 2023-11-13 00:00 UTC

Decimal ops_dec(const char* s) {
  return Decimal::from_string(s);
}

struct CommandRun {
  int code;
  std::string out, err;
};
CommandRun run_command(int (*cmd)(std::span<const std::string>, std::ostream&, std::ostream&),
                       std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = cmd(args, out, err);
  return {code, out.str(), err.str()};
}

// Position #1 (SOL) opened Monday, closed Tuesday; position #2 (BTC) opened Tuesday and still open; a fill
// that is not ours; funding on Monday and Tuesday.
void write_journal(const std::string& path) {
  journal::Journal j = journal::Journal::open(path);
  journal::PositionRecord p1;
  p1.pair = "SOL";
  p1.position_id = 1;
  p1.open = false;
  p1.opened_us = kMon + 3600 * kUsPerSecond;
  p1.closed_us = kMon + kDay + 3600 * kUsPerSecond;
  p1.realized = ops_dec("2.53");
  p1.fees = ops_dec("1.35");
  p1.funding = ops_dec("0.04");
  p1.spot_symbol = "SOL_USDC";
  p1.perp_symbol = "SOL_USDC_PERP";
  ASSERT_TRUE(j.upsert_position(p1).ok());
  journal::PositionRecord p2 = p1;
  p2.pair = "BTC";
  p2.position_id = 1;
  p2.open = true;
  p2.opened_us = kMon + kDay + 7200 * kUsPerSecond;
  p2.closed_us = 0;
  p2.realized = ops_dec("0");
  p2.fees = ops_dec("0.5");
  p2.funding = ops_dec("0");
  p2.spot_qty = ops_dec("0.01");
  p2.perp_qty = ops_dec("-0.01");
  ASSERT_TRUE(j.upsert_position(p2).ok());
  auto fill = [&](std::int64_t trade, const char* sym, std::uint64_t cid, const char* price, const char* fee,
                  const char* fee_sym, TimestampUs t) {
    journal::FillRecord f;
    f.trade_id = trade;
    f.symbol = sym;
    f.client_id = cid;
    f.price = ops_dec(price);
    f.quantity = ops_dec("1");
    f.fee = ops_dec(fee);
    f.fee_symbol = fee_sym;
    f.time_us = t;
    ASSERT_TRUE(j.record_fill(f).has_value());
  };
  fill(1, "SOL_USDC", 11, "150", "0.002", "SOL", kMon + 3600 * kUsPerSecond);  // base fee: 0.3 USD
  fill(2, "SOL_USDC_PERP", 12, "151", "0.45", "USDC", kMon + 3600 * kUsPerSecond);
  fill(3, "SOL_USDC", 13, "151", "0.3", "USDC", kMon + kDay + 3600 * kUsPerSecond);
  fill(4, "SOL_USDC_PERP", 14, "150", "0.3", "USDC", kMon + kDay + 3600 * kUsPerSecond);
  fill(5, "BTC_USDC_PERP", 15, "50000", "0.5", "USDC", kMon + kDay + 7200 * kUsPerSecond);
  fill(6, "SOL_USDC", 0, "150", "9", "USDC", kMon + 3600 * kUsPerSecond);  // not ours: not counted
  ASSERT_TRUE(
      j.record_funding({"SOL_USDC_PERP", (kMon + 8 * 3600 * kUsPerSecond) / kUsPerMs, ops_dec("0.03")}).has_value());
  ASSERT_TRUE(
      j.record_funding({"SOL_USDC_PERP", (kMon + kDay + 3600 * kUsPerSecond) / kUsPerMs, ops_dec("0.01")}).has_value());
}

TEST(PnlReport, SplitsPerPositionAndPerUtcPeriod) {
  ScratchDir dir;
  write_journal(dir.file("j.sqlite"));
  journal::JournalOptions ro;
  ro.read_only = true;
  journal::Journal j = journal::Journal::open(dir.file("j.sqlite"), ro);
  const TimestampUs now = kMon + kDay + 10 * 3600 * kUsPerSecond;  // Tuesday 10:00
  const service::PnlReport r = journal_pnl_report(j, now);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.positions.size(), 2u);
  EXPECT_EQ(r.positions[0].pair, "SOL");
  EXPECT_EQ(r.total_spread, ops_dec("2.53"));
  EXPECT_EQ(r.total_fees, ops_dec("1.85"));
  EXPECT_EQ(r.total_funding, ops_dec("0.04"));
  ASSERT_EQ(r.days.size(), 2u);
  const service::PnlPeriod& tue = r.days[0];  // newest first
  const service::PnlPeriod& mon = r.days[1];
  EXPECT_EQ(mon.start_us, kMon);
  EXPECT_EQ(mon.fees, ops_dec("0.75"));  // 0.002 SOL at 150 + 0.45; the foreign fill is not counted
  EXPECT_EQ(mon.funding, ops_dec("0.03"));
  EXPECT_EQ(mon.spread, ops_dec("0"));
  EXPECT_EQ(mon.fills, 2u);
  EXPECT_EQ(tue.spread, ops_dec("2.53"));  // SOL closed on Tuesday
  EXPECT_EQ(tue.fees, ops_dec("1.1"));
  EXPECT_EQ(tue.funding, ops_dec("0.01"));
  EXPECT_EQ(tue.positions_closed, 1u);
  ASSERT_EQ(r.weeks.size(), 1u);
  EXPECT_EQ(r.weeks[0].net(), mon.net() + tue.net());
  ASSERT_EQ(r.months.size(), 1u);
}

TEST(PnlCommand, PrintsPositionsTotalsAndDaysFromAReadOnlyJournal) {
  ScratchDir dir;
  write_journal(dir.file("j.sqlite"));
  const CommandRun r = run_command(&cmd_pnl, {"--journal", dir.file("j.sqlite"), "--daily"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("#1    SOL   closed opened 2023-11-13 01:00 closed 2023-11-14 01:00"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("total: 2 position(s), 1 open | spread      2.53 fees    -1.85 funding     0.04 net      0.72"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2023-11-13  spread      0.00 fees    -0.75 funding     0.03 net     -0.72 | fills 2, closed 0"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2023-11-14  spread      2.53 fees    -1.10 funding     0.01 net      1.44 | fills 3, closed 1"),
            std::string::npos)
      << r.out;
}

// With a second venue's fills in the journal, --daily also splits each day's fees, funding and fills by venue.
TEST(PnlCommand, DailyLinesPerVenueOnceLighterHasFills) {
  ScratchDir dir;
  write_journal(dir.file("j.sqlite"));
  const CommandRun backpack_only = run_command(&cmd_pnl, {"--journal", dir.file("j.sqlite"), "--daily"});
  EXPECT_EQ(backpack_only.out.find("per UTC day and venue"), std::string::npos) << backpack_only.out;
  {
    journal::Journal j = journal::Journal::open(dir.file("j.sqlite"));
    journal::FillRecord f;
    f.venue = VenueId::kLighter;
    f.trade_id = 1;  // the same trade id as a Backpack fill: another venue's
    f.symbol = "SOL";
    f.client_id = 21;
    f.price = ops_dec("150.5");
    f.quantity = ops_dec("1");
    f.fee = ops_dec("0.2");
    f.fee_symbol = "USDC";
    f.time_us = kMon + kDay + 5 * 3600 * kUsPerSecond;
    ASSERT_TRUE(j.record_fill(f).has_value());
    journal::FundingRecord fr{"SOL", (kMon + kDay + 6 * 3600 * kUsPerSecond) / kUsPerMs, ops_dec("-0.05")};
    fr.venue = VenueId::kLighter;
    ASSERT_TRUE(j.record_funding(fr).has_value());
  }
  const CommandRun r = run_command(&cmd_pnl, {"--journal", dir.file("j.sqlite"), "--daily"});
  EXPECT_EQ(r.code, 0) << r.err;
  for (const char* want : {"per UTC day and venue", "2023-11-14  backpack  fees    -1.10 funding     0.01 | fills 3\n",
                           "2023-11-14  lighter   fees    -0.20 funding    -0.05 | fills 1\n",
                           "2023-11-13  backpack  fees    -0.75 funding     0.03 | fills 2\n"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  // Without --daily nothing per day is printed.
  EXPECT_EQ(run_command(&cmd_pnl, {"--journal", dir.file("j.sqlite")}).out.find("per UTC day"), std::string::npos);
}

TEST(PnlCommand, ExitCodesNameTheProblem) {
  ScratchDir dir;
  const CommandRun missing = run_command(&cmd_pnl, {"--journal", dir.file("none.sqlite")});
  EXPECT_EQ(missing.code, kExitFailure);
  EXPECT_NE(missing.err.find("none.sqlite"), std::string::npos) << missing.err;
  EXPECT_EQ(run_command(&cmd_pnl, {"--weekly"}).code, kExitUsage);
  EXPECT_EQ(run_command(&cmd_pnl, {"--journal"}).code, kExitUsage);
  EXPECT_EQ(run_command(&cmd_pnl, {"--journal", "a", "--config", "b"}).code, kExitUsage);
}

TEST(ConfigJson, EffectiveValuesInFileUnitsWithEnvFileAndUrlCredentialsRedacted) {
  Config c = parse_config_string(
      "[exchange]\nmode = \"live\"\nrest_url = \"https://user:hunter2@api.example.test/x\"\nenv_file = "
      "\"/etc/bparb/secret.env\"\n[risk]\nmax_book_age_ms = 2500\n",
      "t.toml");
  const std::string json = render_config_json(c);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["exchange"]["env_file"]), "[redacted]");
  EXPECT_EQ(std::string_view(doc["exchange"]["rest_url"]), "https://[redacted]@api.example.test/x");
  EXPECT_EQ(json.find("hunter2"), std::string::npos);
  EXPECT_EQ(json.find("secret.env"), std::string::npos);
  EXPECT_EQ(std::int64_t(doc["risk"]["max_book_age_ms"]), 2500);
  EXPECT_EQ(std::string_view(doc["risk"]["max_daily_loss_usd"]), "100");  // a default, as a decimal string
  EXPECT_EQ(std::string_view(doc["pairs"].at(0)["perp"]), "SOL_USDC_PERP");
}

TEST(StatusCommand, RendersTheDaemonsAnswers) {
  StatusDocuments docs;
  docs.status =
      R"({"version":"0.1.0","mode":"paper","uptime_seconds":"28.134298","snapshot_at_us":2000000,"ready":false,)"
      R"("not_ready_reasons":["backpack SOL_USDC: book not synced"],"trading":true,"trading_state":"Active",)"
      R"("state_reason":"none","venues":[{"name":"backpack","stream_connected":true,"reconnects":1,"book_resyncs":2,)"
      R"("book_gaps":3,"books":[{"symbol":"SOL_USDC","valid":false,"age_seconds":"1.5"},{"symbol":"SOL_USDC_PERP",)"
      R"("valid":true,"age_seconds":"0.25"}]}],"orders":{"sent":4,"rejected":0,"cancelled":2,"fills":2},)"
      R"("pnl_today":{"spread":"2.534","fees":"1.354","funding":"0","net":"1.18"},"pnl_run":{"spread":"0",)"
      R"("fees":"0.6515145","funding":"0","net":"-0.6515145"},"last_refusal":{"at_us":1000000,"pair":"SOL",)"
      R"("leg":"spot","rule":"max_position_usd","limit":"1000","value":"1200"}})";
  docs.positions = R"({"positions":[{"pair":"SOL","id":1,"phase":"open","legs":[{"symbol":"SOL_USDC","quantity":"3.3",)"
                   R"("average_price":"150"},{"symbol":"SOL_USDC_PERP","quantity":"-3.3","average_price":"151.3"}],)"
                   R"("realized":{"spread":"0","fees":"0.65","funding":"0","net":"-0.65"}}],"exposure":[]})";
  docs.orders =
      R"({"orders":[{"client_id":5000000001,"symbol":"SOL_USDC","side":"sell","price":"150.42","quantity":"3.32",)"
      R"("filled":"0","purpose":"Exit","state":"Open","age_seconds":"2.5"}]})";
  docs.pnl = R"({"period":"day","total":{"spread":"5","fees":"2.004","funding":"0.1","net":"3.096"}})";
  std::ostringstream out;
  std::string why;
  ASSERT_TRUE(print_status_text(out, docs, "http://127.0.0.1:8781", why)) << why;
  const std::string t = out.str();
  EXPECT_NE(t.find("Ready: NO | trading state Active"), std::string::npos) << t;
  EXPECT_NE(t.find("  - backpack SOL_USDC: book not synced"), std::string::npos) << t;
  EXPECT_NE(t.find("books 1/2 synced (oldest update 1.5 s ago), reconnects 1, resyncs 2, gaps 3"), std::string::npos)
      << t;
  EXPECT_NE(t.find("#1 SOL open | SOL_USDC 3.3 @ 150, SOL_USDC_PERP -3.3 @ 151.3 | realized spread 0.00 fees -0.65"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("5000000001 SOL_USDC"), std::string::npos) << t;
  // Cents that add up: 2.53 - 1.35 = 1.18.
  EXPECT_NE(t.find("P&L today (UTC): spread 2.53 fees -1.35 funding 0.00 net 1.18 USD"), std::string::npos) << t;
  EXPECT_NE(t.find("P&L total:       spread 5.00 fees -2.00 funding 0.10 net 3.10 USD (journal, every run)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("Last refusal: SOL spot leg: rule=max_position_usd limit=1000 value=1200 (1.0 s ago)"),
            std::string::npos)
      << t;
  EXPECT_FALSE(status_ready(docs.status));
  const std::string json = status_json(docs, "http://127.0.0.1:8781");
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["orders"]["orders"].at(0)["purpose"]), "Exit");
  EXPECT_EQ(std::string_view(doc["pnl"]["total"]["net"]), "3.096");
  EXPECT_FALSE(print_status_text(out, {"<html>", "", "", ""}, "u", why));
}

// Every venue's health (a Lighter venue beside Backpack), the latencies and the market maker's section.
TEST(StatusCommand, PrintsEveryVenuesHealthTheLatenciesAndTheMarketMaker) {
  StatusDocuments docs;
  docs.status =
      R"({"version":"0.1.0","mode":"paper","uptime_seconds":"60","snapshot_at_us":2000000,"ready":true,)"
      R"("not_ready_reasons":[],"trading":true,"trading_state":"Active","state_reason":"none","venues":[)"
      R"({"name":"backpack","stream_connected":true,"reconnects":0,"book_resyncs":0,"book_gaps":0,"books":[],)"
      R"("last_message_age_seconds":"0.020000","margin_available":"8123.5","margin_used":"1876.68",)"
      R"("rest":{"backing_off":true,"backoffs":2,"http_429":5},"latency":{"order_ack":{"count":2,"p50_s":"0.025000",)"
      R"("p90_s":"0.045000","p99_s":"0.049500"},"tick_to_order":{"count":0,"p50_s":null,"p90_s":null,"p99_s":null}}},)"
      R"({"name":"lighter","stream_connected":false,"reconnects":3,"book_resyncs":1,"book_gaps":0,"books":[],)"
      R"("last_message_age_seconds":null,"margin_available":null,"margin_used":null,"rest":null,)"
      R"("latency":{"order_ack":{"count":1,"p50_s":"0.300000","p90_s":"0.300000","p99_s":"0.300000"},)"
      R"("tick_to_order":{"count":0,"p50_s":null,"p90_s":null,"p99_s":null}}}],)"
      R"("journal_write":{"count":31,"p50_s":"0.000180","p90_s":"0.000240","p99_s":"0.000248"},)"
      R"("market_maker":{"markets":[{"symbol":"SOL_USDC_PERP","side":"bid","quote":{"state":"live","side":"bid",)"
      R"("price":"150.25","quantity":"0.5","at_touch":true},"idle_reason":"none","maker_volume_usd":"1234.51",)"
      R"("fills":{"quote":3,"maker":3,"hedge":1},"pnl":{"spread_capture":"1.204","adverse_selection":"-0.304",)"
      R"("inventory":"0.104","fees":"-0.204","funding":"0","hedge_cost":"-0.104","total":"0.696"},)"
      R"("net_per_million_usd":"563.79","position":"0.5","inventory_cap":"2","breaker":{"state":"clear","trips":0}}],)"
      R"("total":{"maker_volume_usd":"1234.51","fills":{"quote":3,"maker":3,"hedge":1},"pnl":{"spread_capture":)"
      R"("1.204","adverse_selection":"-0.304","inventory":"0.104","fees":"-0.204","funding":"0","hedge_cost":)"
      R"("-0.104","total":"0.696"},"net_per_million_usd":"563.79"}},"last_error":{"seq":7,"time_us":500000,)"
      R"("level":"error","text":"Account poll failed: HTTP_503"}})";
  std::ostringstream out;
  std::string why;
  ASSERT_TRUE(print_status_text(out, docs, "http://127.0.0.1:8781", why)) << why;
  const std::string t = out.str();
  for (const char* want : {
           "  backpack  stream connected",
           "            last frame 0.0 s ago, margin available 8123.50 used 1876.68 USD, REST 429s 5, back-offs 2 "
           "(BACKING OFF: polls and queries held)\n",
           "            order ack p50 25 ms p90 45 ms p99 49.5 ms (n=2); tick-to-order no sample yet\n",
           "  lighter   stream DOWN",
           "            order ack p50 300 ms p90 300 ms p99 300 ms (n=1); tick-to-order no sample yet\n",
           "Journal writes: p50 0.18 ms p90 0.24 ms p99 0.248 ms (n=31)\n",
           "Market maker:\n  SOL_USDC_PERP side bid, quote live bid 0.5 @ 150.25 (at touch)\n",
           "      volume 1234.51 USD, fills 3 quote / 1 hedge, position 0.5 (cap 2), breaker clear (0 trips)\n",
           // Cents that add up to the total: 1.20 - 0.30 + 0.10 - 0.20 + 0.00 - 0.10 = 0.70.
           "      P&L spread capture 1.20 adverse -0.30 inventory 0.10 fees -0.20 funding 0.00 hedges -0.10 = 0.70 "
           "USD, "
           "net per 1 M of volume 563.79 USD\n",
           "  total: volume 1234.51 USD, fills 3 quote / 1 hedge, P&L spread capture 1.20",
           "Last error (1.5 s ago): Account poll failed: HTTP_503\n",
       })
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  // The lighter venue has no margin, last frame or REST back-off yet: no detail line but its latencies.
  EXPECT_EQ(t.find("margin available 0.00"), std::string::npos) << t;
}

TEST(StatusCommand, UnreachableDaemonIsExitOneAndBadUsageTwo) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  const CommandRun r = run_command(&cmd_status, {"--url", "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("cannot reach the daemon at http://127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
  ScratchDir dir;
  const std::string cfg = dir.file("c.toml");
  std::ofstream(cfg) << "[exchange]\nmode = \"paper\"\n";
  const CommandRun off = run_command(&cmd_status, {"--config", cfg});
  EXPECT_EQ(off.code, kExitFailure);
  EXPECT_NE(off.err.find("service.enabled is false"), std::string::npos) << off.err;
  EXPECT_EQ(run_command(&cmd_status, {"--verbose"}).code, kExitUsage);
  EXPECT_EQ(run_command(&cmd_status, {"--url", "https://127.0.0.1:1"}).code, kExitUsage);
}

}  // namespace
}  // namespace bparb::app
