// RTX retransmission payload format (RFC 4588): wrapping a stored packet for resend, unwrapping a received one.
#pragma once

#include <cstddef>
#include <optional>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/packet_view.hpp"

namespace medley::rtp {

// Writes into `out` the RTX packet for `original` (RFC 4588 §4): the original header (CSRCs, extensions) with the
// RTX stream's SSRC, payload type and sequence number, then the original sequence number (OSN), then the
// original payload. The original's padding is not carried. Returns the size, or nullopt if `out` is too small.
std::optional<size_t> rtx_wrap(const RtpPacketView& original, Ssrc rtx_ssrc, PayloadType rtx_pt, uint16_t rtx_seq,
                               base::MutableBytes out);

// Writes into `out` the original packet carried by `rtx` (RFC 4588 §4): its header with the original SSRC and
// payload type and the OSN as sequence number, then the payload after the OSN. nullopt when the RTX payload has
// no OSN (a padding-only bandwidth probe, which carries nothing to restore) or `out` is too small.
std::optional<size_t> rtx_unwrap(const RtpPacketView& rtx, Ssrc original_ssrc, PayloadType original_pt,
                                 base::MutableBytes out);

}  // namespace medley::rtp
