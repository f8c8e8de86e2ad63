// WebM muxing cost: 10 s of a 2 Mbit/s recording (VP8 at 30 fps with a keyframe every 2 s, plus 32 kbit/s Opus in
// 20 ms packets) through WebmWriter, into memory and into a file. Prints MB/s of output and
// recordings_per_core = media seconds muxed per CPU second, i.e. how many 2 Mbit/s recordings one core sustains.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mux/file_sink.hpp"
#include "mux/webm_writer.hpp"

namespace {

using namespace medley;

struct MediaFrame {
  bool audio;
  int64_t ms;
  bool key;
  size_t size;
};

constexpr int kSeconds = 10;
constexpr double kBitrate = 2'000'000;

// Frame sizes for 2 Mbit/s total: Opus 80 bytes per 20 ms (32 kbit/s), video the rest at 30 fps with keyframes
// five times a delta frame's size.
std::vector<MediaFrame> schedule() {
  std::vector<MediaFrame> frames;
  double video_bytes_per_s = (kBitrate - 32'000) / 8;
  // per 2 s: 1 keyframe (5 units) + 59 delta frames (1 unit each)
  double unit = video_bytes_per_s * 2 / 64;
  for (int64_t t = 0; t < kSeconds * 1000; t += 10) {
    if (t % 20 == 0) frames.push_back({true, t, true, 80});
    if (t % 100 == 0 || t % 100 == 30 || t % 100 == 70) {  // 30 fps on a 10 ms grid
      bool key = t % 2000 == 0;
      frames.push_back({false, t, key, static_cast<size_t>(key ? unit * 5 : unit)});
    }
  }
  return frames;
}

void mux_once(mux::ByteSink& sink, const std::vector<MediaFrame>& frames, const std::vector<uint8_t>& data) {
  mux::WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = base::CodecId::Vp8, .width = 1280, .height = 720});
  uint32_t a = *w.add_track({.codec = base::CodecId::Opus});
  for (const MediaFrame& f : frames) {
    w.write(f.audio ? a : v, base::Duration::millis(f.ms), f.key, base::Bytes(data.data(), f.size));
  }
  w.finish();
}

void report(benchmark::State& state, uint64_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["recordings_per_core"] =
      benchmark::Counter(static_cast<double>(kSeconds) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["file_MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_MuxWebmToMemory(benchmark::State& state) {
  auto frames = schedule();
  std::vector<uint8_t> data(1 << 20, 0x5a);
  mux::MemorySink sink;
  uint64_t bytes = 0;
  for (auto _ : state) {
    sink.clear();
    mux_once(sink, frames, data);
    bytes = sink.data().size();
    benchmark::DoNotOptimize(sink.data().data());
  }
  report(state, bytes);
}
BENCHMARK(BM_MuxWebmToMemory)->Unit(benchmark::kMillisecond);

void BM_MuxWebmToFile(benchmark::State& state) {
  auto frames = schedule();
  std::vector<uint8_t> data(1 << 20, 0x5a);
  auto path = std::filesystem::temp_directory_path() / ("bench_mux_webm_" + std::to_string(::getpid()) + ".webm");
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto sink = mux::FileSink::open(path.string(), {.sync_on_close = false});
    if (!sink) {
      state.SkipWithError("cannot open the output file");
      break;
    }
    mux_once(*sink, frames, data);
    bytes = sink->size();
    sink->close();
  }
  std::filesystem::remove(path);
  report(state, bytes);
}
BENCHMARK(BM_MuxWebmToFile)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
