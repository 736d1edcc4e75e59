// The engine's observer events: plain values, short texts copied in (and cut at their size), and the
// ObserverList telling every observer each event in the order they were added.
#include "bparb/exec/engine_events.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace bparb::exec {
namespace {

struct Recorder final : EngineObserver {
  Recorder(std::vector<std::string>& log, std::string name) : log_(log), name_(std::move(name)) {}
  void on_event(const EngineEvent& e) override {
    const auto* t = std::get_if<event::TradeAbandoned>(&e);
    log_.push_back(name_ + ":" + (t ? std::string(t->why.view()) : std::string("other")));
  }
  std::vector<std::string>& log_;
  std::string name_;
};

TEST(EngineEvents, TextsAreCopiedAndCutAtTheirSize) {
  std::string source = "USDC";
  const FeeSymbolText fee = FeeSymbolText::of(source);
  source[0] = 'X';  // the event keeps its own copy
  EXPECT_EQ(fee.view(), "USDC");
  const std::string long_text(300, 'a');
  EXPECT_EQ(RejectMessageText::of(long_text).view(), std::string(256, 'a'));
  EXPECT_EQ(FeeSymbolText::of(long_text).view().size(), 16u);
  EXPECT_TRUE(ReasonText::of("").view().empty());
}

TEST(EngineEvents, ObserverListTellsEachObserverInTheOrderAdded) {
  std::vector<std::string> log;
  Recorder journal(log, "journal"), lines(log, "lines"), alerts(log, "alerts");
  ObserverList list;
  list.add(journal);
  list.add(lines);
  list.add(alerts);
  EXPECT_EQ(list.size(), 3u);
  list.on_event(event::TradeAbandoned{3, ReasonText::of("no leg filled")});
  list.on_event(event::Stats{});
  EXPECT_EQ(log, (std::vector<std::string>{"journal:no leg filled", "lines:no leg filled", "alerts:no leg filled",
                                           "journal:other", "lines:other", "alerts:other"}));
}

TEST(EngineEvents, ObserverListRefusesMoreThanItsCapacity) {
  std::vector<std::string> log;
  Recorder r(log, "r");
  ObserverList list;
  for (std::size_t i = 0; i < ObserverList::kCapacity; ++i) list.add(r);
  EXPECT_THROW(list.add(r), std::length_error);
  EXPECT_EQ(list.size(), ObserverList::kCapacity);
}

TEST(EngineEvents, LegNamesAreThoseOfTheLogLines) {
  EXPECT_EQ(leg_name(LegIndex::kSpot), "spot");
  EXPECT_EQ(leg_name(LegIndex::kPerp), "perp");
}

}  // namespace
}  // namespace bparb::exec
