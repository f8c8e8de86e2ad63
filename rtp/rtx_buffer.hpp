// Send-side retransmission buffer: the plaintext of recently sent packets, for answering NACKs (RFC 4585/4588).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/base/time.hpp"

namespace medley::rtp {

// Holds the shared plaintext packet (never a buffer later encrypted in place, DESIGN.md rule 3), indexed by the
// 16-bit output sequence number in a power-of-two ring, so store and lookup are O(1) and allocation-free.
class RtxBuffer {
 public:
  struct Config {
    size_t capacity = 1024;                                // packets; rounded up to a power of two
    base::Duration max_age = base::Duration::millis(1000);  // older packets are not resent
  };

  RtxBuffer() : RtxBuffer(Config{}) {}
  explicit RtxBuffer(Config config);

  // Remembers a packet just sent with output sequence number `seq`. `packet` is its full plaintext RTP bytes,
  // shared (refcounted) with whatever else uses it.
  void store(uint16_t seq, base::BufferRef packet, base::Timestamp now);

  // The packet to resend for a NACKed `seq`, or nullptr if it is unknown, too old, or was resent less than
  // `min_interval` ago (one NACK per RTT is enough; repeated NACKs for it are ignored meanwhile).
  const base::BufferRef* take_for_resend(uint16_t seq, base::Timestamp now, base::Duration min_interval);

  void clear();
  size_t capacity() const { return slots_.size(); }
  uint64_t resent() const { return resent_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    base::BufferRef packet;
    base::Timestamp sent;
    base::Timestamp last_resent;
    uint16_t seq = 0;
    bool resent_once = false;
  };
  Config config_;
  std::vector<Slot> slots_;
  size_t mask_;
  uint64_t resent_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace medley::rtp
