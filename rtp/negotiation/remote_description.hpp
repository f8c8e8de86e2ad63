// What a remote description (offer or answer) says about the peer: its streams per section, its transport.
#pragma once

#include <string>
#include <vector>

#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation {

RemoteStreams read_remote_streams(const sdp::MediaDescription& m);

// ICE credentials, fingerprints and candidates of the tagged section (media level over session level): with
// BUNDLE only its transport survives (RFC 9143 section 7.3.3); Chromium gathers other candidates, on other
// ports, for the other sections until the answer comes. An error says what is missing.
base::Result<RemoteTransport, std::string> read_remote_transport(const sdp::SessionDescription& sdp,
                                                                 const sdp::MediaDescription& tagged);

// The SCTP port a data section offers: a=sctp-port, else a=sctpmap, else the legacy format number, else 5000.
uint16_t remote_sctp_port(const sdp::MediaDescription& m);

}  // namespace medley::rtp::negotiation
