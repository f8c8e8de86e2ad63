// SRTP packet-index estimation with its replay window (RFC 3711 §3.3.1, §3.3.2, Appendix A), and the SRTCP
// replay window. Both follow libsrtp2's rules exactly, so the two backends accept and refuse the same packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace medley::rtp {

// Tracks the highest 48-bit packet index of one SSRC (ROC << 16 | SEQ) and which of the last `bits` indices
// were seen. The window is a ring of bits addressed by index, so advancing by one clears one bit instead
// of shifting the whole mask.
class RtpReplayWindow {
 public:
  static constexpr size_t kMinBits = 64;
  static constexpr size_t kMaxBits = 16384;
  // Rounds a requested size to the power of two in [kMinBits, kMaxBits] that the window really uses.
  static size_t round_bits(size_t requested);

  explicit RtpReplayWindow(size_t bits);  // bits as returned by round_bits()

  struct Estimate {
    uint64_t index;  // 48-bit packet index
    int64_t delta;   // index - highest index seen so far
  };
  // The packet index a sequence number most likely belongs to. As libsrtp2 does, ROC is assumed 0 while
  // the highest index is below 2^15 (RFC 3711 Appendix A would guess ROC-1 = 2^32-1 for a late packet).
  // nullopt when the guess would need ROC 2^32 (key limit, RFC 3711 §9.2).
  bool estimate(uint16_t seq, Estimate& out) const;
  // True when the estimated index is new: ahead of the window, or inside it and not seen yet.
  bool check(const Estimate& e) const;
  // Records the index; call only after check() and, when receiving, only after authentication (§3.3.1).
  void add(const Estimate& e);

  uint64_t highest_index() const { return index_; }
  uint32_t roc() const { return static_cast<uint32_t>(index_ >> 16); }
  size_t bits() const { return bits_; }

 private:
  bool seen(uint64_t index) const { return (mask_[word(index)] >> (index & 63)) & 1; }
  size_t word(uint64_t index) const { return (index & (bits_ - 1)) >> 6; }

  uint64_t index_ = 0;
  size_t bits_;
  std::unique_ptr<uint64_t[]> mask_;
};

// The SRTCP replay list: 128 indices from window_start, as libsrtp2's srtp_rdb_t (the SRTCP index is carried
// explicitly in each packet, so there is nothing to estimate).
class RtcpReplayWindow {
 public:
  bool check(uint32_t index) const;
  void add(uint32_t index);

 private:
  static constexpr uint32_t kBits = 128;
  bool bit(uint32_t pos) const { return (mask_[pos >> 6] >> (pos & 63)) & 1; }
  uint32_t window_start_ = 0;
  uint64_t mask_[2] = {0, 0};  // bit i: index window_start_ + i seen
};

}  // namespace medley::rtp
