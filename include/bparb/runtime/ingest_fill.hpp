#pragma once
// The one way a fill reaches the books: from the private stream, the fills-history poll, the history query
// of an order whose outcome was unknown, and start-up recovery alike. The journal is the dedup of record
// (by trade id, across paths and across runs): a fill it has seen is not booked twice.
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/runtime/journal_writer.hpp"

namespace bparb::runtime {

// Journals `f` and, if it is new, hands it to `book` (the engine while trading, the recovery ledger at
// start-up). A fill without a trade id cannot be deduplicated and is always booked. Returns true if booked.
// A report that says the order is now filled settles the order's record even when the fill itself was seen
// before: the history query of an unknown outcome may book the fill first, without knowing the order is done,
// and the stream's copy that knows it is then a duplicate.
template <class Book>
bool ingest_fill(JournalWriter& journal, const exec::FillReport& f, Book&& book) {
  const bool fresh = f.trade_id < 0 || journal.fill(f.trade_id, f.symbol, f.client_id, f.side, f.price, f.quantity,
                                                    f.fee, f.fee_symbol, f.maker, f.time_us, f.venue);
  if (f.order_filled)
    journal.ack(f.client_id, f.exchange_order_id, journal::OrderRecordState::kFilled, f.cumulative_quantity, f.venue);
  if (!fresh) return false;
  book(f);
  return true;
}

// A fill report as the engine's order update.
inline exec::OrderUpdate fill_update(const exec::FillReport& f) {
  exec::OrderUpdate u;
  u.client_id = f.client_id;
  u.kind = exec::OrderUpdate::Kind::kFill;
  u.trade_id = f.trade_id;
  u.fill_quantity = f.quantity;
  u.fill_price = f.price;
  u.fee = f.fee;
  u.fee_symbol = f.fee_symbol;
  u.maker = f.maker;
  u.cumulative_quantity = f.cumulative_quantity;
  u.venue_time_us = f.venue_time_us;
  return u;
}

}  // namespace bparb::runtime
