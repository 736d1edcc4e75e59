#pragma once
// A Lighter venue of bpsim's configuration ([venues.NAME] with protocol = "lighter", sim_config.hpp) as the
// rules its LighterServer runs on: markets, fees, accounts and keys from [venues.NAME.lighter], the
// listening address and port from [venues.NAME.server].
#include "bparb/sim/lighter/api.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::sim::lighter {

LighterRules lighter_rules_of(const VenueConfig& venue);

}  // namespace bparb::sim::lighter
