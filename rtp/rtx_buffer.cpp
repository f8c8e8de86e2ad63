// Send-side retransmission buffer.
#include "rtp/rtx_buffer.hpp"

#include <bit>

namespace medley::rtp {

RtxBuffer::RtxBuffer(Config config) : config_(config) {
  size_t cap = std::bit_ceil(config_.capacity < 1 ? size_t{1} : config_.capacity);
  if (cap > 0x10000) cap = 0x10000;  // more slots than sequence numbers would alias
  slots_.resize(cap);
  mask_ = cap - 1;
}

void RtxBuffer::store(uint16_t seq, base::BufferRef packet, base::Timestamp now) {
  Slot& slot = slots_[seq & mask_];
  slot.packet = std::move(packet);
  slot.seq = seq;
  slot.sent = now;
  slot.resent_once = false;
}

const base::BufferRef* RtxBuffer::take_for_resend(uint16_t seq, base::Timestamp now, base::Duration min_interval) {
  Slot& slot = slots_[seq & mask_];
  if (!slot.packet || slot.seq != seq || now - slot.sent > config_.max_age) {
    ++misses_;
    return nullptr;
  }
  if (slot.resent_once && now - slot.last_resent < min_interval) return nullptr;
  slot.resent_once = true;
  slot.last_resent = now;
  ++resent_;
  return &slot.packet;
}

void RtxBuffer::clear() {
  for (Slot& s : slots_) s = Slot{};
}

}  // namespace medley::rtp
