// Lighter REST bodies (venue/lighter/parsers.hpp) from arbitrary bytes: every parser runs on the input.
// Properties: no crash / leak / UB; an API error carries a non-200 code; successful results respect the
// parsers' promises (decimals <= 9, signed position = sign x size, lowercase 80-hex tx hashes, nonce in
// 0..2^48-1).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bparb/venue/lighter/parsers.hpp"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

using namespace bparb;
using namespace bparb::lighter;

namespace {
void check_api(const ParseError& e) {
  if (e.code == ParseErrc::kApiError) FUZZ_CHECK(e.api_code != 200 && e.venue_error() != LighterError::kNone);
}
void check_hash(const TxHashHex& h) {
  for (char c : h) FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static JsonParser p;
  const std::string body(reinterpret_cast<const char*>(data), size);
  std::vector<MarketDetails> markets;
  ParseError e = parse_order_book_details(p, body, markets);
  check_api(e);
  if (e.ok())
    for (const MarketDetails& m : markets) FUZZ_CHECK(m.size_decimals <= 9 && m.price_decimals <= 9);
  check_api(parse_order_books(p, body, markets));
  Account a;
  e = parse_account(p, body, a);
  check_api(e);
  if (e.ok())
    for (const Position& pos : a.positions) FUZZ_CHECK(pos.signed_size == (pos.sign < 0 ? -pos.size : pos.size));
  std::int64_t nonce = 0;
  e = parse_next_nonce(p, body, nonce);
  check_api(e);
  if (e.ok()) FUZZ_CHECK(nonce >= 0 && nonce < (std::int64_t{1} << 48));
  SendTxResult r;
  e = parse_send_tx(p, body, r);
  check_api(e);
  if (e.ok()) check_hash(r.tx_hash);
  SendTxBatchResult br;
  e = parse_send_tx_batch(p, body, br);
  check_api(e);
  if (e.ok())
    for (const TxHashHex& h : br.tx_hashes) check_hash(h);
  OrdersPage orders;
  check_api(parse_orders(p, body, orders));
  TradesPage trades;
  e = parse_trades(p, body, trades);
  check_api(e);
  if (e.ok())
    for (const Trade& t : trades.trades) FUZZ_CHECK(t.price.is_positive() && t.size.is_positive());
  FundingPage funding;
  check_api(parse_position_funding(p, body, funding));
  std::int64_t code = 0;
  std::string message;
  (void)parse_api_status(p, body, code, message);
  return 0;
}
