// The loadgen's synthetic media: what servers see must parse as real VP8 (keyframes found by a depacketizer, as
// mediasoup, Janus and our router look for them), the frame sizes must add up to the configured rate, and the
// send-time trailer must come back exactly.
#include "bench/loadgen/synthetic_media.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/payload/vp8.hpp"

namespace medley::loadgen {
namespace {

TEST(SyntheticMedia, TrailerRoundTrip) {
  std::vector<uint8_t> p(100, 0xAA);
  write_trailer(p, 1'764'000'000'123'456'789LL);
  EXPECT_EQ(read_trailer(p), 1'764'000'000'123'456'789LL);
  p[p.size() - kTrailerSize] ^= 1;  // magic broken
  EXPECT_FALSE(read_trailer(p));
  EXPECT_FALSE(read_trailer(std::span<const uint8_t>(p.data(), kTrailerSize - 1)));
}

TEST(SyntheticMedia, Vp8KeyframeParsesAsOne) {
  std::vector<uint8_t> p(1100);
  fill_vp8_payload(p, true, true);
  rtp::Vp8Depacketizer d;
  auto info = d.inspect(p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 360);

  fill_vp8_payload(p, true, false);
  info = d.inspect(p);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);

  fill_vp8_payload(p, false, false);
  info = d.inspect(p);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->frame_start);
}

TEST(SyntheticMedia, FrameSizesAddUpToTheRate) {
  MediaConfig c;
  c.video_kbps = 1500;
  c.fps = 30;
  c.keyframe_interval_ms = 2000;
  c.keyframe_factor = 4;
  const FrameSizes s = frame_sizes(c);
  const double bytes_per_interval = static_cast<double>(s.key_bytes + 59 * s.delta_bytes);
  EXPECT_NEAR(bytes_per_interval * 8 / 2.0 / 1000.0, 1500.0, 1.0);
  EXPECT_EQ(s.key_bytes / s.delta_bytes, 4u);
  EXPECT_EQ(frame_packet_count(c, 1100), 1u);
  EXPECT_EQ(frame_packet_count(c, 1101), 2u);
  EXPECT_EQ(frame_packet_count(c, s.key_bytes), (s.key_bytes + 1099) / 1100);
}

}  // namespace
}  // namespace medley::loadgen
