// Deterministic mutation "fuzz": byte flips, insertions, deletions and truncations of every fixture
// fed to every parser. Asserts nothing crashes (run it under ASan/UBSan: -DBPARB_SANITIZE=ON) and that
// each call gives a definite answer.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bparb/venue/backpack/parsers.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

std::string mutate(const std::string& s, std::mt19937& rng) {
  static const char kAlphabet[] = "{}[]\":,0123456789.-eE+ntrufalsN/A\\ \x01\xff";
  std::string m = s;
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !m.empty(); ++i) {
    const std::size_t pos = rng() % m.size();
    const char c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
    switch (rng() % 4) {
      case 0:
        m[pos] = c;
        break;
      case 1:
        m.insert(m.begin() + static_cast<long>(pos), c);
        break;
      case 2:
        m.erase(pos, 1 + rng() % 3);
        break;
      default:
        m.resize(pos);
        break;
    }
  }
  return m;
}

TEST(ParserFuzz, MutatedFixturesNeverCrash) {
  const char* files[] = {"ws_depth.json",
                         "ws_book_ticker.json",
                         "ws_trade.json",
                         "ws_mark_price.json",
                         "ws_ticker.json",
                         "ws_order_fill.json",
                         "ws_trigger_placed.json",
                         "ws_position_opened.json",
                         "ws_position_snapshot.json",
                         "ws_error.json",
                         "markets.json",
                         "depth_snapshot.json",
                         "order_execute_market.json",
                         "open_orders.json",
                         "batch_results.json",
                         "fills.json",
                         "collateral.json",
                         "capital.json",
                         "positions.json",
                         "account.json",
                         "funding_history.json",
                         "funding_rates.json",
                         "mark_prices.json",
                         "ticker.json"};
  std::vector<std::string> docs;
  for (const char* f : files) docs.push_back(testing::read_data(f));
  std::mt19937 rng(12345);
  JsonParser p;
  WsFrame frame;
  std::vector<MarketSpec> markets;
  DepthSnapshot snap;
  std::vector<Order> orders;
  Order order;
  std::vector<BatchOrderResult> batch;
  std::vector<Fill> fills;
  CollateralSummary coll;
  std::vector<Balance> bal;
  std::vector<Position> pos;
  AccountSummary acct;
  OrderExecutePayload exec;
  std::vector<OrderExecutePayload> execs;
  CancelPayload cancel;
  std::vector<ParamText> query;
  long ok = 0, failed = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    const std::string m = mutate(docs[static_cast<std::size_t>(iter) % docs.size()], rng);
    const ParseError results[] = {
        parse_ws_frame(p, m, frame),
        parse_markets(p, m, markets),
        parse_depth_snapshot(p, m, snap),
        parse_orders(p, m, orders),
        parse_order(p, m, order),
        parse_batch_results(p, m, batch),
        parse_fills(p, m, fills),
        parse_collateral(p, m, coll),
        parse_capital(p, m, bal),
        parse_positions(p, m, pos),
        parse_account_summary(p, m, acct),
        parse_order_execute_payload(p, m, exec),
        parse_order_execute_batch(p, m, execs),
        parse_cancel_payload(p, m, cancel),
        parse_query_string(m, query),
    };
    for (const ParseError& e : results) {
      if (e.ok()) {
        ++ok;
      } else {
        ++failed;
        EXPECT_NE(e.code, ParseErrc::kOk);
        EXPECT_FALSE(e.message().empty());
      }
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace bparb::backpack
