// The seam between the WebSocket server and the Kurento JSON-RPC layer: text frames in, text frames out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace medley::server::kurento {

// One client connection as the RPC layer sees it. send_text may be called from any thread; the WebSocket server
// queues the frame on the connection's own strand and writes frames in call order.
class RpcPeer {
 public:
  virtual ~RpcPeer() = default;
  virtual void send_text(std::string text) = 0;
  virtual uint64_t id() const = 0;                  // unique per connection for the process lifetime
  virtual std::string remote_address() const = 0;  // "ip:port", for logs
};

// What the WebSocket server calls. Calls for one peer never overlap (they come from that connection's strand);
// calls for different peers may run concurrently on different threads.
class RpcHandler {
 public:
  virtual ~RpcHandler() = default;
  virtual void on_open(const std::shared_ptr<RpcPeer>& peer) = 0;
  // One WebSocket text frame (one JSON-RPC message, or garbage that deserves a JSON-RPC error).
  virtual void on_text(const std::shared_ptr<RpcPeer>& peer, std::string_view text) = 0;
  virtual void on_close(const std::shared_ptr<RpcPeer>& peer) = 0;
};

}  // namespace medley::server::kurento
