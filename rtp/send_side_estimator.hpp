// SendSideEstimator: the bandwidth one outgoing leg can carry, from the receiver's transport-wide feedback (TWCC)
// and REMB. Loss-based control as in GCC (draft-ietf-rmcat-gcc-02 §6): above 10 % loss the estimate drops by half
// the loss, below 2 % it grows 8 % per update; capped by 1.5x the rate the receiver acknowledged and by its REMB.
// The server aggregates the legs of one publisher and tells the publisher (REMB). Sans-IO.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/base/time.hpp"
#include "rtp/rtcp/twcc_feedback.hpp"

namespace medley::rtp {

struct SendSideEstimatorConfig {
  uint64_t initial_bps = 1'000'000;
  uint64_t min_bps = 30'000;      // Kurento's minVideoSendBandwidth default
  uint64_t max_bps = 20'000'000;
  base::Duration update_interval = base::Duration::millis(200);  // growth at most this often
};

class SendSideEstimator {
 public:
  explicit SendSideEstimator(SendSideEstimatorConfig config = {});

  // A packet left with this transport-wide sequence number and size (UDP payload bytes).
  void on_packet_sent(uint16_t transport_seq, size_t bytes);
  // The receiver's feedback; returns true when the estimate changed.
  bool on_feedback(const rtcp::TwccFeedbackView& feedback, base::Timestamp now);
  // The receiver's own estimate (REMB): an upper bound until the next one.
  void on_remb(uint64_t bps, base::Timestamp now);

  uint64_t estimate_bps() const;
  double last_loss() const { return last_loss_; }
  uint64_t acknowledged_bps() const { return acked_bps_; }

 private:
  // Sent sizes by transport sequence number (a power of two): 2 s at 4 Mbit/s, twenty feedback intervals.
  static constexpr size_t kHistory = 1024;

  SendSideEstimatorConfig config_;
  std::array<uint16_t, kHistory> sizes_{};   // 0: unknown
  std::array<uint16_t, kHistory> seqs_{};
  uint64_t loss_based_bps_;
  std::optional<uint64_t> remb_bps_;
  uint64_t acked_bps_ = 0;
  double last_loss_ = 0;
  base::Timestamp last_increase_ = base::Timestamp::micros(INT64_MIN / 2);
  // Packets and lost counts accumulated until enough for a loss figure (small feedbacks say little alone).
  uint32_t window_packets_ = 0;
  uint32_t window_lost_ = 0;
  // Acknowledged bytes over the receiver's arrival clock.
  uint64_t acked_bytes_ = 0;
  std::optional<base::Duration> acked_from_;
  base::Duration acked_to_;
};

}  // namespace medley::rtp
