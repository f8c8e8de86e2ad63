// The caller-owned outbox a sans-IO core writes its outputs into (datagrams to send, events).
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace medley::base {

// A reusable list of outputs. The caller drains it after each handle_* call and clears it; its capacity stays,
// so the steady state allocates nothing.
template <class T>
class Outbox {
 public:
  void push(T item) { items_.push_back(std::move(item)); }
  template <class... Args>
  T& emplace(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  std::span<T> items() { return items_; }
  std::span<const T> items() const { return items_; }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  T& operator[](size_t i) { return items_[i]; }
  void clear() { items_.clear(); }

 private:
  std::vector<T> items_;
};

}  // namespace medley::base
