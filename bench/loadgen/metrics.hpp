// What the load generator measures: a latency histogram (1 µs buckets up to 100 ms), and the server's CPU time
// and resident memory read from /proc for a process and all its descendants (mediasoup's Node process and its
// worker, Janus's threads are in the process already).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace medley::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram() : buckets_(kBuckets + 1, 0) {}
  void add(int64_t micros);
  void clear();
  uint64_t count() const { return count_; }
  // The value below which fraction q of the samples are (q in [0, 1]); 0 without samples.
  double quantile(double q) const;
  int64_t max() const { return max_; }

 private:
  static constexpr size_t kBuckets = 100'000;
  std::vector<uint32_t> buckets_;  // the last one counts everything at or above kBuckets µs
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

struct ProcessUsage {
  double cpu_seconds = 0;  // utime + stime of the process tree
  uint64_t rss_bytes = 0;  // sum of VmRSS over the tree
  int processes = 0;       // 0: the process is gone
};

// Reads /proc/<pid> and, recursively, the children of every thread.
ProcessUsage process_tree_usage(int pid);
std::vector<int> process_tree(int pid);

// CLOCK_REALTIME in ns (what SO_TIMESTAMPNS stamps arrivals with).
int64_t realtime_ns();

}  // namespace medley::loadgen
