// Test helpers for the Kurento RPC layer: a peer that records frames, a fake clock and a client that speaks JSON-RPC.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/kurento/kurento_rpc.hpp"

namespace medley::server::kurento::testing {

using nlohmann::json;

class FakePeer : public RpcPeer {
 public:
  explicit FakePeer(uint64_t id) : id_(id) {}
  void send_text(std::string text) override {
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(text));
  }
  uint64_t id() const override { return id_; }
  std::string remote_address() const override { return "127.0.0.1:" + std::to_string(id_); }

  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(frames_, {});
  }

 private:
  uint64_t id_;
  std::mutex mutex_;
  std::vector<std::string> frames_;
};

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
};

inline KurentoRpcConfig test_config(FakeClock& clock, std::chrono::seconds grace = std::chrono::seconds(30)) {
  KurentoRpcConfig c;
  c.session_grace = grace;
  c.clock = [&clock] { return clock.now; };
  c.wall_clock_ms = [] { return int64_t{1700000000123}; };
  auto counter = std::make_shared<uint64_t>(0);
  c.random = [counter] { return 0x1234567890abcdefull * ++*counter; };
  c.max_buffered_events = 4;
  return c;
}

// Sends requests with increasing ids and splits what comes back into the response and notifications.
class Client {
 public:
  Client(KurentoRpc& rpc, uint64_t peer_id) : rpc_(rpc), peer_(std::make_shared<FakePeer>(peer_id)) {
    rpc_.on_open(peer_);
  }
  json call(const std::string& method, json params = json::object()) {
    json req = {{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}};
    if (!params.is_null()) {
      if (!session_id.empty() && params.is_object() && !params.contains("sessionId")) params["sessionId"] = session_id;
      req["params"] = params;
    }
    return send_raw(req.dump(), req["id"]);
  }
  json send_raw(const std::string& text, const json& id = nullptr) {
    rpc_.on_text(peer_, text);
    json response;
    for (const auto& f : peer_->take()) {
      json msg = json::parse(f);
      if (msg.contains("method")) {
        events.push_back(msg);
      } else if (msg["id"] == id || id.is_null()) {
        response = msg;
      }
    }
    return response;
  }
  json value(const std::string& method, json params = json::object()) {
    json r = call(method, std::move(params));
    return r.contains("result") ? r["result"].value("value", json()) : json();
  }
  void close() { rpc_.on_close(peer_); }
  // Events received so far, including those that arrived outside a call (timeouts, other clients' calls).
  std::vector<json> take_events() {
    for (const auto& f : peer_->take()) events.push_back(json::parse(f));
    return std::exchange(events, {});
  }
  std::shared_ptr<FakePeer> peer() { return peer_; }

  std::string session_id;
  std::vector<json> events;

 private:
  KurentoRpc& rpc_;
  std::shared_ptr<FakePeer> peer_;
  int next_id_ = 1;
};

}  // namespace medley::server::kurento::testing
