// JSON-RPC 2.0 framing for the Kurento protocol: one text frame in → a request or an error to answer; replies out.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "server/kurento/kurento_error.hpp"

namespace medley::server::kurento {

using Json = nlohmann::json;

// A well-formed request. `id` is null for a notification (which gets no answer).
struct RpcRequest {
  Json id;
  bool has_id = false;
  std::string method;
  Json params;  // an object, or null when absent
};

// A frame that must be answered with an error; `id` is null when none could be read.
struct RpcFrameError {
  Json id;
  KurentoError error;
};

using ParsedFrame = std::variant<RpcRequest, RpcFrameError>;

// Frames nested deeper than this are refused before they are parsed (recursion on hostile input).
inline constexpr int kMaxJsonDepth = 64;

ParsedFrame parse_frame(std::string_view text);

// Serializers never throw (invalid UTF-8 is replaced).
std::string dump_json(const Json& value);
std::string make_result(const Json& id, Json result);
std::string make_error(const Json& id, const KurentoError& error);
Json error_object(const KurentoError& error);  // {code, message, data: {type}}
std::string make_notification(std::string_view method, Json params);

}  // namespace medley::server::kurento
