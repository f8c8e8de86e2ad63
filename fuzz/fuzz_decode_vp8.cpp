// Fuzzes our VP8 decoder wrapper (codec::make_video_decoder): see codec_decode_fuzz.hpp for the input layout.
#include "codec_decode_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  medley::codec::fuzz::run_video_decoder(medley::base::CodecId::Vp8, data, size);
  return 0;
}
