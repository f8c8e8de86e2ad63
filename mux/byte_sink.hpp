// ByteSink: where a muxer's bytes go (a file in the server, memory in tests), so writers stay sans-IO.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "rtp/base/bytes.hpp"

namespace medley::mux {

// Writers append; a seekable sink also lets them patch bytes already written (sizes, durations at finish).
// A false return means the bytes did not all land: the writer stops and reports it.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual bool write(base::Bytes bytes) = 0;
  virtual bool seekable() const { return false; }
  // Overwrites [offset, offset + bytes.size()) of what was written; only called when seekable().
  virtual bool write_at(uint64_t /*offset*/, base::Bytes /*bytes*/) { return false; }
};

// Keeps everything in memory; tests and benchmarks read data() back.
class MemorySink final : public ByteSink {
 public:
  bool write(base::Bytes bytes) override {
    data_.insert(data_.end(), bytes.begin(), bytes.end());
    return true;
  }
  bool seekable() const override { return true; }
  bool write_at(uint64_t offset, base::Bytes bytes) override {
    if (offset > data_.size() || bytes.size() > data_.size() - offset) return false;
    if (!bytes.empty()) std::memcpy(data_.data() + offset, bytes.data(), bytes.size());
    return true;
  }
  const std::vector<uint8_t>& data() const { return data_; }
  void clear() { data_.clear(); }  // keeps capacity

 private:
  std::vector<uint8_t> data_;
};

}  // namespace medley::mux
