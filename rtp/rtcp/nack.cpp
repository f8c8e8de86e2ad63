// Generic NACK: parse, iterate lost sequence numbers, pack and write.
#include "rtp/rtcp/nack.hpp"

#include <bit>

namespace medley::rtp::rtcp {

namespace {
constexpr size_t kPairSize = 4;
constexpr size_t kMaxPairs = (kMaxPacketSize - kHeaderSize - kFeedbackHeaderSize) / kPairSize;

// Greedy packing: a number 1..16 after the open pair's PID (serial distance, so 0xffff -> 0x0000 is 1) joins its
// mask; anything else closes the pair and opens another. Returns the number of pairs emitted.
template <class Emit>
size_t for_each_pair(std::span<const uint16_t> lost, Emit&& emit) {
  size_t n = 0;
  NackPair cur;
  bool open = false;
  for (uint16_t seq : lost) {
    if (open) {
      uint16_t d = static_cast<uint16_t>(seq - cur.pid);
      if (d == 0) continue;  // duplicate of the PID
      if (d <= 16) {
        cur.blp = static_cast<uint16_t>(cur.blp | (1u << (d - 1)));
        continue;
      }
      emit(cur);
      ++n;
    }
    cur = NackPair{seq, 0};
    open = true;
  }
  if (open) {
    emit(cur);
    ++n;
  }
  return n;
}
}  // namespace

NackView::LostIterator::LostIterator(const uint8_t* fci, size_t pairs) : fci_(fci), pairs_(pairs) {
  if (pairs_ == 0) return;
  pid_ = base::load_be16(fci_);
  mask_ = 1u | (uint32_t{base::load_be16(fci_ + 2)} << 1);
  bit_ = 0;
}

void NackView::LostIterator::settle() {
  while (pairs_ > 0) {
    if (mask_ != 0) {
      bit_ = static_cast<unsigned>(std::countr_zero(mask_));
      return;
    }
    --pairs_;
    if (pairs_ == 0) return;
    fci_ += kPairSize;
    pid_ = base::load_be16(fci_);
    mask_ = 1u | (uint32_t{base::load_be16(fci_ + 2)} << 1);
  }
}

NackView::LostIterator& NackView::LostIterator::operator++() {
  mask_ &= ~(1u << bit_);
  settle();
  return *this;
}

std::optional<NackView> NackView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kRtpfb, kFmtNack)) return std::nullopt;
  auto fb = FeedbackHeader::parse(packet.payload);
  if (!fb) return std::nullopt;
  size_t pairs = (packet.payload.size() - kFeedbackHeaderSize) / kPairSize;
  if (pairs == 0) return std::nullopt;
  NackView v;
  v.sender_ = fb->sender;
  v.media_ = fb->media;
  v.fci_ = packet.payload.data() + kFeedbackHeaderSize;
  v.pairs_ = pairs;
  return v;
}

NackPair NackView::pair(size_t i) const {
  const uint8_t* p = fci_ + i * kPairSize;
  return NackPair{base::load_be16(p), base::load_be16(p + 2)};
}

size_t NackView::lost_count() const {
  size_t n = 0;
  for (size_t i = 0; i < pairs_; ++i) n += 1 + static_cast<size_t>(std::popcount(pair(i).blp));
  return n;
}

size_t pack_nack_pairs(std::span<const uint16_t> lost, std::span<NackPair> out) {
  size_t n = 0;
  for_each_pair(lost, [&](NackPair p) {
    if (n < out.size()) out[n] = p;
    ++n;
  });
  return n;
}

bool write_nack_pairs(base::ByteWriter& w, Ssrc sender, Ssrc media, std::span<const NackPair> pairs) {
  if (pairs.empty() || pairs.size() > kMaxPairs) return false;
  size_t start = begin_packet(w, kFmtNack, PacketType::kRtpfb);
  write_feedback_header(w, sender, media);
  for (const NackPair& p : pairs) {
    w.u16(p.pid);
    w.u16(p.blp);
  }
  return end_packet(w, start);
}

bool write_nack(base::ByteWriter& w, Ssrc sender, Ssrc media, std::span<const uint16_t> lost) {
  if (lost.empty()) return false;
  // Pairs go straight into the output, so no scratch list is needed.
  size_t start = begin_packet(w, kFmtNack, PacketType::kRtpfb);
  write_feedback_header(w, sender, media);
  size_t pairs = for_each_pair(lost, [&](NackPair p) {
    w.u16(p.pid);
    w.u16(p.blp);
  });
  if (pairs > kMaxPairs) return false;
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
