// PeerDriver: mediasoup and Pion through the peers' small WebSocket protocol (/work/shared/peers/README.md): one
// WebSocket per session, {"op":"publish"} answered by the server, {"op":"subscribe"} offered by it.
#pragma once

#include <memory>
#include <vector>

#include <utility>  // before signaling.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "bench/loadgen/signaling.hpp"

namespace medley::loadgen {

class WsClient;

class PeerDriver : public ServerDriver {
 public:
  PeerDriver(boost::asio::io_context& io, ServerOptions options);
  ~PeerDriver() override;

  // Checks the URL; every session opens its own connection.
  Awaitable<void> open() override;
  Awaitable<std::unique_ptr<SessionSignaling>> publisher() override;
  Awaitable<std::unique_ptr<SessionSignaling>> subscriber() override;
  bool supports_echo() const override { return false; }
  Awaitable<std::unique_ptr<SessionSignaling>> echo() override;
  // Closes the connections of sessions still open (the servers drop a peer when its socket closes).
  Awaitable<void> close() override;

 private:
  Awaitable<std::unique_ptr<SessionSignaling>> make_session(bool subscriber);

  boost::asio::io_context& io_;
  ServerOptions options_;
  std::vector<std::weak_ptr<WsClient>> connections_;
};

}  // namespace medley::loadgen
