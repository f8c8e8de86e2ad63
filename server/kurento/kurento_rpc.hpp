// KurentoRpc: the RpcHandler that speaks Kurento's JSON-RPC protocol (ping, create, invoke, subscribe, unsubscribe,
// release, describe, connect, transaction), owns sessions and objects, and delivers events as onEvent notifications.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "server/kurento/builtin_objects.hpp"
#include "server/kurento/jsonrpc.hpp"
#include "server/kurento/media_object_factory.hpp"
#include "server/kurento/object_registry.hpp"
#include "server/kurento/rpc_handler.hpp"
#include "server/kurento/session_registry.hpp"

namespace medley::server::kurento {

struct KurentoRpcConfig {
  // How long a session outlives its socket. Kurento's garbage collector releases an abandoned session's objects
  // after two collector periods of 240 s (mediaServer.resources.garbageCollectorPeriod); we count from the close.
  std::chrono::steady_clock::duration session_grace = std::chrono::seconds(240);
  size_t max_buffered_events = 1000;  // per disconnected session; the oldest are dropped first
  std::function<SteadyTime()> clock;  // default: steady_clock::now
  std::function<int64_t()> wall_clock_ms;  // default: system_clock, ms since the epoch (event timestamps)
  std::function<uint64_t()> random;  // UUID source; default: mt19937_64 seeded from std::random_device
  std::string server_version = "7.3.0";  // the Kurento version we answer in getInfo
  std::shared_ptr<MediaObjectFactory> factory;  // default: a TypeFactory with MediaPipeline and PassThrough
};

class KurentoRpc final : public RpcHandler, private ObjectHost {
 public:
  explicit KurentoRpc(KurentoRpcConfig config = {});
  ~KurentoRpc() override;

  void on_open(const std::shared_ptr<RpcPeer>& peer) override;
  void on_text(const std::shared_ptr<RpcPeer>& peer, std::string_view text) override;
  void on_close(const std::shared_ptr<RpcPeer>& peer) override;

  // Releases the objects of sessions whose grace period ended by `now`; on_open/on_text also do it with clock().
  void handle_timeout(SteadyTime now);
  std::optional<SteadyTime> next_timeout() const;

  // For the server and tests.
  std::shared_ptr<MediaObject> find(std::string_view id);
  size_t object_count() const;  // the ServerManager included
  size_t session_count() const;
  size_t subscription_count() const;
  MediaObjectFactory& factory() { return *config_.factory; }

 private:
  using CallResult = base::Result<Json, KurentoError>;
  struct CallContext;

  // ObjectHost
  std::shared_ptr<MediaObject> find_object(std::string_view id) override;
  void deliver_event(const std::string& object_id, const std::string& type, Json data) override;
  std::vector<std::string> pipeline_ids() override;
  std::vector<std::string> session_ids() override;
  int64_t wall_clock_ms() override { return config_.wall_clock_ms(); }

  // Dispatch; the dispatch mutex is held, the state mutex is not.
  CallResult call(CallContext& ctx, const std::string& method, const Json& params, int depth);
  CallResult resolve_session(CallContext& ctx, const Json& params);
  CallResult do_create(CallContext& ctx, const Json& params);
  CallResult do_invoke(CallContext& ctx, const Json& params);
  CallResult do_subscribe(CallContext& ctx, const Json& params);
  CallResult do_unsubscribe(CallContext& ctx, const Json& params);
  CallResult do_release(CallContext& ctx, const Json& params);
  CallResult do_describe(CallContext& ctx, const Json& params);
  CallResult do_connect(CallContext& ctx, const Json& params);
  CallResult do_transaction(CallContext& ctx, const Json& params, int depth);
  base::Result<std::shared_ptr<MediaObject>, KurentoError> lookup(CallContext& ctx, const Json& params);

  // Releases objects (children first), forgets them and raises ObjectDestroyed; dispatch mutex held.
  void release_all(const std::vector<std::shared_ptr<MediaObject>>& objects);
  std::vector<std::shared_ptr<MediaObject>> with_descendants(const std::shared_ptr<MediaObject>& object);
  void expire(SteadyTime now);
  std::string new_uuid();
  void send_frames(const std::shared_ptr<RpcPeer>& peer, std::vector<std::string> frames);

  KurentoRpcConfig config_;
  std::string server_id_;
  std::shared_ptr<ServerManager> manager_;

  // Lock order: dispatch_mutex_ before state_mutex_. Objects' own locks are leaves, never held while calling here.
  std::recursive_mutex dispatch_mutex_;  // serializes control-plane calls (recursive: expiry inside a call)
  mutable std::mutex state_mutex_;       // guards the registries; held briefly, never while calling into objects
  SessionRegistry sessions_;
  ObjectRegistry objects_;
};

}  // namespace medley::server::kurento
