// Reading the peer's streams and transport out of its SDP.
#include "rtp/negotiation/remote_description.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::negotiation {

RemoteStreams read_remote_streams(const sdp::MediaDescription& m) {
  RemoteStreams r;
  r.ssrcs = m.ssrcs();
  for (auto* g : m.attributes.all<sdp::SsrcGroup>()) {
    if (g->semantics == "FID" && g->ssrcs.size() == 2) r.fid_groups.emplace_back(g->ssrcs[0], g->ssrcs[1]);
    else if (g->semantics == "SIM" && r.sim_group.empty()) r.sim_group = g->ssrcs;
  }
  for (auto* rid : m.rids()) r.rids.push_back(*rid);
  if (!r.ssrcs.empty()) {
    if (auto c = m.ssrc_attribute(r.ssrcs.front(), "cname")) r.cname = *c;
  }
  if (auto* msid = m.attributes.find<sdp::Msid>()) {
    r.msid = *msid;
  } else if (!r.ssrcs.empty()) {
    // Plan B era and Safari 12 carry the stream only in a=ssrc:<ssrc> msid:<stream> <track>.
    if (auto v = m.ssrc_attribute(r.ssrcs.front(), "msid")) {
      if (auto parsed = sdp::Msid::parse(*v)) r.msid = *parsed;
    }
  }
  return r;
}

base::Result<RemoteTransport, std::string> read_remote_transport(const sdp::SessionDescription& sdp,
                                                                 const sdp::MediaDescription& tagged) {
  RemoteTransport t;
  auto* ufrag = sdp.ice_ufrag(tagged);
  auto* pwd = sdp.ice_pwd(tagged);
  if (!ufrag || !pwd) return std::string("no a=ice-ufrag/a=ice-pwd for the transport");
  t.ice_ufrag = ufrag->value;
  t.ice_pwd = pwd->value;
  for (auto* f : sdp.fingerprints(tagged)) t.fingerprints.push_back(*f);
  if (t.fingerprints.empty()) return std::string("no a=fingerprint: DTLS-SRTP is required");
  t.ice_lite = sdp.ice_lite();
  if (auto* o = sdp.ice_options(tagged)) t.trickle = o->has("trickle");
  for (auto* c : tagged.candidates()) t.candidates.push_back(*c);
  t.end_of_candidates = tagged.attributes.has<sdp::EndOfCandidates>() || sdp.attributes.has<sdp::EndOfCandidates>();
  return t;
}

uint16_t remote_sctp_port(const sdp::MediaDescription& m) {
  if (auto p = m.sctp_port()) return *p;
  if (!m.formats.empty()) {
    if (auto v = sdp::text::parse_uint(m.formats.front(), 65535)) return static_cast<uint16_t>(*v);
  }
  return 5000;  // RFC 8841 section 5.1 default
}

}  // namespace medley::rtp::negotiation
