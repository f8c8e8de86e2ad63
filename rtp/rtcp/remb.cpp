// REMB: parse, bitrate coding and write.
#include "rtp/rtcp/remb.hpp"

#include <bit>

namespace medley::rtp::rtcp {

namespace {
constexpr uint32_t kRembId = 0x52454d42;  // "REMB"
constexpr size_t kFixedSize = kFeedbackHeaderSize + 8;
constexpr uint32_t kMaxMantissa = (1u << 18) - 1;
}  // namespace

bool RembView::is_remb(const PacketView& packet) {
  return packet.is(PacketType::kPsfb, kFmtAfb) && packet.payload.size() >= kFeedbackHeaderSize + 4 &&
         base::load_be32(packet.payload.data() + kFeedbackHeaderSize) == kRembId;
}

std::optional<RembView> RembView::parse(const PacketView& packet) {
  if (!is_remb(packet) || packet.payload.size() < kFixedSize) return std::nullopt;
  const uint8_t* p = packet.payload.data();
  size_t count = p[12];
  if (kFixedSize + 4 * count > packet.payload.size()) return std::nullopt;
  uint8_t exponent = p[13] >> 2;
  uint64_t mantissa = (uint64_t{p[13] & 3u} << 16) | base::load_be16(p + 14);
  uint64_t bitrate = mantissa << exponent;
  if ((bitrate >> exponent) != mantissa) return std::nullopt;
  RembView v;
  v.sender_ = Ssrc(base::load_be32(p));
  v.bitrate_ = bitrate;
  v.ssrcs_ = p + kFixedSize;
  v.count_ = count;
  return v;
}

RembBitrate RembBitrate::encode(uint64_t bps) {
  unsigned width = static_cast<unsigned>(std::bit_width(bps));
  uint8_t exponent = width > 18 ? static_cast<uint8_t>(width - 18) : 0;
  return RembBitrate{exponent, static_cast<uint32_t>(bps >> exponent) & kMaxMantissa};
}

bool write_remb(base::ByteWriter& w, Ssrc sender, uint64_t bitrate_bps, std::span<const Ssrc> ssrcs) {
  if (ssrcs.size() > 255) return false;
  RembBitrate br = RembBitrate::encode(bitrate_bps);
  size_t start = begin_packet(w, kFmtAfb, PacketType::kPsfb);
  write_feedback_header(w, sender, Ssrc(0));  // media source unused (draft-alvestrand-rmcat-remb §2.2)
  w.u32(kRembId);
  w.u8(static_cast<uint8_t>(ssrcs.size()));
  w.u24((uint32_t{br.exponent} << 18) | br.mantissa);
  for (Ssrc s : ssrcs) w.u32(s.value);
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
