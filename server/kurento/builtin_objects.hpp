// The objects the RPC layer implements itself: ServerManager, MediaPipeline and PassThrough.
#pragma once

#include <chrono>
#include <string>

#include "server/kurento/media_element.hpp"
#include "server/kurento/media_object.hpp"

namespace medley::server::kurento {

inline constexpr std::string_view kServerManagerId = "manager_ServerManager";

class ServerManager : public MediaObject {
 public:
  ServerManager(ObjectInit init, std::string version);

 protected:
  std::optional<InvokeResult> invoke_own(const std::string& operation, const Json& params) override;

 private:
  Json info() const;
  double used_cpu_percent();

  std::string version_;
  std::mutex cpu_mutex_;
  std::chrono::steady_clock::time_point last_cpu_wall_;
  double last_cpu_seconds_ = 0;
};

class MediaPipeline : public MediaObject {
 public:
  using MediaObject::MediaObject;

 protected:
  std::optional<InvokeResult> invoke_own(const std::string& operation, const Json& params) override;
};

// An element with no media of its own yet: MediaElement's generic operations and connection bookkeeping.
class PassThrough : public MediaElement {
 public:
  using MediaElement::MediaElement;
};

// Read from /proc; 0 when unavailable.
int64_t process_rss_kib();
double process_cpu_seconds();

}  // namespace medley::server::kurento
