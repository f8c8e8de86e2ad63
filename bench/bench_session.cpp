// WebRtcEndpoint session cost: (1) set-up, CPU per session for a complete WebRTC connection between two medley
// sessions on loopback (offer/answer through rtp::negotiation, ICE checks and nomination, DTLS handshake, SRTP
// keys, sinks and routers; both sides' CPU counted, divided by two); (2) memory per idle endpoint: sessions with
// an installed answer (ICE agent, DTLS transport, routers), no peer, heap bytes per session (mallinfo2) and RSS.
// Issue 4's targets: set-up <= 2 ms of CPU per session; an idle endpoint <= 256 KiB.
//
// Run: build/hr/bench/bench_session   (counters: cpu_us_per_session, heap_bytes_per_session, rss_bytes_per_session)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"
#include "rtp/negotiation/generate_offer.hpp"
#include "rtp/negotiation/process_offer.hpp"
#include "server/media/media_port.hpp"
#include "server/media/webrtc_session.hpp"
#include "server/runtime.hpp"

using namespace medley;
using namespace medley::server;
namespace neg = rtp::negotiation;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_session: %s\n", why.c_str());
  std::abort();
}

double process_cpu_us() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

struct World {
  Runtime runtime{1};
  std::unique_ptr<media::MediaPort> port;
  std::unique_ptr<media::MediaPort> port_b;  // the other end of a pair: one port cannot talk to itself
  std::shared_ptr<const ice::DtlsContext> dtls;
  uint64_t seed = 42;

  World() {
    auto p = media::MediaPort::open(runtime.io(), {*ice::TransportAddress::parse("127.0.0.1", 0)});
    if (!p) std::abort();
    port = std::move(*p);
    auto q = media::MediaPort::open(runtime.io(), {*ice::TransportAddress::parse("127.0.0.1", 0)});
    if (!q) std::abort();
    port_b = std::move(*q);
    auto cert = ice::Certificate::generate();
    auto ctx = ice::DtlsContext::create(*cert);
    dtls = *ctx;
    runtime.start();
  }
  ~World() {
    port.reset();
    port_b.reset();
    runtime.shutdown(std::chrono::seconds(2));
  }
};

World& world() {
  static World w;
  return w;
}

neg::TransportParams transport_of(const media::WebRtcSession& s, const ice::DtlsContext& dtls) {
  neg::TransportParams t;
  t.ice_ufrag = s.credentials().ufrag;
  t.ice_pwd = s.credentials().pwd;
  t.fingerprint = dtls.certificate().fingerprint_sha256_string();
  return t;
}

const std::vector<neg::OfferSection> kSections = {{neg::MediaKind::Audio, rtp::sdp::Direction::SendRecv},
                                                  {neg::MediaKind::Video, rtp::sdp::Direction::SendRecv},
                                                  {neg::MediaKind::Data, rtp::sdp::Direction::SendRecv}};

// Two sessions, connected to each other through the real port: returns when both report DTLS connected.
struct Pair {
  std::mutex mu;
  std::condition_variable cv;
  int connected = 0;
  std::shared_ptr<media::WebRtcSession> a, b;
};

void connect_pair(World& w, Pair& p) {
  auto strand = boost::asio::make_strand(w.runtime.io());
  auto events_for = [&p](bool is_a) {
    return [&p, is_a](const std::string& type, nlohmann::json fields) {
      if (std::getenv("BENCH_TRACE")) std::fprintf(stderr, "%c %s %s\n", is_a ? 'A' : 'B', type.c_str(), fields.dump().c_str());
      if (type == "IceCandidateFound") {
        auto other = is_a ? p.b : p.a;
        other->add_remote_candidate(fields["candidate"]["candidate"].get<std::string>());
      } else if (type == "ConnectionStateChanged" && fields["newState"] == "CONNECTED") {
        std::lock_guard lock(p.mu);
        ++p.connected;
        p.cv.notify_all();
      }
    };
  };
  media::WebRtcSessionConfig cfg;
  cfg.allow_loopback = true;
  p.a = std::make_shared<media::WebRtcSession>(strand, *w.port, w.dtls, cfg, events_for(true), w.seed++);
  p.b = std::make_shared<media::WebRtcSession>(strand, *w.port_b, w.dtls, cfg, events_for(false), w.seed++);
  p.a->open();
  p.b->open();
  neg::TransportParams ta = transport_of(*p.a, *w.dtls);
  ta.answer_setup = rtp::sdp::SetupRole::ActPass;
  auto offer = neg::generate_offer(neg::LocalCapabilities::defaults(), ta, {.seed = w.seed++}, kSections);
  if (!offer) die("generate_offer: " + offer.error().reason);
  auto answer = neg::process_offer(offer->sdp, neg::LocalCapabilities::defaults(), transport_of(*p.b, *w.dtls),
                                   {.seed = w.seed++});
  if (!answer) die("process_offer: " + answer.error().reason);
  auto session_a = neg::process_answer(answer->sdp, offer->state);
  if (!session_a) die("process_answer: " + session_a.error().reason);
  p.b->install(std::move(answer->session), false);
  p.a->install(std::move(*session_a), true);
  p.a->gather_candidates();
  p.b->gather_candidates();
  std::unique_lock lock(p.mu);
  if (!p.cv.wait_for(lock, std::chrono::seconds(10), [&] { return p.connected == 2; })) die("no connection in 10 s");
}

void BM_SessionSetup(benchmark::State& state) {
  World& w = world();
  double cpu = 0;
  int64_t sessions = 0;
  for (auto _ : state) {
    Pair p;
    const double c0 = process_cpu_us();
    connect_pair(w, p);
    cpu += process_cpu_us() - c0;
    sessions += 2;
    p.a->close();
    p.b->close();
  }
  state.counters["cpu_us_per_session"] = cpu / static_cast<double>(sessions);
  state.SetItemsProcessed(sessions);
}
BENCHMARK(BM_SessionSetup)->Iterations(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IdleEndpointMemory(benchmark::State& state) {
  World& w = world();
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::vector<std::shared_ptr<media::WebRtcSession>> sessions;
    sessions.reserve(static_cast<size_t>(n));
    auto strand = boost::asio::make_strand(w.runtime.io());
    const auto heap0 = mallinfo2().uordblks;
    const long rss0 = rss_bytes();
    for (int i = 0; i < n; ++i) {
      auto s = std::make_shared<media::WebRtcSession>(strand, *w.port, w.dtls, media::WebRtcSessionConfig{},
                                                      nullptr, w.seed++);
      s->open();
      neg::TransportParams ta;
      ta.ice_ufrag = "remoteufrag";
      ta.ice_pwd = "remotepasswordremotepassword";
      ta.fingerprint = w.dtls->certificate().fingerprint_sha256_string();
      ta.answer_setup = rtp::sdp::SetupRole::ActPass;
      auto offer = neg::generate_offer(neg::LocalCapabilities::defaults(), ta, {.seed = w.seed++}, kSections);
      auto answer = neg::process_offer(offer->sdp, neg::LocalCapabilities::defaults(), transport_of(*s, *w.dtls),
                                       {.seed = w.seed++});
      s->install(std::move(answer->session), false);
      sessions.push_back(std::move(s));
    }
    // Let the strand run every install.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    boost::asio::post(strand, [&] {
      std::lock_guard lock(mu);
      done = true;
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
    state.counters["heap_bytes_per_session"] =
        static_cast<double>(mallinfo2().uordblks - heap0) / static_cast<double>(n);
    state.counters["rss_bytes_per_session"] = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
    lock.unlock();
    for (auto& s : sessions) s->close();
  }
}
BENCHMARK(BM_IdleEndpointMemory)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
