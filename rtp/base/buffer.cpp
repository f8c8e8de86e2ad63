// Pooled, refcounted packet buffers.
#include "rtp/base/buffer.hpp"

#include <cstring>
#include <new>

namespace medley::base {

bool Buffer::assign(std::span<const uint8_t> bytes) {
  offset_ = default_headroom_;
  if (bytes.size() > capacity()) {
    size_ = 0;
    return false;
  }
  if (!bytes.empty()) std::memcpy(data(), bytes.data(), bytes.size());
  size_ = bytes.size();
  return true;
}

void BufferRef::reset() {
  Buffer* b = std::exchange(buf_, nullptr);
  if (b && b->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) b->pool_->release(b);
}

BufferPool::BufferPool(size_t capacity, size_t headroom) : capacity_(capacity + headroom), headroom_(headroom) {
  assert(headroom < capacity_);
}

BufferPool::~BufferPool() {
  assert(outstanding() == 0 && "a BufferPool must outlive its buffers");
  Buffer* b = free_head_.load(std::memory_order_acquire);
  while (b) {
    Buffer* next = b->next_free_;
    b->~Buffer();
    ::operator delete(static_cast<void*>(b));
    b = next;
  }
}

BufferRef BufferPool::acquire() {
  Buffer* head = free_head_.load(std::memory_order_acquire);
  while (head && !free_head_.compare_exchange_weak(head, head->next_free_, std::memory_order_acquire,
                                                   std::memory_order_acquire)) {
  }
  if (head) {
    free_count_.fetch_sub(1, std::memory_order_relaxed);
    head->offset_ = headroom_;
    head->size_ = 0;
    head->next_free_ = nullptr;
    return BufferRef(head);
  }
  void* mem = ::operator new(sizeof(Buffer) + capacity_);
  ++allocated_;
  return BufferRef(new (mem) Buffer(this, capacity_, headroom_));
}

BufferRef BufferPool::copy_of(std::span<const uint8_t> bytes) {
  BufferRef ref = acquire();
  if (!ref->assign(bytes)) return {};
  return ref;
}

void BufferPool::release(Buffer* b) {
  // Counted before it is published, so the owner can never pop (and decrement) first.
  free_count_.fetch_add(1, std::memory_order_relaxed);
  Buffer* head = free_head_.load(std::memory_order_relaxed);
  do {
    b->next_free_ = head;
  } while (!free_head_.compare_exchange_weak(head, b, std::memory_order_release, std::memory_order_relaxed));
}

}  // namespace medley::base
