// Tests for the send-side retransmission buffer.
#include "rtp/rtx_buffer.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace medley;
using namespace medley::rtp;
using base::Duration;
using base::Timestamp;

TEST(RtxBuffer, ReturnsStoredPacketOncePerInterval) {
  base::BufferPool pool;
  RtxBuffer rtx;
  const std::array<uint8_t, 3> bytes{1, 2, 3};
  rtx.store(7, pool.copy_of(bytes), Timestamp::millis(0));
  const base::BufferRef* p = rtx.take_for_resend(7, Timestamp::millis(10), Duration::millis(50));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)->size(), 3u);
  EXPECT_EQ(rtx.take_for_resend(7, Timestamp::millis(20), Duration::millis(50)), nullptr);  // throttled
  EXPECT_NE(rtx.take_for_resend(7, Timestamp::millis(60), Duration::millis(50)), nullptr);
  EXPECT_EQ(rtx.resent(), 2u);
}

TEST(RtxBuffer, UnknownOverwrittenAndOldPacketsAreMisses) {
  base::BufferPool pool;
  RtxBuffer rtx(RtxBuffer::Config{.capacity = 4, .max_age = Duration::millis(100)});
  const std::array<uint8_t, 1> b{9};
  for (uint16_t s = 0; s < 6; ++s) rtx.store(s, pool.copy_of(b), Timestamp::millis(s));
  EXPECT_EQ(rtx.take_for_resend(1, Timestamp::millis(10), Duration::zero()), nullptr);  // slot reused by 5
  EXPECT_NE(rtx.take_for_resend(5, Timestamp::millis(10), Duration::zero()), nullptr);
  EXPECT_EQ(rtx.take_for_resend(4, Timestamp::millis(200), Duration::zero()), nullptr);  // too old
  EXPECT_EQ(rtx.take_for_resend(100, Timestamp::millis(10), Duration::zero()), nullptr);
  EXPECT_EQ(rtx.misses(), 3u);
  rtx.clear();
  EXPECT_EQ(pool.outstanding(), 0u);
}

TEST(RtxBuffer, SharesThePlaintextBuffer) {
  base::BufferPool pool;
  RtxBuffer rtx;
  const std::array<uint8_t, 2> b{1, 2};
  base::BufferRef pkt = pool.copy_of(b);
  rtx.store(1, pkt, Timestamp::millis(0));
  EXPECT_EQ(pkt.use_count(), 2u);  // no copy made
}
