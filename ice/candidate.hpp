// ICE candidates (RFC 8445 §5.1): type, priority, foundation, and the SDP attribute string form (RFC 8839 §5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ice/transport_address.hpp"
#include "rtp/base/result.hpp"

namespace medley::ice {

enum class CandidateType : uint8_t { Host, ServerReflexive, PeerReflexive, Relayed };
enum class CandidateTransport : uint8_t { Udp, Tcp };

// "host", "srflx", "prflx", "relay": the cand-type tokens.
std::string_view to_string(CandidateType type);

// RFC 8445 §5.1.2.2 recommended type preferences: host 126, prflx 110, srflx 100, relay 0.
uint32_t type_preference(CandidateType type);
// RFC 8445 §5.1.2.1: (2^24)*type pref + (2^8)*local pref + (256 - component).
uint32_t candidate_priority(CandidateType type, uint16_t local_preference, uint8_t component = 1);
// Foundation (RFC 8445 §5.1.1.3): equal for candidates of the same type, base IP address, STUN/TURN server IP and
// transport; a short decimal string (ice-chars only). Stable across runs, so a restart keeps its foundations.
std::string candidate_foundation(CandidateType type, const TransportAddress& base,
                                 const std::optional<TransportAddress>& server = std::nullopt,
                                 CandidateTransport transport = CandidateTransport::Udp);

// Address classes the agent filters on (RFC 8445 §5.1.1.1: no loopback unless asked; unspecified is never usable).
bool is_loopback(const TransportAddress& a);
bool is_unspecified(const TransportAddress& a);
bool is_link_local(const TransportAddress& a);

enum class CandidateParseError : uint8_t {
  TooLong,           // over kMaxCandidateLength characters
  NotACandidate,     // no "candidate:" prefix or no fields
  MissingField,      // fewer than the eight mandatory tokens
  BadFoundation,     // empty, over 32 characters, or not ice-chars
  BadComponent,      // not 1..256
  BadTransport,      // neither UDP nor TCP
  BadPriority,       // not 1..2^32-1
  BadAddress,        // neither an IP literal nor a host name
  BadPort,
  MissingTyp,        // the sixth token is not "typ"
  BadType,           // not host/srflx/prflx/relay
  BadExtension,      // a name without a value, or a bad raddr/rport/generation value
};
std::string_view to_string(CandidateParseError e);

inline constexpr size_t kMaxCandidateLength = 1024;

struct Candidate {
  std::string foundation;
  uint16_t component = 1;  // WebRTC uses 1 only (rtcp-mux); other values parse and the agent ignores them
  CandidateTransport transport = CandidateTransport::Udp;
  uint32_t priority = 0;
  // The address; when hostname is set (an mDNS "<uuid>.local" name), only its port is meaningful until resolved.
  TransportAddress address;
  std::string hostname;
  CandidateType type = CandidateType::Host;
  std::optional<TransportAddress> related;  // raddr/rport
  std::string tcp_type;                     // RFC 6544 tcptype, kept for ICE-TCP later
  std::optional<uint32_t> generation;
  std::string ufrag;

  bool has_hostname() const { return !hostname.empty(); }

  // "candidate:..." or "a=candidate:..." (a trailing CR/LF is tolerated); libwebrtc's network-id and
  // network-cost and unknown extensions are skipped.
  static base::Result<Candidate, CandidateParseError> parse(std::string_view text);
  // "candidate:<foundation> <component> udp <priority> <ip|hostname> <port> typ <type> [raddr <ip> rport <port>]
  // [tcptype <t>] [generation <n>] [ufrag <u>]".
  std::string to_string() const;

  bool operator==(const Candidate&) const = default;
};

}  // namespace medley::ice
