// RTP-level SDP attributes: rtpmap, fmtp (with H.264 helpers), rtcp-fb, extmap, ssrc, ssrc-group, msid, rtcp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/ids.hpp"
#include "rtp/sdp/direction.hpp"
#include "rtp/sdp/sdp_result.hpp"

namespace medley::rtp::sdp {

// a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>] (RFC 8866 section 6.6).
struct Rtpmap {
  static constexpr std::string_view kName = "rtpmap";
  PayloadType payload_type;
  std::string encoding_name;  // as written ("VP8", "opus", "H264", "rtx")
  uint32_t clock_rate = 0;
  std::optional<uint32_t> channels;  // written only when present (Firefox writes "G722/8000/1")

  static Result<Rtpmap> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Rtpmap&) const = default;
};

struct FmtpParameter {
  std::string_view key;
  std::optional<std::string_view> value;  // "0-15" in telephone-event's fmtp has no '='
};

// a=fmtp:<pt> <parameters> (RFC 8866 section 6.15). The parameter string is kept as written, since browsers
// differ in order and separators and an answer must echo some of them untouched; parameters() reads it as an
// ordered key=value list.
struct Fmtp {
  static constexpr std::string_view kName = "fmtp";
  PayloadType payload_type;
  std::string parameters;

  static Fmtp from_parameters(PayloadType pt, const std::vector<std::pair<std::string, std::string>>& params);
  // Split on ';', trimmed; views into `parameters`.
  std::vector<FmtpParameter> parameter_list() const;
  std::optional<std::string_view> get(std::string_view key) const;

  // RFC 4588: the payload type an rtx format repairs.
  std::optional<PayloadType> apt() const;
  // RFC 6184 section 8.1. profile-level-id as 24 bits (profile_idc, profile-iop, level_idc).
  std::optional<uint32_t> h264_profile_level_id() const;
  int h264_packetization_mode() const;  // 0 when absent
  bool h264_level_asymmetry_allowed() const;

  static Result<Fmtp> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Fmtp&) const = default;
};

// a=rtcp-fb:<pt|*> <type> [<subtype...>] (RFC 4585 section 4.2).
struct RtcpFb {
  static constexpr std::string_view kName = "rtcp-fb";
  std::optional<PayloadType> payload_type;  // nullopt = '*'
  std::string type;                          // "nack", "ccm", "goog-remb", "transport-cc", "trr-int"
  std::string subtype;                       // "pli", "fir", "100"; may be empty

  static Result<RtcpFb> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const RtcpFb&) const = default;
};

// a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 section 8).
struct Extmap {
  static constexpr std::string_view kName = "extmap";
  uint16_t id = 0;
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // the rest of the line after the URI, as written; usually empty

  static Result<Extmap> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Extmap&) const = default;
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 section 4.1).
struct SsrcAttribute {
  static constexpr std::string_view kName = "ssrc";
  Ssrc ssrc;
  std::string attribute;             // "cname", "msid", "mslabel", "label"
  std::optional<std::string> value;  // may contain spaces ("msid:stream track")

  static Result<SsrcAttribute> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const SsrcAttribute&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 section 4.2); FID pairs media with RTX, SIM lists simulcast layers.
struct SsrcGroup {
  static constexpr std::string_view kName = "ssrc-group";
  std::string semantics;
  std::vector<Ssrc> ssrcs;

  static Result<SsrcGroup> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const SsrcGroup&) const = default;
};

// a=msid:<stream id> [<track id>] (RFC 8830 section 2).
struct Msid {
  static constexpr std::string_view kName = "msid";
  std::string stream_id;  // "-" for no stream
  std::string track_id;   // empty when absent

  static Result<Msid> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Msid&) const = default;
};

// a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605).
struct Rtcp {
  static constexpr std::string_view kName = "rtcp";
  uint16_t port = 0;
  std::string net_type;  // all three empty when absent
  std::string addr_type;
  std::string address;

  static Result<Rtcp> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Rtcp&) const = default;
};

}  // namespace medley::rtp::sdp
