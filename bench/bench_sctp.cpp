// SCTP over usrsctp, two associations back to back in one process: data channel message throughput (one core
// doing both ends, so the figures are the cost of sender plus receiver), and a DCEP parse.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "ice/data_channel.hpp"
#include "ice/sctp_association.hpp"

namespace {

using namespace medley;
using namespace medley::ice;

struct Pair {
  SctpAssociation a{SctpConfig{}};
  SctpAssociation b{SctpConfig{}};
  base::Timestamp now = base::Timestamp::millis(1'000'000);
  std::vector<uint8_t> pkt;
  size_t received = 0;

  // Moves packets until both sides are quiet; counts messages arriving at b.
  void exchange() {
    for (;;) {
      bool moved = false;
      while (a.poll_transmit(pkt)) moved = true, b.handle_packet(now, pkt);
      while (b.poll_transmit(pkt)) moved = true, a.handle_packet(now, pkt);
      while (auto e = b.poll_event()) received += std::holds_alternative<SctpAssociation::MessageReceived>(*e);
      while (a.poll_event()) {
      }
      if (!moved) return;
    }
  }
  void tick() {
    now += base::Duration::millis(10);
    a.handle_timeout(now);
    b.handle_timeout(now);
    exchange();
  }
};

std::unique_ptr<Pair>& shared_pair() {
  static std::unique_ptr<Pair> p;
  if (!p) {
    p = std::make_unique<Pair>();
    p->a.start(p->now);
    p->b.start(p->now);
    p->exchange();
  }
  return p;
}

// One message of state.range(0) bytes from a to b per iteration, reliable and ordered.
void BM_SctpMessage(benchmark::State& state) {
  Pair& p = *shared_pair();
  if (p.a.state() != SctpAssociation::State::kConnected) {
    state.SkipWithError("not connected");
    return;
  }
  std::vector<uint8_t> msg(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    size_t before = p.received;
    if (p.a.send(1, ppid::kBinary, msg, true, {})) {
      state.SkipWithError("send refused");
      return;
    }
    p.exchange();
    while (p.received == before) p.tick();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SctpMessage)->Arg(100)->Arg(1100)->Arg(16 * 1024)->Arg(256 * 1024);

void BM_DcepParseOpen(benchmark::State& state) {
  auto open = write_dcep_open(DcepOpen{false, SctpReliability::max_retransmits(3), 256, "chat-room", "json"});
  for (auto _ : state) {
    auto m = parse_dcep(open);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_DcepParseOpen);

}  // namespace

BENCHMARK_MAIN();
