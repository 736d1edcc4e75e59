#include "bparb/core/instrument.hpp"

#include <stdexcept>
#include <string>

namespace bparb {

std::string_view instrument_kind_name(InstrumentKind k) noexcept {
  switch (k) {
    case InstrumentKind::kSpot:
      return "spot";
    case InstrumentKind::kPerp:
      return "perp";
  }
  return "?";
}

InstrumentId InstrumentTable::add(VenueId venue, const MarketSpec& market, InstrumentFees fees) {
  const std::string where = std::string(venue_name(venue)) + " market '" + market.symbol + "'";
  if (market.symbol.empty()) throw std::invalid_argument("instrument table: " + where + ": empty symbol");
  InstrumentKind kind = InstrumentKind::kSpot;
  if (market.type == MarketType::kSpot) {
    kind = InstrumentKind::kSpot;
  } else if (market.type == MarketType::kPerp) {
    kind = InstrumentKind::kPerp;
  } else {
    throw std::invalid_argument("instrument table: " + where + ": market type " +
                                std::string(market_type_name(market.type)) + " is not traded (allowed: SPOT, PERP)");
  }
  if (find(venue, market.symbol)) throw std::invalid_argument("instrument table: " + where + " added twice");
  if (instruments_.size() >= kMaxInstruments)
    throw std::invalid_argument("instrument table: " + where + ": more than " + std::to_string(kMaxInstruments) +
                                " instruments");
  Instrument& in = instruments_.emplace_back();
  in.id = static_cast<InstrumentId>(instruments_.size() - 1);
  in.venue = venue;
  in.kind = kind;
  in.market = market;
  in.fees = fees;
  return in.id;
}

void InstrumentTable::set_fees(InstrumentId id, InstrumentFees fees) noexcept {
  if (contains(id)) instruments_[id].fees = fees;
}

std::optional<InstrumentId> InstrumentTable::find(VenueId venue, std::string_view symbol) const noexcept {
  for (const Instrument& in : instruments_)
    if (in.venue == venue && in.market.symbol == symbol) return in.id;
  return std::nullopt;
}

InstrumentId InstrumentTable::id_of(const MarketSpec* market) const noexcept {
  for (const Instrument& in : instruments_)
    if (&in.market == market) return in.id;
  return kNoInstrument;
}

}  // namespace bparb
