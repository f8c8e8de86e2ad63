// Scaler and VideoFrame: scaled pictures keep their content, sizes and timestamps; owned and borrowed frames.
#include "codec/scaler.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "video_test_util.hpp"

using namespace medley;
using namespace medley::codec;

namespace {

// Down by two and back up: a smooth pattern survives with high PSNR; through either implementation.
void check_down_up(bool (*scale)(const VideoFrame&, int, int, VideoFrame&)) {
  VideoFrame src, half, back;
  test::fill_pattern(src, 640, 360, 5);
  ASSERT_TRUE(scale(src, 320, 180, half));
  EXPECT_EQ(half.width, 320);
  EXPECT_EQ(half.height, 180);
  EXPECT_EQ(half.rtp_timestamp, src.rtp_timestamp);
  EXPECT_EQ(half.capture_time, src.capture_time);
  EXPECT_TRUE(half.owns_planes());
  ASSERT_TRUE(scale(half, 640, 360, back));
  EXPECT_GT(test::psnr(src, back), 24.0);
  // The moving square's centre keeps its brightness at half size (square at x 35..82, y 15..62 at index 5,
  // centre 59, 39), and the picture next to it does not take it.
  EXPECT_GE(half.planes[0][19 * half.strides[0] + 29], 225);
  EXPECT_LT(half.planes[0][19 * half.strides[0] + 50], 200);
  // Same size is a copy.
  ASSERT_TRUE(scale(src, 640, 360, back));
  EXPECT_GT(test::psnr(src, back), 60.0);
  // Odd sizes and extreme ratios stay in bounds (ASan watches).
  ASSERT_TRUE(scale(src, 33, 17, half));
  ASSERT_TRUE(scale(half, 1, 1, back));
  ASSERT_TRUE(scale(back, 101, 3, half));
  EXPECT_FALSE(scale(VideoFrame{}, 10, 10, half));
  EXPECT_FALSE(scale(src, 0, 10, half));
  EXPECT_FALSE(scale(src, 10, 20000, half));
}

bool with_scaler(const VideoFrame& s, int w, int h, VideoFrame& d) {
  Scaler scaler;
  return scaler.scale(s, w, h, d);
}

TEST(Scaler, BilinearFallback) { check_down_up(&scale_bilinear); }

TEST(Scaler, DefaultImplementation) {
  std::printf("Scaler uses %s\n", Scaler::using_libyuv() ? "libyuv I420Scale" : "the bilinear fallback");
  check_down_up(&with_scaler);
}

TEST(VideoFrame, OwnedAndBorrowed) {
  VideoFrame f;
  EXPECT_TRUE(f.empty());
  EXPECT_FALSE(f.allocate(0, 10));
  EXPECT_FALSE(f.allocate(10, 16385));
  ASSERT_TRUE(f.allocate(33, 17));
  EXPECT_EQ(f.chroma_width(), 17);
  EXPECT_EQ(f.chroma_height(), 9);
  EXPECT_GE(f.strides[0], 33);
  EXPECT_EQ(f.strides[0] % 32, 0);
  EXPECT_TRUE(f.owns_planes());
  ASSERT_NE(f.mutable_plane(2), nullptr);
  EXPECT_EQ(f.mutable_plane(3), nullptr);
  // A borrowed picture: writable access is refused; make_owned copies it.
  std::vector<uint8_t> y(8 * 4, 7), u(4 * 2, 1), v(4 * 2, 2);
  VideoFrame b;
  b.borrow(8, 4, {y.data(), u.data(), v.data()}, {8, 4, 4});
  EXPECT_FALSE(b.owns_planes());
  EXPECT_EQ(b.mutable_plane(0), nullptr);
  b.make_owned();
  ASSERT_TRUE(b.owns_planes());
  y.assign(y.size(), 0);
  EXPECT_EQ(b.planes[0][3 * b.strides[0] + 7], 7);
  EXPECT_EQ(b.planes[2][1 * b.strides[2] + 3], 2);
  // Reallocating the same size reuses the buffer.
  const uint8_t* before = f.planes[0];
  ASSERT_TRUE(f.allocate(33, 17));
  EXPECT_EQ(f.planes[0], before);
}

}  // namespace
