// WebmReader: a webm::Callback that pauses the parser after each frame (by answering kWouldBlock before it
// consumes the next one), so frames come out one by one from a pull API; every size is checked against the
// source and the limits before anything is allocated.
#include "mux/webm_reader.hpp"

#include <webm/callback.h>
#include <webm/reader.h>
#include <webm/status.h>
#include <webm/webm_parser.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "rtp/payload/h264.hpp"

namespace medley::mux {
namespace {

constexpr uint64_t kDefaultTimecodeScale = 1'000'000;  // ns per tick (Matroska default)

// Presents a ByteSource to libwebm. The Reader contract: a full read is kOkCompleted, a short non-empty one
// kOkPartial, nothing at all some other status (kEndOfFile) with a zero count.
class SourceReader final : public webm::Reader {
 public:
  explicit SourceReader(ByteSource& source) : source_(&source) {}

  webm::Status Read(std::size_t n, std::uint8_t* buffer, std::uint64_t* got) override {
    size_t k = source_->read_at(pos_, base::MutableBytes(buffer, n));
    *got = k;
    pos_ += k;
    if (k == n) return webm::Status(webm::Status::kOkCompleted);
    return webm::Status(k > 0 ? webm::Status::kOkPartial : webm::Status::kEndOfFile);
  }
  webm::Status Skip(std::uint64_t n, std::uint64_t* skipped) override {
    uint64_t size = source_->size();
    uint64_t k = pos_ < size ? std::min(n, size - pos_) : 0;
    *skipped = k;
    pos_ += k;
    if (k == n) return webm::Status(webm::Status::kOkCompleted);
    return webm::Status(k > 0 ? webm::Status::kOkPartial : webm::Status::kEndOfFile);
  }
  std::uint64_t Position() const override { return pos_; }
  void set_position(uint64_t pos) { pos_ = pos; }
  ByteSource& source() { return *source_; }

 private:
  ByteSource* source_;
  uint64_t pos_ = 0;
};

base::CodecId codec_from_matroska(std::string_view id) {
  if (id == "V_VP8") return base::CodecId::Vp8;
  if (id == "V_VP9") return base::CodecId::Vp9;
  if (id == "V_AV1") return base::CodecId::Av1;
  if (id == "V_MPEG4/ISO/AVC") return base::CodecId::H264;
  if (id == "A_OPUS") return base::CodecId::Opus;
  return base::CodecId::Unknown;
}

// Elements that may legitimately run past the end of a file cut short, and that libwebm does not buffer whole.
bool streams_through(webm::Id id) {
  switch (id) {
    case webm::Id::kSegment:
    case webm::Id::kCluster:
    case webm::Id::kSimpleBlock:
    case webm::Id::kBlockGroup:
    case webm::Id::kBlock:
      return true;
    default:
      return false;
  }
}

bool is_cue_element(webm::Id id) {
  switch (id) {
    case webm::Id::kCuePoint:
    case webm::Id::kCueTime:
    case webm::Id::kCueTrackPositions:
    case webm::Id::kCueTrack:
    case webm::Id::kCueClusterPosition:
    case webm::Id::kCueRelativePosition:
    case webm::Id::kCueDuration:
    case webm::Id::kCueBlockNumber:
    case webm::Id::kVoid:
      return true;
    default:
      return false;
  }
}

// ISO/IEC 14496-15 5.3.3.1: NAL length size and the parameter sets of an AVCDecoderConfigurationRecord.
struct AvcConfig {
  size_t length_size = 4;
  std::vector<uint8_t> parameter_sets;  // SPS and PPS in Annex B form, for keyframes that lack them
};

std::optional<AvcConfig> parse_avc_config(base::Bytes b) {
  base::ByteReader r(b);
  if (r.u8() != 1) return std::nullopt;
  r.skip(3);
  AvcConfig c;
  c.length_size = (r.u8() & 3) + 1;
  if (c.length_size == 3) return std::nullopt;
  for (int kind = 0; kind < 2; ++kind) {
    unsigned count = kind == 0 ? (r.u8() & 0x1f) : r.u8();
    for (unsigned i = 0; i < count && r.ok(); ++i) {
      uint16_t len = r.u16();
      base::Bytes nal = r.bytes(len);
      if (!r.ok() || nal.empty()) return std::nullopt;
      c.parameter_sets.insert(c.parameter_sets.end(), {0, 0, 0, 1});
      c.parameter_sets.insert(c.parameter_sets.end(), nal.begin(), nal.end());
    }
  }
  if (!r.ok()) return std::nullopt;
  return c;
}

}  // namespace

class WebmReader::Impl final : public webm::Callback {
 public:
  enum class Mode { Header, Frames, Cues, Scan };
  struct Point {
    uint64_t ticks;
    uint64_t track;
    uint64_t cluster_pos;  // absolute
  };
  struct TrackState {
    uint64_t number = 0;
    base::CodecId codec = base::CodecId::Unknown;
    std::optional<AvcConfig> avc;
  };

  Impl(ByteSource& source, WebmReaderLimits limits) : reader_(source), limits_(limits) {}

  // ---- setup
  std::optional<WebmReadError> read_header() {
    mode_ = Mode::Header;
    for (int guard = 0; guard < 1'000'000 && !header_done_; ++guard) {
      uint64_t before = reader_.Position();
      webm::Status s = parser_->Feed(this, &reader_);
      if (s.code == webm::Status::kWouldBlock && header_done_) break;
      if (s.is_parsing_error()) {
        if (!saw_ebml_ || doc_type_error_) return WebmReadError::NotWebm;
        if (!segment_data_) return WebmReadError::NoSegment;
        header_done_ = true;
        parse_failed_ = true;
        break;
      }
      if (s.completed_ok() || s.code == webm::Status::kEndOfFile || reader_.Position() == before) break;
    }
    if (doc_type_error_ || !saw_ebml_) return WebmReadError::NotWebm;
    if (!segment_data_) return WebmReadError::NoSegment;
    header_done_ = true;
    if (cues_offset_ && cues_.empty() && *cues_offset_ < UINT64_MAX - *segment_data_) {
      load_cues(*segment_data_ + *cues_offset_);
    }
    std::stable_sort(cues_.begin(), cues_.end(), [](const Point& a, const Point& b) { return a.ticks < b.ticks; });
    mode_ = Mode::Frames;
    return std::nullopt;
  }

  // ---- frames
  WebmReadStatus next(WebmFrame& out) {
    for (int idle = 0; idle < 4;) {
      if (ready_begin_ < committed_end_) {
        WebmFrame& slot = slots_[ready_begin_++];
        if (ready_begin_ == ready_end_ && !frame_in_progress_) ready_begin_ = committed_end_ = ready_end_ = 0;
        if (skip_before_ && slot.timestamp < *skip_before_) continue;
        std::swap(out.data, slot.data);
        out.track = slot.track;
        out.codec = slot.codec;
        out.timestamp = slot.timestamp;
        out.keyframe = slot.keyframe;
        out.position = slot.position;
        ++stats_.frames;
        return WebmReadStatus::Frame;
      }
      if (ended_) return parse_failed_ ? WebmReadStatus::Error : WebmReadStatus::End;
      if (parse_failed_) {
        ended_ = true;
        continue;
      }
      uint64_t before = reader_.Position();
      webm::Status s = parser_->Feed(this, &reader_);
      if (s.code == webm::Status::kWouldBlock) {
        if (ready_begin_ < committed_end_) continue;
        ++idle;
        continue;
      }
      if (s.is_parsing_error()) {
        parse_failed_ = true;
        continue;
      }
      if (s.completed_ok() || s.code == webm::Status::kEndOfFile) {
        ended_ = true;
        continue;
      }
      if (reader_.Position() == before && ready_begin_ == committed_end_) ++idle;
    }
    ended_ = true;
    return WebmReadStatus::End;
  }

  // ---- index: Cues, or a scan of block headers
  void load_cues(uint64_t pos) {
    if (!starts_with_id(pos, 0x1C53BB6B)) return;
    Mode saved = mode_;
    mode_ = Mode::Cues;
    cues_started_ = false;
    run_side_parser(pos);
    mode_ = saved;
  }

  void scan() {
    if (scanned_ || !first_cluster_) return;
    scanned_ = true;
    Mode saved = mode_;
    mode_ = Mode::Scan;
    run_side_parser(*first_cluster_);
    mode_ = saved;
  }

  std::optional<base::Duration> duration() {
    if (info_duration_) return info_duration_;
    scan();
    if (!scan_max_ticks_) return std::nullopt;
    return ticks_to_time(*scan_max_ticks_);
  }

  const std::vector<Point>* index();

  bool seekable() {
    const auto* points = index();
    return points && !points->empty();
  }

  std::optional<base::Duration> seek(base::Duration to) {
    const auto* points = index();
    if (!points || points->empty()) return std::nullopt;
    const Point* best = &points->front();
    for (const Point& p : *points) {
      auto t = ticks_to_time(p.ticks);
      if (!t || *t > to) break;
      best = &p;
    }
    auto time = ticks_to_time(best->ticks);
    if (!time || !starts_with_id(best->cluster_pos, 0x1F43B675)) return std::nullopt;
    reset_frame_state();
    reader_.set_position(best->cluster_pos);
    parser_->DidSeek();
    ended_ = parse_failed_ = false;
    skip_before_ = *time;
    return time;
  }

  // ---- webm::Callback
  webm::Status OnElementBegin(const webm::ElementMetadata& m, webm::Action* action) override {
    *action = webm::Action::kRead;
    if (mode_ == Mode::Header && m.id == webm::Id::kCluster) {
      if (!first_cluster_) first_cluster_ = m.position;
      header_done_ = true;
      return webm::Status(webm::Status::kWouldBlock);  // parked; resumes here once frames are asked for
    }
    if (mode_ == Mode::Cues) {
      bool ours = (m.id == webm::Id::kCues && !cues_started_) || is_cue_element(m.id);
      if (m.id == webm::Id::kCues) cues_started_ = true;
      if (!ours) return webm::Status(webm::Status::kWouldBlock);  // the Cues are over
    }
    if (m.id == webm::Id::kCluster && !first_cluster_) first_cluster_ = m.position;
    if (m.size != webm::kUnknownElementSize && !streams_through(m.id)) {
      uint64_t end = m.position + m.header_size;
      bool beyond = m.size > limits_.max_element_bytes || end > reader_.source().size() ||
                    m.size > reader_.source().size() - end;
      // Master elements holding nothing big are parsed child by child, so only leaves risk a large allocation,
      // but a header master cut short is useless anyway: skip either.
      if (beyond) {
        ++stats_.elements_skipped;
        *action = webm::Action::kSkip;
      }
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnEbml(const webm::ElementMetadata&, const webm::Ebml& ebml) override {
    saw_ebml_ = true;
    doc_type_ = ebml.doc_type.value();
    if (doc_type_ != "webm" && doc_type_ != "matroska") doc_type_error_ = true;
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnSegmentBegin(const webm::ElementMetadata& m, webm::Action* action) override {
    *action = webm::Action::kRead;
    if (!saw_ebml_ || doc_type_error_) return webm::Status(webm::Status::kInvalidElementId);
    if (segment_data_) {
      // A second Segment (chained files): we play the first one only.
      return webm::Status(webm::Status::kWouldBlock);
    }
    if (m.position != webm::kUnknownElementPosition && m.header_size != webm::kUnknownHeaderSize) {
      segment_data_ = m.position + m.header_size;
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnSeek(const webm::ElementMetadata&, const webm::Seek& seek) override {
    if (seek.id.value() == webm::Id::kCues && seek.position.is_present() && !cues_offset_) {
      cues_offset_ = seek.position.value();
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnInfo(const webm::ElementMetadata&, const webm::Info& info) override {
    uint64_t scale = info.timecode_scale.value();
    timecode_scale_ = (scale == 0 || scale > 1'000'000'000'000ull) ? kDefaultTimecodeScale : scale;
    if (info.duration.is_present()) {
      double ns = info.duration.value() * static_cast<double>(timecode_scale_);
      if (std::isfinite(ns) && ns >= 0 && ns < 9.0e18) info_duration_ = base::Duration::micros(int64_t(ns / 1000));
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnTrackEntry(const webm::ElementMetadata&, const webm::TrackEntry& e) override {
    if (mode_ != Mode::Header || tracks_.size() >= limits_.max_tracks) return webm::Status(webm::Status::kOkCompleted);
    uint64_t number = e.track_number.value();
    if (number == 0 || track(number)) return webm::Status(webm::Status::kOkCompleted);
    WebmTrackInfo t;
    t.number = number;
    t.codec_id = e.codec_id.value();
    t.codec = codec_from_matroska(t.codec_id);
    t.codec_private = e.codec_private.value();
    t.codec_delay_ns = e.codec_delay.value();
    t.seek_pre_roll_ns = e.seek_pre_roll.value();
    switch (e.track_type.value()) {
      case webm::TrackType::kVideo: t.kind = WebmTrackKind::Video; break;
      case webm::TrackType::kAudio: t.kind = WebmTrackKind::Audio; break;
      default: t.kind = WebmTrackKind::Other; break;
    }
    if (e.video.is_present()) {
      t.width = static_cast<uint32_t>(std::min<uint64_t>(e.video.value().pixel_width.value(), UINT32_MAX));
      t.height = static_cast<uint32_t>(std::min<uint64_t>(e.video.value().pixel_height.value(), UINT32_MAX));
    }
    if (e.audio.is_present()) {
      double rate = e.audio.value().sampling_frequency.value();
      t.sample_rate = std::isfinite(rate) && rate > 0 ? rate : 0;
      t.channels = static_cast<uint32_t>(std::min<uint64_t>(e.audio.value().channels.value(), UINT32_MAX));
    }
    TrackState state;
    state.number = number;
    state.codec = t.codec;
    if (t.codec == base::CodecId::H264) state.avc = parse_avc_config(t.codec_private);
    tracks_.push_back(std::move(t));
    track_states_.push_back(std::move(state));
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnCuePoint(const webm::ElementMetadata&, const webm::CuePoint& cue) override {
    // Only from the header or a Cues load; a scan or the frame reader passing Cues at the end ignore them.
    if (!segment_data_ || (mode_ != Mode::Header && mode_ != Mode::Cues)) return webm::Status(webm::Status::kOkCompleted);
    for (const auto& pos : cue.cue_track_positions) {
      if (cues_.size() >= limits_.max_index_points) break;
      const auto& p = pos.value();
      uint64_t rel = p.cluster_position.value();
      if (rel > UINT64_MAX - *segment_data_) continue;
      cues_.push_back(Point{cue.time.value(), p.track.value(), *segment_data_ + rel});
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnClusterBegin(const webm::ElementMetadata& m, const webm::Cluster& cluster,
                              webm::Action* action) override {
    *action = webm::Action::kRead;
    ctx_.cluster_ticks = cluster.timecode.value();
    ctx_.cluster_pos = m.position;
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock& block,
                                  webm::Action* action) override {
    *action = webm::Action::kRead;
    ctx_.block_track = block.track_number;
    ctx_.block_ticks = block.timecode;
    ctx_.block_key = block.is_key_frame;
    ctx_.in_group = false;
    if (mode_ == Mode::Scan) {
      note_scanned(block.track_number, block.timecode, block.is_key_frame);
      *action = webm::Action::kSkip;
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnBlockGroupBegin(const webm::ElementMetadata&, webm::Action* action) override {
    *action = webm::Action::kRead;
    ctx_.in_group = true;
    ctx_.group_first = ready_end_;
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnBlockBegin(const webm::ElementMetadata&, const webm::Block& block, webm::Action* action) override {
    *action = webm::Action::kRead;
    ctx_.block_track = block.track_number;
    ctx_.block_ticks = block.timecode;
    ctx_.block_key = false;
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnBlockGroupEnd(const webm::ElementMetadata&, const webm::BlockGroup& group) override {
    bool key = group.references.empty();
    if (mode_ == Mode::Scan) {
      if (group.block.is_present()) note_scanned(group.block.value().track_number, group.block.value().timecode, key);
    } else {
      for (size_t i = ctx_.group_first; i < ready_end_; ++i) {
        slots_[i].keyframe = key;
        const TrackState* state = track_state(slots_[i].track);
        if (key && state && state->codec == base::CodecId::H264) add_parameter_sets(*state, slots_[i]);
      }
      committed_end_ = ready_end_;
    }
    ctx_.in_group = false;
    return webm::Status(webm::Status::kOkCompleted);
  }

  webm::Status OnFrame(const webm::FrameMetadata& m, webm::Reader* reader, std::uint64_t* remaining) override {
    if (mode_ != Mode::Frames) return Skip(reader, remaining);
    if (!frame_in_progress_) {
      // Hold the parser here until the frames already out are taken (not inside a BlockGroup, whose keyframe
      // flag is only known at its end).
      if (!ctx_.in_group && ready_begin_ < committed_end_) return webm::Status(webm::Status::kWouldBlock);
      if (ready_end_ - ready_begin_ > 1024) return webm::Status(webm::Status::kWouldBlock);
      const TrackState* state = track_state(ctx_.block_track);
      if (!state) {
        ++stats_.dropped_unknown_track;
        return Skip(reader, remaining);
      }
      uint64_t available = reader_.source().size() > m.position ? reader_.source().size() - m.position : 0;
      if (*remaining > limits_.max_frame_bytes) {
        ++stats_.dropped_too_large;
        return Skip(reader, remaining);
      }
      if (*remaining > available) return Skip(reader, remaining);  // cut short: ends in EOF, never delivered
      auto ticks = add_ticks(ctx_.cluster_ticks, ctx_.block_ticks);
      auto time = ticks ? ticks_to_time(*ticks) : std::nullopt;
      if (!time) {
        ++stats_.dropped_bad_timestamp;
        return Skip(reader, remaining);
      }
      if (ready_end_ == slots_.size()) slots_.emplace_back();
      WebmFrame& slot = slots_[ready_end_];
      slot.track = ctx_.block_track;
      slot.codec = state->codec;
      slot.timestamp = *time;
      slot.keyframe = ctx_.block_key;
      slot.position = m.position;
      slot.data.resize(static_cast<size_t>(*remaining));
      frame_filled_ = 0;
      frame_in_progress_ = true;
    }
    WebmFrame& slot = slots_[ready_end_];
    while (*remaining > 0) {
      uint64_t got = 0;
      webm::Status s = reader->Read(static_cast<size_t>(*remaining), slot.data.data() + frame_filled_, &got);
      frame_filled_ += static_cast<size_t>(got);
      *remaining -= got;
      if (s.code != webm::Status::kOkCompleted && s.code != webm::Status::kOkPartial) return s;
      if (got == 0) return webm::Status(webm::Status::kEndOfFile);
    }
    frame_in_progress_ = false;
    const TrackState* state = track_state(slot.track);
    if (state && state->codec == base::CodecId::H264 && !to_annex_b(*state, slot)) {
      ++stats_.dropped_bad_nal;
      return webm::Status(webm::Status::kOkCompleted);
    }
    ++ready_end_;
    if (!ctx_.in_group) committed_end_ = ready_end_;
    return webm::Status(webm::Status::kOkCompleted);
  }

  // ---- state shared with WebmReader
  const WebmTrackInfo* track(uint64_t number) const {
    for (const auto& t : tracks_) {
      if (t.number == number) return &t;
    }
    return nullptr;
  }

  std::unique_ptr<webm::WebmParser> parser_ = std::make_unique<webm::WebmParser>();
  SourceReader reader_;
  WebmReaderLimits limits_;
  WebmReaderStats stats_;
  std::string doc_type_;
  std::vector<WebmTrackInfo> tracks_;
  std::vector<Point> cues_;

 private:
  const TrackState* track_state(uint64_t number) const {
    for (const auto& t : track_states_) {
      if (t.number == number) return &t;
    }
    return nullptr;
  }

  std::optional<uint64_t> add_ticks(uint64_t cluster, int16_t block) const {
    if (block < 0 && cluster < uint64_t(-int64_t{block})) return std::nullopt;  // before the file's zero
    uint64_t t = cluster + static_cast<uint64_t>(int64_t{block});
    if (block > 0 && t < cluster) return std::nullopt;
    return t;
  }

  std::optional<base::Duration> ticks_to_time(uint64_t ticks) const {
    uint64_t ns = 0;
    if (__builtin_mul_overflow(ticks, timecode_scale_, &ns) || ns > uint64_t{INT64_MAX}) return std::nullopt;
    return base::Duration::micros(static_cast<int64_t>(ns / 1000));
  }

  bool starts_with_id(uint64_t pos, uint32_t id) {
    uint8_t b[4];
    if (reader_.source().read_at(pos, b) != 4) return false;
    return base::load_be32(b) == id;
  }

  void reset_frame_state() {
    ready_begin_ = committed_end_ = ready_end_ = 0;
    frame_in_progress_ = false;
    ctx_.in_group = false;
  }

  // Parses from pos (an element start) with a parser of its own, leaving the frame parser where it was.
  void run_side_parser(uint64_t pos) {
    uint64_t saved_pos = reader_.Position();
    BlockContext saved_ctx = ctx_;
    webm::WebmParser side;
    reader_.set_position(pos);
    side.DidSeek();
    for (int guard = 0; guard < 100'000'000; ++guard) {
      uint64_t before = reader_.Position();
      webm::Status s = side.Feed(this, &reader_);
      if (!s.ok() || s.completed_ok() || s.code == webm::Status::kWouldBlock || reader_.Position() == before) break;
    }
    reader_.set_position(saved_pos);
    ctx_ = saved_ctx;
  }

  void note_scanned(uint64_t track, int16_t offset, bool key) {
    auto ticks = add_ticks(ctx_.cluster_ticks, offset);
    if (!ticks || !ticks_to_time(*ticks)) return;
    if (!scan_max_ticks_ || *ticks > *scan_max_ticks_) scan_max_ticks_ = *ticks;
    if (!key || track != index_track() || scan_points_.size() >= limits_.max_index_points) return;
    if (!scan_points_.empty() && scan_points_.back().cluster_pos == ctx_.cluster_pos) return;
    if (!scan_points_.empty() && *ticks <= scan_points_.back().ticks) return;
    scan_points_.push_back(Point{*ticks, track, ctx_.cluster_pos});
  }

  uint64_t index_track() const {
    for (const auto& t : tracks_) {
      if (t.kind == WebmTrackKind::Video) return t.number;
    }
    return tracks_.empty() ? 0 : tracks_.front().number;
  }

  bool to_annex_b(const TrackState& state, WebmFrame& frame) {
    size_t len_size = state.avc ? state.avc->length_size : 4;
    base::ByteReader r(frame.data);
    annexb_.clear();
    while (!r.empty()) {
      uint64_t n = 0;
      for (size_t i = 0; i < len_size; ++i) n = (n << 8) | r.u8();
      if (!r.ok() || n == 0 || n > r.remaining()) return false;
      base::Bytes nal = r.bytes(static_cast<size_t>(n));
      annexb_.insert(annexb_.end(), {0, 0, 0, 1});
      annexb_.insert(annexb_.end(), nal.begin(), nal.end());
    }
    std::swap(frame.data, annexb_);
    if (frame.keyframe) add_parameter_sets(state, frame);
    return true;
  }

  // A decoder joining at this keyframe (after a seek) needs the SPS/PPS that the file keeps in CodecPrivate.
  void add_parameter_sets(const TrackState& state, WebmFrame& frame) {
    if (!state.avc || state.avc->parameter_sets.empty()) return;
    nals_.clear();
    rtp::h264::split_annex_b(frame.data, nals_);
    for (base::Bytes nal : nals_) {
      if ((nal[0] & 0x1f) == rtp::h264::kSps) return;
    }
    frame.data.insert(frame.data.begin(), state.avc->parameter_sets.begin(), state.avc->parameter_sets.end());
  }

  Mode mode_ = Mode::Header;
  bool saw_ebml_ = false;
  bool doc_type_error_ = false;
  bool header_done_ = false;
  bool cues_started_ = false;
  bool ended_ = false;
  bool parse_failed_ = false;
  bool scanned_ = false;
  std::optional<uint64_t> segment_data_;
  std::optional<uint64_t> cues_offset_;
  std::optional<uint64_t> first_cluster_;
  uint64_t timecode_scale_ = kDefaultTimecodeScale;
  std::optional<base::Duration> info_duration_;
  std::vector<TrackState> track_states_;
  std::vector<Point> scan_points_;
  std::vector<Point> cue_index_;
  std::optional<uint64_t> scan_max_ticks_;
  std::optional<base::Duration> skip_before_;

  // Where the parser is in the Cluster/Block structure; saved around side parsers, which reuse the callbacks.
  struct BlockContext {
    uint64_t cluster_ticks = 0;
    uint64_t cluster_pos = 0;
    uint64_t block_track = 0;
    int16_t block_ticks = 0;
    bool block_key = false;
    bool in_group = false;
    size_t group_first = 0;
  } ctx_;

  // Frames read and not yet handed out: [ready_begin_, committed_end_) are complete, [committed_end_, ready_end_)
  // wait for their BlockGroup's end. Slots are reused so their buffers keep their capacity.
  std::vector<WebmFrame> slots_;
  size_t ready_begin_ = 0;
  size_t committed_end_ = 0;
  size_t ready_end_ = 0;
  bool frame_in_progress_ = false;
  size_t frame_filled_ = 0;
  std::vector<uint8_t> annexb_;
  std::vector<base::Bytes> nals_;

  friend class WebmReader;
};

const std::vector<WebmReader::Impl::Point>* WebmReader::Impl::index() {
  uint64_t want = index_track();
  if (!cues_.empty()) {
    // Cues for the index track when it has any, else all of them (a file cueing only its audio).
    if (std::any_of(cues_.begin(), cues_.end(), [&](const Point& p) { return p.track == want; })) {
      if (cue_index_.empty()) {
        for (const Point& p : cues_) {
          if (p.track == want) cue_index_.push_back(p);
        }
      }
      return &cue_index_;
    }
    return &cues_;
  }
  scan();
  return &scan_points_;
}

WebmReader::WebmReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebmReader::WebmReader(WebmReader&&) noexcept = default;
WebmReader& WebmReader::operator=(WebmReader&&) noexcept = default;
WebmReader::~WebmReader() = default;

base::Result<WebmReader, WebmReadError> WebmReader::open(ByteSource& source, WebmReaderLimits limits) {
  auto impl = std::make_unique<Impl>(source, limits);
  if (auto error = impl->read_header()) return *error;
  return WebmReader(std::move(impl));
}

std::string_view WebmReader::doc_type() const { return impl_->doc_type_; }
const std::vector<WebmTrackInfo>& WebmReader::tracks() const { return impl_->tracks_; }
const WebmTrackInfo* WebmReader::track(uint64_t number) const { return impl_->track(number); }
WebmReadStatus WebmReader::next(WebmFrame& frame) { return impl_->next(frame); }
std::optional<base::Duration> WebmReader::duration() { return impl_->duration(); }
bool WebmReader::seekable() { return impl_->seekable(); }
bool WebmReader::has_cues() const { return !impl_->cues_.empty(); }
std::optional<base::Duration> WebmReader::seek(base::Duration to) { return impl_->seek(to); }
const WebmReaderStats& WebmReader::stats() const { return impl_->stats_; }

}  // namespace medley::mux
