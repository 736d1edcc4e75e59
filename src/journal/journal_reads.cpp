// Journal reads (start-up recovery and reports): decoded rows, or a returned status naming the failure.
#include "journal_impl.hpp"

namespace bparb::journal {

// ------------------------------------------------------------------------------------------ reads

namespace {

// Steps `s` to the end, decoding each row with `decode(row) -> bool`. Returns SQLITE_DONE, an SQLite
// error, or -1 when a row did not decode.
template <class Decode>
int for_each_row(sqlite3_stmt* s, Decode&& decode) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!decode(s)) {
      sqlite3_reset(s);
      return -1;
    }
  }
  sqlite3_reset(s);
  return rc;
}

}  // namespace

namespace {
template <class T>
Expected<T, JournalStatus> finish_read(Journal::Impl& m, const char* op, int rc, T&& value) {
  if (rc == -1) return unexpected(m.fail_with({JournalErrc::kBadRow, 0, op}, "stored value not decodable", false));
  if (rc != SQLITE_DONE) return unexpected(m.fail(op, rc, false));
  return std::forward<T>(value);
}

// Reads allocate; out of memory becomes an error value instead of escaping a noexcept function.
template <class F>
auto guarded_read(const char* op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return unexpected(JournalStatus{JournalErrc::kOther, SQLITE_NOMEM, op});
  }
}
}  // namespace

Expected<std::vector<OpenIntent>, JournalStatus> Journal::open_intents() noexcept {
  if (!impl_) return unexpected(closed_status("open_intents"));
  return guarded_read("open_intents", [&]() -> Expected<std::vector<OpenIntent>, JournalStatus> {
    std::vector<OpenIntent> out;
    int rc = for_each_row(impl_->stmt(kOpenIntents), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_intent(s, out.back());
    });
    return finish_read(*impl_, "open_intents", rc, std::move(out));
  });
}

Expected<std::optional<OpenIntent>, JournalStatus> Journal::find_intent(ClientId client_id) noexcept {
  if (!impl_) return unexpected(closed_status("find_intent"));
  return guarded_read("find_intent", [&]() -> Expected<std::optional<OpenIntent>, JournalStatus> {
    std::optional<OpenIntent> out;
    sqlite3_stmt* st = impl_->stmt(kFindIntent);
    sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(client_id));
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace();
      return Impl::decode_intent(s, *out);
    });
    return finish_read(*impl_, "find_intent", rc, std::move(out));
  });
}

Expected<std::vector<FillRecord>, JournalStatus> Journal::fills_since(TimestampUs since_us) noexcept {
  if (!impl_) return unexpected(closed_status("fills_since"));
  return guarded_read("fills_since", [&]() -> Expected<std::vector<FillRecord>, JournalStatus> {
    std::vector<FillRecord> out;
    sqlite3_stmt* st = impl_->stmt(kFillsSince);
    sqlite3_bind_int64(st, 1, since_us);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_fill(s, out.back());
    });
    return finish_read(*impl_, "fills_since", rc, std::move(out));
  });
}

Expected<std::optional<TimestampUs>, JournalStatus> Journal::last_fill_time_us() noexcept {
  if (!impl_) return unexpected(closed_status("last_fill_time_us"));
  return guarded_read("last_fill_time_us", [&]() -> Expected<std::optional<TimestampUs>, JournalStatus> {
    std::optional<TimestampUs> out;
    int rc = for_each_row(impl_->stmt(kLastFill), [&](sqlite3_stmt* s) {
      if (sqlite3_column_type(s, 0) != SQLITE_NULL) out = sqlite3_column_int64(s, 0);
      return true;
    });
    return finish_read(*impl_, "last_fill_time_us", rc, std::move(out));
  });
}

Expected<std::vector<PositionRecord>, JournalStatus> Journal::open_positions() noexcept {
  if (!impl_) return unexpected(closed_status("open_positions"));
  return guarded_read("open_positions", [&]() -> Expected<std::vector<PositionRecord>, JournalStatus> {
    std::vector<PositionRecord> out;
    int rc = for_each_row(impl_->stmt(kOpenPositions), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_position(s, out.back());
    });
    return finish_read(*impl_, "open_positions", rc, std::move(out));
  });
}

Expected<std::vector<PositionRecord>, JournalStatus> Journal::positions() noexcept {
  if (!impl_) return unexpected(closed_status("positions"));
  return guarded_read("positions", [&]() -> Expected<std::vector<PositionRecord>, JournalStatus> {
    std::vector<PositionRecord> out;
    int rc = for_each_row(impl_->stmt(kAllPositions), [&](sqlite3_stmt* s) {
      out.emplace_back();
      return Impl::decode_position(s, out.back());
    });
    return finish_read(*impl_, "positions", rc, std::move(out));
  });
}

Expected<std::optional<PositionRecord>, JournalStatus> Journal::position_held_at(std::string_view pair,
                                                                                 TimestampUs at_us) noexcept {
  if (!impl_) return unexpected(closed_status("position_held_at"));
  return guarded_read("position_held_at", [&]() -> Expected<std::optional<PositionRecord>, JournalStatus> {
    std::optional<PositionRecord> out;
    sqlite3_stmt* st = impl_->stmt(kPositionHeldAt);
    sqlite3_bind_text(st, 1, pair.data(), static_cast<int>(pair.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, at_us);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.emplace();
      return Impl::decode_position(s, *out);
    });
    return finish_read(*impl_, "position_held_at", rc, std::move(out));
  });
}

Expected<std::vector<FundingRecord>, JournalStatus> Journal::funding_since(std::int64_t since_ms) noexcept {
  if (!impl_) return unexpected(closed_status("funding_since"));
  return guarded_read("funding_since", [&]() -> Expected<std::vector<FundingRecord>, JournalStatus> {
    std::vector<FundingRecord> out;
    sqlite3_stmt* st = impl_->stmt(kFundingSince);
    sqlite3_bind_int64(st, 1, since_ms);
    int rc = for_each_row(st, [&](sqlite3_stmt* s) {
      out.push_back({std::string(column_text(s, 0)), sqlite3_column_int64(s, 1), column_decimal(s, 2)});
      return parse_venue_id(column_text(s, 3), out.back().venue);
    });
    return finish_read(*impl_, "funding_since", rc, std::move(out));
  });
}

}  // namespace bparb::journal
