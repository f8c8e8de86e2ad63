// Our m-sections as SDP model values.
#include "rtp/negotiation/section_writer.hpp"

namespace medley::rtp::negotiation {

namespace {

void add_common(sdp::MediaDescription& d, const NegotiatedMedia& m, const SectionTransport& t) {
  d.connections.push_back(sdp::Connection{});
  add_transport_attributes(d.attributes, *t.params, *t.attributes, t.setup, t.with_candidates);
  if (!m.mid.empty()) d.attributes.add(sdp::Mid{m.mid});
}

}  // namespace

sdp::MediaDescription write_rtp_section(const NegotiatedMedia& m, const SectionTransport& t) {
  sdp::MediaDescription d;
  d.media = m.media;
  d.port = 9;  // RFC 8840 section 4.1.1: the trickle placeholder; candidates come by trickle or in the SDP
  d.proto = m.proto;
  for (const auto& c : m.codecs) {
    d.formats.push_back(std::to_string(c.payload_type.value));
    if (c.rtx_payload_type) d.formats.push_back(std::to_string(c.rtx_payload_type->value));
  }
  add_common(d, m, t);
  auto& a = d.attributes;
  for (const auto& e : m.extensions) a.add(sdp::Extmap{e.id, e.direction, e.uri, {}});
  a.add(sdp::DirectionAttr{m.direction});
  if (m.send) a.add(sdp::Msid{m.send->stream_id, m.send->track_id});
  if (m.rtcp_mux) a.add(sdp::RtcpMux{});
  if (m.rtcp_rsize) a.add(sdp::RtcpRsize{});
  for (const auto& c : m.codecs) {
    a.add(sdp::Rtpmap{c.payload_type, c.name, c.clock_rate, c.channels});
    for (const auto& fb : c.feedback) a.add(fb);
    if (!c.local_fmtp.empty()) a.add(sdp::Fmtp{c.payload_type, c.local_fmtp});
    if (c.rtx_payload_type) {
      a.add(sdp::Rtpmap{*c.rtx_payload_type, "rtx", c.clock_rate, std::nullopt});
      a.add(sdp::Fmtp{*c.rtx_payload_type, "apt=" + std::to_string(c.payload_type.value)});
    }
  }
  if (m.send) {
    const auto& s = *m.send;
    if (s.rtx_ssrc) a.add(sdp::SsrcGroup{"FID", {s.ssrc, *s.rtx_ssrc}});
    auto lines = [&](Ssrc ssrc) {
      a.add(sdp::SsrcAttribute{ssrc, "cname", s.cname});
      a.add(sdp::SsrcAttribute{ssrc, "msid", s.stream_id + " " + s.track_id});
    };
    lines(s.ssrc);
    if (s.rtx_ssrc) lines(*s.rtx_ssrc);
  }
  return d;
}

sdp::MediaDescription write_data_section(const NegotiatedMedia& m, const SectionTransport& t) {
  sdp::MediaDescription d;
  d.media = "application";
  d.port = 9;
  d.proto = m.proto;
  if (m.legacy_sctpmap) {
    d.formats.push_back(std::to_string(m.local_sctp_port));
  } else {
    d.formats.emplace_back("webrtc-datachannel");
  }
  add_common(d, m, t);
  if (m.legacy_sctpmap) {
    // draft-ietf-mmusic-sctp-sdp-05 form, as old Firefox and Safari offer it.
    d.attributes.add(sdp::Sctpmap{m.local_sctp_port, "webrtc-datachannel", 1024});
  } else {
    d.attributes.add(sdp::SctpPort{m.local_sctp_port});
  }
  d.attributes.add(sdp::MaxMessageSize{m.local_max_message_size});
  return d;
}

sdp::MediaDescription write_rejected_section(std::string_view media, std::string_view proto,
                                             std::string_view first_format, std::string_view mid) {
  sdp::MediaDescription d;
  d.media = media;
  d.port = 0;
  d.proto = proto;
  d.formats.emplace_back(first_format.empty() ? std::string_view("0") : first_format);
  d.connections.push_back(sdp::Connection{});
  if (!mid.empty()) d.attributes.add(sdp::Mid{std::string(mid)});
  if (d.is_rtp()) d.attributes.add(sdp::DirectionAttr{sdp::Direction::Inactive});
  return d;
}

}  // namespace medley::rtp::negotiation
