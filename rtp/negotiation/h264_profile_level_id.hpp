// H.264 profile-level-id (RFC 6184 section 8.1) read as libwebrtc reads it: a named profile from profile_idc and
// the constraint flags, a level (with level 1b), same-profile matching and the level an answer carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medley::rtp::negotiation {

enum class H264Profile { ConstrainedBaseline, Baseline, Main, ConstrainedHigh, High, PredictiveHigh444 };

// level_idc values; Level1b has no idc of its own (level_idc 11 with constraint_set3, or 9 in some stacks).
enum class H264Level : uint8_t {
  Level1b = 0,
  Level1 = 10,
  Level1_1 = 11,
  Level1_2 = 12,
  Level1_3 = 13,
  Level2 = 20,
  Level2_1 = 21,
  Level2_2 = 22,
  Level3 = 30,
  Level3_1 = 31,
  Level3_2 = 32,
  Level4 = 40,
  Level4_1 = 41,
  Level4_2 = 42,
  Level5 = 50,
  Level5_1 = 51,
  Level5_2 = 52,
};

struct H264ProfileLevelId {
  H264Profile profile = H264Profile::ConstrainedBaseline;
  H264Level level = H264Level::Level3_1;

  // Six hex digits; nullopt for an unknown profile_idc/profile-iop combination or level.
  static std::optional<H264ProfileLevelId> parse(std::string_view hex);
  // The fmtp parameter string's profile-level-id, or libwebrtc's default (Constrained Baseline 3.1) when absent;
  // nullopt when present but unusable.
  static std::optional<H264ProfileLevelId> from_fmtp(std::string_view fmtp_parameters);
  // Canonical six hex digits (42e01f, 42001f, 4d001f, 640c1f, 64001f, f4001f; 42f00b/42100b/4d100b for 1b).
  std::string to_string() const;

  bool operator==(const H264ProfileLevelId&) const = default;
};

// Level order with 1b between 1 and 1.1.
bool h264_level_less(H264Level a, H264Level b);

// The profile-level-id an answer carries (libwebrtc's rule, RFC 6184 section 8.2.2): the common profile; with
// level-asymmetry-allowed on both sides our own receive level, otherwise the lower of the two. nullopt when
// neither side wrote a profile-level-id (then the answer writes none either).
std::optional<H264ProfileLevelId> h264_answer_profile_level_id(std::string_view local_fmtp,
                                                               std::string_view remote_fmtp);

}  // namespace medley::rtp::negotiation
