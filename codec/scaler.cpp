// Scaler: libyuv I420Scale when linked, a bilinear fallback of our own otherwise.
#include "codec/scaler.hpp"

#include <libyuv/scale.h>

#include <cstring>

// Weak: resolves to libyuv's I420Scale when libyuv.so is linked, to null otherwise (see scaler.hpp).
namespace libyuv {
extern "C" int I420Scale(const uint8_t* src_y, int src_stride_y, const uint8_t* src_u, int src_stride_u,
                         const uint8_t* src_v, int src_stride_v, int src_width, int src_height, uint8_t* dst_y,
                         int dst_stride_y, uint8_t* dst_u, int dst_stride_u, uint8_t* dst_v, int dst_stride_v,
                         int dst_width, int dst_height, enum FilterMode filtering) __attribute__((weak));
}  // namespace libyuv

namespace medley::codec {

namespace {

// One plane, 16.16 fixed point, sample centres aligned (x + 0.5) * sw / dw - 0.5, edges clamped.
void scale_plane(const uint8_t* src, int ss, int sw, int sh, uint8_t* dst, int ds, int dw, int dh) {
  const int64_t fx = (static_cast<int64_t>(sw) << 16) / dw;
  const int64_t fy = (static_cast<int64_t>(sh) << 16) / dh;
  for (int y = 0; y < dh; ++y) {
    int64_t syf = ((2 * y + 1) * fy) / 2 - (1 << 15);
    if (syf < 0) syf = 0;
    int y0 = static_cast<int>(syf >> 16);
    if (y0 > sh - 1) y0 = sh - 1;
    const int y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
    const int wy = static_cast<int>(syf & 0xffff) >> 8;
    const uint8_t* r0 = src + static_cast<ptrdiff_t>(y0) * ss;
    const uint8_t* r1 = src + static_cast<ptrdiff_t>(y1) * ss;
    uint8_t* out = dst + static_cast<ptrdiff_t>(y) * ds;
    for (int x = 0; x < dw; ++x) {
      int64_t sxf = ((2 * x + 1) * fx) / 2 - (1 << 15);
      if (sxf < 0) sxf = 0;
      int x0 = static_cast<int>(sxf >> 16);
      if (x0 > sw - 1) x0 = sw - 1;
      const int x1 = x0 + 1 < sw ? x0 + 1 : sw - 1;
      const int wx = static_cast<int>(sxf & 0xffff) >> 8;
      const int top = r0[x0] * (256 - wx) + r0[x1] * wx;
      const int bottom = r1[x0] * (256 - wx) + r1[x1] * wx;
      out[x] = static_cast<uint8_t>((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16);
    }
  }
}

bool prepare(const VideoFrame& src, int width, int height, VideoFrame& dst) {
  if (src.empty() || &src == &dst) return false;
  if (!dst.allocate(width, height)) return false;
  dst.rtp_timestamp = src.rtp_timestamp;
  dst.capture_time = src.capture_time;
  return true;
}

}  // namespace

bool scale_bilinear(const VideoFrame& src, int width, int height, VideoFrame& dst) {
  if (!prepare(src, width, height, dst)) return false;
  for (int p = 0; p < 3; ++p) {
    const auto i = static_cast<size_t>(p);
    scale_plane(src.planes[i], src.strides[i], src.plane_width(p), src.plane_height(p), dst.mutable_plane(p),
                dst.strides[i], dst.plane_width(p), dst.plane_height(p));
  }
  return true;
}

bool Scaler::using_libyuv() { return &libyuv::I420Scale != nullptr; }

bool Scaler::scale(const VideoFrame& src, int width, int height, VideoFrame& dst) {
  if (!using_libyuv()) return scale_bilinear(src, width, height, dst);
  if (!prepare(src, width, height, dst)) return false;
  return libyuv::I420Scale(src.planes[0], src.strides[0], src.planes[1], src.strides[1], src.planes[2],
                           src.strides[2], src.width, src.height, dst.mutable_plane(0), dst.strides[0],
                           dst.mutable_plane(1), dst.strides[1], dst.mutable_plane(2), dst.strides[2], width, height,
                           libyuv::kFilterBox) == 0;
}

}  // namespace medley::codec
