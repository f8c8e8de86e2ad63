// RFC 7983 datagram classification: every first-byte range, and RTP vs RTCP by the second byte.
#include <gtest/gtest.h>

#include <vector>

#include "ice/demux.hpp"

namespace medley::ice {
namespace {

DatagramKind classify(std::vector<uint8_t> b) { return classify_datagram(b); }

TEST(Demux, EveryFirstByte) {
  for (int first = 0; first < 256; ++first) {
    const auto b0 = static_cast<uint8_t>(first);
    DatagramKind want = DatagramKind::Unknown;
    if (first <= 3) want = DatagramKind::Stun;
    else if (first >= 16 && first <= 19) want = DatagramKind::Zrtp;
    else if (first >= 20 && first <= 63) want = DatagramKind::Dtls;
    else if (first >= 64 && first <= 79) want = DatagramKind::TurnChannel;
    else if (first >= 128 && first <= 191) want = DatagramKind::Rtp;
    EXPECT_EQ(classify({b0, 96, 0, 0}), want) << first;
  }
}

TEST(Demux, RtcpBySecondByte) {
  // RFC 5761 §4: second byte 192..223 is an RTCP packet type (SR 200, RR 201, SDES 202, BYE 203, RTPFB 205,
  // PSFB 206, XR 207); anything else is RTP marker + payload type.
  for (int second = 0; second < 256; ++second) {
    const DatagramKind want = (second >= 192 && second <= 223) ? DatagramKind::Rtcp : DatagramKind::Rtp;
    EXPECT_EQ(classify({0x80, static_cast<uint8_t>(second)}), want) << second;
    EXPECT_EQ(classify({0x81, static_cast<uint8_t>(second), 0, 7}), want) << second;
  }
  // RTP with marker and payload type 96 is 0xE0, not RTCP; PT 111 without marker is 0x6F.
  EXPECT_EQ(classify({0x80, 0xE0}), DatagramKind::Rtp);
  EXPECT_EQ(classify({0x80, 0x6F}), DatagramKind::Rtp);
  EXPECT_EQ(classify({0x80, 200}), DatagramKind::Rtcp);
}

TEST(Demux, ShortInputs) {
  EXPECT_EQ(classify({}), DatagramKind::Unknown);
  EXPECT_EQ(classify({0x80}), DatagramKind::Unknown);  // RTP or RTCP cannot be told from one byte
  EXPECT_EQ(classify({0x00}), DatagramKind::Stun);
  EXPECT_EQ(classify({0x16}), DatagramKind::Dtls);  // DTLS handshake content type 22
}

TEST(Demux, Names) {
  EXPECT_EQ(to_string(DatagramKind::Stun), "stun");
  EXPECT_EQ(to_string(DatagramKind::Rtcp), "rtcp");
  EXPECT_EQ(to_string(DatagramKind::TurnChannel), "turn-channel");
}

}  // namespace
}  // namespace medley::ice
