// Tests for RFC 3550 receive statistics: loss, wrap, restarts, jitter, LSR/DLSR.
#include "rtp/receive_statistics.hpp"

#include <gtest/gtest.h>

using namespace medley;
using namespace medley::rtp;
using base::Duration;
using base::Timestamp;

namespace {
Timestamp at_ms(int64_t ms) { return Timestamp::millis(ms); }
}  // namespace

TEST(ReceiveStatistics, CountsLossAndFractionPerInterval) {
  ReceiveStatistics stats(90000);
  for (uint16_t s = 100; s < 200; ++s) {
    if (s % 10 == 0) continue;  // 10 lost of 100
    stats.on_packet(s, s * 3000u, at_ms(s), 1000);
  }
  EXPECT_EQ(stats.packets_received(), 90u);
  EXPECT_EQ(stats.expected(), 99);  // 100..199, but 100 itself was lost, so the base is 101
  rtcp::ReportBlock b = stats.make_report_block(Ssrc{7}, at_ms(300));
  EXPECT_EQ(b.extended_highest_seq, 199u);
  EXPECT_EQ(b.cumulative_lost, 9);
  EXPECT_EQ(b.fraction_lost, (9 << 8) / 99);
  // Next interval without loss: fraction 0, cumulative unchanged.
  for (uint16_t s = 200; s < 250; ++s) stats.on_packet(s, s * 3000u, at_ms(s), 1000);
  b = stats.make_report_block(Ssrc{7}, at_ms(400));
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 9);
  EXPECT_EQ(b.ssrc, Ssrc{7});
  EXPECT_EQ(b.lsr, 0u);  // no SR seen yet
}

TEST(ReceiveStatistics, WrapExtendsHighestSequence) {
  ReceiveStatistics stats(48000);
  for (uint32_t i = 0; i < 20; ++i) stats.on_packet(static_cast<uint16_t>(65530 + i), i * 960, at_ms(i * 20), 100);
  EXPECT_EQ(stats.extended_highest_seq(), 0x10000u + 13);  // 65530+19 = 65549 = 1<<16 | 13
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceiveStatistics, FirstPacketAtZeroIsNotAWrap) {
  ReceiveStatistics stats(48000);
  stats.on_packet(0, 0, at_ms(0), 100);
  stats.on_packet(1, 960, at_ms(20), 100);
  EXPECT_EQ(stats.extended_highest_seq(), 1u);
  EXPECT_EQ(stats.expected(), 2);
}

TEST(ReceiveStatistics, ReorderedAndDuplicatesAreCountedNotAdvanced) {
  ReceiveStatistics stats(90000);
  EXPECT_EQ(stats.on_packet(10, 0, at_ms(0), 10), SeqVerdict::InOrder);
  EXPECT_EQ(stats.on_packet(12, 0, at_ms(1), 10), SeqVerdict::InOrder);
  EXPECT_EQ(stats.on_packet(11, 0, at_ms(2), 10), SeqVerdict::Reordered);
  EXPECT_EQ(stats.on_packet(12, 0, at_ms(3), 10), SeqVerdict::Reordered);  // duplicate
  EXPECT_EQ(stats.extended_highest_seq(), 12u);
  EXPECT_EQ(stats.cumulative_lost(), -1);  // RFC 3550: duplicates can make loss negative
  EXPECT_EQ(stats.make_report_block(Ssrc{1}, at_ms(4)).cumulative_lost, -1);
}

TEST(ReceiveStatistics, LargeJumpNeedsConfirmationThenRestarts) {
  ReceiveStatistics stats(90000);
  for (uint16_t s = 0; s < 10; ++s) stats.on_packet(s, 0, at_ms(s), 10);
  EXPECT_EQ(stats.on_packet(40000, 0, at_ms(20), 10), SeqVerdict::Rejected);
  EXPECT_EQ(stats.packets_received(), 10u);
  EXPECT_EQ(stats.on_packet(40001, 0, at_ms(21), 10), SeqVerdict::Restarted);
  EXPECT_EQ(stats.packets_received(), 1u);
  EXPECT_EQ(stats.on_packet(40002, 0, at_ms(22), 10), SeqVerdict::InOrder);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceiveStatistics, JitterIsZeroForPerfectPacingAndGrowsWithVariation) {
  ReceiveStatistics steady(90000);
  for (uint16_t i = 0; i < 100; ++i) steady.on_packet(i, i * 3000u, at_ms(i * 33) + Duration::micros(i * 333), 10);
  EXPECT_LE(steady.jitter(), 1u);  // 3000 ticks = 33.333 ms exactly

  ReceiveStatistics jittery(90000);
  for (uint16_t i = 0; i < 400; ++i) {
    const int64_t wobble_ms = (i % 2) ? 10 : 0;  // every other packet 10 ms late
    jittery.on_packet(i, i * 3000u, at_ms(i * 33) + Duration::micros(i * 333) + Duration::millis(wobble_ms), 10);
  }
  // |D| alternates at 900 ticks (10 ms at 90 kHz); the estimate converges to it.
  EXPECT_NEAR(static_cast<double>(jittery.jitter()), 900.0, 30.0);
  EXPECT_NEAR(static_cast<double>(jittery.jitter_duration().us()), 10000.0, 400.0);
}

TEST(ReceiveStatistics, RetransmissionsStayOutOfJitter) {
  ReceiveStatistics stats(90000);
  stats.on_packet(1, 0, at_ms(0), 10);
  stats.on_packet(2, 3000, at_ms(33) + Duration::micros(333), 10);
  stats.on_packet(3, 6000, at_ms(500), 10, /*retransmission=*/true);
  EXPECT_EQ(stats.jitter(), 0u);
  EXPECT_EQ(stats.packets_received(), 3u);
}

TEST(ReceiveStatistics, TimestampWrapDoesNotInflateJitter) {
  ReceiveStatistics stats(90000);
  uint32_t ts = 0xffffffffu - 3000 * 5;
  for (uint16_t i = 0; i < 10; ++i) {
    stats.on_packet(i, ts, at_ms(i * 33) + Duration::micros(i * 333), 10);
    ts += 3000;  // wraps midway
  }
  EXPECT_LE(stats.jitter(), 1u);
}

TEST(ReceiveStatistics, LsrAndDlsrFromLastSenderReport) {
  ReceiveStatistics stats(90000);
  stats.on_packet(1, 0, at_ms(0), 10);
  const rtcp::NtpTime ntp{(uint64_t{0x12345678} << 32) | 0x9abcdef0};
  stats.on_sender_report(ntp, at_ms(1000));
  rtcp::ReportBlock b = stats.make_report_block(Ssrc{1}, at_ms(1500));
  EXPECT_EQ(b.lsr, 0x56789abcu);
  EXPECT_EQ(b.dlsr, 32768u);  // 0.5 s in 1/65536 s
  EXPECT_EQ(rtcp::compact_ntp_to_duration(b.dlsr).ms(), 500);
}

TEST(ReceiveStatistics, PacketsOlderThanTheFirstExtendTheBase) {
  ReceiveStatistics stats(90000);
  stats.on_packet(105, 0, at_ms(0), 10);  // a keyframe's last packet arrives first
  for (uint16_t s = 104; s >= 100; --s) EXPECT_EQ(stats.on_packet(s, 0, at_ms(1), 10), SeqVerdict::Reordered);
  EXPECT_EQ(stats.expected(), 6);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  stats.on_packet(106, 0, at_ms(2), 10);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceiveStatistics, ReorderedFirstPacketsAcrossTheWrap) {
  ReceiveStatistics stats(90000);
  stats.on_packet(1, 0, at_ms(0), 10);
  stats.on_packet(65535, 0, at_ms(1), 10);
  stats.on_packet(0, 0, at_ms(1), 10);
  EXPECT_EQ(stats.expected(), 3);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}
