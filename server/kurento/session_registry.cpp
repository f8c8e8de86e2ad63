// Session ↔ connection binding, grace periods and the event buffer of disconnected sessions.
#include "server/kurento/session_registry.hpp"

namespace medley::server::kurento {

void SessionRegistry::open(const std::shared_ptr<RpcPeer>& peer) { connections_[peer->id()] = Connection{peer, {}}; }

void SessionRegistry::detach(Session& session, SteadyTime now) {
  session.peer.reset();
  session.disconnected_since = now;
}

void SessionRegistry::close(uint64_t peer_id, SteadyTime now) {
  auto it = connections_.find(peer_id);
  if (it == connections_.end()) return;
  if (it->second.session_id) {
    if (Session* s = find(*it->second.session_id); s != nullptr && s->peer && s->peer->id() == peer_id) {
      detach(*s, now);
    }
  }
  connections_.erase(it);
}

Session* SessionRegistry::find(const std::string& session_id) {
  auto it = sessions_.find(session_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::optional<std::string> SessionRegistry::session_of(uint64_t peer_id) const {
  auto it = connections_.find(peer_id);
  return it == connections_.end() ? std::nullopt : it->second.session_id;
}

std::vector<std::string> SessionRegistry::bind(const std::string& session_id, const std::shared_ptr<RpcPeer>& peer,
                                               SteadyTime now) {
  auto [sit, created] = sessions_.try_emplace(session_id);
  Session& session = sit->second;
  if (created) session.id = session_id;

  auto& conn = connections_[peer->id()];
  if (!conn.peer) conn.peer = peer;
  if (conn.session_id && *conn.session_id != session_id) {
    if (Session* old = find(*conn.session_id); old != nullptr && old->peer && old->peer->id() == peer->id()) {
      detach(*old, now);
    }
  }
  conn.session_id = session_id;
  if (session.peer && session.peer->id() != peer->id()) {
    // The session moved to this connection; the old connection keeps no session.
    if (auto old = connections_.find(session.peer->id()); old != connections_.end()) old->second.session_id.reset();
  }
  session.peer = peer;
  session.disconnected_since.reset();
  std::vector<std::string> flush(std::make_move_iterator(session.pending.begin()),
                                 std::make_move_iterator(session.pending.end()));
  session.pending.clear();
  return flush;
}

void SessionRegistry::deliver(const std::string& session_id, std::string frame) {
  Session* s = find(session_id);
  if (s == nullptr) return;
  if (s->peer) {
    s->peer->send_text(std::move(frame));
    return;
  }
  if (max_pending_ == 0) {
    ++s->dropped_events;
    return;
  }
  if (s->pending.size() >= max_pending_) {
    s->pending.pop_front();
    ++s->dropped_events;
  }
  s->pending.push_back(std::move(frame));
}

std::vector<std::string> SessionRegistry::take_expired(SteadyTime now, std::chrono::steady_clock::duration grace) {
  std::vector<std::string> expired;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!it->second.peer && it->second.disconnected_since && *it->second.disconnected_since + grace <= now) {
      expired.push_back(it->first);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

std::optional<SteadyTime> SessionRegistry::next_expiry(std::chrono::steady_clock::duration grace) const {
  std::optional<SteadyTime> next;
  for (const auto& [id, s] : sessions_) {
    if (s.peer || !s.disconnected_since) continue;
    SteadyTime t = *s.disconnected_since + grace;
    if (!next || t < *next) next = t;
  }
  return next;
}

std::vector<std::string> SessionRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, s] : sessions_) out.push_back(id);
  return out;
}

}  // namespace medley::server::kurento
