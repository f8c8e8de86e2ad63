// JSON-RPC framing: what parse_frame accepts and refuses, and the shape of replies.
#include "server/kurento/jsonrpc.hpp"

#include <gtest/gtest.h>

namespace medley::server::kurento {
namespace {

const RpcFrameError& error_of(const ParsedFrame& f) { return std::get<RpcFrameError>(f); }

TEST(KurentoJsonRpc, ParsesRequestsAndNotifications) {
  auto f = parse_frame(R"({"jsonrpc":"2.0","id":3,"method":"ping","params":{"interval":1}})");
  ASSERT_TRUE(std::holds_alternative<RpcRequest>(f));
  const auto& r = std::get<RpcRequest>(f);
  EXPECT_TRUE(r.has_id);
  EXPECT_EQ(r.id, 3);
  EXPECT_EQ(r.method, "ping");
  EXPECT_EQ(r.params["interval"], 1);
  auto n = parse_frame(R"({"jsonrpc":"2.0","method":"ping"})");
  ASSERT_TRUE(std::holds_alternative<RpcRequest>(n));
  EXPECT_FALSE(std::get<RpcRequest>(n).has_id);
  EXPECT_TRUE(std::get<RpcRequest>(n).params.is_null());
}

TEST(KurentoJsonRpc, RefusesMalformedFrames) {
  EXPECT_EQ(error_of(parse_frame("")).error.code, code::kParseError);
  EXPECT_EQ(error_of(parse_frame("{\"a\":")).error.code, code::kParseError);
  EXPECT_EQ(error_of(parse_frame("\"str\"")).error.code, code::kInvalidRequest);
  EXPECT_EQ(error_of(parse_frame(R"({"id":1,"method":"ping"})")).error.code, code::kInvalidRequest);
  EXPECT_EQ(error_of(parse_frame(R"({"id":1,"method":"ping"})")).id, 1);
  EXPECT_EQ(error_of(parse_frame(R"({"jsonrpc":"2.0","id":[1],"method":"ping"})")).id, nullptr);
  EXPECT_EQ(error_of(parse_frame(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})")).error.code,
            code::kInvalidParams);
  std::string deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":" + std::string(70, '[') +
                     std::string(70, ']') + "}}";
  EXPECT_EQ(error_of(parse_frame(deep)).error.code, code::kParseError);
  // Brackets inside strings do not count as nesting.
  std::string quoted = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":\"" + std::string(70, '[') +
                       "\\\"\"}}";
  EXPECT_TRUE(std::holds_alternative<RpcRequest>(parse_frame(quoted)));
}

TEST(KurentoJsonRpc, RepliesAndNotifications) {
  EXPECT_EQ(make_result(1, {{"value", "pong"}}), R"({"id":1,"jsonrpc":"2.0","result":{"value":"pong"}})");
  EXPECT_EQ(make_error(nullptr, {code::kObjectNotFound, "gone"}),
            R"({"error":{"code":40101,"data":{"type":"MEDIA_OBJECT_NOT_FOUND"},"message":"gone"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(make_error("a", {code::kParseError, "Parse error"}),
            R"({"error":{"code":-32700,"message":"Parse error"},"id":"a","jsonrpc":"2.0"})");
  EXPECT_EQ(make_notification("onEvent", {{"value", 1}}), R"({"jsonrpc":"2.0","method":"onEvent","params":{"value":1}})");
  // Invalid UTF-8 from a media layer's message never throws.
  EXPECT_NO_THROW(make_error(1, {code::kUnexpectedError, "\xff\xfe"}));
}

}  // namespace
}  // namespace medley::server::kurento
