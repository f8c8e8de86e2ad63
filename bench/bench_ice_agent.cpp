// IceAgent costs: answering one connectivity/consent check (the per-request work a busy server does for every
// peer every few seconds), and a whole back-to-back ICE connection of two agents (gather, check, nominate).
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "ice/ice_agent.hpp"
#include "ice/stun_writer.hpp"

namespace {

using namespace medley;
using namespace medley::ice;

constexpr const char* kPwdA = "aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPwdB = "bbbbbbbbbbbbbbbbbbbbbbbb";

TransportAddress addr(const char* s) { return *TransportAddress::parse_with_port(s); }

IceAgentConfig config(const char* ufrag, const char* pwd, IceRole role, uint64_t tie, TransportAddress host) {
  IceAgentConfig c;
  c.local = {ufrag, pwd};
  c.role = role;
  c.tie_breaker = tie;
  c.random_seed.fill(static_cast<uint8_t>(tie));
  c.host_addresses = {host};
  return c;
}

void BM_AnswerCheck(benchmark::State& state) {
  const auto local = addr("10.0.0.1:4000");
  const auto peer = addr("10.0.0.2:5000");
  IceAgent agent(config("ufA1", kPwdA, IceRole::Controlled, 1, local));
  IceOutput out;
  agent.set_remote_credentials("ufB1", kPwdB);
  agent.start(base::Timestamp::millis(0), out);
  agent.add_remote_candidate(base::Timestamp::millis(0), "candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host", out);
  std::array<uint8_t, 256> buf{};
  StunBindingRequestParams p;
  p.username = "ufA1:ufB1";
  p.priority = 0x6e7fffff;
  p.controlling = true;
  p.tie_breaker = 2;
  auto req = write_binding_request(buf, StunTransactionId{}, p, StunIntegrityKey::short_term(kPwdA));
  base::Timestamp now = base::Timestamp::millis(1);
  for (auto _ : state) {
    out.clear();
    auto r = agent.handle_stun(now, local, peer, *req, out);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnswerCheck);

void BM_ConnectBackToBack(benchmark::State& state) {
  const auto ha = addr("10.0.0.1:4000");
  const auto hb = addr("10.0.0.2:5000");
  for (auto _ : state) {
    IceAgent a(config("ufA1", kPwdA, IceRole::Controlling, 1, ha));
    IceAgent b(config("ufB1", kPwdB, IceRole::Controlled, 2, hb));
    IceOutput oa, ob;
    base::Timestamp now = base::Timestamp::millis(1);
    a.set_remote_credentials("ufB1", kPwdB);
    b.set_remote_credentials("ufA1", kPwdA);
    a.start(now, oa);
    b.start(now, ob);
    a.add_remote_candidate(now, "candidate:2 1 udp 2130706431 10.0.0.2 5000 typ host", oa);
    b.add_remote_candidate(now, "candidate:1 1 udp 2130706431 10.0.0.1 4000 typ host", ob);
    while (!(a.state() == IceState::Ready && b.state() == IceState::Ready)) {
      now = std::max(now, base::earliest(a.next_timeout(), b.next_timeout()));
      a.handle_timeout(now, oa);
      b.handle_timeout(now, ob);
      while (!oa.transmits.empty() || !ob.transmits.empty()) {
        std::vector<Transmit> ta(oa.transmits.begin(), oa.transmits.end());
        std::vector<Transmit> tb(ob.transmits.begin(), ob.transmits.end());
        oa.clear();
        ob.clear();
        for (auto& t : ta) b.handle_stun(now, t.remote, t.local, t.bytes, ob);
        for (auto& t : tb) a.handle_stun(now, t.remote, t.local, t.bytes, oa);
      }
      oa.clear();
      ob.clear();
    }
    benchmark::DoNotOptimize(a.selected_pair());
  }
}
BENCHMARK(BM_ConnectBackToBack)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
