// H.264 RTP payload format, RFC 6184 packetization-mode 1 (non-interleaved).
#include "rtp/payload/h264.hpp"

#include <algorithm>
#include <cstring>

#include "rtp/payload/h264_sps.hpp"

namespace medley::rtp {

namespace h264 {

bool split_annex_b(base::Bytes s, std::vector<base::Bytes>& out) {
  // Finds the next 00 00 01 at or after from; returns s.size() when there is none. memchr for the 01 byte keeps
  // this near memory speed, as 01 is rare inside slice data.
  auto find_start = [&](size_t from) {
    size_t j = from + 2;
    while (j < s.size()) {
      const void* hit = std::memchr(s.data() + j, 0x01, s.size() - j);
      if (hit == nullptr) break;
      j = static_cast<size_t>(static_cast<const uint8_t*>(hit) - s.data());
      if (s[j - 1] == 0 && s[j - 2] == 0) return j - 2;
      ++j;
    }
    return s.size();
  };
  size_t i = 0;
  while (i < s.size() && s[i] == 0) ++i;  // leading_zero_8bits
  if (i < 2 || i + 1 > s.size() || s[i] != 1) return false;
  size_t begin = i + 1;
  size_t before = out.size();
  while (begin < s.size()) {
    size_t sc = find_start(begin);
    size_t end = sc;
    while (end > begin && s[end - 1] == 0) --end;  // trailing_zero_8bits / the 4th byte of the next start code
    if (end > begin) out.push_back(s.subspan(begin, end - begin));
    begin = sc + 3;
  }
  return out.size() > before;
}

}  // namespace h264

namespace {

uint8_t nal_type(uint8_t header) { return header & 0x1f; }

// Whether a NAL unit can open an access unit (H.264 7.4.1.2.3): parameter sets, SEI, AUD, or the first slice of a
// picture (first_mb_in_slice == 0, i.e. its ue(v) is the single bit 1).
bool opens_access_unit(uint8_t type, base::Bytes after_header) {
  switch (type) {
    case h264::kSei: case h264::kSps: case h264::kPps: case h264::kAud: case 14: case 15:
      return true;
    case h264::kSlice: case h264::kIdr:
      return !after_header.empty() && (after_header[0] & 0x80) != 0;
    default:
      return false;
  }
}

// Notes what one complete NAL unit tells about the frame.
void note_nal(base::Bytes nal, PayloadInfo& info) {
  uint8_t type = nal_type(nal[0]);
  if (type == h264::kIdr) info.keyframe = true;
  if (type == h264::kSps) {
    if (auto sps = parse_h264_sps(nal)) {
      info.width = sps->width;
      info.height = sps->height;
    }
  }
}

bool valid_single_type(uint8_t type) { return type >= 1 && type <= 23; }

// Walks a STAP-A's NAL units (RFC 6184 5.7.1); false when a size is zero or runs past the end, or none is there.
template <class F>
bool for_each_stap_nal(base::Bytes payload, F&& f) {
  base::ByteReader r(payload.subspan(1));
  size_t count = 0;
  while (!r.empty()) {
    uint16_t size = r.u16();
    base::Bytes nal = r.bytes(size);
    if (!r.ok() || size == 0 || !valid_single_type(nal_type(nal[0]))) return false;
    f(nal);
    ++count;
  }
  return count > 0;
}

}  // namespace

std::optional<PayloadInfo> H264Depacketizer::inspect(base::Bytes payload) const {
  if (payload.empty()) return std::nullopt;
  PayloadInfo info;
  uint8_t type = nal_type(payload[0]);
  if (valid_single_type(type)) {
    info.frame_start = opens_access_unit(type, payload.subspan(1));
    note_nal(payload, info);
  } else if (type == h264::kStapA) {
    bool first = true;
    bool ok = for_each_stap_nal(payload, [&](base::Bytes nal) {
      if (first) info.frame_start = opens_access_unit(nal_type(nal[0]), nal.subspan(1));
      first = false;
      note_nal(nal, info);
    });
    if (!ok) return std::nullopt;
  } else if (type == h264::kFuA) {
    if (payload.size() < 3) return std::nullopt;
    uint8_t fu = payload[1];
    uint8_t inner = nal_type(fu);
    if (!valid_single_type(inner)) return std::nullopt;
    bool start = (fu & 0x80) != 0;
    info.frame_start = start && opens_access_unit(inner, payload.subspan(2));
    info.keyframe = inner == h264::kIdr;  // every fragment of an IDR slice belongs to a keyframe
  } else {
    return std::nullopt;  // STAP-B, MTAP, FU-B: not in packetization-mode 1; 0, 30, 31: reserved
  }
  return info;
}

bool H264Depacketizer::append(base::Bytes payload, base::EncodedFrame& frame) {
  auto fail = [&] {
    in_fu_ = false;
    return false;
  };
  if (payload.empty()) return fail();
  auto& out = frame.data;
  // A NAL never spans frames: an FU-A left open by the previous frame (its end was lost, or a hostile stream
  // ended the frame inside it) must not continue into this one, whose data starts afresh.
  if (out.empty()) in_fu_ = false;
  PayloadInfo info;
  uint8_t type = nal_type(payload[0]);
  if (type == h264::kFuA) {
    if (payload.size() < 3) return fail();
    uint8_t fu = payload[1];
    uint8_t inner = nal_type(fu);
    bool start = (fu & 0x80) != 0;
    bool end = (fu & 0x40) != 0;
    if (!valid_single_type(inner)) return fail();
    if (start) {
      if (in_fu_) return fail();  // the previous NAL lost its end
      out.insert(out.end(), std::begin(h264::kStartCode), std::end(h264::kStartCode));
      fu_nal_offset_ = out.size();
      out.push_back(static_cast<uint8_t>((payload[0] & 0xe0) | inner));  // F and NRI from the indicator (5.8)
      in_fu_ = true;
      fu_type_ = inner;
    } else if (!in_fu_ || inner != fu_type_) {
      return fail();  // no start seen: drop until the next one
    }
    out.insert(out.end(), payload.begin() + 2, payload.end());
    if (end) {
      in_fu_ = false;
      if (fu_nal_offset_ >= out.size()) return fail();  // cannot happen after the check above; never read past
      note_nal(base::Bytes(out).subspan(fu_nal_offset_), info);
    }
  } else {
    if (in_fu_) return fail();  // a new NAL while a fragmented one is open: its end was lost
    if (valid_single_type(type)) {
      out.insert(out.end(), std::begin(h264::kStartCode), std::end(h264::kStartCode));
      out.insert(out.end(), payload.begin(), payload.end());
      note_nal(payload, info);
    } else if (type == h264::kStapA) {
      // Validate the whole aggregate before writing so a bad one leaves the frame as it was.
      if (!for_each_stap_nal(payload, [](base::Bytes) {})) return fail();
      for_each_stap_nal(payload, [&](base::Bytes nal) {
        out.insert(out.end(), std::begin(h264::kStartCode), std::end(h264::kStartCode));
        out.insert(out.end(), nal.begin(), nal.end());
        note_nal(nal, info);
      });
    } else {
      return fail();
    }
  }
  if (info.keyframe || (type == h264::kFuA && nal_type(payload[1]) == h264::kIdr)) frame.keyframe = true;
  if (info.width != 0) {
    frame.width = info.width;
    frame.height = info.height;
  }
  return true;
}

bool H264Packetizer::begin(const base::EncodedFrame& frame, size_t max_payload) {
  nals_.clear();
  index_ = 0;
  fu_offset_ = 0;
  fu_packets_left_ = 0;
  // Three bytes is the least an FU-A can carry (indicator, header, one byte).
  if (max_payload < 3 || !h264::split_annex_b(frame.data, nals_)) {
    nals_.clear();
    return false;
  }
  max_payload_ = max_payload;
  return true;
}

std::optional<size_t> H264Packetizer::next(base::MutableBytes out, bool& marker) {
  if (index_ >= nals_.size() || out.size() < max_payload_) return std::nullopt;
  base::ByteWriter w(out);
  base::Bytes nal = nals_[index_];
  if (nal.size() > max_payload_) {
    // FU-A (5.8): the NAL header's F/NRI go to the indicator, its type to the FU header.
    base::Bytes body = nal.subspan(1);
    size_t capacity = max_payload_ - 2;
    if (fu_offset_ == 0) fu_packets_left_ = (body.size() + capacity - 1) / capacity;
    size_t remaining = body.size() - fu_offset_;
    size_t chunk = std::min(remaining / fu_packets_left_, capacity);
    bool start = fu_offset_ == 0;
    bool end = fu_packets_left_ == 1;
    if (end) chunk = remaining;
    w.u8(static_cast<uint8_t>((nal[0] & 0xe0) | h264::kFuA));
    w.u8(static_cast<uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | nal_type(nal[0])));
    w.bytes(body.subspan(fu_offset_, chunk));
    fu_offset_ += chunk;
    --fu_packets_left_;
    if (end) {
      fu_offset_ = 0;
      ++index_;
    }
  } else {
    // Aggregate the following NAL units while the STAP-A (5.7.1) still fits.
    size_t count = 1;
    size_t stap_size = 1 + 2 + nal.size();
    auto fits = [&](base::Bytes n) { return n.size() <= 0xffff && stap_size + 2 + n.size() <= max_payload_; };
    while (index_ + count < nals_.size() && nal.size() <= 0xffff && fits(nals_[index_ + count])) {
      stap_size += 2 + nals_[index_ + count].size();
      ++count;
    }
    if (count == 1) {
      w.bytes(nal);
    } else {
      // 5.7: F is set if any aggregated unit has it; NRI is the highest of theirs.
      uint8_t f = 0;
      uint8_t nri = 0;
      for (size_t i = 0; i < count; ++i) {
        f |= nals_[index_ + i][0] & 0x80;
        nri = std::max<uint8_t>(nri, nals_[index_ + i][0] & 0x60);
      }
      uint8_t f_nri = f | nri;
      w.u8(static_cast<uint8_t>(f_nri | h264::kStapA));
      for (size_t i = 0; i < count; ++i) {
        w.u16(static_cast<uint16_t>(nals_[index_ + i].size()));
        w.bytes(nals_[index_ + i]);
      }
    }
    index_ += count;
  }
  marker = index_ >= nals_.size();
  return w.size();
}

}  // namespace medley::rtp
