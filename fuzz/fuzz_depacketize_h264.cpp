// Fuzzes the H.264 depacketizer (and re-packetizes what it assembled); see depacketize_fuzz.hpp for the input layout.
#include "depacketize_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Growth bound: a single NAL or FU-A fragment adds one start code (4 bytes, minus the FU's 2 header bytes plus
  // the rebuilt NAL header); a STAP-A trades each 2-byte size for a 4-byte start code, and units have >= 1 byte.
  auto extra = [](medley::base::Bytes p) { return size_t{4} + 2 * (p.size() / 3 + 1); };
  // Depacketized frames can hold 00 00 01 inside a NAL unit from fuzz input, so they need not split back into the
  // same (or even valid) NAL units; only the packetizer's own promises are checked.
  medley::rtp::fuzz::run_depacketizer(medley::base::CodecId::H264, data, size, extra, /*roundtrip_exact=*/false);
  return 0;
}
