// VP9 RTP payload format, RFC 9628.
#include "rtp/payload/vp9.hpp"

#include <algorithm>
#include <cstring>

#include "rtp/payload/h264_sps.hpp"

namespace medley::rtp {

std::optional<Vp9Descriptor> Vp9Descriptor::parse(base::Bytes payload) {
  base::ByteReader r(payload);
  Vp9Descriptor d;
  uint8_t b0 = r.u8();
  bool has_picture_id = (b0 & 0x80) != 0;
  d.inter_picture_predicted = (b0 & 0x40) != 0;
  d.has_layer_indices = (b0 & 0x20) != 0;
  d.flexible = (b0 & 0x10) != 0;
  d.begin_of_frame = (b0 & 0x08) != 0;
  d.end_of_frame = (b0 & 0x04) != 0;
  d.has_ss = (b0 & 0x02) != 0;
  d.not_scaled_reference = (b0 & 0x01) != 0;
  if (has_picture_id) {
    uint8_t p = r.u8();
    d.long_picture_id = (p & 0x80) != 0;
    d.picture_id = d.long_picture_id ? static_cast<uint16_t>(((p & 0x7f) << 8) | r.u8()) : p;
  }
  if (d.has_layer_indices) {
    uint8_t l = r.u8();
    d.temporal_id = l >> 5;
    d.switching_up = (l & 0x10) != 0;
    d.spatial_id = (l >> 1) & 0x07;
    d.inter_layer_predicted = (l & 0x01) != 0;
    if (!d.flexible) d.tl0_pic_idx = r.u8();
  }
  if (d.flexible && d.inter_picture_predicted) {
    // 4.2: P_DIFF bytes, N set when another follows; at most three references.
    bool more = true;
    while (more && r.ok()) {
      if (d.num_p_diffs == 3) return std::nullopt;
      uint8_t b = r.u8();
      d.p_diff[d.num_p_diffs++] = b >> 1;
      more = (b & 0x01) != 0;
    }
  }
  if (d.has_ss) {
    uint8_t v = r.u8();
    d.ss_spatial_layers = static_cast<uint8_t>((v >> 5) + 1);
    d.ss_has_resolution = (v & 0x10) != 0;
    bool has_gof = (v & 0x08) != 0;
    if (d.ss_has_resolution) {
      for (uint8_t i = 0; i < d.ss_spatial_layers; ++i) {
        d.ss_width[i] = r.u16();
        d.ss_height[i] = r.u16();
      }
    }
    if (has_gof) {
      d.ss_pictures_in_gof = r.u8();
      for (uint8_t i = 0; i < d.ss_pictures_in_gof && r.ok(); ++i) {
        uint8_t g = r.u8();
        r.skip((g >> 2) & 0x03);  // R reference P_DIFFs
      }
    }
  }
  if (!r.ok() || r.empty()) return std::nullopt;
  d.size = r.position();
  return d;
}

std::optional<Vp9FrameHeader> Vp9FrameHeader::parse(base::Bytes frame) {
  BitReader r(frame);
  if (r.bits(2) != 2) return std::nullopt;  // frame_marker
  uint32_t profile = r.bits(1);
  profile |= r.bits(1) << 1;
  if (profile == 3 && r.bits(1) != 0) return std::nullopt;  // reserved_zero
  Vp9FrameHeader h;
  h.show_existing_frame = r.flag();
  if (h.show_existing_frame) return r.ok() ? std::optional(h) : std::nullopt;
  h.keyframe = r.bits(1) == 0;  // frame_type KEY_FRAME = 0
  if (!r.ok()) return std::nullopt;
  if (!h.keyframe) return h;
  r.skip_bits(2);  // show_frame, error_resilient_mode
  if (r.bits(24) != 0x498342) return r.ok() ? std::nullopt : std::optional(h);  // frame_sync_code
  // color_config (6.2.2)
  if (profile >= 2) r.skip_bits(1);  // ten_or_twelve_bit
  uint32_t color_space = r.bits(3);
  if (color_space != 7) {            // not CS_RGB
    r.skip_bits(1);                  // color_range
    if (profile == 1 || profile == 3) r.skip_bits(3);  // subsampling_x, subsampling_y, reserved_zero
  } else if (profile == 1 || profile == 3) {
    r.skip_bits(1);  // reserved_zero
  }
  uint32_t w = r.bits(16) + 1;
  uint32_t hgt = r.bits(16) + 1;
  if (r.ok() && w <= 0xffff && hgt <= 0xffff) {
    h.width = static_cast<uint16_t>(w);
    h.height = static_cast<uint16_t>(hgt);
  }
  return h;
}

namespace {
PayloadInfo info_of(const Vp9Descriptor& d, base::Bytes media) {
  PayloadInfo info;
  info.frame_start = d.begin_of_frame;
  info.frame_end = d.end_of_frame;
  info.spatial_layer = d.spatial_id;
  info.temporal_layer = d.temporal_id;
  std::optional<Vp9FrameHeader> header;
  if (d.begin_of_frame) header = Vp9FrameHeader::parse(media);
  // A keyframe is the start of spatial layer 0 without inter-picture prediction. ffmpeg's packetizer never sets
  // P, so a header that says inter frame overrules P=0.
  info.keyframe = d.begin_of_frame && !d.inter_picture_predicted && d.spatial_id == 0 &&
                  !(header && (!header->keyframe || header->show_existing_frame));
  if (d.has_ss && d.ss_has_resolution && d.spatial_id < d.ss_spatial_layers) {
    info.width = d.ss_width[d.spatial_id];
    info.height = d.ss_height[d.spatial_id];
  } else if (info.keyframe && header) {
    info.width = header->width;
    info.height = header->height;
  }
  return info;
}
}  // namespace

std::optional<PayloadInfo> Vp9Depacketizer::inspect(base::Bytes payload) const {
  auto d = Vp9Descriptor::parse(payload);
  if (!d) return std::nullopt;
  return info_of(*d, payload.subspan(d->size));
}

bool Vp9Depacketizer::append(base::Bytes payload, base::EncodedFrame& frame) {
  auto d = Vp9Descriptor::parse(payload);
  if (!d) return false;
  base::Bytes media = payload.subspan(d->size);
  PayloadInfo info = info_of(*d, media);
  if (info.keyframe && !d->has_ss) ss_layers_ = 0;  // a keyframe without SS: its own header has the size
  if (d->has_ss && d->ss_has_resolution) {
    ss_layers_ = d->ss_spatial_layers;
    ss_width_ = d->ss_width;
    ss_height_ = d->ss_height;
  }
  // Only the base layer's start says whether the picture is a keyframe; upper layers' starts leave it be.
  if (info.frame_start && info.spatial_layer == 0) frame.keyframe = info.keyframe;
  if (info.spatial_layer > frame.spatial_layer) frame.spatial_layer = info.spatial_layer;
  frame.temporal_layer = info.temporal_layer;
  if (frame.spatial_layer < ss_layers_ && ss_width_[frame.spatial_layer] != 0) {
    frame.width = ss_width_[frame.spatial_layer];
    frame.height = ss_height_[frame.spatial_layer];
  } else if (info.width != 0 && info.height != 0) {
    frame.width = info.width;
    frame.height = info.height;
  }
  frame.data.insert(frame.data.end(), media.begin(), media.end());
  return true;
}

bool Vp9Packetizer::begin(const base::EncodedFrame& frame, size_t max_payload) {
  data_ = {};
  packets_left_ = 0;
  if (frame.data.empty() || max_payload <= kDescriptorSize + kSsSize) return false;
  auto header = Vp9FrameHeader::parse(frame.data);
  keyframe_ = frame.keyframe || (header && header->keyframe && !header->show_existing_frame);
  width_ = frame.width;
  height_ = frame.height;
  if ((width_ == 0 || height_ == 0) && header) {
    width_ = header->width;
    height_ = header->height;
  }
  first_extra_ = keyframe_ && width_ != 0 && height_ != 0 ? kSsSize : 0;
  if (started_) picture_id_ = (picture_id_ + 1) & 0x7fff;
  started_ = true;
  data_ = frame.data;
  max_payload_ = max_payload;
  offset_ = 0;
  // Balance as if the SS bytes were media: the first payload's share shrinks by them.
  size_t capacity = max_payload - kDescriptorSize;
  size_t total = data_.size() + first_extra_;
  packets_left_ = (total + capacity - 1) / capacity;
  return true;
}

std::optional<size_t> Vp9Packetizer::next(base::MutableBytes out, bool& marker) {
  if (packets_left_ == 0 || out.size() < max_payload_) return std::nullopt;
  bool first = offset_ == 0;
  size_t extra = first ? first_extra_ : 0;
  size_t remaining = data_.size() - offset_;
  size_t chunk = (remaining + extra) / packets_left_;
  // The SS can eat the first share when payloads are tiny; always carry at least one media byte, never more
  // than fits, and keep going until the data is out even if the estimate was short.
  chunk = chunk > extra ? chunk - extra : 1;
  chunk = std::min({chunk, remaining, max_payload_ - kDescriptorSize - extra});
  bool last = chunk == remaining;
  base::ByteWriter w(out);
  uint8_t flags = 0x80;                    // I
  if (!keyframe_) flags |= 0x40;           // P
  if (first) flags |= 0x08;                // B
  if (last) flags |= 0x04;                 // E
  if (first && first_extra_ != 0) flags |= 0x02;  // V
  w.u8(flags);
  w.u16(static_cast<uint16_t>(0x8000 | picture_id_));  // M: 15-bit picture id
  if (first && first_extra_ != 0) {
    w.u8(0x10);  // N_S = 0 (one spatial layer), Y = 1, G = 0
    w.u16(width_);
    w.u16(height_);
  }
  w.bytes(data_.subspan(offset_, chunk));
  offset_ += chunk;
  packets_left_ = last ? 0 : std::max<size_t>(packets_left_ - 1, 1);
  marker = last;
  return w.size();
}

}  // namespace medley::rtp
