// Offering as Kurento's WebRtcEndpoint.generateOffer does, and reading the answer back (processAnswer): our
// sections BUNDLEd with a=setup:actpass, then the answer checked against what we offered.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rtp/negotiation/local_capabilities.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/negotiation/transport_params.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation {

struct OfferSection {
  MediaKind kind = MediaKind::Video;  // Audio, Video or Data
  sdp::Direction direction = sdp::Direction::SendRecv;  // ignored for Data
};

// What we offered, kept until the answer comes.
struct OfferState {
  sdp::SessionDescription offer;
  std::vector<NegotiatedMedia> local;  // per section: our codecs (local_fmtp), extensions, direction, send stream
};

struct GeneratedOffer {
  std::string sdp;
  OfferState state;
};

// Errors carry kGenerateOfferError (40204): nothing requested, no codec configured for a kind, data channels
// disabled or requested twice, invalid local transport values.
Result<GeneratedOffer> generate_offer(const LocalCapabilities& caps, const TransportParams& transport,
                                      const LocalIdentity& identity, const std::vector<OfferSection>& sections);

// Errors carry kProcessAnswerError (40206): unparseable text, a different number or order of sections, codecs or
// directions we did not offer, no rtcp-mux, no BUNDLE for several accepted sections, a=setup:actpass in the
// answer, missing ICE credentials or fingerprint, every section rejected.
Result<NegotiatedSession> process_answer(std::string_view answer_text, const OfferState& state);

}  // namespace medley::rtp::negotiation
