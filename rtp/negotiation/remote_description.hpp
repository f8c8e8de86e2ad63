// What a remote description (offer or answer) says about the peer: its streams per section, its transport.
#pragma once

#include <string>
#include <vector>

#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation {

RemoteStreams read_remote_streams(const sdp::MediaDescription& m);

// ICE credentials and fingerprints from `tagged` (media level over session level), candidates from every
// section in `sections` (duplicates dropped: with BUNDLE, browsers repeat them). An error says what is missing.
base::Result<RemoteTransport, std::string> read_remote_transport(const sdp::SessionDescription& sdp,
                                                                 const sdp::MediaDescription& tagged,
                                                                 const std::vector<const sdp::MediaDescription*>& sections);

// The SCTP port a data section offers: a=sctp-port, else a=sctpmap, else the legacy format number, else 5000.
uint16_t remote_sctp_port(const sdp::MediaDescription& m);

}  // namespace medley::rtp::negotiation
