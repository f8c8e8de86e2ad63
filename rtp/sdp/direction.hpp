// Media direction (RFC 3264 section 5.1; RFC 8866 section 6.7) as the a=sendrecv family and a=extmap use it.
#pragma once

#include <optional>
#include <string_view>

namespace medley::rtp::sdp {

enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };

constexpr std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::SendRecv: return "sendrecv";
    case Direction::SendOnly: return "sendonly";
    case Direction::RecvOnly: return "recvonly";
    case Direction::Inactive: return "inactive";
  }
  return "sendrecv";
}

constexpr std::optional<Direction> direction_from_string(std::string_view s) {
  if (s == "sendrecv") return Direction::SendRecv;
  if (s == "sendonly") return Direction::SendOnly;
  if (s == "recvonly") return Direction::RecvOnly;
  if (s == "inactive") return Direction::Inactive;
  return std::nullopt;
}

// The direction an answerer uses toward an offer's direction (RFC 3264 section 6.1), before it applies its own wishes.
constexpr Direction reversed(Direction d) {
  switch (d) {
    case Direction::SendOnly: return Direction::RecvOnly;
    case Direction::RecvOnly: return Direction::SendOnly;
    default: return d;
  }
}

// a=sendrecv / a=sendonly / a=recvonly / a=inactive.
struct DirectionAttr {
  Direction value = Direction::SendRecv;
  bool operator==(const DirectionAttr&) const = default;
};

}  // namespace medley::rtp::sdp
