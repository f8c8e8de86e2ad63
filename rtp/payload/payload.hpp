// The payload-format seam: per-codec depacketizers and packetizers behind two small interfaces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "rtp/base/bytes.hpp"
#include "rtp/base/frame.hpp"

namespace medley::rtp {

// What one packet's payload says about the frame it belongs to, read without copying.
struct PayloadInfo {
  bool frame_start = false;   // first packet of a frame (VP8 S=1 with PID 0, VP9 B, H.264 first NAL/FU start, audio)
  bool frame_end = false;     // last packet, when the format says so (VP9 E; otherwise the RTP marker bit decides)
  bool keyframe = false;      // this packet starts (or belongs to) a picture decodable on its own
  uint16_t width = 0;         // from a keyframe header when the payload carries it (VP8, VP9 SS, H.264 SPS)
  uint16_t height = 0;
  uint8_t spatial_layer = 0;
  uint8_t temporal_layer = 0;
};

// Turns RTP payloads back into a codec's bitstream (the forms EncodedFrame documents).
// Packets of one frame are fed in sequence order; the owner (jitter buffer) decides frame boundaries.
class Depacketizer {
 public:
  virtual ~Depacketizer() = default;
  // Parses the payload descriptor; std::nullopt when the payload is malformed (count and drop the packet).
  virtual std::optional<PayloadInfo> inspect(base::Bytes payload) const = 0;
  // Appends this payload's media bytes to frame.data (and sets keyframe/size fields it learns);
  // false when malformed, after which the frame must be dropped.
  virtual bool append(base::Bytes payload, base::EncodedFrame& frame) = 0;
  // Forgets any partial state (an H.264 FU-A in progress), e.g. after a lost packet.
  virtual void reset() = 0;
};

// Splits one frame into RTP payloads no larger than max_payload bytes, written into caller buffers.
// Use: begin(frame, max_payload); while (auto n = next(out, marker)) send(out.first(*n), marker);
class Packetizer {
 public:
  virtual ~Packetizer() = default;
  // Starts a frame. The frame must stay alive and unchanged until next() returns std::nullopt.
  // False when the frame cannot be packetized (empty, malformed bitstream, max_payload too small).
  virtual bool begin(const base::EncodedFrame& frame, size_t max_payload) = 0;
  // Writes the next payload into out and returns its size; marker is set on the frame's last payload.
  // std::nullopt when the frame is done (or out is smaller than max_payload).
  virtual std::optional<size_t> next(base::MutableBytes out, bool& marker) = 0;
};

std::unique_ptr<Depacketizer> make_depacketizer(base::CodecId codec);  // nullptr for codecs we do not carry
std::unique_ptr<Packetizer> make_packetizer(base::CodecId codec);

}  // namespace medley::rtp
