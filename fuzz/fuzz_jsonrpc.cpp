// Fuzzes the Kurento JSON-RPC layer: the input is split into frames at '\n' and fed to one KurentoRpc over two
// connections. "$0".."$9" in a frame become the ids of the objects created so far, so inputs reach connected
// elements, subscriptions and transactions. A frame starting with '\x01' closes and reopens its connection, '\x02'
// advances the clock past the session grace period. Checked: no crash, and every frame with a readable id gets
// exactly one answer carrying that id (a malformed one exactly one answer).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/kurento/jsonrpc.hpp"
#include "server/kurento/kurento_rpc.hpp"

namespace {

using medley::server::kurento::KurentoRpc;
using medley::server::kurento::KurentoRpcConfig;
using medley::server::kurento::RpcPeer;
using nlohmann::json;

class RecordingPeer : public RpcPeer {
 public:
  explicit RecordingPeer(uint64_t id) : id_(id) {}
  void send_text(std::string text) override { frames.push_back(std::move(text)); }
  uint64_t id() const override { return id_; }
  std::string remote_address() const override { return "fuzz"; }
  std::vector<std::string> frames;

 private:
  uint64_t id_;
};

std::string substitute(std::string_view frame, const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < frame.size(); ++i) {
    if (frame[i] == '$' && i + 1 < frame.size() && frame[i + 1] >= '0' && frame[i + 1] <= '9') {
      size_t n = static_cast<size_t>(frame[i + 1] - '0');
      out += n < ids.size() ? ids[n] : "x";
      ++i;
    } else {
      out += frame[i];
    }
  }
  return out;
}

// The id the frame carries, if it is a JSON object with a valid id member; std::nullopt otherwise.
std::optional<json> readable_id(std::string_view frame) {
  if (frame.size() > 100000) return std::nullopt;
  auto parsed = medley::server::kurento::parse_frame(frame);
  json msg = json::parse(frame, nullptr, false);
  if (msg.is_discarded() || !msg.is_object()) return std::nullopt;
  auto it = msg.find("id");
  if (it == msg.end() || !(it->is_number() || it->is_string())) return std::nullopt;
  // parse_frame refuses over-deep frames before reading the id.
  if (auto* err = std::get_if<medley::server::kurento::RpcFrameError>(&parsed); err != nullptr && err->id.is_null()) {
    return std::nullopt;
  }
  return *it;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::seconds(1000));
  KurentoRpcConfig config;
  config.session_grace = std::chrono::seconds(30);
  config.clock = [now] { return *now; };
  config.wall_clock_ms = [] { return int64_t{1700000000000}; };
  auto counter = std::make_shared<uint64_t>(0);
  config.random = [counter] { return 0x9e3779b97f4a7c15ull * ++*counter; };
  config.max_buffered_events = 8;
  KurentoRpc rpc(config);

  std::shared_ptr<RecordingPeer> peers[2] = {std::make_shared<RecordingPeer>(1), std::make_shared<RecordingPeer>(2)};
  uint64_t next_peer_id = 3;
  for (auto& p : peers) rpc.on_open(p);
  std::vector<std::string> ids = {"manager_ServerManager"};

  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t frame_no = 0;
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view raw = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    auto& peer = peers[frame_no++ % 2];
    if (!raw.empty() && raw[0] == '\x01') {
      rpc.on_close(peer);
      peer = std::make_shared<RecordingPeer>(next_peer_id++);
      rpc.on_open(peer);
      continue;
    }
    if (!raw.empty() && raw[0] == '\x02') {
      *now += std::chrono::seconds(31);
      rpc.handle_timeout(*now);
      continue;
    }
    std::string frame = substitute(raw, ids);
    auto id = readable_id(frame);
    peer->frames.clear();
    rpc.on_text(peer, frame);
    int answers = 0;
    for (const auto& out : peer->frames) {
      json msg = json::parse(out, nullptr, false);
      if (msg.is_discarded() || !msg.is_object() || msg.value("jsonrpc", "") != "2.0") abort();  // we sent bad JSON
      if (msg.contains("method")) continue;  // an event
      ++answers;
      if (id && msg["id"] != *id) abort();
      if (msg.contains("result") && msg["result"].is_object()) {
        const json& v = msg["result"]["value"];
        if (v.is_string() && v.get_ref<const std::string&>().find("_kurento.") != std::string::npos && ids.size() < 10) {
          ids.push_back(v.get<std::string>());
        }
      }
    }
    if (answers > 1 || (id && answers != 1)) abort();
  }
  for (auto& p : peers) rpc.on_close(p);
  return 0;
}
