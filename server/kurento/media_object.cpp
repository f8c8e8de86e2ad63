// Generic MediaObject behaviour shared by every Kurento object, and event raising.
#include "server/kurento/media_object.hpp"

#include <algorithm>
#include <cctype>

namespace medley::server::kurento {
namespace {

// "getMaxVideoSendBandwidth" → "maxVideoSendBandwidth"
std::string property_name(std::string_view op, size_t prefix) {
  std::string name(op.substr(prefix));
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

std::optional<Json> default_for(std::string_view type) {
  if (type == "Integer" || type == "int" || type == "int64") return Json(0);
  if (type == "Number" || type == "float" || type == "double") return Json(0.0);
  if (type == "Boolean" || type == "boolean") return Json(false);
  if (type == "String") return Json("");
  return std::nullopt;
}

}  // namespace

Json with_type_marker(Json value, std::string_view type) {
  value["__module__"] = "kurento";
  value["__type__"] = std::string(type);
  return value;
}

MediaObject::MediaObject(ObjectInit init)
    : id_(std::move(init.id)),
      type_(init.type),
      parent_(std::move(init.parent)),
      host_(init.host),
      creation_time_(init.host->wall_clock_ms() / 1000) {
  if (init.properties.is_object()) properties_ = std::move(init.properties);
  if (init.constructor_params.is_object()) {
    for (auto& [key, value] : init.constructor_params.items()) properties_[key] = value;
  }
}

std::shared_ptr<MediaObject> MediaObject::media_pipeline() {
  for (MediaObject* o = this; o != nullptr; o = o->parent_.get()) {
    if (o->type_->name == "MediaPipeline") return o->shared_from_this();
  }
  return nullptr;
}

InvokeResult MediaObject::invoke(const std::string& operation, const Json& params) {
  // getId is the client's own accessor in kurento-client, not a server operation; answering it costs nothing.
  if (operation == "getId") return Json(id_);
  const ApiOperation* op = type_->find_operation(operation);
  if (op == nullptr) {
    return KurentoError{code::kMethodNotFoundOnObject,
                        "Method '" + operation + "' not found on " + type_->name};
  }
  if (auto bad = check_params(op->params, params)) return *bad;
  if (auto own = invoke_own(operation, params)) return std::move(*own);
  if (auto generic = invoke_generic(*op, params)) return std::move(*generic);
  return KurentoError{code::kNotImplemented, "Operation '" + operation + "' is not implemented for " + type_->name};
}

std::optional<InvokeResult> MediaObject::invoke_own(const std::string&, const Json&) { return std::nullopt; }

std::optional<InvokeResult> MediaObject::invoke_generic(const ApiOperation& op, const Json& params) {
  const std::string& name = op.name;
  std::unique_lock lock(mutex_);
  if (name == "getName") return Json(name_.empty() ? id_ : name_);
  if (name == "setName") {
    name_ = params.at("name").get<std::string>();
    return Json(nullptr);
  }
  if (name == "getSendTagsInEvents") return Json(send_tags_in_events_);
  if (name == "setSendTagsInEvents") {
    send_tags_in_events_ = params.at("sendTagsInEvents").get<bool>();
    return Json(nullptr);
  }
  if (name == "getTags") return tags_json();
  if (name == "addTag" || name == "getTag" || name == "removeTag") {
    std::string key = params.at("key").get<std::string>();
    auto it = std::find_if(tags_.begin(), tags_.end(), [&](const auto& t) { return t.first == key; });
    if (name == "getTag") {
      if (it == tags_.end()) return InvokeResult(KurentoError{code::kTagKeyNotFound, "Tag '" + key + "' not found"});
      return Json(it->second);
    }
    if (name == "removeTag") {
      if (it != tags_.end()) tags_.erase(it);
      return Json(nullptr);
    }
    std::string value = params.at("value").get<std::string>();
    if (it != tags_.end()) {
      it->second = std::move(value);
    } else {
      tags_.emplace_back(std::move(key), std::move(value));
    }
    return Json(nullptr);
  }
  if (name == "getCreationTime") return Json(creation_time_);
  lock.unlock();
  if (name == "getChildren") {
    Json ids = Json::array();
    for (const auto& child : children()) ids.push_back(child->id());
    return ids;
  }
  if (name == "getParent") return parent_ ? Json(parent_->id()) : Json(nullptr);
  if (name == "getMediaPipeline") {
    auto pipeline = media_pipeline();
    return pipeline ? Json(pipeline->id()) : Json(nullptr);
  }
  // Properties the concrete type does not handle read back what was set (or the type's zero value).
  if (name.starts_with("get") && op.params.empty() && !op.returns.empty()) {
    Json stored = property(property_name(name, 3));
    if (!stored.is_null()) return stored;
    if (auto def = default_for(op.returns)) return *def;
    return std::nullopt;
  }
  if (name.starts_with("set") && op.params.size() == 1) {
    set_property(property_name(name, 3), params.at(op.params[0].name));
    return Json(nullptr);
  }
  return std::nullopt;
}

void MediaObject::release() {
  {
    std::lock_guard lock(mutex_);
    if (released_) return;
    released_ = true;
  }
  on_release();
}

bool MediaObject::released() const {
  std::lock_guard lock(mutex_);
  return released_;
}

void MediaObject::add_child(const std::shared_ptr<MediaObject>& child) {
  std::lock_guard lock(mutex_);
  children_.push_back(child);
}

void MediaObject::remove_child(const std::string& child_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(children_, [&](const std::weak_ptr<MediaObject>& w) {
    auto c = w.lock();
    return !c || c->id() == child_id;
  });
}

std::vector<std::shared_ptr<MediaObject>> MediaObject::children() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<MediaObject>> out;
  for (const auto& w : children_) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

Json MediaObject::tags_json() const {
  Json tags = Json::array();
  for (const auto& [key, value] : tags_) tags.push_back(with_type_marker({{"key", key}, {"value", value}}, "Tag"));
  return tags;
}

void MediaObject::emit(const std::string& type, Json fields) {
  Json data = fields.is_object() ? std::move(fields) : Json::object();
  int64_t now_ms = host_->wall_clock_ms();
  data["source"] = id_;
  data["type"] = type;
  data["timestamp"] = std::to_string(now_ms / 1000);
  data["timestampMillis"] = std::to_string(now_ms);
  {
    std::lock_guard lock(mutex_);
    if (send_tags_in_events_) data["tags"] = tags_json();
  }
  host_->deliver_event(id_, type, std::move(data));
}

Json MediaObject::property(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = properties_.find(name);
  return it == properties_.end() ? Json(nullptr) : *it;
}

void MediaObject::set_property(const std::string& name, Json value) {
  std::lock_guard lock(mutex_);
  properties_[name] = std::move(value);
}

}  // namespace medley::server::kurento
