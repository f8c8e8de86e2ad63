// VideoFrame: one raw I420 picture, either in its own reusable buffer or borrowed from a decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/base/time.hpp"

namespace medley::codec {

// Planes are Y, U, V (chroma at half width and height, rounded up). A frame either owns its planes (allocate(),
// which keeps the buffer's capacity, so a reused frame allocates nothing in steady state) or borrows them from
// the decoder that produced it, valid until that decoder's next call: the transcoder hands a decoded picture to
// the encoder (or scaler) at once, and a copy would cost a full picture's memory traffic. make_owned() detaches.
struct VideoFrame {
  int width = 0;
  int height = 0;
  std::array<const uint8_t*, 3> planes{};
  std::array<int, 3> strides{};
  uint32_t rtp_timestamp = 0;   // 90 kHz media clock
  base::Timestamp capture_time;

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  int plane_width(int plane) const { return plane == 0 ? width : chroma_width(); }
  int plane_height(int plane) const { return plane == 0 ? height : chroma_height(); }
  bool empty() const { return width <= 0 || height <= 0 || planes[0] == nullptr; }
  bool owns_planes() const { return !empty() && planes[0] == buffer_.data(); }

  // Owned planes of width x height with strides rounded up to 32 bytes (SIMD rows); contents unspecified.
  // False (and an empty frame) when a side is not positive or beyond 16384.
  bool allocate(int w, int h);
  // Writable plane of an owned frame; nullptr when borrowed or empty.
  uint8_t* mutable_plane(int plane);
  // Points the planes at someone else's memory (a decoder's picture).
  void borrow(int w, int h, const std::array<const uint8_t*, 3>& p, const std::array<int, 3>& s);
  // Copies borrowed planes into the frame's own buffer; no-op when already owned.
  void make_owned();

 private:
  std::vector<uint8_t> buffer_;
};

}  // namespace medley::codec
