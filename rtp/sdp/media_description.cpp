// Typed accessors over one SDP media section.
#include "rtp/sdp/media_description.hpp"

#include <algorithm>

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

bool MediaDescription::is_rtp() const { return proto.find("RTP/") != std::string::npos; }

bool MediaDescription::is_sctp() const { return proto.size() >= 4 && proto.compare(proto.size() - 4, 4, "SCTP") == 0; }

std::optional<std::string_view> MediaDescription::mid() const {
  if (auto* m = attributes.find<Mid>()) return std::string_view(m->value);
  return std::nullopt;
}

std::optional<Direction> MediaDescription::direction() const {
  if (auto* d = attributes.find<DirectionAttr>()) return d->value;
  return std::nullopt;
}

std::optional<Setup> MediaDescription::setup() const {
  if (auto* s = attributes.find<Setup>()) return *s;
  return std::nullopt;
}

std::vector<PayloadType> MediaDescription::payload_types() const {
  std::vector<PayloadType> out;
  for (const auto& f : formats)
    if (auto v = text::parse_uint(f, 127)) out.push_back(PayloadType{static_cast<uint8_t>(*v)});
  return out;
}

const Rtpmap* MediaDescription::rtpmap(PayloadType pt) const {
  return attributes.find_if<Rtpmap>([&](const Rtpmap& r) { return r.payload_type == pt; });
}

const Fmtp* MediaDescription::fmtp(PayloadType pt) const {
  return attributes.find_if<Fmtp>([&](const Fmtp& f) { return f.payload_type == pt; });
}

std::vector<const RtcpFb*> MediaDescription::rtcp_feedback(PayloadType pt) const {
  std::vector<const RtcpFb*> out;
  for (auto* fb : attributes.all<RtcpFb>())
    if (!fb->payload_type || *fb->payload_type == pt) out.push_back(fb);
  return out;
}

std::vector<Codec> MediaDescription::codecs() const {
  std::vector<Codec> out;
  for (auto pt : payload_types()) {
    Codec c;
    c.payload_type = pt;
    if (auto* r = rtpmap(pt)) {
      c.encoding_name = r->encoding_name;
      c.clock_rate = r->clock_rate;
      c.channels = r->channels;
    }
    if (auto* f = fmtp(pt)) c.fmtp = f->parameters;
    for (auto* fb : rtcp_feedback(pt)) c.feedback.push_back(*fb);
    out.push_back(std::move(c));
  }
  return out;
}

const Extmap* MediaDescription::extmap(std::string_view uri) const {
  return attributes.find_if<Extmap>([&](const Extmap& e) { return e.uri == uri; });
}

std::vector<Ssrc> MediaDescription::ssrcs() const {
  std::vector<Ssrc> out;
  auto add = [&](Ssrc s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const auto& a : attributes) {
    if (auto* s = std::get_if<SsrcAttribute>(&a)) add(s->ssrc);
    else if (auto* g = std::get_if<SsrcGroup>(&a))
      for (auto s2 : g->ssrcs) add(s2);
  }
  return out;
}

std::optional<std::string_view> MediaDescription::ssrc_attribute(Ssrc ssrc, std::string_view name) const {
  auto* a = attributes.find_if<SsrcAttribute>(
      [&](const SsrcAttribute& s) { return s.ssrc == ssrc && s.attribute == name; });
  if (!a) return std::nullopt;
  return a->value ? std::string_view(*a->value) : std::string_view();
}

const SsrcGroup* MediaDescription::ssrc_group(std::string_view semantics) const {
  return attributes.find_if<SsrcGroup>([&](const SsrcGroup& g) { return g.semantics == semantics; });
}

std::optional<uint16_t> MediaDescription::sctp_port() const {
  if (auto* p = attributes.find<SctpPort>()) return p->port;
  if (auto* m = attributes.find<Sctpmap>()) return m->port;
  return std::nullopt;
}

}  // namespace medley::rtp::sdp
