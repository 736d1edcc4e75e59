#include "bparb/app/mm_selector.hpp"

#include <algorithm>
#include <utility>

#include "bparb/app/mm_node.hpp"
#include "bparb/venue/backpack/rest_client.hpp"

namespace bparb::app {
namespace {

struct SelectionRun {
  backpack::RestClient* rest = nullptr;
  std::shared_ptr<spdlog::logger> log;
  MarketSelectorParams params;
  std::vector<MarketSnapshot> snapshots;
  std::size_t next = 0;
  MmSelection done;
};

void finish(const std::shared_ptr<SelectionRun>& run) {
  const std::vector<MarketRanking> ranked = rank_markets(run->snapshots, run->params);
  std::vector<std::string> chosen;
  for (const MarketRanking& r : ranked) {
    run->log->info("MM selector: {}", describe(r, run->params));
    if (r.verdict == SelectorVerdict::kChosen) chosen.push_back(r.symbol);
  }
  if (chosen.empty())
    return run->done("the market selector found no perp to quote among " + std::to_string(ranked.size()) +
                         " candidate(s) (the lines above give each one's numbers; see [mm.selector])",
                     {});
  run->done({}, std::move(chosen));
}

// The depth of each candidate whose volume qualifies and that is not excluded, one after the other.
void next_depth(const std::shared_ptr<SelectionRun>& run) {
  while (run->next < run->snapshots.size()) {
    const MarketSnapshot& m = run->snapshots[run->next];
    const bool excluded =
        std::find(run->params.exclude.begin(), run->params.exclude.end(), m.symbol) != run->params.exclude.end();
    if (!excluded && m.quote_volume_usd >= run->params.min_quote_volume_usd) break;
    ++run->next;
  }
  if (run->next >= run->snapshots.size()) return finish(run);
  const std::size_t i = run->next++;
  run->rest->get_depth(run->snapshots[i].symbol, 5, [run, i](backpack::RestResult<DepthSnapshot>& r) {
    MarketSnapshot& m = run->snapshots[i];
    if (!r) {
      run->log->warn("MM selector: the depth of {} failed: {} {}", m.symbol, r.error().code, r.error().message);
    } else {
      m.book_known = true;
      for (const LevelUpdate& l : r->bids)
        if (l.quantity.is_positive() && l.price > m.best_bid) {
          m.best_bid = l.price;
          m.bid_quantity = l.quantity;
        }
      for (const LevelUpdate& l : r->asks)
        if (l.quantity.is_positive() && (m.best_ask.is_zero() || l.price < m.best_ask)) {
          m.best_ask = l.price;
          m.ask_quantity = l.quantity;
        }
    }
    next_depth(run);
  });
}

}  // namespace

void select_mm_markets(backpack::RestClient& rest, std::shared_ptr<spdlog::logger> log,
                       const MarketSelectorParams& params, const std::vector<std::string>& among,
                       std::span<const MarketSpec> listed, MmSelection done) {
  auto run = std::make_shared<SelectionRun>();
  run->rest = &rest;
  run->log = std::move(log);
  run->params = params;
  run->done = std::move(done);
  for (const MarketSpec& m : listed) {
    if (m.type != MarketType::kPerp || m.state != OrderBookState::kOpen) continue;
    if (!among.empty() && std::find(among.begin(), among.end(), m.symbol) == among.end()) continue;
    MarketSnapshot s;
    s.symbol = m.symbol;
    run->snapshots.push_back(std::move(s));
  }
  for (const std::string& want : among)
    if (std::none_of(run->snapshots.begin(), run->snapshots.end(),
                     [&](const MarketSnapshot& s) { return s.symbol == want; }))
      run->log->warn("MM selector: {} not chosen: not an open perp on the venue", want);
  rest.get_tickers([run](backpack::RestResult<std::vector<backpack::Ticker>>& r) {
    if (!r) return run->done("the market selector's GET /api/v1/tickers failed: " + r.error().message, {});
    for (const backpack::Ticker& t : *r)
      for (MarketSnapshot& s : run->snapshots)
        if (s.symbol == t.symbol) s.quote_volume_usd = t.quote_volume;
    next_depth(run);
  });
}

void reselect_mm_markets(backpack::RestClient& rest, std::shared_ptr<spdlog::logger> log,
                         const MarketSelectorParams& params, const std::vector<std::string>& among,
                         std::function<MmNode*()> node) {
  rest.get_markets([&rest, log, params, among,
                    node = std::move(node)](backpack::RestResult<std::vector<MarketSpec>>& r) mutable {
    if (!r)
      return log->warn("MM selector: GET /api/v1/markets failed: {}; the markets quoted stay as they are",
                       r.error().message);
    // The listing outlives the ranking: a perp picked is added from it.
    auto listed = std::make_shared<const std::vector<MarketSpec>>(std::move(*r));
    select_mm_markets(rest, log, params, among, *listed,
                      [log, listed, node = std::move(node)](const std::string& error, std::vector<std::string> chosen) {
                        if (!error.empty())
                          return log->warn("MM selector: {}; the markets quoted stay as they are", error);
                        if (MmNode* n = node()) n->apply_pick(chosen, *listed);
                      });
  });
}

}  // namespace bparb::app
