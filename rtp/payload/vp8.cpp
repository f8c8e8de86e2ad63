// VP8 RTP payload format, RFC 7741.
#include "rtp/payload/vp8.hpp"

#include <algorithm>
#include <cstring>

namespace medley::rtp {

std::optional<Vp8Descriptor> Vp8Descriptor::parse(base::Bytes payload) {
  base::ByteReader r(payload);
  Vp8Descriptor d;
  uint8_t b0 = r.u8();
  d.non_reference = (b0 & 0x20) != 0;
  d.start_of_partition = (b0 & 0x10) != 0;
  d.partition_id = b0 & 0x07;
  if (b0 & 0x80) {
    uint8_t x = r.u8();
    if (x & 0x80) {
      uint8_t p = r.u8();
      d.long_picture_id = (p & 0x80) != 0;
      d.picture_id = d.long_picture_id ? static_cast<uint16_t>(((p & 0x7f) << 8) | r.u8()) : p;
    }
    if (x & 0x40) d.tl0_pic_idx = r.u8();
    if (x & 0x30) {  // T and K share one byte (4.2)
      uint8_t tk = r.u8();
      if (x & 0x20) {
        d.temporal_id = tk >> 6;
        d.layer_sync = (tk & 0x20) != 0;
      }
      if (x & 0x10) d.key_idx = tk & 0x1f;
    }
  }
  if (!r.ok() || r.empty()) return std::nullopt;
  d.size = r.position();
  return d;
}

std::optional<Vp8FrameHeader> Vp8FrameHeader::parse(base::Bytes frame) {
  if (frame.size() < 3) return std::nullopt;
  Vp8FrameHeader h;
  // RFC 6386 9.1: bit 0 of the frame tag is the inverse key frame flag (P in RFC 7741 4.3).
  h.keyframe = (frame[0] & 0x01) == 0;
  if (!h.keyframe) return h;
  if (frame.size() < 10 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) return std::nullopt;
  h.width = static_cast<uint16_t>((frame[6] | (frame[7] << 8)) & 0x3fff);
  h.height = static_cast<uint16_t>((frame[8] | (frame[9] << 8)) & 0x3fff);
  return h;
}

namespace {
// Fills keyframe/size when this payload starts the first partition, the only place the frame tag lives. The P bit
// is in the tag's first byte, so even a payload cut that short (a sender with a tiny MTU) tells a keyframe.
void read_frame_start(const Vp8Descriptor& d, base::Bytes media, PayloadInfo& info) {
  info.frame_start = d.start_of_partition && d.partition_id == 0;
  if (d.temporal_id) info.temporal_layer = *d.temporal_id;
  if (!info.frame_start) return;
  info.keyframe = (media[0] & 0x01) == 0;
  if (auto h = Vp8FrameHeader::parse(media)) {
    info.width = h->width;
    info.height = h->height;
  }
}
}  // namespace

std::optional<PayloadInfo> Vp8Depacketizer::inspect(base::Bytes payload) const {
  auto d = Vp8Descriptor::parse(payload);
  if (!d) return std::nullopt;
  PayloadInfo info;
  read_frame_start(*d, payload.subspan(d->size), info);
  return info;
}

bool Vp8Depacketizer::append(base::Bytes payload, base::EncodedFrame& frame) {
  auto d = Vp8Descriptor::parse(payload);
  if (!d) return false;
  base::Bytes media = payload.subspan(d->size);
  PayloadInfo info;
  read_frame_start(*d, media, info);
  if (info.frame_start) {
    frame.keyframe = info.keyframe;
    if (info.width != 0) {
      frame.width = info.width;
      frame.height = info.height;
    }
  }
  frame.temporal_layer = info.temporal_layer;
  frame.data.insert(frame.data.end(), media.begin(), media.end());
  // A tiny first payload may stop short of the keyframe's size fields; read them once the frame holds them.
  if (frame.keyframe && frame.width == 0 && frame.data.size() - media.size() < 10 && frame.data.size() >= 10) {
    if (auto h = Vp8FrameHeader::parse(frame.data)) {
      frame.width = h->width;
      frame.height = h->height;
    }
  }
  return true;
}

bool Vp8Packetizer::begin(const base::EncodedFrame& frame, size_t max_payload) {
  data_ = {};
  packets_left_ = 0;
  if (frame.data.empty() || max_payload <= kDescriptorSize) return false;
  if (started_) picture_id_ = (picture_id_ + 1) & 0x7fff;
  started_ = true;
  data_ = frame.data;
  max_payload_ = max_payload;
  offset_ = 0;
  size_t capacity = max_payload - kDescriptorSize;
  packets_left_ = (data_.size() + capacity - 1) / capacity;
  return true;
}

std::optional<size_t> Vp8Packetizer::next(base::MutableBytes out, bool& marker) {
  if (packets_left_ == 0 || out.size() < max_payload_) return std::nullopt;
  // Floor of what is left over the packets left: sizes never differ by more than one byte, smaller ones first.
  size_t chunk = (data_.size() - offset_) / packets_left_;
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(0x80 | (offset_ == 0 ? 0x10 : 0x00));  // X, S on the first payload, PID 0
  p[1] = 0x80;                                                      // I
  p[2] = static_cast<uint8_t>(0x80 | (picture_id_ >> 8));           // M: 15-bit PictureID
  p[3] = static_cast<uint8_t>(picture_id_);
  std::memcpy(p + kDescriptorSize, data_.data() + offset_, chunk);
  offset_ += chunk;
  --packets_left_;
  marker = packets_left_ == 0;
  return kDescriptorSize + chunk;
}

}  // namespace medley::rtp
