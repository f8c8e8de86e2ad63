// FileSource: pread with EINTR retried; a read error reads as end of data.
#include "mux/file_source.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace medley::mux {

base::Result<FileSource, int> FileSource::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = errno != 0 ? errno : EINVAL;
    if (!S_ISREG(st.st_mode)) err = EINVAL;
    ::close(fd);
    return err;
  }
  return FileSource(fd, static_cast<uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

FileSource& FileSource::operator=(FileSource&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

size_t FileSource::read_at(uint64_t pos, base::MutableBytes out) {
  if (fd_ < 0 || pos >= size_ || out.empty()) return 0;
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - pos));
  size_t done = 0;
  while (done < want) {
    ssize_t n = ::pread(fd_, out.data() + done, want - done, static_cast<off_t>(pos + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

void FileSource::refresh() {
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) size_ = static_cast<uint64_t>(st.st_size);
}

}  // namespace medley::mux
