// JitterBuffer: packet ring, frame boundary scan, latency/size skipping and keyframe gating.
#include "rtp/jitter_buffer.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <utility>

namespace medley::rtp {
namespace {
// Unwrapped 16-bit sequence numbers stay far inside this; anything outside is garbage from the owner and is
// refused before any subtraction could overflow.
constexpr SeqNo kSeqLimit = SeqNo{1} << 62;
}  // namespace

JitterBuffer::Config JitterBuffer::Config::video(base::CodecId codec) {
  Config c;
  c.codec = codec;
  if (codec == base::CodecId::H264) c.start_hold = base::Duration::millis(20);
  return c;
}

JitterBuffer::Config JitterBuffer::Config::audio(base::CodecId codec) {
  Config c;
  c.codec = codec;
  // Every audio packet decodes on its own (a decoder conceals a lost one), so waiting long buys little.
  c.latency = base::Duration::millis(50);
  c.max_packets = 256;
  c.max_frames = 256;
  c.keyframe_gating = false;
  c.one_packet_per_frame = true;
  return c;
}

JitterBuffer::JitterBuffer(std::unique_ptr<Depacketizer> depacketizer, Config config)
    : depacketizer_(std::move(depacketizer)), config_(config) {
  assert(depacketizer_);
  size_t n = std::bit_ceil(std::max<size_t>(config_.max_packets, 16));
  config_.max_packets = n;
  slots_.resize(n);
  mask_ = n - 1;
  events_.reserve(16);
  need_keyframe_ = config_.keyframe_gating;
}

void JitterBuffer::reset() {
  for (Slot& s : slots_) {
    if (s.seq != kNone) clear_slot(s);
  }
  started_ = false;
  head_final_ = false;
  consumed_ = {};
  far_old_run_ = 0;
  need_keyframe_ = config_.keyframe_gating;
  keyframe_requested_ = false;
  depacketizer_dirty_ = true;
  reset_scan();
}

void JitterBuffer::start_at(SeqNo seq) {
  started_ = true;
  head_final_ = false;
  head_ = seq;
  highest_ = seq;
  consumed_ = {};
  far_old_run_ = 0;
  reset_scan();
}

void JitterBuffer::restart(SeqNo seq) {
  SeqNo old_head = head_;
  uint32_t dropped = static_cast<uint32_t>(packets_held_);
  stats_.packets_discarded += packets_held_;
  for (Slot& s : slots_) {
    if (s.seq != kNone) clear_slot(s);
  }
  ++stats_.resets;
  push_event(StreamReset{old_head, seq, dropped});
  need_keyframe_ = config_.keyframe_gating;
  depacketizer_dirty_ = true;
  start_at(seq);
}

JitterInsertResult JitterBuffer::insert(JitterPacket p, base::Timestamp now) {
  ++stats_.packets_inserted;
  if (p.seq <= -kSeqLimit || p.seq >= kSeqLimit) {
    ++stats_.late;
    return JitterInsertResult::TooOld;
  }
  const SeqNo cap = static_cast<SeqNo>(slots_.size());
  if (!started_) {
    start_at(p.seq);
  } else if (p.seq < head_) {
    if (!head_final_ && highest_ - p.seq < cap) {
      // Nothing released yet: the stream's first packets may arrive out of order, so the head moves back.
      head_ = p.seq;
      consumed_ = {};
      reset_scan();
    } else if (head_ - p.seq > cap) {
      // Far behind anything we could have held: a stray very late packet, or a sender that restarted with
      // lower sequence numbers. Only a run of them means a restart.
      if (++far_old_run_ < kFarOldPacketsBeforeRestart) {
        ++stats_.late;
        return JitterInsertResult::TooOld;
      }
      restart(p.seq);
    } else {
      ++stats_.late;
      return JitterInsertResult::TooOld;
    }
  } else if (p.seq - head_ >= cap) {
    if (p.seq - highest_ >= cap) {
      restart(p.seq);  // beyond everything held: a restarted sender, or a loss longer than the buffer
    } else {
      // Full: give up the incomplete frames at the head. Skip at least far enough for this packet, and on to
      // the first complete frame if that is further (nothing before it can be released anyway).
      SeqNo target = p.seq - cap + 1;
      rescan();
      if (found_ && found_->first > target) target = found_->first;
      skip_to(target, FrameLossCause::Overflow);
    }
  }

  Slot& slot = at(p.seq);
  if (slot.seq == p.seq) {
    ++stats_.duplicates;
    return JitterInsertResult::Duplicate;
  }
  assert(slot.seq == kNone);

  JitterInsertResult result = JitterInsertResult::Stored;
  uint8_t flags = 0;
  if (p.size == 0) {
    flags = kStart | kEnd | kPadding;
    ++stats_.padding_packets;
    result = JitterInsertResult::Padding;
  } else if (!p.buffer || uint64_t{p.offset} + p.size > p.buffer->size()) {
    flags = kMalformed;
    result = JitterInsertResult::Malformed;
  } else if (auto info = depacketizer_->inspect(p.payload())) {
    flags = static_cast<uint8_t>((info->frame_start ? kStart : 0) | (info->frame_end ? kEnd : 0) |
                                 (info->keyframe ? kKeyframe : 0));
    slot.width = info->width;
    slot.height = info->height;
    slot.spatial_layer = info->spatial_layer;
    slot.temporal_layer = info->temporal_layer;
  } else {
    flags = kMalformed;
    result = JitterInsertResult::Malformed;
  }
  if (result == JitterInsertResult::Malformed) {
    ++stats_.malformed_packets;
    slot.width = slot.height = 0;
    slot.spatial_layer = slot.temporal_layer = 0;
  }
  if (p.marker && !(flags & kPadding)) flags |= kEnd;
  if (config_.one_packet_per_frame) flags |= kStart | kEnd;

  slot.seq = p.seq;
  slot.buffer = std::move(p.buffer);
  slot.offset = p.offset;
  slot.size = p.size;
  slot.rtp_timestamp = p.rtp_timestamp;
  slot.arrival = p.arrival;
  slot.inserted = now;
  slot.flags = flags;
  ++packets_held_;
  if (flags & kEnd) ++frames_held_;
  ++stats_.packets_stored;
  far_old_run_ = 0;
  highest_ = std::max(highest_, p.seq);
  if (p.seq < scan_next_) reset_scan();  // it may complete (or start) a frame before the one found
  rescan();
  return result;
}

void JitterBuffer::clear_slot(Slot& slot) {
  assert(slot.seq != kNone);
  if (slot.flags & kEnd) --frames_held_;
  --packets_held_;
  slot.seq = kNone;
  slot.buffer.reset();
}

bool JitterBuffer::boundary_before(SeqNo s) const {
  const Slot& cur = at(s);
  if (cur.flags & kPadding) return true;
  if (s == head_) {
    if (consumed_.valid) return consumed_.end || consumed_.rtp_timestamp != cur.rtp_timestamp;
  } else if (present(s - 1)) {
    const Slot& prev = at(s - 1);
    return (prev.flags & kEnd) || prev.rtp_timestamp != cur.rtp_timestamp;
  }
  // The predecessor is unknown: only the payload's own start flag can say.
  return config_.trust_frame_start && (cur.flags & kStart);
}

void JitterBuffer::reset_scan() {
  scan_next_ = head_;
  run_start_ = kNone;
  run_completed_ = {};
  scan_gap_ = false;
  found_.reset();
}

void JitterBuffer::rescan() {
  if (found_ || !started_) return;
  for (SeqNo s = scan_next_; s <= highest_; ++s) {
    if (!present(s)) {
      run_start_ = kNone;
      scan_gap_ = true;
      continue;
    }
    const Slot& slot = at(s);
    bool boundary = boundary_before(s);
    if (boundary && run_start_ != kNone) {
      // The previous packet ended its frame without saying so (the timestamp changed); the frame is known
    // complete only now, so its latency clock starts now.
      found_ = Found{run_start_, s - 1, std::max(run_completed_, slot.inserted), scan_gap_};
      scan_next_ = s;
      return;
    }
    if (boundary) {
      run_start_ = s;
      run_completed_ = slot.inserted;
    } else if (run_start_ != kNone) {
      run_completed_ = std::max(run_completed_, slot.inserted);
    }
    if (run_start_ != kNone && (slot.flags & kEnd)) {
      found_ = Found{run_start_, s, run_completed_, scan_gap_};
      scan_next_ = s + 1;
      return;
    }
  }
  scan_next_ = std::max(scan_next_, highest_ + 1);
}

base::Timestamp JitterBuffer::due_time() const {
  if (!found_) return base::Timestamp::infinite();
  const Found& f = *found_;
  if (f.first == head_) return at_stream_start() ? f.completed + config_.start_hold : f.completed;
  // Only an orphaned tail (its start already skipped) stands before the frame: nothing can fill it.
  if (head_final_ && !f.gap_before) return f.completed;
  if (frames_held_ > config_.max_frames) return f.completed;
  return f.completed + config_.latency;
}

void JitterBuffer::skip_to(SeqNo target, std::optional<FrameLossCause> cause) {
  assert(target >= head_);
  uint32_t frames = 0;
  bool any = false;
  uint32_t last_ts = 0;
  consumed_ = {};
  for (SeqNo s = head_; s < target; ++s) {
    Slot& slot = at(s);
    if (slot.seq != s) {
      consumed_ = {};
      continue;
    }
    if (!(slot.flags & kPadding)) {
      if (!any || slot.rtp_timestamp != last_ts) ++frames;
      any = true;
      last_ts = slot.rtp_timestamp;
    }
    consumed_ = Consumed{true, (slot.flags & kEnd) != 0, slot.rtp_timestamp};
    clear_slot(slot);
    ++stats_.packets_discarded;
  }
  if (cause) {
    frames = std::max<uint32_t>(frames, 1);
    stats_.frames_lost += frames;
    push_event(FramesLost{frames, head_, target, *cause});
  }
  head_ = target;
  head_final_ = true;
  need_keyframe_ = config_.keyframe_gating;
  depacketizer_dirty_ = true;
  reset_scan();
}

bool JitterBuffer::poll(base::Timestamp now, base::EncodedFrame& out) {
  for (;;) {
    rescan();
    if (!found_) return false;
    const Found f = *found_;
    if (f.first == head_ && at_stream_start() && now < f.completed + config_.start_hold) return false;
    if (f.first != head_) {
      if (head_final_ && !f.gap_before) {
        skip_to(f.first, std::nullopt);  // the tail's frame was already reported lost when its start went
      } else if (frames_held_ > config_.max_frames) {
        skip_to(f.first, FrameLossCause::TooManyFrames);
      } else if (now >= f.completed + config_.latency) {
        skip_to(f.first, FrameLossCause::Latency);
      } else {
        return false;
      }
    }
    if (release_head(f, now, out)) {
      rescan();
      return true;
    }
  }
}

bool JitterBuffer::release_head(const Found& f, base::Timestamp now, base::EncodedFrame& out) {
  assert(f.first == head_ && f.last >= f.first);
  const Slot& first = at(f.first);
  out.clear();
  out.codec = config_.codec;
  out.rtp_timestamp = first.rtp_timestamp;
  out.spatial_layer = first.spatial_layer;
  out.temporal_layer = first.temporal_layer;

  bool malformed = false;
  bool padding_only = true;
  bool keyframe = false;
  base::Timestamp arrival = first.arrival;
  for (SeqNo s = f.first; s <= f.last; ++s) {
    const Slot& slot = at(s);
    assert(slot.seq == s);
    malformed |= (slot.flags & kMalformed) != 0;
    padding_only &= (slot.flags & kPadding) != 0;
    keyframe |= (slot.flags & kKeyframe) != 0;
    arrival = std::max(arrival, slot.arrival);
    if (slot.width != 0 && out.width == 0) {
      out.width = slot.width;
      out.height = slot.height;
    }
  }
  out.arrival = arrival;
  out.keyframe = keyframe;

  if (!malformed && !padding_only) {
    if (depacketizer_dirty_) {
      depacketizer_->reset();
      depacketizer_dirty_ = false;
    }
    for (SeqNo s = f.first; s <= f.last && !malformed; ++s) {
      const Slot& slot = at(s);
      if (slot.flags & kPadding) continue;
      if (!depacketizer_->append(base::Bytes{slot.buffer->data() + slot.offset, slot.size}, out)) malformed = true;
    }
    out.keyframe = out.keyframe || keyframe;
  }

  const uint32_t ts = first.rtp_timestamp;
  consumed_ = Consumed{true, true, at(f.last).rtp_timestamp};
  for (SeqNo s = f.first; s <= f.last; ++s) clear_slot(at(s));
  head_ = f.last + 1;
  head_final_ = true;
  reset_scan();

  if (padding_only) return false;
  if (malformed) {
    depacketizer_dirty_ = true;
    need_keyframe_ = config_.keyframe_gating;
    drop_frame(ts, FrameDropReason::Malformed, now);
    return false;
  }
  if (need_keyframe_) {
    if (!out.keyframe) {
      drop_frame(ts, FrameDropReason::WaitingForKeyframe, now);
      if (!keyframe_requested_ || now - last_keyframe_request_ >= config_.keyframe_retry) {
        keyframe_requested_ = true;
        last_keyframe_request_ = now;
        ++stats_.keyframe_requests;
        push_event(KeyframeNeeded{});
      }
      return false;
    }
    need_keyframe_ = false;
    keyframe_requested_ = false;
  }
  ++stats_.frames_released;
  return true;
}

void JitterBuffer::drop_frame(uint32_t rtp_timestamp, FrameDropReason reason, base::Timestamp) {
  ++stats_.frames_dropped;
  push_event(FrameDropped{rtp_timestamp, reason});
}

void JitterBuffer::push_event(JitterEvent e) {
  // An owner that never drains events must not grow memory without bound; the counters keep the totals.
  if (events_.size() - event_read_ >= kMaxPendingEvents) return;
  events_.push_back(e);
}

std::optional<JitterEvent> JitterBuffer::poll_event() {
  if (event_read_ >= events_.size()) return std::nullopt;
  JitterEvent e = events_[event_read_++];
  if (event_read_ == events_.size()) {
    events_.clear();
    event_read_ = 0;
  }
  return e;
}

}  // namespace medley::rtp
