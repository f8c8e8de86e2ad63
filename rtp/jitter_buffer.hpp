// JitterBuffer: holds one stream's RTP packets, assembles whole frames and releases them in decode order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/payload/payload.hpp"

namespace medley::rtp {

// One RTP packet of the stream, as its owner hands it over: the sequence number already unwrapped, the payload
// kept alive by a reference to the shared (read-only) packet buffer, never copied on insert.
struct JitterPacket {
  SeqNo seq = 0;
  uint32_t rtp_timestamp = 0;
  bool marker = false;
  base::BufferRef buffer;  // payload = buffer->data()[offset, offset + size); size 0 is a padding packet
  uint32_t offset = 0;
  uint32_t size = 0;
  base::Timestamp arrival;

  base::Bytes payload() const {
    return size == 0 ? base::Bytes{} : base::Bytes{buffer->data() + offset, size};
  }
};

enum class JitterInsertResult : uint8_t {
  Stored,     // kept; it will be released inside a frame (or dropped with its frame later)
  Padding,    // empty payload: kept only to close the sequence gap it would otherwise leave
  Malformed,  // the depacketizer rejected it; kept as a placeholder so its whole frame is dropped, not mixed
  Duplicate,  // the same sequence number is already held
  TooOld,     // its frame was already released or skipped
};

// Events: past-tense facts for the owner (send PLI/FIR, count, log).
enum class FrameLossCause : uint8_t {
  Latency,        // a later frame was complete and waited longer than the latency target
  Overflow,       // a packet did not fit in max_packets, so the oldest ones made room
  TooManyFrames,  // more than max_frames frames were held behind an incomplete one
};
// Frames given up without ever being complete. count is a lower bound (a run of missing packets may have held
// any number of frames); [first_seq, end_seq) is the skipped sequence range.
struct FramesLost {
  uint32_t count = 0;
  SeqNo first_seq = 0;
  SeqNo end_seq = 0;
  FrameLossCause cause = FrameLossCause::Latency;
};
enum class FrameDropReason : uint8_t {
  Malformed,           // the depacketizer rejected a packet of it
  WaitingForKeyframe,  // a delta frame after a loss: its reference is gone
};
// A complete frame that was not released.
struct FrameDropped {
  uint32_t rtp_timestamp = 0;
  FrameDropReason reason = FrameDropReason::Malformed;
};
// Delta frames are being dropped until a keyframe: the owner should send PLI (RFC 4585 6.3.1) or FIR.
// Repeated at most once per Config::keyframe_retry while the wait lasts.
struct KeyframeNeeded {};
// The sequence jumped further than the buffer holds (a restarted sender): everything held was dropped.
struct StreamReset {
  SeqNo old_head = 0;
  SeqNo new_seq = 0;
  uint32_t packets_dropped = 0;
};
using JitterEvent = std::variant<FramesLost, FrameDropped, KeyframeNeeded, StreamReset>;

struct JitterStats {
  uint64_t packets_inserted = 0;   // every insert() call
  uint64_t packets_stored = 0;     // kept (including padding and malformed placeholders)
  uint64_t duplicates = 0;
  uint64_t late = 0;               // arrived for frames already released or skipped
  uint64_t malformed_packets = 0;  // rejected by inspect() (or payload bounds outside the buffer)
  uint64_t padding_packets = 0;
  uint64_t packets_discarded = 0;  // stored, then thrown away by a skip, an overflow or a reset
  uint64_t frames_released = 0;
  uint64_t frames_lost = 0;        // sum of FramesLost::count
  uint64_t frames_dropped = 0;     // complete but not released (FrameDropped)
  uint64_t keyframe_requests = 0;  // KeyframeNeeded events
  uint64_t resets = 0;             // StreamReset events
};

// A sans-IO jitter buffer for one stream (one SSRC, one codec).
//
// Packets live in a ring indexed by SeqNo modulo a power-of-two capacity. A frame is a run of consecutive
// packets with one RTP timestamp, from a known start to a known end:
//  - start: the packet after a frame's end or after a timestamp change (always), or one whose inspect() says
//    frame_start when its predecessor is missing (only if Config::trust_frame_start);
//  - end: the marker bit or inspect().frame_end, or the next packet carrying a different timestamp.
// A missing packet makes its frame incomplete; bytes of two frames are never put in one output frame.
//
// Use: insert() each packet; then `while (poll(now, frame)) consume(frame);` and drain poll_event(); call poll
// again at next_timeout() (that is the timeout handler). Nothing allocates per packet in steady state once
// the caller's frame has grown to the largest frame size.
class JitterBuffer {
 public:
  struct Config {
    base::CodecId codec = base::CodecId::Unknown;      // copied into every released frame
    base::Duration latency = base::Duration::millis(150);  // how long a complete frame waits for a missing one
    size_t max_packets = 1024;                           // ring capacity, rounded up to a power of two (min 16)
    size_t max_frames = 64;                              // frames held behind an incomplete one before skipping
    bool keyframe_gating = true;      // after a loss, drop delta frames until a keyframe (off for audio)
    bool one_packet_per_frame = false;  // every packet is a whole frame (audio: Opus, G.711)
    // Use inspect().frame_start to find a frame's first packet after a gap. Turn off for formats whose
    // start flag is not a frame start (e.g. an H.264 depacketizer flagging every NAL unit start).
    bool trust_frame_start = true;
    base::Duration keyframe_retry = base::Duration::millis(500);
    // At stream start, when only its start flag delimits the first frame, it waits this long after completing
    // before release. Zero where the flag marks the true frame start (VP8 S+PID 0, VP9 B); video() sets it for
    // H.264, whose IDR first FU-A flags a start although the SPS/PPS packet before it may still come late.
    base::Duration start_hold = base::Duration::zero();

    static Config video(base::CodecId codec);
    static Config audio(base::CodecId codec);
  };

  JitterBuffer(std::unique_ptr<Depacketizer> depacketizer, Config config);
  JitterBuffer(const JitterBuffer&) = delete;
  JitterBuffer& operator=(const JitterBuffer&) = delete;

  // Takes one packet. `now` starts the latency clock of the frame this packet completes.
  JitterInsertResult insert(JitterPacket packet, base::Timestamp now);
  // Releases the next frame in decode order into `out` (its data capacity is reused), applying the latency
  // and size rules at `now`; false when no frame is due. `out` is unspecified after false.
  bool poll(base::Timestamp now, base::EncodedFrame& out);
  // Events produced by insert() and poll(), oldest first.
  std::optional<JitterEvent> poll_event();
  // When poll() will next have something to do without a new packet: Timestamp::infinite() when nothing is
  // pending; a time <= now when a frame is already due.
  base::Timestamp next_timeout() const { return due_time(); }
  // Forgets everything (the owner saw an SSRC change); the next frame must be a keyframe again if gating.
  void reset();

  const JitterStats& stats() const { return stats_; }
  const Config& config() const { return config_; }
  size_t capacity() const { return slots_.size(); }
  size_t packets_held() const { return packets_held_; }
  // Frames whose last packet is held (complete or not).
  size_t frames_held() const { return frames_held_; }

 private:
  static constexpr SeqNo kNone = INT64_MIN;
  static constexpr size_t kMaxPendingEvents = 256;
  static constexpr int kFarOldPacketsBeforeRestart = 4;

  enum SlotFlag : uint8_t {
    kStart = 1 << 0,
    kEnd = 1 << 1,
    kKeyframe = 1 << 2,
    kMalformed = 1 << 3,
    kPadding = 1 << 4,
  };
  struct Slot {
    SeqNo seq = kNone;  // kNone when empty
    base::BufferRef buffer;
    uint32_t offset = 0;
    uint32_t size = 0;
    uint32_t rtp_timestamp = 0;
    uint16_t width = 0;
    uint16_t height = 0;
    base::Timestamp arrival;
    base::Timestamp inserted;  // the owner's `now` at insert: the latency clock
    uint8_t flags = 0;
    uint8_t spatial_layer = 0;
    uint8_t temporal_layer = 0;
  };
  // What is known about the packet just before head_ (already consumed).
  struct Consumed {
    bool valid = false;
    bool end = false;
    uint32_t rtp_timestamp = 0;
  };
  // The first complete frame at or after head_, as found by the scan.
  struct Found {
    SeqNo first = 0;
    SeqNo last = 0;
    base::Timestamp completed;  // latest `inserted` of its packets
    bool gap_before = false;    // a packet is missing in [head_, first)
  };

  Slot& at(SeqNo s) { return slots_[static_cast<uint64_t>(s) & mask_]; }
  const Slot& at(SeqNo s) const { return slots_[static_cast<uint64_t>(s) & mask_]; }
  bool present(SeqNo s) const { return at(s).seq == s; }
  // Nothing released or skipped yet and no predecessor known: the head frame's start rests on its flag alone.
  bool at_stream_start() const { return !head_final_ && !consumed_.valid; }
  bool boundary_before(SeqNo s) const;
  base::Timestamp due_time() const;

  void start_at(SeqNo seq);
  void restart(SeqNo seq);
  void reset_scan();
  void rescan();
  void clear_slot(Slot& slot);
  // Drops everything in [head_, target) and moves the head there. Reports FramesLost when `cause` is set.
  void skip_to(SeqNo target, std::optional<FrameLossCause> cause);
  // Assembles the frame at the head into `out` and consumes it; false when it was dropped instead.
  bool release_head(const Found& f, base::Timestamp now, base::EncodedFrame& out);
  void drop_frame(uint32_t rtp_timestamp, FrameDropReason reason, base::Timestamp now);
  void push_event(JitterEvent e);

  std::unique_ptr<Depacketizer> depacketizer_;
  Config config_;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;

  bool started_ = false;
  bool head_final_ = false;  // something was released or skipped, so nothing before head_ may come back
  SeqNo head_ = 0;           // first sequence number not yet released or skipped
  SeqNo highest_ = 0;        // highest sequence number stored since the last (re)start
  Consumed consumed_;
  size_t packets_held_ = 0;
  size_t frames_held_ = 0;
  int far_old_run_ = 0;

  // Resumable scan for the first complete frame: [head_, scan_next_) has been looked at.
  SeqNo scan_next_ = 0;
  SeqNo run_start_ = kNone;  // start of the frame run being followed, kNone in a gap or an orphaned tail
  base::Timestamp run_completed_;
  bool scan_gap_ = false;
  std::optional<Found> found_;

  bool need_keyframe_ = false;
  bool keyframe_requested_ = false;
  base::Timestamp last_keyframe_request_;
  bool depacketizer_dirty_ = false;

  std::vector<JitterEvent> events_;
  size_t event_read_ = 0;
  JitterStats stats_;
};

}  // namespace medley::rtp
