// One SDP attribute line (a=...) as a typed variant, property flags, unknown attributes kept verbatim, and the
// ordered AttributeList that session and media sections hold (order is kept so real SDPs round-trip exactly).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtp/sdp/candidate.hpp"
#include "rtp/sdp/direction.hpp"
#include "rtp/sdp/rtp_attributes.hpp"
#include "rtp/sdp/sdp_result.hpp"
#include "rtp/sdp/simulcast.hpp"
#include "rtp/sdp/transport_attributes.hpp"

namespace medley::rtp::sdp {

// Property attributes (no value).
struct RtcpMux {  // RFC 5761
  static constexpr std::string_view kName = "rtcp-mux";
  bool operator==(const RtcpMux&) const = default;
};
struct RtcpMuxOnly {  // RFC 8858
  static constexpr std::string_view kName = "rtcp-mux-only";
  bool operator==(const RtcpMuxOnly&) const = default;
};
struct RtcpRsize {  // RFC 5506
  static constexpr std::string_view kName = "rtcp-rsize";
  bool operator==(const RtcpRsize&) const = default;
};
struct IceLite {  // RFC 8839 section 5.3
  static constexpr std::string_view kName = "ice-lite";
  bool operator==(const IceLite&) const = default;
};
struct EndOfCandidates {  // RFC 8840 section 8.2
  static constexpr std::string_view kName = "end-of-candidates";
  bool operator==(const EndOfCandidates&) const = default;
};
struct BundleOnly {  // RFC 9143 section 6
  static constexpr std::string_view kName = "bundle-only";
  bool operator==(const BundleOnly&) const = default;
};
struct ExtmapAllowMixed {  // RFC 8285 section 6
  static constexpr std::string_view kName = "extmap-allow-mixed";
  bool operator==(const ExtmapAllowMixed&) const = default;
};

// Anything we do not model (a=rtcp-xr, a=ptime, a=label, ...), or a flag written with a value.
struct UnknownAttribute {
  std::string name;
  std::optional<std::string> value;  // nullopt: "a=name"; "" : "a=name:"
  bool operator==(const UnknownAttribute&) const = default;
};

using Attribute = std::variant<Group, MsidSemantic, IceUfrag, IcePwd, IceOptions, IceLite, Fingerprint, Setup,
                               ExtmapAllowMixed, Extmap, Mid, Rtpmap, Fmtp, RtcpFb, SsrcAttribute, SsrcGroup, Msid,
                               DirectionAttr, Rtcp, RtcpMux, RtcpMuxOnly, RtcpRsize, Candidate, EndOfCandidates,
                               Simulcast, Rid, SctpPort, MaxMessageSize, Sctpmap, BundleOnly, Framerate,
                               UnknownAttribute>;

// Parses the text after "a=" (name[:value]). A known attribute whose value is malformed is an error; the error's
// line is 0 (the caller knows the line).
Result<Attribute> parse_attribute(std::string_view text);
// Appends "a=...\r\n".
void write_attribute(std::string& out, const Attribute& attr);
std::string_view attribute_name(const Attribute& attr);

// The attributes of a session or media section, in order.
class AttributeList {
 public:
  using Items = std::vector<Attribute>;

  template <class T>
  const T* find() const {
    for (const auto& a : items_)
      if (auto* p = std::get_if<T>(&a)) return p;
    return nullptr;
  }
  template <class T>
  T* find() {
    for (auto& a : items_)
      if (auto* p = std::get_if<T>(&a)) return p;
    return nullptr;
  }
  template <class T, class Pred>
  const T* find_if(Pred pred) const {
    for (const auto& a : items_)
      if (auto* p = std::get_if<T>(&a); p && pred(*p)) return p;
    return nullptr;
  }
  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& a : items_)
      if (auto* p = std::get_if<T>(&a)) out.push_back(p);
    return out;
  }
  template <class T>
  bool has() const { return find<T>() != nullptr; }

  // Replaces the first attribute of type T in place (keeping its position) and drops the others of that type;
  // appends when there is none.
  template <class T>
  void set(T value) {
    bool done = false;
    for (auto it = items_.begin(); it != items_.end();) {
      if (std::holds_alternative<T>(*it)) {
        if (done) {
          it = items_.erase(it);
          continue;
        }
        *it = std::move(value);
        done = true;
      }
      ++it;
    }
    if (!done) items_.emplace_back(std::move(value));
  }
  template <class T>
  size_t remove_all() {
    return std::erase_if(items_, [](const Attribute& a) { return std::holds_alternative<T>(a); });
  }
  void add(Attribute a) { items_.push_back(std::move(a)); }

  const UnknownAttribute* find_unknown(std::string_view name) const;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Attribute& operator[](size_t i) const { return items_[i]; }
  Items::const_iterator begin() const { return items_.begin(); }
  Items::const_iterator end() const { return items_.end(); }
  Items& items() { return items_; }
  const Items& items() const { return items_; }

  bool operator==(const AttributeList&) const = default;

 private:
  Items items_;
};

}  // namespace medley::rtp::sdp
