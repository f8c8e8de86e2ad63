// Scaler: I420 resolution changes (a source adapting its size, an encoder held to a level's frame size).
#pragma once

#include "codec/video_frame.hpp"

namespace medley::codec {

// libyuv's I420Scale (box filter) when libyuv is linked into the process, else our own bilinear filter: Debian
// ships libyuv without a pkg-config file, so codec/CMakeLists.txt's pkg_check_modules(libyuv) finds nothing and
// the library is referenced weakly here until the build links it (find_library(yuv)).
class Scaler {
 public:
  // Writes src scaled to width x height into dst's own buffer (capacity reused); the timestamps travel along.
  // False when either picture is empty or a size is out of range. Same size: a plain copy.
  bool scale(const VideoFrame& src, int width, int height, VideoFrame& dst);

  static bool using_libyuv();
};

// The bilinear fallback, exposed for tests: always available, whatever the build links.
bool scale_bilinear(const VideoFrame& src, int width, int height, VideoFrame& dst);

}  // namespace medley::codec
