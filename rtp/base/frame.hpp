// Frame types shared by depacketizers, the jitter buffer, codecs and muxers.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "rtp/base/time.hpp"

namespace medley::base {

enum class MediaKind : uint8_t { Audio, Video };

enum class CodecId : uint8_t { Unknown, Opus, Pcmu, Pcma, Vp8, Vp9, H264, Av1 };

constexpr MediaKind kind_of(CodecId c) {
  return (c == CodecId::Opus || c == CodecId::Pcmu || c == CodecId::Pcma) ? MediaKind::Audio : MediaKind::Video;
}
std::string_view codec_name(CodecId c);     // "VP8", "H264", "opus" as in SDP rtpmap
CodecId codec_from_name(std::string_view);  // case-insensitive; Unknown if not ours

// One encoded frame (a video picture or an audio packet) in its codec's bitstream format: VP8/VP9 frames as the
// decoder takes them, H.264 as Annex B (start codes), Opus packets as they are.
// Owners reuse a Frame (clear() keeps the data's capacity), so steady state allocates nothing.
struct EncodedFrame {
  CodecId codec = CodecId::Unknown;
  uint32_t rtp_timestamp = 0;     // media clock, from the first packet of the frame
  Timestamp arrival;               // when its last packet arrived (receive side) or was captured (send side)
  bool keyframe = false;           // decodable on its own
  uint16_t width = 0;              // video, from a keyframe's header when known
  uint16_t height = 0;
  uint8_t spatial_layer = 0;
  uint8_t temporal_layer = 0;
  std::vector<uint8_t> data;

  void clear() {
    codec = CodecId::Unknown;
    rtp_timestamp = 0;
    arrival = {};
    keyframe = false;
    width = height = 0;
    spatial_layer = temporal_layer = 0;
    data.clear();
  }
};

}  // namespace medley::base
