// Checklist: the bounded pair table of one ICE data stream, its triggered-check queue and which pair to check next
// (RFC 8445 §6.1.2 forming and freezing, §6.1.4 scheduling, §7.2.5.3.3 unfreezing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "ice/candidate_pair.hpp"

namespace medley::ice {

class Checklist {
 public:
  explicit Checklist(size_t max_pairs) : max_pairs_(max_pairs) {}

  // Forms a pair. Frozen if another pair of the same foundation is Waiting or In-Progress (so one check per
  // foundation runs first), else Waiting. When the table is full, the worst pair that is not being checked and not
  // valid (a Failed one first) makes room if the new pair is better (§6.1.2.5 prunes the lowest priorities);
  // otherwise the new pair is dropped. Returns the pair, or nullptr if dropped or already present.
  CandidatePair* add(uint16_t local, uint16_t remote, uint64_t priority, std::string foundation);

  CandidatePair* find(uint32_t id);
  const CandidatePair* find(uint32_t id) const;
  CandidatePair* find(uint16_t local, uint16_t remote);
  std::span<CandidatePair> pairs() { return pairs_; }
  std::span<const CandidatePair> pairs() const { return pairs_; }
  size_t size() const { return pairs_.size(); }
  size_t max_pairs() const { return max_pairs_; }

  // Puts a pair in Waiting and at the back of the triggered queue (at the front for nominations, which must not wait
  // behind ordinary checks); a pair already queued keeps its place.
  void trigger(uint32_t id, bool front = false);
  bool triggered_empty() const { return triggered_.empty(); }

  // The pair to check now: the triggered queue first, then the highest-priority Waiting pair, else the
  // highest-priority Frozen pair (unfrozen). ordinary = false consults only the triggered queue (ICE completed).
  // Returns nullptr when nothing is due. The caller moves the pair to In-Progress.
  CandidatePair* next_check(bool ordinary = true);
  // True if next_check(ordinary) would return a pair.
  bool has_work(bool ordinary = true) const;

  // A check on a pair of this foundation succeeded: Frozen pairs of the same foundation become Waiting.
  void unfreeze(const std::string& foundation);

  // True if any pair is Frozen, Waiting or In-Progress, or queued.
  bool any_pending() const;
  size_t count(PairState s) const;

  // The best valid pair (by valid priority), optionally only among nominated ones; nullptr if none.
  const CandidatePair* best_valid(bool nominated_only) const;

  void clear();

 private:
  void unqueue(uint32_t id);
  static bool stale_trigger(const CandidatePair& p);

  size_t max_pairs_;
  uint32_t next_id_ = 1;
  std::vector<CandidatePair> pairs_;
  std::deque<uint32_t> triggered_;
};

}  // namespace medley::ice
