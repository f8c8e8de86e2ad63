// RtpSink: the passthrough sink of one WebRtcEndpoint leg and media kind (rewrite into its own buffer, keep the
// shared plaintext for RTX, SRTP-protect, transmit), and RtpSinkTransport, the leg's state its sinks share.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "rtp/base/frame.hpp"
#include <utility>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/base/time.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/compound.hpp"
#include "rtp/send_side_estimator.hpp"
#include "rtp/sender_report_state.hpp"
#include "server/media/router.hpp"

namespace medley::rtp {
class SrtpSession;
}

namespace medley::server::media {

// One leg's transport (a BUNDLE group): its SRTP session, its transport-wide sequence counter (TWCC numbers
// every packet on the transport, audio and video alike), the pool its sinks write into, and where datagrams go.
class RtpSinkTransport {
 public:
  // The protected datagram, ready for the socket layer, which may queue it for sendmmsg (the pool recycles it).
  using Transmit = std::function<void(base::BufferRef datagram)>;

  // srtp may be null: plain RTP (a plain RtpEndpoint, tests, benchmarks). It is not owned; it outlives this.
  // pool: the send pool of the strand this leg's sinks run on, shared by its legs (null: a pool of its own).
  // Sharing matters for large fan-outs: its free list is LIFO, so each sink writes into the buffer the previous
  // sink just sent, still in cache, instead of a cold one of its own (measured in bench_router).
  RtpSinkTransport(rtp::SrtpSession* srtp, Transmit transmit, base::BufferPool* pool = nullptr);

  uint16_t next_transport_sequence() {
    pending_seq_ = transport_seq_;
    has_pending_seq_ = true;
    return transport_seq_++;
  }
  base::BufferPool& pool() { return *pool_; }
  // Protects the len bytes at the start of packet in place and transmits; false (counted) on an SRTP error.
  bool send(base::BufferRef packet, size_t len);
  size_t overhead() const { return overhead_; }

  uint64_t sent() const { return sent_; }
  uint64_t srtp_errors() const { return srtp_errors_; }

  // The leg's bandwidth estimate from its receiver's TWCC feedback and REMB (fed by the leg's owner, on its
  // strand); published() is what other strands read (0: no estimate yet).
  rtp::SendSideEstimator& estimator() { return estimator_; }
  void publish_estimate() { estimate_bps_.store(estimator_.estimate_bps(), std::memory_order_relaxed); }
  uint64_t published_estimate() const { return estimate_bps_.load(std::memory_order_relaxed); }

 private:
  rtp::SrtpSession* srtp_;
  Transmit transmit_;
  base::BufferPool own_pool_;
  base::BufferPool* pool_;
  size_t overhead_ = 0;
  uint16_t transport_seq_ = 1;
  uint16_t pending_seq_ = 0;  // the number the packet being written took, recorded with its size on send
  bool has_pending_seq_ = false;
  rtp::SendSideEstimator estimator_;
  std::atomic<uint64_t> estimate_bps_{0};
  uint64_t sent_ = 0;
  uint64_t srtp_errors_ = 0;
};

struct RtpSinkConfig {
  rtp::Ssrc ssrc{0};
  // A fresh base per sink: keep first_sequence small (say < 2^15) so the SRTP ROC starts at 0 (DESIGN.md rule 3).
  uint16_t first_sequence = 0;
  uint32_t first_timestamp = 0;
  uint32_t clock_rate = 90000;
  std::optional<rtp::Ssrc> rtx_ssrc;  // NACKs are answered over RTX only (see rtp::SendStream::resend)
  rtp::PayloadType rtx_payload_type{0};
  rtp::ExtensionMap extensions;  // what the receiver negotiated (a=extmap)
  std::string mid;               // written when the receiver negotiated the mid extension
  // The receiver's payload types (codec, and its RTX payload type if any), in its order of preference. With them
  // the sink maps each source's payload types by codec when it binds to that source; empty: no automatic map.
  struct Codec {
    rtp::PayloadType payload_type{0};
    base::CodecId codec = base::CodecId::Unknown;
    std::optional<rtp::PayloadType> rtx_payload_type;
  };
  std::vector<Codec> codecs;
  bool nack = true;              // keep a history for retransmissions
  size_t history_size = 512;     // packets, rounded up to a power of two (2 s of 2.5 Mbit/s video)
  base::Duration history_max_age = base::Duration::millis(1000);
};

class RtpSink : public PacketSink {
 public:
  struct Stats {
    uint64_t forwarded = 0;
    uint64_t dropped_unselected = 0;
    uint64_t dropped_payload_type = 0;  // a payload type the receiver did not negotiate
    uint64_t dropped_too_large = 0;
    uint64_t source_switches = 0;
    uint64_t nacked = 0;  // sequence numbers asked for
    uint64_t retransmitted = 0;
    uint64_t keyframe_requests = 0;
  };

  RtpSink(RtpSinkConfig config, RtpSinkTransport& transport);

  // Source payload type -> the receiver's. An empty map forwards every payload type unchanged; otherwise a
  // payload type without an entry is dropped. An explicit map replaces the one built from config.codecs.
  void set_payload_type_map(std::span<const std::pair<rtp::PayloadType, rtp::PayloadType>> map);

  void on_packet(const PublishedPacket& packet, base::Timestamp now) override;
  uint64_t bitrate_estimate() const override { return transport_.published_estimate(); }

  // RTCP from this leg's receiver. handle_rtcp picks what concerns our SSRC: NACK (answered over RTX), PLI and
  // FIR (to the source through the router, which throttles), report blocks (RTT). REMB and TWCC feedback are
  // the leg's estimator's business (not here yet).
  void handle_rtcp(const rtp::rtcp::Packet& packet, base::Timestamp now);
  void handle_nack(const rtp::rtcp::NackView& nack, base::Timestamp now);
  void handle_keyframe_request(base::Timestamp now);
  void handle_report_block(const rtp::rtcp::ReportBlock& block, base::Timestamp now);

  // SR contents for our SSRC (nullopt before the first packet).
  std::optional<rtp::rtcp::SenderInfo> make_sender_info(base::Timestamp now, rtp::rtcp::NtpTime ntp_now) {
    return sr_.make_sender_info(now, ntp_now);
  }
  const rtp::SenderReportState& sender_report() const { return sr_; }
  const RtpSinkConfig& config() const { return config_; }
  const Stats& stats() const { return stats_; }

 protected:
  // Sinks select (DESIGN.md): whether this packet goes out. Today every packet; a simulcast sink will pick one
  // layer and switch on keyframes. An unselected newest packet does not leave a gap in the output numbering.
  virtual bool select(const PublishedPacket&) { return true; }

 private:
  // A sent packet kept for RTX: a reference to the source's shared plaintext and what our rewrite needs besides
  // the current binding (timestamp offset, payload type map, the source's extension ids). 24 bytes, so the
  // per-packet write into the history costs a fraction of a cache line per sink.
  struct HistorySlot {
    base::BufferRef source;
    uint32_t sent_ms = 0;    // Timestamp::ms(), wrapping
    uint32_t resent_ms = 0;
    uint16_t seq = 0;        // ours
    uint16_t offset = 0;     // of the packet in source
    uint16_t size = 0;
    uint8_t binding = 0;     // packets of an earlier binding are not resent
    bool resent_once = false;
  };

  void bind(const PublishedPacket& packet, base::Timestamp now);
  bool same_extension_layout(const RtpSourceInfo& source) const;
  // Writes our version of the packet (parsed with source_extensions_) into out; its size, or 0 when out is too
  // small. Every call takes a new transport-wide sequence number when the receiver negotiated transport-cc.
  size_t rewrite(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt, base::Timestamp now,
                 base::MutableBytes out);
  size_t rewrite_fast(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt, base::Timestamp now,
                      base::MutableBytes out);
  size_t rewrite_general(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt, base::Timestamp now,
                         base::MutableBytes out);
  void remember(const PublishedPacket& p, uint16_t seq, base::Timestamp now);
  void resend(uint16_t seq, base::Timestamp now);

  RtpSinkConfig config_;
  RtpSinkTransport& transport_;
  rtp::SenderReportState sr_;
  void map_by_codec(const RtpSourceInfo& source);

  std::array<uint8_t, 128> pt_map_{};  // 0xFF: drop
  std::array<uint8_t, 128> rtx_pt_{};  // receiver payload type -> its RTX payload type (0xFF: config's)
  bool explicit_map_ = false;
  uint8_t twcc_id_ = 0;
  uint8_t abs_send_time_id_ = 0;
  uint8_t mid_id_ = 0;

  // The current source binding. A new source (or a new SSRC from it) continues our numbering where it stopped.
  const RtpSourceInfo* source_ = nullptr;  // compared only, never dereferenced after bind()
  rtp::ExtensionMap source_extensions_;     // a copy: a resend must not depend on the source still existing
  rtp::Ssrc source_ssrc_{0};
  uint8_t binding_ = 0;
  bool fast_layout_ = false;  // the source's extension ids mean the same to our receiver
  bool started_ = false;
  rtp::SeqUnwrapper source_seq_;
  int64_t source_seq_max_ = 0;
  int64_t seq_offset_ = 0;   // output = unwrapped source seq + offset
  uint32_t ts_offset_ = 0;   // output = source ts + offset (mod 2^32)
  int64_t out_seq_max_ = -1;
  uint32_t out_ts_last_ = 0;
  base::Timestamp out_time_last_;

  std::vector<HistorySlot> history_;  // allocated at the first packet: an idle sink costs nothing here
  size_t history_mask_ = 0;
  uint16_t next_rtx_seq_ = 0;
  Stats stats_;
};

}  // namespace medley::server::media
