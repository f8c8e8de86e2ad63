// H264Decoder: openh264 DecodeFrameNoDelay with keyframe gating after any error.
#include "codec/h264_decoder.hpp"

#include <wels/codec_api.h>

#include <cstring>
#include <limits>

#include "rtp/payload/h264.hpp"
#include "rtp/payload/h264_sps.hpp"

namespace medley::codec {

namespace {

struct AccessUnitInfo {
  bool idr = false;        // carries an IDR slice (NAL type 5): after an error only such a unit restarts decoding
  bool sps_too_big = false;  // an SPS announces a picture beyond decode_size_ok
};

AccessUnitInfo inspect(const std::vector<uint8_t>& d) {
  AccessUnitInfo info;
  size_t zeros = 0;
  for (size_t i = 0; i + 1 < d.size(); ++i) {
    if (d[i] == 0) {
      ++zeros;
      continue;
    }
    if (d[i] == 1 && zeros >= 2) {
      const uint8_t type = d[i + 1] & 0x1f;
      if (type == rtp::h264::kIdr) info.idr = true;
      if (type == rtp::h264::kSps) {
        // An SPS our parser cannot read is left to openh264 (which bounds sizes by level 5.2's 36864 macroblocks);
        // the decoded size is checked again below.
        auto sps = rtp::parse_h264_sps(base::Bytes(d).subspan(i + 1));
        if (sps && !decode_size_ok(sps->width, sps->height)) info.sps_too_big = true;
      }
    }
    zeros = 0;
  }
  return info;
}

}  // namespace

base::Result<std::unique_ptr<VideoDecoder>, CodecError> H264Decoder::create(int /*threads*/) {
  // openh264's decoder threads (DECODER_OPTION_NUM_OF_THREADS) reorder output with a delay; realtime wants none.
  // Probe once that openh264 initializes here; the decoder itself is made at the first IDR (see reset()).
  std::unique_ptr<H264Decoder> d(new H264Decoder());
  static const bool library_ok = [] {
    H264Decoder probe;
    return probe.init();
  }();
  if (!library_ok) return CodecError{"openh264 decoder initialization failed"};
  return std::unique_ptr<VideoDecoder>(std::move(d));
}

H264Decoder::~H264Decoder() { destroy(); }

void H264Decoder::destroy() {
  if (dec_ != nullptr) {
    dec_->Uninitialize();
    WelsDestroyDecoder(dec_);
    dec_ = nullptr;
  }
}

bool H264Decoder::init() {
  if (WelsCreateDecoder(&dec_) != 0 || dec_ == nullptr) {
    dec_ = nullptr;
    return false;
  }
  int trace = WELS_LOG_QUIET;
  dec_->SetOption(DECODER_OPTION_TRACE_LEVEL, &trace);
  SDecodingParam p;
  std::memset(&p, 0, sizeof(p));
  p.sVideoProperty.size = sizeof(p.sVideoProperty);
  p.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
  p.eEcActiveIdc = ERROR_CON_DISABLE;
  if (dec_->Initialize(&p) != 0) {
    destroy();
    return false;
  }
  return true;
}

// The decoder is re-created at the next IDR rather than here: a stream of garbage then costs one parse per frame,
// not an openh264 initialization (a few MB of tables) per frame.
void H264Decoder::reset() {
  destroy();
  need_keyframe_ = true;
}

DecodeStatus H264Decoder::decode(const base::EncodedFrame& frame, VideoFrame& out) {
  if (frame.data.empty() || frame.data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return DecodeStatus::NeedKeyframe;
  }
  const AccessUnitInfo au = inspect(frame.data);
  if (au.sps_too_big) {
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  if (need_keyframe_ && !au.idr) return DecodeStatus::NeedKeyframe;
  if (dec_ == nullptr && !init()) return DecodeStatus::NeedKeyframe;
  unsigned char* dst[3] = {nullptr, nullptr, nullptr};
  SBufferInfo info;
  std::memset(&info, 0, sizeof(info));
  const DECODING_STATE st =
      dec_->DecodeFrameNoDelay(frame.data.data(), static_cast<int>(frame.data.size()), dst, &info);
  if (st != dsErrorFree) {
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  if (info.iBufferStatus != 1 || dst[0] == nullptr || dst[1] == nullptr || dst[2] == nullptr) {
    // Parameter sets alone, or an access unit without a picture: wait for the rest. A keyframe that yields no
    // picture leaves us where we were.
    return DecodeStatus::NeedMore;
  }
  const SSysMEMBuffer& b = info.UsrData.sSystemBuffer;
  if (!decode_size_ok(b.iWidth, b.iHeight) || b.iStride[0] < b.iWidth || b.iStride[1] < (b.iWidth + 1) / 2) {
    reset();
    return DecodeStatus::NeedKeyframe;
  }
  need_keyframe_ = false;
  out.borrow(b.iWidth, b.iHeight, {dst[0], dst[1], dst[2]}, {b.iStride[0], b.iStride[1], b.iStride[1]});
  out.rtp_timestamp = frame.rtp_timestamp;
  out.capture_time = frame.arrival;
  return DecodeStatus::FrameReady;
}

}  // namespace medley::codec
