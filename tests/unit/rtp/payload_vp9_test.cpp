// Tests for the VP9 payload format (RFC 9628): descriptor and SS vectors, keyframe detection (including ffmpeg's
// P-less packets), captures, packetizer layout and round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "payload_test_util.hpp"
#include "rtp/payload/vp9.hpp"

using namespace medley;
using namespace medley::rtp;
using namespace medley::rtp::test;

namespace {

TEST(Vp9Descriptor, NonFlexibleWithLayerIndices) {
  const uint8_t p[] = {0xac,        // I=1 P=0 L=1 F=0 B=1 E=1 V=0 Z=0
                       0x81, 0x23,  // M=1, 15-bit picture id 0x0123
                       0x53,        // TID=2 U=1 SID=1 D=1
                       0x07,        // TL0PICIDX=7 (non-flexible mode)
                       0xaa};       // VP9 data
  auto d = Vp9Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 5u);
  EXPECT_EQ(d->picture_id, 0x123);
  EXPECT_TRUE(d->long_picture_id);
  EXPECT_TRUE(d->has_layer_indices);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_TRUE(d->switching_up);
  EXPECT_EQ(d->spatial_id, 1);
  EXPECT_TRUE(d->inter_layer_predicted);
  EXPECT_EQ(d->tl0_pic_idx, 7);
  EXPECT_TRUE(d->begin_of_frame);
  EXPECT_TRUE(d->end_of_frame);
  auto info = Vp9Depacketizer().inspect(p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->frame_end);
  EXPECT_EQ(info->spatial_layer, 1);
  EXPECT_EQ(info->temporal_layer, 2);
  EXPECT_FALSE(info->keyframe);  // P=0, but spatial layer 1 leans on layer 0
}

TEST(Vp9Descriptor, FlexibleModeReferenceDiffs) {
  const uint8_t p[] = {0xf8,  // I=1 P=1 L=1 F=1 B=1
                       0x05,  // M=0, 7-bit picture id 5
                       0x20,  // TID=1 U=0 SID=0 D=0 (no TL0PICIDX in flexible mode)
                       0x03,  // P_DIFF=1, N=1
                       0x07,  // P_DIFF=3, N=1
                       0x14,  // P_DIFF=10, N=0
                       0x86};  // VP9 data: an inter frame header
  auto d = Vp9Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 6u);
  EXPECT_EQ(d->picture_id, 5);
  EXPECT_FALSE(d->long_picture_id);
  EXPECT_FALSE(d->tl0_pic_idx);
  ASSERT_EQ(d->num_p_diffs, 3);
  EXPECT_EQ(d->p_diff[0], 1);
  EXPECT_EQ(d->p_diff[1], 3);
  EXPECT_EQ(d->p_diff[2], 10);
  EXPECT_FALSE(Vp9Depacketizer().inspect(p)->keyframe);

  const uint8_t four[] = {0xd0, 0x05, 0x03, 0x03, 0x03, 0x03, 0x86};  // I P F: a fourth P_DIFF is announced
  EXPECT_FALSE(Vp9Descriptor::parse(four));
}

TEST(Vp9Descriptor, ScalabilityStructureGivesLayerSizes) {
  const uint8_t p[] = {0x8a,        // I=1 B=1 V=1
                       0x01,        // 7-bit picture id 1
                       0x58,        // N_S=2 (three spatial layers), Y=1, G=1
                       0x01, 0x40, 0x00, 0xb4,  // 320x180
                       0x02, 0x80, 0x01, 0x68,  // 640x360
                       0x05, 0x00, 0x02, 0xd0,  // 1280x720
                       0x02,        // N_G=2
                       0x04, 0x04,  // TID=0 U=0 R=1, P_DIFF 4
                       0x30,        // TID=1 U=1 R=0
                       0x82};       // VP9 data: start of a keyframe header (cut short)
  auto d = Vp9Descriptor::parse(p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, sizeof p - 1);
  EXPECT_TRUE(d->has_ss);
  EXPECT_EQ(d->ss_spatial_layers, 3);
  EXPECT_TRUE(d->ss_has_resolution);
  EXPECT_EQ(d->ss_width[2], 1280);
  EXPECT_EQ(d->ss_height[2], 720);
  EXPECT_EQ(d->ss_pictures_in_gof, 2);
  auto info = Vp9Depacketizer().inspect(p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 320);  // no L: spatial layer 0
  EXPECT_EQ(info->height, 180);

  // Every truncation of the SS is rejected, never read past.
  for (size_t n = 0; n + 1 < sizeof p; ++n) EXPECT_FALSE(Vp9Descriptor::parse(base::Bytes(p, n))) << n;
}

TEST(Vp9Depacketizer, SuperframeKeepsBaseLayerKeyframeAndReportsTopLayer) {
  const uint8_t base_layer[] = {0xaa,        // I=1 P=0 L=1 F=0 B=1 E=0 V=1
                                0x80, 0x07,  // picture id 7
                                0x00,        // TID=0 U=0 SID=0 D=0
                                0x00,        // TL0PICIDX
                                0x38,        // SS: N_S=1 (two layers), Y=1, G=1
                                0x01, 0x40, 0x00, 0xb4,  // 320x180
                                0x02, 0x80, 0x01, 0x68,  // 640x360
                                0x00,        // N_G=0
                                0x82, 0x49};  // VP9 data
  const uint8_t upper_layer[] = {0xac,        // I=1 P=0 L=1 B=1 E=1
                                 0x80, 0x07,  // same picture
                                 0x03,        // TID=0 U=0 SID=1 D=1: predicted from layer 0
                                 0x00,
                                 0x92, 0x00};  // VP9 data
  Vp9Depacketizer dp;
  auto info = dp.inspect(upper_layer);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->keyframe);
  EXPECT_EQ(info->spatial_layer, 1);
  base::EncodedFrame f;
  ASSERT_TRUE(dp.append(base_layer, f));
  EXPECT_TRUE(f.keyframe);
  EXPECT_EQ(f.width, 320);
  ASSERT_TRUE(dp.append(upper_layer, f));
  EXPECT_TRUE(f.keyframe);
  EXPECT_EQ(f.spatial_layer, 1);
  EXPECT_EQ(f.width, 640);
  EXPECT_EQ(f.height, 360);
  EXPECT_EQ(f.data, (std::vector<uint8_t>{0x82, 0x49, 0x92, 0x00}));

  // The next picture's layer 1 alone still knows its size from the SS in force.
  base::EncodedFrame g;
  ASSERT_TRUE(dp.append(upper_layer, g));
  EXPECT_EQ(g.width, 640);
}

TEST(Vp9Descriptor, RejectsEmpty) {
  EXPECT_FALSE(Vp9Descriptor::parse({}));
  const uint8_t no_media[] = {0x88, 0x01};
  EXPECT_FALSE(Vp9Descriptor::parse(no_media));
  Vp9Depacketizer dp;
  base::EncodedFrame f;
  EXPECT_FALSE(dp.append(no_media, f));
  EXPECT_TRUE(f.data.empty());
}

TEST(Vp9FrameHeader, ReadsKeyframeSize) {
  // The captured keyframe's first bytes: frame_marker=2 profile=0 show_existing=0 frame_type=KEY show_frame=1,
  // sync code 49 83 42, color_space/range, then width-1 = 319 and height-1 = 239 in 16 bits each.
  const uint8_t key[] = {0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0e, 0xf6, 0x02};
  auto h = Vp9FrameHeader::parse(key);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->keyframe);
  EXPECT_EQ(h->width, 320);
  EXPECT_EQ(h->height, 240);
  const uint8_t inter[] = {0x86, 0x00};
  h = Vp9FrameHeader::parse(inter);
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->keyframe);
  const uint8_t bad_marker[] = {0x42};
  EXPECT_FALSE(Vp9FrameHeader::parse(bad_marker));
  const uint8_t bad_sync[] = {0x82, 0x49, 0x83, 0x43, 0x00, 0x13, 0xf0};
  EXPECT_FALSE(Vp9FrameHeader::parse(bad_sync));
}

TEST(Vp9Capture, InspectsFfmpegPackets) {
  auto key = read_rtp_series("vp9/key", 5);
  auto info = Vp9Depacketizer().inspect(key[0].payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->frame_end);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  info = Vp9Depacketizer().inspect(key[4].payload);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->frame_start);
  EXPECT_TRUE(info->frame_end);
  EXPECT_TRUE(key[4].marker);

  // ffmpeg leaves P clear on inter frames too; the uncompressed header says otherwise.
  auto delta = read_rtp_series("vp9/delta", 2);
  ASSERT_FALSE(Vp9Descriptor::parse(delta[0].payload)->inter_picture_predicted);
  info = Vp9Depacketizer().inspect(delta[0].payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
  EXPECT_EQ(info->width, 0);
}

TEST(Vp9Capture, ReassemblesFramesAsTheEncoderWroteThem) {
  Vp9Depacketizer dp;
  base::EncodedFrame key = depacketize(dp, read_rtp_series("vp9/key", 5));
  EXPECT_EQ(key.data, read_data("vp9/key.ref"));
  EXPECT_TRUE(key.keyframe);
  EXPECT_EQ(key.width, 320);
  EXPECT_EQ(key.height, 240);
  base::EncodedFrame delta = depacketize(dp, read_rtp_series("vp9/delta", 2));
  EXPECT_EQ(delta.data, read_data("vp9/delta.ref"));
  EXPECT_FALSE(delta.keyframe);
}

TEST(Vp9Packetizer, KeyframeCarriesSsAndDeltaCarriesP) {
  Vp9Packetizer p(0x1234);
  base::EncodedFrame key;
  key.keyframe = true;
  key.width = 640;
  key.height = 360;
  key.data = {0x82, 0x49, 0x83, 0x42};
  auto packets = packetize(p, key, 1200);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets[0].marker);
  const std::vector<uint8_t> want_key = {
      0x8e,                    // I=1 P=0 L=0 F=0 B=1 E=1 V=1 Z=0
      0x92, 0x34,              // M=1, picture id 0x1234
      0x10,                    // SS: N_S=0, Y=1, G=0
      0x02, 0x80, 0x01, 0x68,  // 640x360
      0x82, 0x49, 0x83, 0x42};
  EXPECT_EQ(packets[0].payload, want_key);

  base::EncodedFrame delta;
  delta.data = {0x86, 0x00, 0x11};
  packets = packetize(p, delta, 1200);
  ASSERT_EQ(packets.size(), 1u);
  const std::vector<uint8_t> want_delta = {0xcc,  // I=1 P=1 B=1 E=1
                                           0x92, 0x35, 0x86, 0x00, 0x11};
  EXPECT_EQ(packets[0].payload, want_delta);
}

TEST(Vp9Packetizer, RoundTripsTheCapturedFrames) {
  const auto key_ref = read_data("vp9/key.ref");
  const auto delta_ref = read_data("vp9/delta.ref");
  for (size_t max : {9u, 10u, 50u, 1200u, 1460u, 6000u}) {
    SCOPED_TRACE(max);
    Vp9Packetizer p;
    base::EncodedFrame key;
    key.data = key_ref;  // keyframe flag and size come from the frame's own header
    auto packets = packetize(p, key, max);
    expect_marker_only_on_last(packets);
    // Balanced: counting the SS as payload, sizes differ by at most one byte (tiny max_payload aside).
    if (max >= 50) {
      std::vector<size_t> sizes;
      for (auto& pk : packets) sizes.push_back(pk.payload.size());
      auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
      EXPECT_LE(*hi - *lo, 1u);
      size_t capacity = max - Vp9Packetizer::kDescriptorSize;
      EXPECT_EQ(packets.size(), (key_ref.size() + Vp9Packetizer::kSsSize + capacity - 1) / capacity);
    }
    Vp9Depacketizer dp;
    for (size_t i = 0; i < packets.size(); ++i) {
      auto info = dp.inspect(packets[i].payload);
      ASSERT_TRUE(info);
      EXPECT_EQ(info->frame_start, i == 0);
      EXPECT_EQ(info->frame_end, i + 1 == packets.size());
    }
    base::EncodedFrame out = depacketize(dp, packets);
    EXPECT_EQ(out.data, key_ref);
    EXPECT_TRUE(out.keyframe);
    EXPECT_EQ(out.width, 320);
    EXPECT_EQ(out.height, 240);
    EXPECT_TRUE(Vp9Descriptor::parse(packets[0].payload)->has_ss);

    base::EncodedFrame delta;
    delta.data = delta_ref;
    packets = packetize(p, delta, max);
    expect_marker_only_on_last(packets);
    out = depacketize(dp, packets);
    EXPECT_EQ(out.data, delta_ref);
    EXPECT_FALSE(out.keyframe);
    EXPECT_TRUE(Vp9Descriptor::parse(packets[0].payload)->inter_picture_predicted);
  }
}

TEST(Vp9Packetizer, RefusesWhatItCannotCarry) {
  Vp9Packetizer p;
  base::EncodedFrame empty;
  EXPECT_FALSE(p.begin(empty, 1200));
  base::EncodedFrame f;
  f.data = pattern(10);
  EXPECT_FALSE(p.begin(f, Vp9Packetizer::kDescriptorSize + Vp9Packetizer::kSsSize));
}

}  // namespace
