// Receiver-side NACK generation, modelled on libwebrtc's NackRequester: NACK at once, resend per RTT, give up
// by retries or age, and prefer a keyframe when the missing list would overflow.
#include "rtp/nack_generator.hpp"

#include <algorithm>

namespace medley::rtp {

NackGenerator::NackGenerator(NackConfig config) : config_(config), rtt_(config.initial_rtt) {
  missing_.reserve(config_.max_missing);
}

base::Duration NackGenerator::resend_interval() const {
  return std::max(rtt_, config_.min_resend_interval);
}

void NackGenerator::drop_before(SeqNo seq) {
  auto it = std::lower_bound(missing_.begin(), missing_.end(), seq,
                             [](const Missing& m, SeqNo s) { return m.seq < s; });
  missing_.erase(missing_.begin(), it);
}

bool NackGenerator::on_packet(SeqNo seq, base::Timestamp now, bool keyframe) {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    if (keyframe) last_keyframe_ = seq;
    return false;
  }
  if (seq <= highest_) {
    // Late or retransmitted: it may fill a gap.
    auto it = std::lower_bound(missing_.begin(), missing_.end(), seq,
                               [](const Missing& m, SeqNo s) { return m.seq < s; });
    if (it != missing_.end() && it->seq == seq) {
      missing_.erase(it);
      ++recovered_;
      return true;
    }
    return false;
  }
  if (keyframe) {
    last_keyframe_ = seq;
    // Everything before a keyframe is useless to the decoder (libwebrtc clears its list the same way).
    drop_before(seq);
  }
  const SeqNo gap = keyframe ? 0 : seq - highest_ - 1;
  if (gap > 0) {
    if (static_cast<size_t>(gap) + missing_.size() > config_.max_missing) {
      // Too much to repair: a keyframe is cheaper than a storm of NACKs.
      given_up_total_ += missing_.size() + static_cast<size_t>(gap);
      missing_.clear();
      keyframe_pending_ = true;
    } else {
      const base::Timestamp first = now + config_.reorder_delay;
      for (SeqNo s = highest_ + 1; s < seq; ++s) missing_.push_back(Missing{s, now, first, 0});
    }
  }
  highest_ = seq;
  return false;
}

NackPoll NackGenerator::poll(base::Timestamp now, std::vector<uint16_t>& out) {
  NackPoll result;
  if (keyframe_pending_) {
    keyframe_pending_ = false;
    result.keyframe_needed = true;
  }
  const base::Duration interval = resend_interval();
  size_t kept = 0;
  for (size_t i = 0; i < missing_.size(); ++i) {
    Missing& m = missing_[i];
    // After the last NACK, wait one more interval for its answer before giving up.
    const bool retried_out = m.retries >= config_.max_retries && m.next_send <= now;
    if (retried_out || now - m.detected >= config_.max_age) {
      ++result.given_up;
      continue;  // dropped by not copying it forward
    }
    if (m.next_send <= now) {
      out.push_back(static_cast<uint16_t>(m.seq));
      ++m.retries;
      ++nacks_sent_;
      m.next_send = now + interval;
    }
    missing_[kept++] = m;
  }
  missing_.resize(kept);
  if (result.given_up > 0) {
    given_up_total_ += result.given_up;
    if (config_.keyframe_on_give_up) result.keyframe_needed = true;
  }
  if (result.keyframe_needed) ++keyframe_requests_;
  return result;
}

base::Timestamp NackGenerator::next_timeout() const {
  if (keyframe_pending_) return base::Timestamp::zero();
  base::Timestamp next = base::Timestamp::infinite();
  for (const Missing& m : missing_) {
    next = base::earliest(next, base::earliest(m.next_send, m.detected + config_.max_age));
  }
  return next;
}

}  // namespace medley::rtp
