// Object ids, session refs and subscriptions.
#include "server/kurento/object_registry.hpp"

#include <algorithm>
#include <functional>

namespace medley::server::kurento {

void ObjectRegistry::add(std::shared_ptr<MediaObject> object, const std::string& session_id, bool pinned) {
  std::string id = object->id();
  auto& e = objects_[id];
  e.object = std::move(object);
  e.pinned = pinned;
  if (!session_id.empty()) ref(id, session_id);
}

std::shared_ptr<MediaObject> ObjectRegistry::find(std::string_view id) const {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : it->second.object;
}

void ObjectRegistry::ref(const std::string& object_id, const std::string& session_id) {
  auto it = objects_.find(object_id);
  if (it == objects_.end() || it->second.pinned) return;
  it->second.sessions.insert(session_id);
  if (const auto& parent = it->second.object->parent()) ref(parent->id(), session_id);
}

void ObjectRegistry::remove(const std::string& object_id) {
  objects_.erase(object_id);
  auto [first, last] = subscriptions_by_object_.equal_range(object_id);
  for (auto it = first; it != last; ++it) subscriptions_.erase(it->second);
  subscriptions_by_object_.erase(first, last);
}

std::vector<std::shared_ptr<MediaObject>> ObjectRegistry::unref_session(const std::string& session_id) {
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    if (it->second.session_id == session_id) {
      auto [first, last] = subscriptions_by_object_.equal_range(it->second.object_id);
      for (auto s = first; s != last; ++s) {
        if (s->second == it->first) {
          subscriptions_by_object_.erase(s);
          break;
        }
      }
      it = subscriptions_.erase(it);
    } else {
      ++it;
    }
  }
  std::set<std::string> orphans;
  for (auto& [id, e] : objects_) {
    if (e.sessions.erase(session_id) > 0 && e.sessions.empty() && !e.pinned) orphans.insert(id);
  }
  // A child still referenced keeps its parent (it was refed with its ancestors), so orphans' children are orphans
  // too unless refed elsewhere; order children before parents for release.
  std::vector<std::shared_ptr<MediaObject>> out;
  std::function<void(const std::shared_ptr<MediaObject>&)> visit = [&](const std::shared_ptr<MediaObject>& o) {
    if (!orphans.contains(o->id())) return;
    for (const auto& child : o->children()) visit(child);
    orphans.erase(o->id());
    out.push_back(o);
  };
  std::vector<std::shared_ptr<MediaObject>> roots;
  for (const auto& id : orphans) roots.push_back(objects_.at(id).object);
  for (const auto& o : roots) visit(o);
  return out;
}

std::vector<std::string> ObjectRegistry::ids_of_type(std::string_view type_name) const {
  std::vector<std::string> out;
  for (const auto& [id, e] : objects_) {
    if (e.object->api_type().name == type_name) out.push_back(id);
  }
  return out;
}

void ObjectRegistry::subscribe(const std::string& subscription_id, Subscription s) {
  subscriptions_by_object_.emplace(s.object_id, subscription_id);
  subscriptions_[subscription_id] = std::move(s);
}

std::optional<Subscription> ObjectRegistry::unsubscribe(const std::string& subscription_id) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return std::nullopt;
  Subscription s = std::move(it->second);
  subscriptions_.erase(it);
  auto [first, last] = subscriptions_by_object_.equal_range(s.object_id);
  for (auto x = first; x != last; ++x) {
    if (x->second == subscription_id) {
      subscriptions_by_object_.erase(x);
      break;
    }
  }
  return s;
}

std::vector<std::string> ObjectRegistry::subscribers(const std::string& object_id, const std::string& event) const {
  std::vector<std::string> out;
  auto [first, last] = subscriptions_by_object_.equal_range(object_id);
  for (auto it = first; it != last; ++it) {
    auto s = subscriptions_.find(it->second);
    if (s != subscriptions_.end() && s->second.event == event) out.push_back(s->second.session_id);
  }
  return out;
}

}  // namespace medley::server::kurento
