// Opus RTP payload format, RFC 7587.
#include "rtp/payload/opus.hpp"

#include <cstring>

namespace medley::rtp {

// RFC 7587 4.2: an Opus packet always has at least its TOC byte (RFC 6716 3.1); anything else the decoder judges.
std::optional<PayloadInfo> OpusDepacketizer::inspect(base::Bytes payload) const {
  if (payload.empty()) return std::nullopt;
  PayloadInfo info;
  info.frame_start = true;
  info.frame_end = true;
  info.keyframe = true;  // every Opus packet decodes on its own
  return info;
}

bool OpusDepacketizer::append(base::Bytes payload, base::EncodedFrame& frame) {
  if (payload.empty()) return false;
  frame.keyframe = true;
  frame.data.insert(frame.data.end(), payload.begin(), payload.end());
  return true;
}

bool OpusPacketizer::begin(const base::EncodedFrame& frame, size_t max_payload) {
  pending_ = false;
  if (frame.data.empty() || frame.data.size() > max_payload) return false;  // Opus packets are never fragmented
  data_ = frame.data;
  max_payload_ = max_payload;
  pending_ = true;
  return true;
}

std::optional<size_t> OpusPacketizer::next(base::MutableBytes out, bool& marker) {
  if (!pending_ || out.size() < max_payload_) return std::nullopt;
  std::memcpy(out.data(), data_.data(), data_.size());
  pending_ = false;
  // The seam's contract: marker on a frame's last payload (ffmpeg too marks every Opus packet). RFC 3551 4.1 would
  // mark only a talkspurt's first packet; receivers (libwebrtc's NetEq) do not depend on it.
  marker = true;
  return data_.size();
}

}  // namespace medley::rtp
