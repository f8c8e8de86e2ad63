// Shared driver for the depacketizer fuzz targets: splits the input into payloads and checks the seam's promises.
// Input: byte 0 = flags (bit 0..3: max_payload choice for the re-packetizing check, bit 4: reset between frames),
// then chunks of [2-byte big-endian length][bytes], the last one cut to what is left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "rtp/payload/payload.hpp"

namespace medley::rtp::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

// extra_per_payload: how much more than the payload itself one append may add (H.264 start codes).
template <class ExtraFn>
void run_depacketizer(base::CodecId codec, const uint8_t* data, size_t size, ExtraFn extra_per_payload,
                      bool roundtrip_exact) {
  if (size < 1) return;
  auto dp = make_depacketizer(codec);
  auto pk = make_packetizer(codec);
  check(dp && pk);
  const uint8_t flags = data[0];
  base::Bytes in(data + 1, size - 1);
  base::EncodedFrame frame;
  std::vector<base::Bytes> payloads;
  while (!in.empty()) {
    size_t n = in.size() >= 2 ? ((size_t{in[0]} << 8) | in[1]) : 0;
    in = in.subspan(in.size() >= 2 ? 2 : in.size());
    if (n > in.size()) n = in.size();
    payloads.push_back(in.first(n));
    in = in.subspan(n);
  }
  for (base::Bytes p : payloads) {
    // inspect() is const and must agree with itself; append() must reject what inspect() rejects.
    auto info = dp->inspect(p);
    auto again = dp->inspect(p);
    check(info.has_value() == again.has_value());
    size_t before = frame.data.size();
    bool ok = dp->append(p, frame);
    if (!info) check(!ok);
    if (ok) {
      check(frame.data.size() >= before);
      check(frame.data.size() - before <= p.size() + extra_per_payload(p));
      // Sometimes a frame ends here (the marker bit a hostile sender may set anywhere, even inside an
      // H.264 FU-A): the next payload then starts a fresh frame, as the jitter buffer hands it over.
      if ((flags & 0x20) && !p.empty() && (p.back() & 1)) frame.clear();
    } else {
      frame.clear();  // what an owner does with a malformed frame
      if (flags & 0x10) dp->reset();
    }
  }
  if (frame.data.empty()) return;

  // Whatever was assembled must survive the packetizer: every payload within max_payload, the marker on the
  // last one only, and (for formats whose framing is lossless) the same bytes back.
  static constexpr size_t kMax[16] = {3, 4, 5, 9, 10, 13, 17, 32, 64, 100, 200, 500, 1000, 1200, 1460, 9000};
  const size_t max_payload = kMax[flags & 0x0f];
  if (!pk->begin(frame, max_payload)) return;
  auto dp2 = make_depacketizer(codec);
  base::EncodedFrame out;
  std::vector<uint8_t> buf(max_payload);
  bool marker = false;
  bool saw_marker = false;
  size_t count = 0;
  while (auto n = pk->next(buf, marker)) {
    check(*n <= max_payload && *n > 0);
    check(!saw_marker);
    saw_marker = marker;
    if (roundtrip_exact) {
      check(dp2->inspect(base::Bytes(buf.data(), *n)).has_value());
      check(dp2->append(base::Bytes(buf.data(), *n), out));
    }
    check(++count <= frame.data.size() + 1);
  }
  check(saw_marker);
  if (roundtrip_exact) check(out.data == frame.data);
}

}  // namespace medley::rtp::fuzz
