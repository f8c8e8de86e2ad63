// WsClient: one client WebSocket (Boost.Beast) for the signaling drivers, with a reader loop, serialized writes
// and keep-alive pings; ReplyRouter: requests awaiting their reply by key (JSON-RPC id, Janus transaction).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include <utility>  // before signaling.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "bench/loadgen/signaling.hpp"

namespace medley::loadgen {

// ws://host:port/path, split. Throws SignalingError for another scheme or a malformed URL.
struct WsUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
  static WsUrl parse(const std::string& url);
};

struct WsClientOptions {
  std::string subprotocol;  // Sec-WebSocket-Protocol, e.g. "janus-protocol"; empty: none
  // Beast's keep-alive: a ping after half of this much silence, the connection dropped after all of it.
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds handshake_timeout{10};
  std::string name = "ws";  // for error messages ("janus", "medley"...)
};

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using MessageHandler = std::function<void(std::string text)>;
  using CloseHandler = std::function<void(const std::string& why)>;

  static std::shared_ptr<WsClient> create(boost::asio::io_context& io, WsClientOptions options = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Both are called from the reader loop; set them before connect().
  MessageHandler on_message;
  CloseHandler on_close;  // once, when the reader stops (peer closed, error, or our close())

  // Resolves, connects, does the WebSocket handshake and starts the reader loop. Throws SignalingError.
  Awaitable<void> connect(const std::string& url);
  // Queues a text message; returns once it is written (or queued behind another writer's batch). Throws
  // SignalingError when the connection is gone.
  Awaitable<void> send(std::string text);
  // Close handshake (normal closure), then the reader loop ends. Never throws; idempotent.
  Awaitable<void> close();

  bool is_open() const { return open_; }
  const std::string& name() const { return options_.name; }
  boost::asio::any_io_executor executor() const { return executor_; }

 private:
  WsClient(boost::asio::io_context& io, WsClientOptions options);
  Awaitable<void> read_loop(std::shared_ptr<WsClient> self);  // self: the loop owns the client until it ends
  void finish(const std::string& why);

  boost::asio::any_io_executor executor_;
  WsClientOptions options_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::string url_;
};

// Replies awaited by key. expect() before sending the request (the reply may be read while the send is still
// suspended), then wait(). deliver() hands a message to its waiter; fail_all() wakes every waiter with an error.
class ReplyRouter {
 public:
  explicit ReplyRouter(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  struct Slot {
    explicit Slot(boost::asio::any_io_executor ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    std::optional<nlohmann::json> reply;
    std::optional<std::string> error;
    std::string key;
  };

  std::shared_ptr<Slot> expect(const std::string& key);
  // The reply, or throws SignalingError (`what` names the request) on error or after `timeout`.
  Awaitable<nlohmann::json> wait(std::shared_ptr<Slot> slot, std::chrono::milliseconds timeout, std::string what);
  bool deliver(const std::string& key, nlohmann::json message);  // false: nobody waits for that key
  bool waiting(const std::string& key) const { return slots_.count(key) != 0; }
  void fail_all(const std::string& why);
  size_t pending() const { return slots_.size(); }

 private:
  boost::asio::any_io_executor executor_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
};

// How long a signaling request may take before the drivers give up on it (servers under load answer slowly).
inline constexpr std::chrono::milliseconds kRequestTimeout{30000};

// Parses a text message as JSON; nullopt when it is not.
std::optional<nlohmann::json> parse_json(const std::string& text);

}  // namespace medley::loadgen
