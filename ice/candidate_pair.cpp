// Candidate pair priority and state names.
#include "ice/candidate_pair.hpp"

#include <algorithm>

namespace medley::ice {

std::string_view to_string(PairState s) {
  switch (s) {
    case PairState::Frozen: return "frozen";
    case PairState::Waiting: return "waiting";
    case PairState::InProgress: return "in-progress";
    case PairState::Succeeded: return "succeeded";
    case PairState::Failed: return "failed";
  }
  return "?";
}

uint64_t pair_priority(uint32_t controlling, uint32_t controlled) {
  const uint64_t g = controlling;
  const uint64_t d = controlled;
  return (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

}  // namespace medley::ice
