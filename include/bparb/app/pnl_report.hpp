#pragma once
// Realized P&L from the journal, split into spread, fees and funding, per position and per UTC day, week
// and month (docs/service.md "P&L from the journal"). The daemon computes it on a slow timer for GET
// /api/v1/pnl; `bparb pnl` computes it from the journal file, read-only, whether the daemon runs or not.
//
// How each part is dated: a fill's fee at the fill's time (a base-asset fee valued at the fill price, as the
// portfolio books it), a funding payment at the end of its interval, a position's price P&L (spread) when the
// position closed (an open position's realized part so far in the current period). Totals are the
// positions' own sums, which is what the `Closed position` lines say.
#include <iosfwd>
#include <span>
#include <string>

#include "bparb/core/clock.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/service/views.hpp"

namespace bparb::app {

// Never throws: a read failure is reported in `error`.
service::PnlReport journal_pnl_report(journal::Journal& journal, TimestampUs now_us);

// The report as text: per position and totals; with `daily`, one line per UTC day as well.
void print_pnl_report(std::ostream& out, const service::PnlReport& r, bool daily, const std::string& journal_path);

// `bparb pnl [--daily] [--config FILE | --journal FILE]`: exit 0, 1 when the journal cannot be read, 2 on
// bad usage or config.
int cmd_pnl(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
