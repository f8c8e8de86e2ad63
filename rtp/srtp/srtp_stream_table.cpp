// Bounded per-SSRC SRTP state table.
#include "rtp/srtp/srtp_stream_table.hpp"

#include <algorithm>

namespace medley::rtp {

SrtpStreamTable::SrtpStreamTable(size_t window_bits, size_t max_ssrcs)
    : window_bits_(RtpReplayWindow::round_bits(window_bits)), max_ssrcs_(max_ssrcs) {
  ssrcs_.reserve(std::min<size_t>(max_ssrcs_, 8));
  states_.reserve(std::min<size_t>(max_ssrcs_, 8));
}

SrtpStreamState* SrtpStreamTable::find(uint32_t ssrc) {
  if (last_ < ssrcs_.size() && ssrcs_[last_] == ssrc) return &states_[last_];
  for (size_t i = 0; i < ssrcs_.size(); ++i) {
    if (ssrcs_[i] == ssrc) {
      last_ = i;
      return &states_[i];
    }
  }
  return nullptr;
}

SrtpStreamState* SrtpStreamTable::find_or_add(uint32_t ssrc) {
  if (SrtpStreamState* s = find(ssrc)) return s;
  if (ssrcs_.size() >= max_ssrcs_) return nullptr;
  ssrcs_.push_back(ssrc);
  states_.emplace_back(window_bits_);
  last_ = ssrcs_.size() - 1;
  return &states_.back();
}

bool SrtpStreamTable::remove(uint32_t ssrc) {
  for (size_t i = 0; i < ssrcs_.size(); ++i) {
    if (ssrcs_[i] != ssrc) continue;
    if (i + 1 != ssrcs_.size()) {
      ssrcs_[i] = ssrcs_.back();
      states_[i] = std::move(states_.back());
    }
    ssrcs_.pop_back();
    states_.pop_back();
    last_ = 0;
    return true;
  }
  return false;
}

}  // namespace medley::rtp
