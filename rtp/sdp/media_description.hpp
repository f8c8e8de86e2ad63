// One media section of an SDP (m= line and what follows it: i=, c=, b=, k=, a=), with typed accessors for
// what offer/answer needs: mid, direction, codecs, header extensions, SSRCs, candidates, SCTP port.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/ids.hpp"
#include "rtp/sdp/attribute.hpp"

namespace medley::rtp::sdp {

// c=<nettype> <addrtype> <address> (RFC 8866 section 5.7); the address keeps any /ttl/count suffix.
struct Connection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Connection&) const = default;
};

// b=<type>:<value> (RFC 8866 section 5.8; TIAS from RFC 3890).
struct Bandwidth {
  std::string type;  // "AS", "TIAS", "CT"
  uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

// A codec as the m= line, rtpmap, fmtp and rtcp-fb lines describe it together, in m= line order.
struct Codec {
  PayloadType payload_type;
  std::string encoding_name;  // empty for a static payload type without rtpmap
  uint32_t clock_rate = 0;
  std::optional<uint32_t> channels;
  std::string fmtp;  // the raw parameter string
  std::vector<RtcpFb> feedback;  // including '*' lines
};

struct MediaDescription {
  // m=<media> <port>[/<count>] <proto> <fmt>...
  std::string media;  // "audio", "video", "application"
  uint16_t port = 9;
  std::optional<uint16_t> port_count;
  std::string proto;  // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", "RTP/AVP"
  std::vector<std::string> formats;

  std::optional<std::string> title;  // i=
  std::vector<Connection> connections;
  std::vector<Bandwidth> bandwidths;
  std::optional<std::string> key;  // k= (obsolete, kept verbatim)
  AttributeList attributes;

  bool is_rtp() const;   // proto has "RTP/"
  bool is_sctp() const;  // proto ends with "SCTP"
  bool is_rejected() const { return port == 0 && !attributes.has<BundleOnly>(); }

  std::optional<std::string_view> mid() const;
  // The section's own direction attribute, if any (the session may carry one too).
  std::optional<Direction> direction() const;
  std::optional<Setup> setup() const;

  // Numeric formats of the m= line (non-numeric ones, e.g. "webrtc-datachannel", are skipped).
  std::vector<PayloadType> payload_types() const;
  const Rtpmap* rtpmap(PayloadType pt) const;
  const Fmtp* fmtp(PayloadType pt) const;
  std::vector<const RtcpFb*> rtcp_feedback(PayloadType pt) const;  // includes '*'
  std::vector<Codec> codecs() const;
  std::vector<const Extmap*> extmaps() const { return attributes.all<Extmap>(); }
  const Extmap* extmap(std::string_view uri) const;

  // SSRCs in order of first appearance in a=ssrc or a=ssrc-group lines.
  std::vector<Ssrc> ssrcs() const;
  std::optional<std::string_view> ssrc_attribute(Ssrc ssrc, std::string_view name) const;
  const SsrcGroup* ssrc_group(std::string_view semantics) const;

  std::vector<const Candidate*> candidates() const { return attributes.all<Candidate>(); }
  std::vector<const Rid*> rids() const { return attributes.all<Rid>(); }

  // a=sctp-port, else the legacy a=sctpmap port, else nullopt.
  std::optional<uint16_t> sctp_port() const;

  bool operator==(const MediaDescription&) const = default;
};

}  // namespace medley::rtp::sdp
