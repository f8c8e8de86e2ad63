// Tests for the receiver-side NACK generator: first NACKs, RTT-paced resends, recovery, give-up, overflow.
#include "rtp/nack_generator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace medley;
using namespace medley::rtp;
using base::Duration;
using base::Timestamp;
using ::testing::ElementsAre;

namespace {
Timestamp at_ms(int64_t ms) { return Timestamp::millis(ms); }
}  // namespace

TEST(NackGenerator, NacksAGapAtOnceAndRecoveryRemovesIt) {
  NackGenerator gen;
  std::vector<uint16_t> out;
  gen.on_packet(100, at_ms(0));
  gen.on_packet(104, at_ms(10));
  EXPECT_EQ(gen.missing_count(), 3u);
  EXPECT_EQ(gen.next_timeout(), at_ms(10));
  gen.poll(at_ms(10), out);
  EXPECT_THAT(out, ElementsAre(101, 102, 103));
  EXPECT_TRUE(gen.on_packet(102, at_ms(20)));   // repaired
  EXPECT_FALSE(gen.on_packet(102, at_ms(21)));  // a duplicate repairs nothing
  EXPECT_EQ(gen.missing_count(), 2u);
  EXPECT_EQ(gen.recovered(), 1u);
}

TEST(NackGenerator, ResendsEveryRttNotEveryPoll) {
  NackGenerator gen;
  gen.set_rtt(Duration::millis(50));
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(3, at_ms(0));
  gen.poll(at_ms(0), out);
  EXPECT_THAT(out, ElementsAre(2));
  out.clear();
  gen.poll(at_ms(30), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(gen.next_timeout(), at_ms(50));
  gen.poll(at_ms(50), out);
  EXPECT_THAT(out, ElementsAre(2));
  EXPECT_EQ(gen.nacks_sent(), 2u);
}

TEST(NackGenerator, RttBelowFloorUsesMinimumInterval) {
  NackConfig cfg;
  cfg.min_resend_interval = Duration::millis(20);
  NackGenerator gen(cfg);
  gen.set_rtt(Duration::millis(1));
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(3, at_ms(0));
  gen.poll(at_ms(0), out);
  EXPECT_EQ(gen.next_timeout(), at_ms(20));
}

TEST(NackGenerator, GivesUpAfterRetriesAndAsksForKeyframe) {
  NackConfig cfg;
  cfg.max_retries = 3;
  cfg.min_resend_interval = Duration::millis(10);
  NackGenerator gen(cfg);
  gen.set_rtt(Duration::millis(10));
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(3, at_ms(0));
  for (int t = 0; t < 30; t += 10) {
    NackPoll p = gen.poll(at_ms(t), out);
    EXPECT_FALSE(p.keyframe_needed);
  }
  EXPECT_EQ(out.size(), 3u);
  NackPoll p = gen.poll(at_ms(30), out);  // one interval after the last NACK: give up
  EXPECT_TRUE(p.keyframe_needed);
  EXPECT_EQ(p.given_up, 1u);
  EXPECT_EQ(gen.missing_count(), 0u);
  EXPECT_EQ(gen.next_timeout(), Timestamp::infinite());
}

TEST(NackGenerator, GivesUpByAge) {
  NackConfig cfg;
  cfg.max_age = Duration::millis(100);
  cfg.keyframe_on_give_up = false;  // audio
  NackGenerator gen(cfg);
  gen.set_rtt(Duration::millis(500));
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(5, at_ms(0));
  gen.poll(at_ms(0), out);
  EXPECT_EQ(gen.next_timeout(), at_ms(100));
  NackPoll p = gen.poll(at_ms(100), out);
  EXPECT_EQ(p.given_up, 3u);
  EXPECT_FALSE(p.keyframe_needed);
}

TEST(NackGenerator, OverflowClearsListAndRequestsKeyframe) {
  NackConfig cfg;
  cfg.max_missing = 100;
  NackGenerator gen(cfg);
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(500, at_ms(1));
  EXPECT_EQ(gen.missing_count(), 0u);
  EXPECT_EQ(gen.next_timeout(), Timestamp::zero());
  NackPoll p = gen.poll(at_ms(1), out);
  EXPECT_TRUE(p.keyframe_needed);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(gen.keyframe_requests(), 1u);
}

TEST(NackGenerator, KeyframeDropsOlderGaps) {
  NackGenerator gen;
  std::vector<uint16_t> out;
  gen.on_packet(1, at_ms(0));
  gen.on_packet(5, at_ms(0));  // 2,3,4 missing
  gen.on_packet(9, at_ms(0), /*keyframe=*/true);  // 6,7,8 were before the keyframe too
  EXPECT_EQ(gen.missing_count(), 0u);
  gen.on_packet(11, at_ms(0));
  gen.poll(at_ms(0), out);
  EXPECT_THAT(out, ElementsAre(10));
}

TEST(NackGenerator, UnwrappedSequenceAcrossWrapGivesWrappedNumbers) {
  NackGenerator gen;
  std::vector<uint16_t> out;
  SeqUnwrapper unwrap;
  gen.on_packet(unwrap.unwrap(65534), at_ms(0));
  gen.on_packet(unwrap.unwrap(1), at_ms(0));
  gen.poll(at_ms(0), out);
  EXPECT_THAT(out, ElementsAre(65535, 0));
}
