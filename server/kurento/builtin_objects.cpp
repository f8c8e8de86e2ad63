// ServerManager (server info and resource figures), MediaPipeline (its dot graph) and PassThrough.
#include "server/kurento/builtin_objects.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/kurento/media_object_factory.hpp"

namespace medley::server::kurento {

int64_t process_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) {
      std::istringstream fields(line.substr(6));
      int64_t kib = 0;
      fields >> kib;
      return kib;
    }
  }
  return 0;
}

double process_cpu_seconds() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name (which may hold spaces): utime is field 14, stime 15.
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int i = 3; i <= 13 && fields >> skip; ++i) {
  }
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return 0;
  long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(utime + stime) / static_cast<double>(ticks) : 0;
}

ServerManager::ServerManager(ObjectInit init, std::string version)
    : MediaObject(std::move(init)),
      version_(std::move(version)),
      last_cpu_wall_(std::chrono::steady_clock::now()),
      last_cpu_seconds_(process_cpu_seconds()) {}

Json ServerManager::info() const {
  Json modules = Json::array();
  for (const auto& m : ApiTable::kurento().modules()) {
    modules.push_back(with_type_marker(
        {{"version", m.version}, {"name", m.name}, {"generationTime", "medley"}, {"factories", m.factories}},
        "ModuleInfo"));
  }
  return with_type_marker({{"version", version_},
                           {"modules", std::move(modules)},
                           {"type", "KMS"},
                           {"capabilities", Json::array({"transactions"})}},
                          "ServerInfo");
}

// Kurento samples /proc/stat twice, `interval` apart, blocking the call; we answer this process's share of all
// cores since the previous call instead, so a control-plane call never sleeps.
double ServerManager::used_cpu_percent() {
  std::lock_guard lock(cpu_mutex_);
  auto now = std::chrono::steady_clock::now();
  double cpu = process_cpu_seconds();
  double wall = std::chrono::duration<double>(now - last_cpu_wall_).count();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double percent = wall > 0 ? 100.0 * (cpu - last_cpu_seconds_) / (wall * cores) : 0.0;
  last_cpu_wall_ = now;
  last_cpu_seconds_ = cpu;
  return std::clamp(percent, 0.0, 100.0);
}

std::optional<InvokeResult> ServerManager::invoke_own(const std::string& operation, const Json&) {
  if (operation == "getInfo") return InvokeResult(info());
  if (operation == "getPipelines") return InvokeResult(Json(host().pipeline_ids()));
  if (operation == "getSessions") return InvokeResult(Json(host().session_ids()));
  if (operation == "getUsedMemory") return InvokeResult(Json(process_rss_kib()));
  if (operation == "getCpuCount") return InvokeResult(Json(std::max(1u, std::thread::hardware_concurrency())));
  if (operation == "getUsedCpu") return InvokeResult(Json(used_cpu_percent()));
  if (operation == "getMetadata") return InvokeResult(Json("{}"));
  return std::nullopt;
}

std::optional<InvokeResult> MediaPipeline::invoke_own(const std::string& operation, const Json&) {
  if (operation == "getGstreamerDot") {
    std::string dot = "digraph \"" + id() + "\" {\n";
    for (const auto& child : children()) {
      dot += "  \"" + child->id() + "\" [label=\"" + child->api_type().name + "\"];\n";
      if (auto element = std::dynamic_pointer_cast<MediaElement>(child)) {
        for (const auto& c : element->sink_connections()) {
          dot += "  \"" + c.source_id + "\" -> \"" + c.sink_id + "\" [label=\"" +
                 std::string(media_kind_name(c.kind)) + "\"];\n";
        }
      }
    }
    return InvokeResult(Json(dot + "}\n"));
  }
  if (operation == "dumpGstreamerDot") return InvokeResult(Json(nullptr));
  return std::nullopt;
}

TypeFactory::TypeFactory() {
  creators_["MediaPipeline"] = [](ObjectInit init) -> CreateResult {
    return std::shared_ptr<MediaObject>(std::make_shared<MediaPipeline>(std::move(init)));
  };
  creators_["PassThrough"] = [](ObjectInit init) -> CreateResult {
    return std::shared_ptr<MediaObject>(std::make_shared<PassThrough>(std::move(init)));
  };
}

void TypeFactory::add(std::string type_name, Creator creator) {
  std::lock_guard lock(mutex_);
  creators_[std::move(type_name)] = std::move(creator);
}

bool TypeFactory::has(const std::string& type_name) const {
  std::lock_guard lock(mutex_);
  return creators_.contains(type_name);
}

CreateResult TypeFactory::create(ObjectInit init) {
  Creator creator;
  {
    std::lock_guard lock(mutex_);
    auto it = creators_.find(init.type->name);
    if (it == creators_.end()) {
      return KurentoError{code::kTypeNotFound, "Type '" + init.type->name + "' not available in this server"};
    }
    creator = it->second;
  }
  return creator(std::move(init));
}

}  // namespace medley::server::kurento
