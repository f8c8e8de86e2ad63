// Latency histogram and /proc readings (see metrics.hpp).
#include "bench/loadgen/metrics.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace medley::loadgen {

void LatencyHistogram::add(int64_t micros) {
  const int64_t v = std::max<int64_t>(0, micros);
  ++buckets_[static_cast<size_t>(std::min<int64_t>(v, kBuckets))];
  ++count_;
  max_ = std::max(max_, v);
}

void LatencyHistogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  max_ = 0;
}

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto target = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= target) return static_cast<double>(i);
  }
  return static_cast<double>(kBuckets);
}

std::vector<int> process_tree(int pid) {
  std::vector<int> out;
  std::vector<int> todo{pid};
  while (!todo.empty() && out.size() < 4096) {
    const int p = todo.back();
    todo.pop_back();
    const std::string base = "/proc/" + std::to_string(p);
    std::error_code ec;
    if (!std::filesystem::exists(base, ec)) continue;
    out.push_back(p);
    for (const auto& task : std::filesystem::directory_iterator(base + "/task", ec)) {
      std::ifstream children(task.path() / "children");
      int c = 0;
      while (children >> c) todo.push_back(c);
    }
  }
  return out;
}

ProcessUsage process_tree_usage(int pid) {
  ProcessUsage u;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int p : process_tree(pid)) {
    std::ifstream stat("/proc/" + std::to_string(p) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    u.cpu_seconds += static_cast<double>(utime + stime) / ticks;
    std::ifstream status("/proc/" + std::to_string(p) + "/status");
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) {
        u.rss_bytes += std::stoull(line.substr(6)) * 1024;
        break;
      }
    }
    ++u.processes;
  }
  return u;
}

int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace medley::loadgen
