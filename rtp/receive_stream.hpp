// One incoming RTP stream (one SSRC): sequence unwrapping once at ingress, RFC 3550 statistics, NACK generation,
// keyframe-request pacing, and the RTCP feedback it owes its sender.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/nack_generator.hpp"
#include "rtp/packet_view.hpp"
#include "rtp/receive_statistics.hpp"
#include "rtp/rtcp/sender_report.hpp"

namespace medley::rtp {

struct ReceiveStreamConfig {
  Ssrc ssrc;
  uint32_t clock_rate = 90000;
  base::MediaKind kind = base::MediaKind::Video;
  bool nack = true;  // the negotiated rtcp-fb "nack"
  NackConfig nack_config;
  // PLI/FIR pacing: a sender needs time to answer; asking again sooner only adds keyframes (libwebrtc: 300 ms+).
  base::Duration min_keyframe_interval = base::Duration::millis(300);
};

// What the stream wants sent to the remote sender now (the owner writes it as RTCP NACK and PLI/FIR).
struct ReceiveFeedback {
  bool keyframe_request = false;
};

class ReceiveStream {
 public:
  explicit ReceiveStream(ReceiveStreamConfig config);

  // A packet of this stream (already decrypted and, for RTX, unwrapped). keyframe: this packet STARTS a keyframe
  // (depacketizer frame_start && keyframe; not every packet of one: H.264 flags every IDR fragment, and gaps before
  // a keyframe start stop being NACKed). Returns the 64-bit sequence number (monotonic across sender restarts),
  // or nullopt if RFC 3550 validation refused it (a large jump not yet confirmed): drop the packet then.
  std::optional<SeqNo> handle_packet(const RtpPacketView& packet, base::Timestamp now, bool keyframe,
                                     bool retransmission = false);
  // The remote sender's SR: for LSR/DLSR and for A/V sync (RTP timestamp ↔ NTP).
  void handle_sender_report(const rtcp::SenderInfo& info, base::Timestamp now);
  void set_rtt(base::Duration rtt) { nack_.set_rtt(rtt); }

  // Something downstream (jitter buffer, decoder, a subscriber's PLI) wants a keyframe; paced here.
  void request_keyframe() { keyframe_wanted_ = true; }

  // Fills `nacks` with the sequence numbers to NACK now and says whether to send a keyframe request.
  ReceiveFeedback poll_feedback(base::Timestamp now, std::vector<uint16_t>& nacks);
  base::Timestamp next_timeout() const;

  rtcp::ReportBlock make_report_block(base::Timestamp now) { return stats_.make_report_block(config_.ssrc, now); }

  const ReceiveStreamConfig& config() const { return config_; }
  const ReceiveStatistics& statistics() const { return stats_; }
  const NackGenerator& nack_generator() const { return nack_; }
  const std::optional<rtcp::SenderInfo>& last_sender_report() const { return last_sr_; }
  uint64_t keyframe_requests_sent() const { return keyframe_requests_sent_; }

 private:
  ReceiveStreamConfig config_;
  SeqUnwrapper unwrap_;
  SeqNo seq_offset_ = 0;  // added to unwrapped numbers, so a restarted sequence continues above the old one
  ReceiveStatistics stats_;
  NackGenerator nack_;
  std::optional<rtcp::SenderInfo> last_sr_;
  bool keyframe_wanted_ = false;
  std::optional<base::Timestamp> last_keyframe_request_;
  uint64_t keyframe_requests_sent_ = 0;
};

}  // namespace medley::rtp
