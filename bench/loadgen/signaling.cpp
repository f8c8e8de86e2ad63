// The signaling contract's shared parts: server kinds by name, the driver factory, and the SessionSignaling calls
// a session does not support (client-offer sessions have no request_offer(), server-offer ones no offer()).
#include <utility>  // before signaling.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "bench/loadgen/signaling.hpp"

#include "bench/loadgen/janus_driver.hpp"
#include "bench/loadgen/kurento_driver.hpp"
#include "bench/loadgen/peer_driver.hpp"

namespace medley::loadgen {

Awaitable<std::string> SessionSignaling::offer(std::string) {
  throw SignalingError("offer(): this session's server makes the offer (use request_offer() and answer())");
  co_return std::string();
}

Awaitable<std::string> SessionSignaling::request_offer() {
  throw SignalingError("request_offer(): this session's client makes the offer (use offer())");
  co_return std::string();
}

Awaitable<void> SessionSignaling::answer(std::string) {
  throw SignalingError("answer(): this session's client makes the offer (use offer())");
  co_return;
}

std::unique_ptr<ServerDriver> make_server_driver(boost::asio::io_context& io, const ServerOptions& options) {
  switch (options.kind) {
    case ServerKind::Medley:
      return std::make_unique<KurentoDriver>(io, options);
    case ServerKind::Janus:
      return std::make_unique<JanusDriver>(io, options);
    case ServerKind::Mediasoup:
    case ServerKind::Pion:
      return std::make_unique<PeerDriver>(io, options);
  }
  throw std::invalid_argument("unknown server kind");
}

ServerKind parse_server_kind(const std::string& name) {
  if (name == "medley") return ServerKind::Medley;
  if (name == "janus") return ServerKind::Janus;
  if (name == "mediasoup") return ServerKind::Mediasoup;
  if (name == "pion") return ServerKind::Pion;
  throw std::invalid_argument("unknown server '" + name + "' (medley, janus, mediasoup or pion)");
}

const char* to_string(ServerKind kind) {
  switch (kind) {
    case ServerKind::Medley:
      return "medley";
    case ServerKind::Janus:
      return "janus";
    case ServerKind::Mediasoup:
      return "mediasoup";
    case ServerKind::Pion:
      return "pion";
  }
  return "unknown";
}

}  // namespace medley::loadgen
