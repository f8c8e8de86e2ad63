// Audio encoder and decoder interfaces (Opus over libopus; G.711 PCMU/PCMA written here) and their factories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "codec/video_codec.hpp"  // CodecError, EncodeStatus
#include "rtp/base/frame.hpp"
#include "rtp/base/result.hpp"

namespace medley::codec {

// Interleaved 16-bit PCM. Owners reuse a frame: samples keeps its capacity.
struct AudioFrame {
  int sample_rate = 48000;
  int channels = 1;
  uint32_t rtp_timestamp = 0;
  std::vector<int16_t> samples;

  size_t samples_per_channel() const { return channels > 0 ? samples.size() / static_cast<size_t>(channels) : 0; }
};

class AudioDecoder {
 public:
  virtual ~AudioDecoder() = default;
  virtual base::CodecId codec() const = 0;
  virtual int sample_rate() const = 0;
  virtual int channels() const = 0;
  // Replaces out's samples with the packet's audio; false (out empty) on a broken packet.
  virtual bool decode(const base::EncodedFrame& packet, AudioFrame& out) = 0;
  // Audio for a lost packet of samples_per_channel samples: rebuilt from next's in-band FEC when given and the
  // codec has it (Opus), concealed (PLC) otherwise. False when the length is not a valid frame duration.
  virtual bool conceal(const base::EncodedFrame* next, size_t samples_per_channel, AudioFrame& out) = 0;
};

struct AudioEncoderConfig {
  base::CodecId codec = base::CodecId::Opus;
  int sample_rate = 48000;           // Opus: 48000 (RFC 7587's RTP clock); G.711: 8000
  int channels = 1;
  uint32_t bitrate_bps = 32000;      // Opus only
  bool inband_fec = true;            // Opus useinbandfec
  bool dtx = false;                  // Opus usedtx
  int expected_loss_percent = 10;    // Opus: how much redundancy FEC carries (0 turns FEC off in practice)
  bool voip = true;                  // Opus OPUS_APPLICATION_VOIP, else AUDIO

  // Applies an Opus fmtp line as the receiver wrote it (RFC 7587 section 6.1: useinbandfec, usedtx, stereo,
  // maxaveragebitrate); unknown or malformed parameters are ignored.
  void apply_opus_fmtp(std::string_view fmtp);
};

class AudioEncoder {
 public:
  virtual ~AudioEncoder() = default;
  virtual const AudioEncoderConfig& config() const = 0;
  // frame must match the configured rate and channels; Opus takes 10, 20, 40 or 60 ms. Dropped: a DTX pause
  // (nothing to send). out.rtp_timestamp = frame.rtp_timestamp.
  virtual EncodeStatus encode(const AudioFrame& frame, base::EncodedFrame& out) = 0;
  virtual bool set_bitrate(uint32_t bitrate_bps) = 0;
};

// Opus decoders output 48 kHz with `channels` channels; G.711 decoders 8 kHz mono.
base::Result<std::unique_ptr<AudioDecoder>, CodecError> make_audio_decoder(base::CodecId codec, int channels = 1);
base::Result<std::unique_ptr<AudioEncoder>, CodecError> make_audio_encoder(const AudioEncoderConfig& config);

}  // namespace medley::codec
