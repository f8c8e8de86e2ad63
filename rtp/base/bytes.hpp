// Bounds-checked big-endian byte reader and writer over caller-owned spans; failures are sticky, never UB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace medley::base {

using Bytes = std::span<const uint8_t>;
using MutableBytes = std::span<uint8_t>;

// Unchecked helpers for code that has already validated lengths (views built by parse()).
inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t load_be24(const uint8_t* p) { return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2]; }
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint64_t load_be64(const uint8_t* p) { return (uint64_t{load_be32(p)} << 32) | load_be32(p + 4); }
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void store_be24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  store_be32(p, static_cast<uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<uint32_t>(v));
}

// Reads big-endian values. A read past the end returns 0 (or an empty span), and ok() stays false afterwards,
// so a parser may read a whole header and check once.
class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  Bytes rest() const { return data_.subspan(pos_); }

  uint8_t u8() { return need(1) ? data_[pos_++] : 0; }
  uint16_t u16() { return need(2) ? advance(2, load_be16(data_.data() + pos_)) : 0; }
  uint32_t u24() { return need(3) ? advance(3, load_be24(data_.data() + pos_)) : 0; }
  uint32_t u32() { return need(4) ? advance(4, load_be32(data_.data() + pos_)) : 0; }
  uint64_t u64() { return need(8) ? advance(8, load_be64(data_.data() + pos_)) : 0; }

  Bytes bytes(size_t n) {
    if (!need(n)) return {};
    Bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  bool skip(size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }
  // A reader over the next n bytes; this reader moves past them.
  ByteReader sub(size_t n) {
    ByteReader r(bytes(n));
    r.ok_ = ok_;
    return r;
  }

 private:
  bool need(size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <class T>
  T advance(size_t n, T v) {
    pos_ += n;
    return v;
  }

  Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Writes big-endian values into a caller's buffer. Writing past the end writes nothing and leaves ok() false.
class ByteWriter {
 public:
  explicit ByteWriter(MutableBytes out) : out_(out) {}

  bool ok() const { return ok_; }
  size_t size() const { return pos_; }
  size_t remaining() const { return out_.size() - pos_; }
  MutableBytes written() const { return out_.first(pos_); }
  uint8_t* cursor() { return out_.data() + pos_; }

  void u8(uint8_t v) {
    if (need(1)) out_[pos_++] = v;
  }
  void u16(uint16_t v) {
    if (need(2)) { store_be16(out_.data() + pos_, v); pos_ += 2; }
  }
  void u24(uint32_t v) {
    if (need(3)) { store_be24(out_.data() + pos_, v); pos_ += 3; }
  }
  void u32(uint32_t v) {
    if (need(4)) { store_be32(out_.data() + pos_, v); pos_ += 4; }
  }
  void u64(uint64_t v) {
    if (need(8)) { store_be64(out_.data() + pos_, v); pos_ += 8; }
  }
  void bytes(Bytes b) {
    if (need(b.size()) && !b.empty()) {
      std::memcpy(out_.data() + pos_, b.data(), b.size());
      pos_ += b.size();
    }
  }
  void zeros(size_t n) {
    if (need(n) && n > 0) {
      std::memset(out_.data() + pos_, 0, n);
      pos_ += n;
    }
  }
  // Reserves n bytes to fill in later (a length field); returns their offset, or SIZE_MAX on overflow.
  size_t reserve(size_t n) {
    size_t at = pos_;
    zeros(n);
    return ok_ ? at : SIZE_MAX;
  }
  // Overwrites already-written bytes, e.g. a length reserved earlier.
  void patch_u16(size_t at, uint16_t v) {
    if (ok_ && at + 2 <= pos_) store_be16(out_.data() + at, v);
  }
  void patch_u8(size_t at, uint8_t v) {
    if (ok_ && at < pos_) out_[at] = v;
  }

 private:
  bool need(size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return false;
    }
    return true;
  }

  MutableBytes out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace medley::base
