// Send-side RTCP state for one outgoing stream: sender report contents and RTT from the receiver's report blocks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/ntp_time.hpp"
#include "rtp/rtcp/sender_report.hpp"

namespace medley::rtp {

class SenderReportState {
 public:
  SenderReportState(Ssrc ssrc, uint32_t clock_rate) : ssrc_(ssrc), clock_rate_(clock_rate) {}

  // A media packet went out. capture_time is when its RTP timestamp was sampled (for extrapolating the SR's
  // RTP timestamp); payload_bytes counts toward the SR octet count (RFC 3550 §6.4.1: payload only).
  void on_packet_sent(uint32_t rtp_timestamp, base::Timestamp capture_time, size_t payload_bytes);

  // The sender info for an SR sent at `now`, whose wall-clock time is `ntp_now` (the server maps its steady
  // clock to NTP; cores never read clocks). Remembers it so a later report block yields the RTT.
  // nullopt before the first packet: an SR must carry a meaningful RTP timestamp.
  std::optional<rtcp::SenderInfo> make_sender_info(base::Timestamp now, rtcp::NtpTime ntp_now);

  // A report block about this stream arrived at `now`. Returns the RTT when it echoes one of our recent SRs.
  // Computed on the steady clock (now - when that SR left - DLSR), so wall-clock steps cannot distort it.
  std::optional<base::Duration> on_report_block(const rtcp::ReportBlock& block, base::Timestamp now);

  Ssrc ssrc() const { return ssrc_; }
  uint32_t packets_sent() const { return packets_; }
  uint32_t octets_sent() const { return octets_; }
  std::optional<base::Duration> rtt() const { return rtt_; }
  // The latest report's view of our stream, as the receiver saw it.
  const std::optional<rtcp::ReportBlock>& last_report() const { return last_report_; }

 private:
  struct SentReport {
    uint32_t compact = 0;
    base::Timestamp sent;
  };
  Ssrc ssrc_;
  uint32_t clock_rate_;
  uint32_t packets_ = 0;
  uint32_t octets_ = 0;  // wraps, as the field does
  bool have_packet_ = false;
  uint32_t last_rtp_timestamp_ = 0;
  base::Timestamp last_capture_;
  std::array<SentReport, 8> sent_{};  // the last few SRs; a report echoes one of them
  size_t next_sent_ = 0;
  std::optional<base::Duration> rtt_;
  std::optional<rtcp::ReportBlock> last_report_;
};

}  // namespace medley::rtp
