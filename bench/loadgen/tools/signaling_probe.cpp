// loadgen_signaling_probe: proves a server's signaling with real SDP (our negotiation code on both ends of each
// exchange): a publisher, one subscriber and an echo session where the server has one; no ICE, no media.
#include <utility>

// g++ 12 reports asio's coroutine frame allocator (its operator new/delete pair) as mismatched when a coroutine
// is inlined into another at -O1: a false positive of -Wmismatched-new-delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "bench/loadgen/signaling.hpp"
#include "ice/certificate.hpp"
#include "ice/demux.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"
#include "ice/ice_agent.hpp"
#include "ice/transport_address.hpp"
#include "rtp/negotiation/generate_offer.hpp"
#include "rtp/negotiation/local_capabilities.hpp"
#include "rtp/negotiation/process_offer.hpp"
#include "rtp/negotiation/transport_params.hpp"
#include "rtp/sdp/candidate.hpp"

namespace {

namespace asio = boost::asio;
namespace neg = medley::rtp::negotiation;
namespace sdp = medley::rtp::sdp;
using medley::loadgen::Awaitable;
using medley::loadgen::ServerKind;
using medley::loadgen::SessionSignaling;

struct ProbeConfig {
  std::string server;
  std::string url;
  std::string ip = "10.77.0.1";
  std::string dump_dir;
  double trickle_wait_s = 3.0;
  bool skip_subscriber = false;
  bool connect_publisher = false;
  int subscribers = 1;  // ICE+DTLS for the publisher (default for Janus, which needs it)
};

// ICE and DTLS (no media) for one client-offered session, for servers that wait for them: Janus offers a feed to
// subscribers only once its publisher's PeerConnection is up ("webrtcup"). Runs until stop().
class MiniPeer {
 public:
  MiniPeer(asio::ip::udp::socket& socket, std::shared_ptr<const medley::ice::DtlsContext> dtls_context)
      : socket_(socket), context_(std::move(dtls_context)), epoch_(std::chrono::steady_clock::now()) {}

  // Starts ICE as the controlling agent (we offered) with the server's SDP values; false when they are unusable.
  bool start(const neg::TransportParams& transport, const neg::NegotiatedSession& session, std::string& error) {
    namespace ice = medley::ice;
    if (session.remote.fingerprints.empty()) {
      error = "no fingerprint";
      return false;
    }
    const auto& rfp = session.remote.fingerprints.front();
    auto algorithm = ice::fingerprint_algorithm_from_name(rfp.hash_function);
    if (!algorithm) {
      error = "fingerprint algorithm " + rfp.hash_function;
      return false;
    }
    ice::IceAgentConfig cfg;
    cfg.local = {transport.ice_ufrag, transport.ice_pwd};
    cfg.role = ice::IceRole::Controlling;
    cfg.tie_breaker = 0x1234567890abcdefULL;
    for (size_t i = 0; i < cfg.random_seed.size(); ++i) cfg.random_seed[i] = static_cast<uint8_t>(i * 37 + 11);
    auto local = socket_.local_endpoint();
    local_ = *ice::TransportAddress::parse(local.address().to_string(), local.port());
    cfg.host_addresses = {local_};
    agent_.emplace(cfg);
    agent_->set_remote_credentials(session.remote.ice_ufrag, session.remote.ice_pwd);
    ice::DtlsTransportConfig dcfg;
    dcfg.role = session.dtls_role == neg::DtlsRole::Client ? ice::DtlsRole::Client : ice::DtlsRole::Server;
    dcfg.remote_fingerprint = ice::Fingerprint{*algorithm, rfp.bytes};
    dtls_.emplace(context_, dcfg);
    auto t = now();
    agent_->start(t, ice_out_);
    dtls_->start(t, dtls_out_);
    for (const auto& c : session.remote.candidates) agent_->add_remote_candidate(t, c.to_string(), ice_out_);
    agent_->end_of_candidates(t, ice_out_);
    drain(t);
    return true;
  }

  // Runs the receive loop and the timers until DTLS is up, fails or `limit` passes; keeps running afterwards
  // (consent checks) until stop().
  Awaitable<std::string> connect(std::chrono::milliseconds limit) {
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, receive_loop(), asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!connected_ && failure_.empty() && std::chrono::steady_clock::now() < deadline) {
      co_await tick();
    }
    if (connected_) {
      asio::co_spawn(executor, keep_alive(), asio::detached);
      co_return std::string();
    }
    stopped_ = true;
    co_return failure_.empty() ? std::string("no DTLS connection within the limit") : failure_;
  }

  void stop() {
    stopped_ = true;
    socket_.cancel();
  }

 private:
  medley::base::Timestamp now() const {
    return medley::base::Timestamp::micros(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - epoch_).count());
  }

  Awaitable<void> tick() {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
    auto t = now();
    if (agent_->next_timeout() <= t) agent_->handle_timeout(t, ice_out_);
    if (dtls_->next_timeout() <= t) dtls_->handle_timeout(t, dtls_out_);
    drain(t);
  }

  Awaitable<void> keep_alive() {
    while (!stopped_) co_await tick();
  }

  Awaitable<void> receive_loop() {
    std::vector<uint8_t> buffer(2048);
    asio::ip::udp::endpoint from;
    while (!stopped_) {
      size_t n = 0;
      try {
        n = co_await socket_.async_receive_from(asio::buffer(buffer), from, asio::use_awaitable);
      } catch (const boost::system::system_error&) {
        co_return;
      }
      auto t = now();
      medley::base::Bytes bytes(buffer.data(), n);
      auto remote = medley::ice::TransportAddress::parse(from.address().to_string(), from.port());
      if (!remote) continue;
      switch (medley::ice::classify_datagram(bytes)) {
        case medley::ice::DatagramKind::Stun:
          agent_->handle_stun(t, local_, *remote, bytes, ice_out_);
          break;
        case medley::ice::DatagramKind::Dtls:
          if (!remote_) remote_ = *remote;
          dtls_->handle_datagram(t, bytes, dtls_out_);
          break;
        default:
          break;  // media and RTCP: not needed
      }
      drain(t);
    }
  }

  void send_to(const medley::ice::TransportAddress& to, const std::vector<uint8_t>& bytes) {
    if (!to.is_ipv4()) return;
    asio::ip::address_v4::bytes_type ip;
    std::copy(to.address().begin(), to.address().end(), ip.begin());
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes), asio::ip::udp::endpoint(asio::ip::address_v4(ip), to.port()), 0, ec);
  }

  void drain(medley::base::Timestamp t) {
    namespace ice = medley::ice;
    for (auto& tx : ice_out_.transmits) send_to(tx.remote, tx.bytes);
    for (auto& e : ice_out_.events) {
      if (auto* selected = std::get_if<ice::SelectedPairChanged>(&e)) {
        remote_ = selected->remote.address;
      } else if (auto* st = std::get_if<ice::StateChanged>(&e)) {
        if (st->state == ice::IceState::Failed) failure_ = "ICE failed";
      }
    }
    ice_out_.clear();
    if (remote_ && dtls_->role() == ice::DtlsRole::Client && dtls_->state() == ice::DtlsTransport::State::New) {
      dtls_->start(t, dtls_out_);
    }
    for (auto& d : dtls_out_.datagrams) {
      if (remote_) send_to(*remote_, d);
    }
    for (auto& e : dtls_out_.events) {
      if (std::holds_alternative<ice::DtlsConnected>(e)) connected_ = true;
      if (auto* f = std::get_if<ice::DtlsFailed>(&e)) failure_ = "DTLS failed: " + f->reason;
    }
    dtls_out_.clear();
  }

  asio::ip::udp::socket& socket_;
  std::shared_ptr<const medley::ice::DtlsContext> context_;
  std::chrono::steady_clock::time_point epoch_;
  medley::ice::TransportAddress local_;
  std::optional<medley::ice::IceAgent> agent_;
  medley::ice::IceOutput ice_out_;
  std::optional<medley::ice::DtlsTransport> dtls_;
  medley::ice::DtlsOutbox dtls_out_;
  std::optional<medley::ice::TransportAddress> remote_;
  bool connected_ = false;
  bool stopped_ = false;
  std::string failure_;
};

struct Probe {
  ProbeConfig config;
  ServerKind kind = ServerKind::Medley;
  neg::LocalCapabilities caps;
  neg::TransportParams transport;
  uint64_t seed = 1;
  int failures = 0;
  asio::ip::udp::socket* socket = nullptr;
  std::shared_ptr<const medley::ice::DtlsContext> dtls_context;
  std::unique_ptr<MiniPeer> publisher_peer;  // when --connect-publisher
  bool quiet = false;                         // one line per exchange (concurrent subscribers)

  void fail(const std::string& what) {
    ++failures;
    std::printf("FAIL %s\n", what.c_str());
  }
};

// Lines of the raw SDP worth showing beside the negotiated view: what each server chose to say.
std::string sdp_notes(const std::string& text) {
  std::map<std::string, int> counts;
  std::vector<std::string> setups;
  bool lite = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "a=ice-lite") lite = true;
    if (line.rfind("a=setup:", 0) == 0) setups.push_back(line.substr(8));
    if (line.rfind("a=candidate:", 0) == 0) counts["candidates"]++;
    if (line == "a=end-of-candidates") counts["end-of-candidates"]++;
    if (line.rfind("a=ice-options:", 0) == 0) counts[line.substr(2)]++;
    if (line.rfind("a=msid-semantic", 0) == 0) counts[line.substr(2)]++;
    if (line.rfind("a=ssrc:", 0) == 0) counts["ssrc lines"]++;
    if (line.rfind("a=ssrc-group:", 0) == 0) counts["ssrc-groups"]++;
    if (line.rfind("b=", 0) == 0) counts[line]++;
  }
  std::string out = std::string("ice-lite=") + (lite ? "yes" : "no") + " setup=";
  for (size_t i = 0; i < setups.size(); ++i) out += (i ? "," : "") + setups[i];
  for (const auto& [k, v] : counts) out += " [" + k + "]x" + std::to_string(v);
  return out;
}

void print_session(const neg::NegotiatedSession& s, bool server_offered) {
  std::printf("  transport: our DTLS role %s (our a=setup:%s), server ice-lite=%s trickle=%s end-of-candidates=%s\n",
              s.dtls_role == neg::DtlsRole::Client ? "client" : "server",
              std::string(sdp::to_string(s.local_setup)).c_str(), s.remote.ice_lite ? "yes" : "no",
              s.remote.trickle ? "yes" : "no", s.remote.end_of_candidates ? "yes" : "no");
  std::printf("  %s candidates in the SDP: %zu\n", server_offered ? "offer" : "answer", s.remote.candidates.size());
  for (const auto& c : s.remote.candidates) {
    std::printf("    %s %s %s:%u typ %s\n", c.transport.c_str(), c.component == 1 ? "rtp" : "rtcp", c.address.c_str(),
                c.port, std::string(sdp::to_string(c.type)).c_str());
  }
  std::printf("  bundle:");
  for (const auto& m : s.bundle_mids) std::printf(" %s", m.c_str());
  std::printf("\n");
  for (const auto& m : s.media) {
    std::printf("  m=%s mid=%s %s our-direction=%s rtcp-mux=%d rsize=%d%s%s\n", m.media.c_str(), m.mid.c_str(),
                m.accepted ? "accepted" : "REJECTED", std::string(sdp::to_string(m.direction)).c_str(), m.rtcp_mux,
                m.rtcp_rsize, m.accepted ? "" : " reason=", m.rejection_reason.c_str());
    for (const auto& c : m.codecs) {
      std::string fb;
      for (const auto& f : c.feedback) fb += " " + f.type + (f.subtype.empty() ? "" : "/" + f.subtype);
      std::printf("    codec %s/%u pt=%u%s fmtp='%s' fb:%s\n", c.name.c_str(), c.clock_rate,
                  unsigned(c.payload_type.value),
                  c.rtx_payload_type ? (" rtx=" + std::to_string(c.rtx_payload_type->value)).c_str() : "",
                  c.remote_fmtp.c_str(), fb.c_str());
    }
    for (const auto& e : m.extensions) std::printf("    extmap %u %s\n", e.id, e.uri.c_str());
    if (!m.remote.ssrcs.empty()) {
      std::printf("    server ssrcs:");
      for (auto ssrc : m.remote.ssrcs) std::printf(" %u", ssrc.value);
      std::printf(" (rtx pairs %zu) cname=%s\n", m.remote.fid_groups.size(), m.remote.cname.c_str());
    }
  }
}

void dump(const Probe& p, const std::string& name, const std::string& text) {
  if (p.config.dump_dir.empty()) return;
  std::ofstream(p.config.dump_dir + "/" + p.config.server + "-" + name + ".sdp") << text;
}

Awaitable<void> sleep_for(std::chrono::milliseconds d) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer t(executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

// One SDP exchange, checked with our own negotiation code. Returns false on failure (already reported).
Awaitable<bool> exchange(Probe& p, SessionSignaling& session, const std::string& label,
                         std::vector<neg::OfferSection> sections, neg::NegotiatedSession* result = nullptr) {
  auto trickled = std::make_shared<std::vector<std::string>>();
  auto trickle_done = std::make_shared<bool>(false);
  session.on_remote_candidate = [trickled, trickle_done](const std::string& c) {
    if (c.empty()) {
      *trickle_done = true;
    } else {
      trickled->push_back(c);
    }
  };
  neg::LocalIdentity identity;
  identity.seed = p.seed++;
  std::optional<neg::NegotiatedSession> negotiated;
  const auto started = std::chrono::steady_clock::now();
  try {
    if (!session.server_offers()) {
      auto offer = neg::generate_offer(p.caps, p.transport, identity, sections);
      if (!offer) {
        p.fail(label + ": generate_offer: " + offer.error().reason);
        co_return false;
      }
      dump(p, label + "-offer", offer->sdp);
      std::string answer = co_await session.offer(offer->sdp);
      dump(p, label + "-answer", answer);
      auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      if (!p.quiet) {
        std::printf("%s: client offered, answer %zu bytes in %.0f ms; %s\n", label.c_str(), answer.size(), took,
                    sdp_notes(answer).c_str());
      }
      auto checked = neg::process_answer(answer, offer->state);
      if (!checked) {
        p.fail(label + ": process_answer: " + checked.error().reason);
        co_return false;
      }
      negotiated = std::move(*checked);
    } else {
      std::string offer = co_await session.request_offer();
      dump(p, label + "-offer", offer);
      auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      if (!p.quiet) {
        std::printf("%s: server offered, %zu bytes in %.0f ms; %s\n", label.c_str(), offer.size(), took,
                    sdp_notes(offer).c_str());
      }
      auto answer = neg::process_offer(offer, p.caps, p.transport, identity);
      if (!answer) {
        p.fail(label + ": process_offer: " + answer.error().reason);
        co_return false;
      }
      dump(p, label + "-answer", answer->sdp);
      co_await session.answer(answer->sdp);
      negotiated = answer->session;
    }
  } catch (const std::exception& e) {
    p.fail(label + ": " + e.what());
    co_return false;
  }
  if (!p.quiet) print_session(*negotiated, session.server_offers());
  if (negotiated->accepted_count() == 0) {
    p.fail(label + ": every section rejected");
    co_return false;
  }
  // Kurento-style servers trickle their candidates after the answer.
  if (p.kind == ServerKind::Medley) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(p.config.trickle_wait_s);
    while (!*trickle_done && std::chrono::steady_clock::now() < deadline) co_await sleep_for(std::chrono::milliseconds(50));
    if (!p.quiet) {
      std::printf("  trickled candidates: %zu, gathering done: %s\n", trickled->size(), *trickle_done ? "yes" : "no");
    }
    for (const auto& c : *trickled) {
      auto parsed = sdp::parse_candidate(c);
      if (!parsed) {
        p.fail(label + ": unparseable trickled candidate '" + c + "'");
      } else if (!p.quiet) {
        std::printf("    %s %s:%u typ %s\n", parsed->transport.c_str(), parsed->address.c_str(), parsed->port,
                    std::string(sdp::to_string(parsed->type)).c_str());
      }
    }
    if (!*trickle_done) p.fail(label + ": no IceGatheringDone within the wait");
    if (trickled->empty() && negotiated->remote.candidates.empty()) p.fail(label + ": no server candidate at all");
  } else if (negotiated->remote.candidates.empty()) {
    p.fail(label + ": no candidate in the server's SDP");
  }
  if (result) *result = *negotiated;
  co_return true;
}

Awaitable<void> run(Probe& p, asio::io_context& io) {
  medley::loadgen::ServerOptions options;
  options.kind = p.kind;
  options.url = p.config.url;
  auto driver = medley::loadgen::make_server_driver(io, options);
  std::vector<std::unique_ptr<SessionSignaling>> sessions;
  try {
    co_await driver->open();
    std::printf("%s: open %s\n", p.config.server.c_str(), p.config.url.c_str());
    using neg::MediaKind;
    using sdp::Direction;
    // (Sections built outside the co_await expressions: g++ 12 rejects braced lists that live across one.)
    const std::vector<neg::OfferSection> send_only = {{MediaKind::Audio, Direction::SendOnly},
                                                      {MediaKind::Video, Direction::SendOnly}};
    const std::vector<neg::OfferSection> recv_only = {{MediaKind::Audio, Direction::RecvOnly},
                                                      {MediaKind::Video, Direction::RecvOnly}};
    const std::vector<neg::OfferSection> send_recv = {{MediaKind::Audio, Direction::SendRecv},
                                                      {MediaKind::Video, Direction::SendRecv}};
    auto publisher = co_await driver->publisher();
    neg::NegotiatedSession publisher_session;
    bool published = co_await exchange(p, *publisher, "publisher", send_only, &publisher_session);
    sessions.push_back(std::move(publisher));
    if (published && p.config.connect_publisher) {
      p.publisher_peer = std::make_unique<MiniPeer>(*p.socket, p.dtls_context);
      std::string error;
      const auto started = std::chrono::steady_clock::now();
      if (!p.publisher_peer->start(p.transport, publisher_session, error)) {
        p.fail("publisher ICE: " + error);
      } else {
        error = co_await p.publisher_peer->connect(std::chrono::milliseconds(10000));
        if (!error.empty()) {
          p.fail("publisher ICE/DTLS: " + error);
        } else {
          std::printf("publisher: ICE and DTLS up in %.0f ms (no media sent)\n",
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
          co_await sleep_for(std::chrono::milliseconds(200));  // Janus' webrtcup goes out just after
        }
      }
    }
    if (published && !p.config.skip_subscriber && p.config.subscribers == 1) {
      auto subscriber = co_await driver->subscriber();
      co_await exchange(p, *subscriber, "subscriber", recv_only);
      sessions.push_back(std::move(subscriber));
    } else if (published && !p.config.skip_subscriber) {
      // All at once: requests overlap on the driver's connection (Medley, Janus) or open together (peers).
      const int n = p.config.subscribers;
      p.quiet = true;
      auto executor = co_await asio::this_coro::executor;
      asio::steady_timer all_done(executor);
      all_done.expires_at(asio::steady_timer::time_point::max());
      int remaining = n;
      int passed = 0;
      std::vector<std::unique_ptr<SessionSignaling>> subscribers(static_cast<size_t>(n));
      const auto started = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) {
        auto one = [&, i]() -> Awaitable<void> {
          std::string label = "subscriber-" + std::to_string(i);
          try {
            subscribers[static_cast<size_t>(i)] = co_await driver->subscriber();
            if (co_await exchange(p, *subscribers[static_cast<size_t>(i)], label, recv_only)) ++passed;
          } catch (const std::exception& e) {
            p.fail(label + ": " + e.what());
          }
          if (--remaining == 0) all_done.cancel();
        };
        asio::co_spawn(executor, std::move(one), asio::detached);
      }
      boost::system::error_code ec;
      co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      std::printf("subscribers: %d of %d negotiated concurrently in %.0f ms\n", passed, n,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
      p.quiet = false;
      for (auto& s : subscribers)
        if (s) sessions.push_back(std::move(s));
    }
    if (driver->supports_echo()) {
      auto echo = co_await driver->echo();
      co_await exchange(p, *echo, "echo", send_recv);
      sessions.push_back(std::move(echo));
    } else {
      std::printf("echo: not supported by %s\n", p.config.server.c_str());
    }
  } catch (const std::exception& e) {
    p.fail(e.what());
  }
  if (p.publisher_peer) p.publisher_peer->stop();
  try {
    for (auto& s : sessions) co_await s->close();
    co_await driver->close();
    std::printf("%s: closed\n", p.config.server.c_str());
  } catch (const std::exception& e) {
    p.fail(std::string("close: ") + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  ProbeConfig config;
  CLI::App app{"Exchanges real SDP with a server through the load generator's signaling drivers"};
  app.add_option("--server", config.server, "medley|janus|mediasoup|pion")->required();
  app.add_option("--url", config.url, "ws://IP:PORT/path")->required();
  app.add_option("--ip", config.ip, "the address our host candidate names")->capture_default_str();
  app.add_option("--dump-dir", config.dump_dir, "write every SDP there as <server>-<session>-<offer|answer>.sdp");
  app.add_option("--trickle-wait", config.trickle_wait_s, "seconds to wait for trickled candidates (Medley)")
      ->capture_default_str();
  app.add_option("--subscribers", config.subscribers, "subscribers, negotiated concurrently when more than one")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_flag("--skip-subscriber", config.skip_subscriber,
               "no subscriber (Janus offers a feed only once its publisher's media is up)");
  std::string connect_publisher = "auto";
  app.add_option("--connect-publisher", connect_publisher,
                 "yes|no|auto: bring the publisher's ICE and DTLS up before subscribing (auto: Janus only)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  Probe p;
  p.config = config;
  try {
    p.kind = medley::loadgen::parse_server_kind(config.server);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }

  config.connect_publisher = connect_publisher == "yes" || (connect_publisher == "auto" && p.kind == ServerKind::Janus);
  p.config = config;
  p.caps = neg::LocalCapabilities::defaults();
  p.caps.audio_codecs = {*neg::LocalCapabilities::known_codec("opus", 48000, 2)};
  p.caps.video_codecs = {*neg::LocalCapabilities::known_codec("VP8", 90000, std::nullopt)};
  p.caps.rtx = false;

  auto cert = medley::ice::Certificate::generate();
  if (!cert) {
    std::fprintf(stderr, "certificate: %s\n", cert.error().c_str());
    return 1;
  }
  asio::io_context io;
  // A real port on --ip for our host candidate (nobody answers on it: the probe does no ICE).
  asio::ip::udp::socket socket(io);
  try {
    socket.open(asio::ip::udp::v4());
    socket.bind({asio::ip::make_address(config.ip), 0});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bind %s: %s\n", config.ip.c_str(), e.what());
    return 1;
  }
  auto dtls_context = medley::ice::DtlsContext::create(*cert);
  if (!dtls_context) {
    std::fprintf(stderr, "DTLS context: %s\n", dtls_context.error().c_str());
    return 1;
  }
  p.dtls_context = *dtls_context;
  p.socket = &socket;
  neg::IdGenerator gen(0x5eed);
  p.transport.ice_ufrag = gen.token(8);
  p.transport.ice_pwd = gen.token(24);
  p.transport.fingerprint = cert->fingerprint_sha256_string();
  p.transport.candidates = {"candidate:1 1 udp 2130706431 " + config.ip + " " +
                            std::to_string(socket.local_endpoint().port()) + " typ host"};
  p.transport.gathering_done = true;

  asio::co_spawn(io, run(p, io), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  std::printf("%s: %s (%d failure%s)\n", config.server.c_str(), p.failures ? "FAILED" : "PASSED", p.failures,
              p.failures == 1 ? "" : "s");
  return p.failures ? 1 : 0;
}
