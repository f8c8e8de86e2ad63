// Send-side RTCP state: SR sender info and RTT.
#include "rtp/sender_report_state.hpp"

namespace medley::rtp {

void SenderReportState::on_packet_sent(uint32_t rtp_timestamp, base::Timestamp capture_time, size_t payload_bytes) {
  ++packets_;
  octets_ += static_cast<uint32_t>(payload_bytes);
  // Keep the newest sample only if it moves forward: a retransmission carries an old timestamp.
  if (!have_packet_ || static_cast<int32_t>(rtp_timestamp - last_rtp_timestamp_) >= 0) {
    last_rtp_timestamp_ = rtp_timestamp;
    last_capture_ = capture_time;
    have_packet_ = true;
  }
}

std::optional<rtcp::SenderInfo> SenderReportState::make_sender_info(base::Timestamp now, rtcp::NtpTime ntp_now) {
  if (!have_packet_) return std::nullopt;
  rtcp::SenderInfo info;
  info.ntp = ntp_now;
  // The RTP timestamp that corresponds to `now` on the media clock (RFC 3550 §6.4.1), extrapolated from the
  // last sample, so receivers can map RTP time to wall time for lip sync.
  const int64_t elapsed_ticks =
      static_cast<int64_t>(static_cast<__int128>((now - last_capture_).us()) * clock_rate_ / 1'000'000);
  info.rtp_timestamp = last_rtp_timestamp_ + static_cast<uint32_t>(elapsed_ticks);
  info.packet_count = packets_;
  info.octet_count = octets_;
  sent_[next_sent_] = SentReport{ntp_now.compact(), now};
  next_sent_ = (next_sent_ + 1) % sent_.size();
  return info;
}

std::optional<base::Duration> SenderReportState::on_report_block(const rtcp::ReportBlock& block,
                                                                 base::Timestamp now) {
  last_report_ = block;
  if (block.lsr == 0) return std::nullopt;
  for (const SentReport& sr : sent_) {
    if (sr.compact == block.lsr && sr.sent.us() != 0) {
      const base::Duration rtt = (now - sr.sent) - rtcp::compact_ntp_to_duration(block.dlsr);
      rtt_ = rtt < base::Duration::zero() ? base::Duration::zero() : rtt;
      return rtt_;
    }
  }
  return std::nullopt;
}

}  // namespace medley::rtp
