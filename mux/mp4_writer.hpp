// Mp4Writer: a streaming fragmented MP4 (ISO/IEC 14496-12) writer for H.264 / VP9 video and Opus audio, so a
// recording cut at any byte still plays up to its last complete fragment.
#pragma once

#include <cstdint>
#include <vector>

#include "mux/byte_sink.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"

namespace medley::mux {

// How H.264 parameter sets travel. Avc1 (the default, what every player takes): SPS/PPS of the first keyframe go
// in avcC and are stripped from samples; a keyframe whose SPS/PPS differ from avcC (a resolution change) keeps
// them in-band, which ffmpeg and Chrome follow. Avc3 (ISO/IEC 14496-15 5.4.2.1.2): parameter sets stay in every
// sample they came in, avcC still carries the first ones.
enum class H264SampleEntry : uint8_t { Avc1, Avc3 };

struct Mp4WriterConfig {
  base::CodecId video = base::CodecId::H264;  // H264, Vp9, or Unknown for a file without video
  base::CodecId audio = base::CodecId::Opus;  // Opus, or Unknown for a file without audio
  uint8_t audio_channels = 2;                  // Opus: written in dOps and the sample entry
  base::Duration max_fragment = base::Duration::seconds(1);
  // The header (moov) needs the first video keyframe: its SPS/PPS (avcC) or VP9 profile, and the picture size.
  // Until then audio is held; once the held audio spans setup_wait of media time, the file is written without its
  // video track and later video is refused (NotConfigured). Video-only files wait for their keyframe as long as
  // it takes (delta frames before it are dropped). Measured in frame time, not wall time: no clock here.
  base::Duration setup_wait = base::Duration::seconds(2);
  H264SampleEntry h264_entry = H264SampleEntry::Avc1;
};

enum class Mp4WriteStatus : uint8_t {
  Accepted,         // in the current fragment, or held until the header can be written
  NotConfigured,    // its codec is not a track of this file (or the video track was given up, see setup_wait)
  WaitingKeyframe,  // video before the first usable keyframe: dropped
  BadFrame,         // empty, or H.264 that is not Annex B
  TooEarly,         // before the file's first sample (audio older than the first video keyframe): dropped
  Finished,         // finish() was called
  SinkFailed,       // the sink refused bytes; the writer stays failed
};

struct Mp4WriterStats {
  uint64_t frames_written = 0;  // into fragments handed to the sink
  uint64_t frames_dropped = 0;
  uint64_t fragments = 0;
  uint64_t bytes = 0;           // written to the sink
};

// Layout: ftyp (iso5, iso6, mp41) · moov (mvhd, a trak per track with empty sample tables and its sample entry:
// avc1/avc3+avcC, vp09+vpcC, Opus+dOps; mvex with mehd and trex) · moof+mdat per fragment · mfra at finish.
// Video uses a 90 kHz timescale, Opus 48 kHz. A fragment holds at most max_fragment of video (plus the audio packet
// straddling its start; audio-only fragments: max_fragment of audio) and is cut before each video keyframe, so
// fragments start on keyframes when the source sends them at least once per max_fragment.
// A sample's duration is known when the next one of its track arrives, so each track holds one sample back.
// Steady state allocates nothing: fragment buffers keep their capacity.
class Mp4Writer {
 public:
  static bool supports(base::CodecId codec) {
    return codec == base::CodecId::H264 || codec == base::CodecId::Vp9 || codec == base::CodecId::Opus;
  }

  Mp4Writer(Mp4WriterConfig config, ByteSink& sink);

  // `time` is the frame's presentation time on a clock shared by all tracks (the recorder maps RTP time through
  // RTCP sender reports); the file starts at the first written sample. Frames of a track must come in decode
  // order; a time that does not advance is moved one tick past the previous sample.
  Mp4WriteStatus write(const base::EncodedFrame& frame, base::Timestamp time);

  // Flushes what is held as a last fragment, writes mfra and, on a seekable sink, patches the duration in mehd
  // and mvhd. Later calls do nothing. False if the sink failed at any point.
  bool finish();

  bool failed() const { return failed_; }
  bool header_written() const { return header_written_; }
  bool has_video_track() const { return video_.active; }
  bool has_audio_track() const { return audio_.active; }
  const Mp4WriterStats& stats() const { return stats_; }

 private:
  struct SampleMeta {
    uint32_t size = 0;
    uint32_t duration = 0;
    bool sync = false;
  };
  struct TfraEntry {
    uint64_t time = 0;
    uint64_t moof_offset = 0;
    uint32_t traf_number = 0;
    uint32_t sample_number = 0;
  };
  struct Track {
    bool wanted = false;  // configured
    bool active = false;  // in the file
    uint32_t id = 0;
    base::CodecId codec = base::CodecId::Unknown;
    uint32_t timescale = 0;
    // Current fragment.
    std::vector<SampleMeta> samples;
    std::vector<uint8_t> data;
    uint64_t base_dts = 0;
    // The sample whose duration waits for the next one.
    bool has_pending = false;
    std::vector<uint8_t> pending;
    std::vector<uint8_t> scratch;  // the incoming sample, then swapped with pending (each keeps its capacity)
    uint64_t pending_dts = 0;
    bool pending_sync = false;
    base::Timestamp pending_time;
    uint32_t last_duration = 0;
    uint64_t end_dts = 0;  // decode end of everything written
    std::vector<TfraEntry> index;
  };
  struct Held {
    base::EncodedFrame frame;
    base::Timestamp time;
  };

  Mp4WriteStatus write_ready(const base::EncodedFrame& frame, base::Timestamp time);
  bool take_video_setup(const base::EncodedFrame& frame);
  void start_file(base::Timestamp t0);
  void write_header();
  void write_moov(std::vector<uint8_t>& out);
  void write_trak(std::vector<uint8_t>& out, const Track& t);
  void write_sample_entry(std::vector<uint8_t>& out, const Track& t);
  bool convert_sample(const base::EncodedFrame& frame, std::vector<uint8_t>& out, bool& sync);
  void complete_pending(Track& t, uint64_t duration);
  uint32_t default_duration(const Track& t) const;
  void flush_fragment();
  void write_mfra();
  bool emit(base::Bytes bytes);
  uint64_t ticks(const Track& t, base::Timestamp time) const;

  Mp4WriterConfig config_;
  Mp4WriterStats stats_;
  ByteSink& sink_;
  bool failed_ = false;
  bool finished_ = false;
  bool header_written_ = false;
  bool gave_up_video_ = false;
  Track video_;
  Track audio_;
  std::vector<Held> held_;  // audio waiting for the header

  // From the first video keyframe.
  std::vector<uint8_t> sps_;
  std::vector<uint8_t> pps_;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
  uint8_t vp9_profile_ = 0;

  base::Timestamp t0_;
  bool fragment_open_ = false;
  base::Timestamp fragment_start_;
  bool fragment_start_is_video_ = false;
  uint32_t sequence_ = 0;
  uint64_t offset_ = 0;         // bytes handed to the sink so far
  uint64_t mehd_offset_ = 0;    // where the fragment_duration field sits, to patch at finish
  uint64_t mvhd_duration_offset_ = 0;
  std::vector<uint8_t> buf_;    // moov, moof and mfra are built here
  std::vector<base::Bytes> nals_;
};

}  // namespace medley::mux
