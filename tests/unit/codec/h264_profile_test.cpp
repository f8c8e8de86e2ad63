// H.264 profile-level-id parsing (RFC 6184 8.1) and Table A-1 level limits.
#include "codec/h264_profile.hpp"

#include <gtest/gtest.h>

using namespace medley::codec;

namespace {

TEST(H264ProfileLevel, ParsesWhatBrowsersOffer) {
  auto cb31 = H264ProfileLevel::parse("42e01f");  // Chrome's constrained baseline 3.1
  ASSERT_TRUE(cb31);
  EXPECT_EQ(cb31->profile_idc, 66);
  EXPECT_EQ(cb31->constraints, 0xe0);
  EXPECT_EQ(cb31->level_idc, 31);
  EXPECT_TRUE(cb31->accepts_constrained_baseline());
  EXPECT_EQ(cb31->limits().max_fs, 3600u);
  EXPECT_EQ(cb31->limits().max_mbps, 108000u);
  EXPECT_EQ(cb31->limits().max_br_kbps, 14000u);
  auto upper = H264ProfileLevel::parse("42E01F");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->level_idc, 31);
  auto high = H264ProfileLevel::parse("640c34");  // high 5.2
  ASSERT_TRUE(high);
  EXPECT_TRUE(high->accepts_constrained_baseline());
  EXPECT_EQ(high->limits().max_fs, 36864u);
  auto main = H264ProfileLevel::parse("4d001f");
  ASSERT_TRUE(main && main->accepts_constrained_baseline());
}

TEST(H264ProfileLevel, Level1b) {
  // Baseline with constraint_set3 and level_idc 11 means 1b (H.264 A.3.1), as does level_idc 9.
  auto a = H264ProfileLevel::parse("42f00b");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->level_idc, 9);
  EXPECT_EQ(a->limits().max_br_kbps, 128u);
  auto b = H264ProfileLevel::parse("42e00b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->level_idc, 11);
  auto c = H264ProfileLevel::parse("640009");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->level_idc, 9);
}

TEST(H264ProfileLevel, RefusesMalformed) {
  EXPECT_FALSE(H264ProfileLevel::parse(""));
  EXPECT_FALSE(H264ProfileLevel::parse("42e01"));
  EXPECT_FALSE(H264ProfileLevel::parse("42e01f0"));
  EXPECT_FALSE(H264ProfileLevel::parse("42g01f"));
  EXPECT_FALSE(H264ProfileLevel::parse("42e0ff"));  // level 25.5 does not exist
  EXPECT_FALSE(H264ProfileLevel::parse("42e017"));  // 2.3 neither
  auto svc = H264ProfileLevel::parse("53001f");
  ASSERT_TRUE(svc);
  EXPECT_FALSE(svc->accepts_constrained_baseline());
}

TEST(H264ProfileLevel, LevelFits) {
  const auto l31 = H264ProfileLevel::parse("42e01f")->limits();
  EXPECT_TRUE(h264_level_fits(l31, 1280, 720, 30));
  EXPECT_FALSE(h264_level_fits(l31, 1280, 720, 31));   // 3600 MBs x 31 > 108000
  EXPECT_FALSE(h264_level_fits(l31, 1920, 1080, 10));  // 8160 MBs > 3600
  EXPECT_TRUE(h264_level_fits(l31, 720, 1280, 30));    // portrait
  EXPECT_FALSE(h264_level_fits(l31, 16 * 200, 16, 1)); // 200 MBs wide > sqrt(8 x 3600) = 169
  EXPECT_FALSE(h264_level_fits(l31, 0, 720, 30));
  const auto l30 = H264ProfileLevel::parse("42e01e")->limits();
  EXPECT_TRUE(h264_level_fits(l30, 640, 480, 30));
  EXPECT_FALSE(h264_level_fits(l30, 1280, 720, 30));
}

}  // namespace
