// Picture loss indication (PSFB FMT 1; RFC 4585 §6.3.1): a keyframe request with no FCI.
#pragma once

#include <optional>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

class PliView {
 public:
  static std::optional<PliView> parse(const PacketView& packet);
  Ssrc sender_ssrc() const { return sender_; }
  Ssrc media_ssrc() const { return media_; }

 private:
  Ssrc sender_;
  Ssrc media_;
};

bool write_pli(base::ByteWriter& w, Ssrc sender, Ssrc media);

}  // namespace medley::rtp::rtcp
