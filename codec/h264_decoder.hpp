// H264Decoder: H.264 (Annex B) decoding over openh264.
#pragma once

#include "codec/video_codec.hpp"

class ISVCDecoder;

namespace medley::codec {

// Error concealment off: openh264 would otherwise hand out pictures patched from stale references (the green
// and smeared frames users see); we report NeedKeyframe instead and wait for an IDR.
class H264Decoder final : public VideoDecoder {
 public:
  static base::Result<std::unique_ptr<VideoDecoder>, CodecError> create(int threads);
  ~H264Decoder() override;
  H264Decoder(const H264Decoder&) = delete;
  H264Decoder& operator=(const H264Decoder&) = delete;

  base::CodecId codec() const override { return base::CodecId::H264; }
  DecodeStatus decode(const base::EncodedFrame& frame, VideoFrame& out) override;
  void reset() override;

 private:
  H264Decoder() = default;
  bool init();
  void destroy();

  ISVCDecoder* dec_ = nullptr;
  bool need_keyframe_ = true;
};

}  // namespace medley::codec
