// Codec names as they appear in SDP rtpmap lines.
#include "rtp/base/frame.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace medley::base {
namespace {
constexpr std::array<std::pair<CodecId, std::string_view>, 7> kNames{{
    {CodecId::Opus, "opus"},
    {CodecId::Pcmu, "PCMU"},
    {CodecId::Pcma, "PCMA"},
    {CodecId::Vp8, "VP8"},
    {CodecId::Vp9, "VP9"},
    {CodecId::H264, "H264"},
    {CodecId::Av1, "AV1"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}
}  // namespace

std::string_view codec_name(CodecId c) {
  for (const auto& [id, name] : kNames) {
    if (id == c) return name;
  }
  return "unknown";
}

CodecId codec_from_name(std::string_view name) {
  for (const auto& [id, n] : kNames) {
    if (iequals(n, name)) return id;
  }
  return CodecId::Unknown;
}

}  // namespace medley::base
