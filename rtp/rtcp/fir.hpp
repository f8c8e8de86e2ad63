// Full intra request (PSFB FMT 4; RFC 5104 §4.3.1): per-SSRC keyframe requests with a command sequence number.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

struct FirEntry {
  Ssrc ssrc;            // the media sender asked for a keyframe
  uint8_t seq_nr = 0;   // bumped per new request, so a repeated packet is not a new request (RFC 5104 §4.3.1.1)
  bool operator==(const FirEntry&) const = default;
};

class FirView {
 public:
  // Needs at least one entry; bytes short of a whole entry are ignored.
  static std::optional<FirView> parse(const PacketView& packet);
  Ssrc sender_ssrc() const { return sender_; }
  // RFC 5104 says 0; some senders put the media SSRC here, so it is reported, not checked.
  Ssrc media_ssrc() const { return media_; }
  size_t entry_count() const { return count_; }
  FirEntry entry(size_t i) const;  // i < entry_count()

 private:
  Ssrc sender_;
  Ssrc media_;
  const uint8_t* entries_ = nullptr;
  size_t count_ = 0;
};

// Media source SSRC is written as 0 (RFC 5104 §4.3.1.2). False when `entries` is empty or there is no room.
bool write_fir(base::ByteWriter& w, Ssrc sender, std::span<const FirEntry> entries);

}  // namespace medley::rtp::rtcp
