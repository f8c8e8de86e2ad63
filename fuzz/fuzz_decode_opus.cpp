// Fuzzes our Opus decoder wrapper (decode, FEC recovery, PLC): see codec_decode_fuzz.hpp for the input layout.
#include "codec_decode_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  medley::codec::fuzz::run_audio_decoder(medley::base::CodecId::Opus, data, size);
  return 0;
}
