// WsServer: HTTP and WebSocket on one port (Boost.Beast); WebSocket text frames go to a kurento::RpcHandler.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "server/kurento/rpc_handler.hpp"

namespace medley::server::net {

struct WsServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8888;  // 0 = any free port; port() tells which
  std::string path = "/kurento";
  size_t max_message_size = 16u << 20;
  // A client that reads slower than we write is cut off rather than allowed to grow our memory without bound.
  size_t max_queued_bytes = 64u << 20;
  // WebSocket keep-alive: a ping after half of this idle time, the connection closed after all of it.
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds handshake_timeout{10};  // WebSocket opening and closing handshakes
  std::chrono::seconds http_timeout{30};       // reading one HTTP request
  std::string index_html;                      // served at GET / (and /index.html)
};

class WsServer {
 public:
  WsServer(boost::asio::io_context& io, WsServerOptions options, std::shared_ptr<kurento::RpcHandler> handler);
  ~WsServer();  // stop()
  WsServer(const WsServer&) = delete;
  WsServer& operator=(const WsServer&) = delete;

  // Binds, listens and starts accepting (the accepts run on the io_context's threads). Throws
  // boost::system::system_error when the address cannot be bound.
  void start();
  uint16_t port() const { return port_; }
  const WsServerOptions& options() const;

  // Stops accepting and closes every connection (WebSocket close "going away", HTTP sockets shut down); the close
  // handshakes finish on the io_context threads. Any thread; idempotent.
  void stop();
  size_t connection_count() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  uint16_t port_ = 0;
};

}  // namespace medley::server::net
