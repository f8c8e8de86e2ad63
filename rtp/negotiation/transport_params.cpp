// Transport attributes from TransportParams, and the seeded id generator.
#include "rtp/negotiation/transport_params.hpp"

#include <algorithm>

namespace medley::rtp::negotiation {

base::Result<TransportAttributes, std::string> make_transport_attributes(const TransportParams& t) {
  TransportAttributes ta;
  auto ufrag = sdp::IceUfrag::parse(t.ice_ufrag);
  if (!ufrag || t.ice_ufrag.size() < 4) return std::string("local ICE ufrag is invalid");
  auto pwd = sdp::IcePwd::parse(t.ice_pwd);
  if (!pwd || t.ice_pwd.size() < 22) return std::string("local ICE password is invalid");
  auto fp = sdp::Fingerprint::parse(t.fingerprint_algorithm + " " + t.fingerprint);
  if (!fp) return std::string("local DTLS fingerprint is invalid: ") + fp.error().reason;
  ta.ufrag = std::move(*ufrag);
  ta.pwd = std::move(*pwd);
  ta.fingerprint = std::move(*fp);
  for (const auto& c : t.candidates) {
    auto cand = sdp::parse_candidate(c.rfind("candidate:", 0) == 0 || c.rfind("a=", 0) == 0 ? c : "candidate:" + c);
    if (!cand) return "local candidate is invalid: " + cand.error().reason;
    ta.candidates.push_back(std::move(*cand));
  }
  return ta;
}

void add_transport_attributes(sdp::AttributeList& attrs, const TransportParams& t, const TransportAttributes& ta,
                              sdp::SetupRole setup, bool with_candidates) {
  if (with_candidates) {
    for (const auto& c : ta.candidates) attrs.add(c);
    if (t.gathering_done) attrs.add(sdp::EndOfCandidates{});
  }
  attrs.add(ta.ufrag);
  attrs.add(ta.pwd);
  if (t.ice_trickle) attrs.add(sdp::IceOptions{{"trickle"}});
  attrs.add(ta.fingerprint);
  attrs.add(sdp::Setup{setup});
}

uint64_t IdGenerator::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Ssrc IdGenerator::ssrc(const std::vector<Ssrc>& avoid) {
  for (;;) {
    const auto v = static_cast<uint32_t>(next());
    if (v != 0 && std::find(avoid.begin(), avoid.end(), Ssrc{v}) == avoid.end()) return Ssrc{v};
  }
}

std::string IdGenerator::token(size_t length) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  s.reserve(length);
  for (size_t i = 0; i < length; ++i) s += kChars[next() % (sizeof(kChars) - 1)];
  return s;
}

std::string IdGenerator::uuid() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += kHex[next() & 15];
  }
  return s;
}

ResolvedIdentity resolve_identity(const LocalIdentity& id, IdGenerator& gen) {
  ResolvedIdentity r;
  r.cname = id.cname.empty() ? gen.token(16) : id.cname;
  // "-" means "no stream" (RFC 8830): pages that show getRemoteStreams()[0] would get nothing.
  r.stream_id = (id.stream_id.empty() || id.stream_id == "-") ? gen.uuid() : id.stream_id;
  return r;
}

LocalSendStream make_send_stream(IdGenerator& gen, const ResolvedIdentity& id, bool with_rtx,
                                 std::vector<Ssrc>& taken) {
  LocalSendStream s;
  s.ssrc = gen.ssrc(taken);
  taken.push_back(s.ssrc);
  if (with_rtx) {
    s.rtx_ssrc = gen.ssrc(taken);
    taken.push_back(*s.rtx_ssrc);
  }
  s.cname = id.cname;
  s.stream_id = id.stream_id;
  s.track_id = gen.uuid();
  return s;
}

sdp::SessionDescription session_skeleton(IdGenerator& gen, const LocalIdentity& id, const TransportParams& t) {
  sdp::SessionDescription s;
  // RFC 8829 section 5.2.1: a 62-bit decimal session id, so it never looks negative as a signed 64-bit number.
  s.origin.session_id = std::to_string(gen.next() >> 2);
  s.origin.session_version = id.session_version;
  s.origin.address = "0.0.0.0";
  s.timings.push_back(sdp::Timing{});
  if (t.ice_lite) s.attributes.add(sdp::IceLite{});
  return s;
}

}  // namespace medley::rtp::negotiation
