// Pooled, refcounted packet buffers: the shared read-only plaintext a router fans out (DESIGN.md rule 3).
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace medley::base {

class BufferPool;

// One buffer: a fixed-capacity byte array with headroom in front, so a header can be prepended in place.
// Allocated and recycled only by its BufferPool.
class Buffer {
 public:
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint8_t* data() { return storage() + offset_; }
  const uint8_t* data() const { return storage() + offset_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_ - offset_; }
  size_t headroom() const { return offset_; }
  std::span<uint8_t> span() { return {data(), size_}; }
  std::span<const uint8_t> span() const { return {data(), size_}; }
  // The whole writable area from data(), for writers that fill the buffer then call resize().
  std::span<uint8_t> writable() { return {data(), capacity()}; }

  // Sets the number of valid bytes; false (and nothing changed) if it exceeds capacity().
  bool resize(size_t n) {
    if (n > capacity()) return false;
    size_ = n;
    return true;
  }
  // Moves the start n bytes earlier into the headroom (for prepending); false if there is not enough.
  bool prepend(size_t n) {
    if (n > offset_) return false;
    offset_ -= n;
    size_ += n;
    return true;
  }
  // Drops n bytes from the front.
  bool consume_front(size_t n) {
    if (n > size_) return false;
    offset_ += n;
    size_ -= n;
    return true;
  }
  // Copies bytes in at the default headroom; false if they do not fit.
  bool assign(std::span<const uint8_t> bytes);

 private:
  friend class BufferPool;
  friend class BufferRef;
  Buffer(BufferPool* pool, size_t capacity, size_t headroom)
      : pool_(pool), capacity_(capacity), default_headroom_(headroom), offset_(headroom) {}
  uint8_t* storage() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* storage() const { return reinterpret_cast<const uint8_t*>(this + 1); }

  std::atomic<uint32_t> refs_{0};
  BufferPool* pool_;
  Buffer* next_free_ = nullptr;
  size_t capacity_;
  size_t default_headroom_;
  size_t offset_;
  size_t size_ = 0;
};

// A counted reference to a Buffer; the buffer returns to its pool when the last reference goes.
// The count is atomic, so references may travel to other strands (large fan-outs).
class BufferRef {
 public:
  BufferRef() = default;
  BufferRef(const BufferRef& o) : buf_(o.buf_) {
    if (buf_) buf_->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  BufferRef(BufferRef&& o) noexcept : buf_(std::exchange(o.buf_, nullptr)) {}
  BufferRef& operator=(BufferRef o) noexcept {
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~BufferRef() { reset(); }

  void reset();
  explicit operator bool() const { return buf_ != nullptr; }
  Buffer* get() const { return buf_; }
  Buffer* operator->() const { return buf_; }
  Buffer& operator*() const { return *buf_; }
  uint32_t use_count() const { return buf_ ? buf_->refs_.load(std::memory_order_relaxed) : 0; }

 private:
  friend class BufferPool;
  explicit BufferRef(Buffer* b) : buf_(b) { buf_->refs_.store(1, std::memory_order_relaxed); }
  Buffer* buf_ = nullptr;
};

// A pool of equal-sized buffers. acquire() runs on the owner's strand only; the last release may happen on
// any thread (a lock-free multi-producer, single-consumer free list, which is ABA-safe because only the owner
// pops). The pool must outlive every buffer it handed out.
class BufferPool {
 public:
  static constexpr size_t kDefaultCapacity = 2048;
  static constexpr size_t kDefaultHeadroom = 64;

  explicit BufferPool(size_t capacity = kDefaultCapacity, size_t headroom = kDefaultHeadroom);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer of size 0 with the pool's headroom; allocates only when the free list is empty.
  BufferRef acquire();
  // acquire() and copy bytes in; an empty ref if they do not fit.
  BufferRef copy_of(std::span<const uint8_t> bytes);

  size_t buffer_capacity() const { return capacity_ - headroom_; }
  size_t allocated() const { return allocated_; }
  size_t outstanding() const { return allocated_ - free_count_.load(std::memory_order_relaxed); }

 private:
  friend class BufferRef;
  void release(Buffer* b);

  size_t capacity_;
  size_t headroom_;
  size_t allocated_ = 0;
  std::atomic<Buffer*> free_head_{nullptr};
  std::atomic<size_t> free_count_{0};
};

}  // namespace medley::base
