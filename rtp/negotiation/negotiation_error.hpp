// Negotiation failures as values, with Kurento's SdpEndpoint error codes and a reason the server logs and returns.
#pragma once

#include <string>

#include "rtp/base/result.hpp"

namespace medley::rtp::negotiation {

// Kurento's codes (kurento-client-core errors): what the JSON-RPC error carries.
inline constexpr int kGenerateOfferError = 40204;  // SDP_END_POINT_GENERATE_OFFER_ERROR
inline constexpr int kProcessOfferError = 40205;   // SDP_END_POINT_PROCESS_OFFER_ERROR
inline constexpr int kProcessAnswerError = 40206;  // SDP_END_POINT_PROCESS_ANSWER_ERROR

struct NegotiationError {
  int code = kProcessOfferError;
  std::string reason;
};

template <class T>
using Result = base::Result<T, NegotiationError>;

}  // namespace medley::rtp::negotiation
