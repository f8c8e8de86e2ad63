// Mp4Reader: reads progressive (stbl sample tables) and fragmented (moof/traf/trun) MP4 files into timestamped
// frames per track, H.264 as Annex B; bounds-checked and capped so that no input crashes or hangs it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mux/byte_source.hpp"
#include "mux/mp4_codec_config.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/result.hpp"
#include "rtp/base/time.hpp"

namespace medley::mux {

// What the reader may spend on one file. Sample tables may declare billions of samples in a few bytes, so the
// sample index is capped; boxes read into memory (moov, each moof) and single samples are capped too.
struct Mp4ReaderLimits {
  size_t max_tracks = 16;
  size_t max_samples = 8'000'000;         // over all tracks (32 bytes each in the index)
  size_t max_box_bytes = 64u << 20;       // moov, or one moof
  uint32_t max_sample_bytes = 32u << 20;
  size_t max_top_level_boxes = 1'000'000;
};

struct Mp4TrackInfo {
  uint32_t track_id = 0;
  base::CodecId codec = base::CodecId::Unknown;  // Unknown: listed, never read (AAC, other sample entries)
  base::MediaKind kind = base::MediaKind::Video; // from the handler ('soun' is audio)
  uint32_t sample_entry = 0;                     // fourcc: 'avc1', 'avc3', 'vp09', 'Opus', 'mp4a'...
  uint32_t timescale = 0;
  uint16_t width = 0;                            // video, from the sample entry
  uint16_t height = 0;
  uint16_t channels = 0;                         // audio
  uint32_t sample_rate = 0;
  std::optional<AvcConfig> avc;
  std::optional<Vp9Config> vp9;
  std::optional<OpusConfig> opus;
  std::vector<uint8_t> codec_config;             // the avcC / vpcC / dOps payload as stored
  uint64_t sample_count = 0;
  base::Duration duration;
};

struct Mp4Frame {
  size_t track = 0;  // index into tracks()
  base::Duration dts;
  base::Duration pts;  // dts plus the composition offset (ctts / trun); edit lists are not applied
  base::Duration duration;
  // codec, keyframe (sync sample), width/height (keyframes), rtp_timestamp (pts in the track's timescale, which
  // for our files is the RTP clock: 90 kHz video, 48 kHz Opus), data (H.264 as Annex B with SPS/PPS before each
  // keyframe that does not carry its own).
  base::EncodedFrame frame;
};

enum class Mp4OpenError : uint8_t { ReadFailed, NotMp4, NoMoov, MoovTooLarge };
enum class Mp4ReadStatus : uint8_t { Frame, End, ReadFailed };

class Mp4Reader {
 public:
  // Scans the top-level boxes, parses moov and every moof it finds. A file cut short keeps every sample whose
  // bytes are all there. The source must outlive the reader.
  static base::Result<Mp4Reader, Mp4OpenError> open(ByteSource& source, Mp4ReaderLimits limits = {});

  const std::vector<Mp4TrackInfo>& tracks() const { return tracks_; }
  bool fragmented() const { return fragmented_; }
  base::Duration duration() const { return duration_; }
  // True when there are frames to read and a keyframe to seek to.
  bool is_seekable() const;

  // The next frame in decode order across the supported tracks (by decode time; ties in track order).
  // Samples that cannot be read as their codec (broken NAL lengths, oversized) are skipped and counted.
  Mp4ReadStatus read(Mp4Frame& out);
  // Positions every track at the last keyframe of the first video track at or before `position` (the first
  // keyframe if none is), the other tracks at that same time; returns it. Audio-only files seek to the sample.
  base::Duration seek(base::Duration position);

  uint64_t skipped_samples() const { return skipped_; }
  bool truncated() const { return truncated_; }  // the file ends inside a box or a sample

 private:
  struct Sample {
    uint64_t offset = 0;
    int64_t dts = 0;
    uint32_t size = 0;
    uint32_t duration = 0;
    int32_t cts = 0;
    bool sync = false;
  };
  struct Trex {
    uint32_t track_id = 0;
    uint32_t duration = 0;
    uint32_t size = 0;
    uint32_t flags = 0;
  };
  struct TrackState {
    std::vector<Sample> samples;
    size_t next = 0;
    int64_t end_dts = 0;  // where a fragment without tfdt continues
    Trex trex;
  };

  explicit Mp4Reader(ByteSource& source, Mp4ReaderLimits limits) : source_(&source), limits_(limits) {}

  bool parse_moov(base::Bytes moov);
  void parse_trak(base::Bytes trak);
  bool parse_sample_entry(base::Bytes stsd, Mp4TrackInfo& info);
  void parse_sample_table(base::Bytes stbl, TrackState& st);
  void parse_moof(base::Bytes moof, uint64_t moof_offset);
  void parse_traf(base::Bytes traf, uint64_t moof_offset, uint64_t& implicit_base);
  bool add_sample(TrackState& st, const Sample& s);
  void finish_index();
  int64_t to_us(int64_t ticks, size_t track) const;
  bool to_annex_b(base::Bytes sample, const Mp4TrackInfo& info, bool sync, std::vector<uint8_t>& out) const;

  ByteSource* source_;
  Mp4ReaderLimits limits_;
  std::vector<Mp4TrackInfo> tracks_;
  std::vector<TrackState> state_;
  std::vector<Trex> trex_;
  size_t total_samples_ = 0;
  bool fragmented_ = false;
  bool truncated_ = false;
  base::Duration duration_;
  uint64_t skipped_ = 0;
  std::vector<uint8_t> scratch_;
};

}  // namespace medley::mux
