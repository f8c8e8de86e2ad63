// One outgoing RTP stream: retransmissions and sender reports.
#include "rtp/send_stream.hpp"

#include "rtp/packet_view.hpp"
#include "rtp/rtx.hpp"

namespace medley::rtp {

SendStream::SendStream(SendStreamConfig config)
    : config_(config), rtx_(config.rtx_buffer), sr_(config.ssrc, config.clock_rate) {}

void SendStream::on_packet_sent(const base::BufferRef& packet, base::Timestamp capture_time, base::Timestamp now) {
  auto view = RtpPacketView::parse(packet->span());
  if (!view) return;  // our own packets are always valid; a bug upstream must not become a crash here
  sr_.on_packet_sent(view->timestamp(), capture_time, view->payload_size());
  if (config_.nack) rtx_.store(view->sequence_number(), packet, now);
}

std::optional<size_t> SendStream::resend(uint16_t seq, base::Timestamp now, base::MutableBytes out) {
  // Without RTX a resend would carry the original SSRC and sequence number, i.e. the same SRTP index: SRTP refuses
  // it as a replay, and were it allowed, a resend with rewritten header extensions would reuse keystream (AES-CM)
  // or a GCM nonce with different data. So NACKs are answered only over RTX; the answer to an offer without RTX
  // should not accept nack.
  if (!config_.nack || !config_.rtx_ssrc) return std::nullopt;
  const base::Duration min_interval = sr_.rtt().value_or(base::Duration::millis(20));
  const base::BufferRef* stored = rtx_.take_for_resend(seq, now, min_interval);
  if (!stored) return std::nullopt;
  auto view = RtpPacketView::parse((*stored)->span());
  if (!view) return std::nullopt;
  auto n = rtx_wrap(*view, *config_.rtx_ssrc, config_.rtx_payload_type, next_rtx_seq_, out);
  if (n) ++next_rtx_seq_;  // a failed wrap (out too small) must not leave a gap in the RTX sequence
  return n;
}

}  // namespace medley::rtp
