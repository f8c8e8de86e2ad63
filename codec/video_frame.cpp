// VideoFrame buffer management: owned allocation with reused capacity, borrowing, detaching.
#include "codec/video_frame.hpp"

#include <cstring>

namespace medley::codec {

namespace {
constexpr int kMaxSide = 16384;
int align32(int v) { return (v + 31) & ~31; }
}  // namespace

bool VideoFrame::allocate(int w, int h) {
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide) {
    width = height = 0;
    planes = {};
    strides = {};
    return false;
  }
  width = w;
  height = h;
  const int sy = align32(w);
  const int sc = align32(chroma_width());
  const size_t y_size = static_cast<size_t>(sy) * static_cast<size_t>(h);
  const size_t c_size = static_cast<size_t>(sc) * static_cast<size_t>(chroma_height());
  buffer_.resize(y_size + 2 * c_size);
  strides = {sy, sc, sc};
  planes = {buffer_.data(), buffer_.data() + y_size, buffer_.data() + y_size + c_size};
  return true;
}

uint8_t* VideoFrame::mutable_plane(int plane) {
  if (!owns_planes() || plane < 0 || plane > 2) return nullptr;
  // The planes point into buffer_, which we own: handing out write access is what allocate() promised.
  return const_cast<uint8_t*>(planes[static_cast<size_t>(plane)]);
}

void VideoFrame::borrow(int w, int h, const std::array<const uint8_t*, 3>& p, const std::array<int, 3>& s) {
  width = w;
  height = h;
  planes = p;
  strides = s;
}

void VideoFrame::make_owned() {
  if (empty() || owns_planes()) return;
  const auto src = planes;
  const auto src_strides = strides;
  // Copy through a local: allocate() repoints planes at our buffer, which never aliases a decoder's memory.
  if (!allocate(width, height)) return;
  for (int p = 0; p < 3; ++p) {
    const auto i = static_cast<size_t>(p);
    uint8_t* dst = mutable_plane(p);
    for (int row = 0; row < plane_height(p); ++row) {
      std::memcpy(dst + static_cast<size_t>(row) * static_cast<size_t>(strides[i]),
                  src[i] + static_cast<ptrdiff_t>(row) * src_strides[i], static_cast<size_t>(plane_width(p)));
    }
  }
}

}  // namespace medley::codec
