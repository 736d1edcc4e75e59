// The summary printed at exit (README "Two commands" shows it); its P&L parts are the journal's cents and
// add up to the net figure (runtime::pnl_cents).
#include <cmath>
#include <sstream>
#include <string>

#include "bparb/app/daemon.hpp"
#include "bparb/core/money.hpp"
#include "bparb/runtime/log_lines.hpp"

namespace bparb::app {

std::string RunSummary::to_string() const {
  const runtime::PnlCents c = runtime::pnl_cents(stats.realized_pnl, stats.fees, stats.funding);
  std::ostringstream o;
  o << "bparb summary: ran " << ran_us / kUsPerSecond << " s | ";
  // A strategy that opens no basis position (the market maker) has its own figures, not zeros here.
  const bool basis = strategy_headline.empty();
  if (basis)
    o << "opportunities " << stats.opportunities << " | positions opened " << stats.executed << ", closed "
      << stats.closed << ", open " << stats.open << " | win rate "
      << static_cast<int>(std::lround(stats.win_rate * 100)) << "% | realized P&L " << c.spread << " USD, fees "
      << c.fees << " USD, funding " << c.funding << " USD, net " << c.total << " USD\n";
  else
    o << strategy_headline << "\n";
  o << "orders sent " << orders_sent << " (rejected " << orders_rejected;
  if (basis) o << ", hedges " << hedges;
  o << "), fills " << fills;
  if (basis) o << ", leg-risk failures " << leg_risk_failures;
  o << " | book gaps " << book_gaps << ", resyncs " << book_resyncs << ", ws reconnects " << ws_reconnects
    << ", malformed frames " << malformed_frames << " | trading state " << trading_state << "\n";
  if (basis)
    o << "max unhedged " << format_usd(max_unhedged_usd) << " USD, longest unhedged " << longest_unhedged_us / kUsPerMs
      << " ms | ";
  o << "journal " << (journal_path.empty() ? std::string("disabled") : journal_path)
    << (journal_healthy ? "" : " (WRITE FAILED)");
  for (const std::string& line : strategy_lines) o << "\n" << line;
  return o.str();
}

}  // namespace bparb::app
