// Session and transport SDP attributes: group, msid-semantic, ICE credentials and options, DTLS fingerprint and
// setup role, mid, SCTP (sctp-port, max-message-size, legacy sctpmap), framerate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/sdp/sdp_result.hpp"

namespace medley::rtp::sdp {

// a=group:<semantics> <mid>... (RFC 5888 section 5; BUNDLE in RFC 9143).
struct Group {
  static constexpr std::string_view kName = "group";
  std::string semantics;  // "BUNDLE", "LS", "FID"
  std::vector<std::string> mids;

  static Result<Group> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Group&) const = default;
};

// a=msid-semantic:<semantic> [<id>...]. libwebrtc writes a space after the colon ("a=msid-semantic: WMS"),
// Firefox does not ("a=msid-semantic:WMS *"); we keep which, so the line round-trips.
struct MsidSemantic {
  static constexpr std::string_view kName = "msid-semantic";
  std::string semantic;  // "WMS"
  std::vector<std::string> ids;
  bool leading_space = false;

  static Result<MsidSemantic> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const MsidSemantic&) const = default;
};

// a=ice-ufrag / a=ice-pwd (RFC 8839 section 5.4).
struct IceUfrag {
  static constexpr std::string_view kName = "ice-ufrag";
  std::string value;
  static Result<IceUfrag> parse(std::string_view value);
  void write(std::string& out) const { out += value; }
  bool operator==(const IceUfrag&) const = default;
};

struct IcePwd {
  static constexpr std::string_view kName = "ice-pwd";
  std::string value;
  static Result<IcePwd> parse(std::string_view value);
  void write(std::string& out) const { out += value; }
  bool operator==(const IcePwd&) const = default;
};

// a=ice-options:<option>... (RFC 8839 section 5.6): "trickle", "renomination", "ice2".
struct IceOptions {
  static constexpr std::string_view kName = "ice-options";
  std::vector<std::string> options;
  bool has(std::string_view option) const;
  static Result<IceOptions> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const IceOptions&) const = default;
};

// a=fingerprint:<hash function> <XX:XX:...> (RFC 8122 section 5). Browsers write upper-case hex; we keep a
// lower-case spelling when the peer used one, so the line round-trips.
struct Fingerprint {
  static constexpr std::string_view kName = "fingerprint";
  std::string hash_function;  // "sha-256", as written
  std::vector<uint8_t> bytes;
  bool lower_case = false;

  static Result<Fingerprint> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Fingerprint&) const = default;
};

// a=setup (RFC 4145 section 4; DTLS role per RFC 8842 section 5).
enum class SetupRole { ActPass, Active, Passive, HoldConn };
std::string_view to_string(SetupRole r);

struct Setup {
  static constexpr std::string_view kName = "setup";
  SetupRole role = SetupRole::ActPass;
  static Result<Setup> parse(std::string_view value);
  void write(std::string& out) const { out += to_string(role); }
  bool operator==(const Setup&) const = default;
};

// a=mid (RFC 5888 section 4).
struct Mid {
  static constexpr std::string_view kName = "mid";
  std::string value;
  static Result<Mid> parse(std::string_view value);
  void write(std::string& out) const { out += value; }
  bool operator==(const Mid&) const = default;
};

// a=sctp-port (RFC 8841 section 5).
struct SctpPort {
  static constexpr std::string_view kName = "sctp-port";
  uint16_t port = 5000;
  static Result<SctpPort> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const SctpPort&) const = default;
};

// a=max-message-size (RFC 8841 section 6).
struct MaxMessageSize {
  static constexpr std::string_view kName = "max-message-size";
  uint64_t size = 65536;
  static Result<MaxMessageSize> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const MaxMessageSize&) const = default;
};

// a=sctpmap:<port> <protocol> [<streams>] (draft-ietf-mmusic-sctp-sdp-05, still sent by old Firefox and Safari
// with "m=application <port> DTLS/SCTP 5000").
struct Sctpmap {
  static constexpr std::string_view kName = "sctpmap";
  uint16_t port = 5000;
  std::string protocol;  // "webrtc-datachannel"
  std::optional<uint32_t> streams;
  static Result<Sctpmap> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Sctpmap&) const = default;
};

// a=framerate (RFC 8866 section 6.8), kept as written ("29.97") with a numeric reading.
struct Framerate {
  static constexpr std::string_view kName = "framerate";
  std::string value;
  std::optional<double> fps() const;
  static Result<Framerate> parse(std::string_view value);
  void write(std::string& out) const { out += value; }
  bool operator==(const Framerate&) const = default;
};

}  // namespace medley::rtp::sdp
