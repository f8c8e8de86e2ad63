// Simulcast SDP attributes: a=simulcast (RFC 8853) and a=rid (RFC 8851).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/ids.hpp"
#include "rtp/sdp/sdp_result.hpp"

namespace medley::rtp::sdp {

enum class RidDirection { Send, Recv };
std::string_view to_string(RidDirection d);

struct SimulcastRid {
  std::string rid;
  bool paused = false;  // written with a leading '~'
  bool operator==(const SimulcastRid&) const = default;
};

// One "send ..." or "recv ..." part: a ';'-separated list of streams, each a ','-separated list of alternatives.
struct SimulcastStreams {
  RidDirection direction = RidDirection::Send;
  std::vector<std::vector<SimulcastRid>> streams;
  bool operator==(const SimulcastStreams&) const = default;
};

// a=simulcast:send h;m;l [recv ...]. Parts are kept in the order written. Also reads the pre-RFC form that
// Firefox sent until version 63 ("a=simulcast: send rid=h;m;l") and writes it back the same way.
struct Simulcast {
  static constexpr std::string_view kName = "simulcast";
  std::vector<SimulcastStreams> parts;  // one or two, different directions
  bool draft_form = false;
  bool leading_space = false;  // "a=simulcast: send ..." (the draft form's spelling)

  const SimulcastStreams* send() const;
  const SimulcastStreams* recv() const;

  static Result<Simulcast> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Simulcast&) const = default;
};

struct RidRestriction {
  std::string key;  // "max-width", "max-height", "max-fps", "max-br", "depend"
  std::optional<std::string> value;
  bool operator==(const RidRestriction&) const = default;
};

// a=rid:<id> <send|recv> [pt=<fmt>,...;<key>=<value>;...] (RFC 8851 section 10). The pt list is written first.
struct Rid {
  static constexpr std::string_view kName = "rid";
  std::string id;
  RidDirection direction = RidDirection::Send;
  std::vector<PayloadType> payload_types;
  std::vector<RidRestriction> restrictions;

  std::optional<std::string_view> restriction(std::string_view key) const;

  static Result<Rid> parse(std::string_view value);
  void write(std::string& out) const;
  bool operator==(const Rid&) const = default;
};

}  // namespace medley::rtp::sdp
