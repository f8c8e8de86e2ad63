// Fuzzes the Vp8 depacketizer (and re-packetizes what it assembled); see depacketize_fuzz.hpp for the input layout.
#include "depacketize_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  medley::rtp::fuzz::run_depacketizer(
      medley::base::CodecId::Vp8, data, size, [](medley::base::Bytes) { return size_t{0}; }, /*roundtrip_exact=*/true);
  return 0;
}
