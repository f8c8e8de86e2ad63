// Runtime: worker threads around one io_context (DESIGN: pipelines and connections are strands on it).
#include "server/runtime.hpp"

#include <exception>

#include "server/log.hpp"

namespace medley::server {

Runtime::Runtime(size_t threads)
    : thread_count_(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())),
      io_(static_cast<int>(thread_count_)) {}

Runtime::~Runtime() {
  stop();
  join();
}

void Runtime::start() {
  if (!threads_.empty()) return;
  guard_.emplace(io_.get_executor());
  {
    std::lock_guard lock(mu_);
    running_ = thread_count_;
  }
  threads_.reserve(thread_count_);
  for (size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { run_thread(); });
}

void Runtime::run_thread() {
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {
      // A handler that throws is a bug; log it and keep the thread serving the others.
      log::get("main")->error("unhandled exception in a worker thread: {}", e.what());
    }
  }
  std::lock_guard lock(mu_);
  --running_;
  cv_.notify_all();
}

void Runtime::shutdown(std::chrono::milliseconds grace) {
  guard_.reset();
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, grace, [this] { return running_ == 0; })) {
      log::get("main")->warn("work still pending {} ms after shutdown started; stopping", grace.count());
    }
  }
  io_.stop();
  join();
}

void Runtime::stop() {
  guard_.reset();
  io_.stop();
}

void Runtime::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace medley::server
