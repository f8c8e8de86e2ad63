// The SDP model (RFC 8866): session-level lines, ordered session attributes and media sections, with typed
// accessors that resolve media-level values over session-level ones (ICE credentials, fingerprint, setup).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/sdp/attribute.hpp"
#include "rtp/sdp/media_description.hpp"
#include "rtp/sdp/sdp_result.hpp"

namespace medley::rtp::sdp {

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> (RFC 8866 section 5.2).
struct Origin {
  std::string username = "-";
  std::string session_id = "0";  // kept as written: browsers use up to 64-bit decimal strings
  uint64_t session_version = 0;  // incremented on each new offer/answer (RFC 3264 section 8)
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "127.0.0.1";
  bool operator==(const Origin&) const = default;
};

// t=<start> <stop> and its r= lines (kept verbatim).
struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;
  bool operator==(const Timing&) const = default;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";         // s=
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<Connection> connection;    // c=
  std::vector<Bandwidth> bandwidths;       // b=
  std::vector<Timing> timings;             // t= (+ r=)
  std::optional<std::string> zone_adjustments;  // z= (verbatim)
  std::optional<std::string> key;          // k= (obsolete, verbatim)
  AttributeList attributes;
  std::vector<MediaDescription> media;

  static Result<SessionDescription> parse(std::string_view text);
  // CRLF line endings, RFC 8866 line order; attributes in their stored order.
  std::string to_string() const;

  const Group* group(std::string_view semantics) const;
  // The mids of the first BUNDLE group (RFC 9143), empty when there is none.
  std::vector<std::string_view> bundle_mids() const;
  const MediaDescription* find_media(std::string_view mid) const;
  MediaDescription* find_media(std::string_view mid);

  // Media level first, then session level (RFC 8839 section 5.4, RFC 8122 section 5, RFC 4145).
  const IceUfrag* ice_ufrag(const MediaDescription& m) const { return resolve<IceUfrag>(m); }
  const IcePwd* ice_pwd(const MediaDescription& m) const { return resolve<IcePwd>(m); }
  const IceOptions* ice_options(const MediaDescription& m) const { return resolve<IceOptions>(m); }
  const Setup* setup(const MediaDescription& m) const { return resolve<Setup>(m); }
  std::vector<const Fingerprint*> fingerprints(const MediaDescription& m) const;
  // sendrecv when neither level says (RFC 3264 section 5.1).
  Direction direction(const MediaDescription& m) const;
  // Session-level extmaps apply to every section (RFC 8285 section 8); media-level ones come first.
  std::vector<const Extmap*> extmaps(const MediaDescription& m) const;
  bool ice_lite() const { return attributes.has<IceLite>(); }

  bool operator==(const SessionDescription&) const = default;

 private:
  template <class T>
  const T* resolve(const MediaDescription& m) const {
    if (auto* v = m.attributes.find<T>()) return v;
    return attributes.find<T>();
  }
};

}  // namespace medley::rtp::sdp
