// Test helpers for codec tests: a synthetic moving I420 pattern, PSNR, bitstream keyframe checks.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "codec/video_frame.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/payload/h264.hpp"
#include "rtp/payload/vp8.hpp"

namespace medley::codec::test {

// Smooth gradients, a moving bright square and a scrolling stripe pattern: motion for the encoder, detail for PSNR.
inline void fill_pattern(VideoFrame& f, int w, int h, int index) {
  f.allocate(w, h);
  uint8_t* y = f.mutable_plane(0);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      int v = 40 + (c * 120) / w + (r * 60) / h;
      v += static_cast<int>(20 * std::sin((c + 3 * index) * 0.15) * std::cos(r * 0.1));
      const int sx = (index * 7) % (w > 64 ? w - 64 : 1);
      const int sy = (index * 3) % (h > 64 ? h - 64 : 1);
      if (c >= sx && c < sx + 48 && r >= sy && r < sy + 48) v = 230;
      y[r * f.strides[0] + c] = static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
  for (int p = 1; p < 3; ++p) {
    uint8_t* d = f.mutable_plane(p);
    for (int r = 0; r < f.chroma_height(); ++r) {
      for (int c = 0; c < f.chroma_width(); ++c) {
        d[r * f.strides[p] + c] = static_cast<uint8_t>(p == 1 ? 128 + (c + index) % 40 - 20 : 128 + (r % 30) - 15);
      }
    }
  }
  f.rtp_timestamp = static_cast<uint32_t>(index * 3000);
  f.capture_time = base::Timestamp::micros(static_cast<int64_t>(index) * 33333);
}

inline double psnr(const VideoFrame& a, const VideoFrame& b) {
  if (a.width != b.width || a.height != b.height) return 0;
  double se = 0;
  size_t n = 0;
  for (int p = 0; p < 3; ++p) {
    for (int r = 0; r < a.plane_height(p); ++r) {
      for (int c = 0; c < a.plane_width(p); ++c) {
        const double d = a.planes[p][r * a.strides[p] + c] - b.planes[p][r * b.strides[p] + c];
        se += d * d;
        ++n;
      }
    }
  }
  if (se == 0) return 99;
  return 10 * std::log10(255.0 * 255.0 / (se / static_cast<double>(n)));
}

// Keyframe as the bitstream says, read with our RTP payload code (not the encoder's own flag).
inline bool bitstream_keyframe(const base::EncodedFrame& f) {
  if (f.codec == base::CodecId::Vp8) {
    auto h = rtp::Vp8FrameHeader::parse(f.data);
    return h && h->keyframe;
  }
  if (f.codec == base::CodecId::H264) {
    std::vector<base::Bytes> nals;
    if (!rtp::h264::split_annex_b(f.data, nals)) return false;
    bool sps = false, pps = false, idr = false;
    for (auto n : nals) {
      if (n.empty()) continue;
      const uint8_t t = n[0] & 0x1f;
      sps |= t == rtp::h264::kSps;
      pps |= t == rtp::h264::kPps;
      idr |= t == rtp::h264::kIdr;
    }
    return sps && pps && idr;
  }
  if (f.codec == base::CodecId::Vp9) {
    // VP9 uncompressed header, profile 0: frame_marker(2) profile(2) show_existing(1) frame_type(1) = 0 for key.
    return !f.data.empty() && (f.data[0] >> 6) == 2 && ((f.data[0] >> 3) & 1) == 0 && ((f.data[0] >> 2) & 1) == 0;
  }
  return false;
}

}  // namespace medley::codec::test
