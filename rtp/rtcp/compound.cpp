// RTCP compound reader: framing checks per RFC 3550 §6.4.1 / appendix A.2, and dispatch to the packet views.
#include "rtp/rtcp/compound.hpp"

namespace medley::rtp::rtcp {

const char* to_string(ReadError e) {
  switch (e) {
    case ReadError::kNone: return "none";
    case ReadError::kTruncated: return "truncated";
    case ReadError::kBadVersion: return "bad version";
    case ReadError::kBadPadding: return "bad padding";
    case ReadError::kPaddingNotLast: return "padding not on last packet";
    case ReadError::kMalformed: return "malformed packet";
  }
  return "?";
}

std::optional<PacketView> CompoundReader::next_view() {
  if (error_ != ReadError::kNone || rest_.empty()) return std::nullopt;
  auto fail = [&](ReadError e) -> std::optional<PacketView> {
    error_ = e;
    rest_ = {};
    return std::nullopt;
  };
  if (rest_.size() < kHeaderSize) return fail(ReadError::kTruncated);
  const uint8_t* p = rest_.data();
  if ((p[0] >> 6) != 2) return fail(ReadError::kBadVersion);
  size_t size = (size_t{base::load_be16(p + 2)} + 1) * 4;
  if (size > rest_.size()) return fail(ReadError::kTruncated);
  PacketView v;
  v.padding = (p[0] & 0x20) != 0;
  v.count = p[0] & 0x1f;
  v.type = p[1];
  v.data = rest_.first(size);
  v.payload = v.data.subspan(kHeaderSize);
  if (v.padding) {
    if (options_.padding_only_last && size != rest_.size()) return fail(ReadError::kPaddingNotLast);
    size_t pad = v.data.back();
    if (pad == 0 || pad > v.payload.size()) return fail(ReadError::kBadPadding);
    v.payload = v.payload.first(v.payload.size() - pad);
  }
  rest_ = rest_.subspan(size);
  offset_ += size;
  ++packets_;
  return v;
}

std::optional<Packet> decode_packet(const PacketView& v) {
  auto as = [](auto parsed) -> std::optional<Packet> {
    if (!parsed) return std::nullopt;
    return Packet(*parsed);
  };
  switch (v.packet_type()) {
    case PacketType::kSr: return as(SenderReportView::parse(v));
    case PacketType::kRr: return as(ReceiverReportView::parse(v));
    case PacketType::kSdes: return as(SdesView::parse(v));
    case PacketType::kBye: return as(ByeView::parse(v));
    case PacketType::kRtpfb:
      if (v.count == kFmtNack) return as(NackView::parse(v));
      if (v.count == kFmtTwcc) return as(TwccFeedbackView::parse(v));
      break;
    case PacketType::kPsfb:
      if (v.count == kFmtPli) return as(PliView::parse(v));
      if (v.count == kFmtFir) return as(FirView::parse(v));
      if (v.count == kFmtAfb && RembView::is_remb(v)) return as(RembView::parse(v));
      break;
    default:
      break;
  }
  return Packet(UnknownPacket{v});
}

std::optional<Packet> CompoundReader::next() {
  size_t at = offset_;
  auto v = next_view();
  if (!v) return std::nullopt;
  auto packet = decode_packet(*v);
  if (!packet) {
    error_ = ReadError::kMalformed;
    offset_ = at;
    --packets_;
    rest_ = {};
    return std::nullopt;
  }
  if (std::holds_alternative<UnknownPacket>(*packet)) ++unknown_;
  return packet;
}

bool validate_compound(base::Bytes datagram, ReadOptions options) {
  CompoundReader r(datagram, options);
  size_t n = 0;
  while (r.next()) ++n;
  return r.ok() && n > 0;
}

}  // namespace medley::rtp::rtcp
