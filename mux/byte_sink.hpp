// Where muxers put their bytes: an append-only stream that may also allow overwriting bytes already written
// (to finalize sizes, duration and indexes), and a memory-backed implementation for tests and benchmarks.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "rtp/base/bytes.hpp"

namespace medley::mux {

// A muxer writes its output in order through write(); finishing touches go through write_at() when
// can_seek() says the medium allows it (a file does, a pipe or a live HTTP response does not).
// A false return is a failed write (disk full, closed file): the muxer stops and reports it.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual bool write(base::Bytes data) = 0;
  virtual bool can_seek() const = 0;
  // Overwrites bytes at pos (< the end so far); must not extend the stream. False if unsupported or failed.
  virtual bool write_at(uint64_t pos, base::Bytes data) = 0;
};

// Keeps everything in a vector. Seekable unless constructed with seekable = false (to test the streaming case).
class MemorySink final : public ByteSink {
 public:
  explicit MemorySink(bool seekable = true) : seekable_(seekable) {}

  bool write(base::Bytes data) override {
    data_.insert(data_.end(), data.begin(), data.end());
    return true;
  }
  bool can_seek() const override { return seekable_; }
  bool write_at(uint64_t pos, base::Bytes data) override {
    if (!seekable_ || pos > data_.size() || data.size() > data_.size() - pos) return false;
    if (!data.empty()) std::memcpy(data_.data() + pos, data.data(), data.size());
    return true;
  }

  const std::vector<uint8_t>& data() const { return data_; }
  // Drops the bytes but keeps the capacity, so a benchmark can reuse one sink.
  void clear() { data_.clear(); }

 private:
  std::vector<uint8_t> data_;
  bool seekable_;
};

}  // namespace medley::mux
