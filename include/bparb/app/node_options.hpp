#pragma once
// Config → what each of the daemon's runtime pieces takes of it, in the piece's own vocabulary (the engine's
// and the risk gate's mapping is engine_config.hpp, shared with the backtester).
#include <string>

#include "bparb/app/config.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/operator.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/startup.hpp"
#include "bparb/venue/backpack/venue.hpp"

namespace bparb::app {

// strategy.tick_us, [shutdown], the REST timeout (the final pass waits two of them) and the unhedged threshold
// (1% of position_size_usd).
runtime::NodeOptions node_options(const Config& cfg);
// The enabled pairs, [recovery], the equity floor and the daily loss limit; `resume` is `bparb run --resume`.
runtime::StartupOptions startup_options(const Config& cfg, bool resume);
// [exchange]'s endpoints and limits, [execution]'s request window.
backpack::BackpackVenueOptions backpack_venue_options(const Config& cfg);
// [paper] and the enabled pairs; `api_key` is the simulated account's.
runtime::PaperOptions paper_options(const Config& cfg, std::string api_key);

// SIGHUP: re-reads cfg.source_path and takes the thresholds only ([strategy], [execution], [risk], [recovery],
// [shutdown]); the rest needs a restart. `cfg` holds the applied values when this returns kApplied.
runtime::ReloadOutcome reload_thresholds(Config& cfg);

}  // namespace bparb::app
