// Fragmented MP4 writer: header, fragments (moof+mdat) and the closing mfra.
#include "mux/mp4_writer.hpp"

#include <algorithm>
#include <cstring>

#include "mux/mp4_box.hpp"
#include "mux/mp4_codec_config.hpp"
#include "rtp/payload/h264.hpp"
#include "rtp/payload/h264_sps.hpp"
#include "rtp/payload/vp9.hpp"

namespace medley::mux {

namespace {
constexpr uint32_t kVideoTimescale = 90000;
constexpr uint32_t kAudioTimescale = 48000;
constexpr uint32_t kMovieTimescale = 1000;
// ISO/IEC 14496-12 8.8.3.1 sample flags: sample_depends_on = 2 (an I picture) / 1 plus sample_is_non_sync_sample.
constexpr uint32_t kSyncFlags = 0x02000000;
constexpr uint32_t kNonSyncFlags = 0x01010000;
// Bounds that cut a fragment early whatever the timestamps say, so memory stays bounded.
constexpr size_t kMaxFragmentSamples = 4096;
constexpr size_t kMaxFragmentBytes = 64u << 20;
constexpr size_t kMaxHeld = 1024;  // audio frames held while waiting for the first video keyframe
constexpr uint32_t kMatrix[9] = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};

void write_matrix(BoxBuilder& b) {
  for (uint32_t v : kMatrix) b.u32(v);
}
bool same(base::Bytes a, const std::vector<uint8_t>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}
}  // namespace

Mp4Writer::Mp4Writer(Mp4WriterConfig config, ByteSink& sink) : config_(config), sink_(sink) {
  if (config_.max_fragment <= base::Duration::zero()) config_.max_fragment = base::Duration::seconds(1);
  config_.audio_channels = std::clamp<uint8_t>(config_.audio_channels, 1, 2);
  video_.wanted = config_.video == base::CodecId::H264 || config_.video == base::CodecId::Vp9;
  video_.codec = config_.video;
  video_.timescale = kVideoTimescale;
  audio_.wanted = config_.audio == base::CodecId::Opus;
  audio_.codec = config_.audio;
  audio_.timescale = kAudioTimescale;
}

Mp4WriteStatus Mp4Writer::write(const base::EncodedFrame& frame, base::Timestamp time) {
  if (finished_) return Mp4WriteStatus::Finished;
  if (failed_) return Mp4WriteStatus::SinkFailed;
  auto drop = [this](Mp4WriteStatus s) {
    ++stats_.frames_dropped;
    return s;
  };
  const bool is_video = video_.wanted && frame.codec == video_.codec;
  const bool is_audio = audio_.wanted && frame.codec == audio_.codec;
  if (!is_video && !is_audio) return drop(Mp4WriteStatus::NotConfigured);
  if (frame.data.empty()) return drop(Mp4WriteStatus::BadFrame);

  if (!header_written_) {
    if (is_video) {
      if (gave_up_video_) return drop(Mp4WriteStatus::NotConfigured);
      if (!take_video_setup(frame)) return drop(Mp4WriteStatus::WaitingKeyframe);
      start_file(time);
      Mp4WriteStatus s = write_ready(frame, time);
      for (const Held& h : held_) {
        if (h.time >= time) write_ready(h.frame, h.time);
        else ++stats_.frames_dropped;
      }
      held_.clear();
      return s;
    }
    if (video_.wanted && !gave_up_video_) {
      held_.push_back({frame, time});
      if (held_.size() >= kMaxHeld || time - held_.front().time >= config_.setup_wait) {
        gave_up_video_ = true;
        start_file(held_.front().time);
        for (const Held& h : held_) write_ready(h.frame, h.time);
        held_.clear();
      }
      return failed_ ? Mp4WriteStatus::SinkFailed : Mp4WriteStatus::Accepted;
    }
    start_file(time);
  }
  if (is_video && !video_.active) return drop(Mp4WriteStatus::NotConfigured);
  return write_ready(frame, time);
}

bool Mp4Writer::take_video_setup(const base::EncodedFrame& frame) {
  if (video_.codec == base::CodecId::H264) {
    nals_.clear();
    if (!rtp::h264::split_annex_b(frame.data, nals_)) return false;
    base::Bytes sps, pps;
    bool idr = false;
    for (base::Bytes nal : nals_) {
      uint8_t type = nal[0] & 0x1f;
      if (type == rtp::h264::kSps && sps.empty()) sps = nal;
      if (type == rtp::h264::kPps && pps.empty()) pps = nal;
      if (type == rtp::h264::kIdr) idr = true;
    }
    if (!idr || sps.empty() || pps.empty()) return false;
    auto parsed = rtp::parse_h264_sps(sps);
    if (!parsed) return false;
    sps_.assign(sps.begin(), sps.end());
    pps_.assign(pps.begin(), pps.end());
    width_ = parsed->width;
    height_ = parsed->height;
    return true;
  }
  auto h = rtp::Vp9FrameHeader::parse(frame.data);
  if (!h || !h->keyframe || h->width == 0) return false;
  vp9_profile_ = static_cast<uint8_t>(((frame.data[0] >> 5) & 1) | (((frame.data[0] >> 4) & 1) << 1));
  width_ = h->width;
  height_ = h->height;
  return true;
}

void Mp4Writer::start_file(base::Timestamp t0) {
  t0_ = t0;
  video_.active = video_.wanted && !gave_up_video_;
  audio_.active = audio_.wanted;
  uint32_t id = 1;
  if (video_.active) video_.id = id++;
  if (audio_.active) audio_.id = id++;
  // mfra entries: one per fragment and track; room for about four minutes before the vectors grow (amortized).
  for (Track* t : {&video_, &audio_}) {
    if (t->active) t->index.reserve(256);
  }
  // An Opus packet is at most 1275 bytes per frame, six frames (RFC 6716 3.2.5): a capacity that never grows.
  audio_.pending.reserve(8192);
  audio_.scratch.reserve(8192);
  header_written_ = true;
  write_header();
}

uint64_t Mp4Writer::ticks(const Track& t, base::Timestamp time) const {
  int64_t us = (time - t0_).us();
  if (us <= 0) return 0;
  uint64_t u = static_cast<uint64_t>(us);
  return u / 1000000 * t.timescale + u % 1000000 * t.timescale / 1000000;
}

Mp4WriteStatus Mp4Writer::write_ready(const base::EncodedFrame& frame, base::Timestamp time) {
  Track& t = frame.codec == video_.codec && video_.active ? video_ : audio_;
  if (time < t0_) {
    ++stats_.frames_dropped;
    return Mp4WriteStatus::TooEarly;
  }
  bool sync = false;
  if (!convert_sample(frame, t.scratch, sync)) {
    ++stats_.frames_dropped;
    return Mp4WriteStatus::BadFrame;
  }
  uint64_t dts = ticks(t, time);
  if (t.has_pending) {
    dts = std::max(dts, t.pending_dts + 1);
    if (fragment_open_ && time - fragment_start_ > config_.max_fragment) flush_fragment();
    complete_pending(t, dts - t.pending_dts);
  } else {
    dts = std::max(dts, t.end_dts);
  }
  bool any = !video_.samples.empty() || !audio_.samples.empty();
  if (any && (&t == &video_ && sync)) flush_fragment();
  if (t.samples.size() >= kMaxFragmentSamples || t.data.size() >= kMaxFragmentBytes) flush_fragment();
  std::swap(t.pending, t.scratch);
  t.has_pending = true;
  t.pending_dts = dts;
  t.pending_sync = sync;
  t.pending_time = time;
  return failed_ ? Mp4WriteStatus::SinkFailed : Mp4WriteStatus::Accepted;
}

bool Mp4Writer::convert_sample(const base::EncodedFrame& frame, std::vector<uint8_t>& out, bool& sync) {
  out.clear();
  if (frame.codec == base::CodecId::H264) {
    nals_.clear();
    if (!rtp::h264::split_annex_b(frame.data, nals_)) return false;
    for (base::Bytes nal : nals_) {
      uint8_t type = nal[0] & 0x1f;
      if (type == rtp::h264::kIdr) sync = true;
      if (type == rtp::h264::kAud) continue;
      if (config_.h264_entry == H264SampleEntry::Avc1 &&
          ((type == rtp::h264::kSps && same(nal, sps_)) || (type == rtp::h264::kPps && same(nal, pps_)))) {
        continue;  // out of band, in avcC
      }
      uint8_t len[4];
      base::store_be32(len, static_cast<uint32_t>(nal.size()));
      out.insert(out.end(), len, len + 4);
      out.insert(out.end(), nal.begin(), nal.end());
    }
    return !out.empty();
  }
  if (frame.codec == base::CodecId::Vp9) {
    auto h = rtp::Vp9FrameHeader::parse(frame.data);
    sync = h ? (h->keyframe && !h->show_existing_frame) : frame.keyframe;
  } else {
    sync = true;
  }
  out.assign(frame.data.begin(), frame.data.end());
  return true;
}

void Mp4Writer::complete_pending(Track& t, uint64_t duration) {
  uint32_t d = static_cast<uint32_t>(std::min<uint64_t>(duration, UINT32_MAX));
  if (t.samples.empty()) t.base_dts = t.pending_dts;
  t.samples.push_back({static_cast<uint32_t>(t.pending.size()), d, t.pending_sync});
  t.data.insert(t.data.end(), t.pending.begin(), t.pending.end());
  // A fragment's span is measured from its first video sample when it has one, so the audio packet straddling a
  // keyframe cut does not push the next keyframe cut out of its fragment.
  const bool video = &t == &video_;
  if (!fragment_open_ || (video && !fragment_start_is_video_)) {
    fragment_open_ = true;
    fragment_start_ = t.pending_time;
    fragment_start_is_video_ = video;
  }
  t.last_duration = d;
  t.end_dts = t.pending_dts + d;
  t.has_pending = false;
}

uint32_t Mp4Writer::default_duration(const Track& t) const {
  if (t.codec == base::CodecId::Opus) {
    uint32_t n = opus_packet_samples(t.pending);
    if (n) return n;
  }
  if (t.last_duration) return t.last_duration;
  return t.timescale / (&t == &video_ ? 30 : 50);
}

bool Mp4Writer::emit(base::Bytes bytes) {
  if (failed_) return false;
  if (bytes.empty()) return true;
  if (!sink_.write(bytes)) {
    failed_ = true;
    return false;
  }
  offset_ += bytes.size();
  stats_.bytes += bytes.size();
  return true;
}

void Mp4Writer::write_header() {
  buf_.clear();
  BoxBuilder b(buf_);
  size_t ftyp = b.begin(fourcc("ftyp"));
  b.u32(fourcc("iso5"));
  b.u32(512);
  b.u32(fourcc("iso5"));
  b.u32(fourcc("iso6"));
  b.u32(fourcc("mp41"));
  b.end(ftyp);
  write_moov(buf_);
  emit(buf_);
}

void Mp4Writer::write_moov(std::vector<uint8_t>& out) {
  BoxBuilder b(out);
  size_t moov = b.begin(fourcc("moov"));
  size_t mvhd = b.begin_full(fourcc("mvhd"), 0, 0);
  b.u32(0);  // creation_time
  b.u32(0);  // modification_time
  b.u32(kMovieTimescale);
  mvhd_duration_offset_ = offset_ + b.size();
  b.u32(0);  // duration: patched at finish on a seekable sink
  b.u32(0x00010000);  // rate 1.0
  b.u16(0x0100);      // volume 1.0
  b.zeros(2 + 8);
  write_matrix(b);
  b.zeros(24);  // pre_defined
  b.u32((video_.active ? 1 : 0) + (audio_.active ? 1 : 0) + 1);  // next_track_ID
  b.end(mvhd);
  if (video_.active) write_trak(out, video_);
  if (audio_.active) write_trak(out, audio_);
  size_t mvex = b.begin(fourcc("mvex"));
  size_t mehd = b.begin_full(fourcc("mehd"), 1, 0);
  mehd_offset_ = offset_ + b.size();
  b.u64(0);  // fragment_duration, in the movie timescale
  b.end(mehd);
  for (const Track* t : {&video_, &audio_}) {
    if (!t->active) continue;
    size_t trex = b.begin_full(fourcc("trex"), 0, 0);
    b.u32(t->id);
    b.u32(1);  // default_sample_description_index
    b.u32(0);  // default_sample_duration
    b.u32(0);  // default_sample_size
    b.u32(0);  // default_sample_flags
    b.end(trex);
  }
  b.end(mvex);
  b.end(moov);
}

void Mp4Writer::write_trak(std::vector<uint8_t>& out, const Track& t) {
  const bool video = &t == &video_;
  BoxBuilder b(out);
  size_t trak = b.begin(fourcc("trak"));
  size_t tkhd = b.begin_full(fourcc("tkhd"), 0, 3);  // track_enabled | track_in_movie
  b.u32(0);
  b.u32(0);
  b.u32(t.id);
  b.u32(0);  // reserved
  b.u32(0);  // duration
  b.zeros(8);
  b.u16(0);  // layer
  b.u16(0);  // alternate_group
  b.u16(video ? 0 : 0x0100);
  b.u16(0);
  write_matrix(b);
  b.u32(video ? uint32_t{width_} << 16 : 0);
  b.u32(video ? uint32_t{height_} << 16 : 0);
  b.end(tkhd);

  size_t mdia = b.begin(fourcc("mdia"));
  size_t mdhd = b.begin_full(fourcc("mdhd"), 0, 0);
  b.u32(0);
  b.u32(0);
  b.u32(t.timescale);
  b.u32(0);
  b.u16(0x55c4);  // 'und', ISO 639-2/T packed in 5-bit letters
  b.u16(0);
  b.end(mdhd);
  size_t hdlr = b.begin_full(fourcc("hdlr"), 0, 0);
  b.u32(0);
  b.u32(video ? fourcc("vide") : fourcc("soun"));
  b.zeros(12);
  static constexpr char kVideoName[] = "VideoHandler";
  static constexpr char kSoundName[] = "SoundHandler";
  const char* name = video ? kVideoName : kSoundName;
  b.bytes({reinterpret_cast<const uint8_t*>(name), std::strlen(name) + 1});
  b.end(hdlr);

  size_t minf = b.begin(fourcc("minf"));
  if (video) {
    size_t vmhd = b.begin_full(fourcc("vmhd"), 0, 1);
    b.zeros(8);  // graphicsmode, opcolor
    b.end(vmhd);
  } else {
    size_t smhd = b.begin_full(fourcc("smhd"), 0, 0);
    b.zeros(4);  // balance, reserved
    b.end(smhd);
  }
  size_t dinf = b.begin(fourcc("dinf"));
  size_t dref = b.begin_full(fourcc("dref"), 0, 0);
  b.u32(1);
  size_t url = b.begin_full(fourcc("url "), 0, 1);  // media in this file
  b.end(url);
  b.end(dref);
  b.end(dinf);

  size_t stbl = b.begin(fourcc("stbl"));
  size_t stsd = b.begin_full(fourcc("stsd"), 0, 0);
  b.u32(1);
  write_sample_entry(out, t);
  b.end(stsd);
  for (uint32_t type : {fourcc("stts"), fourcc("stsc"), fourcc("stco")}) {
    size_t box = b.begin_full(type, 0, 0);
    b.u32(0);
    b.end(box);
  }
  size_t stsz = b.begin_full(fourcc("stsz"), 0, 0);
  b.u32(0);
  b.u32(0);
  b.end(stsz);
  b.end(stbl);
  b.end(minf);
  b.end(mdia);
  b.end(trak);
}

void Mp4Writer::write_sample_entry(std::vector<uint8_t>& out, const Track& t) {
  BoxBuilder b(out);
  if (&t == &audio_) {
    size_t entry = b.begin(fourcc("Opus"));
    b.zeros(6);
    b.u16(1);  // data_reference_index
    b.zeros(8);
    b.u16(config_.audio_channels);
    b.u16(16);  // samplesize
    b.u32(0);   // pre_defined, reserved
    b.u32(kAudioTimescale << 16);
    OpusConfig oc;
    oc.channels = config_.audio_channels;
    write_dops(b, oc);
    b.end(entry);
    return;
  }
  uint32_t type = t.codec == base::CodecId::Vp9                 ? fourcc("vp09")
                  : config_.h264_entry == H264SampleEntry::Avc3 ? fourcc("avc3")
                                                                : fourcc("avc1");
  size_t entry = b.begin(type);
  b.zeros(6);
  b.u16(1);    // data_reference_index
  b.zeros(16);  // pre_defined, reserved, pre_defined[3]
  b.u16(width_);
  b.u16(height_);
  b.u32(0x00480000);  // 72 dpi
  b.u32(0x00480000);
  b.u32(0);
  b.u16(1);  // frame_count
  b.zeros(32);  // compressorname
  b.u16(0x0018);
  b.u16(0xffff);
  if (t.codec == base::CodecId::Vp9) {
    Vp9Config vc;
    vc.profile = vp9_profile_;
    vc.level = vp9_level_for(width_, height_);
    vc.bit_depth = vp9_profile_ >= 2 ? 10 : 8;
    vc.chroma_subsampling = (vp9_profile_ & 1) ? 3 : 1;
    write_vpcc(b, vc);
  } else {
    write_avcc(b, sps_, pps_);
  }
  b.end(entry);
}

void Mp4Writer::flush_fragment() {
  if (video_.samples.empty() && audio_.samples.empty()) return;
  ++sequence_;
  const uint64_t moof_offset = offset_;
  buf_.clear();
  BoxBuilder b(buf_);
  size_t moof = b.begin(fourcc("moof"));
  size_t mfhd = b.begin_full(fourcc("mfhd"), 0, 0);
  b.u32(sequence_);
  b.end(mfhd);
  size_t data_offset_at[2] = {0, 0};
  Track* order[2] = {&video_, &audio_};
  uint32_t traf_number = 0;
  for (size_t i = 0; i < 2; ++i) {
    Track& t = *order[i];
    if (!t.active || t.samples.empty()) continue;
    ++traf_number;
    size_t traf = b.begin(fourcc("traf"));
    size_t tfhd = b.begin_full(fourcc("tfhd"), 0, 0x020000);  // default-base-is-moof
    b.u32(t.id);
    b.end(tfhd);
    size_t tfdt = b.begin_full(fourcc("tfdt"), 1, 0);
    b.u64(t.base_dts);
    b.end(tfdt);
    size_t trun = b.begin_full(fourcc("trun"), 0, 0x000701);  // data offset, duration, size, flags per sample
    b.u32(static_cast<uint32_t>(t.samples.size()));
    data_offset_at[i] = b.size();
    b.u32(0);
    uint64_t time = t.base_dts;
    bool indexed = false;
    for (size_t n = 0; n < t.samples.size(); ++n) {
      const SampleMeta& s = t.samples[n];
      b.u32(s.duration);
      b.u32(s.size);
      b.u32(s.sync ? kSyncFlags : kNonSyncFlags);
      if (s.sync && !indexed) {
        t.index.push_back({time, moof_offset, traf_number, static_cast<uint32_t>(n + 1)});
        indexed = true;
      }
      time += s.duration;
    }
    b.end(trun);
    b.end(traf);
  }
  b.end(moof);
  uint64_t data_start = buf_.size() + 8;
  for (size_t i = 0; i < 2; ++i) {
    if (!data_offset_at[i]) continue;
    b.patch_u32(data_offset_at[i], static_cast<uint32_t>(data_start));
    data_start += order[i]->data.size();
  }
  uint64_t mdat_size = 8 + video_.data.size() + audio_.data.size();
  b.u32(static_cast<uint32_t>(mdat_size));  // fragments are capped far below 4 GiB
  b.u32(fourcc("mdat"));
  emit(buf_);
  for (Track* t : order) {
    emit(t->data);
    stats_.frames_written += t->samples.size();
    t->samples.clear();
    t->data.clear();
  }
  ++stats_.fragments;
  fragment_open_ = false;
  fragment_start_is_video_ = false;
}

void Mp4Writer::write_mfra() {
  buf_.clear();
  BoxBuilder b(buf_);
  size_t mfra = b.begin(fourcc("mfra"));
  for (const Track* t : {&video_, &audio_}) {
    if (!t->active) continue;
    size_t tfra = b.begin_full(fourcc("tfra"), 1, 0);
    b.u32(t->id);
    b.u32(0x3f);  // traf, trun and sample numbers in 4 bytes each
    b.u32(static_cast<uint32_t>(t->index.size()));
    for (const TfraEntry& e : t->index) {
      b.u64(e.time);
      b.u64(e.moof_offset);
      b.u32(e.traf_number);
      b.u32(1);
      b.u32(e.sample_number);
    }
    b.end(tfra);
  }
  size_t mfro = b.begin_full(fourcc("mfro"), 0, 0);
  size_t size_at = b.size();
  b.u32(0);
  b.end(mfro);
  b.end(mfra);
  b.patch_u32(size_at, static_cast<uint32_t>(buf_.size() - mfra));
  emit(buf_);
}

bool Mp4Writer::finish() {
  if (finished_) return !failed_;
  if (!failed_ && !header_written_) {
    gave_up_video_ = true;
    start_file(held_.empty() ? base::Timestamp::zero() : held_.front().time);
    for (const Held& h : held_) write_ready(h.frame, h.time);
    held_.clear();
  }
  finished_ = true;
  if (failed_) return false;
  for (Track* t : {&video_, &audio_}) {
    if (!t->has_pending) continue;
    uint32_t d = default_duration(*t);
    if (fragment_open_ && t->pending_time + base::Duration::micros(int64_t{d} * 1000000 / t->timescale) -
                                  fragment_start_ > config_.max_fragment) {
      flush_fragment();
    }
    complete_pending(*t, d);
  }
  flush_fragment();
  write_mfra();
  if (!failed_ && sink_.can_seek()) {
    uint64_t ms = 0;
    for (const Track* t : {&video_, &audio_}) {
      if (t->active && t->timescale) ms = std::max(ms, t->end_dts * kMovieTimescale / t->timescale);
    }
    uint8_t b8[8];
    base::store_be64(b8, ms);
    uint8_t b4[4];
    base::store_be32(b4, static_cast<uint32_t>(std::min<uint64_t>(ms, UINT32_MAX)));
    if (!sink_.write_at(mehd_offset_, b8) || !sink_.write_at(mvhd_duration_offset_, b4)) failed_ = true;
  }
  return !failed_;
}

}  // namespace medley::mux
