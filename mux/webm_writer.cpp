// WebmWriter: Matroska element layout (Matroska spec, RFC 9559), WebM's codec mappings and the buffering that
// keeps a growing file playable: only complete Clusters ever reach the sink.
#include "mux/webm_writer.hpp"

#include <algorithm>
#include <array>
#include <cassert>

#include "mux/ebml_writer.hpp"
#include "rtp/payload/h264.hpp"
#include "rtp/payload/h264_sps.hpp"
#include "rtp/payload/vp8.hpp"
#include "rtp/payload/vp9.hpp"

namespace medley::mux {
namespace {

// Element IDs (RFC 9559 section 5.1 and RFC 8794 section 11.2).
constexpr uint32_t kEbml = 0x1A45DFA3;
constexpr uint32_t kEbmlVersion = 0x4286;
constexpr uint32_t kEbmlReadVersion = 0x42F7;
constexpr uint32_t kEbmlMaxIdLength = 0x42F2;
constexpr uint32_t kEbmlMaxSizeLength = 0x42F3;
constexpr uint32_t kDocType = 0x4282;
constexpr uint32_t kDocTypeVersion = 0x4287;
constexpr uint32_t kDocTypeReadVersion = 0x4285;
constexpr uint32_t kSegment = 0x18538067;
constexpr uint32_t kSeekHead = 0x114D9B74;
constexpr uint32_t kSeek = 0x4DBB;
constexpr uint32_t kSeekId = 0x53AB;
constexpr uint32_t kSeekPosition = 0x53AC;
constexpr uint32_t kInfo = 0x1549A966;
constexpr uint32_t kTimestampScale = 0x2AD7B1;
constexpr uint32_t kDuration = 0x4489;
constexpr uint32_t kMuxingApp = 0x4D80;
constexpr uint32_t kWritingApp = 0x5741;
constexpr uint32_t kTracks = 0x1654AE6B;
constexpr uint32_t kTrackEntry = 0xAE;
constexpr uint32_t kTrackNumber = 0xD7;
constexpr uint32_t kTrackUid = 0x73C5;
constexpr uint32_t kTrackType = 0x83;
constexpr uint32_t kFlagLacing = 0x9C;
constexpr uint32_t kCodecId = 0x86;
constexpr uint32_t kCodecPrivate = 0x63A2;
constexpr uint32_t kCodecDelay = 0x56AA;
constexpr uint32_t kSeekPreRoll = 0x56BB;
constexpr uint32_t kVideo = 0xE0;
constexpr uint32_t kPixelWidth = 0xB0;
constexpr uint32_t kPixelHeight = 0xBA;
constexpr uint32_t kAudio = 0xE1;
constexpr uint32_t kSamplingFrequency = 0xB5;
constexpr uint32_t kChannels = 0x9F;
constexpr uint32_t kCluster = 0x1F43B675;
constexpr uint32_t kTimestamp = 0xE7;
constexpr uint32_t kSimpleBlock = 0xA3;
constexpr uint32_t kCues = 0x1C53BB6B;
constexpr uint32_t kCuePoint = 0xBB;
constexpr uint32_t kCueTime = 0xB3;
constexpr uint32_t kCueTrackPositions = 0xB7;
constexpr uint32_t kCueTrack = 0xF7;
constexpr uint32_t kCueClusterPosition = 0xF1;

constexpr size_t kMaxTracks = 16;  // track numbers stay one-byte vints in SimpleBlocks
// SeekHead with three Seek entries (Info, Tracks, Cues), each a 4-byte SeekID and an 8-byte SeekPosition:
// 4 (ID) + 1 (size) + 3 * 21. Written first with two entries and a Void, rewritten in place by finish().
constexpr size_t kSeekEntrySize = 21;
constexpr size_t kSeekHeadSize = 5 + 3 * kSeekEntrySize;
constexpr size_t kDurationSize = 11;  // 2 (ID) + 1 (size) + 8 (float)
// WebM's recommendation for Opus (webm.org Muxer Guidelines): 80 ms of pre-roll after a seek.
constexpr uint64_t kOpusSeekPreRollNs = 80'000'000;
constexpr int64_t kMaxClusterMs = 30'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

void append_seek(ebml::Appender& a, uint32_t id, uint64_t pos) {
  size_t seek = a.open_master(kSeek);
  a.id(kSeekId);
  a.vint(4);
  a.id(id);
  a.uint_element_fixed8(kSeekPosition, pos);
  a.close_master(seek);
}

void append_seek_head(std::vector<uint8_t>& out, uint64_t info, uint64_t tracks, std::optional<uint64_t> cues) {
  ebml::Appender a(out);
  size_t start = a.size();
  size_t head = a.open_master(kSeekHead);
  append_seek(a, kInfo, info);
  append_seek(a, kTracks, tracks);
  if (cues) append_seek(a, kCues, *cues);
  a.close_master(head);
  if (!cues) a.void_element(kSeekEntrySize);
  assert(a.size() - start == kSeekHeadSize);
  (void)start;
}

const char* codec_id_of(base::CodecId codec) {
  switch (codec) {
    case base::CodecId::Vp8: return "V_VP8";
    case base::CodecId::Vp9: return "V_VP9";
    case base::CodecId::H264: return "V_MPEG4/ISO/AVC";
    case base::CodecId::Opus: return "A_OPUS";
    default: return nullptr;
  }
}

// RFC 7845 section 5.1: the identification header, which Matroska's A_OPUS carries as CodecPrivate.
std::vector<uint8_t> opus_head(const WebmTrackConfig& c) {
  std::vector<uint8_t> h = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, c.channels};
  h.push_back(static_cast<uint8_t>(c.opus_pre_skip));
  h.push_back(static_cast<uint8_t>(c.opus_pre_skip >> 8));
  for (int i = 0; i < 4; ++i) h.push_back(static_cast<uint8_t>(c.sample_rate >> (8 * i)));
  h.insert(h.end(), {0, 0, 0});  // output gain 0, channel mapping family 0 (mono/stereo)
  return h;
}

// ISO/IEC 14496-15 section 5.3.3.1: AVCDecoderConfigurationRecord with one SPS and one PPS and 4-byte NAL
// lengths. The high-profile chroma/bit-depth extension is optional in practice (ffmpeg, Chrome read without it).
std::vector<uint8_t> avc_config(base::Bytes sps, base::Bytes pps) {
  std::vector<uint8_t> r = {1, sps[1], sps[2], sps[3], 0xFF, 0xE1};
  r.push_back(static_cast<uint8_t>(sps.size() >> 8));
  r.push_back(static_cast<uint8_t>(sps.size()));
  r.insert(r.end(), sps.begin(), sps.end());
  r.push_back(1);
  r.push_back(static_cast<uint8_t>(pps.size() >> 8));
  r.push_back(static_cast<uint8_t>(pps.size()));
  r.insert(r.end(), pps.begin(), pps.end());
  return r;
}

}  // namespace

WebmWriter::WebmWriter(ByteSink& sink, WebmWriterConfig config) : sink_(sink), config_(config) {
  if (config_.max_cluster_duration.ms() > kMaxClusterMs) config_.max_cluster_duration = base::Duration::millis(kMaxClusterMs);
  if (config_.max_cluster_duration.ms() < 1) config_.max_cluster_duration = base::Duration::millis(1);
}

std::optional<uint32_t> WebmWriter::add_track(const WebmTrackConfig& track, WebmTrackError* error) {
  auto fail_with = [&](WebmTrackError e) -> std::optional<uint32_t> {
    if (error) *error = e;
    return std::nullopt;
  };
  if (started_ || header_written_ || finished_) return fail_with(WebmTrackError::TooLate);
  if (tracks_.size() >= kMaxTracks) return fail_with(WebmTrackError::TooManyTracks);
  if (!codec_id_of(track.codec)) return fail_with(WebmTrackError::UnsupportedCodec);
  if (track.codec == base::CodecId::H264 && config_.doc_type == WebmDocType::Webm) {
    return fail_with(WebmTrackError::NotInWebm);
  }
  if (track.codec == base::CodecId::Opus && (track.channels < 1 || track.channels > 2)) {
    return fail_with(WebmTrackError::UnsupportedCodec);
  }
  Track t;
  t.config = track;
  t.number = static_cast<uint32_t>(tracks_.size() + 1);
  t.video = base::kind_of(track.codec) == base::MediaKind::Video;
  if (track.codec == base::CodecId::Opus) {
    t.codec_private = opus_head(track);
    t.described = true;
  } else if (track.codec != base::CodecId::H264) {
    t.described = track.width != 0 && track.height != 0;
  }
  any_video_ = any_video_ || t.video;
  tracks_.push_back(std::move(t));
  return tracks_.back().number;
}

WebmWriter::Track* WebmWriter::find_track(uint32_t number) {
  if (number == 0 || number > tracks_.size()) return nullptr;
  return &tracks_[number - 1];
}

void WebmWriter::learn_from_keyframe(Track& track, base::Bytes data) {
  WebmTrackConfig& c = track.config;
  switch (c.codec) {
    case base::CodecId::Vp8:
    case base::CodecId::Vp9: {
      uint16_t w = 0, h = 0;
      if (c.codec == base::CodecId::Vp8) {
        if (auto hdr = rtp::Vp8FrameHeader::parse(data); hdr && hdr->keyframe) w = hdr->width, h = hdr->height;
      } else if (auto hdr = rtp::Vp9FrameHeader::parse(data); hdr && hdr->keyframe) {
        w = hdr->width, h = hdr->height;
      }
      if ((c.width == 0 || c.height == 0) && w != 0 && h != 0) c.width = w, c.height = h;
      track.described = c.width != 0 && c.height != 0;
      break;
    }
    case base::CodecId::H264: {
      if (track.described) break;
      nals_.clear();
      if (!rtp::h264::split_annex_b(data, nals_)) break;
      base::Bytes sps, pps;
      for (base::Bytes nal : nals_) {
        uint8_t type = nal[0] & 0x1f;
        if (type == rtp::h264::kSps && sps.empty() && nal.size() >= 4) sps = nal;
        if (type == rtp::h264::kPps && pps.empty()) pps = nal;
      }
      if (sps.empty() || pps.empty() || sps.size() > 0xffff || pps.size() > 0xffff) break;
      auto parsed = rtp::parse_h264_sps(sps);
      if (!parsed) break;
      if (c.width == 0 || c.height == 0) c.width = parsed->width, c.height = parsed->height;
      track.codec_private = avc_config(sps, pps);
      track.described = true;
      break;
    }
    default:
      break;
  }
}

bool WebmWriter::ready_for_header() const {
  bool all_described = std::all_of(tracks_.begin(), tracks_.end(), [](const Track& t) { return t.described; });
  if (all_described) return true;
  if (pending_bytes_ >= config_.max_pending_bytes) return true;
  return !pending_.empty() && pending_max_us_ - pending_min_us_ >= config_.header_wait.us();
}

WebmWriteResult WebmWriter::fail() {
  failed_ = true;
  return WebmWriteResult::Failed;
}

bool WebmWriter::emit(base::Bytes data) {
  if (failed_) return false;
  if (!sink_.write(data)) {
    failed_ = true;
    return false;
  }
  position_ += data.size();
  stats_.bytes_written += data.size();
  return true;
}

WebmWriteResult WebmWriter::write(uint32_t number, base::Duration timestamp, bool keyframe, base::Bytes data) {
  if (failed_ || finished_) return WebmWriteResult::Failed;
  Track* track = find_track(number);
  if (!track || track->left_out) {
    ++stats_.dropped_track;
    return WebmWriteResult::DroppedTrack;
  }
  if (data.empty() || data.size() + 64 > config_.max_cluster_bytes) {
    ++stats_.dropped_invalid;
    return WebmWriteResult::DroppedInvalid;
  }
  if (track->config.codec == base::CodecId::H264) {
    nals_.clear();
    if (!rtp::h264::split_annex_b(data, nals_)) {
      ++stats_.dropped_invalid;
      return WebmWriteResult::DroppedInvalid;
    }
  }
  started_ = true;
  if (track->video) {
    if (!keyframe && !track->seen_keyframe) {
      ++stats_.dropped_no_keyframe;
      return WebmWriteResult::DroppedNoKeyframe;
    }
    if (keyframe) {
      track->seen_keyframe = true;
      if (!header_written_) learn_from_keyframe(*track, data);
    }
  }

  if (header_written_) {
    return add_block(*track, floor_div(timestamp.us() - origin_us_, 1000), keyframe, data);
  }

  // Before the header: buffer (this allocates, but only for the first moments of a recording).
  int64_t us = timestamp.us();
  if (pending_.empty()) pending_min_us_ = pending_max_us_ = us;
  pending_min_us_ = std::min(pending_min_us_, us);
  pending_max_us_ = std::max(pending_max_us_, us);
  pending_bytes_ += data.size();
  pending_.push_back(Pending{number, us, keyframe, std::vector<uint8_t>(data.begin(), data.end())});
  if (ready_for_header() && !write_header()) return WebmWriteResult::Failed;
  return WebmWriteResult::Accepted;
}

bool WebmWriter::write_header() {
  assert(!header_written_);
  for (Track& t : tracks_) {
    if (t.described) continue;
    if (t.config.codec == base::CodecId::H264) {
      t.left_out = true;
      ++stats_.tracks_left_out;
    } else {
      t.config.width = config_.fallback_width;
      t.config.height = config_.fallback_height;
      t.described = true;
    }
  }
  any_video_ = std::any_of(tracks_.begin(), tracks_.end(), [](const Track& t) { return t.video && !t.left_out; });

  std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.us < b.us; });
  origin_us_ = 0;
  if (config_.rebase_timestamps) {
    auto first = std::find_if(pending_.begin(), pending_.end(),
                              [&](const Pending& p) { return !tracks_[p.track - 1].left_out; });
    if (first != pending_.end()) origin_us_ = first->us;
  }

  scratch_.clear();
  ebml::Appender a(scratch_);
  size_t ebml = a.open_master(kEbml);
  a.uint_element(kEbmlVersion, 1);
  a.uint_element(kEbmlReadVersion, 1);
  a.uint_element(kEbmlMaxIdLength, 4);
  a.uint_element(kEbmlMaxSizeLength, 8);
  a.string_element(kDocType, config_.doc_type == WebmDocType::Webm ? "webm" : "matroska");
  a.uint_element(kDocTypeVersion, 4);
  a.uint_element(kDocTypeReadVersion, 2);  // SimpleBlock needs a version 2 reader
  a.close_master(ebml);

  a.id(kSegment);
  segment_size_pos_ = position_ + a.size();
  a.unknown_size();
  segment_data_pos_ = position_ + a.size();

  // Info and Tracks follow the fixed-size SeekHead, so their offsets are known before they are built.
  seek_head_pos_ = position_ + a.size();
  size_t seek_head_at = a.size();
  a.void_element(kSeekHeadSize);  // placeholder, replaced below once Info's and Tracks' offsets are known

  info_pos_ = position_ + a.size();
  size_t info = a.open_master(kInfo);
  a.uint_element(kTimestampScale, 1'000'000);  // 1 ms ticks
  size_t duration_rel = a.size() - (info + 8);
  a.void_element(kDurationSize);
  a.string_element(kMuxingApp, "medley");
  a.string_element(kWritingApp, "medley");
  size_t info_size_len = a.close_master(info);
  duration_pos_ = position_ + info + info_size_len + duration_rel;

  tracks_pos_ = position_ + a.size();
  size_t tracks = a.open_master(kTracks);
  for (const Track& t : tracks_) {
    if (t.left_out) continue;
    size_t entry = a.open_master(kTrackEntry);
    a.uint_element(kTrackNumber, t.number);
    a.uint_element(kTrackUid, (uint64_t{t.number} << 32) | 0x6d656464);
    a.uint_element(kTrackType, t.video ? 1 : 2);
    a.uint_element(kFlagLacing, 0);
    a.string_element(kCodecId, codec_id_of(t.config.codec));
    if (!t.codec_private.empty()) a.binary_element(kCodecPrivate, t.codec_private);
    if (t.video) {
      size_t video = a.open_master(kVideo);
      a.uint_element(kPixelWidth, t.config.width);
      a.uint_element(kPixelHeight, t.config.height);
      a.close_master(video);
    } else {
      a.uint_element(kCodecDelay, uint64_t{t.config.opus_pre_skip} * 1'000'000'000 / 48'000);
      a.uint_element(kSeekPreRoll, kOpusSeekPreRollNs);
      size_t audio = a.open_master(kAudio);
      a.float_element(kSamplingFrequency, 48000.0);  // Opus always decodes at 48 kHz (RFC 7845 section 5.1)
      a.uint_element(kChannels, t.config.channels);
      a.close_master(audio);
    }
    a.close_master(entry);
  }
  a.close_master(tracks);

  std::vector<uint8_t> seek_head;
  append_seek_head(seek_head, info_pos_ - segment_data_pos_, tracks_pos_ - segment_data_pos_, std::nullopt);
  std::copy(seek_head.begin(), seek_head.end(), scratch_.begin() + static_cast<ptrdiff_t>(seek_head_at));

  if (!emit(scratch_)) return false;
  header_written_ = true;

  std::vector<Pending> pending = std::move(pending_);
  pending_ = {};
  pending_bytes_ = 0;
  for (const Pending& p : pending) {
    Track& t = tracks_[p.track - 1];
    if (t.left_out) {
      ++stats_.dropped_track;
      continue;
    }
    if (add_block(t, floor_div(p.us - origin_us_, 1000), p.keyframe, p.data) == WebmWriteResult::Failed) return false;
  }
  return true;
}

WebmWriteResult WebmWriter::add_block(Track& track, int64_t ms, bool keyframe, base::Bytes data) {
  if (ms < 0) {
    ++stats_.dropped_late;
    return WebmWriteResult::DroppedLate;
  }
  size_t payload = data.size();
  bool h264 = track.config.codec == base::CodecId::H264;
  if (h264) {
    nals_.clear();
    if (!rtp::h264::split_annex_b(data, nals_)) {
      ++stats_.dropped_invalid;
      return WebmWriteResult::DroppedInvalid;
    }
    payload = 0;
    for (base::Bytes nal : nals_) payload += 4 + nal.size();
  }
  uint64_t block_body = 4 + payload;  // track number vint, int16 offset, flags
  size_t block_total = ebml::element_length(kSimpleBlock, block_body);

  bool video_key = track.video && keyframe;
  if (cluster_open_) {
    int64_t rel = ms - cluster_ms_;
    // An open Cluster always holds a block already, so a video keyframe always starts the next one.
    if (video_key || rel >= config_.max_cluster_duration.ms() ||
        cluster_.size() + block_total > config_.max_cluster_bytes) {
      if (!close_cluster()) return fail();
    } else if (rel < INT16_MIN) {
      ++stats_.dropped_late;
      return WebmWriteResult::DroppedLate;
    }
  }
  if (!cluster_open_) {
    cluster_.clear();
    ebml::Appender(cluster_).uint_element(kTimestamp, static_cast<uint64_t>(ms));
    cluster_open_ = true;
    cluster_ms_ = ms;
    cluster_pos_ = position_ - segment_data_pos_;
    cluster_has_cue_ = false;
  }
  // Cue the Cluster a video keyframe opens (or, in a file without video, every Cluster), time-ordered only.
  if (!cluster_has_cue_ && (video_key || !any_video_) && ms == cluster_ms_ &&
      (cues_.empty() || ms > cues_.back().ms)) {
    cues_.push_back(Cue{ms, track.number, cluster_pos_});
    cluster_has_cue_ = true;
    ++stats_.cues;
  }

  int64_t rel = ms - cluster_ms_;
  ebml::Appender a(cluster_);
  a.id(kSimpleBlock);
  a.vint(block_body);
  a.vint(track.number);
  a.be16(static_cast<uint16_t>(static_cast<int16_t>(rel)));
  a.u8(keyframe || !track.video ? 0x80 : 0x00);
  if (h264) {
    for (base::Bytes nal : nals_) {
      uint32_t n = static_cast<uint32_t>(nal.size());
      const uint8_t len[4] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
      a.raw(len);
      a.raw(nal);
    }
  } else {
    a.raw(data);
  }
  ++stats_.frames_written;

  if (ms > track.last_ms) {
    if (track.last_ms >= 0) track.last_step_ms = ms - track.last_ms;
    track.last_ms = ms;
  }
  end_ms_ = std::max(end_ms_, ms + (ms == track.last_ms ? track.last_step_ms : 0));
  return WebmWriteResult::Accepted;
}

bool WebmWriter::close_cluster() {
  if (!cluster_open_) return true;
  cluster_open_ = false;
  scratch_.clear();
  ebml::Appender a(scratch_);
  a.id(kCluster);
  a.vint(cluster_.size());
  if (!emit(scratch_) || !emit(cluster_)) return false;
  ++stats_.clusters;
  return true;
}

bool WebmWriter::flush() {
  if (failed_) return false;
  if (!header_written_) return true;  // the header waits for its keyframes (see header_wait), not for the clock
  return close_cluster();
}

bool WebmWriter::finish() {
  if (finished_) return !failed_;
  finished_ = true;
  if (failed_) return false;
  // A recording with tracks but no usable frame still gets its header: never a zero-size file.
  if (!header_written_ && !tracks_.empty() && !write_header()) return false;
  if (!header_written_) return true;
  if (!close_cluster()) return false;

  std::optional<uint64_t> cues_rel;
  if (!cues_.empty()) {
    cues_rel = position_ - segment_data_pos_;
    scratch_.clear();
    ebml::Appender a(scratch_);
    size_t cues = a.open_master(kCues);
    for (const Cue& c : cues_) {
      size_t point = a.open_master(kCuePoint);
      a.uint_element(kCueTime, static_cast<uint64_t>(c.ms));
      size_t pos = a.open_master(kCueTrackPositions);
      a.uint_element(kCueTrack, c.track);
      a.uint_element(kCueClusterPosition, c.cluster_pos);
      a.close_master(pos);
      a.close_master(point);
    }
    a.close_master(cues);
    if (!emit(scratch_)) return false;
  }

  if (!sink_.can_seek()) return true;
  std::array<uint8_t, 8> size{};
  uint64_t segment_size = position_ - segment_data_pos_;
  size[0] = 0x01;  // an 8-byte vint, so the patch is the same length as the unknown size it replaces
  for (int i = 1; i < 8; ++i) size[i] = static_cast<uint8_t>(segment_size >> (8 * (7 - i)));
  std::vector<uint8_t> duration;
  ebml::Appender(duration).float_element(kDuration, static_cast<double>(end_ms_));
  assert(duration.size() == kDurationSize);
  scratch_.clear();
  append_seek_head(scratch_, info_pos_ - segment_data_pos_, tracks_pos_ - segment_data_pos_, cues_rel);
  if (!sink_.write_at(segment_size_pos_, size) || !sink_.write_at(duration_pos_, duration) ||
      !sink_.write_at(seek_head_pos_, scratch_)) {
    failed_ = true;
    return false;
  }
  return true;
}

base::Duration WebmWriter::duration() const { return base::Duration::millis(end_ms_); }

}  // namespace medley::mux
