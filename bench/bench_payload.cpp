// Payload format costs: depacketizing one 1200-byte packet (VP8, H.264 FU-A and single NAL) and packetizing a
// 30 KB keyframe into ~1200-byte payloads (VP8, VP9, H.264).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "rtp/payload/h264.hpp"
#include "rtp/payload/vp8.hpp"
#include "rtp/payload/vp9.hpp"

using namespace medley;
using namespace medley::rtp;

namespace {

std::vector<uint8_t> noise(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) {
    seed = seed * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(seed >> 24) | 0x04;  // no 00 00 01 inside NAL units
  }
  return v;
}

void BM_DepacketizeVp8(benchmark::State& state) {
  std::vector<uint8_t> payload = noise(1200, 1);
  payload[0] = 0x90;  // X S
  payload[1] = 0x80;  // I
  payload[2] = 0x81;  // 15-bit PictureID
  payload[3] = 0x23;
  payload[4] = 0x51;  // interframe tag
  Vp8Depacketizer dp;
  base::EncodedFrame frame;
  frame.data.reserve(4096);
  for (auto _ : state) {
    frame.data.clear();
    auto info = dp.inspect(payload);
    benchmark::DoNotOptimize(info);
    benchmark::DoNotOptimize(dp.append(payload, frame));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_DepacketizeVp8);

// Start, middle and end fragments of one IDR slice, in turn: what most H.264 video packets are.
void BM_DepacketizeH264FuA(benchmark::State& state) {
  std::vector<std::vector<uint8_t>> fus;
  for (uint8_t fu_header : {0x85, 0x05, 0x45}) {
    auto p = noise(1200, fu_header);
    p[0] = 0x7c;
    p[1] = fu_header;
    fus.push_back(p);
  }
  H264Depacketizer dp;
  base::EncodedFrame frame;
  frame.data.reserve(8192);
  size_t i = 0;
  for (auto _ : state) {
    if (i == 0) frame.data.clear();
    auto info = dp.inspect(fus[i]);
    benchmark::DoNotOptimize(info);
    benchmark::DoNotOptimize(dp.append(fus[i], frame));
    i = (i + 1) % 3;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 1200);
}
BENCHMARK(BM_DepacketizeH264FuA);

void BM_DepacketizeH264Single(benchmark::State& state) {
  auto p = noise(1200, 7);
  p[0] = 0x41;  // non-IDR slice
  p[1] = 0x9a;
  H264Depacketizer dp;
  base::EncodedFrame frame;
  frame.data.reserve(4096);
  for (auto _ : state) {
    frame.data.clear();
    auto info = dp.inspect(p);
    benchmark::DoNotOptimize(info);
    benchmark::DoNotOptimize(dp.append(p, frame));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 1200);
}
BENCHMARK(BM_DepacketizeH264Single);

template <class P>
void packetize_frame(benchmark::State& state, P& packetizer, const base::EncodedFrame& frame) {
  std::vector<uint8_t> out(1200);
  size_t packets = 0;
  for (auto _ : state) {
    packetizer.begin(frame, out.size());
    bool marker = false;
    while (auto n = packetizer.next(out, marker)) {
      benchmark::DoNotOptimize(out.data());
      ++packets;
    }
  }
  state.SetItemsProcessed(state.iterations());  // frames
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(frame.data.size()));
  state.counters["packets/frame"] = static_cast<double>(packets) / static_cast<double>(state.iterations());
}

void BM_PacketizeVp8Keyframe30K(benchmark::State& state) {
  base::EncodedFrame f;
  f.data = noise(30000, 3);
  f.data[0] = 0x50;  // keyframe tag
  f.keyframe = true;
  Vp8Packetizer p;
  packetize_frame(state, p, f);
}
BENCHMARK(BM_PacketizeVp8Keyframe30K);

void BM_PacketizeVp9Keyframe30K(benchmark::State& state) {
  base::EncodedFrame f;
  f.data = noise(30000, 4);
  f.keyframe = true;
  f.width = 1280;
  f.height = 720;
  Vp9Packetizer p;
  packetize_frame(state, p, f);
}
BENCHMARK(BM_PacketizeVp9Keyframe30K);

void BM_PacketizeH264Keyframe30K(benchmark::State& state) {
  base::EncodedFrame f;
  std::vector<uint8_t> sps = {0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11};
  std::vector<uint8_t> pps = {0x68, 0x1a, 0x34, 0xe3, 0xc8};
  auto idr = noise(30000 - 4 * 3 - sps.size() - pps.size(), 5);
  idr[0] = 0x65;
  for (const std::vector<uint8_t>* nal : {&sps, &pps, &idr}) {
    f.data.insert(f.data.end(), {0, 0, 0, 1});
    f.data.insert(f.data.end(), nal->begin(), nal->end());
  }
  H264Packetizer p;
  packetize_frame(state, p, f);
}
BENCHMARK(BM_PacketizeH264Keyframe30K);

}  // namespace

BENCHMARK_MAIN();
