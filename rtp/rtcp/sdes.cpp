// Source description: chunk/item validation, iteration and writing.
#include "rtp/rtcp/sdes.hpp"

namespace medley::rtp::rtcp {

namespace {

std::string_view as_text(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

// Walks one chunk starting at p[0]; returns the size of its items (terminator excluded) and sets `next` to the
// offset of the following chunk, or nullopt when the chunk runs past the end or lacks its null terminator.
std::optional<size_t> walk_chunk(base::Bytes p, size_t& next) {
  if (p.size() < 4) return std::nullopt;
  size_t pos = 4;
  for (;;) {
    if (pos >= p.size()) return std::nullopt;  // RFC 3550 §6.5: the item list ends with at least one null octet
    if (p[pos] == kSdesEnd) break;
    if (pos + 2 > p.size() || pos + 2 + p[pos + 1] > p.size()) return std::nullopt;
    pos += 2 + p[pos + 1];
  }
  size_t items = pos - 4;
  // Skip the null octet and the padding to the next 32-bit boundary; some senders cut the final padding short.
  size_t aligned = (pos + 1 + 3) & ~size_t{3};
  next = aligned < p.size() ? aligned : p.size();
  return items;
}

}  // namespace

SdesItem SdesChunkView::ItemIterator::operator*() const {
  return SdesItem{rest_[0], as_text(rest_.data() + 2, rest_[1])};
}

SdesChunkView::ItemIterator& SdesChunkView::ItemIterator::operator++() {
  rest_ = rest_.subspan(2 + size_t{rest_[1]});
  return *this;
}

std::optional<std::string_view> SdesChunkView::find(uint8_t type) const {
  for (SdesItem item : *this) {
    if (item.type == type) return item.text;
  }
  return std::nullopt;
}

SdesChunkView SdesView::ChunkIterator::operator*() const {
  size_t next = 0;
  size_t items = walk_chunk(payload_, next).value_or(0);  // validated by parse()
  return SdesChunkView(Ssrc(base::load_be32(payload_.data())), payload_.subspan(4, items));
}

SdesView::ChunkIterator& SdesView::ChunkIterator::operator++() {
  size_t next = payload_.size();
  walk_chunk(payload_, next);
  payload_ = payload_.subspan(next);
  --remaining_;
  return *this;
}

std::optional<SdesView> SdesView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kSdes)) return std::nullopt;
  base::Bytes rest = packet.payload;
  for (size_t i = 0; i < packet.count; ++i) {
    size_t next = 0;
    if (!walk_chunk(rest, next)) return std::nullopt;
    rest = rest.subspan(next);
  }
  SdesView v;
  v.payload_ = packet.payload;
  v.count_ = packet.count;
  return v;
}

std::optional<std::string_view> SdesView::cname(Ssrc ssrc) const {
  for (SdesChunkView chunk : *this) {
    if (chunk.ssrc() == ssrc) {
      if (auto c = chunk.cname()) return c;
    }
  }
  return std::nullopt;
}

bool write_sdes(base::ByteWriter& w, std::span<const SdesChunk> chunks) {
  if (chunks.size() > kMaxCount) return false;
  for (const SdesChunk& c : chunks) {
    for (const SdesItem& item : c.items) {
      if (item.type == kSdesEnd || item.text.size() > 255) return false;
    }
  }
  size_t start = begin_packet(w, static_cast<uint8_t>(chunks.size()), PacketType::kSdes);
  for (const SdesChunk& c : chunks) {
    w.u32(c.ssrc.value);
    for (const SdesItem& item : c.items) {
      w.u8(item.type);
      w.u8(static_cast<uint8_t>(item.text.size()));
      w.bytes(base::Bytes(reinterpret_cast<const uint8_t*>(item.text.data()), item.text.size()));
    }
    // At least one null octet, then nulls up to the next 32-bit boundary (RFC 3550 §6.5).
    w.u8(kSdesEnd);
    size_t len = w.size() - start;
    if (len % 4 != 0) w.zeros(4 - len % 4);
  }
  return end_packet(w, start);
}

bool write_sdes_cname(base::ByteWriter& w, Ssrc ssrc, std::string_view cname) {
  const SdesItem item{kSdesCname, cname};
  const SdesChunk chunk{ssrc, std::span<const SdesItem>(&item, 1)};
  return write_sdes(w, std::span<const SdesChunk>(&chunk, 1));
}

}  // namespace medley::rtp::rtcp
