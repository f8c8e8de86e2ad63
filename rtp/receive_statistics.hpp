// RFC 3550 receive statistics for one SSRC: sequence validation, loss, interarrival jitter, LSR/DLSR.
#pragma once

#include <cstdint>
#include <optional>

#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/ntp_time.hpp"
#include "rtp/rtcp/sender_report.hpp"

namespace medley::rtp {

enum class SeqVerdict : uint8_t {
  InOrder,      // advanced the highest sequence number
  Reordered,    // older than the highest (late, or a duplicate): counted, not a new highest
  Restarted,    // a second packet after a large jump confirmed a new sequence: statistics restarted
  Rejected,     // a large jump not yet confirmed (RFC 3550 A.1 bad_seq): not counted
};

class ReceiveStatistics {
 public:
  // RFC 3550 A.1: a jump of this many forward is a dropout; this many back is misordering. RFC 3550 suggests
  // 100 back; libwebrtc uses 450, since a keyframe burst at high rate reorders (and retransmits) further.
  static constexpr uint32_t kMaxDropout = 3000;
  static constexpr uint32_t kMaxMisorder = 450;

  explicit ReceiveStatistics(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // A packet arrived. Retransmissions count as received but are kept out of the jitter estimate, whose
  // transit time they would distort (as libwebrtc does).
  SeqVerdict on_packet(uint16_t seq, uint32_t rtp_timestamp, base::Timestamp arrival, size_t payload_bytes,
                       bool retransmission = false);
  // A sender report arrived from this source: remembered for LSR/DLSR in our next report block.
  void on_sender_report(rtcp::NtpTime ntp_time, base::Timestamp arrival);

  // Fills a report block as of `now` and starts a new fraction-lost interval.
  rtcp::ReportBlock make_report_block(Ssrc source, base::Timestamp now);

  bool has_packets() const { return started_; }
  uint64_t packets_received() const { return received_; }
  uint64_t bytes_received() const { return bytes_; }
  uint32_t extended_highest_seq() const { return cycles_ + max_seq_; }
  int64_t expected() const;
  int64_t cumulative_lost() const;
  uint32_t jitter() const { return jitter_q4_ >> 4; }  // timestamp units
  base::Duration jitter_duration() const;
  uint32_t clock_rate() const { return clock_rate_; }

 private:
  void init_seq(uint16_t seq);

  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // count of wraps, shifted left 16
  int64_t base_seq_ = 0;  // extended; may go below 0 when the stream's first packets arrive reordered
  uint32_t bad_seq_ = 0x10001;  // an impossible value until a jump is seen
  uint64_t received_ = 0;
  uint64_t bytes_ = 0;
  int64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  // Jitter (RFC 3550 A.8) in timestamp units ×16, so the 1/16 gain needs no floating point.
  uint32_t jitter_q4_ = 0;
  bool have_transit_ = false;
  int64_t last_transit_ = 0;
  uint32_t last_sr_compact_ = 0;
  std::optional<base::Timestamp> last_sr_arrival_;
};

}  // namespace medley::rtp
