// Tests for the Opus payload format (RFC 7587) and the payload factories.
#include <gtest/gtest.h>

#include <vector>

#include "payload_test_util.hpp"
#include "rtp/payload/opus.hpp"

using namespace medley;
using namespace medley::rtp;
using namespace medley::rtp::test;

namespace {

TEST(OpusPayload, EveryCapturedPacketIsAWholeFrame) {
  OpusDepacketizer dp;
  for (int i = 0; i < 3; ++i) {
    Packet p = read_rtp("opus/packet_" + std::to_string(i) + ".bin");
    auto info = dp.inspect(p.payload);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->frame_start);
    EXPECT_TRUE(info->frame_end);
    EXPECT_TRUE(info->keyframe);
    base::EncodedFrame f;
    ASSERT_TRUE(dp.append(p.payload, f));
    EXPECT_EQ(f.data, p.payload);
    EXPECT_TRUE(f.keyframe);
  }
  // packet_0 TOC 0x78: config 15 (hybrid, fullband, 20 ms), mono, one frame per packet (code 0).
  EXPECT_EQ(read_rtp("opus/packet_0.bin").payload[0], 0x78);
}

TEST(OpusPayload, RejectsEmpty) {
  OpusDepacketizer dp;
  base::EncodedFrame f;
  EXPECT_FALSE(dp.inspect({}));
  EXPECT_FALSE(dp.append({}, f));
  EXPECT_TRUE(f.data.empty());
}

TEST(OpusPayload, PacketizerSendsTheFrameWhole) {
  OpusPacketizer p;
  base::EncodedFrame f;
  f.data = read_rtp("opus/packet_0.bin").payload;
  auto packets = packetize(p, f, 1200);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].payload, f.data);
  EXPECT_TRUE(packets[0].marker);
  packets = packetize(p, f, f.data.size());  // exactly fits
  ASSERT_EQ(packets.size(), 1u);

  EXPECT_FALSE(p.begin(f, f.data.size() - 1));  // Opus is never fragmented
  std::vector<uint8_t> buf(1200);
  bool marker = false;
  EXPECT_FALSE(p.next(buf, marker));  // the refused frame left nothing pending
  base::EncodedFrame empty;
  EXPECT_FALSE(p.begin(empty, 1200));
}

TEST(PayloadFactory, CarriesOurCodecsOnly) {
  for (auto c : {base::CodecId::Opus, base::CodecId::Vp8, base::CodecId::Vp9, base::CodecId::H264}) {
    EXPECT_NE(make_depacketizer(c), nullptr) << base::codec_name(c);
    EXPECT_NE(make_packetizer(c), nullptr) << base::codec_name(c);
  }
  for (auto c : {base::CodecId::Unknown, base::CodecId::Av1, base::CodecId::Pcmu, base::CodecId::Pcma}) {
    EXPECT_EQ(make_depacketizer(c), nullptr) << base::codec_name(c);
    EXPECT_EQ(make_packetizer(c), nullptr) << base::codec_name(c);
  }
  // Each factory product is the right format: a VP8 keyframe payload reads as one only through VP8.
  auto vp8 = read_rtp("vp8/key_0.bin");
  EXPECT_TRUE(make_depacketizer(base::CodecId::Vp8)->inspect(vp8.payload)->keyframe);
  auto h264 = read_rtp("h264/key_0.bin");
  EXPECT_EQ(make_depacketizer(base::CodecId::H264)->inspect(h264.payload)->width, 320);
}

}  // namespace
