// H.264 profile-level-id: parsing as libwebrtc does (RFC 6184 section 8.1 table 5), same-profile matching with
// packetization mode, and the level an answer carries (level asymmetry).
#include <gtest/gtest.h>

#include "rtp/negotiation/codec_matching.hpp"
#include "rtp/negotiation/h264_profile_level_id.hpp"

namespace medley::rtp::negotiation {
namespace {

H264ProfileLevelId plid(std::string_view s) {
  auto p = H264ProfileLevelId::parse(s);
  EXPECT_TRUE(p.has_value()) << s;
  return p.value_or(H264ProfileLevelId{});
}

TEST(NegotiationH264, ParsesBrowserProfiles) {
  EXPECT_EQ(plid("42e01f"), (H264ProfileLevelId{H264Profile::ConstrainedBaseline, H264Level::Level3_1}));
  EXPECT_EQ(plid("42001f"), (H264ProfileLevelId{H264Profile::Baseline, H264Level::Level3_1}));
  EXPECT_EQ(plid("4d001f"), (H264ProfileLevelId{H264Profile::Main, H264Level::Level3_1}));
  EXPECT_EQ(plid("640c1f"), (H264ProfileLevelId{H264Profile::ConstrainedHigh, H264Level::Level3_1}));
  EXPECT_EQ(plid("640034"), (H264ProfileLevelId{H264Profile::High, H264Level::Level5_2}));
  EXPECT_EQ(plid("f4001f"), (H264ProfileLevelId{H264Profile::PredictiveHigh444, H264Level::Level3_1}));
  // Main with constraint_set1 (0x40) is Constrained Baseline compatible (RFC 6184 table 5).
  EXPECT_EQ(plid("4de01f").profile, H264Profile::ConstrainedBaseline);
  EXPECT_EQ(plid("42C02A"), (H264ProfileLevelId{H264Profile::ConstrainedBaseline, H264Level::Level4_2}));
}

TEST(NegotiationH264, Level1b) {
  EXPECT_EQ(plid("42f00b"), (H264ProfileLevelId{H264Profile::ConstrainedBaseline, H264Level::Level1b}));
  EXPECT_EQ(plid("42100b"), (H264ProfileLevelId{H264Profile::Baseline, H264Level::Level1b}));
  EXPECT_EQ(plid("4d100b"), (H264ProfileLevelId{H264Profile::Main, H264Level::Level1b}));
  EXPECT_EQ(plid("42e00b").level, H264Level::Level1_1);  // no constraint_set3: 1.1
  EXPECT_TRUE(h264_level_less(H264Level::Level1, H264Level::Level1b));
  EXPECT_TRUE(h264_level_less(H264Level::Level1b, H264Level::Level1_1));
  EXPECT_FALSE(h264_level_less(H264Level::Level1_1, H264Level::Level1b));
}

TEST(NegotiationH264, RejectsUnknown) {
  for (auto s : {"", "42e01", "42e01f0", "zze01f", "000000", "42e0ff", "43e01f", "640c00", "64f01f", "4d201f"})
    EXPECT_FALSE(H264ProfileLevelId::parse(s).has_value()) << s;
}

TEST(NegotiationH264, ToStringIsCanonical) {
  for (auto s : {"42e01f", "42001f", "4d001f", "640c1f", "640034", "f4001f", "42f00b", "42100b", "4d100b"})
    EXPECT_EQ(plid(s).to_string(), s);
  EXPECT_EQ(plid("42f01f").to_string(), "42e01f");  // extra constraint flags are not kept
  EXPECT_EQ(plid("4de01f").to_string(), "42e01f");
}

TEST(NegotiationH264, DefaultWhenAbsentIsConstrainedBaseline31) {
  auto p = H264ProfileLevelId::from_fmtp("packetization-mode=1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, (H264ProfileLevelId{H264Profile::ConstrainedBaseline, H264Level::Level3_1}));
  EXPECT_FALSE(H264ProfileLevelId::from_fmtp("profile-level-id=xyz").has_value());
}

TEST(NegotiationH264, AnswerLevel) {
  const std::string local = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
  // Both allow asymmetry: our own level, even above the offer's.
  EXPECT_EQ(h264_answer_profile_level_id(local, "level-asymmetry-allowed=1;profile-level-id=42e015")->to_string(),
            "42e01f");
  // Without asymmetry on their side: the lower level.
  EXPECT_EQ(h264_answer_profile_level_id(local, "profile-level-id=42e015")->to_string(), "42e015");
  EXPECT_EQ(h264_answer_profile_level_id(local, "profile-level-id=42e034")->to_string(), "42e01f");
  // 1b is below 1.1.
  EXPECT_EQ(h264_answer_profile_level_id("profile-level-id=42e00b", "profile-level-id=42f00b")->to_string(),
            "42f00b");
  // The profile is the remote's spelling of the common profile (Main-coded Constrained Baseline).
  EXPECT_EQ(h264_answer_profile_level_id(local, "profile-level-id=4de01f")->to_string(), "42e01f");
  // Neither wrote one: none in the answer either. Different profiles: no answer value.
  EXPECT_FALSE(h264_answer_profile_level_id("packetization-mode=1", "packetization-mode=1").has_value());
  EXPECT_FALSE(h264_answer_profile_level_id(local, "profile-level-id=640c1f").has_value());
}

sdp::Codec h264(uint8_t pt, std::string fmtp) {
  sdp::Codec c;
  c.payload_type = PayloadType{pt};
  c.encoding_name = "H264";
  c.clock_rate = 90000;
  c.fmtp = std::move(fmtp);
  return c;
}

TEST(NegotiationH264, MatchingNeedsSameProfileAndPacketizationMode) {
  auto cap = *LocalCapabilities::known_codec("H264", 90000, std::nullopt);  // 42e01f, mode 1
  EXPECT_TRUE(codec_matches(h264(102, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"), cap));
  EXPECT_TRUE(codec_matches(h264(102, "packetization-mode=1;profile-level-id=42e034"), cap));  // any level
  EXPECT_TRUE(codec_matches(h264(102, "packetization-mode=1"), cap));  // default profile
  EXPECT_FALSE(codec_matches(h264(102, "packetization-mode=0;profile-level-id=42e01f"), cap));
  EXPECT_FALSE(codec_matches(h264(102, "profile-level-id=42e01f"), cap));  // mode 0 by default
  EXPECT_FALSE(codec_matches(h264(102, "packetization-mode=1;profile-level-id=42001f"), cap));  // Baseline
  EXPECT_FALSE(codec_matches(h264(102, "packetization-mode=1;profile-level-id=4d001f"), cap));  // Main
  EXPECT_FALSE(codec_matches(h264(102, "packetization-mode=1;profile-level-id=640c1f"), cap));
  EXPECT_FALSE(codec_matches(h264(102, "packetization-mode=1;profile-level-id=nonsense"), cap));
  auto other = h264(102, "packetization-mode=1;profile-level-id=42e01f");
  other.clock_rate = 8000;
  EXPECT_FALSE(codec_matches(other, cap));

  cap.fmtp = "packetization-mode=0;profile-level-id=4d0032";
  EXPECT_TRUE(codec_matches(h264(39, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f"), cap));
  // No level-asymmetry-allowed on our side: the lower level, and the flag is not written.
  EXPECT_EQ(local_fmtp_for(h264(39, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f"), cap),
            "packetization-mode=0;profile-level-id=4d001f");
}

}  // namespace
}  // namespace medley::rtp::negotiation
