// Builds transport-wide CC feedback packets from (transport seq, arrival time) pairs, chunk choice as libwebrtc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"

namespace medley::rtp::rtcp {

struct TwccArrival {
  uint16_t seq = 0;  // transport-wide sequence number
  base::Timestamp arrival;
};

// Stateless apart from the SSRCs, the size limit and the feedback packet counter, so it never allocates.
// Use: while (!arrivals.empty()) { n = b.write(arrivals, w); if (n == 0) break; arrivals = arrivals.subspan(n); }
class TwccFeedbackBuilder {
 public:
  // The smallest packet: 20 bytes of header and fixed fields, one chunk, one small delta, padded to 24.
  static constexpr size_t kMinPacketSize = 24;

  TwccFeedbackBuilder(Ssrc sender, Ssrc media, size_t max_packet_size = 1200)
      : sender_(sender), media_(media), max_packet_size_(max_packet_size) {}

  void set_max_packet_size(size_t n) { max_packet_size_ = n; }
  void set_feedback_count(uint8_t next) { fb_count_ = next; }
  uint8_t feedback_count() const { return fb_count_; }  // carried by the next packet written

  // Writes one feedback packet covering the longest prefix of `arrivals` that fits within the size limit (and
  // w.remaining()), and returns its length in arrivals; 0 when nothing could be written. Arrivals must be in
  // transport sequence order; the packet also ends before a sequence number that is not newer than the previous
  // one, a jump of more than 0x8000, a status count past 0xffff, or a delta that does not fit 16 bits, so the next
  // call starts a fresh packet there. Gaps are reported as lost. Reference time is the first arrival rounded
  // down to 64 ms, modulo the 24-bit wrap; padding is zeros without the P bit so the packet may sit anywhere in
  // a compound.
  size_t write(std::span<const TwccArrival> arrivals, base::ByteWriter& w);

 private:
  Ssrc sender_;
  Ssrc media_;
  size_t max_packet_size_;
  uint8_t fb_count_ = 0;
};

}  // namespace medley::rtp::rtcp
