// IceRandom: a SHA-256 counter-mode stream over the caller's seed.
#include "ice/ice_random.hpp"

#include <openssl/evp.h>

#include <cassert>

namespace medley::ice {

void IceRandom::refill() {
  uint8_t input[40];
  for (size_t i = 0; i < 32; ++i) input[i] = seed_[i];
  for (size_t i = 0; i < 8; ++i) input[32 + i] = static_cast<uint8_t>(counter_ >> (8 * i));
  ++counter_;
  unsigned int len = 0;
  int ok = EVP_Digest(input, sizeof input, block_.data(), &len, EVP_sha256(), nullptr);
  assert(ok == 1 && len == block_.size());
  (void)ok;
  used_ = 0;
}

StunTransactionId IceRandom::transaction_id() {
  StunTransactionId id;
  for (auto& b : id) {
    if (used_ == block_.size()) refill();
    b = block_[used_++];
  }
  return id;
}

uint64_t IceRandom::next_u64() {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    if (used_ == block_.size()) refill();
    v = (v << 8) | block_[used_++];
  }
  return v;
}

int64_t IceRandom::uniform(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(next_u64() % span);
}

}  // namespace medley::ice
