// Typed accessors over a whole SDP; parse/serialize forward to SdpParser and SdpWriter.
#include "rtp/sdp/session_description.hpp"

#include "rtp/sdp/sdp_parser.hpp"
#include "rtp/sdp/sdp_writer.hpp"

namespace medley::rtp::sdp {

Result<SessionDescription> SessionDescription::parse(std::string_view text) { return parse_sdp(text); }

std::string SessionDescription::to_string() const { return write_sdp(*this); }

const Group* SessionDescription::group(std::string_view semantics) const {
  return attributes.find_if<Group>([&](const Group& g) { return g.semantics == semantics; });
}

std::vector<std::string_view> SessionDescription::bundle_mids() const {
  std::vector<std::string_view> out;
  if (auto* g = group("BUNDLE"))
    for (const auto& m : g->mids) out.push_back(m);
  return out;
}

const MediaDescription* SessionDescription::find_media(std::string_view mid) const {
  for (const auto& m : media)
    if (m.mid() == mid) return &m;
  return nullptr;
}

MediaDescription* SessionDescription::find_media(std::string_view mid) {
  for (auto& m : media)
    if (m.mid() == mid) return &m;
  return nullptr;
}

std::vector<const Fingerprint*> SessionDescription::fingerprints(const MediaDescription& m) const {
  auto v = m.attributes.all<Fingerprint>();
  if (v.empty()) v = attributes.all<Fingerprint>();
  return v;
}

Direction SessionDescription::direction(const MediaDescription& m) const {
  if (auto d = m.direction()) return *d;
  if (auto* d = attributes.find<DirectionAttr>()) return d->value;
  return Direction::SendRecv;
}

std::vector<const Extmap*> SessionDescription::extmaps(const MediaDescription& m) const {
  auto v = m.attributes.all<Extmap>();
  for (auto* e : attributes.all<Extmap>()) v.push_back(e);
  return v;
}

}  // namespace medley::rtp::sdp
