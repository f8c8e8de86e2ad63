// NTP timestamps as RTCP uses them (RFC 3550 §4): 64-bit values, the "compact" middle 32 bits in LSR/DLSR, and RTT.
#pragma once

#include <cstdint>
#include <optional>

#include "rtp/base/time.hpp"

namespace medley::rtp::rtcp {

// A 64-bit NTP timestamp: seconds since 1900 in the high word, a binary fraction in the low word.
struct NtpTime {
  uint64_t value = 0;

  constexpr uint32_t seconds() const { return static_cast<uint32_t>(value >> 32); }
  constexpr uint32_t fraction() const { return static_cast<uint32_t>(value); }
  // The middle 32 bits (16.16 fixed point seconds): what an RR's LSR echoes (RFC 3550 §6.4.1).
  constexpr uint32_t compact() const { return static_cast<uint32_t>(value >> 16); }

  // From a time since the NTP epoch (the server maps its steady clock to wall time once; cores never read clocks).
  static constexpr NtpTime from_duration(base::Duration since_epoch) {
    int64_t us = since_epoch.us();
    if (us < 0) us = 0;
    uint64_t secs = static_cast<uint64_t>(us / 1'000'000);
    uint64_t rem = static_cast<uint64_t>(us % 1'000'000);
    uint64_t frac = ((rem << 32) + 500'000) / 1'000'000;  // rounded
    return NtpTime{(secs << 32) + frac};
  }
  constexpr base::Duration to_duration() const {
    int64_t us = static_cast<int64_t>(seconds()) * 1'000'000 +
                 static_cast<int64_t>((uint64_t{fraction()} * 1'000'000 + (uint64_t{1} << 31)) >> 32);
    return base::Duration::micros(us);
  }
  constexpr auto operator<=>(const NtpTime&) const = default;
};

// Compact NTP (1/65536 s units) to a duration, rounded to the nearest microsecond. Used for DLSR and RTT values.
constexpr base::Duration compact_ntp_to_duration(uint32_t compact) {
  return base::Duration::micros(static_cast<int64_t>((uint64_t{compact} * 1'000'000 + 0x8000) >> 16));
}

// A non-negative duration to compact NTP, rounded and saturated at the field's maximum (~18 hours).
constexpr uint32_t duration_to_compact_ntp(base::Duration d) {
  if (d.us() <= 0) return 0;
  uint64_t v = (static_cast<uint64_t>(d.us()) * 65536 + 500'000) / 1'000'000;
  return v > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(v);
}

// Round-trip time from a report block (RFC 3550 §6.4.1: A - LSR - DLSR), with `now` the arrival time of the report
// in compact NTP. nullopt when LSR is 0 (no SR was received yet); a negative result (clock skew, bogus DLSR) is 0.
constexpr std::optional<base::Duration> rtt_from_report(uint32_t now_compact, uint32_t lsr, uint32_t dlsr) {
  if (lsr == 0) return std::nullopt;
  uint32_t rtt = now_compact - lsr - dlsr;  // modulo 2^32, so the 18-hour wrap of the compact format is harmless
  if (rtt & 0x80000000u) return base::Duration::zero();
  return compact_ntp_to_duration(rtt);
}

}  // namespace medley::rtp::rtcp
