// Signing, verifying and hashing allocate nothing once warm (the generator table is built on first
// use). Counts global operator new calls on this thread while `counting` is set.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "bparb/venue/lighter/signer.hpp"

// Under AddressSanitizer the allocator is ASan's and replacing operator new confuses its bookkeeping;
// the Release run of this binary is where the count is meaningful.
#if !defined(__SANITIZE_ADDRESS__)
#define BPARB_LIGHTER_COUNT_ALLOCATIONS 1
#endif

#if defined(BPARB_LIGHTER_COUNT_ALLOCATIONS)
namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace bparb::lighter {
namespace {

#if defined(BPARB_LIGHTER_COUNT_ALLOCATIONS)
TEST(LighterAlloc, SignVerifyAndHashAllocateNothingOnceWarm) {
  auto signer = Signer::create("0102030405060708091011121314151617181920212223242526272829303132333435363738393a",
                               SignerConfig{kChainIdMainnet, 12345, 3, TxInfoLayout::kCurrent});
  ASSERT_TRUE(signer.has_value());
  CreateOrderTx order;
  order.market_index = 1;
  order.base_amount = 1000;
  order.price = 3000000;
  order.time_in_force = 1;
  order.order_expiry = 1893456000000;
  order.attributes.skip_nonce = 1;
  SignedTx out;
  AuthToken token;
  ASSERT_FALSE(signer->sign_create_order(order, 1, 1893455400000, out));  // warm-up: builds the table
  Point pk;
  ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(signer->public_key()), pk));
  const PreparedPublicKey prepared(pk);

  counting = true;
  allocations = 0;
  bool ok = true;
  for (std::int64_t nonce = 2; nonce < 6; ++nonce) {
    ok = ok && !signer->sign_create_order(order, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_cancel_order(CancelOrderTx{1, 77, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_cancel_all_orders(CancelAllOrdersTx{0, 0, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_modify_order(ModifyOrderTx{1, 77, 5, 6, 0, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && schnorr_verify(signer->public_key(), out.message_hash, out.signature);
    ok = ok && prepared.verify(out.message_hash, out.signature);
    ok = ok && !signer->auth_token(1893456000, token).has_value();
  }
  const long n = allocations;
  counting = false;
  EXPECT_TRUE(ok);
  EXPECT_EQ(n, 0);
}
#endif

}  // namespace
}  // namespace bparb::lighter
