// H.264 profile-level-id parsing and Table A-1 level limits.
#include "codec/h264_profile.hpp"

#include <array>

namespace medley::codec {

namespace {

struct LevelRow {
  uint8_t level;  // 9 stands for 1b
  H264LevelLimits limits;
};

// ITU-T H.264 (08/2021) Table A-1: MaxMBPS, MaxFS, MaxBR (in 1000 bit/s for the VCL of baseline/main).
constexpr std::array<LevelRow, 17> kLevels{{
    {10, {1485, 99, 64}},
    {9, {1485, 99, 128}},
    {11, {3000, 396, 192}},
    {12, {6000, 396, 384}},
    {13, {11880, 396, 768}},
    {20, {11880, 396, 2000}},
    {21, {19800, 792, 4000}},
    {22, {20250, 1620, 4000}},
    {30, {40500, 1620, 10000}},
    {31, {108000, 3600, 14000}},
    {32, {216000, 5120, 20000}},
    {40, {245760, 8192, 20000}},
    {41, {245760, 8192, 50000}},
    {42, {522240, 8704, 50000}},
    {50, {589824, 22080, 135000}},
    {51, {983040, 36864, 240000}},
    {52, {2073600, 36864, 240000}},
}};

std::optional<uint8_t> hex_byte(std::string_view s) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const int hi = nib(s[0]);
  const int lo = nib(s[1]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<uint8_t>(hi * 16 + lo);
}

}  // namespace

std::optional<H264ProfileLevel> H264ProfileLevel::parse(std::string_view id) {
  if (id.size() != 6) return std::nullopt;
  auto p = hex_byte(id.substr(0, 2));
  auto c = hex_byte(id.substr(2, 2));
  auto l = hex_byte(id.substr(4, 2));
  if (!p || !c || !l) return std::nullopt;
  H264ProfileLevel pl;
  pl.profile_idc = *p;
  pl.constraints = *c;
  pl.level_idc = *l;
  // Level 1b: level_idc 11 with constraint_set3 in baseline/main/extended (H.264 A.3.1, RFC 6184 8.1), or 9.
  const bool bme = *p == 66 || *p == 77 || *p == 88;
  if ((*l == 11 && bme && (*c & 0x10)) || *l == 9) pl.level_idc = 9;
  if (pl.limits().max_fs == 0) return std::nullopt;
  return pl;
}

bool H264ProfileLevel::accepts_constrained_baseline() const {
  const bool set1 = constraints & 0x40;
  switch (profile_idc) {
    case 66:   // baseline (constrained or not): CB is a subset
    case 77:   // main
    case 100:  // high
    case 110:
    case 122:
    case 244:
      return true;
    case 88:   // extended decodes CB only when it claims set1 (main compatibility) or is baseline-constrained
      return set1 || (constraints & 0x80);
    default:
      return false;
  }
}

H264LevelLimits H264ProfileLevel::limits() const {
  for (const auto& row : kLevels) {
    if (row.level == level_idc) return row.limits;
  }
  return {};
}

bool h264_level_fits(const H264LevelLimits& limits, int width, int height, double fps) {
  if (width <= 0 || height <= 0 || fps <= 0) return false;
  const uint64_t mbs = static_cast<uint64_t>((width + 15) / 16) * static_cast<uint64_t>((height + 15) / 16);
  if (mbs > limits.max_fs) return false;
  // A.3.1 also bounds each side by sqrt(8 x MaxFS) macroblocks, so a 1 x N strip cannot claim a small level.
  const uint64_t side_limit = static_cast<uint64_t>(8) * limits.max_fs;
  const uint64_t w_mbs = static_cast<uint64_t>((width + 15) / 16);
  const uint64_t h_mbs = static_cast<uint64_t>((height + 15) / 16);
  if (w_mbs * w_mbs > side_limit || h_mbs * h_mbs > side_limit) return false;
  return static_cast<double>(mbs) * fps <= static_cast<double>(limits.max_mbps) * 1.0001;
}

}  // namespace medley::codec
