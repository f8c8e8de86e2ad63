// ByteSource: random access to a file's bytes for the readers (a file in the server, memory in tests), so they
// stay sans-IO and never need the whole file in memory.
#pragma once

#include <cstdint>
#include <cstring>

#include "rtp/base/bytes.hpp"

namespace medley::mux {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Fills `out` from `offset`; false (and nothing promised about out) if that runs past size() or I/O fails.
  virtual bool read_at(uint64_t offset, base::MutableBytes out) = 0;
};

// Over bytes the caller keeps alive.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(base::Bytes data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  bool read_at(uint64_t offset, base::MutableBytes out) override {
    if (offset > data_.size() || out.size() > data_.size() - offset) return false;
    if (!out.empty()) std::memcpy(out.data(), data_.data() + offset, out.size());
    return true;
  }

 private:
  base::Bytes data_;
};

}  // namespace medley::mux
