// In-place rewriting of an RTP packet already in a buffer: what a forwarding sink changes per packet.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rtp/base/bytes.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/ids.hpp"
#include "rtp/packet_view.hpp"

namespace medley::rtp {

// Header fields. False (nothing written) when the buffer is shorter than the fixed header.
inline bool rewrite_sequence_number(base::MutableBytes packet, uint16_t seq) {
  if (packet.size() < RtpPacketView::kFixedHeaderSize) return false;
  base::store_be16(packet.data() + 2, seq);
  return true;
}
inline bool rewrite_timestamp(base::MutableBytes packet, uint32_t ts) {
  if (packet.size() < RtpPacketView::kFixedHeaderSize) return false;
  base::store_be32(packet.data() + 4, ts);
  return true;
}
inline bool rewrite_ssrc(base::MutableBytes packet, Ssrc ssrc) {
  if (packet.size() < RtpPacketView::kFixedHeaderSize) return false;
  base::store_be32(packet.data() + 8, ssrc.value);
  return true;
}
inline bool rewrite_payload_type(base::MutableBytes packet, PayloadType pt) {
  if (packet.size() < RtpPacketView::kFixedHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x80) | (pt.value & 0x7F));
  return true;
}
inline bool rewrite_marker(base::MutableBytes packet, bool marker) {
  if (packet.size() < RtpPacketView::kFixedHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x7F) | (marker ? 0x80 : 0));
  return true;
}

// An extension value, in place: packet holds the bytes layout was parsed from, or a copy with the same layout
// (the sink's own send buffer). False when layout has no such element or its size differs from the new value's.
template <class Ext>
bool rewrite_extension(base::MutableBytes packet, const RtpPacketView& layout, const typename Ext::Value& v) {
  const size_t at = layout.extension_offset(Ext::kType);
  if (at == 0) return false;
  const size_t n = Ext::size(v);
  if (layout.extension(Ext::kType)->size() != n || at + n > packet.size()) return false;
  Ext::write(packet.data() + at, v);
  return true;
}
inline bool rewrite_transport_sequence_number(base::MutableBytes packet, const RtpPacketView& layout, uint16_t seq) {
  return rewrite_extension<ext::TransportSequenceNumber>(packet, layout, seq);
}
inline bool rewrite_abs_send_time(base::MutableBytes packet, const RtpPacketView& layout, uint32_t v24) {
  return rewrite_extension<ext::AbsSendTime>(packet, layout, v24);
}

}  // namespace medley::rtp
