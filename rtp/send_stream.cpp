// One outgoing RTP stream: retransmissions and sender reports.
#include "rtp/send_stream.hpp"

#include <cstring>

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
  if (!config_.nack) return std::nullopt;
  const base::Duration min_interval = sr_.rtt().value_or(base::Duration::millis(20));
  const base::BufferRef* stored = rtx_.take_for_resend(seq, now, min_interval);
  if (!stored) return std::nullopt;
  auto view = RtpPacketView::parse((*stored)->span());
  if (!view) return std::nullopt;
  if (config_.rtx_ssrc) {
    return rtx_wrap(*view, *config_.rtx_ssrc, config_.rtx_payload_type, next_rtx_seq_++, out);
  }
  if (out.size() < view->size()) return std::nullopt;
  std::memcpy(out.data(), view->data().data(), view->size());
  return view->size();
}

}  // namespace medley::rtp
