// Where demuxers read their bytes from: random access by position over a source of known (or growing) size,
// and a memory-backed implementation for tests and fuzzers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "rtp/base/bytes.hpp"

namespace medley::mux {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Copies up to out.size() bytes from pos into out; returns how many (0 at or past the end, or on error).
  virtual size_t read_at(uint64_t pos, base::MutableBytes out) = 0;
  // Total size in bytes as far as known now (a file still being written may grow).
  virtual uint64_t size() const = 0;
};

// Reads from a caller-owned span that must outlive the source.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(base::Bytes data) : data_(data) {}

  size_t read_at(uint64_t pos, base::MutableBytes out) override {
    if (pos >= data_.size()) return 0;
    size_t n = std::min<uint64_t>(out.size(), data_.size() - pos);
    if (n > 0) std::memcpy(out.data(), data_.data() + pos, n);
    return n;
  }
  uint64_t size() const override { return data_.size(); }

 private:
  base::Bytes data_;
};

}  // namespace medley::mux
