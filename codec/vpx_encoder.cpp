// VpxEncoder: libvpx VP8/VP9 encoder set up for realtime.
#include "codec/vpx_encoder.hpp"

#include <vpx/vp8cx.h>

#include <algorithm>
#include <cmath>

namespace medley::codec {

namespace {
uint32_t kbps(uint32_t bps) { return std::max<uint32_t>(1, (bps + 500) / 1000); }
}  // namespace

base::Result<std::unique_ptr<VideoEncoder>, CodecError> VpxEncoder::create(const VideoEncoderConfig& config) {
  std::unique_ptr<VpxEncoder> e(new VpxEncoder(config));
  if (!e->init()) return CodecError{"vpx_codec_enc_init failed"};
  return std::unique_ptr<VideoEncoder>(std::move(e));
}

VpxEncoder::~VpxEncoder() {
  if (initialized_) vpx_codec_destroy(&ctx_);
}

bool VpxEncoder::init() {
  const bool vp8 = config_.codec == base::CodecId::Vp8;
  vpx_codec_iface_t* iface = vp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
  if (vpx_codec_enc_config_default(iface, &cfg_, 0) != VPX_CODEC_OK) return false;
  cfg_.g_w = static_cast<unsigned>(config_.width);
  cfg_.g_h = static_cast<unsigned>(config_.height);
  cfg_.g_threads = static_cast<unsigned>(std::max(1, config_.threads));
  cfg_.g_timebase = {1, 90000};  // RTP video clock: pts are RTP timestamps, unwrapped
  cfg_.g_lag_in_frames = 0;
  cfg_.g_pass = VPX_RC_ONE_PASS;
  cfg_.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg_.rc_end_usage = VPX_CBR;
  cfg_.rc_target_bitrate = kbps(config_.bitrate_bps);
  // libwebrtc's libvpx settings (modules/video_coding/codecs/vp8/libvpx_vp8_encoder.cc): a 1 s buffer, quick
  // recovery from undershoot, little overshoot, q range 2..56; frames dropped rather than the buffer overrun.
  cfg_.rc_min_quantizer = vp8 ? 2 : 8;
  cfg_.rc_max_quantizer = vp8 ? 56 : 52;
  cfg_.rc_undershoot_pct = 100;
  cfg_.rc_overshoot_pct = 15;
  cfg_.rc_buf_initial_sz = 500;
  cfg_.rc_buf_optimal_sz = 600;
  cfg_.rc_buf_sz = 1000;
  cfg_.rc_dropframe_thresh = 30;
  cfg_.kf_mode = config_.keyframe_interval > 0 ? VPX_KF_AUTO : VPX_KF_DISABLED;
  cfg_.kf_min_dist = 0;
  cfg_.kf_max_dist = config_.keyframe_interval > 0 ? config_.keyframe_interval : 0;
  if (vpx_codec_enc_init(&ctx_, iface, &cfg_, 0) != VPX_CODEC_OK) return false;
  initialized_ = true;
  const int speed = config_.cpu_used != -1 ? config_.cpu_used : (vp8 ? -6 : 7);
  bool ok = vpx_codec_control(&ctx_, VP8E_SET_CPUUSED, speed) == VPX_CODEC_OK;
  ok = ok && vpx_codec_control(&ctx_, VP8E_SET_STATIC_THRESHOLD, 1) == VPX_CODEC_OK;
  // libwebrtc's MaxIntraTarget: half the optimal buffer (600 ms) in frames, as a percentage of an average frame,
  // at least 300 %: a keyframe after a PLI stays a burst the pacer can smooth.
  const unsigned max_intra = static_cast<unsigned>(std::max(300.0, 600 * 0.5 * config_.fps / 10.0));
  ok = ok && vpx_codec_control(&ctx_, VP8E_SET_MAX_INTRA_BITRATE_PCT, max_intra) == VPX_CODEC_OK;
  if (vp8) {
    ok = ok && vpx_codec_control(&ctx_, VP8E_SET_NOISE_SENSITIVITY, 0) == VPX_CODEC_OK;
    ok = ok && vpx_codec_control(&ctx_, VP8E_SET_TOKEN_PARTITIONS, config_.threads > 1 ? VP8_TWO_TOKENPARTITION
                                                                                         : VP8_ONE_TOKENPARTITION) ==
                   VPX_CODEC_OK;
  } else {
    ok = ok && vpx_codec_control(&ctx_, VP9E_SET_AQ_MODE, 3) == VPX_CODEC_OK;  // cyclic refresh, as libwebrtc
    ok = ok && vpx_codec_control(&ctx_, VP9E_SET_ROW_MT, config_.threads > 1 ? 1 : 0) == VPX_CODEC_OK;
    ok = ok && vpx_codec_control(&ctx_, VP9E_SET_TILE_COLUMNS, config_.threads > 1 ? 1 : 0) == VPX_CODEC_OK;
    ok = ok && vpx_codec_control(&ctx_, VP9E_SET_FRAME_PARALLEL_DECODING, 0) == VPX_CODEC_OK;
  }
  return ok;
}

bool VpxEncoder::set_rates(uint32_t bitrate_bps, double fps) {
  if (!initialized_ || bitrate_bps == 0 || !(fps > 0) || fps > 240) return false;
  vpx_codec_enc_cfg_t cfg = cfg_;
  cfg.rc_target_bitrate = kbps(bitrate_bps);
  if (vpx_codec_enc_config_set(&ctx_, &cfg) != VPX_CODEC_OK) return false;
  cfg_ = cfg;
  config_.bitrate_bps = bitrate_bps;
  config_.fps = fps;
  return true;
}

EncodeStatus VpxEncoder::encode(const VideoFrame& frame, bool force_keyframe, base::EncodedFrame& out) {
  out.clear();
  if (!initialized_ || frame.empty() || frame.width != config_.width || frame.height != config_.height) {
    return EncodeStatus::Error;
  }
  vpx_image_t img{};
  // vpx_img_wrap only computes plane pointers for a packed buffer; ours has its own strides, so set them here.
  img.fmt = VPX_IMG_FMT_I420;
  img.w = img.d_w = static_cast<unsigned>(frame.width);
  img.h = img.d_h = static_cast<unsigned>(frame.height);
  img.x_chroma_shift = img.y_chroma_shift = 1;
  img.bit_depth = 8;
  img.bps = 12;
  for (size_t p = 0; p < 3; ++p) {
    img.planes[p] = const_cast<unsigned char*>(frame.planes[p]);  // libvpx reads the source picture only
    img.stride[p] = frame.strides[p];
  }
  // Duration from RTP timestamps when they advance; the configured frame rate otherwise.
  const auto nominal = static_cast<unsigned long>(std::lround(90000.0 / std::clamp(config_.fps, 1.0, 240.0)));
  unsigned long duration = nominal;
  if (have_last_rtp_) {
    const uint32_t delta = frame.rtp_timestamp - last_rtp_;
    if (delta > 0 && delta < 90000) duration = delta;
  }
  last_rtp_ = frame.rtp_timestamp;
  have_last_rtp_ = true;
  const vpx_enc_frame_flags_t flags = force_keyframe ? VPX_EFLAG_FORCE_KF : 0;
  if (vpx_codec_encode(&ctx_, &img, pts_, duration, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) return EncodeStatus::Error;
  pts_ += static_cast<int64_t>(duration);
  vpx_codec_iter_t iter = nullptr;
  bool got = false;
  while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&ctx_, &iter)) {
    if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    const auto* buf = static_cast<const uint8_t*>(pkt->data.frame.buf);
    out.data.insert(out.data.end(), buf, buf + pkt->data.frame.sz);
    out.keyframe = out.keyframe || (pkt->data.frame.flags & VPX_FRAME_IS_KEY);
    got = true;
  }
  if (!got) return EncodeStatus::Dropped;
  out.codec = config_.codec;
  out.rtp_timestamp = frame.rtp_timestamp;
  out.arrival = frame.capture_time;
  out.width = static_cast<uint16_t>(frame.width);
  out.height = static_cast<uint16_t>(frame.height);
  return EncodeStatus::Encoded;
}

}  // namespace medley::codec
