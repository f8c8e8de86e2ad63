// RFC 7983 first-byte demultiplexing, with RFC 5761 §4 to tell RTCP from RTP.
#include "ice/demux.hpp"

namespace medley::ice {

DatagramKind classify_datagram(base::Bytes d) {
  if (d.empty()) return DatagramKind::Unknown;
  const uint8_t b = d[0];
  if (b <= 3) return DatagramKind::Stun;
  if (b >= 16 && b <= 19) return DatagramKind::Zrtp;
  if (b >= 20 && b <= 63) return DatagramKind::Dtls;
  if (b >= 64 && b <= 79) return DatagramKind::TurnChannel;
  if (b >= 128 && b <= 191) {
    if (d.size() < 2) return DatagramKind::Unknown;
    // RFC 5761 §4: RTCP packet types 192..223 occupy the byte where RTP has marker + payload type, so RTP
    // payload types 64..95 are avoided and this byte tells the two apart.
    const uint8_t pt = d[1];
    return (pt >= 192 && pt <= 223) ? DatagramKind::Rtcp : DatagramKind::Rtp;
  }
  return DatagramKind::Unknown;
}

std::string_view to_string(DatagramKind kind) {
  switch (kind) {
    case DatagramKind::Stun: return "stun";
    case DatagramKind::Zrtp: return "zrtp";
    case DatagramKind::Dtls: return "dtls";
    case DatagramKind::TurnChannel: return "turn-channel";
    case DatagramKind::Rtp: return "rtp";
    case DatagramKind::Rtcp: return "rtcp";
    case DatagramKind::Unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace medley::ice
