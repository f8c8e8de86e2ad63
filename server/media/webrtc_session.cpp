// WebRtcSession: ICE/DTLS/SRTP/SCTP on the shared port, received streams into routers, sinks out, RTCP per leg.
#include "server/media/webrtc_session.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "ice/demux.hpp"
#include "rtp/rtcp/compound.hpp"
#include "rtp/rtcp/nack.hpp"
#include "rtp/rtcp/pli.hpp"
#include "rtp/rtcp/remb.hpp"
#include "rtp/rtcp/sdes.hpp"
#include "rtp/rtcp/sender_report.hpp"
#include "server/log.hpp"
#include "server/media/clock.hpp"
#include "server/media/transcoder.hpp"

namespace medley::server::media {
namespace {

using Json = nlohmann::json;
namespace neg = rtp::negotiation;

// usrsctp is one process-wide stack that is not thread-safe (ice/usrsctp_runtime.hpp): its timers fire every
// association's callbacks, whatever strand asked. Every call into an SctpAssociation, and its destruction, holds
// this lock; recursive because a data-channel message may be delivered to another session (or back to the same
// one) from inside a pump.
std::recursive_mutex& sctp_lock() {
  static std::recursive_mutex m;
  return m;
}

constexpr size_t kMaxInbound = 16;      // received SSRCs per session: a peer cannot make us track more
constexpr size_t kMaxTwccArrivals = 4096;
constexpr uint8_t kNone = 0xFF;

rtp::rtcp::NtpTime ntp_now() {
  using namespace std::chrono;
  // NTP era 0 starts 1900-01-01: 2208988800 s before the Unix epoch.
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return rtp::rtcp::NtpTime::from_duration(base::Duration::micros(us + int64_t{2208988800} * 1'000'000));
}

std::string random_ice_chars(std::mt19937_64& rng, size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kChars[rng() % 64];
  return s;
}

const char* kind_name(WebRtcSession::Kind k) { return k == WebRtcSession::Kind::Audio ? "AUDIO" : "VIDEO"; }

std::optional<WebRtcSession::Kind> kind_of(neg::MediaKind k) {
  if (k == neg::MediaKind::Audio) return WebRtcSession::Kind::Audio;
  if (k == neg::MediaKind::Video) return WebRtcSession::Kind::Video;
  return std::nullopt;
}

Json candidate_json(const std::string& candidate, const std::string& mid, size_t index) {
  return {{"__module__", "kurento"},
          {"__type__", "IceCandidate"},
          {"candidate", candidate},
          {"sdpMid", mid},
          {"sdpMLineIndex", index}};
}

}  // namespace

struct WebRtcSession::Section {
  neg::NegotiatedMedia media;
  Kind kind = Kind::Video;
  rtp::ExtensionMap extensions;
  std::array<uint8_t, 128> apt{};  // RTX payload type -> its media payload type
  std::vector<std::pair<uint8_t, std::unique_ptr<rtp::Depacketizer>>> depacketizers;

  const neg::NegotiatedCodec* codec(uint8_t pt) const { return media.codec(rtp::PayloadType(pt)); }
  rtp::Depacketizer* depacketizer(uint8_t pt) const {
    for (const auto& [p, d] : depacketizers) {
      if (p == pt) return d.get();
    }
    return nullptr;
  }
};

struct WebRtcSession::Inbound {
  Inbound(Section* s, rtp::Ssrc ssrc, uint32_t clock_rate, bool nack)
      : section(s), ssrc(ssrc), stream(rtp::ReceiveStreamConfig{ssrc, clock_rate,
                                                                s->kind == Kind::Audio ? base::MediaKind::Audio
                                                                                       : base::MediaKind::Video,
                                                                nack, {}, base::Duration::millis(300)}) {}
  Section* section;
  rtp::Ssrc ssrc;
  std::optional<rtp::Ssrc> rtx_ssrc;
  rtp::ReceiveStream stream;
  uint64_t nacks_sent = 0;
  uint64_t plis_sent = 0;
};

struct WebRtcSession::Outbound {
  std::shared_ptr<RtpSink> sink;
};

WebRtcSession::WebRtcSession(Strand strand, MediaPort& port, std::shared_ptr<const ice::DtlsContext> dtls,
                             WebRtcSessionConfig config, SessionEventFn events, uint64_t seed)
    : strand_(strand),
      port_(port),
      dtls_context_(std::move(dtls)),
      config_(std::move(config)),
      events_(std::move(events)),
      seed_(seed),
      timer_(strand) {
  std::mt19937_64 rng(seed_);
  credentials_ = {random_ice_chars(rng, 8), random_ice_chars(rng, 24)};
  seed_ = rng();
  outputs_[0] = std::make_shared<Router>(RtpSourceInfo{MediaKind::Audio, 48000, {}, {}});
  outputs_[1] = std::make_shared<Router>(RtpSourceInfo{MediaKind::Video, 90000, {}, {}});
  // twcc_arrivals_ grows at the first transport-cc packet received: a viewer that only receives never needs it.
}

WebRtcSession::~WebRtcSession() {
  std::lock_guard lock(sctp_lock());
  channels_.reset();
  sctp_.reset();
}

void WebRtcSession::open() {
  std::weak_ptr<WebRtcSession> weak = weak_from_this();
  // Sinks ask for keyframes from whichever strand serves them; in a pipeline that is ours.
  outputs_[1]->set_keyframe_requester([weak](base::Timestamp now) {
    if (auto self = weak.lock()) self->request_keyframe_upstream(Kind::Video, now);
  });
  endpoint_id_ = port_.add_endpoint(weak);
  stun_tag_ = port_.add_stun_tag(endpoint_id_);
  port_.add_ufrag(credentials_.ufrag, endpoint_id_);
}

void WebRtcSession::install(neg::NegotiatedSession session, bool we_control) {
  boost::asio::post(strand_, [self = shared_from_this(), s = std::move(session), we_control]() mutable {
    self->do_install(std::move(s), we_control);
    self->arm_timer(steady_now());
  });
}

void WebRtcSession::gather_candidates() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->gather_wanted_ = true;
    if (self->installed_) self->start_ice(steady_now());
    self->arm_timer(steady_now());
  });
}

void WebRtcSession::add_remote_candidate(std::string candidate) {
  boost::asio::post(strand_, [self = shared_from_this(), c = std::move(candidate)]() mutable {
    if (self->closed_) return;
    if (!self->agent_) {
      // Kurento queues candidates that come before the SDP; so do we (bounded like the agent's own list).
      if (c.empty()) {
        self->early_end_of_candidates_ = true;
      } else if (self->early_candidates_.size() < 64) {
        self->early_candidates_.push_back(std::move(c));
      }
      return;
    }
    const base::Timestamp now = steady_now();
    if (c.empty()) {
      self->agent_->end_of_candidates(now, self->ice_out_);
    } else {
      self->agent_->add_remote_candidate(now, c, self->ice_out_);
    }
    self->drain_ice(now);
    self->arm_timer(now);
  });
}

void WebRtcSession::set_input(Kind kind, std::shared_ptr<Router> source) {
  boost::asio::post(strand_, [self = shared_from_this(), kind, source = std::move(source)]() mutable {
    const size_t k = static_cast<size_t>(kind);
    self->detach_sink(kind);
    self->inputs_[k] = std::move(source);
    if (!self->closed_) self->attach_sink(kind);
  });
}

void WebRtcSession::add_data_sink(std::weak_ptr<WebRtcSession> sink) {
  boost::asio::post(strand_, [self = shared_from_this(), sink = std::move(sink)]() mutable {
    self->data_sinks_.push_back(std::move(sink));
  });
}

void WebRtcSession::remove_data_sink(const WebRtcSession* sink) {
  boost::asio::post(strand_, [self = shared_from_this(), sink] {
    std::erase_if(self->data_sinks_, [sink](const std::weak_ptr<WebRtcSession>& w) {
      auto s = w.lock();
      return !s || s.get() == sink;
    });
  });
}

void WebRtcSession::create_data_channel(std::string label, ice::DataChannelInit init) {
  boost::asio::post(strand_, [self = shared_from_this(), label = std::move(label), init]() mutable {
    if (self->closed_) return;
    self->pending_channels_.push_back({std::move(label), init});
    self->open_pending_channels();
    self->arm_timer(steady_now());
  });
}

void WebRtcSession::close_data_channel(uint16_t id) {
  boost::asio::post(strand_, [self = shared_from_this(), id] {
    if (!self->channels_) return;
    std::lock_guard lock(sctp_lock());
    self->channels_->close(id);
    self->pump_sctp(steady_now());
    self->arm_timer(steady_now());
  });
}

void WebRtcSession::set_max_video_recv_bitrate(uint64_t bps) {
  boost::asio::post(strand_, [self = shared_from_this(), bps] {
    self->max_video_recv_bps_ = bps;
    // At once rather than at the next report: an application lowering the cap wants it now.
    if (self->srtp_) self->send_reports(steady_now());
  });
}

void WebRtcSession::close() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    const base::Timestamp now = steady_now();
    for (size_t k = 0; k < 2; ++k) {
      self->detach_sink(static_cast<Kind>(k));
      self->inputs_[k].reset();
    }
    if (self->sctp_) {
      std::lock_guard lock(sctp_lock());
      self->sctp_->close(now);
      self->pump_sctp(now);
    }
    if (self->dtls_) {
      self->dtls_->close(now, self->dtls_out_);
      for (auto& d : self->dtls_out_.datagrams) {
        if (self->remote_ && self->send_from_) self->port_.send(*self->send_from_, *self->remote_, d);
      }
      self->dtls_out_.clear();
    }
    self->data_sinks_.clear();
    self->timer_.cancel();
    if (self->resolver_) self->resolver_->cancel();
    self->port_.remove_endpoint(self->endpoint_id_);
  });
}

WebRtcSessionSnapshot WebRtcSession::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void WebRtcSession::on_datagram(const ice::TransportAddress& local, const ice::TransportAddress& from,
                                base::BufferRef datagram) {
  boost::asio::post(strand_, [self = shared_from_this(), local, from, d = std::move(datagram)]() mutable {
    if (self->closed_) return;
    SendBatch batch;  // what this packet fans out to leaves in sendmmsg batches
    self->handle_datagram(steady_now(), local, from, std::move(d));
  });
}

// ---- negotiation ----------------------------------------------------------------------------------------------

void WebRtcSession::do_install(neg::NegotiatedSession session, bool we_control) {
  if (closed_) return;
  if (installed_) {
    // A second offer/answer on a live session (renegotiation) keeps the transport; new streams are not wired yet.
    log::get("webrtc")->warn("Renegotiation is not supported yet: keeping the first negotiated session");
    return;
  }
  installed_ = true;
  negotiated_ = std::move(session);
  std::mt19937_64 rng(seed_);
  std::array<bool, 2> kind_taken{};
  for (const auto& m : negotiated_.media) {
    if (!m.accepted) continue;
    if (m.kind == neg::MediaKind::Data) {
      data_negotiated_ = true;
      continue;
    }
    auto kind = kind_of(m.kind);
    if (!kind) continue;
    const size_t k = static_cast<size_t>(*kind);
    if (bundle_mid_.empty()) {
      bundle_mid_ = m.mid;
      bundle_index_ = m.index;
    }
    if (kind_taken[k]) {
      log::get("webrtc")->warn("Only the first {} section is served; section {} is negotiated but idle",
                               kind_name(*kind), m.index);
      continue;
    }
    kind_taken[k] = true;
    auto s = std::make_unique<Section>();
    s->media = m;
    s->kind = *kind;
    s->apt.fill(kNone);
    for (const auto& e : m.extensions) s->extensions.register_uri(static_cast<uint8_t>(e.id), e.uri);
    RtpSourceInfo& info = outputs_[k]->mutable_info();
    info.extensions = s->extensions;
    info.codecs.clear();
    for (const auto& c : m.codecs) {
      info.codecs.emplace_back(c.payload_type, c.codec_id);
      if (c.rtx_payload_type) s->apt[c.rtx_payload_type->value & 0x7F] = c.payload_type.value;
      if (auto d = rtp::make_depacketizer(c.codec_id)) s->depacketizers.emplace_back(c.payload_type.value, std::move(d));
    }
    if (!m.codecs.empty()) info.clock_rate = m.codecs.front().clock_rate;
    if (m.send && k == 1) rtcp_ssrc_ = m.send->ssrc;
    if (m.send && cname_.empty()) cname_ = m.send->cname;
    sections_.push_back(std::move(s));
  }
  if (bundle_mid_.empty()) {
    for (const auto& m : negotiated_.media) {
      if (m.accepted) {
        bundle_mid_ = m.mid;
        bundle_index_ = m.index;
        break;
      }
    }
  }
  if (cname_.empty()) cname_ = random_ice_chars(rng, 16);
  if (rtcp_ssrc_.value == 1) {
    for (const auto& s : sections_) {
      if (s->media.send) rtcp_ssrc_ = s->media.send->ssrc;
    }
  }
  if (rtcp_ssrc_.value == 1) rtcp_ssrc_ = rtp::Ssrc(static_cast<uint32_t>(rng() | 1));

  // ICE: the agent exists from here; gathering starts when gatherCandidates asks (Kurento's order).
  ice::IceAgentConfig cfg;
  cfg.local = credentials_;
  cfg.role = we_control ? ice::IceRole::Controlling : ice::IceRole::Controlled;
  if (negotiated_.remote.ice_lite) cfg.role = ice::IceRole::Controlling;
  cfg.tie_breaker = rng();
  for (auto& b : cfg.random_seed) b = static_cast<uint8_t>(rng());
  cfg.host_addresses = port_.local_addresses();
  cfg.allow_loopback = config_.allow_loopback;
  cfg.stun_server = config_.stun_server;
  cfg.software = config_.software;
  cfg.transaction_tag = stun_tag_;
  agent_.emplace(cfg);
  agent_->set_remote_credentials(negotiated_.remote.ice_ufrag, negotiated_.remote.ice_pwd);
  seed_ = rng();

  // DTLS: our role from the negotiation (Kurento answers active: we are the client and start once ICE has a pair).
  ice::DtlsTransportConfig dcfg;
  dcfg.role = negotiated_.dtls_role == neg::DtlsRole::Client ? ice::DtlsRole::Client : ice::DtlsRole::Server;
  dcfg.mtu = config_.mtu;
  // No data channel in the SDP (renegotiation is not supported, so none can come later): DTLS only makes the SRTP
  // keys, and its OpenSSL session is freed once that is done.
  dcfg.release_when_idle = !data_negotiated_;
  for (const auto& fp : negotiated_.remote.fingerprints) {
    if (auto parsed = ice::Fingerprint::from_bytes(fp.hash_function, fp.bytes)) {
      dcfg.remote_fingerprint = *parsed;
      break;
    }
  }
  if (!dcfg.remote_fingerprint) {
    fail("the remote description has no usable DTLS fingerprint");
    return;
  }
  dtls_.emplace(dtls_context_, dcfg);
  const base::Timestamp now = steady_now();
  if (dcfg.role == ice::DtlsRole::Server) {
    dtls_->start(now, dtls_out_);
    drain_dtls(now);
  }
  for (const auto& c : negotiated_.remote.candidates) agent_->add_remote_candidate(now, c.to_string(), ice_out_);
  for (const auto& c : early_candidates_) agent_->add_remote_candidate(now, c, ice_out_);
  early_candidates_.clear();
  if (early_end_of_candidates_ || negotiated_.remote.end_of_candidates) agent_->end_of_candidates(now, ice_out_);
  if (gather_wanted_) {
    start_ice(now);
  } else {
    drain_ice(now);
  }
  publish_snapshot();
}

void WebRtcSession::start_ice(base::Timestamp now) {
  if (!agent_) return;
  agent_->start(now, ice_out_);
  drain_ice(now);
}

// ---- datagrams in ---------------------------------------------------------------------------------------------

void WebRtcSession::handle_datagram(base::Timestamp now, const ice::TransportAddress& local,
                                    const ice::TransportAddress& from, base::BufferRef datagram) {
  const base::Bytes bytes(datagram->data(), datagram->size());
  switch (ice::classify_datagram(bytes)) {
    case ice::DatagramKind::Stun:
      if (agent_) {
        const bool used = !agent_->handle_stun(now, local, from, bytes, ice_out_).has_value();
        // An authenticated check from a new address: what comes next from there (DTLS, media) is ours. Claimed
        // before our response goes out, so the port knows it by the time the peer's DTLS follows. Only requests
        // claim: a used request passed MESSAGE-INTEGRITY, an answer may be an unauthenticated 400/401.
        const bool request = bytes.size() >= 2 && (bytes[0] & 0x01) == 0 && (bytes[1] & 0x10) == 0;
        if (used && request && std::find(known_remotes_.begin(), known_remotes_.end(), from) == known_remotes_.end() &&
            known_remotes_.size() < 16) {
          known_remotes_.push_back(from);
          port_.add_remote(from, endpoint_id_);
        }
        drain_ice(now);
      }
      break;
    case ice::DatagramKind::Dtls:
      if (!dtls_) break;
      // A DTLS client may speak before our agent selects its pair (it saw its own checks succeed): answer there.
      if (!remote_) {
        remote_ = from;
        send_from_ = local;
      }
      dtls_->handle_datagram(now, bytes, dtls_out_);
      drain_dtls(now);
      break;
    case ice::DatagramKind::Rtp:
      handle_rtp(now, std::move(datagram));
      break;
    case ice::DatagramKind::Rtcp:
      handle_rtcp(now, std::move(datagram));
      break;
    default:
      break;
  }
  arm_timer(now);
}

WebRtcSession::Inbound* WebRtcSession::inbound_for(const rtp::RtpPacketView& raw, bool& is_rtx) {
  const rtp::Ssrc ssrc = raw.ssrc();
  for (auto& in : inbound_) {
    if (in->ssrc == ssrc) {
      is_rtx = false;
      return in.get();
    }
    if (in->rtx_ssrc && *in->rtx_ssrc == ssrc) {
      is_rtx = true;
      return in.get();
    }
  }
  // A new SSRC: its section by payload type (unique across a BUNDLE group, RFC 8843 §9.1).
  const uint8_t pt = raw.payload_type().value;
  for (auto& s : sections_) {
    if (!s->media.receives()) continue;
    if (s->apt[pt] != kNone) {
      // RTX for a stream: the one the SDP pairs it with (a=ssrc-group:FID), else the section's only stream.
      std::optional<rtp::Ssrc> media;
      for (const auto& [m, r] : s->media.remote.fid_groups) {
        if (r == ssrc) media = m;
      }
      Inbound* target = nullptr;
      size_t in_section = 0;
      for (auto& in : inbound_) {
        if (in->section != s.get()) continue;
        ++in_section;
        if (media && in->ssrc == *media) target = in.get();
        if (!media) target = in.get();
      }
      if (!target || (!media && in_section != 1) || target->rtx_ssrc) return nullptr;
      target->rtx_ssrc = ssrc;
      is_rtx = true;
      return target;
    }
    if (const auto* c = s->codec(pt)) {
      if (inbound_.size() >= kMaxInbound) return nullptr;
      const bool nack = c->has_feedback("nack");
      inbound_.push_back(std::make_unique<Inbound>(s.get(), ssrc, c->clock_rate, nack));
      is_rtx = false;
      return inbound_.back().get();
    }
  }
  return nullptr;
}

void WebRtcSession::handle_rtp(base::Timestamp now, base::BufferRef buf) {
  if (!srtp_) return;
  auto n = srtp_->unprotect_rtp(buf->writable(), buf->size());
  if (!n) {
    ++srtp_errors_;
    return;
  }
  buf->resize(*n);
  // Parsed with the first section's ids (a BUNDLE group shares them in practice), so the transport-wide number
  // of every packet is recorded, padding-only probes and RTX on a not-yet-known SSRC included: the sender's
  // estimator needs feedback on all of them.
  static const rtp::ExtensionMap kNoExtensions;
  const rtp::ExtensionMap& first = sections_.empty() ? kNoExtensions : sections_.front()->extensions;
  auto raw = rtp::RtpPacketView::parse(base::Bytes(buf->data(), buf->size()), first);
  if (!raw) return;
  if (auto tseq = raw->transport_sequence_number(); tseq && twcc_arrivals_.size() < kMaxTwccArrivals) {
    if (twcc_arrivals_.capacity() == 0) twcc_arrivals_.reserve(256);
    twcc_arrivals_.push_back({*tseq, now});
  }
  bool is_rtx = false;
  Inbound* in = inbound_for(*raw, is_rtx);
  if (!in) return;
  Section& s = *in->section;
  if (is_rtx) {
    // RFC 4588 in place: the original sequence number leads the payload; the header moves over it.
    const base::Bytes payload = raw->payload();
    if (payload.size() < 2) return;  // padding-only bandwidth probe
    const uint16_t osn = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
    const uint8_t apt = s.apt[raw->payload_type().value];
    const size_t header = raw->header_size();
    uint8_t* d = buf->data();
    std::memmove(d + 2, d, header);
    buf->consume_front(2);
    d = buf->data();
    d[1] = static_cast<uint8_t>((d[1] & 0x80) | apt);
    d[2] = static_cast<uint8_t>(osn >> 8);
    d[3] = static_cast<uint8_t>(osn);
    const uint32_t media = in->ssrc.value;
    d[8] = static_cast<uint8_t>(media >> 24);
    d[9] = static_cast<uint8_t>(media >> 16);
    d[10] = static_cast<uint8_t>(media >> 8);
    d[11] = static_cast<uint8_t>(media);
  }
  auto view = rtp::RtpPacketView::parse(base::Bytes(buf->data(), buf->size()), s.extensions);
  if (!view) return;
  bool keyframe = false;
  if (auto* dep = s.depacketizer(view->payload_type().value)) {
    if (auto info = dep->inspect(view->payload())) keyframe = info->frame_start && info->keyframe;
  }
  if (!in->stream.handle_packet(*view, now, keyframe, is_rtx)) return;
  const size_t k = static_cast<size_t>(s.kind);
  last_in_[k] = now;
  if (!flowing_in_[k]) update_flow(now);
  Router& router = *outputs_[k];
  router.publish(PublishedPacket{buf, *view, &router.info(), now}, now);
  if (in->stream.next_timeout() <= now) send_feedback(now);
}

void WebRtcSession::handle_rtcp(base::Timestamp now, base::BufferRef buf) {
  if (!srtp_) return;
  auto n = srtp_->unprotect_rtcp(buf->writable(), buf->size());
  if (!n) {
    ++srtp_errors_;
    return;
  }
  if (!media_connected_) {
    media_connected_ = true;
    emit("MediaStateChanged", {{"oldState", "DISCONNECTED"}, {"newState", "CONNECTED"}});
    publish_snapshot();
  }
  namespace rtcp = rtp::rtcp;
  rtcp::CompoundReader reader(base::Bytes(buf->data(), *n), rtcp::ReadOptions{.padding_only_last = false});
  while (auto packet = reader.next()) {
    if (auto* sr = std::get_if<rtcp::SenderReportView>(&*packet)) {
      for (auto& in : inbound_) {
        if (in->ssrc == sr->sender_ssrc()) in->stream.handle_sender_report(sr->sender_info(), now);
      }
    }
    if (sink_transport_) {
      // The leg's estimate: TWCC feedback and REMB on what we send (the publisher hears the lowest of its legs).
      if (auto* fb = std::get_if<rtcp::TwccFeedbackView>(&*packet)) {
        if (sink_transport_->estimator().on_feedback(*fb, now)) sink_transport_->publish_estimate();
      } else if (auto* remb = std::get_if<rtcp::RembView>(&*packet)) {
        sink_transport_->estimator().on_remb(remb->bitrate_bps(), now);
        sink_transport_->publish_estimate();
      }
    }
    for (auto& out : outbound_) {
      if (out) out->sink->handle_rtcp(*packet, now);
    }
  }
  // The subscriber's RTT (from its reports on what we send) paces the NACKs we send on what we receive.
  for (auto& out : outbound_) {
    if (!out) continue;
    if (auto rtt = out->sink->sender_report().rtt()) {
      for (auto& in : inbound_) in->stream.set_rtt(*rtt);
      break;
    }
  }
}

// ---- ICE, DTLS, SCTP outputs ----------------------------------------------------------------------------------

void WebRtcSession::drain_ice(base::Timestamp now) {
  for (const auto& t : ice_out_.transmits) port_.send(t.local, t.remote, t.bytes);
  // Events may start DTLS, which must not run while we iterate the agent's outbox.
  std::vector<ice::IceEvent> events(ice_out_.events.begin(), ice_out_.events.end());
  ice_out_.clear();
  for (auto& e : events) {
    if (auto* c = std::get_if<ice::CandidateGathered>(&e)) {
      emit("IceCandidateFound", {{"candidate", candidate_json(c->candidate.to_string(), bundle_mid_, bundle_index_)}});
    } else if (std::get_if<ice::GatheringDone>(&e)) {
      emit("IceGatheringDone", Json::object());
    } else if (auto* st = std::get_if<ice::StateChanged>(&e)) {
      ice_state_ = st->state;
      emit("IceComponentStateChanged",
           {{"state", std::string(ice::to_string(st->state))}, {"streamId", 1}, {"componentId", 1}});
      if (st->state == ice::IceState::Failed) {
        log::get("webrtc")->info("ICE failed ({})", credentials_.ufrag);
        // RFC 7675 §5.1: without consent, stop sending (an ICE restart would need a new negotiation).
        stop_sending("ICE failed or consent expired");
      }
      publish_snapshot();
    } else if (auto* sel = std::get_if<ice::SelectedPairChanged>(&e)) {
      remote_ = sel->remote.address;
      send_from_ = sel->send_from;
      port_.add_remote(*remote_, endpoint_id_);
      emit("NewCandidatePairSelected",
           {{"candidatePair",
             {{"__module__", "kurento"},
              {"__type__", "IceCandidatePair"},
              {"streamId", bundle_mid_},
              {"componentId", 1},
              {"localCandidate", sel->local.to_string()},
              {"remoteCandidate", sel->remote.to_string()}}}});
      if (dtls_ && dtls_->role() == ice::DtlsRole::Client && dtls_->state() == ice::DtlsTransport::State::New) {
        dtls_->start(now, dtls_out_);
        drain_dtls(now);
      }
      publish_snapshot();
    } else if (auto* r = std::get_if<ice::ResolveHostname>(&e)) {
      resolve(r->name);
    } else if (auto* rej = std::get_if<ice::RemoteCandidateRejected>(&e)) {
      log::get("ice")->debug("Remote candidate not used: {} ({})", rej->candidate, rej->reason);
    }
  }
}

void WebRtcSession::drain_dtls(base::Timestamp now) {
  for (const auto& d : dtls_out_.datagrams) {
    if (remote_ && send_from_) port_.send(*send_from_, *remote_, d);
  }
  std::vector<ice::DtlsEvent> events(std::make_move_iterator(dtls_out_.events.begin()),
                                     std::make_move_iterator(dtls_out_.events.end()));
  dtls_out_.clear();
  for (auto& e : events) {
    if (auto* c = std::get_if<ice::DtlsConnected>(&e)) {
      on_dtls_connected(now, *c);
    } else if (auto* f = std::get_if<ice::DtlsFailed>(&e)) {
      fail("DTLS handshake failed: " + f->reason);
    } else if (std::get_if<ice::DtlsClosed>(&e)) {
      stop_sending("the peer closed DTLS");
      if (connected_) {
        connected_ = false;
        emit("ConnectionStateChanged", {{"oldState", "CONNECTED"}, {"newState", "DISCONNECTED"}});
        publish_snapshot();
      }
    } else if (auto* a = std::get_if<ice::DtlsApplicationData>(&e)) {
      if (sctp_) {
        std::lock_guard lock(sctp_lock());
        sctp_->handle_packet(now, a->bytes);
        pump_sctp(now);
      }
    }
  }
}

void WebRtcSession::on_dtls_connected(base::Timestamp now, const ice::DtlsConnected& c) {
  auto profile = rtp::srtp_profile_from_dtls_id(c.srtp_profile_id);
  if (!profile) {
    fail("DTLS negotiated no SRTP protection profile");
    return;
  }
  rtp::SrtpConfig cfg;
  cfg.profile = *profile;
  auto s = rtp::SrtpSession::from_dtls(
      cfg, c.keying_material, c.role == ice::DtlsRole::Server ? rtp::SrtpKeyRole::DtlsServer : rtp::SrtpKeyRole::DtlsClient);
  if (!s) {
    fail("SRTP keys from DTLS were refused");
    return;
  }
  srtp_.emplace(std::move(*s));
  srtp_profile_ = c.srtp_profile_name;
  connected_ = true;
  log::get("webrtc")->info("DTLS connected ({}), SRTP {}", credentials_.ufrag, c.srtp_profile_name);
  emit("ConnectionStateChanged", {{"oldState", "DISCONNECTED"}, {"newState", "CONNECTED"}});
  create_sinks();
  next_rtcp_ = now + base::Duration::millis(200);
  next_twcc_ = now + config_.twcc_interval;
  next_flow_check_ = now + base::Duration::millis(500);
  if (data_negotiated_) {
    ice::SctpConfig scfg;
    for (const auto& m : negotiated_.media) {
      if (m.accepted && m.kind == neg::MediaKind::Data) {
        scfg.local_port = m.local_sctp_port ? m.local_sctp_port : 5000;
        scfg.remote_port = m.remote_sctp_port.value_or(5000);
        if (m.remote_max_message_size && *m.remote_max_message_size > 0) {
          scfg.max_send_message_size = static_cast<size_t>(std::min<uint64_t>(*m.remote_max_message_size, 1 << 30));
        }
      }
    }
    std::lock_guard lock(sctp_lock());
    sctp_.emplace(scfg);
    channels_.emplace(ice::DataChannelSetConfig{.dtls_client = c.role == ice::DtlsRole::Client,
                                                .max_channels = 1024,
                                                .max_message_size = scfg.max_send_message_size});
    sctp_->start(now);
    pump_sctp(now);
  }
  publish_snapshot();
}

void WebRtcSession::pump_sctp(base::Timestamp now) {
  if (!sctp_ || !channels_) return;
  std::lock_guard lock(sctp_lock());
  // A message delivered back to this session from inside the loop (a data loopback) is flushed by this loop's
  // next round, not by a nested pump: no recursion a burst of messages could deepen.
  if (pumping_) return;
  pumping_ = true;
  for (int round = 0; round < 64; ++round) {
    bool any = false;
    while (auto e = sctp_->poll_event()) {
      any = true;
      channels_->handle_sctp_event(std::move(*e));
    }
    while (auto e = channels_->poll_event()) {
      any = true;
      on_channel_event(std::move(*e));
    }
    channels_->flush_to(*sctp_);
    std::vector<uint8_t> pkt;
    while (sctp_->poll_transmit(pkt)) {
      any = true;
      if (dtls_) dtls_->send_application_data(pkt, dtls_out_);
    }
    if (!any) break;
  }
  pumping_ = false;
  for (const auto& d : dtls_out_.datagrams) {
    if (remote_ && send_from_) port_.send(*send_from_, *remote_, d);
  }
  dtls_out_.datagrams.clear();
  (void)now;
}

void WebRtcSession::on_channel_event(ice::DataChannelSet::Event e) {
  if (auto* o = std::get_if<ice::DataChannelSet::ChannelOpened>(&e)) {
    open_channels_.emplace_back(o->id, o->label);
    emit("DataChannelOpened", {{"channelId", o->id}});
    publish_snapshot();
  } else if (auto* m = std::get_if<ice::DataChannelSet::Message>(&e)) {
    std::string label;
    for (const auto& [id, l] : open_channels_) {
      if (id == m->id) label = l;
    }
    // Held while we call other sessions (same strand: a pipeline's elements share it).
    auto sinks = data_sinks_;
    for (const auto& w : sinks) {
      if (auto sink = w.lock()) sink->deliver_data(m->id, label, m->binary, m->bytes);
    }
  } else if (auto* c = std::get_if<ice::DataChannelSet::ChannelClosed>(&e)) {
    std::erase_if(open_channels_, [&](const auto& p) { return p.first == c->id; });
    emit("DataChannelClosed", {{"channelId", c->id}});
    publish_snapshot();
  }
}

// A message from a connected element's data channel: out on our channel of the same label (the same id when it
// is our own, i.e. a loopback), as Kurento's data-channel pass-through does.
void WebRtcSession::deliver_data(uint16_t id, const std::string& label, bool binary, base::Bytes bytes) {
  if (!channels_ || closed_) return;
  std::optional<uint16_t> target;
  for (const auto& [cid, l] : open_channels_) {
    if (cid == id && l == label) target = cid;
  }
  if (!target) {
    for (const auto& [cid, l] : open_channels_) {
      if (l == label) {
        target = cid;
        break;
      }
    }
  }
  if (!target) return;
  std::lock_guard lock(sctp_lock());
  channels_->send(*target, binary, bytes);
  pump_sctp(steady_now());
}

void WebRtcSession::open_pending_channels() {
  if (!channels_ || !sctp_) return;
  std::lock_guard lock(sctp_lock());
  for (auto& p : pending_channels_) {
    auto r = channels_->open(p.label, p.init);
    if (!r) log::get("webrtc")->warn("createDataChannel '{}' failed", p.label);
  }
  pending_channels_.clear();
  pump_sctp(steady_now());
}

// ---- sending --------------------------------------------------------------------------------------------------

void WebRtcSession::create_sinks() {
  std::weak_ptr<WebRtcSession> weak = weak_from_this();
  sink_transport_ = std::make_unique<RtpSinkTransport>(&*srtp_, [this](base::BufferRef d) {
    if (sending_ && remote_ && send_from_) port_.send(*send_from_, *remote_, base::Bytes(d->data(), d->size()));
  });
  std::mt19937_64 rng(seed_);
  seed_ = rng();
  for (const auto& s : sections_) {
    const neg::NegotiatedMedia& m = s->media;
    if (!m.sends() || !m.send || m.codecs.empty()) continue;
    RtpSinkConfig cfg;
    cfg.ssrc = m.send->ssrc;
    cfg.first_sequence = static_cast<uint16_t>(rng() & 0x3FFF);
    cfg.first_timestamp = static_cast<uint32_t>(rng());
    cfg.clock_rate = m.codecs.front().clock_rate;
    cfg.rtx_ssrc = m.send->rtx_ssrc;
    cfg.extensions = s->extensions;
    cfg.mid = m.mid;
    bool nack = false;
    for (const auto& c : m.codecs) {
      cfg.codecs.push_back({c.payload_type, c.codec_id, c.rtx_payload_type});
      nack = nack || c.has_feedback("nack");
      if (c.rtx_payload_type && cfg.rtx_payload_type.value == 0) cfg.rtx_payload_type = *c.rtx_payload_type;
    }
    cfg.nack = nack && cfg.rtx_ssrc.has_value();
    if (!cfg.rtx_ssrc) cfg.nack = false;
    const size_t k = static_cast<size_t>(s->kind);
    outbound_[k] = std::make_unique<Outbound>();
    outbound_[k]->sink = std::make_shared<RtpSink>(std::move(cfg), *sink_transport_);
    attach_sink(s->kind);
  }
  open_pending_channels();
}

void WebRtcSession::stop_sending(const char* why) {
  if (!sending_) return;
  sending_ = false;
  log::get("webrtc")->info("WebRtcEndpoint {} stops sending: {}", credentials_.ufrag, why);
  for (size_t k = 0; k < 2; ++k) detach_sink(static_cast<Kind>(k));
}

void WebRtcSession::detach_sink(Kind kind) {
  const size_t k = static_cast<size_t>(kind);
  if (outbound_[k] && attached_[k]) attached_[k]->remove_sink(outbound_[k]->sink.get());
  attached_[k].reset();
}

// Passthrough when the source's codec is one our peer negotiated; otherwise the source's shared transcoding branch
// to our peer's preferred video codec (issue 6), announced as Kurento does (MediaTranscodingStateChanged).
void WebRtcSession::attach_sink(Kind kind) {
  const size_t k = static_cast<size_t>(kind);
  if (!sending_ || !outbound_[k] || !inputs_[k]) return;
  std::shared_ptr<Router> source = inputs_[k];
  const auto& theirs = source->info().codecs;
  const auto& mine = outbound_[k]->sink->config().codecs;
  // The source sends the first codec of its negotiated list (the answer's order); not negotiated yet: assume
  // passthrough (the sink maps payload types by codec when it binds).
  bool common = theirs.empty();
  for (const auto& m : mine) common = common || m.codec == theirs.front().second;
  bool transcoding = false;
  if (!common && kind == Kind::Audio) {
    for (const auto& m : mine) {
      if (m.codec == base::CodecId::Opus || m.codec == base::CodecId::Pcmu || m.codec == base::CodecId::Pcma) {
        source = transcoded_branch(*source, m.codec, seed_++);
        transcoding = true;
        break;
      }
    }
  }
  if (!common && kind == Kind::Video) {
    for (const auto& m : mine) {
      if (m.codec == base::CodecId::H264 || m.codec == base::CodecId::Vp8 || m.codec == base::CodecId::Vp9) {
        log::get("transcode")->info("TRANSCODING ACTIVE for video: {} -> {} (the peer of {} does not receive {})",
                                    base::codec_name(theirs.front().second), base::codec_name(m.codec),
                                    credentials_.ufrag, base::codec_name(theirs.front().second));
        source = transcoded_branch(*source, m.codec, seed_++);
        transcoding = true;
        break;
      }
    }
  }
  if (transcoding != transcoding_[k]) {
    transcoding_[k] = transcoding;
    emit("MediaTranscodingStateChanged", {{"state", transcoding ? "TRANSCODING" : "NOT_TRANSCODING"},
                                          {"binName", "transcoder_" + std::string(kind_name(kind))},
                                          {"mediaType", kind_name(kind)}});
    publish_snapshot();
  }
  attached_blind_[k] = theirs.empty();
  source->add_sink(outbound_[k]->sink);
  attached_[k] = std::move(source);
}

void WebRtcSession::send_rtcp(base::Timestamp, std::span<uint8_t> buffer, size_t len) {
  if (!sending_ || !srtp_ || !remote_ || !send_from_) return;
  auto n = srtp_->protect_rtcp(buffer, len);
  if (!n) return;
  port_.send(*send_from_, *remote_, base::Bytes(buffer.data(), *n));
}

// NACKs and keyframe requests the received streams want now.
void WebRtcSession::send_feedback(base::Timestamp now) {
  namespace rtcp = rtp::rtcp;
  std::vector<uint16_t> nacks;
  for (auto& in : inbound_) {
    if (in->stream.next_timeout() > now) continue;
    nacks.clear();
    const rtp::ReceiveFeedback fb = in->stream.poll_feedback(now, nacks);
    if (nacks.empty() && !fb.keyframe_request) continue;
    std::array<uint8_t, 1500> buf{};
    rtcp::CompoundWriter w(base::MutableBytes(buf.data(), buf.size() - 64));
    if (!nacks.empty()) {
      // At most what fits one packet; the generator asks again for the rest.
      const size_t count = std::min<size_t>(nacks.size(), 200);
      w.append([&](base::ByteWriter& bw) {
        return rtcp::write_nack(bw, rtcp_ssrc_, in->ssrc, std::span<const uint16_t>(nacks.data(), count));
      });
      ++in->nacks_sent;
    }
    if (fb.keyframe_request) {
      w.append([&](base::ByteWriter& bw) { return rtcp::write_pli(bw, rtcp_ssrc_, in->ssrc); });
      ++in->plis_sent;
    }
    if (w.size() > 0) send_rtcp(now, buf, w.size());
  }
}

void WebRtcSession::request_keyframe_upstream(Kind kind, base::Timestamp now) {
  if (closed_) return;
  for (auto& in : inbound_) {
    if (in->section->kind == kind) in->stream.request_keyframe();
  }
  send_feedback(now);
  arm_timer(now);
}

// RFC 3550 reports: an SR per stream we send (the first carries the report blocks on what we receive), or an RR
// when we send nothing, then our CNAME.
void WebRtcSession::send_reports(base::Timestamp now) {
  namespace rtcp = rtp::rtcp;
  std::array<uint8_t, 1500> buf{};
  rtcp::CompoundWriter w(base::MutableBytes(buf.data(), buf.size() - 64));
  std::vector<rtcp::ReportBlock> blocks;
  for (auto& in : inbound_) {
    if (in->stream.statistics().has_packets() && blocks.size() < 31) blocks.push_back(in->stream.make_report_block(now));
  }
  const rtcp::NtpTime ntp = ntp_now();
  bool first = true;
  rtp::Ssrc sdes_ssrc = rtcp_ssrc_;
  for (auto& out : outbound_) {
    if (!out) continue;
    auto info = out->sink->make_sender_info(now, ntp);
    if (!info) continue;
    const rtp::Ssrc ssrc = out->sink->config().ssrc;
    w.append([&](base::ByteWriter& bw) {
      return rtcp::write_sender_report(bw, ssrc, *info, first ? std::span<const rtcp::ReportBlock>(blocks)
                                                              : std::span<const rtcp::ReportBlock>());
    });
    if (first) sdes_ssrc = ssrc;
    first = false;
  }
  if (first) {
    if (blocks.empty()) return;  // nothing sent, nothing received: nothing to report yet
    w.append([&](base::ByteWriter& bw) { return rtcp::write_receiver_report(bw, rtcp_ssrc_, blocks); });
  }
  w.append([&](base::ByteWriter& bw) { return rtcp::write_sdes_cname(bw, sdes_ssrc, cname_); });
  // REMB to the publisher: the lowest estimate of the legs its video reaches, within maxVideoRecvBandwidth.
  uint64_t remb = outputs_[1]->min_sink_estimate();
  if (max_video_recv_bps_ > 0 && (remb == 0 || max_video_recv_bps_ < remb)) remb = max_video_recv_bps_;
  if (remb > 0) {
    std::vector<rtp::Ssrc> video;
    for (auto& in : inbound_) {
      if (in->section->kind == Kind::Video) video.push_back(in->ssrc);
    }
    if (!video.empty()) {
      w.append([&](base::ByteWriter& bw) { return rtcp::write_remb(bw, rtcp_ssrc_, remb, video); });
    }
  }
  send_rtcp(now, buf, w.size());
}

// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01): the arrival
// times of the publisher's packets, so its own estimator (libwebrtc's GCC) sets its send rate.
void WebRtcSession::send_twcc(base::Timestamp now) {
  namespace rtcp = rtp::rtcp;
  if (twcc_arrivals_.empty()) return;
  if (!twcc_) {
    rtp::Ssrc media{0};
    for (auto& in : inbound_) media = in->ssrc;
    twcc_.emplace(rtcp_ssrc_, media, 1200);
  }
  // Arrival order is not sequence order after reordering or retransmission: sort by unwrapped number, drop
  // duplicates (the builder wants increasing numbers).
  std::vector<std::pair<int64_t, base::Timestamp>> sorted;
  sorted.reserve(twcc_arrivals_.size());
  for (const auto& a : twcc_arrivals_) sorted.emplace_back(twcc_unwrap_.unwrap(a.seq), a.arrival);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  twcc_arrivals_.clear();
  int64_t last = INT64_MIN;
  for (const auto& [seq, t] : sorted) {
    if (seq == last) continue;
    last = seq;
    twcc_arrivals_.push_back({static_cast<uint16_t>(seq), t});
  }
  std::span<const rtcp::TwccArrival> rest(twcc_arrivals_);
  while (!rest.empty()) {
    std::array<uint8_t, 1500> buf{};
    base::ByteWriter w(base::MutableBytes(buf.data(), 1200));
    const size_t used = twcc_->write(rest, w);
    if (used == 0) break;
    rest = rest.subspan(used);
    send_rtcp(now, buf, w.size());
  }
  twcc_arrivals_.clear();
}

// ---- time -----------------------------------------------------------------------------------------------------

void WebRtcSession::update_flow(base::Timestamp now) {
  // A sink wired before its source negotiated (Kurento's usual order: connect, then the offers) is decided again
  // once the source's codecs are known: passthrough, or the transcoding branch.
  for (size_t k = 0; k < 2; ++k) {
    if (attached_blind_[k] && inputs_[k] && !inputs_[k]->info().codecs.empty()) {
      detach_sink(static_cast<Kind>(k));
      attach_sink(static_cast<Kind>(k));
    }
  }
  bool changed = false;
  for (size_t k = 0; k < 2; ++k) {
    const bool in = !last_in_[k].is_infinite() && last_in_[k] != base::Timestamp{} &&
                    now - last_in_[k] < config_.flow_timeout;
    if (in != flowing_in_[k]) {
      flowing_in_[k] = in;
      changed = true;
      emit("MediaFlowInStateChanged", {{"state", in ? "FLOWING" : "NOT_FLOWING"},
                                       {"padName", "default"},
                                       {"mediaType", kind_name(static_cast<Kind>(k))}});
    }
    const uint64_t sent = outbound_[k] ? outbound_[k]->sink->stats().forwarded : 0;
    if (sent != last_out_count_[k]) {
      last_out_count_[k] = sent;
      last_out_change_[k] = now;
    }
    const bool out = sent > 0 && now - last_out_change_[k] < config_.flow_timeout;
    if (out != flowing_out_[k]) {
      flowing_out_[k] = out;
      changed = true;
      emit("MediaFlowOutStateChanged", {{"state", out ? "FLOWING" : "NOT_FLOWING"},
                                        {"padName", "default"},
                                        {"mediaType", kind_name(static_cast<Kind>(k))}});
    }
  }
  if (changed) publish_snapshot();
}

void WebRtcSession::handle_timeout(base::Timestamp now) {
  if (closed_) return;
  if (agent_ && agent_->next_timeout() <= now) {
    agent_->handle_timeout(now, ice_out_);
    drain_ice(now);
  }
  if (dtls_ && dtls_->next_timeout() <= now) {
    dtls_->handle_timeout(now, dtls_out_);
    drain_dtls(now);
  }
  if (sctp_) {
    std::lock_guard lock(sctp_lock());
    if (sctp_->next_timeout() <= now) {
      sctp_->handle_timeout(now);
      pump_sctp(now);
    }
  }
  if (srtp_) {
    send_feedback(now);
    for (auto& r : outputs_) {
      if (r->next_timeout() <= now) r->handle_timeout(now);
    }
    if (now >= next_twcc_) {
      send_twcc(now);
      next_twcc_ = now + config_.twcc_interval;
    }
    if (now >= next_rtcp_) {
      send_reports(now);
      next_rtcp_ = now + config_.rtcp_interval;
    }
    if (now >= next_flow_check_) {
      update_flow(now);
      publish_snapshot();
      next_flow_check_ = now + base::Duration::millis(500);
    }
  }
  arm_timer(now);
}

void WebRtcSession::arm_timer(base::Timestamp now) {
  if (closed_) return;
  base::Timestamp next = base::Timestamp::infinite();
  if (agent_) next = base::earliest(next, agent_->next_timeout());
  if (dtls_) next = base::earliest(next, dtls_->next_timeout());
  if (sctp_) {
    std::lock_guard lock(sctp_lock());
    next = base::earliest(next, sctp_->next_timeout());
  }
  if (srtp_) {
    next = base::earliest(next, next_rtcp_);
    next = base::earliest(next, next_flow_check_);
    if (!twcc_arrivals_.empty()) next = base::earliest(next, next_twcc_);
    for (auto& in : inbound_) next = base::earliest(next, in->stream.next_timeout());
    for (auto& r : outputs_) next = base::earliest(next, r->next_timeout());
  }
  if (next.is_infinite()) return;
  if (next < now) next = now;
  // Re-arming costs a cancel and a heap update: only when the deadline moves earlier (or the timer is idle).
  if (!timer_at_.is_infinite() && timer_at_ <= next) return;
  timer_at_ = next;
  timer_.expires_after(std::chrono::microseconds((next - now).us()));
  std::weak_ptr<WebRtcSession> weak = weak_from_this();
  timer_.async_wait(boost::asio::bind_executor(strand_, [weak](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    self->timer_at_ = base::Timestamp::infinite();
    self->handle_timeout(steady_now());
  }));
}

// mDNS candidates ("<uuid>.local") through the system resolver (nss-mdns when installed); one that does not
// resolve is dropped with a log line, and the peer's checks still reach us as peer-reflexive candidates.
void WebRtcSession::resolve(const std::string& name) {
  if (!resolver_) resolver_.emplace(strand_);
  std::weak_ptr<WebRtcSession> weak = weak_from_this();
  resolver_->async_resolve(
      name, "0", boost::asio::bind_executor(strand_, [weak, name](const boost::system::error_code& ec,
                                                                   boost::asio::ip::udp::resolver::results_type r) {
        auto self = weak.lock();
        if (!self || self->closed_ || !self->agent_) return;
        const base::Timestamp now = steady_now();
        std::optional<ice::TransportAddress> found;
        if (!ec) {
          for (const auto& entry : r) {
            found = ice::TransportAddress::parse(entry.endpoint().address().to_string(), 0);
            if (found) break;
          }
        }
        if (found) {
          self->agent_->add_resolved_address(now, name, *found, self->ice_out_);
        } else {
          self->agent_->hostname_unresolved(now, name, ec ? ec.message() : "no address", self->ice_out_);
        }
        self->drain_ice(now);
        self->arm_timer(now);
      }));
}

// ---- plumbing -------------------------------------------------------------------------------------------------

void WebRtcSession::publish_snapshot() {
  WebRtcSessionSnapshot s;
  s.ice_state = ice_state_;
  s.connected = connected_;
  s.media_connected = media_connected_;
  if (agent_ && agent_->selected_pair()) {
    s.local_candidate = agent_->selected_pair()->local.to_string();
    s.remote_candidate = agent_->selected_pair()->remote.to_string();
  }
  s.flowing_in = flowing_in_;
  s.flowing_out = flowing_out_;
  for (auto& in : inbound_) {
    const size_t k = static_cast<size_t>(in->section->kind);
    const auto& st = in->stream.statistics();
    s.packets_in[k] += st.packets_received();
    s.bytes_in[k] += st.bytes_received();
    s.packets_lost[k] += static_cast<uint64_t>(std::max<int64_t>(0, st.cumulative_lost()));
    s.jitter_ms[k] = std::max(s.jitter_ms[k], st.jitter_duration().us() / 1000.0);
    s.nacks_sent[k] += in->nacks_sent;
    s.plis_sent[k] += in->plis_sent;
  }
  for (size_t k = 0; k < 2; ++k) {
    if (!outbound_[k]) continue;
    s.packets_out[k] = outbound_[k]->sink->stats().forwarded;
    if (auto rtt = outbound_[k]->sink->sender_report().rtt()) s.rtt_ms = rtt->us() / 1000.0;
  }
  s.transcoding = transcoding_;
  s.srtp_errors = srtp_errors_;
  s.srtp_profile = srtp_profile_;
  s.data_channels = open_channels_;
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(s);
}

void WebRtcSession::emit(const std::string& type, Json fields) {
  if (events_) events_(type, std::move(fields));
}

void WebRtcSession::fail(const std::string& what) {
  log::get("webrtc")->warn("WebRtcEndpoint {}: {}", credentials_.ufrag, what);
  emit("Error", {{"description", what}, {"errorCode", 40300}, {"type", "WEBRTC_SESSION_ERROR"}});
}

}  // namespace medley::server::media
