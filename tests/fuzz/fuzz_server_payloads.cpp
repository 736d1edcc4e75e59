// bpsim's request parsers (what the simulator accepts from any client on its port): order body, batch
// body, cancel body and query string. The first byte picks the parser; the rest is the input.
#include "fuzz_util.hpp"

using namespace bparb::backpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static JsonParser parser;
  static OrderExecutePayload order;
  static std::vector<OrderExecutePayload> batch;
  static CancelPayload cancel;
  static std::vector<ParamText> query;
  const std::string_view text = bparb::fuzz::as_view(data + 1, size - 1);
  ParseError e;
  switch (data[0] % 4) {
    case 0:
      e = parse_order_execute_payload(parser, JsonInput(text), order);
      break;
    case 1:
      e = parse_order_execute_batch(parser, JsonInput(text), batch);
      if (e.ok()) FUZZ_CHECK(!batch.empty());  // documented: an empty array is kBadValue
      break;
    case 2:
      e = parse_cancel_payload(parser, JsonInput(text), cancel);
      if (e.ok()) FUZZ_CHECK(!(cancel.order_id && cancel.client_id));  // documented: not both
      break;
    default:
      e = parse_query_string(text, query);
      break;
  }
  if (!e.ok()) (void)e.message();
  return 0;
}
