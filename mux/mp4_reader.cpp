// MP4 reader: top-level scan, moov/trak parsing, sample tables (stbl) and fragments (moof) into one sample index
// per track, then frames in decode order.
#include "mux/mp4_reader.hpp"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include "mux/mp4_box.hpp"

namespace medley::mux {

namespace {
using base::Bytes;
using base::ByteReader;

constexpr uint32_t kSampleIsNonSync = 0x00010000;  // ISO/IEC 14496-12 8.8.3.1
constexpr int64_t kMaxDts = int64_t{1} << 62;      // decode times saturate here instead of overflowing
constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};

// ByteSource reads may come back short (end of file, I/O error); every read here needs all its bytes.
bool read_exact(ByteSource& source, uint64_t pos, base::MutableBytes out) {
  return source.read_at(pos, out) == out.size();
}

bool is_fourcc_text(uint32_t t) {
  for (int s = 24; s >= 0; s -= 8) {
    uint8_t c = static_cast<uint8_t>(t >> s);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

int64_t add_dts(int64_t dts, uint64_t d) {
  return d >= static_cast<uint64_t>(kMaxDts) || dts >= kMaxDts - static_cast<int64_t>(d) ? kMaxDts
                                                                                         : dts + static_cast<int64_t>(d);
}

std::optional<Bytes> find_path(Bytes container, std::initializer_list<uint32_t> path) {
  std::optional<Bytes> cur = container;
  for (uint32_t type : path) {
    cur = find_box(*cur, type);
    if (!cur) return std::nullopt;
  }
  return cur;
}

struct TopBox {
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t header = 0;
};
}  // namespace

base::Result<Mp4Reader, Mp4OpenError> Mp4Reader::open(ByteSource& source, Mp4ReaderLimits limits) {
  Mp4Reader r(source, limits);
  const uint64_t file_size = source.size();
  std::optional<TopBox> moov;
  std::vector<TopBox> moofs;
  uint64_t pos = 0;
  size_t count = 0;
  while (pos < file_size && count < limits.max_top_level_boxes) {
    uint64_t left = file_size - pos;
    uint8_t h[16];
    if (left < 8) {
      r.truncated_ = true;
      break;
    }
    if (!read_exact(source, pos, {h, 8})) return Mp4OpenError::ReadFailed;
    TopBox box{base::load_be32(h + 4), pos, base::load_be32(h), 8};
    if (!is_fourcc_text(box.type)) {
      if (count == 0) return Mp4OpenError::NotMp4;
      r.truncated_ = true;  // garbage after the boxes, e.g. a write cut mid-header
      break;
    }
    if (box.size == 1) {
      if (left < 16) {
        r.truncated_ = true;
        break;
      }
      if (!read_exact(source, pos + 8, {h + 8, 8})) return Mp4OpenError::ReadFailed;
      box.size = base::load_be64(h + 8);
      box.header = 16;
    } else if (box.size == 0) {
      box.size = left;
    }
    if (box.size < box.header) {
      if (count == 0) return Mp4OpenError::NotMp4;
      r.truncated_ = true;
      break;
    }
    ++count;
    if (box.size > left) {
      r.truncated_ = true;  // the last box runs past the end: an mdat keeps the samples that are there
      break;
    }
    if (box.type == fourcc("moov") && !moov) moov = box;
    if (box.type == fourcc("moof")) moofs.push_back(box);
    pos += box.size;
  }
  if (!moov) return count == 0 ? Mp4OpenError::NotMp4 : Mp4OpenError::NoMoov;
  uint64_t moov_bytes = moov->size - moov->header;
  if (moov_bytes > limits.max_box_bytes) return Mp4OpenError::MoovTooLarge;
  std::vector<uint8_t> buf(static_cast<size_t>(moov_bytes));
  if (!read_exact(source, moov->offset + moov->header, buf)) return Mp4OpenError::ReadFailed;
  r.parse_moov(buf);
  for (const TopBox& m : moofs) {
    uint64_t n = m.size - m.header;
    if (n > limits.max_box_bytes) continue;
    buf.resize(static_cast<size_t>(n));
    if (!read_exact(source, m.offset + m.header, buf)) return Mp4OpenError::ReadFailed;
    r.parse_moof(buf, m.offset);
  }
  r.finish_index();
  return r;
}

bool Mp4Reader::parse_moov(Bytes moov) {
  if (auto mvex = find_box(moov, fourcc("mvex"))) {
    BoxIterator it(*mvex);
    BoxView b;
    while (it.next(b) && trex_.size() < limits_.max_tracks * 4) {
      if (b.type != fourcc("trex")) continue;
      ByteReader r(b.payload);
      read_full_box(r);
      Trex t;
      t.track_id = r.u32();
      r.u32();  // default_sample_description_index
      t.duration = r.u32();
      t.size = r.u32();
      t.flags = r.u32();
      if (r.ok()) trex_.push_back(t);
    }
  }
  BoxIterator it(moov);
  BoxView b;
  while (it.next(b) && tracks_.size() < limits_.max_tracks) {
    if (b.type == fourcc("trak")) parse_trak(b.payload);
  }
  return !tracks_.empty();
}

void Mp4Reader::parse_trak(Bytes trak) {
  Mp4TrackInfo info;
  TrackState st;
  auto tkhd = find_box(trak, fourcc("tkhd"));
  auto mdia = find_box(trak, fourcc("mdia"));
  if (!tkhd || !mdia) return;
  ByteReader tr(*tkhd);
  tr.skip(read_full_box(tr).version == 1 ? 16 : 8);
  info.track_id = tr.u32();
  auto mdhd = find_box(*mdia, fourcc("mdhd"));
  auto hdlr = find_box(*mdia, fourcc("hdlr"));
  auto stbl = find_path(*mdia, {fourcc("minf"), fourcc("stbl")});
  if (!tr.ok() || !mdhd || !hdlr || !stbl) return;
  ByteReader mr(*mdhd);
  mr.skip(read_full_box(mr).version == 1 ? 16 : 8);
  info.timescale = mr.u32();
  if (!mr.ok() || info.timescale == 0) return;
  ByteReader hr(*hdlr);
  hr.skip(8);
  uint32_t handler = hr.u32();
  if (handler == fourcc("soun")) info.kind = base::MediaKind::Audio;
  else if (handler != fourcc("vide")) return;  // hint, text, metadata tracks are not media we play
  if (auto stsd = find_box(*stbl, fourcc("stsd"))) parse_sample_entry(*stsd, info);
  for (const Trex& t : trex_) {
    if (t.track_id == info.track_id) st.trex = t;
  }
  st.trex.track_id = info.track_id;
  tracks_.push_back(std::move(info));
  state_.push_back(std::move(st));
  parse_sample_table(*stbl, state_.back());
}

bool Mp4Reader::parse_sample_entry(Bytes stsd, Mp4TrackInfo& info) {
  ByteReader r(stsd);
  read_full_box(r);
  if (r.u32() == 0 || !r.ok()) return false;
  BoxIterator it(r.rest());
  BoxView entry;
  if (!it.next(entry)) return false;  // only the first entry is used
  info.sample_entry = entry.type;
  Bytes p = entry.payload;
  auto keep = [&info](Bytes config) { info.codec_config.assign(config.begin(), config.end()); };
  if (info.kind == base::MediaKind::Video) {
    if (p.size() < 78) return false;  // VisualSampleEntry
    info.width = base::load_be16(p.data() + 24);
    info.height = base::load_be16(p.data() + 26);
    Bytes children = p.subspan(78);
    if (entry.type == fourcc("avc1") || entry.type == fourcc("avc3")) {
      auto avcc = find_box(children, fourcc("avcC"));
      if (!avcc) return false;
      info.avc = parse_avcc(*avcc);
      if (!info.avc) return false;
      keep(*avcc);
      info.codec = base::CodecId::H264;
    } else if (entry.type == fourcc("vp09")) {
      auto vpcc = find_box(children, fourcc("vpcC"));
      if (!vpcc || !(info.vp9 = parse_vpcc(*vpcc))) return false;
      keep(*vpcc);
      info.codec = base::CodecId::Vp9;
    }
    return true;
  }
  if (p.size() < 28) return false;  // AudioSampleEntry
  uint16_t version = base::load_be16(p.data() + 8);  // QuickTime sound descriptions v1/v2 are longer
  info.channels = base::load_be16(p.data() + 16);
  info.sample_rate = base::load_be32(p.data() + 24) >> 16;
  size_t extra = version == 1 ? 16 : version == 2 ? 36 : 0;
  if (p.size() < 28 + extra) return false;
  if (entry.type == fourcc("Opus")) {
    auto dops = find_box(p.subspan(28 + extra), fourcc("dOps"));
    if (!dops || !(info.opus = parse_dops(*dops))) return false;
    keep(*dops);
    info.codec = base::CodecId::Opus;
    info.channels = info.opus->channels;
    info.sample_rate = 48000;
  }
  return true;
}

bool Mp4Reader::add_sample(TrackState& st, const Sample& s) {
  if (total_samples_ >= limits_.max_samples) return false;
  uint64_t file_size = source_->size();
  if (s.offset > file_size || s.size > file_size - s.offset) {
    truncated_ = true;
    return false;
  }
  st.samples.push_back(s);
  ++total_samples_;
  return true;
}

void Mp4Reader::parse_sample_table(Bytes stbl, TrackState& st) {
  // Sizes: stsz (32-bit or one constant) or stz2 (4, 8 or 16-bit fields).
  uint32_t constant_size = 0;
  uint64_t count = 0;
  Bytes size_table;
  unsigned field_bits = 32;
  if (auto stsz = find_box(stbl, fourcc("stsz"))) {
    ByteReader r(*stsz);
    read_full_box(r);
    constant_size = r.u32();
    count = r.u32();
    if (!r.ok()) return;
    size_table = r.rest();
  } else if (auto stz2 = find_box(stbl, fourcc("stz2"))) {
    ByteReader r(*stz2);
    read_full_box(r);
    r.u24();
    field_bits = r.u8();
    count = r.u32();
    if (!r.ok() || (field_bits != 4 && field_bits != 8 && field_bits != 16)) return;
    size_table = r.rest();
  } else {
    return;
  }
  if (count == 0) return;
  if (!constant_size) count = std::min<uint64_t>(count, uint64_t{size_table.size()} * 8 / field_bits);
  count = std::min<uint64_t>(count, limits_.max_samples - std::min(total_samples_, limits_.max_samples));

  // A sample table box: its entries (as many as the box really holds, whatever its count says).
  struct Table {
    ByteReader r{{}};
    uint64_t n = 0;
    bool present = false;
  };
  auto table = [&stbl](uint32_t type, size_t entry_bytes) {
    Table t;
    if (auto box = find_box(stbl, type)) {
      t.r = ByteReader(*box);
      read_full_box(t.r);
      t.n = t.r.u32();
      t.present = t.r.ok();
      t.n = std::min<uint64_t>(t.n, t.r.remaining() / entry_bytes);
    }
    return t;
  };
  Table stco = table(fourcc("stco"), 4);
  Table co64 = table(fourcc("co64"), 8);
  Table stsc_t = table(fourcc("stsc"), 12);
  Table stts_t = table(fourcc("stts"), 8);
  Table ctts_t = table(fourcc("ctts"), 8);
  Table stss_t = table(fourcc("stss"), 4);
  const bool wide = !stco.present && co64.present;
  const uint64_t nchunks = wide ? co64.n : stco.n;
  ByteReader& chunks = wide ? co64.r : stco.r;
  ByteReader& stsc = stsc_t.r;
  ByteReader& stts = stts_t.r;
  ByteReader& ctts = ctts_t.r;
  ByteReader& stss = stss_t.r;
  const uint64_t nstsc = stsc_t.n, nstts = stts_t.n, nctts = ctts_t.n, nstss = stss_t.n;
  const bool has_stsc = stsc_t.present, has_stss = stss_t.present;
  if (!has_stsc || nstsc == 0 || nchunks == 0) return;

  // stsc as (first_chunk, samples_per_chunk), read one entry ahead.
  uint64_t stsc_left = nstsc;
  uint32_t cur_first = stsc.u32(), cur_spc = stsc.u32();
  stsc.u32();
  --stsc_left;
  uint32_t next_first = UINT32_MAX, next_spc = 0;
  auto load_next_stsc = [&] {
    if (stsc_left == 0) {
      next_first = UINT32_MAX;
      return;
    }
    next_first = stsc.u32();
    next_spc = stsc.u32();
    stsc.u32();
    --stsc_left;
  };
  load_next_stsc();

  uint64_t stts_left = nstts, stts_run = 0;
  uint32_t delta = 0;
  uint64_t ctts_left = nctts, ctts_run = 0;
  int32_t cts = 0;
  uint64_t stss_left = nstss;
  uint32_t next_sync = has_stss && stss_left ? (--stss_left, stss.u32()) : 0;
  int64_t dts = 0;
  uint64_t i = 0;
  for (uint64_t c = 0; c < nchunks && i < count; ++c) {
    uint64_t chunk_number = c + 1;
    while (chunk_number >= next_first) {
      cur_first = next_first;
      cur_spc = next_spc;
      load_next_stsc();
    }
    uint64_t offset = wide ? chunks.u64() : chunks.u32();
    if (chunk_number < cur_first) continue;  // before the first stsc entry (malformed): no samples
    for (uint64_t k = 0; k < cur_spc && i < count; ++k, ++i) {
      Sample s;  // count was capped above to the entries size_table holds
      const uint8_t* e = size_table.data();
      if (constant_size) s.size = constant_size;
      else if (field_bits == 32) s.size = base::load_be32(e + i * 4);
      else if (field_bits == 16) s.size = base::load_be16(e + i * 2);
      else if (field_bits == 8) s.size = e[i];
      else s.size = (i & 1) ? (e[i / 2] & 0x0f) : (e[i / 2] >> 4);
      while (stts_run == 0 && stts_left > 0) {
        stts_run = stts.u32();
        delta = stts.u32();
        --stts_left;
      }
      if (stts_run > 0) --stts_run;
      while (ctts_run == 0 && ctts_left > 0) {
        ctts_run = ctts.u32();
        cts = static_cast<int32_t>(ctts.u32());
        --ctts_left;
      }
      if (ctts_run > 0) --ctts_run;
      else cts = 0;
      s.offset = offset;
      s.duration = delta;
      s.dts = dts;
      s.cts = cts;
      if (!has_stss) {
        s.sync = true;
      } else {
        while (next_sync < i + 1 && stss_left > 0) {
          next_sync = stss.u32();
          --stss_left;
        }
        s.sync = next_sync == i + 1;
      }
      if (!add_sample(st, s)) return;
      offset += s.size;
      dts = add_dts(dts, delta);
    }
  }
  st.end_dts = dts;
}

void Mp4Reader::parse_moof(Bytes moof, uint64_t moof_offset) {
  fragmented_ = true;
  uint64_t implicit_base = moof_offset;
  BoxIterator it(moof);
  BoxView b;
  while (it.next(b)) {
    if (b.type == fourcc("traf")) parse_traf(b.payload, moof_offset, implicit_base);
  }
}

void Mp4Reader::parse_traf(Bytes traf, uint64_t moof_offset, uint64_t& implicit_base) {
  auto tfhd = find_box(traf, fourcc("tfhd"));
  if (!tfhd) return;
  ByteReader h(*tfhd);
  uint32_t flags = read_full_box(h).flags;
  uint32_t track_id = h.u32();
  uint64_t base_offset = (flags & 0x1) ? h.u64() : 0;
  if (flags & 0x2) h.u32();  // sample_description_index: only the first entry is used
  size_t idx = 0;
  while (idx < tracks_.size() && tracks_[idx].track_id != track_id) ++idx;
  if (!h.ok() || idx == tracks_.size()) return;
  TrackState& st = state_[idx];
  uint32_t def_duration = (flags & 0x8) ? h.u32() : st.trex.duration;
  uint32_t def_size = (flags & 0x10) ? h.u32() : st.trex.size;
  uint32_t def_flags = (flags & 0x20) ? h.u32() : st.trex.flags;
  if (!h.ok()) return;
  uint64_t base = (flags & 0x1) ? base_offset : (flags & 0x20000) ? moof_offset : implicit_base;

  int64_t dts = st.end_dts;
  if (auto tfdt = find_box(traf, fourcc("tfdt"))) {
    ByteReader r(*tfdt);
    uint64_t t = read_full_box(r).version == 1 ? r.u64() : r.u32();
    if (r.ok()) dts = static_cast<int64_t>(std::min<uint64_t>(t, kMaxDts));
  }
  uint64_t next_data = base;
  BoxIterator it(traf);
  BoxView b;
  while (it.next(b)) {
    if (b.type != fourcc("trun")) continue;
    ByteReader r(b.payload);
    FullBoxHeader fh = read_full_box(r);
    uint32_t n = r.u32();
    uint64_t offset = next_data;
    if (fh.flags & 0x1) {
      int64_t rel = static_cast<int32_t>(r.u32());
      if (rel < 0 && static_cast<uint64_t>(-rel) > base) continue;
      offset = base + static_cast<uint64_t>(rel);
    }
    bool has_first = (fh.flags & 0x4) != 0;
    uint32_t first_flags = has_first ? r.u32() : 0;
    if (!r.ok()) continue;
    for (uint32_t i = 0; i < n; ++i) {
      Sample s;
      s.duration = (fh.flags & 0x100) ? r.u32() : def_duration;
      s.size = (fh.flags & 0x200) ? r.u32() : def_size;
      uint32_t sflags = (fh.flags & 0x400) ? r.u32() : (i == 0 && has_first) ? first_flags : def_flags;
      s.cts = (fh.flags & 0x800) ? static_cast<int32_t>(r.u32()) : 0;
      if (!r.ok()) break;
      s.sync = (sflags & kSampleIsNonSync) == 0;
      s.offset = offset;
      s.dts = dts;
      if (!add_sample(st, s)) break;
      offset += s.size;
      dts = add_dts(dts, s.duration);
    }
    next_data = offset;
  }
  implicit_base = next_data;
  st.end_dts = dts;
}

void Mp4Reader::finish_index() {
  bool any_supported = false;
  for (const Mp4TrackInfo& t : tracks_) any_supported |= t.codec != base::CodecId::Unknown;
  for (size_t i = 0; i < tracks_.size(); ++i) {
    const auto& samples = state_[i].samples;
    tracks_[i].sample_count = samples.size();
    if (samples.empty()) continue;
    int64_t first = samples.front().dts, end = 0;
    for (const Sample& s : samples) end = std::max(end, add_dts(s.dts, s.duration));
    tracks_[i].duration = base::Duration::micros(std::max<int64_t>(0, to_us(end, i) - to_us(first, i)));
    if (!any_supported || tracks_[i].codec != base::CodecId::Unknown) {
      duration_ = std::max(duration_, base::Duration::micros(to_us(end, i)));
    }
  }
}

int64_t Mp4Reader::to_us(int64_t ticks, size_t track) const {
  __int128 v = static_cast<__int128>(ticks) * 1000000 / tracks_[track].timescale;
  return static_cast<int64_t>(std::clamp<__int128>(v, -kMaxDts, kMaxDts));
}

bool Mp4Reader::is_seekable() const {
  for (size_t i = 0; i < tracks_.size(); ++i) {
    if (tracks_[i].codec == base::CodecId::Unknown) continue;
    for (const Sample& s : state_[i].samples) {
      if (s.sync) return true;
    }
  }
  return false;
}

bool Mp4Reader::to_annex_b(Bytes sample, const Mp4TrackInfo& info, bool sync, std::vector<uint8_t>& out) const {
  out.clear();
  const size_t len_size = info.avc ? info.avc->length_size : 4;
  bool has_sps = false;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1 && sync && !has_sps && info.avc) {
      for (const auto* sets : {&info.avc->sps, &info.avc->pps}) {
        for (const auto& ps : *sets) {
          out.insert(out.end(), kStartCode, kStartCode + 4);
          out.insert(out.end(), ps.begin(), ps.end());
        }
      }
    }
    size_t pos = 0;
    while (pos < sample.size()) {
      if (sample.size() - pos < len_size) return false;
      uint32_t len = 0;
      for (size_t k = 0; k < len_size; ++k) len = (len << 8) | sample[pos + k];
      pos += len_size;
      if (len > sample.size() - pos) return false;
      if (len == 0) continue;
      if (pass == 0) {
        has_sps |= (sample[pos] & 0x1f) == 7;
      } else {
        out.insert(out.end(), kStartCode, kStartCode + 4);
        out.insert(out.end(), sample.begin() + static_cast<ptrdiff_t>(pos),
                   sample.begin() + static_cast<ptrdiff_t>(pos + len));
      }
      pos += len;
    }
  }
  return !out.empty();
}

Mp4ReadStatus Mp4Reader::read(Mp4Frame& out) {
  for (;;) {
    size_t best = tracks_.size();
    int64_t best_us = 0;
    for (size_t i = 0; i < tracks_.size(); ++i) {
      const TrackState& st = state_[i];
      if (tracks_[i].codec == base::CodecId::Unknown || st.next >= st.samples.size()) continue;
      int64_t us = to_us(st.samples[st.next].dts, i);
      if (best == tracks_.size() || us < best_us) {
        best = i;
        best_us = us;
      }
    }
    if (best == tracks_.size()) return Mp4ReadStatus::End;
    const Mp4TrackInfo& info = tracks_[best];
    const Sample s = state_[best].samples[state_[best].next++];
    if (s.size > limits_.max_sample_bytes || s.size == 0) {
      ++skipped_;
      continue;
    }
    const bool h264 = info.codec == base::CodecId::H264;
    std::vector<uint8_t>& raw = h264 ? scratch_ : out.frame.data;
    raw.resize(s.size);
    if (!read_exact(*source_, s.offset, raw)) return Mp4ReadStatus::ReadFailed;
    if (h264 && !to_annex_b(scratch_, info, s.sync, out.frame.data)) {
      ++skipped_;
      continue;
    }
    out.track = best;
    out.dts = base::Duration::micros(best_us);
    int64_t pts_ticks = s.dts + s.cts;
    out.pts = base::Duration::micros(to_us(pts_ticks, best));
    out.duration = base::Duration::micros(to_us(s.duration, best));
    out.frame.codec = info.codec;
    out.frame.keyframe = s.sync;
    out.frame.rtp_timestamp = static_cast<uint32_t>(static_cast<uint64_t>(pts_ticks));
    out.frame.arrival = {};
    out.frame.width = s.sync ? info.width : 0;
    out.frame.height = s.sync ? info.height : 0;
    out.frame.spatial_layer = out.frame.temporal_layer = 0;
    return Mp4ReadStatus::Frame;
  }
}

base::Duration Mp4Reader::seek(base::Duration position) {
  size_t ref = tracks_.size();
  for (size_t i = 0; i < tracks_.size(); ++i) {
    if (tracks_[i].codec == base::CodecId::Unknown || state_[i].samples.empty()) continue;
    if (ref == tracks_.size() ||
        (tracks_[i].kind == base::MediaKind::Video && tracks_[ref].kind != base::MediaKind::Video)) {
      ref = i;
    }
  }
  if (ref == tracks_.size()) return base::Duration::zero();
  const auto& samples = state_[ref].samples;
  size_t best = samples.size(), first_sync = samples.size();
  int64_t best_us = 0;
  for (size_t k = 0; k < samples.size(); ++k) {
    if (!samples[k].sync) continue;
    if (first_sync == samples.size()) first_sync = k;
    int64_t us = to_us(samples[k].dts, ref);
    if (us <= position.us() && (best == samples.size() || us >= best_us)) {
      best = k;
      best_us = us;
    }
  }
  if (best == samples.size()) best = first_sync == samples.size() ? 0 : first_sync;
  int64_t target = to_us(samples[best].dts, ref);
  state_[ref].next = best;
  for (size_t i = 0; i < tracks_.size(); ++i) {
    if (i == ref) continue;
    auto& st = state_[i];
    st.next = st.samples.size();
    for (size_t k = 0; k < st.samples.size(); ++k) {
      if (to_us(st.samples[k].dts, i) >= target) {
        st.next = k;
        break;
      }
    }
  }
  return base::Duration::micros(target);
}

}  // namespace medley::mux
