// Answering an SDP offer as Kurento's WebRtcEndpoint.processOffer does: every m-section answered in order with
// its mid, unusable ones rejected with a well-formed port-0 line, the rest BUNDLEd on one ICE/DTLS transport.
#pragma once

#include <string>
#include <string_view>

#include "rtp/negotiation/local_capabilities.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/negotiation/transport_params.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation {

struct Answer {
  std::string sdp;                      // the answer text (CRLF)
  sdp::SessionDescription description;  // the same, as a model
  NegotiatedSession session;
};

// Errors carry kProcessOfferError (40205) and say why: the line that does not parse, duplicate mids, a BUNDLE
// group naming unknown mids, missing ICE credentials or fingerprint, a=setup:holdconn, or no usable section
// (with each section's reason). Never throws; any input is safe.
Result<Answer> process_offer(std::string_view offer_text, const LocalCapabilities& caps,
                             const TransportParams& transport, const LocalIdentity& identity);
Result<Answer> process_offer(const sdp::SessionDescription& offer, const LocalCapabilities& caps,
                             const TransportParams& transport, const LocalIdentity& identity);

// RFC 8829 section 5.1.3 / 5.3.1: the RTP profiles a WebRTC answerer accepts (DTLS-SRTP with feedback), and
// the SCTP ones for data channels.
bool is_webrtc_rtp_proto(std::string_view proto);
bool is_webrtc_sctp_proto(std::string_view proto);

}  // namespace medley::rtp::negotiation
