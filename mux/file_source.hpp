// A ByteSource on a POSIX file (pread): what the player reads recordings through.
#pragma once

#include <cstdint>
#include <string>

#include "mux/byte_source.hpp"
#include "rtp/base/result.hpp"

namespace medley::mux {

class FileSource final : public ByteSource {
 public:
  // errno-style failure from open(2)/fstat(2).
  static base::Result<FileSource, int> open(const std::string& path);

  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&& other) noexcept;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  ~FileSource() override;

  size_t read_at(uint64_t pos, base::MutableBytes out) override;
  // Size when opened; refresh() re-reads it (a recording that is still growing).
  uint64_t size() const override { return size_; }
  void refresh();

 private:
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace medley::mux
