// Full intra request: parse and write.
#include "rtp/rtcp/fir.hpp"

namespace medley::rtp::rtcp {

namespace {
constexpr size_t kEntrySize = 8;
constexpr size_t kMaxEntries = (kMaxPacketSize - kHeaderSize - kFeedbackHeaderSize) / kEntrySize;
}  // namespace

std::optional<FirView> FirView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kPsfb, kFmtFir)) return std::nullopt;
  auto fb = FeedbackHeader::parse(packet.payload);
  if (!fb) return std::nullopt;
  size_t count = (packet.payload.size() - kFeedbackHeaderSize) / kEntrySize;
  if (count == 0) return std::nullopt;
  FirView v;
  v.sender_ = fb->sender;
  v.media_ = fb->media;
  v.entries_ = packet.payload.data() + kFeedbackHeaderSize;
  v.count_ = count;
  return v;
}

FirEntry FirView::entry(size_t i) const {
  const uint8_t* p = entries_ + i * kEntrySize;
  return FirEntry{Ssrc(base::load_be32(p)), p[4]};
}

bool write_fir(base::ByteWriter& w, Ssrc sender, std::span<const FirEntry> entries) {
  if (entries.empty() || entries.size() > kMaxEntries) return false;
  size_t start = begin_packet(w, kFmtFir, PacketType::kPsfb);
  write_feedback_header(w, sender, Ssrc(0));
  for (const FirEntry& e : entries) {
    w.u32(e.ssrc.value);
    w.u8(e.seq_nr);
    w.zeros(3);  // reserved
  }
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
