// Routing of a shared UDP port's datagrams to endpoints.
#include "server/net/udp_demux.hpp"

#include <vector>

#include "ice/demux.hpp"
#include "ice/stun_message.hpp"

namespace medley::server::net {

size_t UdpDemux::AddressHash::operator()(const ice::TransportAddress& a) const {
  // FNV-1a over the 16 address bytes and the port: cheap, and stable across runs (no hash flooding concern
  // beyond what the map's size bound gives: entries come only from authenticated checks).
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : a.raw()) h = (h ^ b) * 1099511628211ull;
  h = (h ^ a.port()) * 1099511628211ull;
  return static_cast<size_t>(h);
}

void UdpDemux::add_ufrag(std::string_view ufrag, EndpointId endpoint) { by_ufrag_[std::string(ufrag)] = endpoint; }

void UdpDemux::remove_ufrag(std::string_view ufrag) {
  auto it = by_ufrag_.find(ufrag);
  if (it != by_ufrag_.end()) by_ufrag_.erase(it);
}

void UdpDemux::add_remote(const ice::TransportAddress& remote, EndpointId endpoint) { by_remote_[remote] = endpoint; }

void UdpDemux::remove_remote(const ice::TransportAddress& remote) { by_remote_.erase(remote); }

void UdpDemux::add_tag(uint32_t tag, EndpointId endpoint) { by_tag_[tag] = endpoint; }

void UdpDemux::remove_endpoint(EndpointId endpoint) {
  std::erase_if(by_tag_, [&](const auto& kv) { return kv.second == endpoint; });
  std::erase_if(by_ufrag_, [&](const auto& kv) { return kv.second == endpoint; });
  std::erase_if(by_remote_, [&](const auto& kv) { return kv.second == endpoint; });
}

DemuxResult UdpDemux::route(const ice::TransportAddress& from, base::Bytes datagram) const {
  const ice::DatagramKind kind = ice::classify_datagram(datagram);
  if (kind == ice::DatagramKind::Unknown) return {std::nullopt, DemuxMiss::Malformed};
  if (kind == ice::DatagramKind::Stun) {
    // Requests name their endpoint; responses and consent answers come from validated addresses.
    if (auto ufrag = stun_local_ufrag(datagram)) {
      auto it = by_ufrag_.find(*ufrag);
      if (it != by_ufrag_.end()) return {it->second, DemuxMiss::Malformed};
      return {std::nullopt, DemuxMiss::UnknownUfrag};
    }
    // An answer (class bit C1, RFC 8489 §5): to one of our requests, wherever it comes from (a peer we have not
    // validated yet, a STUN server). The agent authenticates it; a forged tag reaches an agent that knows no such
    // transaction.
    if (datagram.size() >= 20 && (datagram[0] & 0x01) != 0) {
      const uint32_t tag = (uint32_t{datagram[8]} << 24) | (uint32_t{datagram[9]} << 16) |
                           (uint32_t{datagram[10]} << 8) | datagram[11];
      auto t = by_tag_.find(tag);
      if (t != by_tag_.end()) return {t->second, DemuxMiss::Malformed};
      return {std::nullopt, DemuxMiss::UnknownTag};
    }
    // Indications (and requests without USERNAME) only from a validated peer.
    auto it = by_remote_.find(from);
    if (it != by_remote_.end()) return {it->second, DemuxMiss::Malformed};
    return {std::nullopt, DemuxMiss::NoUsername};
  }
  auto it = by_remote_.find(from);
  if (it != by_remote_.end()) return {it->second, DemuxMiss::Malformed};
  return {std::nullopt, DemuxMiss::UnknownAddress};
}

std::optional<std::string_view> stun_local_ufrag(base::Bytes datagram) {
  auto msg = ice::StunMessageView::parse(datagram);
  if (!msg) return std::nullopt;
  auto username = msg->username();
  if (!username) return std::nullopt;
  const size_t colon = username->find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return username->substr(0, colon);
}

}  // namespace medley::server::net
