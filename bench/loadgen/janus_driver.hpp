// JanusDriver: Janus 1.1 through its WebSocket API ("janus-protocol"): one Janus session kept alive, a videoroom
// room it creates (one publisher, subscribers joined to its feed) and echotest handles for echo sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <utility>  // before signaling.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "bench/loadgen/signaling.hpp"

namespace medley::loadgen {

class JanusConnection;
struct JanusPublisherState;

class JanusDriver : public ServerDriver {
 public:
  JanusDriver(boost::asio::io_context& io, ServerOptions options);
  ~JanusDriver() override;

  Awaitable<void> open() override;
  Awaitable<std::unique_ptr<SessionSignaling>> publisher() override;
  // Janus offers a feed to subscribers only once the publisher's PeerConnection is up ("webrtcup"): the
  // subscriber's request_offer() waits for that (up to the request timeout).
  Awaitable<std::unique_ptr<SessionSignaling>> subscriber() override;
  bool supports_echo() const override { return true; }
  Awaitable<std::unique_ptr<SessionSignaling>> echo() override;
  Awaitable<void> close() override;

 private:
  boost::asio::io_context& io_;
  ServerOptions options_;
  std::shared_ptr<JanusConnection> conn_;
  uint64_t control_handle_ = 0;  // videoroom handle that creates and destroys the room
  uint64_t room_ = 0;
  std::shared_ptr<JanusPublisherState> publisher_;
};

}  // namespace medley::loadgen
