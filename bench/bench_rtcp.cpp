// Benchmarks for RTCP: parsing typical compounds (SR+SDES, RR+REMB), a ~100-packet TWCC feedback, and building one.
#include <benchmark/benchmark.h>

#include <vector>

#include "rtp/rtcp/compound.hpp"
#include "rtp/rtcp/twcc_feedback_builder.hpp"

using namespace medley::rtp;
using namespace medley::rtp::rtcp;
using medley::base::ByteWriter;
using medley::base::Timestamp;

namespace {

std::vector<uint8_t> make(auto&& write) {
  std::vector<uint8_t> out(1500);
  ByteWriter w(out);
  write(w);
  out.resize(w.size());
  return out;
}

// 100 transport sequence numbers, 2 % lost, ~1 ms apart with jitter and an occasional large gap.
std::vector<TwccArrival> arrivals_100() {
  std::vector<TwccArrival> in;
  int64_t t = 10'000'000;
  uint32_t x = 1;
  for (uint16_t seq = 1000; in.size() < 100; ++seq) {
    x = x * 1103515245 + 12345;
    if ((x >> 16) % 50 == 0) continue;
    t += 500 + static_cast<int64_t>((x >> 8) % 1500) + ((x >> 24) % 40 == 0 ? 80'000 : 0);
    in.push_back({seq, Timestamp::micros(t)});
  }
  return in;
}

// Walks every packet and touches the decoded fields, as a receive path would.
uint64_t consume(const std::vector<uint8_t>& d, size_t& items) {
  uint64_t acc = 0;
  CompoundReader r(d);
  while (auto p = r.next()) {
    ++items;
    if (auto* sr = std::get_if<SenderReportView>(&*p)) {
      acc += sr->sender_info().ntp.compact();
      for (size_t i = 0; i < sr->report_count(); ++i) acc += sr->report_block(i).lsr;
    } else if (auto* rr = std::get_if<ReceiverReportView>(&*p)) {
      for (size_t i = 0; i < rr->report_count(); ++i) acc += rr->report_block(i).dlsr;
    } else if (auto* sdes = std::get_if<SdesView>(&*p)) {
      for (SdesChunkView c : *sdes) acc += c.cname().value_or("").size();
    } else if (auto* remb = std::get_if<RembView>(&*p)) {
      acc += remb->bitrate_bps();
    } else if (auto* tw = std::get_if<TwccFeedbackView>(&*p)) {
      for (const auto& s : *tw) {
        acc += static_cast<uint64_t>(s.arrival.us());
        ++items;
      }
    }
  }
  return acc;
}

void run_parse(benchmark::State& state, const std::vector<uint8_t>& d) {
  size_t items = 0;
  for (auto _ : state) benchmark::DoNotOptimize(consume(d, items));
  state.SetItemsProcessed(static_cast<int64_t>(items));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * d.size()));
}

void BM_ParseSrSdes(benchmark::State& state) {
  ReportBlock b{Ssrc(0xbc5e9a40), 3, 17, 0x146e1, 273, 0x9f36432, 150137};
  SenderInfo info{NtpTime{0xe8a1b2c3d4e5f607ull}, 123456, 1000, 1'200'000};
  auto d = make([&](ByteWriter& w) {
    write_sender_report(w, Ssrc(0x902f9e2e), info, std::span(&b, 1));
    write_sdes_cname(w, Ssrc(0x902f9e2e), "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}");
  });
  run_parse(state, d);
}
BENCHMARK(BM_ParseSrSdes);

void BM_ParseRrRemb(benchmark::State& state) {
  ReportBlock b{Ssrc(0xbc5e9a40), 3, 17, 0x146e1, 273, 0x9f36432, 150137};
  const Ssrc ssrcs[] = {Ssrc(0xbc5e9a40), Ssrc(0xbc5e9a41)};
  auto d = make([&](ByteWriter& w) {
    write_receiver_report(w, Ssrc(1), std::span(&b, 1));
    write_remb(w, Ssrc(1), 2'500'000, ssrcs);
  });
  run_parse(state, d);
}
BENCHMARK(BM_ParseRrRemb);

void BM_ParseTwcc100(benchmark::State& state) {
  auto in = arrivals_100();
  TwccFeedbackBuilder builder(Ssrc(1), Ssrc(2));
  auto d = make([&](ByteWriter& w) { builder.write(in, w); });
  run_parse(state, d);
  state.counters["bytes_per_feedback"] = static_cast<double>(d.size());
}
BENCHMARK(BM_ParseTwcc100);

void BM_BuildTwcc100(benchmark::State& state) {
  auto in = arrivals_100();
  TwccFeedbackBuilder builder(Ssrc(1), Ssrc(2));
  std::vector<uint8_t> out(1500);
  size_t packets = 0;
  for (auto _ : state) {
    ByteWriter w(out);
    std::span<const TwccArrival> rest = in;
    while (!rest.empty()) {
      size_t n = builder.write(rest, w);
      if (n == 0) break;
      rest = rest.subspan(n);
    }
    packets += in.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(packets));
}
BENCHMARK(BM_BuildTwcc100);

}  // namespace

BENCHMARK_MAIN();
