#pragma once
// `bparb record` for `[strategy] kind = "cross_venue"`: both legs' market data in one process, stamped by one
// receive clock, so a replay sees the two venues' frames in the order this machine received them.
//
// Backpack: the `[xarb] backpack_market` perp alone (depth, bookTicker, trade, markPrice, REST snapshots;
// record_command.hpp), into DIR/<market>/<date>.frames.gz. Lighter: the `[xarb] lighter_market` perp
// (order_book and trade frames; lighter_record.hpp), into DIR/lighter_<SYMBOL>/<date>.frames.gz, tagged
// `lighter`. Paper mode records from an embedded bpsim serving both venues in one world (one clock, one fair
// value per coin), exactly as the daemon's paper mode does.
#include <string>

#include "bparb/app/lighter_record.hpp"
#include "bparb/app/record_command.hpp"
#include "bparb/core/clock.hpp"

namespace bparb::app {

struct Config;

struct XarbRecordStats {
  RecordStats backpack;
  LighterRecordStats lighter;
  // "Recorded BTC_USDC_PERP=… | lighter recorded: lighter_BTC=… …": the one line `bparb record` prints.
  std::string to_string() const;
};

// Which legs to record (`--venue`): both by default.
struct XarbRecordVenues {
  bool backpack = true;
  bool lighter = true;
};

// Records until `duration_us` (0 = until SIGINT/SIGTERM). Throws std::runtime_error on start-up failures
// naming what is missing (a market the venue does not list, an unreachable venue, no [venues.lighter]).
XarbRecordStats run_xarb_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us,
                                XarbRecordVenues venues = {});

}  // namespace bparb::app
