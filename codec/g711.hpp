// G.711 (ITU-T G.711, 1988) mu-law and A-law companding, and the PCMU/PCMA codecs built on it (RFC 3551 4.5.14).
#pragma once

#include <cstdint>

#include "codec/audio_codec.hpp"

namespace medley::codec {

// 16-bit linear in and out; the codes are the transmitted octets (A-law with its even bits inverted, mu-law
// with all bits inverted, as on the wire).
uint8_t linear_to_ulaw(int16_t sample);
int16_t ulaw_to_linear(uint8_t code);
uint8_t linear_to_alaw(int16_t sample);
int16_t alaw_to_linear(uint8_t code);

class G711Decoder final : public AudioDecoder {
 public:
  explicit G711Decoder(base::CodecId codec) : codec_(codec) {}
  base::CodecId codec() const override { return codec_; }
  int sample_rate() const override { return 8000; }
  int channels() const override { return 1; }
  bool decode(const base::EncodedFrame& packet, AudioFrame& out) override;
  // G.711 has no FEC; a lost packet becomes a fading repeat of the last 10 ms (a crude G.711 Appendix I),
  // then silence.
  bool conceal(const base::EncodedFrame* next, size_t samples_per_channel, AudioFrame& out) override;

 private:
  base::CodecId codec_;
  int16_t last_[80] = {};
  int fade_ = 0;  // lost packets in a row
};

class G711Encoder final : public AudioEncoder {
 public:
  explicit G711Encoder(const AudioEncoderConfig& config) : config_(config) {}
  const AudioEncoderConfig& config() const override { return config_; }
  EncodeStatus encode(const AudioFrame& frame, base::EncodedFrame& out) override;
  bool set_bitrate(uint32_t) override { return false; }  // 64 kbit/s, always

 private:
  AudioEncoderConfig config_;
};

}  // namespace medley::codec
