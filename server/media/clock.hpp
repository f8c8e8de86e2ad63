// The media layer's clock: the steady clock as base::Timestamp (what the sans-IO cores take as `now`).
#pragma once

#include <chrono>

#include "rtp/base/time.hpp"

namespace medley::server::media {

inline base::Timestamp steady_now() {
  using namespace std::chrono;
  return base::Timestamp::micros(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace medley::server::media
