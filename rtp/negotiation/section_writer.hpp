// Writes our m-sections (offers and answers share it): accepted RTP and data sections from a NegotiatedMedia, and
// rejected sections as a well-formed "m=<media> 0 <proto> <fmt>" line.
#pragma once

#include <string_view>

#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/negotiation/transport_params.hpp"
#include "rtp/sdp/media_description.hpp"

namespace medley::rtp::negotiation {

struct SectionTransport {
  const TransportParams* params = nullptr;
  const TransportAttributes* attributes = nullptr;
  sdp::SetupRole setup = sdp::SetupRole::Active;
  bool with_candidates = false;
};

// m=<kind> 9 <proto> <pts>, c=IN IP4 0.0.0.0, transport, mid, extmaps, direction, msid, rtcp-mux, rtcp-rsize,
// rtpmap/rtcp-fb/fmtp per codec with its RTX, then ssrc-group and ssrc lines when we send.
sdp::MediaDescription write_rtp_section(const NegotiatedMedia& m, const SectionTransport& t);
// m=application 9 UDP/DTLS/SCTP webrtc-datachannel with sctp-port and max-message-size, or the legacy
// "DTLS/SCTP <port>" + a=sctpmap form when m.legacy_sctpmap.
sdp::MediaDescription write_data_section(const NegotiatedMedia& m, const SectionTransport& t);
// Keeps the offered proto and first format so every parser gets its four fields (Chromium fails an answer
// with "Expects at least 4 fields" otherwise); a=mid stays so the section can still be matched.
sdp::MediaDescription write_rejected_section(std::string_view media, std::string_view proto,
                                             std::string_view first_format, std::string_view mid);

}  // namespace medley::rtp::negotiation
