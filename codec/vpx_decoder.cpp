// VpxDecoder: libvpx VP8/VP9 decode with keyframe gating after any error.
#include "codec/vpx_decoder.hpp"

#include <vpx/vp8dx.h>

#include <limits>

namespace medley::codec {

namespace {

struct KeyframeInfo {
  bool keyframe = false;
  bool acceptable = false;  // a keyframe whose size (and VP9 profile) we take
};

// RFC 6386 section 9.1: tag, start code, 14-bit sizes with 2 scaling bits.
KeyframeInfo vp8_keyframe(const std::vector<uint8_t>& d) {
  KeyframeInfo k;
  k.keyframe = d.size() >= 10 && (d[0] & 0x01) == 0 && d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a;
  if (!k.keyframe) return k;
  const int w = (d[6] | (d[7] << 8)) & 0x3fff;
  const int h = (d[8] | (d[9] << 8)) & 0x3fff;
  k.acceptable = decode_size_ok(w, h);
  return k;
}

// VP9 bitstream spec sections 6.2 (uncompressed header), 6.2.1 (frame sync), 6.2.2 (color config, profile 0),
// 6.2.3 (frame size). Only profile 0 (8-bit 4:2:0) is acceptable: it is what WebRTC negotiates by default.
KeyframeInfo vp9_keyframe(const std::vector<uint8_t>& d) {
  KeyframeInfo k;
  size_t bit = 0;
  bool overrun = false;
  auto read = [&](int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++bit) {
      if (bit / 8 >= d.size()) {
        overrun = true;
        return 0u;
      }
      v = (v << 1) | ((d[bit / 8] >> (7 - bit % 8)) & 1u);
    }
    return v;
  };
  if (read(2) != 2) return k;  // frame_marker
  const uint32_t profile = read(1) | (read(1) << 1);
  if (profile == 3) read(1);
  if (read(1)) return k;       // show_existing_frame
  if (read(1) != 0) return k;  // frame_type: 0 is KEY_FRAME
  k.keyframe = !overrun;
  read(1);                     // show_frame
  read(1);                     // error_resilient_mode
  if (profile != 0 || read(24) != 0x498342) return k;  // frame_sync_code
  if (read(3) != 7) read(1);   // color_space, color_range unless sRGB (sRGB is not allowed in profile 0 anyway)
  const int w = static_cast<int>(read(16)) + 1;
  const int h = static_cast<int>(read(16)) + 1;
  k.acceptable = !overrun && decode_size_ok(w, h);
  return k;
}

}  // namespace

base::Result<std::unique_ptr<VideoDecoder>, CodecError> VpxDecoder::create(base::CodecId codec, int threads) {
  if (codec != base::CodecId::Vp8 && codec != base::CodecId::Vp9) return CodecError{"VpxDecoder: not VP8/VP9"};
  std::unique_ptr<VpxDecoder> d(new VpxDecoder(codec, threads < 1 ? 1 : threads));
  if (!d->init()) return CodecError{"vpx_codec_dec_init failed"};
  return std::unique_ptr<VideoDecoder>(std::move(d));
}

VpxDecoder::~VpxDecoder() {
  if (initialized_) vpx_codec_destroy(&ctx_);
}

bool VpxDecoder::init() {
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = static_cast<unsigned>(threads_);
  vpx_codec_iface_t* iface = codec_ == base::CodecId::Vp8 ? vpx_codec_vp8_dx() : vpx_codec_vp9_dx();
  initialized_ = vpx_codec_dec_init(&ctx_, iface, &cfg, 0) == VPX_CODEC_OK;
  return initialized_;
}

// libvpx has no flush-references call for VP8; a fresh context, made at the next keyframe, forgets them.
void VpxDecoder::reset() {
  if (initialized_) vpx_codec_destroy(&ctx_);
  ctx_ = {};
  initialized_ = false;
  need_keyframe_ = true;
}

DecodeStatus VpxDecoder::decode(const base::EncodedFrame& frame, VideoFrame& out) {
  if (frame.data.empty() || frame.data.size() > std::numeric_limits<unsigned int>::max()) {
    return DecodeStatus::NeedKeyframe;
  }
  const KeyframeInfo key = codec_ == base::CodecId::Vp8 ? vp8_keyframe(frame.data) : vp9_keyframe(frame.data);
  if (key.keyframe && !key.acceptable) {
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  if (need_keyframe_ && !key.keyframe) return DecodeStatus::NeedKeyframe;
  if (!initialized_ && !init()) return DecodeStatus::NeedKeyframe;
  if (vpx_codec_decode(&ctx_, frame.data.data(), static_cast<unsigned int>(frame.data.size()), nullptr, 0) !=
      VPX_CODEC_OK) {
    // A failed decode may leave libvpx's references half-updated: start over from the next keyframe.
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  int corrupted = 0;
  if (codec_ == base::CodecId::Vp8 && vpx_codec_control(&ctx_, VP8D_GET_FRAME_CORRUPTED, &corrupted) == VPX_CODEC_OK &&
      corrupted) {
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  need_keyframe_ = false;
  vpx_codec_iter_t iter = nullptr;
  vpx_image_t* img = vpx_codec_get_frame(&ctx_, &iter);
  if (img == nullptr) return DecodeStatus::NeedMore;  // VP9 superframe without a shown frame
  if (img->fmt != VPX_IMG_FMT_I420 || !decode_size_ok(img->d_w, img->d_h)) {
    // Profile 1-3 VP9 (4:4:4, high bit depth) is not negotiated by WebRTC peers we serve.
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  out.borrow(static_cast<int>(img->d_w), static_cast<int>(img->d_h),
             {img->planes[VPX_PLANE_Y], img->planes[VPX_PLANE_U], img->planes[VPX_PLANE_V]},
             {img->stride[VPX_PLANE_Y], img->stride[VPX_PLANE_U], img->stride[VPX_PLANE_V]});
  out.rtp_timestamp = frame.rtp_timestamp;
  out.capture_time = frame.arrival;
  return DecodeStatus::FrameReady;
}

}  // namespace medley::codec
