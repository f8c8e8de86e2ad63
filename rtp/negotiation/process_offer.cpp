// The answerer: per-section decisions (RFC 3264 section 6, RFC 8829 section 5.3.1, RFC 9143 section 7.3) and
// the answer text, after what Kurento's SdpEndpoint does (direction mirroring, setup:active for actpass).
#include "rtp/negotiation/process_offer.hpp"

#include <algorithm>
#include <set>

#include "rtp/negotiation/codec_matching.hpp"
#include "rtp/negotiation/remote_description.hpp"
#include "rtp/negotiation/section_writer.hpp"
#include "rtp/sdp/sdp_parser.hpp"

namespace medley::rtp::negotiation {

namespace {

NegotiationError offer_error(std::string reason) { return NegotiationError{kProcessOfferError, std::move(reason)}; }

std::string codec_list(const std::vector<CodecCapability>& codecs) {
  std::string s;
  for (const auto& c : codecs) {
    if (!s.empty()) s += ", ";
    s += c.config_name();
  }
  return s.empty() ? "none configured" : s;
}

struct Decider {
  const sdp::SessionDescription& offer;
  const LocalCapabilities& caps;
  const sdp::Group* bundle;
  bool data_taken = false;
  bool transport_taken = false;  // without BUNDLE, the one section we accept

  // Fills `n` and returns an empty string when the section is accepted, else the reason.
  std::string decide(const sdp::MediaDescription& m, NegotiatedMedia& n) {
    if (m.is_rejected()) return "rejected in the offer (port 0)";
    if (bundle) {
      if (n.mid.empty() || std::find(bundle->mids.begin(), bundle->mids.end(), n.mid) == bundle->mids.end())
        return "not in the offer's BUNDLE group (this server uses one transport)";
    } else if (transport_taken) {
      return "the offer has no BUNDLE group and this server uses one transport";
    }
    switch (n.kind) {
      case MediaKind::Audio:
      case MediaKind::Video: return decide_rtp(m, n);
      case MediaKind::Data: return decide_data(m, n);
      case MediaKind::Other: break;
    }
    return "unsupported media type \"" + m.media + "\"";
  }

  std::string decide_rtp(const sdp::MediaDescription& m, NegotiatedMedia& n) {
    if (!is_webrtc_rtp_proto(m.proto)) return "RTP profile " + m.proto + " is not DTLS-SRTP with feedback (UDP/TLS/RTP/SAVPF)";
    if (!m.attributes.has<sdp::RtcpMux>()) return "no a=rtcp-mux (RFC 8829 section 5.1.3 requires it)";
    n.codecs = match_codecs(m, n.kind, caps);
    if (n.codecs.empty()) return "no codec in common (this server has: " + codec_list(caps.codecs(n.kind)) + ")";
    n.direction = sdp::reversed(offer.direction(m));
    const bool two_byte = offer.attributes.has<sdp::ExtmapAllowMixed>() || m.attributes.has<sdp::ExtmapAllowMixed>();
    n.extensions = match_extensions(offer, m, n.kind, caps, two_byte);
    n.rtcp_mux = true;
    n.rtcp_rsize = m.attributes.has<sdp::RtcpRsize>();
    n.remote = read_remote_streams(m);
    return {};
  }

  std::string decide_data(const sdp::MediaDescription& m, NegotiatedMedia& n) {
    if (!caps.data.enabled) return "data channels are disabled";
    if (!is_webrtc_sctp_proto(m.proto)) return "data section without SCTP over DTLS (" + m.proto + ")";
    if (data_taken) return "only one data channel section is supported";
    const bool modern = !m.formats.empty() && m.formats.front() == "webrtc-datachannel";
    if (m.proto == "DTLS/SCTP") {
      // Legacy form: the format is the SCTP port, a=sctpmap names the protocol.
      auto* map = m.attributes.find<sdp::Sctpmap>();
      if (map && map->protocol != "webrtc-datachannel") return "SCTP protocol " + map->protocol + " is not webrtc-datachannel";
      n.legacy_sctpmap = true;
    } else if (!modern) {
      return "SCTP format is not webrtc-datachannel";
    }
    n.direction = sdp::Direction::SendRecv;
    n.remote_sctp_port = remote_sctp_port(m);
    // RFC 8841 section 6.1: no a=max-message-size means 64 KiB.
    auto* mms = m.attributes.find<sdp::MaxMessageSize>();
    n.remote_max_message_size = mms ? mms->size : 65536;
    n.local_sctp_port = caps.data.sctp_port;
    n.local_max_message_size = caps.data.max_message_size;
    data_taken = true;
    return {};
  }
};

}  // namespace

bool is_webrtc_rtp_proto(std::string_view proto) {
  return proto == "UDP/TLS/RTP/SAVPF" || proto == "TCP/DTLS/RTP/SAVPF" || proto == "RTP/SAVPF";
}

bool is_webrtc_sctp_proto(std::string_view proto) {
  return proto == "UDP/DTLS/SCTP" || proto == "TCP/DTLS/SCTP" || proto == "DTLS/SCTP";
}

Result<Answer> process_offer(std::string_view offer_text, const LocalCapabilities& caps,
                             const TransportParams& transport, const LocalIdentity& identity) {
  auto parsed = sdp::SessionDescription::parse(offer_text);
  if (!parsed) {
    return offer_error("offer does not parse: line " + std::to_string(parsed.error().line) + ": " +
                       parsed.error().reason);
  }
  return process_offer(*parsed, caps, transport, identity);
}

Result<Answer> process_offer(const sdp::SessionDescription& offer, const LocalCapabilities& caps,
                             const TransportParams& transport, const LocalIdentity& identity) {
  if (offer.media.empty()) return offer_error("offer has no media sections");
  std::set<std::string_view> mids;
  for (const auto& m : offer.media) {
    if (auto mid = m.mid(); mid && !mids.insert(*mid).second)
      return offer_error("duplicate a=mid:" + std::string(*mid) + " (RFC 8843 section 9.2)");
  }
  const sdp::Group* bundle = offer.group("BUNDLE");
  if (bundle) {
    if (bundle->mids.empty()) return offer_error("empty BUNDLE group");
    for (const auto& mid : bundle->mids)
      if (!offer.find_media(mid)) return offer_error("BUNDLE group names mid " + mid + " that no m-section has");
  }
  auto local_transport = make_transport_attributes(transport);
  if (!local_transport) return offer_error(local_transport.error());

  Answer answer;
  auto& session = answer.session;
  Decider decider{offer, caps, bundle};
  std::string reasons;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& m = offer.media[i];
    NegotiatedMedia n;
    n.index = i;
    n.mid = std::string(m.mid().value_or(""));
    n.kind = media_kind(m.media);
    n.media = m.media;
    n.proto = m.proto;
    n.rejection_reason = decider.decide(m, n);
    n.accepted = n.rejection_reason.empty();
    if (n.accepted) {
      decider.transport_taken = true;
    } else {
      // A rejected section carries nothing negotiated.
      NegotiatedMedia r;
      r.index = i;
      r.mid = std::move(n.mid);
      r.kind = n.kind;
      r.media = std::move(n.media);
      r.proto = std::move(n.proto);
      r.rejection_reason = std::move(n.rejection_reason);
      reasons += (reasons.empty() ? "" : "; ") + ("m-section " + std::to_string(i) + ": " + r.rejection_reason);
      n = std::move(r);
    }
    session.media.push_back(std::move(n));
  }
  if (session.accepted_count() == 0) return offer_error("no usable media section: " + reasons);

  // The transport comes from the offerer-tagged section (RFC 9143 section 7.2.1: the first mid of the group).
  const sdp::MediaDescription* tagged = nullptr;
  std::vector<const sdp::MediaDescription*> accepted;
  for (const auto& n : session.media)
    if (n.accepted) accepted.push_back(&offer.media[n.index]);
  tagged = bundle ? offer.find_media(bundle->mids.front()) : accepted.front();
  auto remote = read_remote_transport(offer, *tagged);
  if (!remote) return offer_error(remote.error());
  session.remote = std::move(*remote);

  // RFC 4145 section 4.1 / RFC 5763 section 5; Kurento answers actpass with active (sdp_utils.c).
  sdp::SetupRole setup = transport.answer_setup == sdp::SetupRole::Passive ? sdp::SetupRole::Passive
                                                                            : sdp::SetupRole::Active;
  if (auto* s = offer.setup(*tagged)) {
    switch (s->role) {
      case sdp::SetupRole::ActPass: break;
      case sdp::SetupRole::Active: setup = sdp::SetupRole::Passive; break;
      case sdp::SetupRole::Passive: setup = sdp::SetupRole::Active; break;
      case sdp::SetupRole::HoldConn: return offer_error("a=setup:holdconn: the offer holds the DTLS connection");
    }
  }
  session.local_setup = setup;
  session.dtls_role = setup == sdp::SetupRole::Active ? DtlsRole::Client : DtlsRole::Server;

  // Our send streams, with SSRCs unlike any the peer announced.
  IdGenerator gen(identity.seed);
  auto& a = answer.description;
  a = session_skeleton(gen, identity, transport);
  const auto ids = resolve_identity(identity, gen);
  std::vector<Ssrc> taken;
  for (const auto& m : offer.media)
    for (auto s : m.ssrcs()) taken.push_back(s);
  bool sending = false;
  for (auto& n : session.media) {
    if (!n.accepted || n.kind == MediaKind::Data || !n.sends()) continue;
    const bool rtx = std::any_of(n.codecs.begin(), n.codecs.end(), [](const auto& c) { return c.rtx_payload_type; });
    n.send = make_send_stream(gen, ids, rtx, taken);
    sending = true;
  }

  if (bundle) {
    sdp::Group g{"BUNDLE", {}};
    for (const auto& n : session.media)
      if (n.accepted) g.mids.push_back(n.mid);
    session.bundle_mids = g.mids;
    a.attributes.add(std::move(g));
  }
  if (offer.attributes.has<sdp::ExtmapAllowMixed>()) a.attributes.add(sdp::ExtmapAllowMixed{});
  sdp::MsidSemantic wms{"WMS", {}, true};
  if (sending) wms.ids.push_back(ids.stream_id);
  a.attributes.add(std::move(wms));

  bool first = true;
  for (const auto& n : session.media) {
    const auto& m = offer.media[n.index];
    if (!n.accepted) {
      a.media.push_back(
          write_rejected_section(m.media, m.proto, m.formats.empty() ? std::string_view() : m.formats.front(), n.mid));
      continue;
    }
    // Candidates go in the answerer-tagged section only (RFC 9143 section 7.3.1); it is the first accepted one.
    SectionTransport st{&transport, &*local_transport, setup, first};
    first = false;
    a.media.push_back(n.kind == MediaKind::Data ? write_data_section(n, st) : write_rtp_section(n, st));
  }
  answer.sdp = a.to_string();
  // Our sections can be longer than the offer's (transport attributes in each): never hand out an answer that
  // our own parser (and its limits) would refuse.
  if (answer.sdp.size() > sdp::kMaxSdpSize) return offer_error("the answer would exceed the SDP size limit");
  return answer;
}

}  // namespace medley::rtp::negotiation
