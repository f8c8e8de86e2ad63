// Benchmarks for RTP packets: parse (video 1200 B with 4 extensions, audio 100 B), typed and raw extension
// lookups, writing a packet, in-place header rewriting. Target: parse <= 20 ns/packet (see the per_pkt column, CPU time).
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <vector>

#include "rtp/packet.hpp"

using namespace medley;
using namespace medley::rtp;

namespace {

// The ids libwebrtc offers for video and audio.
ExtensionMap webrtc_map() {
  ExtensionMap m;
  m.register_uri(1, uri::kTransmissionOffset);
  m.register_uri(2, uri::kAbsSendTime);
  m.register_uri(3, uri::kVideoOrientation);
  m.register_uri(4, uri::kTransportSequenceNumber);
  m.register_uri(5, uri::kPlayoutDelay);
  m.register_uri(6, uri::kVideoContentType);
  m.register_uri(7, uri::kVideoTiming);
  m.register_uri(9, uri::kMid);
  m.register_uri(10, uri::kRid);
  m.register_uri(11, uri::kRepairedRid);
  m.register_uri(14, uri::kAudioLevel);
  return m;
}

std::vector<uint8_t> video_packet(const ExtensionMap& map) {
  std::vector<uint8_t> out(1200);
  RtpPacketWriter w(out);
  w.set_payload_type(PayloadType(96));
  w.set_sequence_number(4711);
  w.set_timestamp(90000);
  w.set_ssrc(Ssrc(0x12345678));
  w.add<ext::AbsSendTime>(map, 0x9F821B);
  w.add<ext::TransportSequenceNumber>(map, 68);
  w.add<ext::Mid>(map, "0");
  w.add<ext::VideoOrientation>(map, VideoOrientation{});
  auto space = w.payload_space();
  std::memset(space.data(), 0x5A, space.size());
  out.resize(*w.finish_in_place(space.size()));
  return out;
}

std::vector<uint8_t> audio_packet(const ExtensionMap& map) {
  std::vector<uint8_t> out(100);
  RtpPacketWriter w(out);
  w.set_payload_type(PayloadType(111));
  w.set_sequence_number(3532);
  w.set_timestamp(960);
  w.set_ssrc(Ssrc(0x4A1C9197));
  w.add<ext::AbsSendTime>(map, 0x9E0721);
  w.add<ext::TransportSequenceNumber>(map, 1);
  w.add<ext::AudioLevel>(map, AudioLevel{true, 15});
  auto space = w.payload_space();
  std::memset(space.data(), 0x33, space.size());
  out.resize(*w.finish_in_place(space.size()));
  return out;
}

void per_packet(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  // Seconds per packet of CPU time, printed with an SI prefix (e.g. 9.5n = 9.5 ns).
  state.counters["per_pkt"] =
      benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ParseVideo1200With4Ext(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pkt.data());
    auto v = RtpPacketView::parse(pkt, map);
    benchmark::DoNotOptimize(v);
  }
  per_packet(state);
}
BENCHMARK(BM_ParseVideo1200With4Ext);

void BM_ParseAudio100With3Ext(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = audio_packet(map);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pkt.data());
    auto v = RtpPacketView::parse(pkt, map);
    benchmark::DoNotOptimize(v);
  }
  per_packet(state);
}
BENCHMARK(BM_ParseAudio100With3Ext);

// What ingress does per packet: parse, then read the fields a receive stream and TWCC need.
void BM_ParseAndReadTwccAstMid(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pkt.data());
    auto v = RtpPacketView::parse(pkt, map);
    auto tsn = v->transport_sequence_number();
    auto ast = v->abs_send_time();
    auto mid = v->mid();
    benchmark::DoNotOptimize(tsn);
    benchmark::DoNotOptimize(ast);
    benchmark::DoNotOptimize(mid);
  }
  per_packet(state);
}
BENCHMARK(BM_ParseAndReadTwccAstMid);

void BM_TypedLookupTransportSeq(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  const auto v = RtpPacketView::parse(pkt, map);
  for (auto _ : state) {
    benchmark::DoNotOptimize(&v);
    auto tsn = v->transport_sequence_number();
    benchmark::DoNotOptimize(tsn);
  }
  per_packet(state);
}
BENCHMARK(BM_TypedLookupTransportSeq);

void BM_RawLookupByIdLastElement(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  const auto v = RtpPacketView::parse(pkt, map);
  for (auto _ : state) {
    benchmark::DoNotOptimize(&v);
    auto e = v->extension(uint8_t{3});  // video orientation, written last
    benchmark::DoNotOptimize(e);
  }
  per_packet(state);
}
BENCHMARK(BM_RawLookupByIdLastElement);

void BM_WriteVideo1200With4Ext(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const std::vector<uint8_t> payload(1150, 0x5A);
  std::vector<uint8_t> out(1500);
  uint16_t seq = 0;
  for (auto _ : state) {
    RtpPacketWriter w(out);
    w.set_payload_type(PayloadType(96));
    w.set_sequence_number(seq++);
    w.set_timestamp(90000);
    w.set_ssrc(Ssrc(0x12345678));
    w.add<ext::AbsSendTime>(map, 0x9F821B);
    w.add<ext::TransportSequenceNumber>(map, seq);
    w.add<ext::Mid>(map, "0");
    w.add<ext::VideoOrientation>(map, VideoOrientation{});
    auto n = w.finish(payload);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  per_packet(state);
}
BENCHMARK(BM_WriteVideo1200With4Ext);

// A forwarding sink's per-packet header work on its own copy: seq, ts, ssrc, PT and transport-wide seq.
void BM_RewriteSeqTsSsrcPtTwccInPlace(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  const auto layout = RtpPacketView::parse(pkt, map);
  std::vector<uint8_t> copy = pkt;
  uint16_t seq = 0;
  for (auto _ : state) {
    rewrite_sequence_number(copy, seq);
    rewrite_timestamp(copy, 3000u * seq);
    rewrite_ssrc(copy, Ssrc(0xCAFE));
    rewrite_payload_type(copy, PayloadType(100));
    rewrite_transport_sequence_number(copy, *layout, seq);
    ++seq;
    benchmark::ClobberMemory();
  }
  per_packet(state);
}
BENCHMARK(BM_RewriteSeqTsSsrcPtTwccInPlace);

// The same, including the copy of the shared packet into the sink's send buffer.
void BM_CopyAndRewrite1200(benchmark::State& state) {
  const ExtensionMap map = webrtc_map();
  const auto pkt = video_packet(map);
  const auto layout = RtpPacketView::parse(pkt, map);
  std::vector<uint8_t> out(1500);
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(out.data(), pkt.data(), pkt.size());
    base::MutableBytes copy(out.data(), pkt.size());
    rewrite_sequence_number(copy, seq);
    rewrite_timestamp(copy, 3000u * seq);
    rewrite_ssrc(copy, Ssrc(0xCAFE));
    rewrite_transport_sequence_number(copy, *layout, seq);
    ++seq;
    benchmark::ClobberMemory();
  }
  per_packet(state);
}
BENCHMARK(BM_CopyAndRewrite1200);

}  // namespace

BENCHMARK_MAIN();
