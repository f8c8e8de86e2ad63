// VpxEncoder: VP8 and VP9 realtime encoding over libvpx.
#pragma once

#include <vpx/vpx_encoder.h>

#include "codec/video_codec.hpp"

namespace medley::codec {

// One-pass CBR with the realtime deadline, error resilient (a lost frame does not poison the probability
// contexts of the frames after it), no lag, libwebrtc's buffer and quantizer settings.
class VpxEncoder final : public VideoEncoder {
 public:
  static base::Result<std::unique_ptr<VideoEncoder>, CodecError> create(const VideoEncoderConfig& config);
  ~VpxEncoder() override;
  VpxEncoder(const VpxEncoder&) = delete;
  VpxEncoder& operator=(const VpxEncoder&) = delete;

  const VideoEncoderConfig& config() const override { return config_; }
  EncodeStatus encode(const VideoFrame& frame, bool force_keyframe, base::EncodedFrame& out) override;
  bool set_rates(uint32_t bitrate_bps, double fps) override;

 private:
  explicit VpxEncoder(const VideoEncoderConfig& config) : config_(config) {}
  bool init();

  VideoEncoderConfig config_;
  vpx_codec_enc_cfg_t cfg_{};
  vpx_codec_ctx_t ctx_{};
  bool initialized_ = false;
  int64_t pts_ = 0;              // in frame-duration units of the 90 kHz timebase
  uint32_t last_rtp_ = 0;
  bool have_last_rtp_ = false;
};

}  // namespace medley::codec
