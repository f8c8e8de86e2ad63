// Signaling for the load generator: one ServerDriver per server under test (Medley through the Kurento protocol,
// Janus through its own API, mediasoup and Pion through the peers' small WebSocket protocol), handing out one
// SessionSignaling per WebRTC session. Coroutines on the loadgen's single io_context; failures throw
// SignalingError with a message naming the server, the request and what came back.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>  // before asio/awaitable.hpp: Boost 1.74 uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace medley::loadgen {

template <typename T>
using Awaitable = boost::asio::awaitable<T>;

struct SignalingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The SDP exchange of one WebRTC session. Either the client offers (offer() → answer) or the server does
// (request_offer() → offer, then answer()); server_offers() says which this server uses for this session.
class SessionSignaling {
 public:
  virtual ~SessionSignaling() = default;

  virtual bool server_offers() const = 0;
  // Client offers: sends our offer (which carries all our candidates and a=end-of-candidates), returns the answer.
  virtual Awaitable<std::string> offer(std::string sdp);
  // Server offers: returns its offer; then answer() sends ours.
  virtual Awaitable<std::string> request_offer();
  virtual Awaitable<void> answer(std::string sdp);

  // Candidates the server trickles after its SDP (Kurento's IceCandidateFound): "candidate:..." lines, "" for end
  // of candidates. Set before offer()/request_offer(); may be called any time until close(). Servers that put every
  // candidate in their SDP never call it.
  std::function<void(const std::string& candidate)> on_remote_candidate;

  // Ends the session on the server (Kurento: release the endpoint; Janus: detach/hangup; peers: close the socket).
  virtual Awaitable<void> close() = 0;
};

enum class ServerKind { Medley, Janus, Mediasoup, Pion };

struct ServerOptions {
  ServerKind kind = ServerKind::Medley;
  std::string url;  // ws://host:port/path (Medley: ws://IP:8888/kurento, Janus: ws://IP:8188, peers: ws://IP:PORT)
};

// One server: opens its control connection(s) and makes sessions. One "room": one publisher, any number of
// subscribers (Medley: a MediaPipeline with the publisher's WebRtcEndpoint connected to each viewer's; Janus: a
// videoroom room it creates with no bitrate cap; peers: the server instance itself), plus echo sessions where the
// server supports them (Medley: a WebRtcEndpoint connected to itself; Janus: the echotest plugin).
class ServerDriver {
 public:
  virtual ~ServerDriver() = default;

  // Connects and prepares (Janus: session, keepalives; Medley: the pipeline). Call once before anything else.
  virtual Awaitable<void> open() = 0;
  // The room's publisher; call once, before subscriber().
  virtual Awaitable<std::unique_ptr<SessionSignaling>> publisher() = 0;
  // A subscriber to the publisher's audio and video. Many may be in flight at once.
  virtual Awaitable<std::unique_ptr<SessionSignaling>> subscriber() = 0;
  virtual bool supports_echo() const = 0;
  // A session whose media the server sends back to it (throws SignalingError when !supports_echo()).
  virtual Awaitable<std::unique_ptr<SessionSignaling>> echo() = 0;
  // Releases everything it made on the server (pipelines, rooms, handles) and closes its connections.
  virtual Awaitable<void> close() = 0;
};

std::unique_ptr<ServerDriver> make_server_driver(boost::asio::io_context& io, const ServerOptions& options);

// "medley", "janus", "mediasoup", "pion"; throws std::invalid_argument for anything else.
ServerKind parse_server_kind(const std::string& name);
const char* to_string(ServerKind kind);

}  // namespace medley::loadgen
