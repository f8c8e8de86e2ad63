// One outgoing RTP stream (one SSRC): the retransmission buffer, RTX wrapping for NACKed packets, and the
// sender-report state (SR contents, RTT from the receiver's reports).
#pragma once

#include <cstdint>
#include <optional>

#include "rtp/base/buffer.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtx_buffer.hpp"
#include "rtp/sender_report_state.hpp"

namespace medley::rtp {

struct SendStreamConfig {
  Ssrc ssrc;
  uint32_t clock_rate = 90000;
  std::optional<Ssrc> rtx_ssrc;  // negotiated RTX (a=ssrc-group:FID); without it NACKs are not answered (see resend)
  PayloadType rtx_payload_type{0};
  bool nack = true;  // keep packets for retransmission at all
  RtxBuffer::Config rtx_buffer;
};

class SendStream {
 public:
  explicit SendStream(SendStreamConfig config);

  // A media packet went out. `packet` is its plaintext (the shared buffer, kept for resends, never encrypted in
  // place: the sink protects a copy). capture_time maps its RTP timestamp to the steady clock for SRs.
  void on_packet_sent(const base::BufferRef& packet, base::Timestamp capture_time, base::Timestamp now);

  // A NACK asked for `seq`: writes the RTX packet for it into `out` (RFC 4588, the next RTX sequence number)
  // and returns its size; nullopt when RTX is not negotiated, or the packet is gone, too old, or was resent
  // within the last RTT.
  std::optional<size_t> resend(uint16_t seq, base::Timestamp now, base::MutableBytes out);

  SenderReportState& sender_report() { return sr_; }
  const SenderReportState& sender_report() const { return sr_; }
  const SendStreamConfig& config() const { return config_; }
  const RtxBuffer& rtx_buffer() const { return rtx_; }

 private:
  SendStreamConfig config_;
  RtxBuffer rtx_;
  SenderReportState sr_;
  uint16_t next_rtx_seq_ = 0;
};

}  // namespace medley::rtp
