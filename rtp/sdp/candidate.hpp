// An ICE candidate as SDP carries it (RFC 8839 section 5.1), parsed from `a=candidate:` lines or trickled
// `candidate:` strings, with the libwebrtc extensions (generation, ufrag, network-id, network-cost) kept in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtp/sdp/sdp_result.hpp"

namespace medley::rtp::sdp {

enum class CandidateType { Host, Srflx, Prflx, Relay, Other };

std::string_view to_string(CandidateType t);

struct CandidateExtension {
  std::string name;
  std::string value;
  bool operator==(const CandidateExtension&) const = default;
};

struct Candidate {
  static constexpr std::string_view kName = "candidate";

  std::string foundation;
  uint16_t component = 1;  // 1 = RTP, 2 = RTCP
  std::string transport;   // as written: libwebrtc says "udp", Firefox "UDP"
  uint32_t priority = 0;
  std::string address;  // IP literal or an mDNS / FQDN name
  uint16_t port = 0;
  CandidateType type = CandidateType::Host;
  std::string other_type;  // the cand-type token when type == Other (a future type we cannot use but keep)
  std::optional<std::string> related_address;  // raddr
  std::optional<uint16_t> related_port;        // rport
  std::optional<std::string> tcp_type;         // RFC 6544: active / passive / so
  std::vector<CandidateExtension> extensions;  // everything else after typ, in order

  bool is_udp() const;
  bool is_tcp() const;
  std::optional<std::string_view> extension(std::string_view name) const;

  // The value after "candidate:" (no "a=", no line ending).
  static Result<Candidate> parse(std::string_view value);
  void write(std::string& out) const;
  // The trickle form: "candidate:<value>".
  std::string to_string() const;

  bool operator==(const Candidate&) const = default;
};

// Parses a candidate as trickle ICE delivers it: "candidate:..." or "a=candidate:...", an optional trailing
// CRLF tolerated. Never throws.
Result<Candidate> parse_candidate(std::string_view line);

}  // namespace medley::rtp::sdp
