// Tests for ReceiveStream and SendStream: the feedback loop between a receiver's NACK and a sender's RTX.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/packet_view.hpp"
#include "rtp/packet_writer.hpp"
#include "rtp/receive_stream.hpp"
#include "rtp/rtx.hpp"
#include "rtp/send_stream.hpp"

using namespace medley;
using namespace medley::rtp;
using base::Duration;
using base::Timestamp;
using ::testing::ElementsAre;

namespace {
base::BufferRef make_packet(base::BufferPool& pool, uint16_t seq, uint32_t ts, size_t payload_size) {
  base::BufferRef buf = pool.acquire();
  RtpPacketWriter w(buf->writable());
  w.set_payload_type(PayloadType{96});
  w.set_sequence_number(seq);
  w.set_timestamp(ts);
  w.set_ssrc(Ssrc{0x1234});
  std::vector<uint8_t> payload(payload_size, static_cast<uint8_t>(seq));
  auto n = w.finish(payload);
  EXPECT_TRUE(n);
  buf->resize(*n);
  return buf;
}
}  // namespace

TEST(Streams, LostPacketIsNackedResentOverRtxAndRecovered) {
  base::BufferPool pool;
  SendStream sender(SendStreamConfig{.ssrc = Ssrc{0x1234}, .clock_rate = 90000, .rtx_ssrc = Ssrc{0x5678},
                                     .rtx_payload_type = PayloadType{97}});
  ReceiveStream receiver(ReceiveStreamConfig{.ssrc = Ssrc{0x1234}, .clock_rate = 90000});

  std::vector<base::BufferRef> sent;
  for (uint16_t s = 10; s < 15; ++s) {
    sent.push_back(make_packet(pool, s, 3000u * s, 100));
    sender.on_packet_sent(sent.back(), Timestamp::millis(s), Timestamp::millis(s));
    if (s == 12) continue;  // lost on the way
    auto view = RtpPacketView::parse(sent.back()->span());
    ASSERT_TRUE(receiver.handle_packet(*view, Timestamp::millis(s + 5), false));
  }
  std::vector<uint16_t> nacks;
  ReceiveFeedback fb = receiver.poll_feedback(Timestamp::millis(20), nacks);
  EXPECT_FALSE(fb.keyframe_request);
  ASSERT_THAT(nacks, ElementsAre(12));

  std::array<uint8_t, 1500> out{};
  auto n = sender.resend(12, Timestamp::millis(21), out);
  ASSERT_TRUE(n);
  auto rtx = RtpPacketView::parse(base::Bytes(out.data(), *n));
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->ssrc(), Ssrc{0x5678});
  EXPECT_EQ(rtx->payload_type(), PayloadType{97});
  EXPECT_EQ(rtx->sequence_number(), 0);
  EXPECT_FALSE(sender.resend(12, Timestamp::millis(22), out));  // once per RTT

  std::array<uint8_t, 1500> restored{};
  auto m = rtx_unwrap(*rtx, Ssrc{0x1234}, PayloadType{96}, restored);
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::equal(restored.begin(), restored.begin() + static_cast<long>(*m), sent[2]->data()));
  auto original = RtpPacketView::parse(base::Bytes(restored.data(), *m));
  ASSERT_TRUE(receiver.handle_packet(*original, Timestamp::millis(30), false, /*retransmission=*/true));
  EXPECT_EQ(receiver.nack_generator().recovered(), 1u);
  EXPECT_EQ(receiver.statistics().cumulative_lost(), 0);
}

TEST(Streams, KeyframeRequestsArePaced) {
  ReceiveStream receiver(ReceiveStreamConfig{.ssrc = Ssrc{1}, .min_keyframe_interval = Duration::millis(300)});
  std::vector<uint16_t> nacks;
  receiver.request_keyframe();
  EXPECT_EQ(receiver.next_timeout(), Timestamp::zero());
  EXPECT_TRUE(receiver.poll_feedback(Timestamp::millis(1000), nacks).keyframe_request);
  receiver.request_keyframe();
  EXPECT_FALSE(receiver.poll_feedback(Timestamp::millis(1100), nacks).keyframe_request);
  EXPECT_EQ(receiver.next_timeout(), Timestamp::millis(1300));
  EXPECT_TRUE(receiver.poll_feedback(Timestamp::millis(1300), nacks).keyframe_request);
  EXPECT_EQ(receiver.keyframe_requests_sent(), 2u);
}

TEST(Streams, SendStreamWithoutRtxDoesNotResend) {
  // The same SRTP index again would be refused as a replay (or reuse keystream if bytes changed): RTX only.
  base::BufferPool pool;
  SendStream sender(SendStreamConfig{.ssrc = Ssrc{0x1234}});
  base::BufferRef p = make_packet(pool, 7, 0, 50);
  sender.on_packet_sent(p, Timestamp::millis(0), Timestamp::millis(0));
  std::array<uint8_t, 1500> out{};
  EXPECT_FALSE(sender.resend(7, Timestamp::millis(5), out));
  EXPECT_EQ(sender.sender_report().packets_sent(), 1u);
  EXPECT_EQ(sender.sender_report().octets_sent(), 50u);
}

TEST(Streams, FailedRtxWrapLeavesNoGapInRtxSequence) {
  base::BufferPool pool;
  SendStream sender(SendStreamConfig{.ssrc = Ssrc{0x1234}, .rtx_ssrc = Ssrc{0x5678},
                                     .rtx_payload_type = PayloadType{97}});
  sender.on_packet_sent(make_packet(pool, 7, 0, 50), Timestamp::millis(0), Timestamp::millis(0));
  sender.on_packet_sent(make_packet(pool, 8, 0, 50), Timestamp::millis(0), Timestamp::millis(0));
  std::array<uint8_t, 20> small{};
  EXPECT_FALSE(sender.resend(7, Timestamp::millis(5), small));
  std::array<uint8_t, 1500> out{};
  auto n = sender.resend(8, Timestamp::millis(5), out);
  ASSERT_TRUE(n);
  EXPECT_EQ(RtpPacketView::parse(base::Bytes(out.data(), *n))->sequence_number(), 0);
}

TEST(Streams, SenderRestartKeepsSequenceNumbersMonotonic) {
  ReceiveStream rs(ReceiveStreamConfig{.ssrc = Ssrc{0x1234}});
  base::BufferPool pool;
  std::vector<SeqNo> seen;
  auto feed = [&](uint16_t s) {
    base::BufferRef p = make_packet(pool, s, 0, 10);
    auto v = RtpPacketView::parse(p->span());
    auto seq = rs.handle_packet(*v, Timestamp::millis(0), false);
    if (seq) seen.push_back(*seq);
  };
  for (uint16_t s = 50000; s < 50005; ++s) feed(s);
  feed(100);  // the sender restarted far below: refused until confirmed
  feed(101);
  feed(102);
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1) << i;
}

TEST(Streams, LateRetransmissionFarBehindIsCountedNotARestart) {
  ReceiveStream rs(ReceiveStreamConfig{.ssrc = Ssrc{0x1234}});
  base::BufferPool pool;
  auto feed = [&](uint16_t s, bool rtx) {
    base::BufferRef p = make_packet(pool, s, 0, 10);
    auto v = RtpPacketView::parse(p->span());
    return rs.handle_packet(*v, Timestamp::millis(0), false, rtx);
  };
  feed(1, false);
  for (uint16_t s = 3; s < 1000; ++s) feed(s, false);  // 2 lost
  auto seq = feed(2, true);  // repaired 997 packets late
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 2);
  EXPECT_EQ(rs.statistics().cumulative_lost(), 0);
  EXPECT_EQ(rs.statistics().packets_received(), 999u);
}
