// Receiver estimated maximum bitrate (PSFB FMT 15 "REMB"; draft-alvestrand-rmcat-remb-03 §2.2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

class RembView {
 public:
  // nullopt for other application-layer feedback (identifier is not "REMB"), an SSRC list past the end, or a
  // bitrate that does not fit 64 bits (libwebrtc rejects those too).
  static std::optional<RembView> parse(const PacketView& packet);
  // True when this PSFB FMT 15 packet carries the "REMB" identifier (it may still be malformed).
  static bool is_remb(const PacketView& packet);

  Ssrc sender_ssrc() const { return sender_; }
  uint64_t bitrate_bps() const { return bitrate_; }
  size_t ssrc_count() const { return count_; }
  Ssrc ssrc(size_t i) const { return Ssrc(base::load_be32(ssrcs_ + 4 * i)); }  // i < ssrc_count()

 private:
  Ssrc sender_;
  uint64_t bitrate_ = 0;
  const uint8_t* ssrcs_ = nullptr;
  size_t count_ = 0;
};

// Exponent and 18-bit mantissa for a bitrate: the smallest exponent that fits, the mantissa rounded down so the
// receiver never reads more than was meant.
struct RembBitrate {
  uint8_t exponent = 0;
  uint32_t mantissa = 0;
  static RembBitrate encode(uint64_t bps);
  uint64_t decode() const { return uint64_t{mantissa} << exponent; }
};

// False when more than 255 SSRCs or no room.
bool write_remb(base::ByteWriter& w, Ssrc sender, uint64_t bitrate_bps, std::span<const Ssrc> ssrcs);

}  // namespace medley::rtp::rtcp
