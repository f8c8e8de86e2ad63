// Benchmarks for rtp/jitter_buffer: insert + release cost per packet for a video stream, in order and with 1%
// reordering, with and without the payload copy into the frame. One iteration is one packet, so the reported
// time is ns per packet.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/jitter_buffer.hpp"

namespace {
using namespace medley;
using namespace medley::rtp;

constexpr uint32_t kPayload = 1200;

// First payload byte: bit0 frame start, bit2 keyframe. copy=false only measures the buffer's own work
// (append records the size instead of copying the bytes).
class RawDepacketizer : public Depacketizer {
 public:
  explicit RawDepacketizer(bool copy) : copy_(copy) {}
  std::optional<PayloadInfo> inspect(base::Bytes p) const override {
    if (p.empty()) return std::nullopt;
    PayloadInfo info;
    info.frame_start = p[0] & 1;
    info.keyframe = p[0] & 4;
    return info;
  }
  bool append(base::Bytes p, base::EncodedFrame& f) override {
    if (copy_) {
      f.data.insert(f.data.end(), p.begin() + 1, p.end());
    } else {
      f.width = static_cast<uint16_t>(f.width + p.size());
    }
    return true;
  }
  void reset() override {}

 private:
  bool copy_;
};

struct Step {
  int64_t seq_offset;  // within one pattern period
  int pos;             // packet index within its frame
};

// One period of arrivals: frames of `per_frame` packets; with reorder_pct, that share of packets arrives one
// to three places late (never across a loss, so every frame completes).
std::vector<Step> make_pattern(int frames, int per_frame, int reorder_pct) {
  std::vector<Step> steps;
  const int n = frames * per_frame;
  for (int i = 0; i < n; ++i) steps.push_back({i, i % per_frame});
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<int> late(1, 3);
  for (int i = 0; i + 4 < n; ++i) {
    if (pct(rng) < reorder_pct) {
      int d = late(rng);
      for (int k = 0; k < d; ++k) std::swap(steps[i + k], steps[i + k + 1]);
      i += d;
    }
  }
  return steps;
}

void run(benchmark::State& state, int per_frame, int reorder_pct, bool copy) {
  base::BufferPool pool(1500, 0);
  // The router's shared plaintext: the buffer takes one more reference per packet, as it would in the server.
  std::vector<base::BufferRef> payloads;
  for (int pos = 0; pos < per_frame; ++pos) {
    std::vector<uint8_t> bytes(kPayload, static_cast<uint8_t>(pos));
    bytes[0] = pos == 0 ? 1 : 0;
    payloads.push_back(pool.copy_of(bytes));
  }
  auto key = pool.copy_of(std::vector<uint8_t>(kPayload, 5));

  const int frames = 2000;
  const std::vector<Step> pattern = make_pattern(frames, per_frame, reorder_pct);
  JitterBuffer jb(std::make_unique<RawDepacketizer>(copy), JitterBuffer::Config::video(base::CodecId::Vp8));
  base::EncodedFrame frame;
  frame.data.reserve(static_cast<size_t>(per_frame) * kPayload);
  base::Timestamp now = base::Timestamp::millis(1);
  int64_t period = 0;
  size_t i = 0;
  uint64_t released = 0;
  for (auto _ : state) {
    const Step& s = pattern[i];
    const int64_t seq = period * static_cast<int64_t>(pattern.size()) + s.seq_offset;
    JitterPacket p;
    p.seq = seq;
    p.rtp_timestamp = static_cast<uint32_t>(seq / per_frame * 3000);
    p.marker = s.pos == per_frame - 1;
    p.buffer = seq == 0 ? key : payloads[s.pos];
    p.size = kPayload;
    p.arrival = now;
    jb.insert(std::move(p), now);
    while (jb.poll(now, frame)) {
      benchmark::DoNotOptimize(frame.data.data());
      ++released;
    }
    while (jb.poll_event()) {
    }
    now += base::Duration::micros(200);
    if (++i == pattern.size()) {
      i = 0;
      ++period;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["frames"] = static_cast<double>(released);
  state.counters["lost"] = static_cast<double>(jb.stats().frames_lost + jb.stats().frames_dropped);
  state.counters["pool_buffers"] = static_cast<double>(pool.allocated());
}

void BM_JitterInOrder(benchmark::State& state) { run(state, 5, 0, state.range(0) != 0); }
void BM_JitterReorder1pct(benchmark::State& state) { run(state, 5, 1, state.range(0) != 0); }
void BM_JitterKeyframeSized(benchmark::State& state) { run(state, 100, 1, state.range(0) != 0); }

BENCHMARK(BM_JitterInOrder)->ArgName("copy")->Arg(1)->Arg(0);
BENCHMARK(BM_JitterReorder1pct)->ArgName("copy")->Arg(1)->Arg(0);
BENCHMARK(BM_JitterKeyframeSized)->ArgName("copy")->Arg(1)->Arg(0);

}  // namespace

BENCHMARK_MAIN();
