// IceRandom: transaction ids and timer jitter drawn from a caller-provided seed (cores have no randomness source).
#pragma once

#include <array>
#include <cstdint>

#include "ice/stun_message.hpp"

namespace medley::ice {

// SHA-256(seed || counter) in counter mode: unpredictable to anyone without the seed (transaction ids guard the
// unauthenticated STUN-server answers and 400/401 errors, RFC 8489 §6), yet reproducible for tests and fuzzers.
class IceRandom {
 public:
  explicit IceRandom(const std::array<uint8_t, 32>& seed) : seed_(seed) {}

  StunTransactionId transaction_id();
  uint64_t next_u64();
  // Uniform in [lo, hi] (inclusive); lo when hi <= lo.
  int64_t uniform(int64_t lo, int64_t hi);

 private:
  void refill();

  std::array<uint8_t, 32> seed_;
  uint64_t counter_ = 0;
  std::array<uint8_t, 32> block_{};
  size_t used_ = block_.size();
};

}  // namespace medley::ice
