// Receiver-side NACK generation (RFC 4585 generic NACK): which lost packets to ask for, and when to give up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"

namespace medley::rtp {

struct NackConfig {
  size_t max_missing = 1000;                              // more missing than this: ask for a keyframe instead
  int max_retries = 10;                                   // NACKs per packet before giving up
  base::Duration max_age = base::Duration::millis(1000);  // a packet missing this long is given up
  base::Duration min_resend_interval = base::Duration::millis(20);  // floor under RTT-based resends
  base::Duration initial_rtt = base::Duration::millis(100);         // until the first RTT measurement
  base::Duration reorder_delay = base::Duration::zero();  // wait before the first NACK (0: at once, as libwebrtc)
  bool keyframe_on_give_up = true;                        // video: a gap that cannot be repaired needs a keyframe
};

// What poll() found due.
struct NackPoll {
  bool keyframe_needed = false;  // a gap could not be repaired (gave up or overflowed): send PLI/FIR
  size_t given_up = 0;           // packets abandoned in this poll
};

class NackGenerator {
 public:
  explicit NackGenerator(NackConfig config = {});

  // A packet arrived (sequence already unwrapped). Returns true if it filled a gap we were NACKing.
  // keyframe: this packet starts a keyframe; missing packets before it are no longer worth repairing.
  bool on_packet(SeqNo seq, base::Timestamp now, bool keyframe = false);
  // The latest round-trip time, from RTCP; resends wait max(rtt, min_resend_interval).
  void set_rtt(base::Duration rtt) { rtt_ = rtt; }

  // Appends to `out` the 16-bit sequence numbers due for a NACK at `now` (first requests and resends).
  NackPoll poll(base::Timestamp now, std::vector<uint16_t>& out);
  // When poll() next has something to do; Timestamp::infinite() if nothing is missing.
  base::Timestamp next_timeout() const;

  size_t missing_count() const { return missing_.size(); }
  uint64_t nacks_sent() const { return nacks_sent_; }
  uint64_t recovered() const { return recovered_; }
  uint64_t given_up() const { return given_up_total_; }
  uint64_t keyframe_requests() const { return keyframe_requests_; }

 private:
  struct Missing {
    SeqNo seq;
    base::Timestamp detected;
    base::Timestamp next_send;
    int retries;
  };
  base::Duration resend_interval() const;
  void drop_before(SeqNo seq);

  NackConfig config_;
  base::Duration rtt_;
  bool started_ = false;
  SeqNo highest_ = 0;
  SeqNo last_keyframe_ = -1;
  bool keyframe_pending_ = false;  // overflow asked for a keyframe; reported at the next poll
  std::vector<Missing> missing_;   // sorted by seq; new gaps are always above the highest, so appends dominate
  uint64_t nacks_sent_ = 0;
  uint64_t recovered_ = 0;
  uint64_t given_up_total_ = 0;
  uint64_t keyframe_requests_ = 0;
};

}  // namespace medley::rtp
