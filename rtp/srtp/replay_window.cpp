// SRTP index estimation and replay windows, matching libsrtp2's rdbx/rdb semantics bit for bit.
#include "rtp/srtp/replay_window.hpp"

#include <cstring>

namespace medley::rtp {

size_t RtpReplayWindow::round_bits(size_t requested) {
  size_t bits = kMinBits;
  while (bits < requested && bits < kMaxBits) bits <<= 1;
  return bits;
}

RtpReplayWindow::RtpReplayWindow(size_t bits) : bits_(round_bits(bits)), mask_(new uint64_t[bits_ / 64]) {
  std::memset(mask_.get(), 0, bits_ / 8);
}

bool RtpReplayWindow::estimate(uint16_t seq, Estimate& out) const {
  constexpr uint32_t kMedian = 1u << 15;
  constexpr int64_t kSpan = 1 << 16;
  if (index_ <= kMedian) {
    out.index = seq;
    out.delta = static_cast<int64_t>(seq) - static_cast<int64_t>(index_);
    return true;
  }
  // srtp_index_guess(): pick the ROC that puts seq nearest to the highest sequence number seen.
  uint32_t local_roc = static_cast<uint32_t>(index_ >> 16);
  uint16_t local_seq = static_cast<uint16_t>(index_);
  int64_t diff = static_cast<int64_t>(seq) - local_seq;
  uint64_t guess_roc = local_roc;
  if (local_seq < kMedian) {
    if (diff > static_cast<int64_t>(kMedian)) {
      guess_roc = local_roc - 1;  // local_roc >= 1 here since index_ > 2^15 and local_seq < 2^15
      diff -= kSpan;
    }
  } else if (static_cast<uint32_t>(local_seq) - kMedian > seq) {
    guess_roc = uint64_t{local_roc} + 1;
    diff += kSpan;
  }
  if (guess_roc > 0xFFFFFFFFu) return false;
  out.index = (guess_roc << 16) | seq;
  out.delta = diff;
  return true;
}

bool RtpReplayWindow::check(const Estimate& e) const {
  if (e.delta > 0) return true;
  if (-e.delta > static_cast<int64_t>(bits_) - 1) return false;  // older than the window
  return !seen(e.index);
}

void RtpReplayWindow::add(const Estimate& e) {
  if (e.delta > 0) {
    uint64_t advance = static_cast<uint64_t>(e.delta);
    if (advance >= bits_) {
      std::memset(mask_.get(), 0, bits_ / 8);
    } else {
      // Forget the indices that leave the window: they share ring positions with the ones coming in.
      for (uint64_t i = index_ + 1; i <= index_ + advance; ++i) mask_[word(i)] &= ~(uint64_t{1} << (i & 63));
    }
    index_ = e.index;
  }
  mask_[word(e.index)] |= uint64_t{1} << (e.index & 63);
}

bool RtcpReplayWindow::check(uint32_t index) const {
  if (index >= window_start_ + uint64_t{kBits}) return true;
  if (index < window_start_) return false;
  return !bit(index - window_start_);
}

void RtcpReplayWindow::add(uint32_t index) {
  if (index < window_start_) return;
  uint32_t delta = index - window_start_;
  if (delta >= kBits) {
    uint32_t shift = delta - (kBits - 1);
    if (shift >= kBits) {
      mask_[0] = mask_[1] = 0;
    } else if (shift >= 64) {
      mask_[0] = mask_[1] >> (shift - 64);
      mask_[1] = 0;
    } else if (shift > 0) {
      mask_[0] = (mask_[0] >> shift) | (mask_[1] << (64 - shift));
      mask_[1] >>= shift;
    }
    window_start_ += shift;
    delta = kBits - 1;
  }
  mask_[delta >> 6] |= uint64_t{1} << (delta & 63);
}

}  // namespace medley::rtp
