// Transport-wide CC feedback builder: chunk encoding (run length vs 1-bit vs 2-bit vectors) and size planning.
#include "rtp/rtcp/twcc_feedback_builder.hpp"

#include <algorithm>

#include "rtp/rtcp/rtcp_header.hpp"
#include "rtp/rtcp/twcc_feedback.hpp"

namespace medley::rtp::rtcp {

namespace {

constexpr size_t kFixedSize = kHeaderSize + kFeedbackHeaderSize + 8;
constexpr int64_t kTickUs = kTwccDeltaTick.us();
constexpr int64_t kRefTickUs = kTwccReferenceTick.us();

// The chunk under construction, the same policy as libwebrtc's TransportFeedback::LastChunk: keep adding symbols
// while some chunk form can still hold them all (a 2-bit vector up to 7, a 1-bit vector up to 14 without large
// deltas, a run up to 8191 of one symbol), and when none can, emit the best full chunk.
class ChunkEncoder {
 public:
  static constexpr size_t kMaxRun = 0x1fff;
  static constexpr size_t kOneBit = 14;
  static constexpr size_t kTwoBit = 7;

  bool empty() const { return size_ == 0; }

  bool can_add(uint8_t sym) const {
    if (size_ < kTwoBit) return true;
    if (size_ < kOneBit && !has_large_ && sym != 2) return true;
    if (size_ < kMaxRun && all_same_ && syms_[0] == sym) return true;
    return false;
  }

  void add(uint8_t sym) {
    if (size_ < kOneBit) syms_[size_] = sym;
    ++size_;
    all_same_ = all_same_ && sym == syms_[0];
    has_large_ = has_large_ || sym == 2;
  }

  // Only on an empty encoder: a run of `n` lost packets (n < kMaxRun).
  void add_missing(size_t n) {
    std::fill(std::begin(syms_), std::end(syms_), uint8_t{0});
    size_ = n;
    all_same_ = true;
    has_large_ = false;
  }

  // Called when can_add() failed: a run if all symbols match, a full 1-bit vector, else a 2-bit vector of the first
  // seven (the rest stay for the next chunk).
  uint16_t emit() {
    if (all_same_) {
      uint16_t c = run();
      clear();
      return c;
    }
    if (size_ == kOneBit) {
      uint16_t c = one_bit();
      clear();
      return c;
    }
    uint16_t c = two_bit(kTwoBit);
    // Here size_ < kOneBit (a mixed chunk never grows past a 1-bit vector); the min tells the compiler so.
    size_t rest = std::min(size_ - kTwoBit, kOneBit - kTwoBit);
    uint8_t tail[kOneBit];
    std::copy_n(syms_ + kTwoBit, rest, tail);
    clear();
    for (size_t i = 0; i < rest; ++i) add(tail[i]);
    return c;
  }

  uint16_t encode_last() const {
    if (all_same_) return run();
    if (size_ <= kTwoBit) return two_bit(size_);
    return one_bit();
  }

 private:
  void clear() {
    size_ = 0;
    all_same_ = true;
    has_large_ = false;
  }
  uint16_t run() const { return static_cast<uint16_t>((syms_[0] << 13) | size_); }
  uint16_t one_bit() const {
    uint16_t c = 0x8000;
    for (size_t i = 0; i < size_; ++i) c = static_cast<uint16_t>(c | (syms_[i] << (kOneBit - 1 - i)));
    return c;
  }
  uint16_t two_bit(size_t n) const {
    uint16_t c = 0xc000;
    for (size_t i = 0; i < n; ++i) c = static_cast<uint16_t>(c | (syms_[i] << (2 * (kTwoBit - 1 - i))));
    return c;
  }

  uint8_t syms_[kOneBit] = {};
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

// Adds `missing` lost packets then one received packet of symbol `sym`; emit(chunk) sees each finished chunk.
template <class Emit>
void add_status(ChunkEncoder& enc, size_t missing, uint8_t sym, Emit&& emit) {
  if (missing > 0) {
    if (!enc.empty()) {
      while (missing > 0 && enc.can_add(0)) {
        enc.add(0);
        --missing;
      }
      if (missing > 0) emit(enc.emit());
    }
    if (missing > 0) {
      for (; missing >= ChunkEncoder::kMaxRun; missing -= ChunkEncoder::kMaxRun) {
        emit(static_cast<uint16_t>(ChunkEncoder::kMaxRun));  // T=0, S=0: a full run of lost packets
      }
      if (missing > 0) enc.add_missing(missing);
    }
  }
  if (!enc.can_add(sym)) emit(enc.emit());
  enc.add(sym);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Rounds to the nearest tick, halves away from zero (as libwebrtc).
int64_t to_ticks(int64_t us) { return us >= 0 ? (us + kTickUs / 2) / kTickUs : -((-us + kTickUs / 2) / kTickUs); }

}  // namespace

size_t TwccFeedbackBuilder::write(std::span<const TwccArrival> arrivals, base::ByteWriter& w) {
  if (arrivals.empty() || !w.ok()) return 0;
  const size_t limit = std::min(max_packet_size_, std::min(w.remaining(), kMaxPacketSize));
  if (limit < kMinPacketSize) return 0;

  const uint16_t base_seq = arrivals[0].seq;
  const int64_t base_ticks = floor_div(arrivals[0].arrival.us(), kRefTickUs);
  const int64_t base_us = base_ticks * kRefTickUs;

  // Pass 1: how many arrivals fit. Each step works on a copy so a rejected arrival leaves the plan untouched.
  ChunkEncoder enc;
  size_t emitted = 0;
  size_t delta_bytes = 0;
  size_t statuses = 0;
  int64_t last_us = base_us;
  size_t n = 0;
  for (; n < arrivals.size(); ++n) {
    const TwccArrival& a = arrivals[n];
    size_t missing = 0;
    if (n > 0) {
      uint16_t gap = static_cast<uint16_t>(a.seq - arrivals[n - 1].seq);
      if (gap == 0 || gap > 0x8000) break;  // exactly 0x8000 counts as newer, as in libwebrtc
      missing = gap - 1u;
    }
    if (statuses + missing + 1 > 0xffff) break;
    int64_t ticks = to_ticks(a.arrival.us() - last_us);
    if (ticks < INT16_MIN || ticks > INT16_MAX) break;
    uint8_t sym = (ticks >= 0 && ticks <= 0xff) ? 1 : 2;

    ChunkEncoder next = enc;
    size_t next_emitted = emitted;
    add_status(next, missing, sym, [&](uint16_t) { ++next_emitted; });
    size_t size = kFixedSize + 2 * (next_emitted + (next.empty() ? 0 : 1)) + delta_bytes + sym;
    if (((size + 3) & ~size_t{3}) > limit) break;

    enc = next;
    emitted = next_emitted;
    delta_bytes += sym;
    statuses += missing + 1;
    last_us += ticks * kTickUs;
  }
  if (n == 0) return 0;

  // Pass 2: the same steps again, writing chunks, then the deltas.
  size_t start = begin_packet(w, kFmtTwcc, PacketType::kRtpfb);
  w.u32(sender_.value);
  w.u32(media_.value);
  w.u16(base_seq);
  w.u16(static_cast<uint16_t>(statuses));
  w.u24(static_cast<uint32_t>(base_ticks) & 0xffffff);
  w.u8(fb_count_);
  enc = ChunkEncoder();
  last_us = base_us;
  for (size_t i = 0; i < n; ++i) {
    size_t missing = i > 0 ? static_cast<uint16_t>(arrivals[i].seq - arrivals[i - 1].seq) - 1u : 0;
    int64_t ticks = to_ticks(arrivals[i].arrival.us() - last_us);
    last_us += ticks * kTickUs;
    add_status(enc, missing, (ticks >= 0 && ticks <= 0xff) ? 1 : 2, [&](uint16_t chunk) { w.u16(chunk); });
  }
  if (!enc.empty()) w.u16(enc.encode_last());
  last_us = base_us;
  for (size_t i = 0; i < n; ++i) {
    int64_t ticks = to_ticks(arrivals[i].arrival.us() - last_us);
    last_us += ticks * kTickUs;
    if (ticks >= 0 && ticks <= 0xff) {
      w.u8(static_cast<uint8_t>(ticks));
    } else {
      w.u16(static_cast<uint16_t>(static_cast<int16_t>(ticks)));
    }
  }
  if (!end_packet(w, start)) return 0;
  ++fb_count_;
  return n;
}

}  // namespace medley::rtp::rtcp
