// Checklist: pair table bounds, freezing and the order checks go out in.
#include "ice/checklist.hpp"

#include <algorithm>
#include <utility>

namespace medley::ice {

CandidatePair* Checklist::add(uint16_t local, uint16_t remote, uint64_t priority, std::string foundation) {
  if (find(local, remote) != nullptr || max_pairs_ == 0) return nullptr;
  if (pairs_.size() >= max_pairs_) {
    // Evict: Failed pairs first, then the lowest-priority Frozen/Waiting pair; never one in flight or valid.
    auto evictable = [](const CandidatePair& p) {
      return !p.valid && !p.nominating &&
             (p.state == PairState::Failed || p.state == PairState::Frozen || p.state == PairState::Waiting);
    };
    auto worse = [](const CandidatePair& a, const CandidatePair& b) {
      bool af = a.state == PairState::Failed, bf = b.state == PairState::Failed;
      if (af != bf) return af;
      return a.priority < b.priority;
    };
    auto victim = pairs_.end();
    for (auto it = pairs_.begin(); it != pairs_.end(); ++it) {
      if (evictable(*it) && (victim == pairs_.end() || worse(*it, *victim))) victim = it;
    }
    if (victim == pairs_.end()) return nullptr;
    if (victim->state != PairState::Failed && victim->priority >= priority) return nullptr;
    unqueue(victim->id);
    pairs_.erase(victim);
  }
  CandidatePair p;
  p.id = next_id_++;
  p.local = local;
  p.remote = remote;
  p.priority = priority;
  p.foundation = std::move(foundation);
  bool sibling_active = std::any_of(pairs_.begin(), pairs_.end(), [&](const CandidatePair& o) {
    return o.foundation == p.foundation && (o.state == PairState::Waiting || o.state == PairState::InProgress);
  });
  p.state = sibling_active ? PairState::Frozen : PairState::Waiting;
  pairs_.push_back(std::move(p));
  return &pairs_.back();
}

// A pair queued for a triggered check whose earlier check answered meanwhile (a late answer to a cancelled
// transaction): checking it again proves nothing, and two agents doing so would keep re-triggering each other.
// A nomination still goes out.
bool Checklist::stale_trigger(const CandidatePair& p) { return p.state == PairState::Succeeded && !p.nominating; }

CandidatePair* Checklist::find(uint32_t id) {
  for (auto& p : pairs_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const CandidatePair* Checklist::find(uint32_t id) const {
  for (const auto& p : pairs_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

CandidatePair* Checklist::find(uint16_t local, uint16_t remote) {
  for (auto& p : pairs_) {
    if (p.local == local && p.remote == remote) return &p;
  }
  return nullptr;
}

void Checklist::trigger(uint32_t id, bool front) {
  CandidatePair* p = find(id);
  if (p == nullptr) return;
  p->state = PairState::Waiting;
  auto it = std::find(triggered_.begin(), triggered_.end(), id);
  if (it != triggered_.end()) {
    if (!front) return;
    triggered_.erase(it);
  }
  if (front) {
    triggered_.push_front(id);
  } else {
    triggered_.push_back(id);
  }
}

CandidatePair* Checklist::next_check(bool ordinary) {
  while (!triggered_.empty()) {
    uint32_t id = triggered_.front();
    triggered_.pop_front();
    if (CandidatePair* p = find(id); p != nullptr && !stale_trigger(*p)) return p;
  }
  if (!ordinary) return nullptr;
  CandidatePair* best = nullptr;
  for (auto& p : pairs_) {
    if (p.state == PairState::Waiting && (best == nullptr || p.priority > best->priority)) best = &p;
  }
  if (best != nullptr) return best;
  for (auto& p : pairs_) {
    if (p.state == PairState::Frozen && (best == nullptr || p.priority > best->priority)) best = &p;
  }
  return best;
}

bool Checklist::has_work(bool ordinary) const {
  for (uint32_t id : triggered_) {
    if (const CandidatePair* p = find(id); p != nullptr && !stale_trigger(*p)) return true;
  }
  if (!ordinary) return false;
  return std::any_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
    return p.state == PairState::Waiting || p.state == PairState::Frozen;
  });
}

void Checklist::unfreeze(const std::string& foundation) {
  for (auto& p : pairs_) {
    if (p.state == PairState::Frozen && p.foundation == foundation) p.state = PairState::Waiting;
  }
}

bool Checklist::any_pending() const {
  if (!triggered_.empty()) return true;
  return std::any_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
    return p.state == PairState::Frozen || p.state == PairState::Waiting || p.state == PairState::InProgress;
  });
}

size_t Checklist::count(PairState s) const {
  return static_cast<size_t>(
      std::count_if(pairs_.begin(), pairs_.end(), [s](const CandidatePair& p) { return p.state == s; }));
}

const CandidatePair* Checklist::best_valid(bool nominated_only) const {
  const CandidatePair* best = nullptr;
  for (const auto& p : pairs_) {
    if (!p.valid || (nominated_only && !p.nominated)) continue;
    if (best == nullptr || p.valid_priority > best->valid_priority) best = &p;
  }
  return best;
}

void Checklist::clear() {
  pairs_.clear();
  triggered_.clear();
}

void Checklist::unqueue(uint32_t id) {
  auto it = std::find(triggered_.begin(), triggered_.end(), id);
  if (it != triggered_.end()) triggered_.erase(it);
}

}  // namespace medley::ice
