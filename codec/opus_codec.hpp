// OpusDecoder / OpusEncoder: Opus (RFC 6716, RTP per RFC 7587) over libopus at 48 kHz.
#pragma once

#include <opus/opus.h>

#include "codec/audio_codec.hpp"

namespace medley::codec {

class OpusAudioDecoder final : public AudioDecoder {
 public:
  static base::Result<std::unique_ptr<AudioDecoder>, CodecError> create(int channels);
  ~OpusAudioDecoder() override;
  OpusAudioDecoder(const OpusAudioDecoder&) = delete;
  OpusAudioDecoder& operator=(const OpusAudioDecoder&) = delete;

  base::CodecId codec() const override { return base::CodecId::Opus; }
  int sample_rate() const override { return 48000; }
  int channels() const override { return channels_; }
  bool decode(const base::EncodedFrame& packet, AudioFrame& out) override;
  bool conceal(const base::EncodedFrame* next, size_t samples_per_channel, AudioFrame& out) override;

 private:
  OpusAudioDecoder(OpusDecoder* dec, int channels) : dec_(dec), channels_(channels) {}
  OpusDecoder* dec_;
  int channels_;
};

class OpusAudioEncoder final : public AudioEncoder {
 public:
  static base::Result<std::unique_ptr<AudioEncoder>, CodecError> create(const AudioEncoderConfig& config);
  ~OpusAudioEncoder() override;
  OpusAudioEncoder(const OpusAudioEncoder&) = delete;
  OpusAudioEncoder& operator=(const OpusAudioEncoder&) = delete;

  const AudioEncoderConfig& config() const override { return config_; }
  EncodeStatus encode(const AudioFrame& frame, base::EncodedFrame& out) override;
  bool set_bitrate(uint32_t bitrate_bps) override;

 private:
  OpusAudioEncoder(OpusEncoder* enc, const AudioEncoderConfig& config) : enc_(enc), config_(config) {}
  OpusEncoder* enc_;
  AudioEncoderConfig config_;
};

}  // namespace medley::codec
