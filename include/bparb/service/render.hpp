#pragma once
// The three views of a Snapshot the HTTP surface serves (docs/service.md): the readiness verdict, the
// status document (JSON, money as exact decimals in strings) and the Prometheus text exposition (format
// 0.0.4, `bparb_` names, bounded labels: venue, symbol, reason, state).
#include <string>
#include <vector>

#include "bparb/service/snapshot.hpp"

namespace bparb::service {

// Why the node is not ready to trade, one short sentence each; empty = ready.
std::vector<std::string> readiness_reasons(const Snapshot& s);

std::string render_status_json(const Snapshot& s);
std::string render_metrics(const Snapshot& s);

}  // namespace bparb::service
