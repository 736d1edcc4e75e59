#pragma once
// The order_book frame read straight from its bytes (internal to parsers.cpp and its tests).
#include "bparb/venue/lighter/messages.hpp"

namespace bparb::lighter::detail {

// Decodes an order_book frame of the exact shape the venue sends (docs/lighter.md): no whitespace,
// only the known keys, unescaped strings, levels as {"price":"…","size":"…"} with plain decimals,
// integers of at most 18 digits. Returns true with `out` filled exactly as the generic parser fills it;
// returns false for anything else (having touched only `out.book`), and the caller runs the generic
// parser, which then gives the authoritative answer, error or not.
bool fast_book_frame(const char* p, const char* end, WsFrame& out) noexcept;

}  // namespace bparb::lighter::detail
