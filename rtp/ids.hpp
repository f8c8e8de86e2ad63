// Typed ids for RTP: SSRC, payload type, and 64-bit unwrapped sequence numbers.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace medley::rtp {

// A value with a type of its own, so an SSRC is never passed where a payload type is expected.
template <class Tag, class T>
struct StrongId {
  T value{};
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : value(v) {}
  constexpr auto operator<=>(const StrongId&) const = default;
};

struct SsrcTag {};
struct PayloadTypeTag {};
using Ssrc = StrongId<SsrcTag, uint32_t>;
using PayloadType = StrongId<PayloadTypeTag, uint8_t>;

// A sequence number unwrapped once at ingress into a 64-bit counter that never wraps.
using SeqNo = int64_t;

// Unwraps a 16-bit (or other width) counter into a monotonic 64-bit one, choosing for each value the
// candidate nearest to the last one seen (so reordering across a wrap goes backwards, not forward by 65535).
template <unsigned Bits>
class Unwrapper {
 public:
  static constexpr int64_t kSpan = int64_t{1} << Bits;

  int64_t unwrap(uint64_t wrapped) {
    int64_t v = static_cast<int64_t>(wrapped & (kSpan - 1));
    if (!started_) {
      started_ = true;
      last_ = v;
      return last_;
    }
    int64_t out = last_ + delta_from_last(v);
    if (out > last_) last_ = out;  // only move the reference forwards
    return out;
  }
  // Unwraps without updating state (for a lookup).
  int64_t peek(uint64_t wrapped) const {
    if (!started_) return static_cast<int64_t>(wrapped & (kSpan - 1));
    return last_ + delta_from_last(static_cast<int64_t>(wrapped & (kSpan - 1)));
  }
  bool started() const { return started_; }
  int64_t last() const { return last_; }
  void reset() { started_ = false; last_ = 0; }

 private:
  // The nearest candidate; at exactly half the span the larger raw value is the newer one (libwebrtc's rule,
  // and seq_newer's), so the answer never depends on which of the two arrived first.
  int64_t delta_from_last(int64_t v) const {
    const int64_t low = last_ & (kSpan - 1);
    int64_t delta = v - low;
    if (delta > kSpan / 2) delta -= kSpan;   // +half: v is the larger value, so newer
    if (delta < -kSpan / 2) delta += kSpan;  // -half: v is the smaller value, so older
    return delta;
  }

  bool started_ = false;
  int64_t last_ = 0;
};

using SeqUnwrapper = Unwrapper<16>;
using RtpTimestampUnwrapper = Unwrapper<32>;

// True when a is newer than b in 16-bit serial arithmetic (RFC 1982); at exactly half the span, the larger
// value is newer (as libwebrtc decides, and as Unwrapper does).
constexpr bool seq_newer(uint16_t a, uint16_t b) {
  const uint16_t d = static_cast<uint16_t>(a - b);
  return d == 0x8000 ? a > b : (d != 0 && d < 0x8000);
}

}  // namespace medley::rtp

template <class Tag, class T>
struct std::hash<medley::rtp::StrongId<Tag, T>> {
  size_t operator()(const medley::rtp::StrongId<Tag, T>& id) const noexcept { return std::hash<T>{}(id.value); }
};
