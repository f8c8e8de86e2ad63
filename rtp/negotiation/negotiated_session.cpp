// Accessors of the negotiated session.
#include "rtp/negotiation/negotiated_session.hpp"

namespace medley::rtp::negotiation {

std::string_view to_string(MediaKind k) {
  switch (k) {
    case MediaKind::Audio: return "audio";
    case MediaKind::Video: return "video";
    case MediaKind::Data: return "application";
    case MediaKind::Other: return "other";
  }
  return "other";
}

MediaKind media_kind(std::string_view media) {
  if (media == "audio") return MediaKind::Audio;
  if (media == "video") return MediaKind::Video;
  if (media == "application") return MediaKind::Data;
  return MediaKind::Other;
}

bool NegotiatedCodec::has_feedback(std::string_view type, std::string_view subtype) const {
  for (const auto& fb : feedback)
    if (fb.type == type && fb.subtype == subtype) return true;
  return false;
}

const NegotiatedCodec* NegotiatedMedia::codec(PayloadType pt) const {
  for (const auto& c : codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

std::optional<uint16_t> NegotiatedMedia::extension_id(std::string_view uri) const {
  for (const auto& e : extensions)
    if (e.uri == uri) return e.id;
  return std::nullopt;
}

const NegotiatedMedia* NegotiatedSession::find(std::string_view mid) const {
  for (const auto& m : media)
    if (m.mid == mid) return &m;
  return nullptr;
}

size_t NegotiatedSession::accepted_count() const {
  size_t n = 0;
  for (const auto& m : media) n += m.accepted ? 1 : 0;
  return n;
}

}  // namespace medley::rtp::negotiation
