// FileSink: O_APPEND-free writes so pwrite can patch the header; short writes and EINTR retried.
#include "mux/file_sink.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace medley::mux {

base::Result<FileSink, int> FileSink::open(const std::string& path, FileSinkOptions options) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.truncate ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return errno;
  return FileSink(fd, options);
}

FileSink::FileSink(FileSink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      options_(other.options_),
      size_(other.size_),
      unsynced_(other.unsynced_),
      last_error_(other.last_error_) {}

FileSink& FileSink::operator=(FileSink&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    options_ = other.options_;
    size_ = other.size_;
    unsynced_ = other.unsynced_;
    last_error_ = other.last_error_;
  }
  return *this;
}

FileSink::~FileSink() { close(); }

bool FileSink::write(base::Bytes data) {
  if (fd_ < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      last_error_ = errno;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  size_ += data.size();
  unsynced_ += data.size();
  if (options_.sync_every_bytes != 0 && unsynced_ >= options_.sync_every_bytes) return sync();
  return true;
}

bool FileSink::write_at(uint64_t pos, base::Bytes data) {
  if (fd_ < 0 || pos > size_ || data.size() > size_ - pos) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(pos + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      last_error_ = errno;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool FileSink::sync() {
  if (fd_ < 0) return false;
  unsynced_ = 0;
  if (::fdatasync(fd_) != 0) {
    last_error_ = errno;
    return false;
  }
  return true;
}

bool FileSink::close() {
  if (fd_ < 0) return true;
  bool ok = !options_.sync_on_close || sync();
  if (::close(fd_) != 0) {
    last_error_ = errno;
    ok = false;
  }
  fd_ = -1;
  return ok;
}

}  // namespace medley::mux
