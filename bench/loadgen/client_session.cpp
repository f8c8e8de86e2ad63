// One loadgen WebRTC peer (see client_session.hpp).
#include "bench/loadgen/client_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ice/demux.hpp"
#include "rtp/negotiation/local_capabilities.hpp"
#include "rtp/negotiation/process_offer.hpp"
#include "rtp/rtcp/compound.hpp"
#include "rtp/rtcp/ntp_time.hpp"
#include "rtp/rtcp/sdes.hpp"
#include "rtp/rtcp/sender_report.hpp"

namespace medley::loadgen {

namespace neg = rtp::negotiation;
using base::Duration;
using base::Timestamp;

namespace {

constexpr size_t kBatch = 32;
constexpr size_t kSlot = 2048;
constexpr size_t kMaxPacket = 1500;

std::string random_chars(std::mt19937_64& rng, size_t n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(kChars[rng() % 64]);
  return s;
}

sockaddr_in to_sockaddr(const ice::TransportAddress& a) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(a.port());
  std::memcpy(&sin.sin_addr, a.address().data(), 4);
  return sin;
}

// Only what the comparison needs: Opus and VP8, no RTX (nobody loses packets on loopback), mid and
// transport-wide sequence numbers as browsers send them.
neg::LocalCapabilities capabilities() {
  auto caps = neg::LocalCapabilities::defaults();
  std::erase_if(caps.audio_codecs, [](const auto& c) { return c.name != "opus"; });
  std::erase_if(caps.video_codecs, [](const auto& c) { return c.name != "VP8"; });
  std::erase_if(caps.header_extensions, [](const auto& e) {
    return e.uri != neg::extension_uri::kMid && e.uri != neg::extension_uri::kTransportWideCc;
  });
  caps.rtx = false;
  caps.data.enabled = false;
  return caps;
}

std::optional<ice::Fingerprint> fingerprint_of(const neg::NegotiatedSession& s) {
  for (const auto& fp : s.remote.fingerprints) {
    if (auto parsed = ice::Fingerprint::from_bytes(fp.hash_function, fp.bytes)) return parsed;
  }
  return std::nullopt;
}

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

ClientSession::ClientSession(boost::asio::io_context& io, ClientSessionConfig config, Totals& totals)
    : io_(io),
      config_(std::move(config)),
      totals_(totals),
      socket_(io),
      rng_(config_.seed),
      timer_(io),
      connected_wait_(io),
      media_timer_(io) {
  using boost::asio::ip::udp;
  const udp::endpoint ep(boost::asio::ip::make_address(config_.ip.ip_string()), config_.ip.port());
  socket_.open(ep.protocol());
  socket_.bind(ep);
  socket_.non_blocking(true);
  const int fd = socket_.native_handle();
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
  int size = 4 << 20;
  // Root may exceed rmem_max; otherwise take what the kernel allows.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  local_ = *ice::TransportAddress::parse(config_.ip.ip_string(), socket_.local_endpoint().port());
  credentials_.ufrag = random_chars(rng_, 8);
  credentials_.pwd = random_chars(rng_, 24);
  cname_ = random_chars(rng_, 12);
  rx_.resize(kBatch * kSlot);
  scratch_.resize(kMaxPacket + 64);
  connected_wait_.expires_at(std::chrono::steady_clock::time_point::max());
  arm_receive();
}

ClientSession::~ClientSession() { stop(); }

Timestamp ClientSession::now() const {
  using namespace std::chrono;
  return Timestamp::micros(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

void ClientSession::make_agent(ice::IceRole role) {
  ice::IceAgentConfig cfg;
  cfg.local = credentials_;
  cfg.role = role;
  cfg.tie_breaker = rng_();
  for (auto& b : cfg.random_seed) b = static_cast<uint8_t>(rng_());
  cfg.host_addresses = {local_};
  cfg.allow_loopback = true;
  cfg.nomination = ice::NominationMode::Aggressive;
  cfg.ta = Duration::millis(5);
  cfg.check_rto_min = Duration::millis(100);
  cfg.software = "medley-loadgen";
  agent_.emplace(cfg);
  agent_->start(now(), ice_out_);
  for (const auto& e : ice_out_.events) {
    if (const auto* c = std::get_if<ice::CandidateGathered>(&e)) local_candidates_.push_back(c->candidate.to_string());
  }
  drain_ice();
}

std::string ClientSession::create_offer() {
  make_agent(ice::IceRole::Controlling);
  neg::TransportParams t;
  t.ice_ufrag = credentials_.ufrag;
  t.ice_pwd = credentials_.pwd;
  t.fingerprint = config_.dtls->certificate().fingerprint_sha256_string();
  t.answer_setup = rtp::sdp::SetupRole::ActPass;
  t.candidates = local_candidates_;
  t.gathering_done = true;
  const auto dir = config_.send && config_.receive ? rtp::sdp::Direction::SendRecv
                   : config_.send               ? rtp::sdp::Direction::SendOnly
                                                : rtp::sdp::Direction::RecvOnly;
  auto offer = neg::generate_offer(capabilities(), t, {.cname = cname_, .seed = rng_()},
                                   {{neg::MediaKind::Audio, dir}, {neg::MediaKind::Video, dir}});
  if (!offer) throw std::runtime_error("generate_offer: " + offer.error().reason);
  offer_state_ = std::move(offer->state);
  return offer->sdp;
}

void ClientSession::set_answer(const std::string& sdp) {
  if (!offer_state_) throw std::runtime_error("set_answer without an offer");
  auto session = neg::process_answer(sdp, *offer_state_);
  if (!session) throw std::runtime_error("the server's answer: " + session.error().reason);
  install(std::move(*session));
}

std::string ClientSession::accept_offer(const std::string& sdp) {
  // A full agent facing an ice-lite server controls (RFC 8445 §6.1.1); facing a full one, the offerer does.
  const bool lite = sdp.find("a=ice-lite") != std::string::npos;
  make_agent(lite ? ice::IceRole::Controlling : ice::IceRole::Controlled);
  neg::TransportParams t;
  t.ice_ufrag = credentials_.ufrag;
  t.ice_pwd = credentials_.pwd;
  t.fingerprint = config_.dtls->certificate().fingerprint_sha256_string();
  t.answer_setup = rtp::sdp::SetupRole::Active;
  t.candidates = local_candidates_;
  t.gathering_done = true;
  auto answer = neg::process_offer(sdp, capabilities(), t, {.cname = cname_, .seed = rng_()});
  if (!answer) throw std::runtime_error("the server's offer: " + answer.error().reason);
  std::string text = answer->sdp;
  install(std::move(answer->session));
  return text;
}

void ClientSession::install(neg::NegotiatedSession session) {
  negotiated_ = std::move(session);
  const Timestamp t = now();
  milestones_.installed = t.us();
  if (!negotiated_.remote.candidates.empty()) milestones_.first_remote_candidate = t.us();
  for (const auto& m : negotiated_.media) {
    if (!m.accepted) continue;
    for (const auto& c : m.codecs) media_pt_[c.payload_type.value & 0x7F] = true;
    if (m.send && !m.codecs.empty()) {
      Outgoing o;
      o.ssrc = m.send->ssrc.value;
      o.pt = m.codecs.front().payload_type.value;
      o.seq = static_cast<uint16_t>(rng_());
      o.clock_rate = m.codecs.front().clock_rate;
      if (m.kind == neg::MediaKind::Video) {
        video_ = o;
        video_mid_ = m.mid;
      } else if (m.kind == neg::MediaKind::Audio) {
        audio_ = o;
        audio_mid_ = m.mid;
      }
      if (auto id = m.extension_id(neg::extension_uri::kMid)) mid_ext_id_ = static_cast<uint8_t>(*id);
      if (auto id = m.extension_id(neg::extension_uri::kTransportWideCc)) twcc_ext_id_ = static_cast<uint8_t>(*id);
      if (rtcp_ssrc_ == 0 || m.kind == neg::MediaKind::Video) rtcp_ssrc_ = o.ssrc;
    }
  }
  if (rtcp_ssrc_ == 0) rtcp_ssrc_ = static_cast<uint32_t>(rng_() | 1);
  // Those who offered controlling stay so; an agent made for an answer already has the right role.
  agent_->set_remote_credentials(negotiated_.remote.ice_ufrag, negotiated_.remote.ice_pwd);
  ice::DtlsTransportConfig dcfg;
  dcfg.role = negotiated_.dtls_role == neg::DtlsRole::Client ? ice::DtlsRole::Client : ice::DtlsRole::Server;
  dcfg.remote_fingerprint = fingerprint_of(negotiated_);
  dcfg.release_when_idle = true;  // no data channels: the loadgen's own memory stays small too
  if (!dcfg.remote_fingerprint) throw std::runtime_error("the server's SDP has no usable fingerprint");
  dtls_.emplace(config_.dtls, dcfg);
  if (dcfg.role == ice::DtlsRole::Server) dtls_->start(t, dtls_out_);
  for (const auto& c : negotiated_.remote.candidates) agent_->add_remote_candidate(t, c.to_string(), ice_out_);
  for (const auto& c : early_candidates_) agent_->add_remote_candidate(t, c, ice_out_);
  early_candidates_.clear();
  if (early_end_ || negotiated_.remote.end_of_candidates) agent_->end_of_candidates(t, ice_out_);
  drain_ice();
  drain_dtls();
  arm_timer();
}

void ClientSession::add_remote_candidate(const std::string& candidate) {
  if (!candidate.empty() && milestones_.first_remote_candidate == 0) milestones_.first_remote_candidate = now().us();
  if (!dtls_) {  // before the SDP: kept for install()
    if (candidate.empty()) {
      early_end_ = true;
    } else {
      early_candidates_.push_back(candidate);
    }
    return;
  }
  if (candidate.empty()) {
    agent_->end_of_candidates(now(), ice_out_);
  } else {
    agent_->add_remote_candidate(now(), candidate, ice_out_);
  }
  drain_ice();
  arm_timer();
}

boost::asio::awaitable<void> ClientSession::wait_connected(std::chrono::milliseconds timeout) {
  if (!srtp_ && failure_.empty()) {
    connected_wait_.expires_after(timeout);
    boost::system::error_code ec;
    co_await connected_wait_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  if (!failure_.empty()) throw std::runtime_error(failure_);
  if (!srtp_) {
    throw std::runtime_error("not connected after " + std::to_string(timeout.count()) + " ms (ICE " +
                             std::string(agent_ ? ice::to_string(agent_->state()) : "none") + ", DTLS " +
                             (dtls_ ? std::to_string(static_cast<int>(dtls_->state())) : "none") + ")");
  }
}

void ClientSession::stop() {
  if (closed_) return;
  closed_ = true;
  media_on_ = false;
  boost::system::error_code ec;
  timer_.cancel();
  media_timer_.cancel();
  connected_wait_.cancel();
  if (dtls_ && remote_) {
    dtls_->close(now(), dtls_out_);
    for (const auto& d : dtls_out_.datagrams) send_now(d.data(), d.size());
    dtls_out_.clear();
  }
  socket_.close(ec);
}

// ---- receiving ----------------------------------------------------------------------------------------------

void ClientSession::arm_receive() {
  socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (ec || closed_) return;
    drain_socket();
    arm_receive();
  });
}

void ClientSession::drain_socket() {
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_in, kBatch> from{};
  std::array<std::array<uint8_t, CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(uint32_t))>, kBatch> control{};
  for (int rounds = 0; rounds < 64 && !closed_; ++rounds) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {rx_.data() + i * kSlot, kSlot};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      msgs[i].msg_hdr.msg_control = control[i].data();
      msgs[i].msg_hdr.msg_controllen = control[i].size();
    }
    const int n = recvmmsg(socket_.native_handle(), msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n && !closed_; ++i) {
      int64_t arrival = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c != nullptr; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
          arrival = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t drops = 0;  // cumulative for the socket
          std::memcpy(&drops, CMSG_DATA(c), sizeof(drops));
          socket_drops_ = std::max<uint64_t>(socket_drops_, drops);
        }
      }
      if (arrival == 0) arrival = realtime_ns();
      uint8_t* data = rx_.data() + static_cast<size_t>(i) * kSlot;
      const size_t len = std::min<size_t>(msgs[i].msg_len, kSlot);
      const auto& sin = from[i];
      std::array<uint8_t, 4> ip{};
      std::memcpy(ip.data(), &sin.sin_addr, 4);
      const auto addr = ice::TransportAddress::ipv4(ip, ntohs(sin.sin_port));
      const auto kind = ice::classify_datagram(base::Bytes(data, len));
      if (kind == ice::DatagramKind::Stun) {
        if (agent_) {
          agent_->handle_stun(now(), local_, addr, base::Bytes(data, len), ice_out_);
          drain_ice();
        }
      } else if (kind == ice::DatagramKind::Dtls) {
        if (dtls_) {
          if (!remote_) remote_ = addr;
          dtls_->handle_datagram(now(), base::Bytes(data, len), dtls_out_);
          drain_dtls();
        }
      } else {
        on_datagram(data, len, arrival);
      }
    }
    if (static_cast<size_t>(n) < kBatch) break;
  }
  arm_timer();
}

void ClientSession::on_datagram(uint8_t* data, size_t len, int64_t arrival_ns) {
  if (len < 12 || (data[0] >> 6) != 2) return;
  const uint8_t pt = data[1];
  if (pt >= 192 && pt <= 223) {
    on_rtcp(data, len);
  } else {
    on_rtp(data, len, arrival_ns);
  }
}

void ClientSession::on_rtp(uint8_t* data, size_t len, int64_t arrival_ns) {
  const uint8_t pt = data[1] & 0x7F;
  if (!media_pt_[pt]) {  // RTX, probes on their own SSRC, anything not negotiated as media
    ++totals_.unexpected_pt;
    return;
  }
  if (data[0] & 0x20) {  // padding: bandwidth probes (our payloads are never padded)
    ++totals_.padding_received;
    return;
  }
  const uint32_t ssrc = load32(data + 8);
  const uint16_t seq = load16(data + 2);
  RecvStream* s = nullptr;
  for (auto& r : streams_) {
    if (r.ssrc == ssrc) s = &r;
  }
  if (s == nullptr) {
    streams_.push_back(RecvStream{.ssrc = ssrc});
    s = &streams_.back();
  }
  if (!s->started) {
    s->started = true;
    s->first = s->highest = seq;
    s->last_seq = seq;
  } else {
    const auto diff = static_cast<int16_t>(static_cast<uint16_t>(seq - s->last_seq));
    int64_t ext = s->highest + diff;
    if (diff > 0) {
      s->highest = ext;
      s->last_seq = seq;
    }
    if (ext < s->first) s->first = ext;
  }
  ++s->count;
  ++totals_.rtp_received;
  totals_.bytes_received += len;
  if (!totals_.measure_latency || !srtp_ || ++sample_counter_ < config_.latency_sample_every) return;
  sample_counter_ = 0;
  auto r = srtp_->unprotect_rtp(base::MutableBytes(data, len), len);
  if (!r) {
    ++totals_.srtp_errors;
    return;
  }
  size_t n = *r;
  // Header, CSRCs, extension, padding: what remains is the payload our trailer ends.
  size_t off = 12 + 4 * (data[0] & 0x0F);
  if ((data[0] & 0x10) && off + 4 <= n) off += 4 + 4 * size_t{load16(data + off + 2)};
  if ((data[0] & 0x20) && n > 0) n -= std::min<size_t>(n, data[n - 1]);
  if (off >= n) return;
  if (auto sent = read_trailer(std::span<const uint8_t>(data + off, n - off))) {
    totals_.latency.add((arrival_ns - *sent) / 1000);
  } else {
    ++totals_.trailer_missing;
  }
}

void ClientSession::on_rtcp(uint8_t* data, size_t len) {
  if (!srtp_) return;
  auto r = srtp_->unprotect_rtcp(base::MutableBytes(data, len), len);
  if (!r) {
    ++totals_.srtp_errors;
    return;
  }
  ++totals_.rtcp_received;
  if (!video_ || !media_on_) return;
  rtp::rtcp::CompoundReader reader(base::Bytes(data, *r), {.padding_only_last = false});
  while (auto p = reader.next()) {
    const bool pli = std::holds_alternative<rtp::rtcp::PliView>(*p);
    const bool fir = std::holds_alternative<rtp::rtcp::FirView>(*p);
    if (!pli && !fir) continue;
    // An encoder answers keyframe requests, but not more often than every 300 ms (libwebrtc's minimum).
    const Timestamp t = now();
    if (t - last_forced_key_ >= Duration::millis(300)) {
      force_keyframe_ = true;
      last_forced_key_ = t;
      ++totals_.keyframe_requests;
    }
  }
}

// ---- ICE and DTLS -------------------------------------------------------------------------------------------

void ClientSession::send_now(const uint8_t* data, size_t len) {
  if (!remote_ || !socket_.is_open()) return;
  const sockaddr_in to = to_sockaddr(*remote_);
  ::sendto(socket_.native_handle(), data, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
}

void ClientSession::drain_ice() {
  for (const auto& t : ice_out_.transmits) {
    const sockaddr_in to = to_sockaddr(t.remote);
    ::sendto(socket_.native_handle(), t.bytes.data(), t.bytes.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&to), sizeof(to));
  }
  std::vector<ice::IceEvent> events(ice_out_.events.begin(), ice_out_.events.end());
  ice_out_.clear();
  for (const auto& e : events) {
    if (const auto* sel = std::get_if<ice::SelectedPairChanged>(&e)) {
      remote_ = sel->remote.address;
      if (milestones_.selected == 0) milestones_.selected = now().us();
      if (dtls_ && dtls_->role() == ice::DtlsRole::Client && dtls_->state() == ice::DtlsTransport::State::New) {
        dtls_->start(now(), dtls_out_);
        drain_dtls();
      }
    } else if (const auto* st = std::get_if<ice::StateChanged>(&e)) {
      if (st->state == ice::IceState::Failed && !srtp_) {
        failure_ = "ICE failed";
        connected_wait_.cancel();
      }
    }
  }
}

void ClientSession::drain_dtls() {
  for (const auto& d : dtls_out_.datagrams) send_now(d.data(), d.size());
  std::vector<ice::DtlsEvent> events(std::make_move_iterator(dtls_out_.events.begin()),
                                     std::make_move_iterator(dtls_out_.events.end()));
  dtls_out_.clear();
  for (auto& e : events) {
    if (auto* c = std::get_if<ice::DtlsConnected>(&e)) {
      auto profile = rtp::srtp_profile_from_dtls_id(c->srtp_profile_id);
      if (!profile) {
        failure_ = "DTLS negotiated no SRTP profile";
      } else {
        rtp::SrtpConfig cfg;
        cfg.profile = *profile;
        auto s = rtp::SrtpSession::from_dtls(cfg, c->keying_material,
                                             c->role == ice::DtlsRole::Server ? rtp::SrtpKeyRole::DtlsServer
                                                                              : rtp::SrtpKeyRole::DtlsClient);
        if (s) {
          milestones_.connected = now().us();
          srtp_.emplace(std::move(*s));
          srtp_profile_ = c->srtp_profile_name;
        } else {
          failure_ = "SRTP refused the DTLS keys";
        }
      }
      connected_wait_.cancel();
    } else if (auto* f = std::get_if<ice::DtlsFailed>(&e)) {
      if (!srtp_) failure_ = "DTLS failed: " + f->reason;
      connected_wait_.cancel();
    }
  }
}

void ClientSession::arm_timer() {
  if (closed_) return;
  Timestamp at = Timestamp::infinite();
  if (agent_) at = std::min(at, agent_->next_timeout());
  if (dtls_ && !srtp_) at = std::min(at, dtls_->next_timeout());
  if (media_on_) at = std::min(at, next_sr_at_);
  if (at == timer_at_) return;
  timer_at_ = at;
  if (at == Timestamp::infinite()) {
    timer_.cancel();
    return;
  }
  const auto delay = std::chrono::microseconds(std::max<int64_t>(0, (at - now()).us()));
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || closed_) return;
    timer_at_ = Timestamp::infinite();
    on_timer();
  });
}

void ClientSession::on_timer() {
  const Timestamp t = now();
  if (agent_ && agent_->next_timeout() <= t) {
    agent_->handle_timeout(t, ice_out_);
    drain_ice();
  }
  if (dtls_ && !srtp_ && dtls_->next_timeout() <= t) {
    dtls_->handle_timeout(t, dtls_out_);
    drain_dtls();
  }
  if (media_on_ && next_sr_at_ <= t) {
    send_sender_reports();
    next_sr_at_ = t + Duration::seconds(1);
  }
  arm_timer();
}

// ---- sending --------------------------------------------------------------------------------------------------

void ClientSession::start_media() {
  if (!srtp_ || media_on_ || (!video_ && !audio_)) return;
  media_on_ = true;
  frame_sizes_ = frame_sizes(config_.media);
  media_start_ = now();
  next_frame_at_ = next_audio_at_ = pacer_next_ = media_start_;
  next_sr_at_ = media_start_ + Duration::millis(500);
  video_ts_base_ = static_cast<uint32_t>(rng_());
  audio_ts_base_ = static_cast<uint32_t>(rng_());
  force_keyframe_ = true;
  batch_.assign(kBatch, std::vector<uint8_t>(kMaxPacket + 64));
  batch_sizes_.assign(kBatch, 0);
  media_tick();
  arm_timer();
}

size_t ClientSession::write_rtp(uint8_t* buf, Outgoing& o, bool marker, uint32_t rtp_ts, size_t payload_len,
                                bool video, bool first_of_frame, bool keyframe) {
  buf[0] = 0x80;
  buf[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | o.pt);
  store16(buf + 2, o.seq++);
  store32(buf + 4, rtp_ts);
  store32(buf + 8, o.ssrc);
  size_t off = 12;
  const std::string& mid = video ? video_mid_ : audio_mid_;
  if (mid_ext_id_ != 0 || twcc_ext_id_ != 0) {
    buf[0] |= 0x10;
    store16(buf + 12, 0xBEDE);
    size_t e = 16;
    if (mid_ext_id_ != 0 && !mid.empty() && mid.size() <= 16) {
      buf[e++] = static_cast<uint8_t>((mid_ext_id_ << 4) | (mid.size() - 1));
      std::memcpy(buf + e, mid.data(), mid.size());
      e += mid.size();
    }
    if (twcc_ext_id_ != 0) {
      buf[e++] = static_cast<uint8_t>((twcc_ext_id_ << 4) | 1);
      store16(buf + e, twcc_seq_++);
      e += 2;
    }
    while ((e - 16) % 4 != 0) buf[e++] = 0;
    store16(buf + 14, static_cast<uint16_t>((e - 16) / 4));
    off = e;
  }
  std::span<uint8_t> payload(buf + off, payload_len);
  if (video) {
    fill_vp8_payload(payload, first_of_frame, keyframe);
  } else {
    fill_opus_payload(payload);
  }
  write_trailer(payload, realtime_ns());
  const size_t len = off + payload_len;
  auto r = srtp_->protect_rtp(base::MutableBytes(buf, kMaxPacket + 64), len);
  if (!r) {
    ++totals_.srtp_errors;
    return 0;
  }
  ++o.packets;
  o.octets += static_cast<uint32_t>(payload_len);
  o.last_rtp_ts = rtp_ts;
  ++totals_.rtp_sent;
  totals_.bytes_sent += *r;
  return *r;
}

void ClientSession::queue_frame(Timestamp at) {
  const bool key = force_keyframe_ || frame_index_ % std::max<uint64_t>(1, uint64_t{config_.media.keyframe_interval_ms} *
                                                                               config_.media.fps / 1000) ==
                                          0;
  force_keyframe_ = false;
  const size_t bytes = key ? frame_sizes_.key_bytes : frame_sizes_.delta_bytes;
  const size_t count = frame_packet_count(config_.media, bytes);
  const size_t each = std::max(kMinVideoPayload, bytes / count);
  const auto ts = video_ts_base_ + static_cast<uint32_t>(frame_index_ * 90000 / config_.media.fps);
  for (size_t i = 0; i < count; ++i) {
    queue_.push_back(QueuedPacket{.payload = std::min(each, std::max(config_.media.packet_size, kMinVideoPayload)),
                                  .first_of_frame = i == 0,
                                  .last_of_frame = i + 1 == count,
                                  .keyframe = key,
                                  .rtp_ts = ts});
  }
  if (queue_.size() == count && pacer_next_ < at) pacer_next_ = at;
  ++frame_index_;
}

void ClientSession::flush_batch() {
  if (batch_len_ == 0 || !remote_) {
    batch_len_ = 0;
    return;
  }
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iov{};
  const sockaddr_in to = to_sockaddr(*remote_);
  for (size_t i = 0; i < batch_len_; ++i) {
    iov[i] = {batch_[i].data(), batch_sizes_[i]};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = const_cast<sockaddr_in*>(&to);
    msgs[i].msg_hdr.msg_namelen = sizeof(to);
  }
  const int sent = sendmmsg(socket_.native_handle(), msgs.data(), static_cast<unsigned>(batch_len_), MSG_DONTWAIT);
  const size_t unsent = batch_len_ - static_cast<size_t>(std::max(sent, 0));
  totals_.send_failures += unsent;
  totals_.rtp_sent -= unsent;
  batch_len_ = 0;
}

void ClientSession::media_tick() {
  if (!media_on_ || closed_) return;
  const Timestamp t = now();
  auto add = [&](Outgoing& o, bool marker, uint32_t ts, size_t payload, bool video, bool first, bool key) {
    if (batch_len_ == kBatch) flush_batch();
    const size_t n = write_rtp(batch_[batch_len_].data(), o, marker, ts, payload, video, first, key);
    if (n > 0) batch_sizes_[batch_len_++] = n;
  };
  if (audio_ && config_.media.audio) {
    while (next_audio_at_ <= t) {
      add(*audio_, false, audio_ts_base_ + static_cast<uint32_t>(audio_index_ * 960), config_.media.audio_payload,
          false, false, false);
      ++audio_index_;
      next_audio_at_ = next_audio_at_ + Duration::millis(20);
    }
  }
  if (video_ && config_.media.video) {
    const auto frame_us = static_cast<int64_t>(1'000'000 / config_.media.fps);
    while (next_frame_at_ <= t) {
      queue_frame(next_frame_at_);
      next_frame_at_ = media_start_ + Duration::micros(static_cast<int64_t>(frame_index_) * frame_us);
    }
    const double pace_bps = config_.media.video_kbps * 1000.0 * config_.media.pacing_factor;
    while (!queue_.empty() && pacer_next_ <= t) {
      const QueuedPacket p = queue_.front();
      queue_.pop_front();
      add(*video_, p.last_of_frame, p.rtp_ts, p.payload, true, p.first_of_frame, p.keyframe);
      pacer_next_ = pacer_next_ + Duration::micros(static_cast<int64_t>(p.payload * 8 * 1e6 / pace_bps));
    }
  }
  flush_batch();
  Timestamp next = Timestamp::infinite();
  if (audio_ && config_.media.audio) next = std::min(next, next_audio_at_);
  if (video_ && config_.media.video) {
    next = std::min(next, next_frame_at_);
    if (!queue_.empty()) next = std::min(next, pacer_next_);
  }
  if (next == Timestamp::infinite()) return;
  media_timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(0, (next - now()).us())));
  media_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) media_tick();
  });
}

void ClientSession::send_sender_reports() {
  if (!srtp_) return;
  std::array<uint8_t, 256> buf{};
  base::ByteWriter w(base::MutableBytes(buf.data(), 200));
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const auto ntp = rtp::rtcp::NtpTime::from_duration(
      Duration::micros(static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000 + 2'208'988'800LL * 1'000'000));
  for (const Outgoing* o : {video_ ? &*video_ : nullptr, audio_ ? &*audio_ : nullptr}) {
    if (o == nullptr) continue;
    rtp::rtcp::write_sender_report(w, rtp::Ssrc(o->ssrc),
                                   {.ntp = ntp, .rtp_timestamp = o->last_rtp_ts, .packet_count = o->packets,
                                    .octet_count = o->octets});
  }
  rtp::rtcp::write_sdes_cname(w, rtp::Ssrc(rtcp_ssrc_), cname_);
  if (!w.ok()) return;
  auto r = srtp_->protect_rtcp(base::MutableBytes(buf.data(), buf.size()), w.size());
  if (r) send_now(buf.data(), *r);
}

uint64_t ClientSession::expected() const {
  uint64_t n = 0;
  for (const auto& s : streams_) n += static_cast<uint64_t>(s.highest - s.first + 1);
  return n;
}

uint64_t ClientSession::received() const {
  uint64_t n = 0;
  for (const auto& s : streams_) n += s.count;
  return n;
}

}  // namespace medley::loadgen
