// The cross-venue entry path allocates nothing once warm (src/bench/xarb_to_wire.hpp): a Backpack depth frame
// or a Lighter order_book frame that opens a dislocation -> the engine's two IOC legs -> Backpack's signed
// HTTP order request and Lighter's signed CreateOrder in its jsonapi/sendtx frame, through both parsers, both
// book syncs, the cross-venue strategy, the engine, risk gate and OMS, both order mappings and both signatures.
// The legs are checked to be the right ones.
#include <gtest/gtest.h>

#include <string>

#include "../../src/bench/alloc_counter.hpp"
#include "../../src/bench/xarb_to_wire.hpp"
#include "bparb/venue/lighter/schnorr.hpp"

namespace bparb {
namespace {

using bench::AllocScope;
using bench::AllocStats;
using bench::XarbFrameVenue;

// One trade: `open` (of `venue`) must write both legs; the venues' answers end it and the close frame
// takes the dislocation away. Returns the allocations counted over the open frame.
AllocStats trade(bench::XarbToWire& t, XarbFrameVenue venue) {
  const std::string open = venue == XarbFrameVenue::kBackpack ? t.backpack_open_frame() : t.lighter_open_frame();
  AllocStats a;
  {
    AllocScope s;
    const int legs = t.on_frame(venue, open);
    a = s.finish();
    EXPECT_EQ(legs, 2);
  }
  t.finish_trade();
  const std::string close = venue == XarbFrameVenue::kBackpack ? t.backpack_close_frame() : t.lighter_close_frame();
  EXPECT_EQ(t.on_frame(venue, close), 0);
  return a;
}

TEST(XarbToWireNoAlloc, AFrameOnEitherVenueToBothSignedLegsDoesNotAllocate) {
  bench::XarbToWire t;
  for (int i = 0; i < 10; ++i) {  // warm both paths
    trade(t, XarbFrameVenue::kBackpack);
    trade(t, XarbFrameVenue::kLighter);
  }
  AllocStats bp, lt;
  const std::int64_t nonce_before = t.lighter_nonce();
  for (int i = 0; i < 200; ++i) {
    const AllocStats a = trade(t, XarbFrameVenue::kBackpack);
    bp.allocations += a.allocations;
    bp.bytes += a.bytes;
    const AllocStats b = trade(t, XarbFrameVenue::kLighter);
    lt.allocations += b.allocations;
    lt.bytes += b.bytes;
  }
  EXPECT_EQ(t.entries(), 420u);
  // LongBackpack: Backpack buys with an IOC limit, Lighter sells (a CreateOrder, tx_type 14) with the next nonce.
  const std::string bp_wire(t.backpack_wire());
  EXPECT_TRUE(bp_wire.starts_with("POST /api/v1/order HTTP/1.1\r\n")) << bp_wire;
  EXPECT_NE(bp_wire.find("\"side\":\"Bid\""), std::string::npos) << bp_wire;
  EXPECT_NE(bp_wire.find("\"timeInForce\":\"IOC\""), std::string::npos) << bp_wire;
  EXPECT_TRUE(backpack::verify_signature_base64(t.backpack_key().public_key_base64(), t.backpack_written().signature,
                                                t.backpack_written().signing_string));
  const std::string lt_wire(t.lighter_wire());
  EXPECT_TRUE(lt_wire.starts_with(R"({"type":"jsonapi/sendtx","data":{"id":")")) << lt_wire;
  EXPECT_NE(lt_wire.find(R"("tx_type":14,"tx_info":{)"), std::string::npos) << lt_wire;
  EXPECT_NE(lt_wire.find(R"("IsAsk":1)"), std::string::npos) << lt_wire;
  EXPECT_NE(lt_wire.find(t.lighter_signed().tx_info()), std::string::npos);
  EXPECT_NE(lt_wire.find("\"Nonce\":" + std::to_string(t.lighter_nonce()) + ","), std::string::npos) << lt_wire;
  EXPECT_TRUE(lighter::schnorr_verify(t.lighter_signer().public_key(), t.lighter_signed().message_hash,
                                      t.lighter_signed().signature));
  EXPECT_EQ(t.lighter_nonce(), nonce_before + 400);
  EXPECT_EQ(t.parse_errors(), 0u);
  EXPECT_EQ(t.write_errors(), 0u);
  EXPECT_EQ(t.sync_errors(), 0u);
  EXPECT_EQ(bp.allocations, 0u) << bp.bytes << " bytes over 200 Backpack-frame entries";
  EXPECT_EQ(lt.allocations, 0u) << lt.bytes << " bytes over 200 Lighter-frame entries";
}

}  // namespace
}  // namespace bparb
