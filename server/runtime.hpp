// Runtime: the process's io_context and its worker threads, and the orderly way to stop them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace medley::server {

class Runtime {
 public:
  // threads == 0: one per core.
  explicit Runtime(size_t threads);
  ~Runtime();  // stop() and join()
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io() { return io_; }
  size_t thread_count() const { return thread_count_; }

  // Starts the worker threads; the io_context keeps running (even idle) until shutdown() or stop().
  void start();
  // Lets the threads finish the work still queued (closing sockets, close handshakes) and return; if they have not
  // returned after `grace`, stops the io_context hard. Joins the threads. Not from a worker thread.
  void shutdown(std::chrono::milliseconds grace);
  // Stops at once: pending handlers are dropped.
  void stop();
  void join();

 private:
  void run_thread();

  size_t thread_count_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;
};

}  // namespace medley::server
