// CandidatePair: one local × remote pairing on the checklist, its state (RFC 8445 §6.1.2.6) and priority (§6.1.2.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace medley::ice {

enum class PairState : uint8_t { Frozen, Waiting, InProgress, Succeeded, Failed };
std::string_view to_string(PairState s);

// RFC 8445 §6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G the controlling agent's candidate priority.
uint64_t pair_priority(uint32_t controlling, uint32_t controlled);

struct CandidatePair {
  uint32_t id = 0;       // stable while the pair lives; transactions and the triggered queue refer to it
  uint16_t local = 0;    // the local candidate checks go out from: a host candidate, i.e. its own base
  uint16_t remote = 0;   // the remote candidate
  uint64_t priority = 0;
  std::string foundation;  // local foundation ':' remote foundation (the frozen algorithm groups on it)
  PairState state = PairState::Frozen;

  // Valid list (§7.2.5.3.2), folded into the pair that produced it: a check on this pair succeeded and its
  // mapped address was local candidate valid_local (this pair's own, or a peer-reflexive one with the same base).
  bool valid = false;
  uint16_t valid_local = 0;
  uint64_t valid_priority = 0;

  bool nominated = false;            // the valid pair is nominated (USE-CANDIDATE exchanged and answered)
  bool nominate_on_success = false;  // controlled: USE-CANDIDATE came before our own check on it succeeded
  bool nominating = false;           // controlling: a USE-CANDIDATE check is queued or in flight
};

}  // namespace medley::ice
