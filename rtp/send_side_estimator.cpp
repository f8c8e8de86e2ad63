// SendSideEstimator: loss-based rate control from TWCC feedback, bounded by acknowledged rate and REMB.
#include "rtp/send_side_estimator.hpp"

#include <algorithm>

namespace medley::rtp {

SendSideEstimator::SendSideEstimator(SendSideEstimatorConfig config)
    : config_(config), loss_based_bps_(std::clamp(config.initial_bps, config.min_bps, config.max_bps)) {}

void SendSideEstimator::on_packet_sent(uint16_t transport_seq, size_t bytes) {
  const size_t slot = transport_seq & (kHistory - 1);
  seqs_[slot] = transport_seq;
  sizes_[slot] = static_cast<uint16_t>(std::min<size_t>(bytes, 0xFFFF));
}

bool SendSideEstimator::on_feedback(const rtcp::TwccFeedbackView& feedback, base::Timestamp now) {
  const uint64_t before = estimate_bps();
  for (auto it = feedback.begin(); it != std::default_sentinel; ++it) {
    const rtcp::TwccPacketStatus& s = *it;
    const size_t slot = s.seq & (kHistory - 1);
    if (seqs_[slot] != s.seq || sizes_[slot] == 0) continue;  // not ours, or too old to know its size
    ++window_packets_;
    if (!s.received()) {
      ++window_lost_;
      continue;
    }
    acked_bytes_ += sizes_[slot];
    if (!acked_from_) acked_from_ = s.arrival;
    acked_to_ = s.arrival;
  }
  // The acknowledged rate over at least 250 ms of the receiver's clock (shorter spans are bursts).
  if (acked_from_ && acked_to_ - *acked_from_ >= base::Duration::millis(250)) {
    const int64_t us = (acked_to_ - *acked_from_).us();
    acked_bps_ = static_cast<uint64_t>(static_cast<double>(acked_bytes_) * 8e6 / static_cast<double>(us));
    acked_bytes_ = 0;
    acked_from_ = acked_to_;
  }
  if (window_packets_ < 20) return estimate_bps() != before;
  const double loss = static_cast<double>(window_lost_) / static_cast<double>(window_packets_);
  last_loss_ = loss;
  window_packets_ = window_lost_ = 0;
  if (loss > 0.10) {
    loss_based_bps_ = static_cast<uint64_t>(static_cast<double>(loss_based_bps_) * (1.0 - 0.5 * loss));
  } else if (loss < 0.02 && now - last_increase_ >= config_.update_interval) {
    loss_based_bps_ = static_cast<uint64_t>(static_cast<double>(loss_based_bps_) * 1.08) + 1000;
    last_increase_ = now;
  }
  // Never far above what actually got through: growth probes from there (GCC's 1.5x bound).
  if (acked_bps_ > 0) loss_based_bps_ = std::min<uint64_t>(loss_based_bps_, acked_bps_ * 3 / 2 + 10'000);
  loss_based_bps_ = std::clamp(loss_based_bps_, config_.min_bps, config_.max_bps);
  return estimate_bps() != before;
}

void SendSideEstimator::on_remb(uint64_t bps, base::Timestamp) { remb_bps_ = bps; }

uint64_t SendSideEstimator::estimate_bps() const {
  uint64_t e = loss_based_bps_;
  if (remb_bps_) e = std::min(e, std::max(*remb_bps_, config_.min_bps));
  return e;
}

}  // namespace medley::rtp
