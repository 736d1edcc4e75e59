// The instrument table: dense ids in the order added, (venue, symbol) lookups, kinds, fees, stable markets.
#include "bparb/core/instrument.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace bparb {
namespace {

MarketSpec market(const char* symbol, MarketType type) {
  MarketSpec m;
  m.symbol = symbol;
  m.base_symbol = "SOL";
  m.quote_symbol = "USDC";
  m.type = type;
  m.tick_size = Decimal::from_string("0.01");
  m.step_size = Decimal::from_string("0.01");
  return m;
}

TEST(InstrumentTable, IdsAreDenseAndLookupsGoByVenueAndSymbol) {
  InstrumentTable t;
  EXPECT_TRUE(t.empty());
  const InstrumentId spot = t.add(VenueId::kBackpack, market("SOL_USDC", MarketType::kSpot));
  const InstrumentId perp = t.add(VenueId::kBackpack, market("SOL_USDC_PERP", MarketType::kPerp),
                                  {Decimal::from_int(2), Decimal::from_int(5)});
  // The same symbol on another venue is another instrument.
  const InstrumentId other = t.add(VenueId::kLighter, market("SOL_USDC_PERP", MarketType::kPerp));
  EXPECT_EQ(spot, 0);
  EXPECT_EQ(perp, 1);
  EXPECT_EQ(other, 2);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.find(VenueId::kBackpack, "SOL_USDC_PERP"), std::optional<InstrumentId>(perp));
  EXPECT_EQ(t.find(VenueId::kLighter, "SOL_USDC_PERP"), std::optional<InstrumentId>(other));
  EXPECT_FALSE(t.find(VenueId::kLighter, "SOL_USDC"));
  EXPECT_FALSE(t.contains(3));
  EXPECT_FALSE(t.contains(kNoInstrument));

  const Instrument& p = t[perp];
  EXPECT_EQ(p.id, perp);
  EXPECT_EQ(p.venue, VenueId::kBackpack);
  EXPECT_EQ(p.kind, InstrumentKind::kPerp);
  EXPECT_TRUE(p.is_perp());
  EXPECT_EQ(p.symbol(), "SOL_USDC_PERP");
  EXPECT_EQ(p.base(), "SOL");
  EXPECT_EQ(p.quote(), "USDC");
  EXPECT_EQ(p.fees.maker_bps, Decimal::from_int(2));
  EXPECT_EQ(p.fees.taker_bps, Decimal::from_int(5));
  EXPECT_EQ(t[spot].kind, InstrumentKind::kSpot);
  EXPECT_EQ(instrument_kind_name(InstrumentKind::kSpot), "spot");
  EXPECT_EQ(instrument_kind_name(InstrumentKind::kPerp), "perp");
}

TEST(InstrumentTable, MarketsKeepTheirAddressesAsTheTableGrows) {
  InstrumentTable t;
  const MarketSpec* first = &t.market(t.add(VenueId::kBackpack, market("1000", MarketType::kSpot)));
  for (int i = 1; i < 300; ++i) t.add(VenueId::kBackpack, market(std::to_string(1000 + i).c_str(), MarketType::kSpot));
  EXPECT_EQ(&t.market(0), first);
  EXPECT_EQ(first->symbol, "1000");
  EXPECT_EQ(t.id_of(first), 0);
  EXPECT_EQ(t.id_of(&t.market(299)), 299);
  MarketSpec elsewhere;
  EXPECT_EQ(t.id_of(&elsewhere), kNoInstrument);
}

TEST(InstrumentTable, FeesArriveAfterTheMarkets) {
  InstrumentTable t;
  const InstrumentId id = t.add(VenueId::kBackpack, market("SOL_USDC", MarketType::kSpot));
  EXPECT_TRUE(t[id].fees.taker_bps.is_zero());
  t.set_fees(id, {Decimal::from_int(-1), Decimal::from_int(10)});
  EXPECT_EQ(t[id].fees.maker_bps, Decimal::from_int(-1));  // a rebate
  EXPECT_EQ(t[id].fees.taker_bps, Decimal::from_int(10));
  t.set_fees(42, {});  // not an id of this table: ignored
}

TEST(InstrumentTable, RefusesDuplicatesEmptySymbolsAndUntradedKinds) {
  InstrumentTable t;
  t.add(VenueId::kBackpack, market("SOL_USDC", MarketType::kSpot));
  try {
    t.add(VenueId::kBackpack, market("SOL_USDC", MarketType::kSpot));
    FAIL() << "a duplicate was added";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "instrument table: backpack market 'SOL_USDC' added twice");
  }
  try {
    t.add(VenueId::kBackpack, market("SOL_USDC_IPERP", MarketType::kIperp));
    FAIL() << "an IPERP market was added";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "instrument table: backpack market 'SOL_USDC_IPERP': market type IPERP is not traded (allowed: SPOT, "
              "PERP)");
  }
  EXPECT_THROW(t.add(VenueId::kLighter, market("", MarketType::kPerp)), std::invalid_argument);
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace bparb
