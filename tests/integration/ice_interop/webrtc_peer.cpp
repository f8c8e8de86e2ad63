// The server side of the ICE/DTLS/SRTP/SCTP interop test: a small WebRTC answerer built only from Medley's ice/ and
// rtp/ modules (the answer from rtp::negotiation, as a WebRtcEndpoint gives it), on a UDP socket bound to 127.0.0.1. It talks JSON lines with peer.js (libwebrtc) on stdin/stdout:
// reads the offer and trickled candidates, writes the answer and its candidates, decrypts and counts the peer's
// SRTP video, echoes data-channel messages, sends one of its own, and reports progress as "stats" lines.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ice/certificate.hpp"
#include "ice/data_channel.hpp"
#include "ice/demux.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"
#include "ice/ice_agent.hpp"
#include "ice/sctp_association.hpp"
#include "rtp/base/time.hpp"
#include "rtp/negotiation/process_offer.hpp"
#include "rtp/packet_view.hpp"
#include "rtp/srtp/srtp_session.hpp"

using namespace medley;
using json = nlohmann::json;

namespace {

base::Timestamp clock_now() {
  using namespace std::chrono;
  return base::Timestamp::micros(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

void emit(const json& j) {
  std::cout << j.dump() << "\n";
  std::cout.flush();
}

void fail(const std::string& why) {
  emit({{"type", "error"}, {"reason", why}});
  std::exit(2);
}

std::string random_ice_chars(std::mt19937_64& rng, size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kChars[rng() % 64];
  return s;
}

struct Peer {
  int fd = -1;
  ice::TransportAddress local;
  std::mt19937_64 rng{std::random_device{}()};
  std::shared_ptr<const ice::DtlsContext> dtls_context;

  std::optional<ice::IceAgent> agent;
  ice::IceOutput ice_out;
  std::optional<ice::DtlsTransport> dtls;
  ice::DtlsOutbox dtls_out;
  std::optional<rtp::SrtpSession> srtp;
  std::optional<ice::SctpAssociation> sctp;
  std::optional<ice::DataChannelSet> channels;
  std::optional<ice::TransportAddress> remote;  // where DTLS/SRTP go: the selected pair's remote

  uint8_t video_pt = 0;
  uint64_t srtp_video_packets = 0;
  uint64_t srtp_errors = 0;
  bool echo_received = false;
  bool connected_reported = false;

  void send_to(const ice::TransportAddress& to, base::Bytes bytes) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (to.is_ipv4()) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(to.port());
      std::memcpy(&sin->sin_addr, to.address().data(), 4);
      len = sizeof(sockaddr_in);
    } else {
      return;  // the test binds IPv4 only
    }
    ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
  }

  void drain_ice(base::Timestamp now) {
    for (auto& t : ice_out.transmits) send_to(t.remote, t.bytes);
    for (auto& e : ice_out.events) {
      if (auto* c = std::get_if<ice::CandidateGathered>(&e)) {
        emit({{"type", "candidate"}, {"candidate", c->candidate.to_string()}, {"sdpMid", "0"}});
      } else if (auto* s = std::get_if<ice::SelectedPairChanged>(&e)) {
        remote = s->remote.address;
        // As DTLS client we speak first, once ICE has a path (RFC 8842 §4: DTLS after ICE connectivity).
        if (dtls && dtls->role() == ice::DtlsRole::Client && dtls->state() == ice::DtlsTransport::State::New) {
          dtls->start(now, dtls_out);
          drain_dtls(now);
        }
      } else if (auto* st = std::get_if<ice::StateChanged>(&e)) {
        std::cerr << "ice state " << ice::to_string(st->state) << "\n";
        if (st->state == ice::IceState::Failed) fail("ICE failed");
      }
    }
    ice_out.clear();
    (void)now;
  }

  void drain_dtls(base::Timestamp now) {
    for (auto& d : dtls_out.datagrams) {
      if (remote) send_to(*remote, d);
    }
    std::vector<ice::DtlsEvent> events(dtls_out.events.begin(), dtls_out.events.end());
    dtls_out.clear();
    for (auto& e : events) {
      if (auto* c = std::get_if<ice::DtlsConnected>(&e)) {
        auto profile = rtp::srtp_profile_from_dtls_id(c->srtp_profile_id);
        if (!profile) fail("DTLS negotiated no SRTP profile");
        rtp::SrtpConfig cfg;
        cfg.profile = *profile;
        auto s = rtp::SrtpSession::from_dtls(cfg, c->keying_material,
                                             c->role == ice::DtlsRole::Server ? rtp::SrtpKeyRole::DtlsServer
                                                                              : rtp::SrtpKeyRole::DtlsClient);
        if (!s) fail("SRTP session from DTLS keys failed");
        srtp.emplace(std::move(*s));
        std::cerr << "dtls connected, srtp " << c->srtp_profile_name << "\n";
        sctp.emplace(ice::SctpConfig{});
        channels.emplace(ice::DataChannelSetConfig{.dtls_client = c->role == ice::DtlsRole::Client});
        sctp->start(now);
        pump_sctp(now);
        emit({{"type", "connected"}, {"srtp_profile", c->srtp_profile_name}});
      } else if (auto* f = std::get_if<ice::DtlsFailed>(&e)) {
        fail("DTLS failed: " + f->reason);
      } else if (auto* a = std::get_if<ice::DtlsApplicationData>(&e)) {
        if (sctp) {
          sctp->handle_packet(now, a->bytes);
          pump_sctp(now);
        }
      }
    }
  }

  void pump_sctp(base::Timestamp now) {
    if (!sctp) return;
    for (int round = 0; round < 8; ++round) {
      bool any = false;
      while (auto e = sctp->poll_event()) {
        any = true;
        channels->handle_sctp_event(std::move(*e));
      }
      while (auto e = channels->poll_event()) {
        any = true;
        on_channel_event(std::move(*e));
      }
      channels->flush_to(*sctp);
      std::vector<uint8_t> pkt;
      while (sctp->poll_transmit(pkt)) {
        any = true;
        if (dtls) dtls->send_application_data(pkt, dtls_out);
      }
      if (!any) break;
    }
    drain_dtls_datagrams_only();
    (void)now;
  }

  void drain_dtls_datagrams_only() {
    for (auto& d : dtls_out.datagrams) {
      if (remote) send_to(*remote, d);
    }
    dtls_out.datagrams.clear();
  }

  void on_channel_event(ice::DataChannelSet::Event e) {
    if (auto* o = std::get_if<ice::DataChannelSet::ChannelOpened>(&e)) {
      std::cerr << "channel opened id=" << o->id << " label=" << o->label << " protocol=" << o->protocol << "\n";
      const std::string hello = "from medley: hello over SCTP";
      channels->send(o->id, false, base::Bytes(reinterpret_cast<const uint8_t*>(hello.data()), hello.size()));
    } else if (auto* m = std::get_if<ice::DataChannelSet::Message>(&e)) {
      std::string text(m->bytes.begin(), m->bytes.end());
      if (text.rfind("echo: from medley:", 0) == 0) {
        echo_received = true;
      } else {
        const std::string echo = "echo: " + text;
        channels->send(m->id, m->binary, base::Bytes(reinterpret_cast<const uint8_t*>(echo.data()), echo.size()));
      }
    }
  }

  void on_offer(base::Timestamp now, const std::string& sdp_text) {
    // The answer is what a Kurento WebRtcEndpoint gives: rtp::negotiation::process_offer with the default codecs,
    // DTLS role active (we are the DTLS client, as Kurento answers actpass), BUNDLE, candidates trickled.
    namespace neg = rtp::negotiation;
    ice::IceAgentConfig cfg;
    cfg.local = {random_ice_chars(rng, 8), random_ice_chars(rng, 24)};
    cfg.role = ice::IceRole::Controlled;
    cfg.tie_breaker = rng();
    for (auto& b : cfg.random_seed) b = static_cast<uint8_t>(rng());
    cfg.host_addresses = {local};
    cfg.allow_loopback = true;

    neg::TransportParams transport;
    transport.ice_ufrag = cfg.local.ufrag;
    transport.ice_pwd = cfg.local.pwd;
    transport.fingerprint = dtls_context->certificate().fingerprint_sha256_string();
    neg::LocalIdentity identity;
    identity.seed = rng();
    auto answer = neg::process_offer(sdp_text, neg::LocalCapabilities::defaults(), transport, identity);
    if (!answer) fail("process_offer: " + answer.error().reason);
    const neg::NegotiatedSession& session = answer->session;
    for (const auto& m : session.media) {
      if (m.accepted && m.kind == neg::MediaKind::Video) {
        for (const auto& c : m.codecs) {
          if (c.codec_id == base::CodecId::Vp8) video_pt = c.payload_type.value;
        }
      }
    }
    if (video_pt == 0) fail("no VP8 negotiated");
    if (session.remote.fingerprints.empty()) fail("offer has no fingerprint");
    const auto& rfp = session.remote.fingerprints.front();
    auto fp = ice::Fingerprint::from_bytes(rfp.hash_function, rfp.bytes);
    if (!fp) fail("offer fingerprint unusable");

    agent.emplace(cfg);
    agent->set_remote_credentials(session.remote.ice_ufrag, session.remote.ice_pwd);

    ice::DtlsTransportConfig dcfg;
    dcfg.role = session.dtls_role == neg::DtlsRole::Client ? ice::DtlsRole::Client : ice::DtlsRole::Server;
    dcfg.remote_fingerprint = *fp;
    dtls.emplace(dtls_context, dcfg);
    std::cerr << "answer: DTLS " << (dcfg.role == ice::DtlsRole::Client ? "client (setup:active)" : "server")
              << ", video pt " << int(video_pt) << "\n";

    emit({{"type", "answer"}, {"sdp", answer->sdp}});
    agent->start(now, ice_out);
    for (const auto& c : session.remote.candidates) add_candidate(now, c.to_string());
    drain_ice(now);
  }

  void add_candidate(base::Timestamp now, const std::string& text) {
    if (!agent) return;
    // Tests touch loopback only: candidates on other interfaces are not paired.
    if (text.find(" 127.0.0.1 ") == std::string::npos) return;
    agent->add_remote_candidate(now, text, ice_out);
    drain_ice(now);
  }

  void on_datagram(base::Timestamp now, const ice::TransportAddress& from, base::Bytes bytes) {
    switch (ice::classify_datagram(bytes)) {
      case ice::DatagramKind::Stun:
        if (agent) agent->handle_stun(now, local, from, bytes, ice_out);
        drain_ice(now);
        break;
      case ice::DatagramKind::Dtls:
        if (!remote) remote = from;
        if (dtls) dtls->handle_datagram(now, bytes, dtls_out);
        drain_dtls(now);
        break;
      case ice::DatagramKind::Rtp: {
        if (!srtp) break;
        std::vector<uint8_t> buf(bytes.begin(), bytes.end());
        auto n = srtp->unprotect_rtp(buf, buf.size());
        if (!n) {
          ++srtp_errors;
          break;
        }
        auto view = rtp::RtpPacketView::parse(base::Bytes(buf.data(), *n));
        if (view && view->payload_type().value == video_pt) ++srtp_video_packets;
        break;
      }
      default:
        break;  // RTCP and the rest: not needed here
    }
  }

  void on_timeout(base::Timestamp now) {
    if (agent && agent->next_timeout() <= now) {
      agent->handle_timeout(now, ice_out);
      drain_ice(now);
    }
    if (dtls && dtls->next_timeout() <= now) {
      dtls->handle_timeout(now, dtls_out);
      drain_dtls(now);
    }
    if (sctp && sctp->next_timeout() <= now) {
      sctp->handle_timeout(now);
      pump_sctp(now);
    }
  }

  base::Timestamp next_timeout() const {
    base::Timestamp t = base::Timestamp::infinite();
    if (agent) t = base::earliest(t, agent->next_timeout());
    if (dtls) t = base::earliest(t, dtls->next_timeout());
    if (sctp) t = base::earliest(t, sctp->next_timeout());
    return t;
  }
};

}  // namespace

int main() {
  Peer peer;
  peer.fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(peer.fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0) fail("bind failed");
  socklen_t len = sizeof(sin);
  ::getsockname(peer.fd, reinterpret_cast<sockaddr*>(&sin), &len);
  peer.local = *ice::TransportAddress::parse("127.0.0.1", ntohs(sin.sin_port));

  auto cert = ice::Certificate::generate();
  if (!cert) fail("certificate: " + cert.error());
  auto ctx = ice::DtlsContext::create(*cert);
  if (!ctx) fail("DTLS context: " + ctx.error());
  peer.dtls_context = *ctx;

  std::string line_buf;
  base::Timestamp last_stats = clock_now();
  std::array<uint8_t, 65536> buf{};
  for (;;) {
    const base::Timestamp now = clock_now();
    const base::Timestamp next = peer.next_timeout();
    int wait_ms = 50;
    if (!next.is_infinite()) wait_ms = static_cast<int>(std::clamp<int64_t>((next - now).ms(), 0, 50));
    pollfd fds[2] = {{0, POLLIN, 0}, {peer.fd, POLLIN, 0}};
    ::poll(fds, 2, wait_ms);
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      char chunk[65536];
      ssize_t n = ::read(0, chunk, sizeof(chunk));
      if (n <= 0) return 0;  // the driver is gone
      line_buf.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = line_buf.find('\n')) != std::string::npos) {
        const std::string line = line_buf.substr(0, nl);
        line_buf.erase(0, nl + 1);
        json msg = json::parse(line, nullptr, false);
        if (msg.is_discarded()) continue;
        const std::string type = msg.value("type", "");
        if (type == "offer") peer.on_offer(clock_now(), msg.value("sdp", ""));
        else if (type == "candidate") peer.add_candidate(clock_now(), msg.value("candidate", ""));
        else if (type == "end-of-candidates" && peer.agent) {
          peer.agent->end_of_candidates(clock_now(), peer.ice_out);
          peer.drain_ice(clock_now());
        } else if (type == "bye") return 0;
      }
    }
    if (fds[1].revents & POLLIN) {
      for (int i = 0; i < 64; ++i) {
        sockaddr_storage from{};
        socklen_t flen = sizeof(from);
        ssize_t n = ::recvfrom(peer.fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n <= 0) break;
        if (from.ss_family != AF_INET) continue;
        const auto* fin = reinterpret_cast<const sockaddr_in*>(&from);
        char ip[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &fin->sin_addr, ip, sizeof(ip));
        auto addr = ice::TransportAddress::parse(ip, ntohs(fin->sin_port));
        if (addr) peer.on_datagram(clock_now(), *addr, base::Bytes(buf.data(), static_cast<size_t>(n)));
      }
    }
    peer.on_timeout(clock_now());
    if (clock_now() - last_stats > base::Duration::millis(250)) {
      last_stats = clock_now();
      emit({{"type", "stats"},
            {"srtp_video_packets", peer.srtp_video_packets},
            {"srtp_errors", peer.srtp_errors},
            {"echo_received", peer.echo_received}});
    }
  }
}
