// Tests for rtp/ids.hpp: 16-bit sequence and 32-bit RTP timestamp unwrapping, serial-number comparison.
#include <gtest/gtest.h>

#include <unordered_set>

#include "rtp/ids.hpp"

namespace medley::rtp {
namespace {

TEST(SeqUnwrapper, FirstValueIsTakenAsIs) {
  SeqUnwrapper u;
  EXPECT_FALSE(u.started());
  EXPECT_EQ(u.unwrap(65000), 65000);
  EXPECT_TRUE(u.started());
  EXPECT_EQ(u.last(), 65000);
}

TEST(SeqUnwrapper, WrapsForwards) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  // A second full wrap, in steps below half the span.
  EXPECT_EQ(u.unwrap(30000), 95536);
  EXPECT_EQ(u.unwrap(60000), 125536);
  EXPECT_EQ(u.unwrap(10), 131082);
}

TEST(SeqUnwrapper, WrapsBackwardsBelowZero) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(1), 1);
  EXPECT_EQ(u.unwrap(0), 0);
  EXPECT_EQ(u.unwrap(65535), -1);  // an older packet than the first seen, across the wrap
  EXPECT_EQ(u.unwrap(65000), -536);
  EXPECT_EQ(u.last(), 1);  // the reference only moves forwards
  EXPECT_EQ(u.unwrap(2), 2);
}

TEST(SeqUnwrapper, ReorderAcrossTheWrap) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(65533), 65533);
  EXPECT_EQ(u.unwrap(1), 65537);      // 65534, 65535, 0 late
  EXPECT_EQ(u.unwrap(65535), 65535);  // late packet from before the wrap stays before it
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(2), 65538);
  EXPECT_EQ(u.last(), 65538);
}

TEST(SeqUnwrapper, HalfSpanJumpAndPeekDoesNotMove) {
  SeqUnwrapper u;
  u.unwrap(100);
  EXPECT_EQ(u.peek(100 + 32767), 100 + 32767);  // under half: forwards
  EXPECT_EQ(u.peek(100 + 32768), 100 + 32768);  // exactly half, larger raw value: forwards (as seq_newer)
  EXPECT_EQ(u.peek(100 + 32769), 100 + 32769 - 65536);  // over half: older
  EXPECT_EQ(u.peek(50), 50);
  EXPECT_EQ(u.last(), 100);
  u.reset();
  EXPECT_FALSE(u.started());
  EXPECT_EQ(u.peek(7), 7);
}

TEST(SeqUnwrapper, LongRunStaysMonotonic) {
  SeqUnwrapper u;
  uint16_t s = 40000;
  int64_t prev = u.unwrap(s);
  for (int i = 0; i < 300000; ++i) {
    s = static_cast<uint16_t>(s + 7);
    int64_t now = u.unwrap(s);
    ASSERT_EQ(now, prev + 7);
    prev = now;
  }
}

TEST(RtpTimestampUnwrapper, WrapsForwardsAndBackwards) {
  RtpTimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xFFFFF000u), 0xFFFFF000LL);
  EXPECT_EQ(u.unwrap(0x00000BB8u), 0x100000BB8LL);  // 90 kHz frames over the wrap
  EXPECT_EQ(u.unwrap(0xFFFFFFFFu), 0xFFFFFFFFLL);    // reordered, before the wrap
  EXPECT_EQ(u.unwrap(0x00001770u), 0x100001770LL);
  EXPECT_EQ(u.last(), 0x100001770LL);

  RtpTimestampUnwrapper back;
  EXPECT_EQ(back.unwrap(10), 10);
  EXPECT_EQ(back.unwrap(0xFFFFFFF0u), -16);
}

TEST(SeqNewer, SerialArithmetic) {
  EXPECT_TRUE(seq_newer(1, 0));
  EXPECT_TRUE(seq_newer(0, 65535));
  EXPECT_FALSE(seq_newer(65535, 0));
  EXPECT_FALSE(seq_newer(5, 5));
  EXPECT_TRUE(seq_newer(0x7FFF, 0));
  EXPECT_TRUE(seq_newer(0x8000, 0));  // exactly half: the larger value is newer, never both ways
  EXPECT_FALSE(seq_newer(0, 0x8000));
}

TEST(SeqUnwrapper, ExactlyHalfAgreesWithSeqNewer) {
  SeqUnwrapper up;
  up.unwrap(0);
  EXPECT_EQ(up.unwrap(0x8000), 0x8000);  // newer: forwards
  SeqUnwrapper down;
  down.unwrap(0x8000);
  EXPECT_EQ(down.unwrap(0), 0);  // older: stays below, not 65536
}

TEST(StrongId, DistinctTypesHashAndCompare) {
  std::unordered_set<Ssrc> set{Ssrc(1), Ssrc(2), Ssrc(1)};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_LT(PayloadType(96), PayloadType(111));
  static_assert(!std::is_convertible_v<Ssrc, PayloadType>);
  static_assert(!std::is_convertible_v<uint32_t, Ssrc>);
}

}  // namespace
}  // namespace medley::rtp
