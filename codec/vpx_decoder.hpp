// VpxDecoder: VP8 and VP9 decoding over libvpx.
#pragma once

#include <vpx/vpx_decoder.h>

#include "codec/video_codec.hpp"

namespace medley::codec {

class VpxDecoder final : public VideoDecoder {
 public:
  static base::Result<std::unique_ptr<VideoDecoder>, CodecError> create(base::CodecId codec, int threads);
  ~VpxDecoder() override;
  VpxDecoder(const VpxDecoder&) = delete;
  VpxDecoder& operator=(const VpxDecoder&) = delete;

  base::CodecId codec() const override { return codec_; }
  DecodeStatus decode(const base::EncodedFrame& frame, VideoFrame& out) override;
  void reset() override;

 private:
  VpxDecoder(base::CodecId codec, int threads) : codec_(codec), threads_(threads) {}
  bool init();

  base::CodecId codec_;
  int threads_;
  vpx_codec_ctx_t ctx_{};
  bool initialized_ = false;
  bool need_keyframe_ = true;
};

}  // namespace medley::codec
