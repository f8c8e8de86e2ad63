// Sessions and connections: which connection a session speaks through now, the grace period after its socket
// closes, and the events buffered for it meanwhile. Not thread-safe: KurentoRpc guards it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/kurento/rpc_handler.hpp"

namespace medley::server::kurento {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Session {
  std::string id;
  std::shared_ptr<RpcPeer> peer;               // null while no connection speaks for it
  std::optional<SteadyTime> disconnected_since;
  std::deque<std::string> pending;             // frames for a reconnect, oldest first
  uint64_t dropped_events = 0;
};

class SessionRegistry {
 public:
  explicit SessionRegistry(size_t max_pending) : max_pending_(max_pending) {}

  void open(const std::shared_ptr<RpcPeer>& peer);
  // The connection's session starts its grace period (if this connection still speaks for it).
  void close(uint64_t peer_id, SteadyTime now);

  Session* find(const std::string& session_id);
  std::optional<std::string> session_of(uint64_t peer_id) const;
  // Creates the session if needed and makes `peer` the connection that speaks for it; the session's previous
  // connection (if another) stops speaking for it, and the connection's previous session starts its grace period.
  // Returns buffered frames to send now, in order.
  std::vector<std::string> bind(const std::string& session_id, const std::shared_ptr<RpcPeer>& peer, SteadyTime now);

  // Sends `frame` through the session's connection, or buffers it (bounded, oldest dropped first).
  void deliver(const std::string& session_id, std::string frame);

  // Sessions whose grace period ended; removed from the registry.
  std::vector<std::string> take_expired(SteadyTime now, std::chrono::steady_clock::duration grace);
  std::optional<SteadyTime> next_expiry(std::chrono::steady_clock::duration grace) const;

  std::vector<std::string> ids() const;
  size_t connection_count() const { return connections_.size(); }

 private:
  struct Connection {
    std::shared_ptr<RpcPeer> peer;
    std::optional<std::string> session_id;
  };
  void detach(Session& session, SteadyTime now);

  size_t max_pending_;
  std::map<std::string, Session> sessions_;
  std::map<uint64_t, Connection> connections_;
};

}  // namespace medley::server::kurento
