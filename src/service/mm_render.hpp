#pragma once
// The market maker's part of the status document and of /metrics (docs/service.md "The market maker").
#include <string>
#include <vector>

#include "bparb/service/snapshot.hpp"

namespace bparb::service {

// `null` without a market maker, else {"markets":[...],"total":{...}}.
void mm_status_json(std::string& o, const std::vector<MmMarketView>& markets);
// The bparb_mm_* families (none without a market maker). Labels: symbol, component, reason.
void mm_metrics(std::string& o, const std::vector<MmMarketView>& markets);

}  // namespace bparb::service
