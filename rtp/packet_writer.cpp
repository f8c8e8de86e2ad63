// RtpPacketWriter: RTP header, CSRCs, RFC 8285 extension block, payload and padding into a caller's buffer.
#include "rtp/packet_writer.hpp"

#include <cstring>

#include "rtp/packet_view.hpp"

namespace medley::rtp {

RtpPacketWriter::RtpPacketWriter(base::MutableBytes out) : out_(out) {
  if (out_.size() < RtpPacketView::kFixedHeaderSize) {
    failed_ = true;
    return;
  }
  std::memset(out_.data(), 0, RtpPacketView::kFixedHeaderSize);
  out_[0] = 0x80;  // V=2
  pos_ = RtpPacketView::kFixedHeaderSize;
}

void RtpPacketWriter::set_marker(bool marker) {
  if (pos_ == 0) return;
  out_[1] = static_cast<uint8_t>((out_[1] & 0x7F) | (marker ? 0x80 : 0));
}
void RtpPacketWriter::set_payload_type(PayloadType pt) {
  if (pos_ == 0) return;
  out_[1] = static_cast<uint8_t>((out_[1] & 0x80) | (pt.value & 0x7F));
}
void RtpPacketWriter::set_sequence_number(uint16_t seq) {
  if (pos_ != 0) base::store_be16(out_.data() + 2, seq);
}
void RtpPacketWriter::set_timestamp(uint32_t ts) {
  if (pos_ != 0) base::store_be32(out_.data() + 4, ts);
}
void RtpPacketWriter::set_ssrc(Ssrc ssrc) {
  if (pos_ != 0) base::store_be32(out_.data() + 8, ssrc.value);
}

bool RtpPacketWriter::add_csrc(Ssrc csrc) {
  if (failed_ || ext_start_ != 0 || header_closed_ || (out_[0] & 0x0F) == RtpPacketView::kMaxCsrcs ||
      pos_ + 4 > out_.size()) {
    return fail();
  }
  base::store_be32(out_.data() + pos_, csrc.value);
  pos_ += 4;
  ++out_[0];
  return true;
}

bool RtpPacketWriter::add_extension(uint8_t id, base::Bytes value) {
  uint8_t* dst = begin_element(id, value.size());
  if (dst == nullptr) return false;
  if (!value.empty()) std::memmove(dst, value.data(), value.size());
  return true;
}

uint8_t* RtpPacketWriter::begin_element(uint8_t id, size_t len) {
  if (failed_ || header_closed_ || raw_block_ || id == 0 || len > 255) {
    fail();
    return nullptr;
  }
  if (ext_start_ == 0) {
    if (pos_ + 4 > out_.size()) {
      fail();
      return nullptr;
    }
    ext_start_ = pos_;  // profile and length are written when the header closes
    pos_ += 4;
  }
  const bool fits_one_byte = id <= 14 && len >= 1 && len <= 16;
  if (!two_byte_ && !fits_one_byte && !to_two_byte_form()) return nullptr;
  const size_t hdr = two_byte_ ? 2 : 1;
  if (pos_ + hdr + len > out_.size()) {
    fail();
    return nullptr;
  }
  uint8_t* p = out_.data() + pos_;
  if (two_byte_) {
    p[0] = id;
    p[1] = static_cast<uint8_t>(len);
  } else {
    p[0] = static_cast<uint8_t>((id << 4) | (len - 1));
  }
  pos_ += hdr + len;
  ++element_count_;
  return p + hdr;
}

// Rewrites the one-byte elements written so far as two-byte ones (each grows by one byte). The list is first
// moved to the end of the buffer, then copied forward; the room check guarantees the copy never overtakes
// bytes it has yet to read.
bool RtpPacketWriter::to_two_byte_form() {
  const size_t base = ext_start_ + 4;
  const size_t len = pos_ - base;
  if (base + len + element_count_ > out_.size()) return fail();
  uint8_t* o = out_.data();
  const size_t end = out_.size();
  size_t src = end - len;
  if (len > 0) std::memmove(o + src, o + base, len);
  size_t dst = base;
  while (src < end) {
    const uint8_t b = o[src];
    const size_t l = (b & 0x0Fu) + 1;
    std::memmove(o + dst + 2, o + src + 1, l);
    o[dst] = static_cast<uint8_t>(b >> 4);
    o[dst + 1] = static_cast<uint8_t>(l);
    src += 1 + l;
    dst += 2 + l;
  }
  pos_ = dst;
  two_byte_ = true;
  return true;
}

bool RtpPacketWriter::set_extension_block(uint16_t profile, base::Bytes block) {
  if (failed_ || header_closed_ || ext_start_ != 0 || block.size() % 4 != 0 || block.size() / 4 > 0xFFFF ||
      pos_ + 4 + block.size() > out_.size()) {
    return fail();
  }
  uint8_t* o = out_.data();
  ext_start_ = pos_;
  base::store_be16(o + pos_, profile);
  base::store_be16(o + pos_ + 2, static_cast<uint16_t>(block.size() / 4));
  if (!block.empty()) std::memmove(o + pos_ + 4, block.data(), block.size());
  pos_ += 4 + block.size();
  o[0] |= 0x10;
  raw_block_ = true;
  return true;
}

bool RtpPacketWriter::close_header() {
  if (failed_) return false;
  if (header_closed_) return true;
  if (ext_start_ != 0 && !raw_block_) {
    uint8_t* o = out_.data();
    const size_t base = ext_start_ + 4;
    const size_t block = pos_ - base;
    const size_t padded = (block + 3) & ~size_t{3};
    if (padded / 4 > 0xFFFF || base + padded > out_.size()) return fail();
    if (padded > block) std::memset(o + pos_, 0, padded - block);  // RFC 8285 §4.1: padding bytes are 0
    pos_ = base + padded;
    base::store_be16(o + ext_start_, two_byte_ ? RtpPacketView::kTwoByteProfile : RtpPacketView::kOneByteProfile);
    base::store_be16(o + ext_start_ + 2, static_cast<uint16_t>(padded / 4));
    o[0] |= 0x10;
  }
  header_closed_ = true;
  return true;
}

base::MutableBytes RtpPacketWriter::payload_space() {
  if (finished_ || !close_header()) return {};
  return out_.subspan(pos_);
}

std::optional<size_t> RtpPacketWriter::finish(base::Bytes payload, uint8_t padding) {
  base::MutableBytes space = payload_space();
  if (failed_ || finished_ || payload.size() > space.size()) {
    fail();
    return std::nullopt;
  }
  if (!payload.empty()) std::memmove(space.data(), payload.data(), payload.size());
  return finish_in_place(payload.size(), padding);
}

std::optional<size_t> RtpPacketWriter::finish_in_place(size_t payload_size, uint8_t padding) {
  if (finished_ || !close_header()) {
    fail();
    return std::nullopt;
  }
  const size_t room = out_.size() - pos_;
  if (payload_size > room || padding > room - payload_size) {
    fail();
    return std::nullopt;
  }
  size_t end = pos_ + payload_size;
  if (padding > 0) {
    uint8_t* o = out_.data();
    std::memset(o + end, 0, padding - 1u);
    o[end + padding - 1] = padding;  // RFC 3550 §5.1: the last octet counts the padding, itself included
    o[0] |= 0x20;
    end += padding;
  }
  if (end > RtpPacketView::kMaxPacketSize) {
    fail();
    return std::nullopt;
  }
  finished_ = true;
  return end;
}

}  // namespace medley::rtp
