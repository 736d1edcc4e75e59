// The one table from [venues.<name>] to its node in the daemon (app/venue_node.hpp). A new venue adds its config
// section, its node in its own files and one row here.
#include <array>
#include <memory>
#include <vector>

#include "bparb/app/lighter_node.hpp"
#include "bparb/app/venue_node.hpp"

namespace bparb::app {
namespace {

struct VenueNodeEntry {
  bool (*hosted)(const Config& cfg) noexcept;  // the config's section lists markets
  std::unique_ptr<VenuePlan> (*plan)(const Config& cfg);
};

constexpr std::array kVenueNodes{
    VenueNodeEntry{&hosts_lighter, &make_lighter_venue_plan},
};

}  // namespace

std::vector<std::unique_ptr<VenuePlan>> venue_plans(const Config& cfg) {
  std::vector<std::unique_ptr<VenuePlan>> plans;
  for (const VenueNodeEntry& e : kVenueNodes)
    if (e.hosted(cfg)) plans.push_back(e.plan(cfg));
  return plans;
}

}  // namespace bparb::app
