// KurentoRpc driven as kurento-client drives it, through a fake peer: sessions, objects, events, transactions,
// reconnects, errors, concurrency.
#include "server/kurento/kurento_rpc.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "kurento_fake_peer.hpp"

namespace medley::server::kurento {
namespace {

using testing::Client;
using testing::FakeClock;
using testing::json;
using testing::test_config;

class KurentoRpcTest : public ::testing::Test {
 protected:
  FakeClock clock;
  KurentoRpc rpc{test_config(clock)};

  // kurento-client's opening: ping and describe without a session, then getInfo with the new session.
  Client open_client(uint64_t peer_id) {
    Client c(rpc, peer_id);
    json pong = c.call("ping", {{"interval", 240000}});
    EXPECT_EQ(pong["result"]["value"], "pong");
    json d = c.call("describe", {{"object", "manager_ServerManager"}});
    c.session_id = d["result"]["sessionId"];
    return c;
  }
  std::string create_pipeline(Client& c) { return c.value("create", {{"type", "MediaPipeline"}, {"constructorParams", json::object()}}); }
  std::string create_element(Client& c, const std::string& pipeline, const std::string& type = "PassThrough") {
    return c.value("create", {{"type", type}, {"constructorParams", {{"mediaPipeline", pipeline}}}});
  }
};

TEST_F(KurentoRpcTest, OpeningSequenceGivesSessionAndServerInfo) {
  Client c(rpc, 1);
  json pong = c.call("ping", {{"interval", 240000}});
  EXPECT_EQ(pong["jsonrpc"], "2.0");
  EXPECT_EQ(pong["id"], 1);
  EXPECT_EQ(pong["result"]["value"], "pong");
  EXPECT_FALSE(pong["result"].contains("sessionId"));  // ping creates no session, as in Kurento

  json d = c.call("describe", {{"object", "manager_ServerManager"}});
  ASSERT_TRUE(d.contains("result")) << d;
  EXPECT_EQ(d["result"]["type"], "ServerManager");
  EXPECT_EQ(d["result"]["qualifiedType"], "kurento.ServerManager");
  EXPECT_EQ(d["result"]["hierarchy"], json::array({"kurento.MediaObject"}));
  std::string sid = d["result"]["sessionId"];
  EXPECT_EQ(sid.size(), 36u);

  c.session_id = sid;
  json info = c.call("invoke", {{"object", "manager_ServerManager"}, {"operation", "getInfo"}});
  ASSERT_TRUE(info.contains("result")) << info;
  EXPECT_EQ(info["result"]["sessionId"], sid);
  const json& v = info["result"]["value"];
  EXPECT_EQ(v["capabilities"], json::array({"transactions"}));
  EXPECT_EQ(v["type"], "KMS");
  EXPECT_EQ(v["__type__"], "ServerInfo");
  EXPECT_EQ(v["__module__"], "kurento");
  std::vector<std::string> names;
  for (const auto& m : v["modules"]) names.push_back(m["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"core", "elements", "filters"}));

  // Later requests without sessionId on this connection stay in the same session; ping now echoes it.
  EXPECT_EQ(c.call("ping")["result"]["sessionId"], sid);
}

TEST_F(KurentoRpcTest, ServerManagerFigures) {
  Client c = open_client(1);
  EXPECT_GT(c.value("invoke", {{"object", "manager_ServerManager"}, {"operation", "getUsedMemory"}}).get<int64_t>(), 0);
  EXPECT_GE(c.value("invoke", {{"object", "manager_ServerManager"}, {"operation", "getCpuCount"}}).get<int>(), 1);
  json cpu = c.value("invoke", {{"object", "manager_ServerManager"},
                                {"operation", "getUsedCpu"},
                                {"operationParams", {{"interval", 100}}}});
  EXPECT_TRUE(cpu.is_number());
  std::string p = create_pipeline(c);
  EXPECT_EQ(c.value("invoke", {{"object", "manager_ServerManager"}, {"operation", "getPipelines"}}),
            json::array({p}));
  EXPECT_EQ(c.value("invoke", {{"object", "manager_ServerManager"}, {"operation", "getSessions"}}),
            json::array({c.session_id}));
}

TEST_F(KurentoRpcTest, CreatePipelineAndPassThroughWithKurentoIds) {
  Client c = open_client(1);
  json r = c.call("create", {{"type", "MediaPipeline"}, {"constructorParams", json::object()}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["sessionId"], c.session_id);
  std::string pipeline = r["result"]["value"];
  EXPECT_TRUE(pipeline.ends_with("_kurento.MediaPipeline")) << pipeline;
  EXPECT_EQ(pipeline.size(), 36u + std::string("_kurento.MediaPipeline").size());

  std::string pt = create_element(c, pipeline);
  EXPECT_TRUE(pt.starts_with(pipeline + "/")) << pt;
  EXPECT_TRUE(pt.ends_with("_kurento.PassThrough")) << pt;

  json d = c.call("describe", {{"object", pt}})["result"];
  EXPECT_EQ(d["type"], "PassThrough");
  EXPECT_EQ(d["qualifiedType"], "kurento.PassThrough");
  EXPECT_EQ(d["hierarchy"], json::array({"kurento.MediaElement", "kurento.MediaObject"}));

  EXPECT_EQ(c.value("invoke", {{"object", pipeline}, {"operation", "getChildren"}}), json::array({pt}));
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getMediaPipeline"}}), pipeline);
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getParent"}}), pipeline);
  EXPECT_EQ(c.value("invoke", {{"object", pipeline}, {"operation", "getParent"}}), json());
  EXPECT_EQ(c.value("invoke", {{"object", pipeline}, {"operation", "getMediaPipeline"}}), pipeline);
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getCreationTime"}}), 1700000000);
  std::string dot = c.value("invoke", {{"object", pipeline}, {"operation", "getGstreamerDot"}});
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find(pt), std::string::npos);
}

TEST_F(KurentoRpcTest, NamesTagsAndGenericProperties) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string pt = create_element(c, p);
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getName"}}), pt);  // Kurento's default name is the id
  c.call("invoke", {{"object", pt}, {"operation", "setName"}, {"operationParams", {{"name", "relay"}}}});
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getName"}}), "relay");

  c.call("invoke", {{"object", pt}, {"operation", "addTag"}, {"operationParams", {{"key", "a"}, {"value", "1"}}}});
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getTag"}, {"operationParams", {{"key", "a"}}}}), "1");
  json tags = c.value("invoke", {{"object", pt}, {"operation", "getTags"}});
  EXPECT_EQ(tags, json::array({{{"key", "a"}, {"value", "1"}, {"__module__", "kurento"}, {"__type__", "Tag"}}}));
  c.call("invoke", {{"object", pt}, {"operation", "removeTag"}, {"operationParams", {{"key", "a"}}}});
  json missing = c.call("invoke", {{"object", pt}, {"operation", "getTag"}, {"operationParams", {{"key", "a"}}}});
  EXPECT_EQ(missing["error"]["code"], 40110);

  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getMaxEncoderBitrate"}}), 0);
  c.call("invoke", {{"object", pt}, {"operation", "setMaxEncoderBitrate"},
                    {"operationParams", {{"maxEncoderBitrate", 500000}}}});
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getMaxEncoderBitrate"}}), 500000);
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getSendTagsInEvents"}}), false);
  EXPECT_EQ(c.value("invoke", {{"object", pt}, {"operation", "getId"}}), pt);
}

TEST_F(KurentoRpcTest, ConnectBookkeepingAndEventsShape) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  json sub = c.call("subscribe", {{"object", a}, {"type", "ElementConnected"}});
  ASSERT_TRUE(sub.contains("result")) << sub;
  EXPECT_EQ(sub["result"]["sessionId"], c.session_id);
  std::string token = sub["result"]["value"];
  c.call("invoke", {{"object", a}, {"operation", "addTag"}, {"operationParams", {{"key", "k"}, {"value", "v"}}}});
  c.call("invoke", {{"object", a}, {"operation", "setSendTagsInEvents"},
                    {"operationParams", {{"sendTagsInEvents", true}}}});
  c.take_events();

  json r = c.call("invoke", {{"object", a}, {"operation", "connect"},
                             {"operationParams", {{"sink", b}, {"mediaType", "VIDEO"}}}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_TRUE(r["result"].contains("value"));
  EXPECT_TRUE(r["result"]["value"].is_null());
  auto events = c.take_events();
  ASSERT_EQ(events.size(), 1u);
  json expected = {{"jsonrpc", "2.0"},
                   {"method", "onEvent"},
                   {"params",
                    {{"value",
                      {{"data",
                        {{"source", a},
                         {"type", "ElementConnected"},
                         {"sink", b},
                         {"mediaType", "VIDEO"},
                         {"sourceMediaDescription", ""},
                         {"sinkMediaDescription", ""},
                         {"timestamp", "1700000000"},
                         {"timestampMillis", "1700000000123"},
                         {"tags", json::array({{{"key", "k"}, {"value", "v"}, {"__module__", "kurento"},
                                                {"__type__", "Tag"}}})}}},
                       {"object", a},
                       {"type", "ElementConnected"}}}}}};
  EXPECT_EQ(events[0], expected);

  json sinks = c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"}});
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks[0], json({{"source", a}, {"sink", b}, {"type", "VIDEO"}, {"sourceDescription", ""},
                            {"sinkDescription", ""}, {"__module__", "kurento"},
                            {"__type__", "ElementConnectionData"}}));
  EXPECT_EQ(c.value("invoke", {{"object", b}, {"operation", "getSourceConnections"}}), sinks);
  EXPECT_EQ(c.value("invoke", {{"object", b}, {"operation", "getSinkConnections"}}), json::array());

  // connect without mediaType connects AUDIO, VIDEO and DATA; the existing VIDEO link is kept, not duplicated.
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
  EXPECT_EQ(c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"}}).size(), 3u);
  EXPECT_EQ(c.take_events().size(), 2u);
  EXPECT_EQ(c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"},
                               {"operationParams", {{"mediaType", "AUDIO"}}}}).size(), 1u);

  // Only subscribers get events: ElementDisconnected was never subscribed.
  c.call("invoke", {{"object", a}, {"operation", "disconnect"}, {"operationParams", {{"sink", b}}}});
  EXPECT_TRUE(c.take_events().empty());
  EXPECT_EQ(c.value("invoke", {{"object", b}, {"operation", "getSourceConnections"}}), json::array());

  // After unsubscribing, no more events.
  EXPECT_TRUE(c.call("unsubscribe", {{"object", a}, {"subscription", token}}).contains("result"));
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
  EXPECT_TRUE(c.take_events().empty());
  EXPECT_EQ(rpc.subscription_count(), 0u);
}

TEST_F(KurentoRpcTest, ConnectToSelfAndNewSourceReplacesOld) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  std::string x = create_element(c, p);
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", a}, {"mediaType", "AUDIO"}}}});
  EXPECT_EQ(c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"}}).size(), 1u);
  c.call("invoke", {{"object", b}, {"operation", "connect"}, {"operationParams", {{"sink", x}, {"mediaType", "AUDIO"}}}});
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", x}, {"mediaType", "AUDIO"}}}});
  EXPECT_EQ(c.value("invoke", {{"object", b}, {"operation", "getSinkConnections"}}), json::array());
  json sources = c.value("invoke", {{"object", x}, {"operation", "getSourceConnections"}});
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0]["source"], a);
}

TEST_F(KurentoRpcTest, ReleaseCascadesWithObjectDestroyed) {
  Client c = open_client(1);
  c.call("subscribe", {{"object", "manager_ServerManager"}, {"type", "ObjectDestroyed"}});
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
  std::string token = c.value("subscribe", {{"object", a}, {"type", "MediaFlowInStateChanged"}});
  c.take_events();

  json r = c.call("release", {{"object", p}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["sessionId"], c.session_id);
  std::set<std::string> destroyed;
  for (const auto& e : c.take_events()) {
    EXPECT_EQ(e["params"]["value"]["type"], "ObjectDestroyed");
    EXPECT_EQ(e["params"]["value"]["object"], "manager_ServerManager");
    EXPECT_EQ(e["params"]["value"]["data"]["source"], "manager_ServerManager");
    destroyed.insert(e["params"]["value"]["data"]["objectId"].get<std::string>());
  }
  EXPECT_EQ(destroyed, (std::set<std::string>{p, a, b}));
  EXPECT_EQ(rpc.object_count(), 1u);  // the ServerManager
  for (const auto& id : {p, a, b}) {
    EXPECT_EQ(c.call("invoke", {{"object", id}, {"operation", "getName"}})["error"]["code"], 40101);
    EXPECT_EQ(c.call("describe", {{"object", id}})["error"]["code"], 40101);
  }
  // Unsubscribing from a released object succeeds (Kurento's one2many tutorial depends on it).
  json u = c.call("unsubscribe", {{"object", a}, {"subscription", token}});
  EXPECT_TRUE(u.contains("result")) << u;
  EXPECT_EQ(u["result"]["sessionId"], c.session_id);
  // Releasing again is harmless.
  EXPECT_TRUE(c.call("release", {{"object", p}}).contains("result"));
}

TEST_F(KurentoRpcTest, ReleaseOneElementDropsItsConnections) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
  c.call("release", {{"object", b}});
  EXPECT_EQ(c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"}}), json::array());
  EXPECT_EQ(c.value("invoke", {{"object", p}, {"operation", "getChildren"}}), json::array({a}));
}

TEST_F(KurentoRpcTest, TransactionWithPlaceholderIds) {
  Client c = open_client(1);
  // What kurento-client's commitTransactional sends: ids are indexes, dependencies "newref:<index>".
  json ops = json::array({
      {{"jsonrpc", "2.0"}, {"id", 0}, {"method", "create"},
       {"params", {{"type", "MediaPipeline"}, {"constructorParams", json::object()}}}},
      {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "create"},
       {"params", {{"type", "PassThrough"}, {"constructorParams", {{"mediaPipeline", "newref:0"}}}}}},
      {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "create"},
       {"params", {{"type", "PassThrough"}, {"constructorParams", {{"mediaPipeline", "newref:0"}}}}}},
      {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "invoke"},
       {"params", {{"object", "newref:1"}, {"operation", "connect"}, {"operationParams", {{"sink", "newref:2"}}}}}},
  });
  json r = c.call("transaction", {{"operations", ops}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["sessionId"], c.session_id);
  const json& v = r["result"]["value"];
  ASSERT_EQ(v.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(v[i]["id"], i);
    EXPECT_EQ(v[i]["jsonrpc"], "2.0");
    ASSERT_TRUE(v[i].contains("result")) << v[i];
  }
  std::string p = v[0]["result"]["value"];
  std::string a = v[1]["result"]["value"];
  std::string b = v[2]["result"]["value"];
  EXPECT_TRUE(a.starts_with(p + "/"));
  json sinks = c.value("invoke", {{"object", a}, {"operation", "getSinkConnections"}});
  ASSERT_EQ(sinks.size(), 3u);
  EXPECT_EQ(sinks[0]["sink"], b);

  // Execution stops at the first failure; later operations get no response.
  json bad = json::array({
      {{"id", 0}, {"method", "invoke"}, {"params", {{"object", "nope"}, {"operation", "getName"}}}},
      {{"id", 1}, {"method", "create"}, {"params", {{"type", "MediaPipeline"}}}},
  });
  json rb = c.call("transaction", {{"operations", bad}});
  ASSERT_EQ(rb["result"]["value"].size(), 1u);
  EXPECT_EQ(rb["result"]["value"][0]["error"]["code"], 40101);

  // A reference to a failed or later operation, or a wrong id, makes the whole transaction malformed.
  json fwd = json::array({{{"id", 0}, {"method", "describe"}, {"params", {{"object", "newref:1"}}}}});
  EXPECT_EQ(c.call("transaction", {{"operations", fwd}})["error"]["code"], 40008);
  json wrong_id = json::array({{{"id", 5}, {"method", "ping"}, {"params", json::object()}}});
  EXPECT_EQ(c.call("transaction", {{"operations", wrong_id}})["error"]["code"], 40008);
  // An uncommitted placeholder outside a transaction.
  EXPECT_EQ(c.call("invoke", {{"object", "newref:0"}, {"operation", "getName"}})["error"]["code"], 40109);
}

TEST_F(KurentoRpcTest, ReconnectWithinGraceKeepsObjectsAndBufferedEvents) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  c.call("subscribe", {{"object", a}, {"type", "ElementConnected"}});
  std::string sid = c.session_id;
  c.close();

  // Another client connects a's elements while our socket is gone: the event waits for us.
  Client other = open_client(2);
  other.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}, {"mediaType", "AUDIO"}}}});
  clock.now += std::chrono::seconds(29);
  rpc.handle_timeout(clock.now);
  EXPECT_TRUE(rpc.find(p));

  Client back(rpc, 3);
  json pong = back.call("ping", {{"interval", 240000}});
  EXPECT_EQ(pong["result"]["value"], "pong");
  json r = back.call("connect", {{"sessionId", sid}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["sessionId"], sid);
  EXPECT_TRUE(r["result"]["serverId"].is_string());
  auto events = back.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["params"]["value"]["type"], "ElementConnected");
  back.session_id = sid;
  EXPECT_EQ(back.value("invoke", {{"object", p}, {"operation", "getChildren"}}).size(), 2u);

  // New events go to the new connection.
  back.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}, {"mediaType", "VIDEO"}}}});
  EXPECT_EQ(back.take_events().size(), 1u);
}

TEST_F(KurentoRpcTest, AfterGraceObjectsAreReleasedAndSessionIsInvalid) {
  Client watcher = open_client(9);
  watcher.call("subscribe", {{"object", "manager_ServerManager"}, {"type", "ObjectDestroyed"}});
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string sid = c.session_id;
  c.close();
  ASSERT_TRUE(rpc.next_timeout().has_value());
  EXPECT_EQ(*rpc.next_timeout(), clock.now + std::chrono::seconds(30));
  watcher.take_events();

  clock.now += std::chrono::seconds(30);
  rpc.handle_timeout(clock.now);
  EXPECT_FALSE(rpc.find(p));
  EXPECT_FALSE(rpc.find(a));
  EXPECT_EQ(watcher.take_events().size(), 2u);

  Client back(rpc, 3);
  json r = back.call("connect", {{"sessionId", sid}});
  EXPECT_EQ(r["error"]["code"], 40007);
  EXPECT_EQ(r["error"]["data"]["type"], "INVALID_SESSION");
  EXPECT_EQ(back.call("invoke", {{"object", p}, {"operation", "getName"}, {"sessionId", sid}})["error"]["code"], 40101);
}

TEST_F(KurentoRpcTest, ObjectsUsedByAnotherSessionSurviveTheCreatorsExpiry) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  Client other = open_client(2);
  other.call("invoke", {{"object", a}, {"operation", "getName"}});
  c.close();
  clock.now += std::chrono::seconds(31);
  rpc.handle_timeout(clock.now);
  EXPECT_TRUE(rpc.find(a));
  EXPECT_TRUE(rpc.find(p));
}

TEST_F(KurentoRpcTest, BufferedEventsAreBoundedAndDroppedWithTheSession) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  std::string b = create_element(c, p);
  c.call("subscribe", {{"object", a}, {"type", "ElementConnected"}});
  c.call("subscribe", {{"object", a}, {"type", "ElementDisconnected"}});
  std::string sid = c.session_id;
  c.close();
  Client other = open_client(2);
  for (int i = 0; i < 5; ++i) {
    other.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
    other.call("invoke", {{"object", a}, {"operation", "disconnect"}, {"operationParams", {{"sink", b}}}});
  }
  Client back(rpc, 3);
  back.call("connect", {{"sessionId", sid}});
  EXPECT_EQ(back.take_events().size(), 4u);  // max_buffered_events in test_config
}

TEST_F(KurentoRpcTest, ConnectWithoutSessionMakesOne) {
  Client c(rpc, 1);
  json r = c.call("connect", json::object());
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["sessionId"].get<std::string>().size(), 36u);
}

TEST_F(KurentoRpcTest, ErrorCodes) {
  Client c = open_client(1);
  std::string p = create_pipeline(c);
  std::string a = create_element(c, p);
  auto code_of = [&](const std::string& method, json params) { return c.call(method, std::move(params))["error"]["code"]; };
  EXPECT_EQ(code_of("create", {{"type", "NoSuchType"}}), 40100);
  EXPECT_EQ(code_of("create", {{"type", "MediaElement"}}), 40100);  // abstract
  EXPECT_EQ(code_of("create", {{"type", "WebRtcEndpoint"}, {"constructorParams", {{"mediaPipeline", p}}}}), 40100);
  EXPECT_EQ(code_of("create", {{"type", "PassThrough"}, {"constructorParams", json::object()}}), 40001);
  EXPECT_EQ(code_of("create", {{"type", "PassThrough"}, {"constructorParams", {{"mediaPipeline", 5}}}}), 40001);
  EXPECT_EQ(code_of("create", {{"type", "PassThrough"}, {"constructorParams", {{"mediaPipeline", "x"}}}}), 40101);
  EXPECT_EQ(code_of("create", {{"type", "PassThrough"}, {"constructorParams", {{"mediaPipeline", a}}}}), 40001);
  EXPECT_EQ(code_of("create", {{"type", 7}}), -32602);
  EXPECT_EQ(code_of("invoke", {{"object", "nope"}, {"operation", "getName"}}), 40101);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "processOffer"}}), 40105);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "setName"}}), 40001);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "setName"}, {"operationParams", {{"name", 3}}}}), 40001);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", "zz"}}}}), 40101);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "connect"},
                               {"operationParams", {{"sink", a}, {"mediaType", "SMELL"}}}}), 40001);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", p}}}}), 40001);
  EXPECT_EQ(code_of("invoke", {{"object", p}, {"operation", "setAudioFormat"}, {"operationParams", json::object()}}),
            40105);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", 1}}), -32602);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "getName"}, {"operationParams", 3}}), -32602);
  EXPECT_EQ(code_of("subscribe", {{"object", a}, {"type", "IceCandidateFound"}}), 40106);
  EXPECT_EQ(code_of("subscribe", {{"object", "nope"}, {"type", "Error"}}), 40101);
  EXPECT_EQ(code_of("unsubscribe", {{"object", a}}), -32602);
  EXPECT_EQ(code_of("transaction", {{"operations", 3}}), -32602);
  EXPECT_EQ(code_of("frobnicate", json::object()), -32601);
  EXPECT_EQ(code_of("invoke", {{"object", a}, {"operation", "getName"}, {"sessionId", 12}}), -32602);
  json err = c.call("invoke", {{"object", "nope"}, {"operation", "getName"}});
  EXPECT_EQ(err["error"]["data"]["type"], "MEDIA_OBJECT_NOT_FOUND");
  EXPECT_EQ(err["id"], c.call("ping")["id"].get<int>() - 1);

  // Still usable.
  EXPECT_EQ(c.value("invoke", {{"object", a}, {"operation", "getMediaPipeline"}}), p);
}

TEST_F(KurentoRpcTest, MalformedFramesAreAnswered) {
  Client c(rpc, 1);
  auto answer = [&](const std::string& text) { return c.send_raw(text); };
  json r = answer("{not json");
  EXPECT_EQ(r["error"]["code"], -32700);
  EXPECT_TRUE(r["id"].is_null());
  EXPECT_EQ(answer("[1,2]")["error"]["code"], -32600);
  EXPECT_EQ(answer("42")["error"]["code"], -32600);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":7})")["error"]["code"], -32600);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":7})")["id"], 7);
  EXPECT_EQ(answer(R"({"jsonrpc":"1.0","id":8,"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":9,"method":5})")["error"]["code"], -32600);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":10,"method":"create","params":[1]})")["error"]["code"], -32602);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":11,"method":"create"})")["error"]["code"], -32602);
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","id":"s","method":"nope","params":{}})")["id"], "s");
  EXPECT_EQ(answer(std::string(100, '[') + std::string(100, ']'))["error"]["code"], -32700);
  EXPECT_EQ(answer(std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xff\"}}"))["error"]["code"],
            -32700);
  // A notification (no id) is executed and not answered.
  rpc.on_text(c.peer(), R"({"jsonrpc":"2.0","method":"ping"})");
  EXPECT_TRUE(c.peer()->take().empty());
  EXPECT_EQ(c.call("ping")["result"]["value"], "pong");
}

TEST_F(KurentoRpcTest, CustomTypesPlugInThroughTheFactory) {
  class Endpoint : public MediaElement {
   public:
    using MediaElement::MediaElement;

   protected:
    std::optional<InvokeResult> invoke_own(const std::string& op, const Json& params) override {
      if (op == "processOffer") return InvokeResult(Json("answer for " + params.at("offer").get<std::string>()));
      if (op == "gatherCandidates") {
        emit("IceGatheringDone", json::object());
        return InvokeResult(Json(nullptr));
      }
      return MediaElement::invoke_own(op, params);
    }
  };
  FakeClock clk;
  auto factory = std::make_shared<TypeFactory>();
  factory->add("WebRtcEndpoint", [](ObjectInit init) -> CreateResult {
    return std::shared_ptr<MediaObject>(std::make_shared<Endpoint>(std::move(init)));
  });
  auto config = test_config(clk);
  config.factory = factory;
  KurentoRpc custom(config);
  Client c(custom, 1);
  std::string p = c.value("create", {{"type", "MediaPipeline"}});
  c.session_id = c.call("ping")["result"]["sessionId"];
  std::string w = c.value("create", {{"type", "WebRtcEndpoint"}, {"constructorParams", {{"mediaPipeline", p}}}});
  EXPECT_TRUE(w.ends_with("_kurento.WebRtcEndpoint"));
  json d = c.call("describe", {{"object", w}})["result"];
  EXPECT_EQ(d["hierarchy"], json::array({"kurento.BaseRtpEndpoint", "kurento.SdpEndpoint", "kurento.SessionEndpoint",
                                         "kurento.Endpoint", "kurento.MediaElement", "kurento.MediaObject"}));
  EXPECT_EQ(c.value("invoke", {{"object", w}, {"operation", "processOffer"}, {"operationParams", {{"offer", "v=0"}}}}),
            "answer for v=0");
  EXPECT_EQ(c.call("invoke", {{"object", w}, {"operation", "processOffer"}})["error"]["code"], 40001);
  c.call("subscribe", {{"object", w}, {"type", "IceGatheringDone"}});
  c.call("invoke", {{"object", w}, {"operation", "gatherCandidates"}});
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0]["params"]["value"]["data"]["type"], "IceGatheringDone");
  // Declared but not implemented by this endpoint.
  EXPECT_EQ(c.call("invoke", {{"object", w}, {"operation", "getICECandidatePairs"}})["error"]["code"], 40006);
  EXPECT_EQ(c.value("invoke", {{"object", w}, {"operation", "getStunServerPort"}}), 0);
}

TEST_F(KurentoRpcTest, ConcurrentPeersOnTwoThreads) {
  auto worker = [this](uint64_t peer_id) {
    Client c = open_client(peer_id);
    for (int i = 0; i < 40; ++i) {
      std::string p = create_pipeline(c);
      std::string a = create_element(c, p);
      std::string b = create_element(c, p);
      c.call("subscribe", {{"object", a}, {"type", "ElementConnected"}});
      c.call("invoke", {{"object", a}, {"operation", "connect"}, {"operationParams", {{"sink", b}}}});
      EXPECT_EQ(c.value("invoke", {{"object", p}, {"operation", "getChildren"}}).size(), 2u);
      c.call("release", {{"object", p}});
    }
    EXPECT_EQ(c.take_events().size(), 40u * 3u);
    c.close();
  };
  std::thread t1(worker, 1);
  std::thread t2(worker, 2);
  t1.join();
  t2.join();
  EXPECT_EQ(rpc.object_count(), 1u);
  EXPECT_EQ(rpc.subscription_count(), 0u);
}

}  // namespace
}  // namespace medley::server::kurento
