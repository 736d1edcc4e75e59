#pragma once
// Signing requests as JSON lines, the format of `bparb lighter sign` (README "Lighter signing"): one
// object in, one JSON line out:
//   {"tx_type":N,"tx_info":"<exact JSON string>","message_hash":"<80 hex>","public_key":"<80 hex>"}
//   {"auth_token":"...","public_key":"..."}            for kind auth_token
//   {"error":"..."}                                     for a bad request (never echoing its content)
// Request fields: kind, account_index, api_key_index, chain_id (default 304), nonce, expired_at (ms,
// default now + 10 min - 1 s) and per kind the order fields; see sign_request_line.
#include <simdjson.h>

#include <cstdint>
#include <iosfwd>
#include <string_view>

#include "bparb/venue/lighter/signer.hpp"

namespace bparb::lighter {

// Signs one request with `signer` (its account/key slot/chain are set from the request) and writes
// the result line, newline included. Returns false when the line is an {"error":...}. A request that
// carries a "private_key" field is refused. now_ms is the clock for the default expired_at.
bool sign_request_line(Signer& signer, std::string_view line, simdjson::dom::parser& parser, std::int64_t now_ms,
                       std::ostream& out);

}  // namespace bparb::lighter
