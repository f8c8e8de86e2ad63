// MediaObject: the base every Kurento object derives from (the media layer's elements too), with the behaviour the
// API table gives every object (name, tags, children, parent, pipeline, creation time, sendTagsInEvents, stored
// properties) and the event sink; concrete types only implement their own operations in invoke_own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtp/base/result.hpp"
#include "server/kurento/api_table.hpp"
#include "server/kurento/kurento_error.hpp"

namespace medley::server::kurento {

using Json = nlohmann::json;
using InvokeResult = base::Result<Json, KurentoError>;

class MediaObject;

// What objects need from the layer that owns them. Thread-safe; objects never call it while holding their own lock.
class ObjectHost {
 public:
  virtual ~ObjectHost() = default;
  virtual std::shared_ptr<MediaObject> find_object(std::string_view id) = 0;
  // An event raised by `object_id`; `data` is complete (source, type, timestamps, tags). Any thread.
  virtual void deliver_event(const std::string& object_id, const std::string& type, Json data) = 0;
  virtual std::vector<std::string> pipeline_ids() = 0;
  virtual std::vector<std::string> session_ids() = 0;
  virtual int64_t wall_clock_ms() = 0;  // milliseconds since the Unix epoch, for timestamps
};

struct ObjectInit {
  std::string id;
  const ApiType* type = nullptr;
  std::shared_ptr<MediaObject> parent;  // the pipeline (elements), the hub (hub ports); null for pipelines, manager
  ObjectHost* host = nullptr;
  Json constructor_params = Json::object();
  Json properties = Json::object();  // create's optional `properties`
};

class MediaObject : public std::enable_shared_from_this<MediaObject> {
 public:
  explicit MediaObject(ObjectInit init);
  virtual ~MediaObject() = default;
  MediaObject(const MediaObject&) = delete;
  MediaObject& operator=(const MediaObject&) = delete;

  const std::string& id() const { return id_; }
  const ApiType& api_type() const { return *type_; }
  const std::shared_ptr<MediaObject>& parent() const { return parent_; }
  // The pipeline this object lives in (itself for a pipeline); null for the ServerManager.
  std::shared_ptr<MediaObject> media_pipeline();
  int64_t creation_time() const { return creation_time_; }  // seconds since the epoch, as Kurento reports it

  // Checks the operation against the API table (unknown → 40105, bad parameters → 40001), then tries the concrete
  // type's invoke_own, then the generic behaviour; a declared operation nobody implements → 40006.
  InvokeResult invoke(const std::string& operation, const Json& params);

  // Subscription hooks; the event name was already checked against the table. A subclass may replay current state
  // from on_subscribe (by emitting after returning is up to it).
  virtual std::optional<KurentoError> on_subscribe(const std::string& /*event*/) { return std::nullopt; }
  virtual void on_unsubscribe(const std::string& /*event*/) {}

  // Releases once: on_release runs on the first call only.
  void release();
  bool released() const;

  void add_child(const std::shared_ptr<MediaObject>& child);
  void remove_child(const std::string& child_id);
  std::vector<std::shared_ptr<MediaObject>> children() const;

  // Raises an event with its own fields; source, type, timestamp, timestampMillis and tags are added here.
  void emit(const std::string& type, Json fields);

  // A stored property (from constructor params, create's properties, or a generic setX); null if unset.
  Json property(const std::string& name) const;
  void set_property(const std::string& name, Json value);

 protected:
  // The concrete type's operations; std::nullopt means "not mine", so the generic behaviour runs.
  virtual std::optional<InvokeResult> invoke_own(const std::string& operation, const Json& params);
  virtual void on_release() {}
  ObjectHost& host() const { return *host_; }

 private:
  std::optional<InvokeResult> invoke_generic(const ApiOperation& op, const Json& params);
  Json tags_json() const;  // requires mutex_

  const std::string id_;
  const ApiType* const type_;
  const std::shared_ptr<MediaObject> parent_;
  ObjectHost* const host_;
  const int64_t creation_time_;

  mutable std::mutex mutex_;  // guards everything below; a leaf lock
  std::string name_;
  std::vector<std::pair<std::string, std::string>> tags_;
  bool send_tags_in_events_ = false;
  bool released_ = false;
  std::vector<std::weak_ptr<MediaObject>> children_;
  Json properties_ = Json::object();
};

// Kurento's complex-type marker fields.
Json with_type_marker(Json value, std::string_view type);

}  // namespace medley::server::kurento
