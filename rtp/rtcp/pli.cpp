// Picture loss indication: parse and write.
#include "rtp/rtcp/pli.hpp"

namespace medley::rtp::rtcp {

std::optional<PliView> PliView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kPsfb, kFmtPli)) return std::nullopt;
  auto fb = FeedbackHeader::parse(packet.payload);
  if (!fb) return std::nullopt;
  PliView v;
  v.sender_ = fb->sender;
  v.media_ = fb->media;
  return v;
}

bool write_pli(base::ByteWriter& w, Ssrc sender, Ssrc media) {
  size_t start = begin_packet(w, kFmtPli, PacketType::kPsfb);
  write_feedback_header(w, sender, media);
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
