// ISO BMFF (ISO/IEC 14496-12) box plumbing shared by the MP4 writer and reader: four-character codes, a box
// builder that patches sizes, and a bounds-checked iterator over the boxes inside a buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtp/base/bytes.hpp"

namespace medley::mux {

constexpr uint32_t fourcc(const char (&s)[5]) {
  return (uint32_t{static_cast<uint8_t>(s[0])} << 24) | (uint32_t{static_cast<uint8_t>(s[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[2])} << 8) | uint32_t{static_cast<uint8_t>(s[3])};
}

// Appends big-endian fields and boxes to a caller-owned vector (its capacity is reused across fragments).
class BoxBuilder {
 public:
  explicit BoxBuilder(std::vector<uint8_t>& out) : out_(out) {}

  // Starts a box with a 32-bit size to fill in by end(); returns the offset to pass to end().
  size_t begin(uint32_t type);
  size_t begin_full(uint32_t type, uint8_t version, uint32_t flags);
  void end(size_t at);

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void bytes(base::Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  void patch_u32(size_t at, uint32_t v) { base::store_be32(out_.data() + at, v); }
  void patch_u64(size_t at, uint64_t v) { base::store_be64(out_.data() + at, v); }
  size_t size() const { return out_.size(); }

 private:
  std::vector<uint8_t>& out_;
};

// One box found inside a buffer: its type, where it starts (relative to that buffer) and its payload.
struct BoxView {
  uint32_t type = 0;
  size_t offset = 0;       // of the box header within the iterated buffer
  size_t header_size = 0;  // 8, 16 (largesize), +16 for 'uuid'
  base::Bytes payload;
};

// Walks the boxes packed in a buffer. A box whose size runs past the buffer, or is below its header size, stops
// the walk with ok() false; size 0 ("to the end") takes the rest of the buffer.
class BoxIterator {
 public:
  explicit BoxIterator(base::Bytes data) : data_(data) {}
  bool next(BoxView& out);
  bool ok() const { return ok_; }

 private:
  base::Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The first child of a given type, or nullopt.
std::optional<base::Bytes> find_box(base::Bytes container, uint32_t type);

// A full box's version and flags, ahead of its fields.
struct FullBoxHeader {
  uint8_t version = 0;
  uint32_t flags = 0;
};
inline FullBoxHeader read_full_box(base::ByteReader& r) {
  uint32_t v = r.u32();
  return {static_cast<uint8_t>(v >> 24), v & 0xffffff};
}

}  // namespace medley::mux
