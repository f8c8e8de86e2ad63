// H.264 profile-level-id parsing, matching and answer level, after RFC 6184 section 8.1 and libwebrtc's table.
#include "rtp/negotiation/h264_profile_level_id.hpp"

#include <array>

#include "rtp/sdp/rtp_attributes.hpp"

namespace medley::rtp::negotiation {

namespace {

// For profile_idc 0x42/0x4D/0x58 with level_idc 11, constraint_set3 says level 1b (RFC 6184 section 8.1).
constexpr uint8_t kConstraintSet3 = 0x10;

// A profile-iop bit pattern such as "x1xx0000": '1' and '0' must match, 'x' is free.
struct IopPattern {
  uint8_t profile_idc;
  const char* bits;
  H264Profile profile;

  bool matches(uint8_t idc, uint8_t iop) const {
    if (idc != profile_idc) return false;
    for (int i = 0; i < 8; ++i) {
      const bool bit = (iop >> (7 - i)) & 1;
      if (bits[i] == '1' && !bit) return false;
      if (bits[i] == '0' && bit) return false;
    }
    return true;
  }
};

// RFC 6184 table 5 as libwebrtc orders it: constrained variants first.
constexpr std::array<IopPattern, 9> kPatterns{{
    {0x42, "x1xx0000", H264Profile::ConstrainedBaseline},
    {0x4D, "1xxx0000", H264Profile::ConstrainedBaseline},
    {0x58, "11xx0000", H264Profile::ConstrainedBaseline},
    {0x42, "x0xx0000", H264Profile::Baseline},
    {0x58, "10xx0000", H264Profile::Baseline},
    {0x4D, "0x0x0000", H264Profile::Main},
    {0x64, "00000000", H264Profile::High},
    {0x64, "00001100", H264Profile::ConstrainedHigh},
    {0xF4, "00000000", H264Profile::PredictiveHigh444},
}};

std::optional<H264Level> level_from_idc(uint8_t idc, uint8_t iop) {
  switch (idc) {
    case 11: return (iop & kConstraintSet3) ? H264Level::Level1b : H264Level::Level1_1;
    case 10: case 12: case 13: case 20: case 21: case 22: case 30: case 31: case 32:
    case 40: case 41: case 42: case 50: case 51: case 52:
      return static_cast<H264Level>(idc);
    default: return std::nullopt;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<H264ProfileLevelId> H264ProfileLevelId::parse(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  uint32_t v = 0;
  for (char c : hex) {
    int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  const auto idc = static_cast<uint8_t>(v >> 16);
  const auto iop = static_cast<uint8_t>(v >> 8);
  auto level = level_from_idc(static_cast<uint8_t>(v), iop);
  if (!level) return std::nullopt;
  for (const auto& p : kPatterns)
    if (p.matches(idc, iop)) return H264ProfileLevelId{p.profile, *level};
  return std::nullopt;
}

std::optional<H264ProfileLevelId> H264ProfileLevelId::from_fmtp(std::string_view fmtp_parameters) {
  sdp::Fmtp f{PayloadType{0}, std::string(fmtp_parameters)};
  auto v = f.get("profile-level-id");
  // libwebrtc's default when absent (crbug.com/webrtc/6337), not RFC 6184's 420010: browsers interoperate on it.
  if (!v) return H264ProfileLevelId{};
  return parse(*v);
}

std::string H264ProfileLevelId::to_string() const {
  if (level == H264Level::Level1b) {
    switch (profile) {
      case H264Profile::ConstrainedBaseline: return "42f00b";
      case H264Profile::Baseline: return "42100b";
      case H264Profile::Main: return "4d100b";
      default: break;  // 1b exists only for these; write level 1.1 instead
    }
  }
  const char* prefix = "42e0";
  switch (profile) {
    case H264Profile::ConstrainedBaseline: prefix = "42e0"; break;
    case H264Profile::Baseline: prefix = "4200"; break;
    case H264Profile::Main: prefix = "4d00"; break;
    case H264Profile::ConstrainedHigh: prefix = "640c"; break;
    case H264Profile::High: prefix = "6400"; break;
    case H264Profile::PredictiveHigh444: prefix = "f400"; break;
  }
  const auto idc = level == H264Level::Level1b ? uint8_t{11} : static_cast<uint8_t>(level);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  out += kHex[idc >> 4];
  out += kHex[idc & 15];
  return out;
}

bool h264_level_less(H264Level a, H264Level b) {
  auto rank = [](H264Level l) {
    // 1b sits between 1 (10) and 1.1 (11).
    return l == H264Level::Level1b ? 105 : static_cast<int>(l) * 10;
  };
  return rank(a) < rank(b);
}

std::optional<H264ProfileLevelId> h264_answer_profile_level_id(std::string_view local_fmtp,
                                                               std::string_view remote_fmtp) {
  sdp::Fmtp local{PayloadType{0}, std::string(local_fmtp)};
  sdp::Fmtp remote{PayloadType{0}, std::string(remote_fmtp)};
  if (!local.get("profile-level-id") && !remote.get("profile-level-id")) return std::nullopt;
  auto l = H264ProfileLevelId::from_fmtp(local_fmtp);
  auto r = H264ProfileLevelId::from_fmtp(remote_fmtp);
  if (!l || !r || l->profile != r->profile) return std::nullopt;
  const bool asymmetry = local.h264_level_asymmetry_allowed() && remote.h264_level_asymmetry_allowed();
  H264Level level = l->level;
  if (!asymmetry && h264_level_less(r->level, l->level)) level = r->level;
  return H264ProfileLevelId{r->profile, level};
}

}  // namespace medley::rtp::negotiation
