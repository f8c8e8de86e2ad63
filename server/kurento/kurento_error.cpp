// Symbolic names of Kurento's error codes, as KurentoException::getType() reports them.
#include "server/kurento/kurento_error.hpp"

namespace medley::server::kurento {

std::string_view error_type_name(int c) {
  switch (c) {
    case code::kMarshallError: return "MARSHALL_ERROR";
    case code::kUnexpectedError: return "UNEXPECTED_ERROR";
    case code::kConnectError: return "CONNECT_ERROR";
    case code::kUnsupportedMediaType: return "UNSUPPORTED_MEDIA_TYPE";
    case code::kNotImplemented: return "NOT_IMPLEMENTED";
    case code::kInvalidSession: return "INVALID_SESSION";
    case code::kMalformedTransaction: return "MALFORMED_TRANSACTION";
    case code::kNotEnoughResources: return "NOT_ENOUGH_RESOURCES";
    case code::kTypeNotFound: return "MEDIA_OBJECT_TYPE_NOT_FOUND";
    case code::kObjectNotFound: return "MEDIA_OBJECT_NOT_FOUND";
    case code::kConstructorNotFound: return "MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND";
    case code::kMethodNotFoundOnObject: return "MEDIA_OBJECT_METHOD_NOT_FOUND";
    case code::kEventNotSupported: return "MEDIA_OBJECT_EVENT_NOT_SUPPORTED";
    case code::kIllegalParam: return "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR";
    case code::kObjectNotAvailable: return "MEDIA_OBJECT_NOT_AVAILABLE";
    case code::kNotFoundTransactionNoCommit: return "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT";
    case code::kTagKeyNotFound: return "MEDIA_OBJECT_TAG_KEY_NOT_FOUND";
    case code::kOperationNotSupported: return "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED";
    case code::kSdpCreateError: return "SDP_CREATE_ERROR";
    case code::kSdpParseError: return "SDP_PARSE_ERROR";
    case code::kSdpNoLocalSdp: return "SDP_END_POINT_NO_LOCAL_SDP_ERROR";
    case code::kSdpNoRemoteSdp: return "SDP_END_POINT_NO_REMOTE_SDP_ERROR";
    case code::kSdpGenerateOfferError: return "SDP_END_POINT_GENERATE_OFFER_ERROR";
    case code::kSdpProcessOfferError: return "SDP_END_POINT_PROCESS_OFFER_ERROR";
    case code::kSdpProcessAnswerError: return "SDP_END_POINT_PROCESS_ANSWER_ERROR";
    case code::kSdpConfigurationError: return "SDP_CONFIGURATION_ERROR";
    case code::kSdpAlreadyNegotiated: return "SDP_END_POINT_ALREADY_NEGOTIATED";
    case code::kSdpNotOfferGenerated: return "SDP_END_POINT_NOT_OFFER_GENERATED";
    case code::kSdpAnswerAlreadyProcessed: return "SDP_END_POINT_ANSWER_ALREADY_PROCCESED";
    default: return {};
  }
}

}  // namespace medley::server::kurento
