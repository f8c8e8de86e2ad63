// PeerDriver and its sessions: {"op":...} JSON over one WebSocket per session, replies in order (one request at a
// time per connection), {"op":"error"} turned into SignalingError.
#include "bench/loadgen/peer_driver.hpp"

#include <optional>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <nlohmann/json.hpp>

#include "bench/loadgen/ws_client.hpp"

namespace medley::loadgen {

using nlohmann::json;

namespace {

constexpr const char* kReplyKey = "reply";

class PeerSession : public SessionSignaling {
 public:
  PeerSession(std::shared_ptr<WsClient> ws, std::string name, bool subscriber)
      : ws_(std::move(ws)), name_(std::move(name)), subscriber_(subscriber), router_(ws_->executor()) {}

  // Wires the handlers before the connection's reader starts.
  void wire() {
    ws_->on_message = [this](std::string text) { handle_message(text); };
    ws_->on_close = [this](const std::string& why) {
      closed_ = why;
      router_.fail_all(why);
    };
  }

  ~PeerSession() override {
    // The reader may outlive us until the close completes: it must not call into a dead session.
    ws_->on_message = nullptr;
    ws_->on_close = nullptr;
    if (ws_->is_open()) {
      boost::asio::co_spawn(ws_->executor(), [ws = ws_]() -> Awaitable<void> { co_await ws->close(); },
                            boost::asio::detached);
    }
  }

  bool server_offers() const override { return subscriber_; }

  Awaitable<std::string> offer(std::string sdp) override {
    if (subscriber_) co_return co_await SessionSignaling::offer(std::move(sdp));
    json request = {{"op", "publish"}, {"sdp", std::move(sdp)}};
    json reply = co_await exchange(std::move(request), "publish");
    co_return sdp_of(reply, "answer", "publish");
  }

  Awaitable<std::string> request_offer() override {
    if (!subscriber_) co_return co_await SessionSignaling::request_offer();
    json request = {{"op", "subscribe"}};
    json reply = co_await exchange(std::move(request), "subscribe");
    co_return sdp_of(reply, "offer", "subscribe");
  }

  Awaitable<void> answer(std::string sdp) override {
    if (!subscriber_) co_return co_await SessionSignaling::answer(std::move(sdp));
    check_open("answer");
    json message = {{"op", "answer"}, {"sdp", std::move(sdp)}};
    co_await ws_->send(message.dump());
  }

  Awaitable<void> close() override { co_await ws_->close(); }

 private:
  void check_open(const std::string& what) {
    if (!late_error_.empty()) throw SignalingError(name_ + ": " + what + ": earlier error from the server: " + late_error_);
    if (!ws_->is_open()) {
      throw SignalingError(name_ + ": " + what + ": connection closed" + (closed_.empty() ? "" : " (" + closed_ + ")"));
    }
  }

  Awaitable<json> exchange(json request, const std::string& what) {
    check_open(what);
    if (router_.waiting(kReplyKey)) throw SignalingError(name_ + ": " + what + ": another request is in flight");
    auto slot = router_.expect(kReplyKey);
    co_await ws_->send(request.dump());
    json reply = co_await router_.wait(slot, kRequestTimeout, name_ + ": " + what);
    if (reply.value("op", "") == "error") {
      throw SignalingError(name_ + ": " + what + " failed: " + reply.value("error", reply.dump()));
    }
    co_return reply;
  }

  std::string sdp_of(const json& reply, const std::string& op, const std::string& what) {
    if (reply.value("op", "") != op || !reply.contains("sdp") || !reply["sdp"].is_string()) {
      throw SignalingError(name_ + ": " + what + ": expected {\"op\":\"" + op + "\",\"sdp\":...}, got " +
                           reply.dump().substr(0, 200));
    }
    return reply["sdp"].get<std::string>();
  }

  void handle_message(const std::string& text) {
    auto message = parse_json(text);
    if (!message || !message->is_object()) return;
    std::string op = message->value("op", "");
    if (op == "answer" || op == "offer" || op == "error") {
      if (!router_.deliver(kReplyKey, *message) && op == "error") {
        late_error_ = message->value("error", message->dump());
      }
    }
    // "stats" replies and anything else: not ours.
  }

  std::shared_ptr<WsClient> ws_;
  std::string name_;
  bool subscriber_;
  ReplyRouter router_;
  std::string closed_;
  std::string late_error_;
};

}  // namespace

PeerDriver::PeerDriver(boost::asio::io_context& io, ServerOptions options) : io_(io), options_(std::move(options)) {}

PeerDriver::~PeerDriver() = default;

Awaitable<void> PeerDriver::open() {
  WsUrl::parse(options_.url);
  co_return;
}

Awaitable<std::unique_ptr<SessionSignaling>> PeerDriver::make_session(bool subscriber) {
  std::string name = to_string(options_.kind);
  auto ws = WsClient::create(io_, WsClientOptions{.name = name});
  auto session = std::make_unique<PeerSession>(ws, name, subscriber);
  session->wire();
  co_await ws->connect(options_.url);
  std::erase_if(connections_, [](const std::weak_ptr<WsClient>& w) { return w.expired(); });
  connections_.push_back(ws);
  co_return session;
}

Awaitable<std::unique_ptr<SessionSignaling>> PeerDriver::publisher() { return make_session(false); }
Awaitable<std::unique_ptr<SessionSignaling>> PeerDriver::subscriber() { return make_session(true); }

Awaitable<std::unique_ptr<SessionSignaling>> PeerDriver::echo() {
  throw SignalingError(std::string(to_string(options_.kind)) + ": no echo sessions");
  co_return nullptr;
}

Awaitable<void> PeerDriver::close() {
  auto connections = std::move(connections_);
  connections_.clear();
  for (auto& weak : connections) {
    if (auto ws = weak.lock()) co_await ws->close();
  }
}

}  // namespace medley::loadgen
