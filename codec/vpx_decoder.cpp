// VpxDecoder: libvpx VP8/VP9 decode with keyframe gating after any error.
#include "codec/vpx_decoder.hpp"

#include <vpx/vp8dx.h>

#include <limits>

namespace medley::codec {

namespace {

// RFC 6386 section 9.1 / VP9 spec 6.2: is this frame decodable alone? Used to gate decoding after an error.
bool is_keyframe(base::CodecId codec, const std::vector<uint8_t>& d) {
  if (d.empty()) return false;
  if (codec == base::CodecId::Vp8) return d.size() >= 10 && (d[0] & 0x01) == 0 && d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a;
  // VP9 uncompressed header: frame_marker(2) profile(2, +1 reserved bit for profile 3) show_existing(1) type(1).
  const uint8_t b = d[0];
  if ((b >> 6) != 2) return false;
  const int profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
  int bit = 4;  // next bit index from the MSB side after marker and profile
  if (profile == 3) ++bit;
  if ((b >> (7 - bit)) & 1) return false;  // show_existing_frame
  ++bit;
  return ((b >> (7 - bit)) & 1) == 0;  // frame_type 0 = KEY_FRAME
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

void VpxDecoder::reset() {
  // libvpx has no flush-references call for VP8; a fresh context is the reliable way to forget them.
  if (initialized_) vpx_codec_destroy(&ctx_);
  ctx_ = {};
  init();
  need_keyframe_ = true;
}

DecodeStatus VpxDecoder::decode(const base::EncodedFrame& frame, VideoFrame& out) {
  if (!initialized_ && !init()) return DecodeStatus::NeedKeyframe;
  if (frame.data.empty() || frame.data.size() > std::numeric_limits<unsigned int>::max()) {
    return DecodeStatus::NeedKeyframe;
  }
  if (need_keyframe_ && !is_keyframe(codec_, frame.data)) return DecodeStatus::NeedKeyframe;
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
  if (img->fmt != VPX_IMG_FMT_I420 || img->d_w == 0 || img->d_h == 0) {
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
