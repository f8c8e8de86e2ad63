// MediaObjectFactory: how `create` gets an object of a Kurento type; TypeFactory dispatches by type name, holds the
// built-in types (MediaPipeline, PassThrough) and is the registration hook for the media layer's types.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "rtp/base/result.hpp"
#include "server/kurento/media_object.hpp"

namespace medley::server::kurento {

using CreateResult = base::Result<std::shared_ptr<MediaObject>, KurentoError>;

class MediaObjectFactory {
 public:
  virtual ~MediaObjectFactory() = default;
  // `init` carries the id, type, parent (already resolved and checked), host, constructor params and properties.
  // Unknown type → 40100; the media layer's own failures as Kurento errors.
  virtual CreateResult create(ObjectInit init) = 0;
};

class TypeFactory : public MediaObjectFactory {
 public:
  using Creator = std::function<CreateResult(ObjectInit init)>;

  // MediaPipeline and PassThrough registered.
  TypeFactory();

  // Registers (or replaces) the creator of a type, e.g. "WebRtcEndpoint". Thread-safe.
  void add(std::string type_name, Creator creator);
  bool has(const std::string& type_name) const;

  CreateResult create(ObjectInit init) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Creator> creators_;
};

}  // namespace medley::server::kurento
