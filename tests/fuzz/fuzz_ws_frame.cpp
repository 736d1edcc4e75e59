// WebSocket frame decoder (hot path): parse_ws_frame on arbitrary bytes, via both input paths, with one
// parser and one WsFrame reused across inputs exactly like a live connection.
#include "fuzz_util.hpp"

using namespace bparb;
using namespace bparb::backpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static JsonParser parser;
  static WsFrame frame;
  const std::string_view text = fuzz::as_view(data, size);

  const ParseError e1 = parse_ws_frame(parser, JsonInput(text), frame);
  const WsFrameType t1 = frame.type;
  FUZZ_CHECK(e1.ok() || t1 == WsFrameType::kNone);  // documented: malformed -> type kNone

  fuzz::PaddedCopy padded(text);
  const ParseError e2 = parse_ws_frame(parser, padded.input(), frame);
  FUZZ_CHECK(e1.code == e2.code);
  FUZZ_CHECK(t1 == frame.type);
  if (!e2.ok()) (void)e2.message();
  return 0;
}
