// Video encoder and decoder interfaces (VP8, VP9 over libvpx; H.264 over openh264) and their factories.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "codec/video_frame.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/result.hpp"

namespace medley::codec {

enum class DecodeStatus : uint8_t {
  FrameReady,    // out holds a picture (borrowed from the decoder until its next call)
  NeedMore,      // accepted, no picture yet (e.g. parameter sets alone)
  NeedKeyframe,  // the input was broken or cannot be decoded without a missing reference: ask the source for a
                 // keyframe; until one arrives the decoder drops delta frames and says NeedKeyframe again, so no
                 // corrupt (green) picture ever comes out
};

// Pictures beyond 4096 x 2304 (4K UHD fits, either way up) are refused, checked on the keyframe header or SPS
// before the library sees them: a forged header could otherwise make it allocate 16383 x 16383 references.
constexpr int kMaxDecodeSide = 4096;
constexpr int64_t kMaxDecodePixels = int64_t{4096} * 2304;
constexpr bool decode_size_ok(int64_t w, int64_t h) {
  return w > 0 && h > 0 && w <= kMaxDecodeSide && h <= kMaxDecodeSide && w * h <= kMaxDecodePixels;
}

class VideoDecoder {
 public:
  virtual ~VideoDecoder() = default;
  virtual base::CodecId codec() const = 0;
  virtual DecodeStatus decode(const base::EncodedFrame& frame, VideoFrame& out) = 0;
  // Forgets references: the next frame must be a keyframe.
  virtual void reset() = 0;
};

struct VideoEncoderConfig {
  base::CodecId codec = base::CodecId::Vp8;
  int width = 640;
  int height = 480;
  uint32_t bitrate_bps = 1'000'000;
  uint32_t max_bitrate_bps = 0;     // 0: 1.5 x bitrate (and for H.264 the level's MaxBR caps it)
  double fps = 30.0;
  // H.264 only: profile-level-id as negotiated in SDP (RFC 6184 section 8.1). We always encode constrained
  // baseline, which every H.264 profile's decoder accepts; the level bounds frame size, macroblock rate, bitrate.
  std::string h264_profile_level_id = "42e01f";
  uint32_t keyframe_interval = 3000;  // frames between automatic keyframes; 0: only the first and on request
  int threads = 1;
  int cpu_used = -1;                   // libvpx speed; -1: our realtime default (VP8 -6, VP9 7)
};

enum class EncodeStatus : uint8_t {
  Encoded,   // out holds a frame
  Dropped,   // rate control skipped this picture; nothing to send
  Error,     // the picture was refused (size differs from the configuration, library failure)
};

class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  virtual const VideoEncoderConfig& config() const = 0;
  // The picture must have the configured size (scale first: codec::Scaler). out is cleared and refilled:
  // VP8/VP9 frames, H.264 Annex B; codec, rtp_timestamp, arrival (= capture_time), keyframe, width, height set.
  virtual EncodeStatus encode(const VideoFrame& frame, bool force_keyframe, base::EncodedFrame& out) = 0;
  // Follows the sink's bandwidth estimate; false when the library refused the values.
  virtual bool set_rates(uint32_t bitrate_bps, double fps) = 0;
};

struct CodecError {
  std::string message;
};

// VP8, VP9, H264; anything else is a CodecError.
base::Result<std::unique_ptr<VideoDecoder>, CodecError> make_video_decoder(base::CodecId codec, int threads = 1);
// Checks the configuration (sizes, rates, H.264 profile and level limits) before touching the library.
base::Result<std::unique_ptr<VideoEncoder>, CodecError> make_video_encoder(const VideoEncoderConfig& config);

}  // namespace medley::codec
