// Live Kurento objects by id, the sessions holding a reference to each (Kurento's MediaSet: using an object refs
// it; an object no session refs is released), and event subscriptions. Not thread-safe: KurentoRpc guards it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/kurento/media_object.hpp"

namespace medley::server::kurento {

struct Subscription {
  std::string session_id;
  std::string object_id;
  std::string event;
};

class ObjectRegistry {
 public:
  // `pinned` objects (the ServerManager) are never released by unref.
  void add(std::shared_ptr<MediaObject> object, const std::string& session_id, bool pinned = false);
  std::shared_ptr<MediaObject> find(std::string_view id) const;
  // Refs the object and its ancestors into the session.
  void ref(const std::string& object_id, const std::string& session_id);
  // Forgets the object (and its subscriptions); the caller releases it.
  void remove(const std::string& object_id);

  // Drops the session's refs and subscriptions; returns the objects no session refs any more, children before
  // parents (the caller releases them).
  std::vector<std::shared_ptr<MediaObject>> unref_session(const std::string& session_id);

  std::vector<std::string> ids_of_type(std::string_view type_name) const;
  size_t size() const { return objects_.size(); }

  void subscribe(const std::string& subscription_id, Subscription s);
  std::optional<Subscription> unsubscribe(const std::string& subscription_id);
  // Sessions subscribed to `event` on `object_id`, one entry per subscription.
  std::vector<std::string> subscribers(const std::string& object_id, const std::string& event) const;
  size_t subscription_count() const { return subscriptions_.size(); }

 private:
  struct Entry {
    std::shared_ptr<MediaObject> object;
    std::set<std::string> sessions;
    bool pinned = false;
  };
  std::map<std::string, Entry, std::less<>> objects_;
  std::map<std::string, Subscription> subscriptions_;
  std::multimap<std::string, std::string> subscriptions_by_object_;  // object id → subscription id
};

}  // namespace medley::server::kurento
