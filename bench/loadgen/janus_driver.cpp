// JanusDriver: the Janus API client (transactions, acks before asynchronous plugin events, keepalives) and the
// videoroom publisher/subscriber and echotest sessions made with it.
#include "bench/loadgen/janus_driver.hpp"

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bench/loadgen/ws_client.hpp"

namespace medley::loadgen {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

// Janus drops a session after 60 s without traffic (session_timeout); its own clients send keepalives every 25 s.
constexpr std::chrono::seconds kKeepaliveInterval{20};

uint64_t json_id(const json& j, const char* key, const std::string& what) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) {
    throw SignalingError("janus: " + what + ": no " + key + " in " + j.dump());
  }
  return j[key].get<uint64_t>();
}

}  // namespace

class JanusConnection : public std::enable_shared_from_this<JanusConnection> {
 public:
  using HandleListener = std::function<void(const json& message)>;

  JanusConnection(asio::io_context& io, std::string url) : io_(io), url_(std::move(url)), router_(io.get_executor()) {}

  Awaitable<void> open() {
    ws_ = WsClient::create(io_, WsClientOptions{.subprotocol = "janus-protocol", .name = "janus"});
    std::weak_ptr<JanusConnection> weak = shared_from_this();
    ws_->on_message = [weak](std::string text) {
      if (auto self = weak.lock()) self->handle_message(text);
    };
    ws_->on_close = [weak](const std::string& why) {
      if (auto self = weak.lock()) {
        self->closed_ = why;
        self->router_.fail_all(why);
        if (self->keepalive_) self->keepalive_->cancel();
      }
    };
    co_await ws_->connect(url_);
    json create = {{"janus", "create"}};
    json reply = co_await request(std::move(create), false, "create session");
    session_ = json_id(reply.value("data", json::object()), "id", "create session");
    keepalive_ = std::make_shared<asio::steady_timer>(io_);
    asio::co_spawn(io_, keepalive_loop(weak, keepalive_), asio::detached);
  }

  // A Janus request (session_id added once there is a session): the reply with the same transaction. For plugin
  // messages (`plugin_message`) the ack is skipped and the plugin's answer returned (a "success" for synchronous
  // requests, the later "event" for asynchronous ones). Throws on a Janus error or a plugin error.
  Awaitable<json> request(json body, bool plugin_message, const std::string& what) {
    if (!ws_ || !ws_->is_open()) {
      throw SignalingError("janus: " + what + ": connection closed" + (closed_.empty() ? "" : " (" + closed_ + ")"));
    }
    std::string transaction = "t" + std::to_string(next_transaction_++);
    body["transaction"] = transaction;
    if (session_ != 0 && !body.contains("session_id")) body["session_id"] = session_;
    auto slot = router_.expect(transaction);
    if (plugin_message) skip_ack_.insert(transaction);
    std::optional<json> reply;
    std::exception_ptr failure;
    try {
      co_await ws_->send(body.dump());
      reply = co_await router_.wait(slot, kRequestTimeout, "janus: " + what);
    } catch (...) {
      failure = std::current_exception();
    }
    skip_ack_.erase(transaction);
    if (failure) std::rethrow_exception(failure);
    json& r = *reply;
    std::string kind = r.value("janus", "");
    if (kind == "error") {
      const json error = r.value("error", json::object());
      throw SignalingError("janus: " + what + " failed: " + error.dump());
    }
    if (r.contains("plugindata")) {
      const json data = r["plugindata"].value("data", json::object());
      if (data.contains("error_code") || data.contains("error")) {
        throw SignalingError("janus: " + what + " failed: " + data.dump());
      }
    }
    co_return std::move(r);
  }

  Awaitable<uint64_t> attach(const std::string& plugin, HandleListener listener) {
    json body = {{"janus", "attach"}, {"plugin", plugin}};
    json reply = co_await request(std::move(body), false, "attach " + plugin);
    uint64_t handle = json_id(reply.value("data", json::object()), "id", "attach " + plugin);
    if (listener) listeners_[handle] = std::move(listener);
    co_return handle;
  }

  // A plugin message; the plugin's reply (data in plugindata.data, jsep beside it).
  Awaitable<json> message(uint64_t handle, json body, std::optional<json> jsep, const std::string& what) {
    json m = {{"janus", "message"}, {"handle_id", handle}, {"body", std::move(body)}};
    if (jsep) m["jsep"] = std::move(*jsep);
    co_return co_await request(std::move(m), true, what);
  }

  // Our SDP carried every candidate: tell Janus there are no more (it waits for them otherwise).
  Awaitable<void> trickle_completed(uint64_t handle) {
    json body = {{"janus", "trickle"}, {"handle_id", handle}, {"candidate", {{"completed", true}}}};
    co_await request(std::move(body), false, "trickle completed");
  }

  Awaitable<void> detach(uint64_t handle) {
    listeners_.erase(handle);
    if (!is_open()) co_return;
    json body = {{"janus", "detach"}, {"handle_id", handle}};
    co_await request(std::move(body), false, "detach " + std::to_string(handle));
  }

  Awaitable<void> destroy_session() {
    if (session_ == 0 || !is_open()) co_return;
    if (keepalive_) keepalive_->cancel();
    json body = {{"janus", "destroy"}};
    co_await request(std::move(body), false, "destroy session");
    session_ = 0;
  }

  Awaitable<void> close() {
    if (keepalive_) keepalive_->cancel();
    if (ws_) co_await ws_->close();
  }

  bool is_open() const { return ws_ && ws_->is_open(); }

 private:
  static Awaitable<void> keepalive_loop(std::weak_ptr<JanusConnection> weak,
                                        std::shared_ptr<asio::steady_timer> timer) {
    for (;;) {
      timer->expires_after(kKeepaliveInterval);
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      auto self = weak.lock();
      if (!self || !self->is_open() || self->session_ == 0) co_return;
      try {
        json body = {{"janus", "keepalive"}};
        co_await self->request(std::move(body), false, "keepalive");
      } catch (const SignalingError&) {
        // A lost keepalive is retried at the next tick; a dead connection ends the loop there.
      }
    }
  }

  void handle_message(const std::string& text) {
    auto message = parse_json(text);
    if (!message || !message->is_object()) return;
    json& m = *message;
    std::string kind = m.value("janus", "");
    if (m.contains("transaction") && m["transaction"].is_string()) {
      std::string transaction = m["transaction"].get<std::string>();
      if (kind == "ack" && skip_ack_.count(transaction)) return;
      if (router_.deliver(transaction, m)) return;
    }
    // Handle events without a pending request: webrtcup, media, slowlink, hangup, detached, plugin notifications.
    if (m.contains("sender") && m["sender"].is_number_integer()) {
      auto it = listeners_.find(m["sender"].get<uint64_t>());
      if (it != listeners_.end()) {
        auto listener = it->second;  // a copy: the listener may detach itself
        listener(m);
      }
    }
  }

  asio::io_context& io_;
  std::string url_;
  std::shared_ptr<WsClient> ws_;
  ReplyRouter router_;
  uint64_t next_transaction_ = 1;
  uint64_t session_ = 0;
  std::string closed_;
  std::set<std::string> skip_ack_;
  std::map<uint64_t, HandleListener> listeners_;
  std::shared_ptr<asio::steady_timer> keepalive_;
};

// The publisher as the subscribers need it: its feed id and whether Janus has its PeerConnection up.
struct JanusPublisherState {
  uint64_t handle = 0;
  uint64_t feed = 0;
  bool up = false;
  std::string down_reason;  // hangup reason, once hung up
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;

  void wake() {
    for (auto& w : waiters) w->cancel();
    waiters.clear();
  }
  void handle_event(const json& m) {
    std::string kind = m.value("janus", "");
    if (kind == "webrtcup") {
      up = true;
      wake();
    } else if (kind == "hangup") {
      up = false;
      down_reason = m.value("reason", "hangup");
      wake();
    }
  }
};

namespace {

std::string jsep_sdp(const json& reply, const std::string& type, const std::string& what) {
  if (!reply.contains("jsep") || !reply["jsep"].is_object()) {
    throw SignalingError("janus: " + what + ": no jsep in " + reply.dump());
  }
  const json& jsep = reply["jsep"];
  if (jsep.value("type", "") != type || !jsep.contains("sdp") || !jsep["sdp"].is_string()) {
    throw SignalingError("janus: " + what + ": expected a jsep " + type + ", got " + jsep.dump());
  }
  return jsep["sdp"].get<std::string>();
}

class JanusSession : public SessionSignaling {
 public:
  JanusSession(std::shared_ptr<JanusConnection> conn, uint64_t handle) : conn_(std::move(conn)), handle_(handle) {}

  Awaitable<void> close() override {
    if (detached_) co_return;
    detached_ = true;
    co_await conn_->detach(handle_);
  }

 protected:
  std::shared_ptr<JanusConnection> conn_;
  uint64_t handle_;
  bool detached_ = false;
};

class JanusPublisherSession : public JanusSession {
 public:
  JanusPublisherSession(std::shared_ptr<JanusConnection> conn, uint64_t handle)
      : JanusSession(std::move(conn), handle) {}
  bool server_offers() const override { return false; }

  Awaitable<std::string> offer(std::string sdp) override {
    json body = {{"request", "publish"}};
    json jsep = {{"type", "offer"}, {"sdp", std::move(sdp)}};
    json reply = co_await conn_->message(handle_, std::move(body), std::move(jsep), "videoroom publish");
    std::string answer = jsep_sdp(reply, "answer", "videoroom publish");
    co_await conn_->trickle_completed(handle_);
    co_return answer;
  }
};

class JanusSubscriberSession : public JanusSession {
 public:
  JanusSubscriberSession(std::shared_ptr<JanusConnection> conn, uint64_t handle, uint64_t room,
                         std::shared_ptr<JanusPublisherState> publisher)
      : JanusSession(std::move(conn), handle), room_(room), publisher_(std::move(publisher)) {}
  bool server_offers() const override { return true; }

  Awaitable<std::string> request_offer() override {
    if (!publisher_->up && publisher_->down_reason.empty()) {
      auto executor = co_await asio::this_coro::executor;
      auto timer = std::make_shared<asio::steady_timer>(executor);
      publisher_->waiters.push_back(timer);
      timer->expires_after(kRequestTimeout);
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!publisher_->up) {
      throw SignalingError("janus: subscribe: the publisher's PeerConnection is not up (" +
                           (publisher_->down_reason.empty() ? std::string("no webrtcup") : publisher_->down_reason) +
                           "); Janus offers a feed only once its publisher's media flows");
    }
    json stream = {{"feed", publisher_->feed}};
    json streams = json::array();
    streams.push_back(std::move(stream));
    json body = {{"request", "join"}, {"ptype", "subscriber"}, {"room", room_}, {"streams", std::move(streams)}};
    json reply = co_await conn_->message(handle_, std::move(body), std::nullopt, "videoroom join as subscriber");
    co_return jsep_sdp(reply, "offer", "videoroom join as subscriber");
  }

  Awaitable<void> answer(std::string sdp) override {
    json body = {{"request", "start"}};
    json jsep = {{"type", "answer"}, {"sdp", std::move(sdp)}};
    co_await conn_->message(handle_, std::move(body), std::move(jsep), "videoroom start");
    co_await conn_->trickle_completed(handle_);
  }

 private:
  uint64_t room_;
  std::shared_ptr<JanusPublisherState> publisher_;
};

class JanusEchoSession : public JanusSession {
 public:
  using JanusSession::JanusSession;
  bool server_offers() const override { return false; }

  Awaitable<std::string> offer(std::string sdp) override {
    json body = {{"audio", true}, {"video", true}};
    json jsep = {{"type", "offer"}, {"sdp", std::move(sdp)}};
    json reply = co_await conn_->message(handle_, std::move(body), std::move(jsep), "echotest offer");
    std::string answer = jsep_sdp(reply, "answer", "echotest offer");
    co_await conn_->trickle_completed(handle_);
    co_return answer;
  }
};

}  // namespace

JanusDriver::JanusDriver(asio::io_context& io, ServerOptions options) : io_(io), options_(std::move(options)) {}

JanusDriver::~JanusDriver() = default;

Awaitable<void> JanusDriver::open() {
  conn_ = std::make_shared<JanusConnection>(io_, options_.url);
  co_await conn_->open();
}

Awaitable<std::unique_ptr<SessionSignaling>> JanusDriver::publisher() {
  if (!conn_) throw SignalingError("janus: open() first");
  if (publisher_) throw SignalingError("janus: publisher() called twice");
  control_handle_ = co_await conn_->attach("janus.plugin.videoroom", nullptr);
  json create = {{"request", "create"}, {"publishers", 1}, {"bitrate", 0},     {"videocodec", "vp8"},
                 {"audiocodec", "opus"}, {"record", false},  {"permanent", false}};
  json created = co_await conn_->message(control_handle_, std::move(create), std::nullopt, "videoroom create");
  room_ = json_id(created["plugindata"].value("data", json::object()), "room", "videoroom create");

  auto state = std::make_shared<JanusPublisherState>();
  std::weak_ptr<JanusPublisherState> weak = state;
  JanusConnection::HandleListener listener = [weak](const json& m) {
    if (auto s = weak.lock()) s->handle_event(m);
  };
  state->handle = co_await conn_->attach("janus.plugin.videoroom", std::move(listener));
  json join = {{"request", "join"}, {"ptype", "publisher"}, {"room", room_}};
  json joined = co_await conn_->message(state->handle, std::move(join), std::nullopt, "videoroom join as publisher");
  state->feed = json_id(joined["plugindata"].value("data", json::object()), "id", "videoroom join as publisher");
  publisher_ = state;
  co_return std::make_unique<JanusPublisherSession>(conn_, state->handle);
}

Awaitable<std::unique_ptr<SessionSignaling>> JanusDriver::subscriber() {
  if (!publisher_) throw SignalingError("janus: subscriber() before publisher()");
  uint64_t handle = co_await conn_->attach("janus.plugin.videoroom", nullptr);
  co_return std::make_unique<JanusSubscriberSession>(conn_, handle, room_, publisher_);
}

Awaitable<std::unique_ptr<SessionSignaling>> JanusDriver::echo() {
  if (!conn_) throw SignalingError("janus: open() first");
  uint64_t handle = co_await conn_->attach("janus.plugin.echotest", nullptr);
  co_return std::make_unique<JanusEchoSession>(conn_, handle);
}

Awaitable<void> JanusDriver::close() {
  if (!conn_) co_return;
  std::exception_ptr first;
  auto attempt = [&first](std::exception_ptr e) {
    if (e && !first) first = e;
  };
  if (publisher_) publisher_->wake();
  if (room_ != 0 && control_handle_ != 0) {
    std::exception_ptr e;
    try {
      json body = {{"request", "destroy"}, {"room", room_}};
      co_await conn_->message(control_handle_, std::move(body), std::nullopt, "videoroom destroy");
    } catch (...) {
      e = std::current_exception();
    }
    attempt(e);
    room_ = 0;
  }
  {
    std::exception_ptr e;
    try {
      co_await conn_->destroy_session();  // detaches every handle left
    } catch (...) {
      e = std::current_exception();
    }
    attempt(e);
  }
  co_await conn_->close();
  if (first) std::rethrow_exception(first);
}

}  // namespace medley::loadgen
