// KurentoDriver: the Kurento JSON-RPC 2.0 client (create/invoke/subscribe/release over one WebSocket, replies
// matched by id so requests may overlap) and the WebRtcEndpoint sessions made with it.
#include "bench/loadgen/kurento_driver.hpp"

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "bench/loadgen/ws_client.hpp"

namespace medley::loadgen {

using nlohmann::json;

namespace {

// What a session's endpoint hears from the server: IceCandidateFound / IceGatheringDone, kept until the session
// has its answer (a candidate the client gets before the answer would have no remote credentials to check).
struct EndpointEvents {
  SessionSignaling* owner = nullptr;  // nulled when the session goes
  bool live = false;                  // the answer was handed over: deliver directly
  std::vector<std::string> pending;

  void push(std::string candidate) {
    if (live && owner && owner->on_remote_candidate) {
      owner->on_remote_candidate(candidate);
    } else {
      pending.push_back(std::move(candidate));
    }
  }
  void flush() {
    live = true;
    if (!owner || !owner->on_remote_candidate) return;
    auto list = std::move(pending);
    pending.clear();
    for (const auto& c : list) owner->on_remote_candidate(c);
  }
};

std::string rpc_error_text(const json& error) {
  std::string text;
  if (error.contains("code")) text += "code " + error["code"].dump();
  if (error.contains("message") && error["message"].is_string()) {
    text += (text.empty() ? "" : ": ") + error["message"].get<std::string>();
  }
  if (error.contains("data")) {
    const json& data = error["data"];
    if (data.is_object() && data.contains("type")) text += " (" + data["type"].dump() + ")";
  }
  return text.empty() ? error.dump() : text;
}

}  // namespace

class KurentoConnection : public std::enable_shared_from_this<KurentoConnection> {
 public:
  KurentoConnection(boost::asio::io_context& io, std::string url)
      : io_(io), url_(std::move(url)), router_(io.get_executor()) {}

  Awaitable<void> open() {
    ws_ = WsClient::create(io_, WsClientOptions{.name = "medley"});
    std::weak_ptr<KurentoConnection> weak = shared_from_this();
    ws_->on_message = [weak](std::string text) {
      if (auto self = weak.lock()) self->handle_message(text);
    };
    ws_->on_close = [weak](const std::string& why) {
      if (auto self = weak.lock()) {
        self->closed_ = why;
        self->router_.fail_all(why);
      }
    };
    co_await ws_->connect(url_);
  }

  // One JSON-RPC request; the result object, or SignalingError naming the request and the server's error.
  Awaitable<json> request(std::string method, json params, std::string what) {
    if (!ws_ || !ws_->is_open()) {
      throw SignalingError("medley: " + what + ": connection closed" + (closed_.empty() ? "" : " (" + closed_ + ")"));
    }
    if (!session_id_.empty()) params["sessionId"] = session_id_;
    int64_t id = next_id_++;
    json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    auto slot = router_.expect(std::to_string(id));
    co_await ws_->send(message.dump());
    json reply = co_await router_.wait(slot, kRequestTimeout, "medley: " + what);
    if (reply.contains("error")) throw SignalingError("medley: " + what + " failed: " + rpc_error_text(reply["error"]));
    if (!reply.contains("result")) throw SignalingError("medley: " + what + ": reply without result: " + reply.dump());
    json result = std::move(reply["result"]);
    if (result.is_object() && result.contains("sessionId") && result["sessionId"].is_string()) {
      session_id_ = result["sessionId"].get<std::string>();
    }
    co_return result;
  }

  // "value" of a result that must be a string (object ids, SDP).
  static std::string string_value(const json& result, const std::string& what) {
    if (!result.is_object() || !result.contains("value") || !result["value"].is_string()) {
      throw SignalingError("medley: " + what + ": no string value in " + result.dump());
    }
    return result["value"].get<std::string>();
  }

  Awaitable<std::string> create(const std::string& type, json constructor_params) {
    json params = {{"type", type}, {"constructorParams", std::move(constructor_params)}, {"properties", json::object()}};
    json result = co_await request("create", std::move(params), "create " + type);
    co_return string_value(result, "create " + type);
  }

  Awaitable<json> invoke(const std::string& object, const std::string& operation,
                         std::optional<json> operation_params = std::nullopt) {
    json params = {{"object", object}, {"operation", operation}};
    if (operation_params) params["operationParams"] = std::move(*operation_params);
    co_return co_await request("invoke", std::move(params), "invoke " + operation + " on " + object);
  }

  Awaitable<void> subscribe(const std::string& object, const std::string& event) {
    json params = {{"object", object}, {"type", event}};
    co_await request("subscribe", std::move(params), "subscribe " + event + " on " + object);
  }

  Awaitable<void> release(const std::string& object) {
    json params = {{"object", object}};
    co_await request("release", std::move(params), "release " + object);
  }

  std::shared_ptr<EndpointEvents> attach(const std::string& endpoint, SessionSignaling* owner) {
    auto events = std::make_shared<EndpointEvents>();
    events->owner = owner;
    if (auto it = early_.find(endpoint); it != early_.end()) {
      events->pending = std::move(it->second);
      early_.erase(it);
    }
    endpoints_[endpoint] = events;
    return events;
  }
  void detach(const std::string& endpoint) {
    endpoints_.erase(endpoint);
    early_.erase(endpoint);
  }

  bool is_open() const { return ws_ && ws_->is_open(); }

  Awaitable<void> close() {
    if (ws_) co_await ws_->close();
  }

 private:
  void handle_message(const std::string& text) {
    auto message = parse_json(text);
    if (!message || !message->is_object()) return;
    json& m = *message;
    if (m.contains("method")) {
      if (m.contains("id")) {
        answer_server_request(m);
      } else if (m["method"] == "onEvent") {
        handle_event(m["params"]);
      }
      return;
    }
    if (m.contains("id")) {
      const json& id = m["id"];
      std::string key = id.is_string() ? id.get<std::string>() : id.dump();
      router_.deliver(key, std::move(m));
    }
  }

  // Servers may ping their clients; answer pings, refuse anything else.
  void answer_server_request(const json& m) {
    json reply = {{"jsonrpc", "2.0"}, {"id", m["id"]}};
    if (m["method"] == "ping") {
      reply["result"] = {{"value", "pong"}};
    } else {
      reply["error"] = {{"code", -32601}, {"message", "method not found"}};
    }
    boost::asio::co_spawn(
        io_,
        [ws = ws_, text = reply.dump()]() -> Awaitable<void> {
          try {
            co_await ws->send(text);
          } catch (const SignalingError&) {
          }
        },
        boost::asio::detached);
  }

  void handle_event(const json& params) {
    if (!params.is_object() || !params.contains("value") || !params["value"].is_object()) return;
    const json& value = params["value"];
    std::string type = value.value("type", "");
    const json data = value.value("data", json::object());
    std::string object = value.value("object", "");
    if (object.empty() && data.is_object()) object = data.value("source", "");
    std::optional<std::string> candidate;
    if (type == "IceCandidateFound") {
      if (!data.is_object() || !data.contains("candidate")) return;
      const json& c = data["candidate"];
      if (c.is_object() && c.contains("candidate") && c["candidate"].is_string()) {
        candidate = c["candidate"].get<std::string>();
      } else if (c.is_string()) {
        candidate = c.get<std::string>();
      }
    } else if (type == "IceGatheringDone") {
      candidate = "";
    }
    if (!candidate) return;
    if (auto it = endpoints_.find(object); it != endpoints_.end()) {
      it->second->push(std::move(*candidate));
    } else {
      early_[object].push_back(std::move(*candidate));
    }
  }

  boost::asio::io_context& io_;
  std::string url_;
  std::shared_ptr<WsClient> ws_;
  ReplyRouter router_;
  int64_t next_id_ = 1;
  std::string session_id_;
  std::string closed_;
  std::map<std::string, std::shared_ptr<EndpointEvents>> endpoints_;
  std::map<std::string, std::vector<std::string>> early_;  // events for endpoints with no session yet
};

namespace {

class KurentoSession : public SessionSignaling {
 public:
  KurentoSession(std::shared_ptr<KurentoConnection> conn, std::string endpoint)
      : conn_(std::move(conn)), endpoint_(std::move(endpoint)), events_(conn_->attach(endpoint_, this)) {}
  ~KurentoSession() override {
    events_->owner = nullptr;
    conn_->detach(endpoint_);
  }

  bool server_offers() const override { return false; }

  Awaitable<std::string> offer(std::string sdp) override {
    json params = {{"offer", std::move(sdp)}};
    json result = co_await conn_->invoke(endpoint_, "processOffer", std::move(params));
    std::string answer = KurentoConnection::string_value(result, "processOffer on " + endpoint_);
    co_await conn_->invoke(endpoint_, "gatherCandidates");
    // Candidates go out once our caller has the answer in hand: the post runs after it resumes and suspends.
    // (The executor is fetched in its own statement: g++ 12 destroys a lambda's captures twice when the lambda is
    // a temporary in the same full-expression as a co_await.)
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::post(executor, [events = events_] { events->flush(); });
    co_return answer;
  }

  Awaitable<void> close() override {
    if (released_) co_return;
    released_ = true;
    events_->owner = nullptr;
    conn_->detach(endpoint_);
    if (conn_->is_open()) co_await conn_->release(endpoint_);
  }

 private:
  std::shared_ptr<KurentoConnection> conn_;
  std::string endpoint_;
  std::shared_ptr<EndpointEvents> events_;
  bool released_ = false;
};

}  // namespace

KurentoDriver::KurentoDriver(boost::asio::io_context& io, ServerOptions options)
    : io_(io), options_(std::move(options)) {}

KurentoDriver::~KurentoDriver() = default;

Awaitable<void> KurentoDriver::open() {
  conn_ = std::make_shared<KurentoConnection>(io_, options_.url);
  co_await conn_->open();
  pipeline_ = co_await conn_->create("MediaPipeline", json::object());
}

Awaitable<std::unique_ptr<SessionSignaling>> KurentoDriver::make_session(Role role) {
  if (!conn_ || pipeline_.empty()) throw SignalingError("medley: open() first");
  if (role == Role::Subscriber && publisher_endpoint_.empty()) throw SignalingError("medley: subscriber() before publisher()");
  json constructor_params = {{"mediaPipeline", pipeline_}};
  std::string endpoint = co_await conn_->create("WebRtcEndpoint", std::move(constructor_params));
  auto session = std::make_unique<KurentoSession>(conn_, endpoint);
  co_await conn_->subscribe(endpoint, "IceCandidateFound");
  co_await conn_->subscribe(endpoint, "IceGatheringDone");
  switch (role) {
    case Role::Publisher:
      publisher_endpoint_ = endpoint;
      break;
    case Role::Subscriber: {
      json params = {{"sink", endpoint}};
      co_await conn_->invoke(publisher_endpoint_, "connect", std::move(params));
      break;
    }
    case Role::Echo: {
      json params = {{"sink", endpoint}};
      co_await conn_->invoke(endpoint, "connect", std::move(params));
      break;
    }
  }
  co_return session;
}

Awaitable<std::unique_ptr<SessionSignaling>> KurentoDriver::publisher() { return make_session(Role::Publisher); }
Awaitable<std::unique_ptr<SessionSignaling>> KurentoDriver::subscriber() { return make_session(Role::Subscriber); }
Awaitable<std::unique_ptr<SessionSignaling>> KurentoDriver::echo() { return make_session(Role::Echo); }

Awaitable<void> KurentoDriver::close() {
  if (!conn_) co_return;
  if (conn_->is_open() && !pipeline_.empty()) {
    std::exception_ptr failure;
    try {
      co_await conn_->release(pipeline_);
    } catch (const SignalingError&) {
      failure = std::current_exception();
    }
    if (failure) {
      co_await conn_->close();
      std::rethrow_exception(failure);
    }
  }
  pipeline_.clear();
  co_await conn_->close();
}

}  // namespace medley::loadgen
