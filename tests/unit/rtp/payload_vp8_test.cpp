// Tests for the VP8 payload format (RFC 7741): descriptor vectors, keyframe/size detection, ffmpeg captures,
// packetizer sizes and round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "payload_test_util.hpp"
#include "rtp/payload/vp8.hpp"

using namespace medley;
using namespace medley::rtp;
using namespace medley::rtp::test;

namespace {

// Descriptor vectors from libwebrtc's video_rtp_depacketizer_vp8_unittest.cc (webrtc.googlesource.com/src,
// modules/rtp_rtcp/source), re-typed here with the fields spelled out.
TEST(Vp8Descriptor, BasicHeader) {
  const uint8_t p[] = {0x14,  // X=0 N=0 S=1 PID=4
                       0x01, 0x00, 0x00};
  auto d = Vp8Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 1u);
  EXPECT_TRUE(d->start_of_partition);
  EXPECT_EQ(d->partition_id, 4);
  EXPECT_FALSE(d->non_reference);
  EXPECT_FALSE(d->picture_id);
  EXPECT_FALSE(d->tl0_pic_idx);
  EXPECT_FALSE(d->temporal_id);
  EXPECT_FALSE(d->key_idx);
  // S=1 but PID 4: not the start of a frame, so no keyframe claim either.
  auto info = Vp8Depacketizer().inspect(p);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
}

TEST(Vp8Descriptor, OneAndTwoBytePictureId) {
  uint8_t p[10] = {0xa0,  // X=1 N=1
                   0x80,  // I=1
                   17};   // M=0: 7-bit PictureID 17
  auto d = Vp8Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 3u);
  EXPECT_TRUE(d->non_reference);
  EXPECT_EQ(d->picture_id, 17);
  EXPECT_FALSE(d->long_picture_id);
  p[2] = 0x80 | 0x12;  // M=1: 15-bit PictureID 0x1234
  p[3] = 0x34;
  d = Vp8Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 4u);
  EXPECT_EQ(d->picture_id, 0x1234);
  EXPECT_TRUE(d->long_picture_id);
}

TEST(Vp8Descriptor, Tl0PicIdxTidKeyIdx) {
  const uint8_t tl0[13] = {0x90, 0x40, 17};  // X S; L; TL0PICIDX=17; VP8 payload byte 0 = 00 (P=0: keyframe)
  auto d = Vp8Descriptor::parse(tl0);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 3u);
  EXPECT_EQ(d->tl0_pic_idx, 17);
  auto info = Vp8Depacketizer().inspect(tl0);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);  // libwebrtc expects kVideoFrameKey for this packet too

  const uint8_t tid[10] = {0x88, 0x20, 0x80};  // X, PID=8&7=0 S=0; T; TID=2 Y=0
  d = Vp8Descriptor::parse(tid);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 3u);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_FALSE(d->layer_sync);
  EXPECT_FALSE(d->key_idx);
  EXPECT_EQ(Vp8Depacketizer().inspect(tid)->temporal_layer, 2);

  const uint8_t key[10] = {0x88, 0x10, 17};  // K; KEYIDX=17
  d = Vp8Descriptor::parse(key);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key_idx, 17);
  EXPECT_FALSE(d->temporal_id);
}

TEST(Vp8Descriptor, MultipleExtensions) {
  const uint8_t p[10] = {0xa6,         // X=1 N=1 S=0 PID=6
                         0xf0,         // I L T K
                         0x80 | 0x12,  // PictureID high 7 bits, M=1
                         0x34,         // PictureID low 8 bits
                         42,           // TL0PICIDX
                         0x71};        // TID=1 Y=1 KEYIDX=17
  auto d = Vp8Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 6u);
  EXPECT_TRUE(d->non_reference);
  EXPECT_EQ(d->partition_id, 6);
  EXPECT_EQ(d->picture_id, 0x1234);
  EXPECT_EQ(d->tl0_pic_idx, 42);
  EXPECT_EQ(d->temporal_id, 1);
  EXPECT_TRUE(d->layer_sync);
  EXPECT_EQ(d->key_idx, 17);
}

TEST(Vp8Descriptor, RejectsTruncatedAndEmpty) {
  const uint8_t too_short[4] = {0x80, 0xf0, 0x80 | 17, 17};  // all extensions, but only the PictureID is there
  EXPECT_FALSE(Vp8Descriptor::parse(too_short));
  EXPECT_FALSE(Vp8Descriptor::parse({}));
  const uint8_t no_media[] = {0x10};  // a descriptor with no VP8 byte after it
  EXPECT_FALSE(Vp8Descriptor::parse(no_media));
  const uint8_t no_media_ext[] = {0x90, 0x80, 0x81, 0x02};
  EXPECT_FALSE(Vp8Descriptor::parse(no_media_ext));
  Vp8Depacketizer dp;
  base::EncodedFrame f;
  EXPECT_FALSE(dp.inspect(too_short));
  EXPECT_FALSE(dp.append(too_short, f));
  EXPECT_FALSE(dp.append({}, f));
  EXPECT_TRUE(f.data.empty());
}

TEST(Vp8FrameHeader, KeyframeSizeDropsScalingBits) {
  const uint8_t p[] = {0x10,              // S=1 PID=0
                       0x50, 0x02, 0x00,  // frame tag: P=0 (keyframe), show_frame=1
                       0x9d, 0x01, 0x2a,  // start code
                       0x80, 0x02,        // width 640, horizontal scale 0 (little endian)
                       0xe0, 0x41};       // height 480 with vertical scale 1 in the top two bits
  auto info = Vp8Depacketizer().inspect(p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 480);
  // A broken start code still leaves a keyframe, just without a size.
  uint8_t bad[sizeof p];
  std::copy(std::begin(p), std::end(p), bad);
  bad[4] = 0x9e;
  info = Vp8Depacketizer().inspect(bad);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 0);
  // Interframe: P=1.
  const uint8_t inter[] = {0x10, 0x51, 0x02, 0x00};
  info = Vp8Depacketizer().inspect(inter);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
}

TEST(Vp8Capture, InspectsFfmpegPackets) {
  auto key = read_rtp_series("vp8/key", 6);
  auto info = Vp8Depacketizer().inspect(key[0].payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  for (size_t i = 1; i < key.size(); ++i) {
    info = Vp8Depacketizer().inspect(key[i].payload);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->frame_start);
  }
  EXPECT_TRUE(key.back().marker);
  auto delta = read_rtp_series("vp8/delta", 2);
  info = Vp8Depacketizer().inspect(delta[0].payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
  EXPECT_EQ(Vp8Descriptor::parse(delta[0].payload)->picture_id, 1);
}

TEST(Vp8Capture, ReassemblesFramesAsTheEncoderWroteThem) {
  Vp8Depacketizer dp;
  base::EncodedFrame key = depacketize(dp, read_rtp_series("vp8/key", 6));
  EXPECT_EQ(key.data, read_data("vp8/key.ref"));
  EXPECT_TRUE(key.keyframe);
  EXPECT_EQ(key.width, 320);
  EXPECT_EQ(key.height, 240);
  base::EncodedFrame delta = depacketize(dp, read_rtp_series("vp8/delta", 2));
  EXPECT_EQ(delta.data, read_data("vp8/delta.ref"));
  EXPECT_FALSE(delta.keyframe);
}

// libwebrtc's rtp_format_vp8_unittest.cc TestEqualSizeModeFallback: 30 bytes, PictureID 200 (4-byte descriptor),
// max_payload 12 -> payloads of 11, 11, 12, 12 bytes.
TEST(Vp8Packetizer, BalancedSizesLikeLibwebrtc) {
  Vp8Packetizer p(200);
  base::EncodedFrame f;
  f.data = pattern(30);
  auto packets = packetize(p, f, 12);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packets[0].payload.size(), 11u);
  EXPECT_EQ(packets[1].payload.size(), 11u);
  EXPECT_EQ(packets[2].payload.size(), 12u);
  EXPECT_EQ(packets[3].payload.size(), 12u);
  expect_marker_only_on_last(packets);
  // First payload byte for byte: X=1 S=1 PID=0 | I=1 | M=1, PictureID 200 = 0x00c8 | 7 media bytes.
  std::vector<uint8_t> first = {0x90, 0x80, 0x80, 0xc8};
  first.insert(first.end(), f.data.begin(), f.data.begin() + 7);
  EXPECT_EQ(packets[0].payload, first);
  EXPECT_EQ(packets[1].payload[0], 0x80);  // S=0 on the rest
  EXPECT_EQ(packets[3].payload[3], 0xc8);  // same PictureID through the frame
}

TEST(Vp8Packetizer, PictureIdIncrementsPerFrameAndWraps) {
  Vp8Packetizer p(0x7ffe);
  base::EncodedFrame f;
  f.data = pattern(10);
  std::vector<uint16_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto packets = packetize(p, f, 1200);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_TRUE(packets[0].marker);
    ids.push_back(*Vp8Descriptor::parse(packets[0].payload)->picture_id);
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{0x7ffe, 0x7fff, 0}));
}

TEST(Vp8Packetizer, RoundTripsTheCapturedKeyframe) {
  base::EncodedFrame f;
  f.codec = base::CodecId::Vp8;
  f.data = read_data("vp8/key.ref");
  f.keyframe = true;
  for (size_t max : {5u, 33u, 100u, 1000u, 1200u, 7434u, 20000u}) {
    SCOPED_TRACE(max);
    Vp8Packetizer p;
    auto packets = packetize(p, f, max);
    size_t capacity = max - Vp8Packetizer::kDescriptorSize;
    EXPECT_EQ(packets.size(), (f.data.size() + capacity - 1) / capacity);
    expect_marker_only_on_last(packets);
    auto [lo, hi] = std::minmax_element(packets.begin(), packets.end(),
                                        [](auto& a, auto& b) { return a.payload.size() < b.payload.size(); });
    EXPECT_LE(hi->payload.size() - lo->payload.size(), 1u);
    Vp8Depacketizer dp;
    base::EncodedFrame out = depacketize(dp, packets);
    EXPECT_EQ(out.data, f.data);
    EXPECT_TRUE(out.keyframe);
    EXPECT_EQ(out.width, 320);
    EXPECT_EQ(out.height, 240);
    EXPECT_TRUE(dp.inspect(packets[0].payload)->frame_start);
    if (packets.size() > 1) {
      EXPECT_FALSE(dp.inspect(packets[1].payload)->frame_start);
    }
  }
}

TEST(Vp8Packetizer, RefusesWhatItCannotCarry) {
  Vp8Packetizer p;
  base::EncodedFrame empty;
  EXPECT_FALSE(p.begin(empty, 1200));
  base::EncodedFrame f;
  f.data = pattern(10);
  EXPECT_FALSE(p.begin(f, Vp8Packetizer::kDescriptorSize));  // no room for a media byte
  ASSERT_TRUE(p.begin(f, 100));
  std::vector<uint8_t> small(99);
  bool marker = false;
  EXPECT_FALSE(p.next(small, marker));  // out smaller than max_payload
  std::vector<uint8_t> buf(100);
  EXPECT_EQ(p.next(buf, marker), 14u);
  EXPECT_FALSE(p.next(buf, marker));  // done
}

}  // namespace
