#pragma once
// The market maker's selector in the daemon: fetches Backpack's public tickers (24 h quote volume) and the
// top of each candidate perp's book, ranks them (strategy/market_maker/market_selector.hpp) and writes one
// log line per decision with its numbers. Used by start-up and by SIGHUP (docs/market_maker.md "Market
// selector").
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bparb/core/market_spec.hpp"
#include "bparb/strategy/market_maker/market_selector.hpp"

namespace bparb::backpack {
class RestClient;
}

namespace bparb::app {

class MmNode;

// `error` is empty on success; `chosen` are the perps to quote, the best ranked first (none is an error).
using MmSelection = std::function<void(const std::string& error, std::vector<std::string> chosen)>;

// The candidates: the open perps of `listed`, restricted to `among` when it is not empty. The depth is asked
// for only where the 24 h volume qualifies (one request at a time). `rest` and `log` must outlive the answer.
void select_mm_markets(backpack::RestClient& rest, std::shared_ptr<spdlog::logger> log,
                       const MarketSelectorParams& params, const std::vector<std::string>& among,
                       std::span<const MarketSpec> listed, MmSelection done);

// SIGHUP: the venue's markets again, ranked with the file's thresholds (one line per market), and the pick
// handed to the market maker (MmNode::apply_pick: dropped markets pulled, new ones added and quoted). A failed
// request leaves the markets quoted as they are. `node` is asked when the answer comes (null: nothing to do).
void reselect_mm_markets(backpack::RestClient& rest, std::shared_ptr<spdlog::logger> log,
                         const MarketSelectorParams& params, const std::vector<std::string>& among,
                         std::function<MmNode*()> node);

}  // namespace bparb::app
