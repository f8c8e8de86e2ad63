// medley_loadgen: drives one WebRTC server (Medley, Janus, mediasoup or Pion) with real sessions (ICE, DTLS,
// SRTP) from our own stacks and measures what operators care about: forwarded packets per server CPU-second,
// one-way latency added on the way through it, memory per session and set-up rate. One thread, one io_context;
// the server's CPU and memory come from /proc (--server-pid). Prints a summary and writes JSON (--json).
//
//   medley_loadgen --server medley --url ws://10.77.0.1:8888/kurento --ip 10.77.0.1 --server-pid PID
//       --scenario fanout --subscribers 100 --json out.json
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bench/loadgen/client_session.hpp"
#include "bench/loadgen/metrics.hpp"
#include "bench/loadgen/signaling.hpp"
#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"

namespace ml = medley::loadgen;
namespace asio = boost::asio;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string server = "medley";
  std::string url = "ws://127.0.0.1:8888/kurento";
  std::string ip = "127.0.0.1";
  int server_pid = 0;
  std::string scenario = "fanout";
  int subscribers = 10;
  int sessions = 10;
  double duration = 15;
  double warmup = 3;
  std::string srtp = "aes-cm";
  int setup_concurrency = 8;
  uint32_t latency_sample = 1;
  std::string json_path;
  ml::MediaConfig media;
  uint64_t seed = 1;
};

struct Peer {
  std::unique_ptr<ml::ClientSession> session;
  std::unique_ptr<ml::SessionSignaling> signaling;
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

class Run {
 public:
  Run(asio::io_context& io, Options o) : io_(io), o_(std::move(o)) {}

  asio::awaitable<void> main() {
    auto cert = medley::ice::Certificate::generate();
    if (!cert) throw std::runtime_error("certificate: " + cert.error());
    const char* profiles = o_.srtp == "gcm" ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
    auto ctx = medley::ice::DtlsContext::create(*cert, profiles);
    if (!ctx) throw std::runtime_error("DTLS context: " + ctx.error());
    dtls_ = *ctx;
    const auto kind = ml::parse_server_kind(o_.server);
    driver_ = ml::make_server_driver(io_, {.kind = kind, .url = o_.url});
    co_await driver_->open();
    // Idle server with its control connection: what every session adds is measured against this.
    co_await sleep_for(std::chrono::milliseconds(300));
    base_ = usage();

    int count = 0;
    if (o_.scenario == "fanout") {
      auto pub = std::make_unique<Peer>();
      pub->session = make_session(true, false);
      pub->signaling = co_await driver_->publisher();
      co_await exchange(*pub);
      co_await pub->session->wait_connected(std::chrono::seconds(15));
      srtp_profile_ = pub->session->srtp_profile();
      pub->session->start_media();
      publishers_.push_back(std::move(pub));
      // Media flows before the subscribers come, as in a live room.
      co_await sleep_for(std::chrono::milliseconds(500));
      count = o_.subscribers;
      co_await setup_all(count, false);
    } else if (o_.scenario == "echo") {
      if (!driver_->supports_echo()) throw std::runtime_error(o_.server + " has no echo service");
      count = o_.sessions;
      co_await setup_all(count, true);
    } else {
      throw std::runtime_error("unknown scenario " + o_.scenario);
    }
    if (peers_.empty()) throw std::runtime_error("no session could be set up");

    co_await sleep_for(std::chrono::milliseconds(static_cast<int64_t>(o_.warmup * 1000)));
    const ml::ProcessUsage loaded = usage();
    const uint64_t rx0 = totals_.rtp_received, bytes0 = totals_.bytes_received, tx0 = totals_.rtp_sent;
    const uint64_t txb0 = tx_bytes();
    const auto [expected0, received0] = stream_counts();
    const double self0 = self_cpu_seconds();
    totals_.latency.clear();
    totals_.measure_latency = true;
    const auto t0 = Clock::now();
    co_await sleep_for(std::chrono::milliseconds(static_cast<int64_t>(o_.duration * 1000)));
    const auto t1 = Clock::now();
    const ml::ProcessUsage end = usage();
    totals_.measure_latency = false;
    const double window = std::chrono::duration<double>(t1 - t0).count();
    const uint64_t rx = totals_.rtp_received - rx0, bytes = totals_.bytes_received - bytes0;
    const double cpu = end.cpu_seconds - loaded.cpu_seconds;
    const double self_cpu = self_cpu_seconds() - self0;
    // Loss inside the window only: what the sequence numbers say was sent to the receivers, and what came.
    const auto [expected1, received1] = stream_counts();
    const uint64_t expected = expected1 - expected0, received = received1 - received0;
    uint64_t socket_drops = 0;
    for (const auto& p : peers_) socket_drops += p->session->socket_drops();
    // Set-up CPU without the forwarding that ran meanwhile (media to those already connected), at the window's
    // cost per forwarded packet.
    if (cpu > 0 && rx > 0 && setup_count_ > 0) {
      const double net = setup_cpu_s_ - static_cast<double>(setup_forwarded_) * cpu / static_cast<double>(rx);
      setup_["server_cpu_ms_per_setup"] = std::max(0.0, net) * 1000 / static_cast<double>(setup_count_);
    }
    const size_t senders = o_.scenario == "echo" ? peers_.size() : publishers_.size();
    const size_t sessions = peers_.size() + publishers_.size();
    result_ = {
        {"server", o_.server},
        {"scenario", o_.scenario},
        {"srtp", o_.srtp},
        {"srtp_profile", srtp_profile_},
        {"publishers", senders},
        {"subscribers", o_.scenario == "echo" ? 0 : peers_.size()},
        {"sessions", sessions},
        {"publisher_kbps", senders ? (tx_bytes() - txb0) * 8.0 / window / 1000.0 / static_cast<double>(senders) : 0},
        {"duration_s", window},
        {"packets_sent", totals_.rtp_sent - tx0},
        {"packets_forwarded", rx},
        {"bytes_forwarded", bytes},
        {"loss_pct", expected ? 100.0 * (1.0 - static_cast<double>(received) / static_cast<double>(expected)) : 0},
        {"server_cpu_s", cpu},
        {"server_cpu_pct", 100.0 * cpu / window},
        {"forwarded_per_cpu_s", cpu > 0 ? static_cast<double>(rx) / cpu : 0},
        {"mbit_per_cpu_s", cpu > 0 ? static_cast<double>(bytes) * 8 / 1e6 / cpu : 0},
        {"latency_us",
         {{"p50", totals_.latency.quantile(0.5)},
          {"p90", totals_.latency.quantile(0.9)},
          {"p99", totals_.latency.quantile(0.99)},
          {"max", totals_.latency.max()},
          {"samples", totals_.latency.count()}}},
        {"rss_base_bytes", base_.rss_bytes},
        {"rss_bytes", loaded.rss_bytes},
        {"rss_per_session_bytes",
         sessions ? (static_cast<double>(loaded.rss_bytes) - static_cast<double>(base_.rss_bytes)) /
                        static_cast<double>(sessions)
                  : 0},
        {"setup", setup_},
        {"keyframe_requests", totals_.keyframe_requests},
        {"sessions_requested", (o_.scenario == "echo" ? o_.sessions : o_.subscribers) + publishers_.size()},
        {"loadgen_cpu_pct", 100.0 * self_cpu / window},
        {"loadgen_socket_drops", socket_drops},
        {"padding_received", totals_.padding_received},
        {"unexpected_pt", totals_.unexpected_pt},
        {"send_failures", totals_.send_failures},
        {"srtp_errors", totals_.srtp_errors},
        {"trailer_missing", totals_.trailer_missing},
        {"errors", errors_},
    };

    for (auto& p : publishers_) p->session->stop();
    for (auto& p : peers_) p->session->stop();
    for (auto& list : {&publishers_, &peers_}) {
      for (auto& p : *list) {
        try {
          co_await p->signaling->close();
        } catch (const std::exception& e) {
          errors_.push_back(std::string("close: ") + e.what());
        }
      }
    }
    try {
      co_await driver_->close();
    } catch (const std::exception& e) {
      errors_.push_back(std::string("driver close: ") + e.what());
    }
    result_["errors"] = errors_;
  }

  const Json& result() const { return result_; }

 private:
  ml::ProcessUsage usage() const { return o_.server_pid > 0 ? ml::process_tree_usage(o_.server_pid) : ml::ProcessUsage{}; }

  uint64_t tx_bytes() const { return totals_.bytes_sent; }

  std::pair<uint64_t, uint64_t> stream_counts() const {
    uint64_t expected = 0, received = 0;
    for (const auto& p : peers_) {
      expected += p->session->expected();
      received += p->session->received();
    }
    return {expected, received};
  }

  static double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }

  std::unique_ptr<ml::ClientSession> make_session(bool send, bool receive) {
    ml::ClientSessionConfig c;
    c.ip = *medley::ice::TransportAddress::parse(o_.ip, 0);
    c.dtls = dtls_;
    c.send = send;
    c.receive = receive;
    c.media = o_.media;
    c.latency_sample_every = o_.latency_sample;
    c.seed = o_.seed * 1000003 + next_seed_++;
    return std::make_unique<ml::ClientSession>(io_, c, totals_);
  }

  // Not a coroutine: g++ 12 destroys lambda temporaries made inside a coroutine body twice.
  static void route_candidates(Peer& p) {
    auto* s = p.session.get();
    p.signaling->on_remote_candidate = [s](const std::string& c) { s->add_remote_candidate(c); };
  }

  static asio::awaitable<void> exchange(Peer& p) {
    auto* s = p.session.get();
    route_candidates(p);
    if (p.signaling->server_offers()) {
      const std::string offer = co_await p.signaling->request_offer();
      co_await p.signaling->answer(s->accept_offer(offer));
    } else {
      s->set_answer(co_await p.signaling->offer(s->create_offer()));
    }
  }

  // Runs `work`; the last of `running` to finish cancels `done`. Not a coroutine (see route_candidates).
  void spawn_counted(asio::awaitable<void> work, int& running, asio::steady_timer& done) {
    asio::co_spawn(io_, std::move(work), [&running, &done](std::exception_ptr) {
      if (--running == 0) done.cancel();
    });
  }

  struct SetupState {
    int count = 0;
    bool echo = false;
    int next = 0;
    int running = 0;
    int failed = 0;
    std::vector<double> times;  // ms, from the first request to DTLS connected
  };

  static double percentile(const std::vector<double>& sorted, double q) {
    return sorted.empty() ? 0.0 : sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
  }

  // One of setup_concurrency workers: takes the next session to set up until none is left.
  asio::awaitable<void> setup_worker(SetupState& st) {
    while (st.next < st.count) {
      ++st.next;
      auto peer = std::make_unique<Peer>();
      const auto s0 = Clock::now();
      const int64_t s0_us = std::chrono::duration_cast<std::chrono::microseconds>(s0.time_since_epoch()).count();
      try {
        peer->session = make_session(st.echo, true);
        if (st.echo) {
          peer->signaling = co_await driver_->echo();
        } else {
          peer->signaling = co_await driver_->subscriber();
        }
        co_await exchange(*peer);
        co_await peer->session->wait_connected(std::chrono::seconds(20));
        st.times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s0).count());
        if (trace_) {
          const auto& m = peer->session->milestones();
          std::fprintf(stderr, "set-up %d: sdp %.1f ms, candidate %.1f, selected %.1f, dtls %.1f\n", st.next,
                       (m.installed - s0_us) / 1e3, (m.first_remote_candidate - s0_us) / 1e3,
                       (m.selected - s0_us) / 1e3, (m.connected - s0_us) / 1e3);
        }
        if (srtp_profile_.empty()) srtp_profile_ = peer->session->srtp_profile();
        if (st.echo) peer->session->start_media();
        peers_.push_back(std::move(peer));
      } catch (const std::exception& e) {
        ++st.failed;
        if (errors_.size() < 20) errors_.push_back(std::string("set-up: ") + e.what());
        if (peer->session) peer->session->stop();
        failed_.push_back(std::move(peer));
      }
    }
  }

  // Sets up `count` sessions, setup_concurrency at a time; times each from its first request to DTLS connected.
  asio::awaitable<void> setup_all(int count, bool echo) {
    const ml::ProcessUsage u0 = usage();
    const uint64_t rx0 = totals_.rtp_received;
    const auto t0 = Clock::now();
    SetupState st;
    st.count = count;
    st.echo = echo;
    asio::steady_timer done(io_);
    done.expires_at(Clock::time_point::max());
    const int workers = std::max(1, std::min(o_.setup_concurrency, count));
    st.running = workers;
    for (int i = 0; i < workers; ++i) spawn_counted(setup_worker(st), st.running, done);
    boost::system::error_code ec;
    co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = usage().cpu_seconds - u0.cpu_seconds;
    setup_cpu_s_ = cpu;
    setup_forwarded_ = totals_.rtp_received - rx0;
    setup_count_ = st.times.size();
    // What failed is released on the server too, so it costs the others neither CPU nor memory.
    for (auto& p : failed_) {
      if (!p->signaling) continue;
      try {
        co_await p->signaling->close();
      } catch (const std::exception& e) {
        if (errors_.size() < 20) errors_.push_back(std::string("close after a failed set-up: ") + e.what());
      }
    }
    std::sort(st.times.begin(), st.times.end());
    const double n = static_cast<double>(st.times.size());
    setup_ = {{"count", st.times.size()},
              {"failed", st.failed},
              {"concurrency", workers},
              {"wall_s", wall},
              {"per_s", wall > 0 ? n / wall : 0},
              {"server_cpu_ms_per_setup", n > 0 ? cpu * 1000 / n : 0},  // net of forwarding once known
              {"server_cpu_ms_per_setup_raw", n > 0 ? cpu * 1000 / n : 0},
              {"ms_p50", percentile(st.times, 0.5)},
              {"ms_p99", percentile(st.times, 0.99)}};
  }

  asio::io_context& io_;
  Options o_;
  std::shared_ptr<const medley::ice::DtlsContext> dtls_;
  std::unique_ptr<ml::ServerDriver> driver_;
  ml::Totals totals_;
  ml::ProcessUsage base_;
  std::vector<std::unique_ptr<Peer>> publishers_, peers_, failed_;
  std::string srtp_profile_;
  Json setup_ = Json::object();
  Json result_;
  std::vector<std::string> errors_;
  uint64_t next_seed_ = 1;
  double setup_cpu_s_ = 0;
  uint64_t setup_forwarded_ = 0;
  size_t setup_count_ = 0;
  const bool trace_ = std::getenv("LOADGEN_TRACE") != nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"medley_loadgen: WebRTC load against Medley, Janus, mediasoup or Pion"};
  app.add_option("--server", o.server, "medley | janus | mediasoup | pion")->required();
  app.add_option("--url", o.url, "Signaling URL (ws://IP:PORT/PATH)")->required();
  app.add_option("--ip", o.ip, "Local IPv4 address for the sessions' sockets");
  app.add_option("--server-pid", o.server_pid, "PID of the server (CPU and RSS of it and its descendants)");
  app.add_option("--scenario", o.scenario, "fanout (1 publisher to --subscribers) | echo (--sessions loops)");
  app.add_option("--subscribers", o.subscribers, "Subscribers in fanout");
  app.add_option("--sessions", o.sessions, "Sessions in echo");
  app.add_option("--duration", o.duration, "Measurement window, seconds");
  app.add_option("--warmup", o.warmup, "Seconds between the last set-up and the window");
  app.add_option("--srtp", o.srtp, "aes-cm (SRTP_AES128_CM_SHA1_80) | gcm (SRTP_AEAD_AES_128_GCM)")
      ->check(CLI::IsMember({"aes-cm", "gcm"}));
  app.add_option("--setup-concurrency", o.setup_concurrency, "Sessions set up at once");
  app.add_option("--latency-sample", o.latency_sample, "Decrypt one media packet in N for latency")
      ->check(CLI::Range(1u, 1000000u));
  app.add_option("--video-kbps", o.media.video_kbps, "Video payload rate, kbit/s");
  app.add_option("--packet-size", o.media.packet_size, "Largest video RTP payload, bytes");
  app.add_option("--fps", o.media.fps, "Video frames per second")->check(CLI::Range(1u, 120u));
  bool no_audio = false;
  app.add_flag("--no-audio", no_audio, "Video only");
  app.add_option("--json", o.json_path, "Write the result here");
  app.add_option("--seed", o.seed, "Seed for ids and SSRCs");
  CLI11_PARSE(app, argc, argv);
  o.media.audio = !no_audio;

  // Timers fire on time (the default 50 µs slack would blur the pacer).
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  asio::io_context io(1);
  Run run(io, o);
  std::string failure;
  asio::co_spawn(io, run.main(), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        failure = ex.what();
      }
    }
    io.stop();
  });
  io.run();
  if (!failure.empty()) {
    std::fprintf(stderr, "medley_loadgen: %s: %s\n", o.server.c_str(), failure.c_str());
    return 1;
  }
  const Json& r = run.result();
  std::fprintf(stderr,
               "%s %s (%s): %zu sessions, %.0f packets forwarded per server CPU-second (%.2f Mbit/CPU-s), server "
               "CPU %.1f %%, latency p50 %.0f us p99 %.0f us, loss %.3f %%, RSS %.0f KiB/session, set-up %.1f/s\n",
               r["server"].get<std::string>().c_str(), r["scenario"].get<std::string>().c_str(),
               r["srtp_profile"].get<std::string>().c_str(), r["sessions"].get<size_t>(),
               r["forwarded_per_cpu_s"].get<double>(), r["mbit_per_cpu_s"].get<double>(),
               r["server_cpu_pct"].get<double>(), r["latency_us"]["p50"].get<double>(),
               r["latency_us"]["p99"].get<double>(), r["loss_pct"].get<double>(),
               r["rss_per_session_bytes"].get<double>() / 1024, r["setup"].value("per_s", 0.0));
  if (!o.json_path.empty()) {
    std::ofstream(o.json_path) << r.dump(2) << "\n";
  } else {
    std::cout << r.dump(2) << "\n";
  }
  return 0;
}
