// Kurento's error codes (kms-jsonrpc KurentoException.hpp) and plain JSON-RPC 2.0 codes, as values.
#pragma once

#include <string>
#include <string_view>

namespace medley::server::kurento {

namespace code {
// JSON-RPC 2.0 (malformed traffic).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// Kurento, numbered as in KurentoException.hpp of Kurento 7 (the protocol notes' "40001 unexpected / 40102 illegal
// parameter" do not match the server's own header, which clients see).
inline constexpr int kMarshallError = 40001;
inline constexpr int kUnexpectedError = 40003;
inline constexpr int kConnectError = 40004;
inline constexpr int kUnsupportedMediaType = 40005;
inline constexpr int kNotImplemented = 40006;
inline constexpr int kInvalidSession = 40007;
inline constexpr int kMalformedTransaction = 40008;
inline constexpr int kNotEnoughResources = 40009;
inline constexpr int kTypeNotFound = 40100;
inline constexpr int kObjectNotFound = 40101;
inline constexpr int kConstructorNotFound = 40104;
inline constexpr int kMethodNotFoundOnObject = 40105;
inline constexpr int kEventNotSupported = 40106;
inline constexpr int kIllegalParam = 40107;
inline constexpr int kObjectNotAvailable = 40108;
inline constexpr int kNotFoundTransactionNoCommit = 40109;
inline constexpr int kTagKeyNotFound = 40110;
inline constexpr int kOperationNotSupported = 40111;
inline constexpr int kSdpCreateError = 40200;
inline constexpr int kSdpParseError = 40201;
inline constexpr int kSdpNoLocalSdp = 40202;
inline constexpr int kSdpNoRemoteSdp = 40203;
inline constexpr int kSdpGenerateOfferError = 40204;
inline constexpr int kSdpProcessOfferError = 40205;
inline constexpr int kSdpProcessAnswerError = 40206;
inline constexpr int kSdpConfigurationError = 40207;
inline constexpr int kSdpAlreadyNegotiated = 40208;
inline constexpr int kSdpNotOfferGenerated = 40209;
inline constexpr int kSdpAnswerAlreadyProcessed = 40210;
}  // namespace code

// What a failed call answers: {code, message, data: {type}}.
struct KurentoError {
  int code = code::kUnexpectedError;
  std::string message;
};

// Kurento's symbolic name sent as error.data.type ("MEDIA_OBJECT_NOT_FOUND"); empty for JSON-RPC codes.
std::string_view error_type_name(int code);

}  // namespace medley::server::kurento
