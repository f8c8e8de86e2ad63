// KurentoDriver: Medley (or Kurento) through the Kurento JSON-RPC protocol: one MediaPipeline per driver, a
// WebRtcEndpoint per session (publisher, viewers connected from it, echo endpoints connected to themselves).
#pragma once

#include <memory>
#include <string>

#include <utility>  // before signaling.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "bench/loadgen/signaling.hpp"

namespace medley::loadgen {

class KurentoConnection;

class KurentoDriver : public ServerDriver {
 public:
  KurentoDriver(boost::asio::io_context& io, ServerOptions options);
  ~KurentoDriver() override;

  Awaitable<void> open() override;
  Awaitable<std::unique_ptr<SessionSignaling>> publisher() override;
  Awaitable<std::unique_ptr<SessionSignaling>> subscriber() override;
  bool supports_echo() const override { return true; }
  Awaitable<std::unique_ptr<SessionSignaling>> echo() override;
  Awaitable<void> close() override;

 private:
  enum class Role { Publisher, Subscriber, Echo };
  Awaitable<std::unique_ptr<SessionSignaling>> make_session(Role role);

  boost::asio::io_context& io_;
  ServerOptions options_;
  std::shared_ptr<KurentoConnection> conn_;
  std::string pipeline_;
  std::string publisher_endpoint_;
};

}  // namespace medley::loadgen
