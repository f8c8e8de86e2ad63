// A WebM/Matroska demuxer on libwebm's webm::WebmParser: track descriptions, frames in file order with their
// timestamps and keyframe flags, duration, and seeking to the video keyframe at or before a time (through the
// Cues when the file has them, else through an index built by scanning the Clusters' block headers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mux/byte_source.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/result.hpp"
#include "rtp/base/time.hpp"

namespace medley::mux {

enum class WebmTrackKind : uint8_t { Video, Audio, Other };

struct WebmTrackInfo {
  uint64_t number = 0;                  // TrackNumber, as in WebmFrame::track
  WebmTrackKind kind = WebmTrackKind::Other;
  base::CodecId codec = base::CodecId::Unknown;  // from CodecID: V_VP8, V_VP9, V_AV1, V_MPEG4/ISO/AVC, A_OPUS
  std::string codec_id;
  std::vector<uint8_t> codec_private;   // AVCDecoderConfigurationRecord for H.264, OpusHead for Opus
  uint32_t width = 0;                   // video
  uint32_t height = 0;
  double sample_rate = 0;               // audio
  uint32_t channels = 0;
  uint64_t codec_delay_ns = 0;
  uint64_t seek_pre_roll_ns = 0;
};

struct WebmFrame {
  uint64_t track = 0;
  base::CodecId codec = base::CodecId::Unknown;
  base::Duration timestamp;   // presentation time from the file's zero (Cluster timestamp + block offset)
  bool keyframe = false;      // SimpleBlock's flag, or a BlockGroup without ReferenceBlock
  // As base::EncodedFrame carries it: H.264 converted to Annex B (4-byte start codes), with the SPS/PPS from
  // CodecPrivate put in front of a keyframe that lacks them; everything else as stored. The vector's capacity
  // is recycled by the reader, so steady-state reading allocates nothing.
  std::vector<uint8_t> data;
  uint64_t position = 0;      // byte offset of the frame in the file
};

struct WebmReaderLimits {
  size_t max_frame_bytes = 64 * 1024 * 1024;   // a larger frame is skipped and counted
  size_t max_element_bytes = 16 * 1024 * 1024; // a larger string/binary header element (CodecPrivate...) is skipped
  size_t max_tracks = 64;
  size_t max_index_points = 1 << 20;           // Cue points or scanned keyframes kept for seeking
};

enum class WebmReadError : uint8_t {
  NotWebm,     // no EBML header with DocType "webm" or "matroska" before the Segment
  NoSegment,   // the EBML header is not followed by a Segment
  Malformed,   // the parser gave up (libwebm's parsing errors)
};

enum class WebmReadStatus : uint8_t {
  Frame,  // the frame was filled
  End,    // no more frames: the Segment ended, or the data did (a truncated file ends at its last whole frame)
  Error,  // the data is malformed beyond this point; frames before it were delivered
};

struct WebmReaderStats {
  uint64_t frames = 0;
  uint64_t dropped_unknown_track = 0;
  uint64_t dropped_too_large = 0;
  uint64_t dropped_bad_timestamp = 0;
  uint64_t dropped_bad_nal = 0;        // H.264 frame whose NAL lengths do not add up
  uint64_t elements_skipped = 0;       // oversized or truncated header elements skipped
};

class WebmReader {
 public:
  // Reads the header (EBML, Segment, SeekHead, Info, Tracks) up to the first Cluster, and the Cues when the
  // SeekHead points to them. The source must outlive the reader.
  static base::Result<WebmReader, WebmReadError> open(ByteSource& source, WebmReaderLimits limits = {});

  WebmReader(WebmReader&&) noexcept;
  WebmReader& operator=(WebmReader&&) noexcept;
  ~WebmReader();

  std::string_view doc_type() const;
  const std::vector<WebmTrackInfo>& tracks() const;
  const WebmTrackInfo* track(uint64_t number) const;

  // The next frame in file order.
  WebmReadStatus next(WebmFrame& frame);

  // Info's Duration, else (a recording cut short) the last frame's timestamp found by scanning the Clusters.
  std::optional<base::Duration> duration();
  // True when the file has Cues or a scan found keyframes to seek to.
  bool seekable();
  bool has_cues() const;
  // Positions the reader on the Cluster of the last keyframe of the first video track (of the first track in an
  // audio-only file) at or before `to` (or the first one, if `to` precedes it); next() then starts at that
  // keyframe, skipping frames of every track stamped earlier. Returns the keyframe's time; nullopt (and the
  // reader where it was) when nothing is indexed or the indexed position does not hold a Cluster.
  std::optional<base::Duration> seek(base::Duration to);

  const WebmReaderStats& stats() const;

 private:
  class Impl;
  explicit WebmReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medley::mux
