// MP4 muxing and demuxing throughput: a 2 Mbit/s H.264 + 32 kbit/s Opus recording into a memory sink (MB/s, and
// recordings one core sustains, i.e. seconds of media muxed per CPU second), and reading such a file back.
#include <benchmark/benchmark.h>

#include <random>

#include "mux/mp4_reader.hpp"
#include "mux/mp4_writer.hpp"

namespace {

using namespace medley;

// SPS/PPS from libx264 (High, 64x48); the writer parses them for avcC, the payload bytes are filler.
constexpr uint8_t kSps[] = {0x67, 0x64, 0x00, 0x09, 0xac, 0xb2, 0x08, 0xf6, 0x02, 0x20, 0x00, 0x00,
                            0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x02, 0x81, 0xe2, 0x44, 0xc9};
constexpr uint8_t kPps[] = {0x68, 0xeb, 0xcc, 0xb2, 0x2c};
constexpr int kFps = 30;
constexpr int kGop = 60;                    // a keyframe every 2 s
constexpr size_t kKeyframeBytes = 40000;
constexpr size_t kDeltaBytes = 7800;        // (40000 + 59 * 7800) * 8 / 2 s ≈ 2.0 Mbit/s
constexpr size_t kOpusBytes = 80;           // 20 ms at 32 kbit/s

void append_nal(std::vector<uint8_t>& out, uint8_t header, size_t payload, std::mt19937& rng) {
  static constexpr uint8_t kStart[4] = {0, 0, 0, 1};
  out.insert(out.end(), kStart, kStart + 4);
  out.push_back(header);
  for (size_t i = 0; i < payload; ++i) out.push_back(static_cast<uint8_t>(1 + rng() % 255));  // no start codes
}

struct Media {
  std::vector<base::EncodedFrame> video;  // one GOP
  base::EncodedFrame audio;
  size_t bytes_per_second = 0;
};

const Media& media() {
  static Media m = [] {
    Media m;
    std::mt19937 rng(7);
    for (int i = 0; i < kGop; ++i) {
      base::EncodedFrame f;
      f.codec = base::CodecId::H264;
      f.keyframe = i == 0;
      if (f.keyframe) {
        f.data.insert(f.data.end(), {0, 0, 0, 1});
        f.data.insert(f.data.end(), kSps, kSps + sizeof kSps);
        f.data.insert(f.data.end(), {0, 0, 0, 1});
        f.data.insert(f.data.end(), kPps, kPps + sizeof kPps);
        append_nal(f.data, 0x65, kKeyframeBytes, rng);
      } else {
        append_nal(f.data, 0x41, kDeltaBytes, rng);
      }
      m.video.push_back(std::move(f));
    }
    m.audio.codec = base::CodecId::Opus;
    m.audio.keyframe = true;
    m.audio.data.push_back(0x78);  // CELT FB 20 ms, one frame
    for (size_t i = 1; i < kOpusBytes; ++i) m.audio.data.push_back(static_cast<uint8_t>(rng()));
    size_t gop_bytes = 0;
    for (const auto& f : m.video) gop_bytes += f.data.size();
    m.bytes_per_second = gop_bytes * kFps / kGop + kOpusBytes * 50;
    return m;
  }();
  return m;
}

// Writes `seconds` of media starting at second `start`.
void mux_seconds(mux::Mp4Writer& w, const Media& m, int64_t start, int64_t seconds) {
  for (int64_t s = start; s < start + seconds; ++s) {
    int v = 0, a = 0;
    while (v < kFps || a < 50) {
      int64_t vt = s * 1000000 + v * 1000000 / kFps;
      int64_t at = s * 1000000 + a * 20000;
      if (a >= 50 || (v < kFps && vt <= at)) {
        const auto& f = m.video[static_cast<size_t>((s * kFps + v) % kGop)];
        benchmark::DoNotOptimize(w.write(f, base::Timestamp::micros(vt)));
        ++v;
      } else {
        benchmark::DoNotOptimize(w.write(m.audio, base::Timestamp::micros(at)));
        ++a;
      }
    }
  }
}

// One iteration muxes one second of a 2 Mbit/s recording; "recordings_per_core" is media seconds per CPU second.
void BM_Mp4MuxH264Opus(benchmark::State& state) {
  const Media& m = media();
  mux::MemorySink sink;
  mux::Mp4Writer w({}, sink);
  int64_t second = 0;
  for (auto _ : state) {
    mux_seconds(w, m, second++, 1);
    if (sink.data().size() > (256u << 20)) {
      state.PauseTiming();  // keep memory bounded; a file sink would not grow either
      sink.clear();
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(m.bytes_per_second) * state.iterations());
  state.counters["recordings_per_core"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["fragments"] = static_cast<double>(w.stats().fragments);
}
BENCHMARK(BM_Mp4MuxH264Opus)->Unit(benchmark::kMicrosecond);

// Reading back a 20 s file made by the writer: every frame, H.264 converted to Annex B.
void BM_Mp4ReadH264Opus(benchmark::State& state) {
  const Media& m = media();
  mux::MemorySink sink;
  mux::Mp4Writer w({}, sink);
  mux_seconds(w, m, 0, 20);
  w.finish();
  mux::MemorySource src(sink.data());
  mux::Mp4Frame f;
  size_t frames = 0;
  for (auto _ : state) {
    auto r = mux::Mp4Reader::open(src);
    if (!r.ok()) {
      state.SkipWithError("open failed");
      return;
    }
    while (r->read(f) == mux::Mp4ReadStatus::Frame) ++frames;
  }
  state.SetBytesProcessed(static_cast<int64_t>(sink.data().size()) * state.iterations());
  state.counters["frames_per_s"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Mp4ReadH264Opus)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
