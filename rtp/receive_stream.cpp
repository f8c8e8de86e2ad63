// One incoming RTP stream: the receive-side feedback state machines put together.
#include "rtp/receive_stream.hpp"

namespace medley::rtp {

ReceiveStream::ReceiveStream(ReceiveStreamConfig config)
    : config_(config), stats_(config.clock_rate), nack_(config.nack_config) {}

std::optional<SeqNo> ReceiveStream::handle_packet(const RtpPacketView& packet, base::Timestamp now, bool keyframe,
                                                  bool retransmission) {
  const SeqVerdict verdict = stats_.on_packet(packet.sequence_number(), packet.timestamp(), now,
                                              packet.payload_size(), retransmission);
  if (verdict == SeqVerdict::Rejected) return std::nullopt;
  if (verdict == SeqVerdict::Restarted) {
    // A new sequence space: old gaps mean nothing now. SeqNo stays monotonic for everything downstream (the
    // jitter buffer would take lower numbers for stale packets): the new space continues right above the old.
    const SeqNo next = unwrap_.started() ? unwrap_.last() + seq_offset_ + 1 : 0;
    unwrap_.reset();
    seq_offset_ = next - unwrap_.unwrap(packet.sequence_number());
    unwrap_.reset();
    nack_ = NackGenerator(config_.nack_config);
  }
  const SeqNo seq = unwrap_.unwrap(packet.sequence_number()) + seq_offset_;
  if (config_.nack) nack_.on_packet(seq, now, keyframe);
  return seq;
}

void ReceiveStream::handle_sender_report(const rtcp::SenderInfo& info, base::Timestamp now) {
  stats_.on_sender_report(info.ntp, now);
  last_sr_ = info;
}

ReceiveFeedback ReceiveStream::poll_feedback(base::Timestamp now, std::vector<uint16_t>& nacks) {
  ReceiveFeedback out;
  if (config_.nack) {
    const NackPoll p = nack_.poll(now, nacks);
    if (p.keyframe_needed && config_.kind == base::MediaKind::Video) keyframe_wanted_ = true;
  }
  if (keyframe_wanted_ &&
      (!last_keyframe_request_ || now - *last_keyframe_request_ >= config_.min_keyframe_interval)) {
    keyframe_wanted_ = false;
    last_keyframe_request_ = now;
    ++keyframe_requests_sent_;
    out.keyframe_request = true;
  }
  return out;
}

base::Timestamp ReceiveStream::next_timeout() const {
  base::Timestamp next = config_.nack ? nack_.next_timeout() : base::Timestamp::infinite();
  if (keyframe_wanted_) {
    next = base::earliest(next, last_keyframe_request_ ? *last_keyframe_request_ + config_.min_keyframe_interval
                                                        : base::Timestamp::zero());
  }
  return next;
}

}  // namespace medley::rtp
