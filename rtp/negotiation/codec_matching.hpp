// Matching an offered m-section against our capabilities: codecs (H.264 profile and packetization mode, VP9
// profile), RTX pairing, RTCP feedback and header extensions, in the offer's order and with its numbers.
#pragma once

#include <vector>

#include "rtp/negotiation/local_capabilities.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation {

// The section's codecs with static payload types (RFC 3551 table 4: 0 PCMU, 8 PCMA, 9 G722, ...) named when
// the section has no rtpmap for them; duplicate payload types dropped.
std::vector<sdp::Codec> offered_codecs(const sdp::MediaDescription& m);

bool is_rtx(const sdp::Codec& c);
bool codec_matches(const sdp::Codec& offered, const CodecCapability& cap);
// The format parameters we write for a matched codec (H.264: answer profile-level-id and the offer's mode).
std::string local_fmtp_for(const sdp::Codec& offered, const CodecCapability& cap);
std::vector<sdp::RtcpFb> common_feedback(const sdp::Codec& offered, const CodecCapability& cap);

// Codecs we accept from `offer` (offer order, offer numbers), each with its RTX payload type when both sides do
// RTX. Empty when nothing matches.
std::vector<NegotiatedCodec> match_codecs(const sdp::MediaDescription& offer, MediaKind kind,
                                          const LocalCapabilities& caps);

// Header extensions of the offered section (media level, then session level) that we support, with the
// offer's ids. Ids above 14 need two-byte headers and are kept only when `two_byte_ok` (a=extmap-allow-mixed).
std::vector<NegotiatedExtension> match_extensions(const sdp::SessionDescription& offer_sdp,
                                                  const sdp::MediaDescription& offer, MediaKind kind,
                                                  const LocalCapabilities& caps, bool two_byte_ok);

}  // namespace medley::rtp::negotiation
