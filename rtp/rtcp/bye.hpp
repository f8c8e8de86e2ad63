// Goodbye (RTCP BYE, PT 203; RFC 3550 §6.6): the SSRCs leaving and an optional reason.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

class ByeView {
 public:
  static std::optional<ByeView> parse(const PacketView& packet);

  size_t ssrc_count() const { return count_; }
  Ssrc ssrc(size_t i) const { return Ssrc(base::load_be32(ssrcs_ + 4 * i)); }  // i < ssrc_count()
  // The reason for leaving, when present (may be empty even then).
  std::optional<std::string_view> reason() const { return reason_; }

 private:
  const uint8_t* ssrcs_ = nullptr;
  size_t count_ = 0;
  std::optional<std::string_view> reason_;
};

// False when more than 31 SSRCs, a reason longer than 255 bytes, or no room.
bool write_bye(base::ByteWriter& w, std::span<const Ssrc> ssrcs, std::optional<std::string_view> reason = {});

}  // namespace medley::rtp::rtcp
