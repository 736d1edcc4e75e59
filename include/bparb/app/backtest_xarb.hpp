#pragma once
// `bparb backtest` with [strategy] kind = "cross_venue": the pair's set-up from the config and the recording
// (docs/backtest.md, "Cross-venue").
#include <string>

#include "bparb/backtest/runner.hpp"

namespace bparb::app {

struct Config;

// Backpack's perp ([xarb] backpack_market) and its tick and step from paper.sim_config's markets; Lighter's
// market as the recording names it ("lighter:<id>", the market id read from DIR/lighter_<SYMBOL>/; its tick and
// step are the same coin's perp's in paper.sim_config, as the simulated Lighter lists it); the strategy's
// parameters from [xarb]. Throws std::runtime_error naming what is missing: either venue's recording in
// `data` (both must be there), the market in the sim config, a Lighter recording without a book frame.
backtest::XarbSetup xarb_backtest_setup(const Config& cfg, const std::string& data);

}  // namespace bparb::app
