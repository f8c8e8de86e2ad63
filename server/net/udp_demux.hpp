// Routes the datagrams of one shared UDP port to the WebRtcEndpoint that owns them (DESIGN.md "One socket"):
// STUN binding requests by the local ufrag in USERNAME, STUN answers by the endpoint tag their transaction id starts
// with, everything else by the remote address the endpoint's ICE agent has validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ice/transport_address.hpp"
#include "rtp/base/bytes.hpp"

namespace medley::server::net {

// Who owns a datagram: an endpoint id the server chose (e.g. an index into its endpoint table).
using EndpointId = uint64_t;

enum class DemuxMiss : uint8_t {
  UnknownUfrag,     // a STUN request for no local ufrag we know (stale, or scanning)
  NoUsername,       // a STUN request without USERNAME, from an address we do not know
  UnknownTag,       // a STUN answer whose transaction id carries no live endpoint's tag
  UnknownAddress,   // non-STUN from an address no endpoint has validated
  Malformed,        // too short to classify
};

struct DemuxResult {
  std::optional<EndpointId> endpoint;
  DemuxMiss miss = DemuxMiss::Malformed;  // meaningful when endpoint is empty
};

// Not thread-safe: one owner (the socket's strand). Lookups allocate nothing.
class UdpDemux {
 public:
  // The endpoint's ICE agent uses this local ufrag (one per endpoint; ICE restart replaces it).
  void add_ufrag(std::string_view ufrag, EndpointId endpoint);
  void remove_ufrag(std::string_view ufrag);
  // The endpoint received an authenticated check from `remote` (or selected a pair with it): non-STUN traffic
  // from there is its own. A remote address belongs to one endpoint at a time; the latest claim wins.
  void add_remote(const ice::TransportAddress& remote, EndpointId endpoint);
  void remove_remote(const ice::TransportAddress& remote);
  // The tag the endpoint's ICE agent puts at the front of its STUN transaction ids: every STUN answer that comes
  // to this port answers one of our requests, so answers go by it, never by address.
  void add_tag(uint32_t tag, EndpointId endpoint);
  // Forgets every ufrag, tag and address of an endpoint (it was released).
  void remove_endpoint(EndpointId endpoint);

  DemuxResult route(const ice::TransportAddress& from, base::Bytes datagram) const;

  size_t ufrag_count() const { return by_ufrag_.size(); }
  size_t remote_count() const { return by_remote_.size(); }

 private:
  struct AddressHash {
    size_t operator()(const ice::TransportAddress& a) const;
  };
  // Heterogeneous lookup by string_view, so routing a STUN request builds no std::string.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, EndpointId, StringHash, std::equal_to<>> by_ufrag_;
  std::unordered_map<ice::TransportAddress, EndpointId, AddressHash> by_remote_;
  std::unordered_map<uint32_t, EndpointId> by_tag_;
};

// The local ufrag of a STUN binding request (USERNAME "<local>:<remote>", RFC 8445 §7.2.2), read straight from the
// bytes without validating integrity (the owning agent does that). nullopt when there is none.
std::optional<std::string_view> stun_local_ufrag(base::Bytes datagram);

}  // namespace medley::server::net
