// JSON-RPC 2.0 framing: validation of incoming frames (parse errors, invalid requests) and reply serialization.
#include "server/kurento/jsonrpc.hpp"

namespace medley::server::kurento {
namespace {

// Depth of the deepest array/object, strings skipped; stops early once over the limit.
int nesting_depth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > kMaxJsonDepth) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

bool valid_id(const Json& id) { return id.is_number() || id.is_string() || id.is_null(); }

}  // namespace

ParsedFrame parse_frame(std::string_view text) {
  if (nesting_depth(text) > kMaxJsonDepth) {
    return RpcFrameError{nullptr, {code::kParseError, "Parse error: nesting too deep"}};
  }
  Json msg = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded()) return RpcFrameError{nullptr, {code::kParseError, "Parse error"}};
  if (!msg.is_object()) return RpcFrameError{nullptr, {code::kInvalidRequest, "Invalid request: not an object"}};

  Json id = nullptr;
  bool has_id = false;
  if (auto it = msg.find("id"); it != msg.end()) {
    if (!valid_id(*it)) return RpcFrameError{nullptr, {code::kInvalidRequest, "Invalid request: bad id"}};
    id = *it;
    has_id = true;
  }
  auto version = msg.find("jsonrpc");
  if (version == msg.end() || !version->is_string() || *version != "2.0") {
    return RpcFrameError{id, {code::kInvalidRequest, "Invalid request: jsonrpc must be \"2.0\""}};
  }
  auto method = msg.find("method");
  if (method == msg.end() || !method->is_string()) {
    return RpcFrameError{id, {code::kInvalidRequest, "Invalid request: method must be a string"}};
  }
  Json params = nullptr;
  if (auto it = msg.find("params"); it != msg.end()) {
    if (!it->is_object() && !it->is_null()) {
      return RpcFrameError{id, {code::kInvalidParams, "Invalid params: params must be an object"}};
    }
    params = std::move(*it);
  }
  return RpcRequest{std::move(id), has_id, method->get<std::string>(), std::move(params)};
}

std::string dump_json(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string make_result(const Json& id, Json result) {
  Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
  return dump_json(msg);
}

Json error_object(const KurentoError& error) {
  Json err = {{"code", error.code}, {"message", error.message}};
  if (auto type = error_type_name(error.code); !type.empty()) err["data"] = {{"type", std::string(type)}};
  return err;
}

std::string make_error(const Json& id, const KurentoError& error) {
  Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"error", error_object(error)}};
  return dump_json(msg);
}

std::string make_notification(std::string_view method, Json params) {
  Json msg = {{"jsonrpc", "2.0"}, {"method", std::string(method)}, {"params", std::move(params)}};
  return dump_json(msg);
}

}  // namespace medley::server::kurento
