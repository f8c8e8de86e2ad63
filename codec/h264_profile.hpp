// H.264 profile-level-id (RFC 6184 section 8.1) parsing and the level limits of ITU-T H.264 Table A-1.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace medley::codec {

struct H264LevelLimits {
  uint32_t max_mbps = 0;    // macroblocks per second
  uint32_t max_fs = 0;      // macroblocks per frame
  uint32_t max_br_kbps = 0; // MaxBR x cpbBrVclFactor (1000 for baseline/main/extended)
};

struct H264ProfileLevel {
  uint8_t profile_idc = 66;
  uint8_t constraints = 0xe0;   // profile-iop: constraint_set0..5 flags in the high bits
  uint8_t level_idc = 31;       // 10 x level; 1b is reported as 9 (openh264's LEVEL_1_B)

  // True when a constrained-baseline stream satisfies the profile: constrained baseline itself, baseline, main,
  // extended with set1, or the high profiles (their decoders take constrained baseline).
  bool accepts_constrained_baseline() const;
  H264LevelLimits limits() const;  // zeroes when the level is unknown

  // "42e01f": six hex digits. std::nullopt when malformed or the level is not in Table A-1.
  static std::optional<H264ProfileLevel> parse(std::string_view profile_level_id);
};

// Whether a picture of width x height at fps fits the level's frame size and macroblock rate.
bool h264_level_fits(const H264LevelLimits& limits, int width, int height, double fps);

}  // namespace medley::codec
