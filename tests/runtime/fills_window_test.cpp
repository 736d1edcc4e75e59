#include "bparb/runtime/fills_window.hpp"

#include <gtest/gtest.h>

namespace bparb::runtime {
namespace {

constexpr std::int64_t kStart = 1'780'000'000'000;  // ms

TEST(FillsWindow, BeforeTheFirstAnswerItStartsAMinuteBeforeTheDaemon) {
  EXPECT_EQ(fills_window_from_ms(kStart, 0, 0), kStart - 60'000);
}

TEST(FillsWindow, MovesForwardWithEachAnsweredPoll) {
  // An hour into the run the window is one minute wide, not an hour.
  EXPECT_EQ(fills_window_from_ms(kStart, kStart + 3'600'000, 0), kStart + 3'540'000);
  // A poll sent before start (clock stepped back) never widens it past the start.
  EXPECT_EQ(fills_window_from_ms(kStart, kStart - 5'000, 0), kStart - 60'000);
}

TEST(FillsWindow, KeepsARowWaitingForItsSecondSightingInside) {
  // A fill that reached the history 3 minutes late was seen missing once; the next poll must still
  // return it, or it would never be booked.
  const std::int64_t last_ok = kStart + 3'600'000;
  const std::int64_t late_fill = last_ok - 180'000;
  EXPECT_EQ(fills_window_from_ms(kStart, last_ok, late_fill), late_fill);
  // A suspect already inside the margin does not move the window.
  EXPECT_EQ(fills_window_from_ms(kStart, last_ok, last_ok - 1'000), last_ok - 60'000);
}

}  // namespace
}  // namespace bparb::runtime
