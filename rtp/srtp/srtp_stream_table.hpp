// Per-SSRC SRTP state of one direction: RTP index/replay window, SRTCP replay window or send index.
// A flat, bounded table: a session sees a handful of SSRCs, so a linear scan over packed SSRCs beats a map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/srtp/replay_window.hpp"

namespace medley::rtp {

struct SrtpStreamState {
  explicit SrtpStreamState(size_t window_bits) : rtp(window_bits) {}
  RtpReplayWindow rtp;       // both directions: a sender also refuses to reuse an index (keystream reuse)
  RtcpReplayWindow rtcp;     // receiving
  uint32_t srtcp_index = 0;  // sending: the last SRTCP index used (the first packet carries 1, as libsrtp2)
};

class SrtpStreamTable {
 public:
  SrtpStreamTable(size_t window_bits, size_t max_ssrcs);

  SrtpStreamState* find(uint32_t ssrc);
  // The state for ssrc, created when new; nullptr when new and the table is full. Allocates only on a new SSRC.
  SrtpStreamState* find_or_add(uint32_t ssrc);
  bool remove(uint32_t ssrc);
  size_t size() const { return ssrcs_.size(); }

 private:
  size_t window_bits_;
  size_t max_ssrcs_;
  size_t last_ = 0;              // most streams send runs of packets: try the last hit first
  std::vector<uint32_t> ssrcs_;  // ssrcs_[i] owns states_[i]
  std::vector<SrtpStreamState> states_;
};

}  // namespace medley::rtp
