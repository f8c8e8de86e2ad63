// The API table built from kurento-client 7.3.0: types, hierarchy, operations, events, parameter checks.
#include "server/kurento/api_table.hpp"

#include <gtest/gtest.h>

namespace medley::server::kurento {
namespace {

TEST(KurentoApiTable, TypesAndHierarchy) {
  const auto& t = ApiTable::kurento();
  const ApiType* w = t.find("WebRtcEndpoint");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(t.find("kurento.WebRtcEndpoint"), w);
  EXPECT_EQ(w->qualified, "kurento.WebRtcEndpoint");
  EXPECT_FALSE(w->abstract);
  EXPECT_TRUE(w->is_a("MediaElement"));
  EXPECT_TRUE(w->is_a("kurento.SdpEndpoint"));
  EXPECT_FALSE(w->is_a("Hub"));
  EXPECT_EQ(w->hierarchy().back(), "kurento.MediaObject");
  EXPECT_TRUE(t.find("MediaElement")->abstract);
  EXPECT_EQ(t.find("Nope"), nullptr);
  EXPECT_EQ(t.modules().size(), 3u);
}

TEST(KurentoApiTable, OperationsWithParameterNames) {
  const ApiType* w = ApiTable::kurento().find("WebRtcEndpoint");
  const ApiOperation* offer = w->find_operation("processOffer");  // inherited from SdpEndpoint
  ASSERT_NE(offer, nullptr);
  ASSERT_EQ(offer->params.size(), 1u);
  EXPECT_EQ(offer->params[0].name, "offer");
  EXPECT_TRUE(offer->params[0].required);
  const ApiOperation* connect = w->find_operation("connect");
  ASSERT_NE(connect, nullptr);
  std::vector<std::string> names;
  for (const auto& p : connect->params) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sink", "mediaType", "sourceMediaDescription", "sinkMediaDescription"}));
  EXPECT_NE(w->find_operation("addIceCandidate"), nullptr);
  EXPECT_NE(w->find_operation("getName"), nullptr);
  EXPECT_EQ(w->find_operation("getInfo"), nullptr);
  EXPECT_TRUE(w->has_event("IceCandidateFound"));
  EXPECT_TRUE(w->has_event("ElementConnected"));
  EXPECT_FALSE(ApiTable::kurento().find("PassThrough")->has_event("IceCandidateFound"));
  const ApiType* rec = ApiTable::kurento().find("RecorderEndpoint");
  ASSERT_EQ(rec->constructor_params.size(), 4u);
  EXPECT_EQ(ApiTable::kurento().find("ServerManager")->find_operation("getUsedCpu")->params[0].name, "interval");
}

TEST(KurentoApiTable, ParameterChecks) {
  std::vector<ApiParam> params = {{"sink", "MediaElement", true}, {"mediaType", "MediaType", false},
                                  {"n", "int", false}, {"b", "boolean", false}, {"o", "IceCandidate", false}};
  EXPECT_FALSE(check_params(params, {{"sink", "x"}}));
  EXPECT_EQ(check_params(params, nlohmann::json::object())->code, 40001);
  EXPECT_EQ(check_params(params, {{"sink", 1}})->code, 40001);
  EXPECT_EQ(check_params(params, {{"sink", "x"}, {"mediaType", 1}})->code, 40001);
  EXPECT_FALSE(check_params(params, {{"sink", "x"}, {"n", 3.0}}));
  EXPECT_EQ(check_params(params, {{"sink", "x"}, {"n", 3.5}})->code, 40001);
  EXPECT_EQ(check_params(params, {{"sink", "x"}, {"n", 1e300}})->code, 40001);
  EXPECT_EQ(check_params(params, {{"sink", "x"}, {"b", "true"}})->code, 40001);
  EXPECT_FALSE(check_params(params, {{"sink", "x"}, {"o", {{"candidate", "c"}}}}));
  EXPECT_EQ(check_params(params, {{"sink", "x"}, {"o", "c"}})->code, 40001);
}

TEST(KurentoApiTable, MalformedTableIsRefused) {
  EXPECT_FALSE(ApiTable::from_json(nlohmann::json::object()));
  EXPECT_FALSE(ApiTable::from_json({{"modules", nlohmann::json::array()},
                                    {"types", {{{"name", "A"}, {"module", "core"}, {"parent", "Missing"},
                                                {"abstract", false}, {"constructorParams", nlohmann::json::array()},
                                                {"events", nlohmann::json::array()},
                                                {"operations", nlohmann::json::array()}}}}}));
}

}  // namespace
}  // namespace medley::server::kurento
