// Tests for send-side RTCP state: SR sender info extrapolation, counts, and RTT from report blocks.
#include "rtp/sender_report_state.hpp"

#include <gtest/gtest.h>

using namespace medley;
using namespace medley::rtp;
using base::Duration;
using base::Timestamp;

TEST(SenderReportState, NoSenderInfoBeforeFirstPacket) {
  SenderReportState s(Ssrc{1}, 90000);
  EXPECT_FALSE(s.make_sender_info(Timestamp::millis(10), rtcp::NtpTime{1}));
}

TEST(SenderReportState, ExtrapolatesRtpTimestampToReportTime) {
  SenderReportState s(Ssrc{1}, 90000);
  s.on_packet_sent(1000, Timestamp::millis(100), 1200);
  s.on_packet_sent(1000, Timestamp::millis(100), 800);
  s.on_packet_sent(500, Timestamp::millis(200), 100);  // a retransmission: old timestamp, counts only
  auto info = s.make_sender_info(Timestamp::millis(150), rtcp::NtpTime{uint64_t{7} << 32});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->rtp_timestamp, 1000u + 4500u);  // 50 ms at 90 kHz
  EXPECT_EQ(info->packet_count, 3u);
  EXPECT_EQ(info->octet_count, 2100u);
  EXPECT_EQ(info->ntp.seconds(), 7u);
}

TEST(SenderReportState, RttFromEchoedReportOnSteadyClock) {
  SenderReportState s(Ssrc{1}, 48000);
  s.on_packet_sent(0, Timestamp::millis(0), 100);
  const rtcp::NtpTime ntp{(uint64_t{100} << 32) | 0x80000000u};  // 100.5 s
  ASSERT_TRUE(s.make_sender_info(Timestamp::millis(1000), ntp));
  rtcp::ReportBlock rb;
  rb.ssrc = Ssrc{1};
  rb.lsr = ntp.compact();
  rb.dlsr = rtcp::duration_to_compact_ntp(Duration::millis(200));  // receiver held it 200 ms
  auto rtt = s.on_report_block(rb, Timestamp::millis(1260));
  ASSERT_TRUE(rtt);
  EXPECT_NEAR(static_cast<double>(rtt->us()), 60000.0, 50.0);
  EXPECT_EQ(s.rtt(), rtt);
  EXPECT_TRUE(s.last_report().has_value());
}

TEST(SenderReportState, UnknownOrAbsentLsrGivesNoRtt) {
  SenderReportState s(Ssrc{1}, 48000);
  s.on_packet_sent(0, Timestamp::millis(0), 100);
  rtcp::ReportBlock rb;
  EXPECT_FALSE(s.on_report_block(rb, Timestamp::millis(5)));  // LSR 0: no SR received yet
  rb.lsr = 0x12345678;
  EXPECT_FALSE(s.on_report_block(rb, Timestamp::millis(5)));  // not one of ours
}
