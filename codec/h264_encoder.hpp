// H264Encoder: constrained-baseline H.264 encoding over openh264, Annex B out.
#pragma once

#include "codec/h264_profile.hpp"
#include "codec/video_codec.hpp"

class ISVCEncoder;

namespace medley::codec {

// Realtime camera usage, RC_BITRATE_MODE, one slice per picture (packetization-mode 1 fragments it with FU-A),
// constant SPS/PPS ids (a forced IDR repeats the same parameter sets), SPS+PPS in front of every IDR.
class H264Encoder final : public VideoEncoder {
 public:
  static base::Result<std::unique_ptr<VideoEncoder>, CodecError> create(const VideoEncoderConfig& config);
  ~H264Encoder() override;
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;

  const VideoEncoderConfig& config() const override { return config_; }
  EncodeStatus encode(const VideoFrame& frame, bool force_keyframe, base::EncodedFrame& out) override;
  bool set_rates(uint32_t bitrate_bps, double fps) override;

 private:
  H264Encoder(const VideoEncoderConfig& config, const H264ProfileLevel& pl) : config_(config), profile_(pl) {}
  bool init();
  uint32_t clamp_bitrate(uint32_t bps) const;

  VideoEncoderConfig config_;
  H264ProfileLevel profile_;
  ISVCEncoder* enc_ = nullptr;
  bool first_ = true;
};

}  // namespace medley::codec
