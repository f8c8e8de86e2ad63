// Transport-wide CC feedback: validation and the allocation-free status iterator.
#include "rtp/rtcp/twcc_feedback.hpp"

namespace medley::rtp::rtcp {

namespace {

constexpr size_t kFixedSize = kFeedbackHeaderSize + 8;

// Chunk layouts (§3.1.3, §3.1.4): T=0 run length (2-bit symbol, 13-bit length); T=1,S=0 fourteen 1-bit symbols;
// T=1,S=1 seven 2-bit symbols.
uint16_t chunk_length(uint16_t chunk) {
  if ((chunk & 0x8000) == 0) return chunk & 0x1fff;
  return (chunk & 0x4000) ? 7 : 14;
}

uint8_t chunk_symbol(uint16_t chunk, unsigned i) {
  if ((chunk & 0x8000) == 0) return (chunk >> 13) & 3;
  if ((chunk & 0x4000) == 0) return (chunk >> (13 - i)) & 1;
  return (chunk >> (2 * (6 - i))) & 3;
}

}  // namespace

std::optional<TwccFeedbackView> TwccFeedbackView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kRtpfb, kFmtTwcc)) return std::nullopt;
  const base::Bytes p = packet.payload;
  if (p.size() < kFixedSize) return std::nullopt;
  TwccFeedbackView v;
  v.sender_ = Ssrc(base::load_be32(p.data()));
  v.media_ = Ssrc(base::load_be32(p.data() + 4));
  v.base_seq_ = base::load_be16(p.data() + 8);
  v.status_count_ = base::load_be16(p.data() + 10);
  v.ref_raw_ = base::load_be24(p.data() + 12);
  v.fb_count_ = p[15];
  v.chunks_ = p.data() + kFixedSize;

  // Walk the chunks until every status is covered, counting the delta bytes they promise.
  size_t pos = kFixedSize;
  size_t left = v.status_count_;
  size_t delta_bytes = 0;
  size_t received = 0;
  while (left > 0) {
    if (pos + 2 > p.size()) return std::nullopt;
    uint16_t chunk = base::load_be16(p.data() + pos);
    pos += 2;
    size_t len = chunk_length(chunk);
    if (len > left) len = left;
    if ((chunk & 0x8000) == 0) {
      uint8_t sym = chunk_symbol(chunk, 0);
      if (sym == 3 && len > 0) return std::nullopt;
      delta_bytes += sym * len;
      if (sym != 0) received += len;
    } else {
      for (unsigned i = 0; i < len; ++i) {
        uint8_t sym = chunk_symbol(chunk, i);
        if (sym == 3) return std::nullopt;
        delta_bytes += sym;
        if (sym != 0) ++received;
      }
    }
    left -= len;
  }
  if (delta_bytes > p.size() - pos) return std::nullopt;
  v.deltas_ = p.data() + pos;
  v.received_ = received;
  return v;
}

TwccFeedbackView::Iterator TwccFeedbackView::begin() const {
  Iterator it;
  it.left_ = status_count_;
  it.next_chunk_ = chunks_;
  it.delta_ = deltas_;
  it.cur_.seq = base_seq_;
  it.cur_.arrival = reference_time();
  if (it.left_ == 0) return it;
  it.load_chunk();
  it.decode();
  return it;
}

void TwccFeedbackView::Iterator::load_chunk() {
  // parse() proved enough chunks follow; zero-length run chunks carry nothing and are skipped.
  do {
    chunk_ = base::load_be16(next_chunk_);
    next_chunk_ += 2;
    chunk_len_ = chunk_length(chunk_);
  } while (chunk_len_ == 0);
  index_ = 0;
}

void TwccFeedbackView::Iterator::decode() {
  cur_.symbol = static_cast<TwccSymbol>(chunk_symbol(chunk_, index_));
  switch (cur_.symbol) {
    case TwccSymbol::kSmallDelta:
      cur_.delta_ticks = delta_[0];
      delta_ += 1;
      break;
    case TwccSymbol::kLargeDelta:
      cur_.delta_ticks = static_cast<int16_t>(base::load_be16(delta_));
      delta_ += 2;
      break;
    default:
      cur_.delta_ticks = 0;
      break;
  }
  cur_.arrival += kTwccDeltaTick * cur_.delta_ticks;
}

TwccFeedbackView::Iterator& TwccFeedbackView::Iterator::operator++() {
  if (--left_ == 0) return *this;
  ++cur_.seq;
  if (++index_ >= chunk_len_) load_chunk();
  decode();
  return *this;
}

}  // namespace medley::rtp::rtcp
