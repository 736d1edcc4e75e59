#pragma once
// The daemon's Lighter venue from [venues.lighter] (runtime/lighter_venue.hpp): its key (LIGHTER_API_PRIVATE_KEY
// in live mode; a fresh one in paper mode, whose simulated account registers its public key), its options, and
// what the status page shows of it. The daemon hosts Lighter when the section lists markets.
#include <string>

#include "bparb/app/config.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {

// True when [venues.lighter] lists markets.
bool hosts_lighter(const Config& cfg) noexcept;
// The account, key slot and chain of [venues.lighter].
lighter::SignerConfig lighter_signer_config(const Config& cfg);
// Live mode: the key from the environment or exchange.env_file. Throws std::runtime_error naming what is
// missing or invalid (never the key). `from` says where it was found.
lighter::Signer load_lighter_signer(const Config& cfg, std::string& from);
// Paper mode: a fresh key for the simulated account.
lighter::Signer paper_lighter_signer(const Config& cfg);
// Paper mode: what the embedded bpsim serves as Lighter for this config and key.
runtime::PaperOptions::Lighter paper_lighter_options(const Config& cfg, const lighter::Signer& signer);
// The venue's options; the endpoints are the config's (live) or the embedded bpsim's (paper).
runtime::LighterVenueOptions lighter_venue_options(const Config& cfg, std::string rest_url, std::string ws_url);
// GET /api/v1/status: the Lighter stream and each of its books.
void collect_lighter_health(const runtime::LighterVenue& venue, const InstrumentTable& instruments,
                            service::VenueHealth& out);

}  // namespace bparb::app
