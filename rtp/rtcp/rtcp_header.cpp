// The RTCP common header: feedback SSRC pair parsing and packet framing on write.
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

std::optional<FeedbackHeader> FeedbackHeader::parse(base::Bytes payload) {
  if (payload.size() < kFeedbackHeaderSize) return std::nullopt;
  return FeedbackHeader{Ssrc(base::load_be32(payload.data())), Ssrc(base::load_be32(payload.data() + 4))};
}

size_t begin_packet(base::ByteWriter& w, uint8_t count, PacketType pt) {
  size_t start = w.size();
  w.u8(static_cast<uint8_t>(0x80 | (count & 0x1f)));
  w.u8(static_cast<uint8_t>(pt));
  w.u16(0);
  return start;
}

bool end_packet(base::ByteWriter& w, size_t start) {
  if (!w.ok() || start > w.size()) return false;
  size_t len = w.size() - start;
  if (len % 4 != 0) w.zeros(4 - len % 4);
  len = w.size() - start;
  if (!w.ok() || len > kMaxPacketSize) return false;
  w.patch_u16(start + 2, static_cast<uint16_t>(len / 4 - 1));
  return true;
}

void write_feedback_header(base::ByteWriter& w, Ssrc sender, Ssrc media) {
  w.u32(sender.value);
  w.u32(media.value);
}

}  // namespace medley::rtp::rtcp
