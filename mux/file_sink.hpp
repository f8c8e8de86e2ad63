// A ByteSink on a POSIX file (write/pwrite), with an optional fsync policy: the recorder's way to disk.
#pragma once

#include <cstdint>
#include <string>

#include "mux/byte_sink.hpp"
#include "rtp/base/result.hpp"

namespace medley::mux {

struct FileSinkOptions {
  bool truncate = true;             // false: fail if the file exists (O_EXCL)
  // fsync after this many bytes since the last one (0: never by size). Bounds what a power loss can take
  // beyond what a kill -9 takes (the kernel keeps written bytes across a process kill anyway).
  uint64_t sync_every_bytes = 0;
  bool sync_on_close = true;
};

class FileSink final : public ByteSink {
 public:
  // errno-style failure: the error number from open(2) (ENOENT, EACCES, EEXIST...).
  static base::Result<FileSink, int> open(const std::string& path, FileSinkOptions options = {});

  FileSink(FileSink&& other) noexcept;
  FileSink& operator=(FileSink&& other) noexcept;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  ~FileSink() override;

  bool write(base::Bytes data) override;
  bool can_seek() const override { return fd_ >= 0; }
  bool write_at(uint64_t pos, base::Bytes data) override;

  bool sync();
  // Syncs if asked to, closes; false if a sync or close failed. Later writes fail.
  bool close();

  uint64_t size() const { return size_; }
  int last_error() const { return last_error_; }  // errno of the last failure, 0 if none

 private:
  FileSink(int fd, FileSinkOptions options) : fd_(fd), options_(options) {}

  int fd_ = -1;
  FileSinkOptions options_;
  uint64_t size_ = 0;
  uint64_t unsynced_ = 0;
  int last_error_ = 0;
};

}  // namespace medley::mux
