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
  // The market maker opens no basis position: its figures are the "MM stats" lines below, not zeros here.
  if (mm_stats.empty())
    o << "opportunities " << stats.opportunities << " | positions opened " << stats.executed << ", closed "
      << stats.closed << ", open " << stats.open << " | win rate "
      << static_cast<int>(std::lround(stats.win_rate * 100)) << "% | realized P&L " << c.spread << " USD, fees "
      << c.fees << " USD, funding " << c.funding << " USD, net " << c.total << " USD\n";
  else
    o << "market maker on " << mm_stats.size() << " market(s), its P&L per market in the MM stats lines\n";
  o << "orders sent " << orders_sent << " (rejected " << orders_rejected;
  if (mm_stats.empty()) o << ", hedges " << hedges;
  o << "), fills " << fills;
  if (mm_stats.empty()) o << ", leg-risk failures " << leg_risk_failures;
  o << " | book gaps " << book_gaps << ", resyncs " << book_resyncs << ", ws reconnects " << ws_reconnects
    << ", malformed frames " << malformed_frames << " | trading state " << trading_state << "\n";
  if (mm_stats.empty())
    o << "max unhedged " << format_usd(max_unhedged_usd) << " USD, longest unhedged " << longest_unhedged_us / kUsPerMs
      << " ms | ";
  o << "journal " << (journal_path.empty() ? std::string("disabled") : journal_path)
    << (journal_healthy ? "" : " (WRITE FAILED)");
  for (const std::string& line : mm_stats) o << "\n" << line;
  return o.str();
}

}  // namespace bparb::app
