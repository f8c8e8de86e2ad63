// Classifies a datagram arriving on a WebRTC port by its first bytes (RFC 7983 §7, RFC 5761 §4).
#pragma once

#include <cstdint>
#include <string_view>

#include "rtp/base/bytes.hpp"

namespace medley::ice {

enum class DatagramKind : uint8_t {
  Stun,         // first byte 0..3
  Zrtp,         // 16..19: we do not speak ZRTP, drop
  Dtls,         // 20..63
  TurnChannel,  // 64..79 (ChannelData from a TURN server)
  Rtp,          // 128..191, second byte's payload type outside 64..95
  Rtcp,         // 128..191, second byte 192..223 (RTCP packet types 192..223, RFC 5761 §4)
  Unknown,      // anything else, or empty
};

// First-byte classification only; the handler still parses and validates. RTP/RTCP need two bytes to tell apart
// (one byte alone is Unknown).
DatagramKind classify_datagram(base::Bytes datagram);

std::string_view to_string(DatagramKind kind);

}  // namespace medley::ice
