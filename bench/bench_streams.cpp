// Benchmarks for the per-packet stream state: ReceiveStream (unwrap, RFC 3550 stats, NACK bookkeeping),
// SendStream (SR counters + RTX buffer store) and RTX wrap. One iteration is one packet: ns/packet.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "rtp/packet_view.hpp"
#include "rtp/packet_writer.hpp"
#include "rtp/receive_stream.hpp"
#include "rtp/rtx.hpp"
#include "rtp/send_stream.hpp"

namespace {
using namespace medley;
using namespace medley::rtp;

std::vector<std::vector<uint8_t>> make_packets(size_t count, size_t payload) {
  std::vector<std::vector<uint8_t>> out;
  std::vector<uint8_t> body(payload, 0x5a);
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> buf(payload + 64);
    RtpPacketWriter w(buf);
    w.set_payload_type(PayloadType{96});
    w.set_sequence_number(static_cast<uint16_t>(i));
    w.set_timestamp(static_cast<uint32_t>(i / 5 * 3000));
    w.set_ssrc(Ssrc{0x1234});
    w.set_marker(i % 5 == 4);
    buf.resize(*w.finish(body));
    out.push_back(std::move(buf));
  }
  return out;
}

// lost_every: 0 for a clean stream, else one packet in lost_every never arrives (NACK list work included).
void BM_ReceiveStream(benchmark::State& state) {
  const auto lost_every = static_cast<size_t>(state.range(0));
  auto packets = make_packets(65536, 1200);
  ReceiveStream rs(ReceiveStreamConfig{.ssrc = Ssrc{0x1234}});
  std::vector<uint16_t> nacks;
  size_t i = 0;
  int64_t now_us = 0;
  for (auto _ : state) {
    const auto& p = packets[i % packets.size()];
    now_us += 200;
    const base::Timestamp now = base::Timestamp::micros(now_us);
    if (lost_every == 0 || i % lost_every != 0) {
      auto view = RtpPacketView::parse(p);
      benchmark::DoNotOptimize(rs.handle_packet(*view, now, false));
    }
    if ((i & 31) == 0) {  // feedback is polled per batch, not per packet
      nacks.clear();
      benchmark::DoNotOptimize(rs.poll_feedback(now, nacks));
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReceiveStream)->Arg(0)->Arg(100);

void BM_SendStreamStore(benchmark::State& state) {
  auto packets = make_packets(4096, 1200);
  base::BufferPool pool;
  std::vector<base::BufferRef> bufs;
  for (auto& p : packets) bufs.push_back(pool.copy_of(p));
  SendStream ss(SendStreamConfig{.ssrc = Ssrc{0x1234}, .rtx_ssrc = Ssrc{0x5678}, .rtx_payload_type = PayloadType{97}});
  size_t i = 0;
  for (auto _ : state) {
    const base::Timestamp now = base::Timestamp::micros(static_cast<int64_t>(i) * 200);
    ss.on_packet_sent(bufs[i % bufs.size()], now, now);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SendStreamStore);

void BM_RtxWrap(benchmark::State& state) {
  auto packets = make_packets(1, 1200);
  auto view = RtpPacketView::parse(packets[0]);
  std::array<uint8_t, 1500> out{};
  uint16_t seq = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rtx_wrap(*view, Ssrc{0x5678}, PayloadType{97}, seq++, out));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 1200);
}
BENCHMARK(BM_RtxWrap);

}  // namespace

BENCHMARK_MAIN();
