// Resampler: rational-ratio polyphase FIR (Kaiser-windowed sinc) for 16-bit PCM, e.g. G.711's 8 kHz <-> Opus 48 kHz.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "codec/audio_codec.hpp"

namespace medley::codec {

// Streaming: history carries over between calls, so packet-sized chunks resample as one continuous signal.
// About 80 dB stopband, passband flat to ~0.42 x the lower rate (3.35 kHz for 8 kHz: the telephone band), 4 ms
// group delay at 8 <-> 48 kHz; ~64 taps per output sample.
class Resampler {
 public:
  // Rates 1 Hz .. 384 kHz whose ratio reduces to L/M with L, M <= 48 (pairs of 8, 16, 24, 32, 48 kHz do;
  // 44.1 <-> 48 kHz, 147/160, does not), 1 or 2 channels; std::nullopt otherwise.
  static std::optional<Resampler> create(int in_rate, int out_rate, int channels);

  int in_rate() const { return in_rate_; }
  int out_rate() const { return out_rate_; }
  int channels() const { return channels_; }
  int delay_out_samples() const;  // group delay, in output samples

  // Appends the resampled interleaved samples to out (capacity reused by the caller).
  void process(std::span<const int16_t> in, std::vector<int16_t>& out);
  // AudioFrame form: in must have this resampler's input rate and channels; false otherwise. The RTP timestamp
  // scales by the rate ratio, exact when upsampling by an integer; a downsampled one jumps where the input's
  // 32-bit clock wraps, so a transcoder numbers its output from its own base instead.
  bool process(const AudioFrame& in, AudioFrame& out);
  void reset();

 private:
  Resampler() = default;

  int in_rate_ = 0;
  int out_rate_ = 0;
  int channels_ = 1;
  int up_ = 1;    // L
  int down_ = 1;  // M
  int taps_ = 0;  // per phase
  std::vector<float> phases_;     // up_ phases of taps_ coefficients, phase-major
  std::vector<float> history_;    // per channel: the last taps_-1 input samples
  std::vector<float> work_;       // per channel: history then the current input (capacity reused)
  int64_t t_ = 0;                 // next output position, in 1/L input samples from the current input's start
};

}  // namespace medley::codec
