// Goodbye: parse and write.
#include "rtp/rtcp/bye.hpp"

namespace medley::rtp::rtcp {

std::optional<ByeView> ByeView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kBye)) return std::nullopt;
  const base::Bytes p = packet.payload;
  const size_t list = 4 * size_t{packet.count};
  if (p.size() < list) return std::nullopt;
  ByeView v;
  v.ssrcs_ = p.data();
  v.count_ = packet.count;
  // Anything after the list is a length-prefixed reason, then zero padding to a word boundary (RFC 3550 §6.6).
  if (p.size() > list) {
    size_t len = p[list];
    if (list + 1 + len > p.size()) return std::nullopt;
    v.reason_ = std::string_view(reinterpret_cast<const char*>(p.data() + list + 1), len);
  }
  return v;
}

bool write_bye(base::ByteWriter& w, std::span<const Ssrc> ssrcs, std::optional<std::string_view> reason) {
  if (ssrcs.size() > kMaxCount) return false;
  if (reason && reason->size() > 255) return false;
  size_t start = begin_packet(w, static_cast<uint8_t>(ssrcs.size()), PacketType::kBye);
  for (Ssrc s : ssrcs) w.u32(s.value);
  if (reason) {
    w.u8(static_cast<uint8_t>(reason->size()));
    w.bytes(base::Bytes(reinterpret_cast<const uint8_t*>(reason->data()), reason->size()));
  }
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
