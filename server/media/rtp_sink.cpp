// RtpSink: per-packet rewrite into the sink's own buffer, RTX history on the shared plaintext, RTCP per leg.
#include "server/media/rtp_sink.hpp"

#include <bit>
#include <cassert>
#include <cstring>
#include <type_traits>
#include <variant>

#include "rtp/packet_rewrite.hpp"
#include "rtp/packet_writer.hpp"
#include "rtp/rtx.hpp"
#include "rtp/srtp/srtp_session.hpp"

namespace medley::server::media {

namespace {
constexpr uint8_t kDrop = 0xFF;
}

// ---- RtpSinkTransport ------------------------------------------------------------------------------------------

RtpSinkTransport::RtpSinkTransport(rtp::SrtpSession* srtp, Transmit transmit, base::BufferPool* pool)
    : srtp_(srtp),
      transmit_(std::move(transmit)),
      pool_(pool ? pool : &own_pool_),
      overhead_(srtp ? srtp->rtp_overhead() : 0) {}

bool RtpSinkTransport::send(base::BufferRef packet, size_t len) {
  if (srtp_) {
    auto r = srtp_->protect_rtp(packet->writable(), len);
    if (!r) {
      ++srtp_errors_;
      return false;
    }
    len = *r;
  }
  packet->resize(len);
  if (has_pending_seq_) {
    estimator_.on_packet_sent(pending_seq_, len);
    has_pending_seq_ = false;
  }
  ++sent_;
  if (transmit_) transmit_(std::move(packet));
  return true;
}

// ---- RtpSink ---------------------------------------------------------------------------------------------------

RtpSink::RtpSink(RtpSinkConfig config, RtpSinkTransport& transport)
    : config_(std::move(config)), transport_(transport), sr_(config_.ssrc, config_.clock_rate) {
  for (size_t i = 0; i < pt_map_.size(); ++i) pt_map_[i] = static_cast<uint8_t>(i);
  rtx_pt_.fill(kDrop);
  for (const auto& c : config_.codecs) {
    if (c.rtx_payload_type) rtx_pt_[c.payload_type.value & 0x7F] = c.rtx_payload_type->value & 0x7F;
  }
  twcc_id_ = config_.extensions.id_of(rtp::ExtensionType::TransportSequenceNumber);
  abs_send_time_id_ = config_.extensions.id_of(rtp::ExtensionType::AbsSendTime);
  mid_id_ = config_.mid.empty() ? 0 : config_.extensions.id_of(rtp::ExtensionType::Mid);
  set_prefetch_bytes(sizeof(RtpSink));
}

void RtpSink::set_payload_type_map(std::span<const std::pair<rtp::PayloadType, rtp::PayloadType>> map) {
  explicit_map_ = true;
  for (size_t i = 0; i < pt_map_.size(); ++i) pt_map_[i] = map.empty() ? static_cast<uint8_t>(i) : kDrop;
  for (const auto& [from, to] : map) pt_map_[from.value & 0x7F] = to.value & 0x7F;
}

bool RtpSink::same_extension_layout(const RtpSourceInfo& source) const {
  for (unsigned id = 1; id < 256; ++id) {
    const rtp::ExtensionType t = source.extensions.type_of(static_cast<uint8_t>(id));
    if (t != rtp::ExtensionType::None && config_.extensions.type_of(static_cast<uint8_t>(id)) != t) return false;
  }
  return true;
}

// Each source payload type goes to the receiver's first payload type of the same codec; a codec the receiver did
// not negotiate is dropped (transcoding, when codecs differ, is a branch of its own before this sink).
void RtpSink::map_by_codec(const RtpSourceInfo& source) {
  if (explicit_map_ || config_.codecs.empty() || source.codecs.empty()) return;
  pt_map_.fill(kDrop);
  for (const auto& [pt, codec] : source.codecs) {
    for (const auto& mine : config_.codecs) {
      if (mine.codec == codec && codec != base::CodecId::Unknown) {
        pt_map_[pt.value & 0x7F] = mine.payload_type.value & 0x7F;
        break;
      }
    }
  }
}

void RtpSink::bind(const PublishedPacket& p, base::Timestamp now) {
  const rtp::RtpPacketView& v = p.view;
  if (p.source != source_) map_by_codec(*p.source);
  source_ = p.source;
  source_extensions_ = p.source->extensions;
  source_ssrc_ = v.ssrc();
  ++binding_;
  fast_layout_ = same_extension_layout(*p.source);
  source_seq_.reset();
  const int64_t first = v.sequence_number();  // what the reset unwrapper will answer for it
  source_seq_max_ = first - 1;
  if (!started_) {
    started_ = true;
    seq_offset_ = int64_t{config_.first_sequence} - first;
    ts_offset_ = config_.first_timestamp - v.timestamp();
    return;
  }
  // Another source (or the same publisher under a new SSRC): the receiver must see one continuous stream, so
  // numbering goes on after the newest packet sent, and time moves on by the wall time elapsed (at least a tick).
  ++stats_.source_switches;
  seq_offset_ = (out_seq_max_ + 1) - first;
  const int64_t elapsed_us = (now - out_time_last_).us();
  int64_t ticks = elapsed_us > 0 ? static_cast<int64_t>(static_cast<__int128>(elapsed_us) * config_.clock_rate / 1'000'000) : 0;
  if (ticks < 1) ticks = 1;
  ts_offset_ = out_ts_last_ + static_cast<uint32_t>(ticks) - v.timestamp();
}

void RtpSink::on_packet(const PublishedPacket& p, base::Timestamp now) {
  const rtp::RtpPacketView& v = p.view;
  if (p.source != source_ || v.ssrc() != source_ssrc_) bind(p, now);
  const int64_t src = source_seq_.unwrap(v.sequence_number());
  const bool newest = src > source_seq_max_;
  if (newest) source_seq_max_ = src;

  const uint8_t pt = pt_map_[v.payload_type().value];
  bool keep = true;
  if (pt == kDrop) {
    ++stats_.dropped_payload_type;
    keep = false;
  } else if (!select(p)) {
    ++stats_.dropped_unselected;
    keep = false;
  }
  base::BufferRef out;
  size_t n = 0;
  const int64_t out_ext = src + seq_offset_;
  const auto seq = static_cast<uint16_t>(out_ext);
  const uint32_t ts = v.timestamp() + ts_offset_;
  if (keep) {
    out = transport_.pool().acquire();
    n = rewrite(v, seq, ts, pt, now, out->writable().first(out->capacity() - transport_.overhead()));
    if (n == 0) {
      ++stats_.dropped_too_large;
      keep = false;
    }
  }
  if (!keep) {
    // A skipped newest packet takes no output number, so the receiver sees no gap (and sends no NACK).
    if (newest) --seq_offset_;
    return;
  }
  if (out_ext > out_seq_max_) {
    out_seq_max_ = out_ext;
    out_ts_last_ = ts;
    out_time_last_ = now;
  }
  sr_.on_packet_sent(ts, p.arrival, v.payload_size());
  // The history keeps the shared plaintext, never our copy, which is encrypted in place below.
  if (config_.nack && config_.rtx_ssrc) remember(p, seq, now);
  ++stats_.forwarded;
  transport_.send(std::move(out), n);
  // The next packet's history slot is cold (written 512 packets ago); with many sinks, the miss on it was most
  // of the per-sink cost (bench_router). The other sinks' work hides the fetch.
  if (!history_.empty()) __builtin_prefetch(&history_[static_cast<uint16_t>(seq + 1) & history_mask_], 1);
}

size_t RtpSink::rewrite(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt, base::Timestamp now,
                        base::MutableBytes out) {
  using rtp::ExtensionType;
  const bool fast = fast_layout_ && v.extension_form() != rtp::ExtensionForm::Other &&
                    (twcc_id_ == 0 || v.extension_offset(ExtensionType::TransportSequenceNumber) != 0) &&
                    (abs_send_time_id_ == 0 || v.extension_offset(ExtensionType::AbsSendTime) != 0) &&
                    v.extension_offset(ExtensionType::Mid) == 0 && v.extension_offset(ExtensionType::Rid) == 0 &&
                    v.extension_offset(ExtensionType::RepairedRid) == 0;
  return fast ? rewrite_fast(v, seq, ts, pt, now, out) : rewrite_general(v, seq, ts, pt, now, out);
}

// Same extension ids on both sides (the common case: browsers use the same ids): copy, then patch in place.
size_t RtpSink::rewrite_fast(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt, base::Timestamp now,
                             base::MutableBytes out) {
  const size_t n = v.size();
  if (n > out.size()) return 0;
  std::memcpy(out.data(), v.data().data(), n);
  uint8_t* h = out.data();
  h[1] = static_cast<uint8_t>((h[1] & 0x80) | pt);
  base::store_be16(h + 2, seq);
  base::store_be32(h + 4, ts);
  base::store_be32(h + 8, config_.ssrc.value);
  const base::MutableBytes packet = out.first(n);
  if (twcc_id_) rtp::rewrite_transport_sequence_number(packet, v, transport_.next_transport_sequence());
  if (abs_send_time_id_) rtp::rewrite_abs_send_time(packet, v, rtp::abs_send_time_from(now));
  return n;
}

// Different ids, or elements to drop or add: rebuild the header for the receiver's extension map. The
// publisher's rid/repaired-rid never reach a receiver (it sees one stream) and its mid becomes ours.
size_t RtpSink::rewrite_general(const rtp::RtpPacketView& v, uint16_t seq, uint32_t ts, uint8_t pt,
                                base::Timestamp now, base::MutableBytes out) {
  using rtp::ExtensionType;
  rtp::RtpPacketWriter w(out);
  w.set_marker(v.marker());
  w.set_payload_type(rtp::PayloadType(pt));
  w.set_sequence_number(seq);
  w.set_timestamp(ts);
  w.set_ssrc(config_.ssrc);
  for (size_t i = 0; i < v.csrc_count(); ++i) w.add_csrc(v.csrc(i));
  bool mid_done = false;
  if (v.extension_form() == rtp::ExtensionForm::OneByte || v.extension_form() == rtp::ExtensionForm::TwoByte) {
    auto elements = v.extension_elements();
    while (auto e = elements.next()) {
      const ExtensionType t = source_extensions_.type_of(e->id);
      switch (t) {
        case ExtensionType::None:
        case ExtensionType::Rid:
        case ExtensionType::RepairedRid:
        case ExtensionType::TransportSequenceNumber:  // ours, written below
        case ExtensionType::AbsSendTime:
          break;
        case ExtensionType::Mid:
          if (mid_id_ && !mid_done) mid_done = w.add<rtp::ext::Mid>(mid_id_, config_.mid);
          break;
        default:
          if (const uint8_t id = config_.extensions.id_of(t)) w.add_extension(id, e->value);
          break;
      }
    }
  }
  if (twcc_id_) w.add<rtp::ext::TransportSequenceNumber>(twcc_id_, transport_.next_transport_sequence());
  if (abs_send_time_id_) w.add<rtp::ext::AbsSendTime>(abs_send_time_id_, rtp::abs_send_time_from(now));
  auto n = w.finish(v.payload(), static_cast<uint8_t>(v.padding_size()));
  return n ? *n : 0;
}

void RtpSink::remember(const PublishedPacket& p, uint16_t seq, base::Timestamp now) {
  const rtp::RtpPacketView& v = p.view;
  const uint8_t* base = p.buffer ? p.buffer->data() : nullptr;
  const uint8_t* at = v.data().data();
  if (base == nullptr || at < base || at + v.size() > base + p.buffer->size()) return;  // not in its buffer
  size_t max_cap = std::bit_ceil(config_.history_size < 1 ? size_t{1} : config_.history_size);
  if (max_cap > 0x8000) max_cap = 0x8000;  // half the sequence space: a slot is never mistaken across a wrap
  if (history_.empty()) {
    // Sized by the stream's rate, not its worst case: it starts small (audio stays there) and doubles whenever a
    // slot still inside history_max_age would be overwritten.
    const size_t cap = std::min<size_t>(64, max_cap);
    history_.resize(cap);
    history_mask_ = cap - 1;
  } else if (history_.size() < max_cap) {
    const HistorySlot& old = history_[seq & history_mask_];
    if (old.source && old.seq != seq && static_cast<int64_t>(static_cast<uint32_t>(now.ms()) - old.sent_ms) <
                          config_.history_max_age.ms()) {
      std::vector<HistorySlot> grown(history_.size() * 2);
      const size_t mask = grown.size() - 1;
      for (auto& h : history_) {
        if (h.source) grown[h.seq & mask] = std::move(h);
      }
      history_ = std::move(grown);
      history_mask_ = mask;
    }
  }
  HistorySlot& s = history_[seq & history_mask_];
  s.source = p.buffer;
  s.sent_ms = static_cast<uint32_t>(now.ms());
  s.seq = seq;
  s.offset = static_cast<uint16_t>(at - base);
  s.size = static_cast<uint16_t>(v.size());
  s.binding = binding_;
  s.resent_once = false;
}

void RtpSink::handle_nack(const rtp::rtcp::NackView& nack, base::Timestamp now) {
  for (uint16_t seq : nack.lost()) {
    ++stats_.nacked;
    resend(seq, now);
  }
}

// RFC 4588 over our RTX SSRC. The packet is rewritten again from the shared plaintext, exactly as it first went
// out except for a new transport-wide number (TWCC feedback must see each datagram once) and abs-send-time.
void RtpSink::resend(uint16_t seq, base::Timestamp now) {
  if (!config_.nack || !config_.rtx_ssrc || history_.empty()) return;
  HistorySlot& s = history_[seq & history_mask_];
  const auto now_ms = static_cast<uint32_t>(now.ms());
  if (!s.source || s.seq != seq || s.binding != binding_ ||
      static_cast<int64_t>(now_ms - s.sent_ms) > config_.history_max_age.ms()) {
    return;
  }
  const base::Duration min_interval = sr_.rtt().value_or(base::Duration::millis(20));
  if (s.resent_once && static_cast<int64_t>(now_ms - s.resent_ms) < min_interval.ms()) return;
  auto original = rtp::RtpPacketView::parse(base::Bytes(s.source->data() + s.offset, s.size), source_extensions_);
  if (!original) return;
  const uint8_t pt = pt_map_[original->payload_type().value];
  if (pt == kDrop) return;

  base::BufferRef plain = transport_.pool().acquire();
  const size_t n = rewrite(*original, seq, original->timestamp() + ts_offset_, pt, now, plain->writable());
  if (n == 0) return;
  auto view = rtp::RtpPacketView::parse(base::Bytes(plain->data(), n), config_.extensions);
  if (!view) return;
  base::BufferRef out = transport_.pool().acquire();
  const uint8_t rtx_pt = rtx_pt_[pt] != kDrop ? rtx_pt_[pt] : config_.rtx_payload_type.value;
  auto m = rtp::rtx_wrap(*view, *config_.rtx_ssrc, rtp::PayloadType(rtx_pt), next_rtx_seq_,
                         out->writable().first(out->capacity() - transport_.overhead()));
  if (!m) return;
  ++next_rtx_seq_;
  s.resent_once = true;
  s.resent_ms = now_ms;
  ++stats_.retransmitted;
  transport_.send(std::move(out), *m);
}

void RtpSink::handle_keyframe_request(base::Timestamp now) {
  ++stats_.keyframe_requests;
  if (Router* r = upstream()) r->request_keyframe(now);
}

void RtpSink::handle_report_block(const rtp::rtcp::ReportBlock& block, base::Timestamp now) {
  if (block.ssrc == config_.ssrc) sr_.on_report_block(block, now);
}

void RtpSink::handle_rtcp(const rtp::rtcp::Packet& packet, base::Timestamp now) {
  namespace rtcp = rtp::rtcp;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, rtcp::NackView>) {
          if (p.media_ssrc() == config_.ssrc) handle_nack(p, now);
        } else if constexpr (std::is_same_v<T, rtcp::PliView>) {
          if (p.media_ssrc() == config_.ssrc) handle_keyframe_request(now);
        } else if constexpr (std::is_same_v<T, rtcp::FirView>) {
          for (size_t i = 0; i < p.entry_count(); ++i) {
            if (p.entry(i).ssrc == config_.ssrc) {
              handle_keyframe_request(now);
              break;
            }
          }
        } else if constexpr (std::is_same_v<T, rtcp::ReceiverReportView> ||
                             std::is_same_v<T, rtcp::SenderReportView>) {
          for (size_t i = 0; i < p.report_count(); ++i) handle_report_block(p.report_block(i), now);
        }
        // REMB and TWCC feedback: the leg's bandwidth estimator (not here yet) consumes them.
      },
      packet);
}

}  // namespace medley::server::media
