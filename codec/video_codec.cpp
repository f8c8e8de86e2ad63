// Video codec factories: the CodecId / configuration to implementation switch.
#include "codec/video_codec.hpp"

#include "codec/h264_decoder.hpp"
#include "codec/h264_encoder.hpp"
#include "codec/vpx_decoder.hpp"
#include "codec/vpx_encoder.hpp"

namespace medley::codec {

base::Result<std::unique_ptr<VideoDecoder>, CodecError> make_video_decoder(base::CodecId codec, int threads) {
  switch (codec) {
    case base::CodecId::Vp8:
    case base::CodecId::Vp9:
      return VpxDecoder::create(codec, threads);
    case base::CodecId::H264:
      return H264Decoder::create(threads);
    default:
      return CodecError{"no video decoder for " + std::string(base::codec_name(codec))};
  }
}

base::Result<std::unique_ptr<VideoEncoder>, CodecError> make_video_encoder(const VideoEncoderConfig& config) {
  constexpr int kMaxSide = 16384;
  if (config.width <= 0 || config.height <= 0 || config.width > kMaxSide || config.height > kMaxSide) {
    return CodecError{"encoder size out of range"};
  }
  if (config.bitrate_bps == 0 || !(config.fps > 0) || config.fps > 240 || config.threads < 1 || config.threads > 64) {
    return CodecError{"encoder bitrate, frame rate or thread count out of range"};
  }
  switch (config.codec) {
    case base::CodecId::Vp8:
    case base::CodecId::Vp9:
      return VpxEncoder::create(config);
    case base::CodecId::H264:
      return H264Encoder::create(config);
    default:
      return CodecError{"no video encoder for " + std::string(base::codec_name(config.codec))};
  }
}

}  // namespace medley::codec
