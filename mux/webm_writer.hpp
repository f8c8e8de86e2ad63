// A streaming Matroska/WebM writer: EBML header, an unknown-size Segment, SeekHead, Info, Tracks (VP8, VP9, H.264,
// Opus), Clusters of SimpleBlocks and Cues, written through a ByteSink so that a file cut anywhere plays up to its
// last complete Cluster, and finalized (segment size, duration, SeekHead to the Cues) when the sink can seek.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "mux/byte_sink.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"

namespace medley::mux {

// WebM is the Matroska subset browsers play: VP8, VP9, AV1, Opus, Vorbis only. H.264 therefore needs Matroska.
enum class WebmDocType : uint8_t { Webm, Matroska };

struct WebmTrackConfig {
  base::CodecId codec = base::CodecId::Unknown;  // Vp8, Vp9, H264 (Matroska only), Opus
  // Video: the picture size for the track header. 0 = learn it from the first keyframe (VP8/VP9 frame header,
  // H.264 SPS). It is only a hint to players: later keyframes may change size and are written as they are.
  uint16_t width = 0;
  uint16_t height = 0;
  // Opus (RFC 7845 section 5.1 OpusHead): channels and the input rate it reports; pre_skip in 48 kHz samples also
  // gives the track's CodecDelay. Live WebRTC audio starts mid-stream, so 0 is the usual pre-skip.
  uint8_t channels = 2;
  uint32_t sample_rate = 48000;
  uint16_t opus_pre_skip = 0;
};

struct WebmWriterConfig {
  WebmDocType doc_type = WebmDocType::Webm;
  // A Cluster is closed (written out) when a video keyframe arrives and when it spans this much media time.
  // Capped at 30 s so block offsets stay inside int16 milliseconds.
  base::Duration max_cluster_duration = base::Duration::seconds(1);
  // Closes a Cluster before its body passes this many bytes (bounds the memory of one Cluster).
  size_t max_cluster_bytes = 16 * 1024 * 1024;
  // The header waits for a keyframe on every video track (for the picture size and, for H.264, the SPS/PPS that
  // make CodecPrivate). Frames arriving meanwhile are buffered. After this much media time (measured between the
  // earliest and the latest frame buffered) or max_pending_bytes, the header goes out anyway: a VP8/VP9 track
  // without a known size gets fallback_width x fallback_height, and an H.264 track still without SPS/PPS is left
  // out of the file (its frames are dropped and counted) since it cannot be described.
  base::Duration header_wait = base::Duration::seconds(1);
  size_t max_pending_bytes = 8 * 1024 * 1024;
  uint16_t fallback_width = 640;
  uint16_t fallback_height = 480;
  // Subtract the earliest timestamp seen before the header so the file starts at 0.
  bool rebase_timestamps = true;
};

enum class WebmWriteResult : uint8_t {
  Accepted,          // in the open Cluster, or buffered until the header is written
  DroppedLate,       // older than the open Cluster by more than int16 milliseconds, or before the file's start
  DroppedNoKeyframe, // a video delta frame before that track's first keyframe
  DroppedTrack,      // unknown track number, or a track left out of the header
  DroppedInvalid,    // empty, too large for one Cluster, or an H.264 frame that is not Annex B
  Failed,            // the sink failed earlier or now, or finish() was called; the writer is done
};

enum class WebmTrackError : uint8_t { UnsupportedCodec, NotInWebm, TooManyTracks, TooLate };

struct WebmWriterStats {
  uint64_t frames_written = 0;
  uint64_t bytes_written = 0;  // through the sink, header and finalization included
  uint64_t clusters = 0;
  uint64_t cues = 0;
  uint64_t dropped_late = 0;
  uint64_t dropped_no_keyframe = 0;
  uint64_t dropped_track = 0;
  uint64_t dropped_invalid = 0;
  uint32_t tracks_left_out = 0;  // H.264 tracks without parameter sets when the header had to go out
};

class WebmWriter {
 public:
  explicit WebmWriter(ByteSink& sink, WebmWriterConfig config = {});
  WebmWriter(const WebmWriter&) = delete;
  WebmWriter& operator=(const WebmWriter&) = delete;

  // Declares a track before the first frame. Returns its Matroska TrackNumber (1, 2, ...), used by write().
  // H.264 in a WebmDocType::Webm file gives NotInWebm.
  std::optional<uint32_t> add_track(const WebmTrackConfig& track, WebmTrackError* error = nullptr);

  // One frame of a track. timestamp: the frame's presentation time from an origin common to all tracks
  // (millisecond precision is kept). VP8/VP9 as the decoder takes them, H.264 Annex B (stored as 4-byte
  // length-prefixed NAL units), Opus packets. Frames may arrive slightly out of order across tracks (audio late
  // against video): a frame older than the open Cluster's start goes in with a negative block offset while that
  // stays within int16 milliseconds.
  WebmWriteResult write(uint32_t track, base::Duration timestamp, bool keyframe, base::Bytes data);
  WebmWriteResult write(uint32_t track, base::Duration timestamp, const base::EncodedFrame& frame) {
    return write(track, timestamp, frame.keyframe, frame.data);
  }

  // Writes out the open Cluster now (and the header if still pending): for the server's wall-clock timer, so
  // a stream that stops sending still reaches the file within a second. False if the sink failed.
  bool flush();

  // Flushes, writes the Cues and, when the sink can seek, patches the Segment size, Info's Duration and the
  // SeekHead entry for the Cues. No write is accepted afterwards. False if the sink failed.
  bool finish();

  bool failed() const { return failed_; }
  bool header_written() const { return header_written_; }
  const WebmWriterStats& stats() const { return stats_; }
  // Media time written so far (end of the last frame, from the file's start).
  base::Duration duration() const;

 private:
  struct Track {
    WebmTrackConfig config;
    uint32_t number = 0;
    bool video = false;
    bool seen_keyframe = false;   // a keyframe was accepted (video); delta frames before it are dropped
    bool described = false;       // what the header needs is known
    bool left_out = false;
    std::vector<uint8_t> codec_private;
    int64_t last_ms = -1;         // for the duration estimate: last timestamp and the step before it
    int64_t last_step_ms = 0;
  };
  struct Pending {
    uint32_t track;
    int64_t us;
    bool keyframe;
    std::vector<uint8_t> data;
  };
  struct Cue {
    int64_t ms;
    uint32_t track;
    uint64_t cluster_pos;  // from the Segment's data start
  };

  Track* find_track(uint32_t number);
  void learn_from_keyframe(Track& track, base::Bytes data);
  bool ready_for_header() const;
  bool write_header();
  WebmWriteResult add_block(Track& track, int64_t ms, bool keyframe, base::Bytes data);
  bool close_cluster();
  bool emit(base::Bytes data);
  WebmWriteResult fail();

  ByteSink& sink_;
  WebmWriterConfig config_;
  std::vector<Track> tracks_;
  bool any_video_ = false;
  bool started_ = false;         // a frame arrived: no more tracks
  bool header_written_ = false;
  bool finished_ = false;
  bool failed_ = false;

  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  int64_t pending_min_us_ = 0;
  int64_t pending_max_us_ = 0;
  int64_t origin_us_ = 0;

  uint64_t position_ = 0;        // bytes written through the sink
  uint64_t segment_size_pos_ = 0;
  uint64_t segment_data_pos_ = 0;
  uint64_t seek_head_pos_ = 0;
  uint64_t duration_pos_ = 0;    // the Void reserved for Info's Duration
  uint64_t info_pos_ = 0;
  uint64_t tracks_pos_ = 0;

  std::vector<uint8_t> cluster_;   // the open Cluster's body (Timestamp and SimpleBlocks)
  bool cluster_open_ = false;
  int64_t cluster_ms_ = 0;
  uint64_t cluster_pos_ = 0;       // where it will land, from the Segment's data start
  bool cluster_has_cue_ = false;
  std::vector<uint8_t> scratch_;   // header, cluster prefix, cues
  std::vector<base::Bytes> nals_;  // H.264 NAL units of the frame being written
  std::vector<Cue> cues_;
  int64_t end_ms_ = 0;             // end of the latest frame (for Duration)

  WebmWriterStats stats_;
};

}  // namespace medley::mux
