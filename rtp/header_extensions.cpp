// RTP header extension URIs and the per-session id<->type map.
#include "rtp/header_extensions.hpp"

namespace medley::rtp {
namespace {

struct UriEntry {
  ExtensionType type;
  std::string_view uri;
};

constexpr std::array<UriEntry, kExtensionTypeCount - 1> kUris{{
    {ExtensionType::AbsSendTime, uri::kAbsSendTime},
    {ExtensionType::TransportSequenceNumber, uri::kTransportSequenceNumber},
    {ExtensionType::Mid, uri::kMid},
    {ExtensionType::Rid, uri::kRid},
    {ExtensionType::RepairedRid, uri::kRepairedRid},
    {ExtensionType::AudioLevel, uri::kAudioLevel},
    {ExtensionType::VideoOrientation, uri::kVideoOrientation},
    {ExtensionType::TransmissionOffset, uri::kTransmissionOffset},
    {ExtensionType::AbsCaptureTime, uri::kAbsCaptureTime},
    {ExtensionType::PlayoutDelay, uri::kPlayoutDelay},
    {ExtensionType::VideoContentType, uri::kVideoContentType},
    {ExtensionType::VideoTiming, uri::kVideoTiming},
}};

}  // namespace

std::string_view extension_uri(ExtensionType type) {
  for (const auto& e : kUris) {
    if (e.type == type) return e.uri;
  }
  return {};
}

std::optional<ExtensionType> extension_type_from_uri(std::string_view uri) {
  for (const auto& e : kUris) {
    if (e.uri == uri) return e.type;
  }
  return std::nullopt;
}

bool ExtensionMap::register_extension(uint8_t id, ExtensionType type) {
  const auto t = static_cast<size_t>(type);
  if (id == 0 || type == ExtensionType::None || t >= kExtensionTypeCount) return false;
  unregister(id);
  types_[id] = type;
  if (ids_[t] == 0) ids_[t] = id;
  return true;
}

bool ExtensionMap::register_uri(uint8_t id, std::string_view uri) {
  auto type = extension_type_from_uri(uri);
  return type && register_extension(id, *type);
}

void ExtensionMap::unregister(uint8_t id) {
  const ExtensionType old = types_[id];
  if (old == ExtensionType::None) return;
  types_[id] = ExtensionType::None;
  auto& slot = ids_[static_cast<size_t>(old)];
  if (slot != id) return;
  // Fall back to another id still bound to the same type, if any (rare: only when SDP bound it twice).
  slot = 0;
  for (size_t other = 1; other < types_.size(); ++other) {
    if (types_[other] == old) {
      slot = static_cast<uint8_t>(other);
      break;
    }
  }
}

void ExtensionMap::clear() {
  types_.fill(ExtensionType::None);
  ids_.fill(0);
}

bool ExtensionMap::empty() const {
  for (size_t t = 1; t < ids_.size(); ++t) {
    if (ids_[t] != 0) return false;
  }
  return true;
}

}  // namespace medley::rtp
