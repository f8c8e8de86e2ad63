// G.711 mu-law and A-law: the segment/mantissa algorithm of ITU-T G.711 tables 1a/1b and 2a/2b, on 16-bit PCM.
#include "codec/g711.hpp"

#include <algorithm>

namespace medley::codec {

namespace {
constexpr int kUlawBias = 0x84;   // 33 << 2: the mu-law curve's offset on the 14-bit scale, left-aligned
constexpr int kUlawClip = 32635;  // 32767 - bias: the top of the last segment

int top_segment(int v) {  // position of the highest set bit among bits 7..14, minus 7 (0..7)
  int seg = 0;
  for (int bound = 0xff; seg < 8 && v > bound; bound = (bound << 1) | 1) ++seg;
  return seg;
}
}  // namespace

uint8_t linear_to_ulaw(int16_t sample) {
  int v = sample;
  int sign = 0;
  if (v < 0) {
    v = -v;
    sign = 0x80;
  }
  v = std::min(v, kUlawClip) + kUlawBias;
  const int exponent = top_segment(v);
  const int mantissa = (v >> (exponent + 3)) & 0x0f;
  return static_cast<uint8_t>(~(sign | (exponent << 4) | mantissa));
}

int16_t ulaw_to_linear(uint8_t code) {
  const int u = static_cast<uint8_t>(~code);
  int t = ((u & 0x0f) << 3) + kUlawBias;
  t <<= (u & 0x70) >> 4;
  return static_cast<int16_t>((u & 0x80) ? (kUlawBias - t) : (t - kUlawBias));
}

uint8_t linear_to_alaw(int16_t sample) {
  int v = sample >> 3;  // A-law works on 13 bits
  int mask;
  if (v >= 0) {
    mask = 0xd5;  // sign bit set for positive values, then the even-bit inversion (0x55)
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  // Segment ends on the 13-bit scale: 0x1f, 0x3f, ..., 0xfff.
  int seg = 0;
  for (int end = 0x1f; seg < 8 && v > end; end = (end << 1) | 1) ++seg;
  if (seg >= 8) return static_cast<uint8_t>(0x7f ^ mask);
  int aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return static_cast<uint8_t>(aval ^ mask);
}

int16_t alaw_to_linear(uint8_t code) {
  const int a = code ^ 0x55;
  int t = (a & 0x0f) << 4;
  const int seg = (a & 0x70) >> 4;
  if (seg == 0) {
    t += 8;
  } else {
    t = (t + 0x108) << (seg - 1);
  }
  return static_cast<int16_t>((a & 0x80) ? t : -t);
}

bool G711Decoder::decode(const base::EncodedFrame& packet, AudioFrame& out) {
  out.sample_rate = 8000;
  out.channels = 1;
  out.rtp_timestamp = packet.rtp_timestamp;
  out.samples.resize(packet.data.size());
  const bool ulaw = codec_ == base::CodecId::Pcmu;
  for (size_t i = 0; i < packet.data.size(); ++i) {
    out.samples[i] = ulaw ? ulaw_to_linear(packet.data[i]) : alaw_to_linear(packet.data[i]);
  }
  if (out.samples.size() >= 80) std::copy(out.samples.end() - 80, out.samples.end(), last_);
  fade_ = 0;
  return !packet.data.empty();
}

bool G711Decoder::conceal(const base::EncodedFrame* /*next*/, size_t samples_per_channel, AudioFrame& out) {
  out.sample_rate = 8000;
  out.channels = 1;
  if (samples_per_channel == 0 || samples_per_channel > 8000) {
    out.samples.clear();
    return false;
  }
  out.samples.resize(samples_per_channel);
  // Repeat the last 10 ms, 6 dB quieter per lost packet, silent after the fourth.
  const int shift = ++fade_;
  for (size_t i = 0; i < samples_per_channel; ++i) {
    out.samples[i] = shift > 4 ? int16_t{0} : static_cast<int16_t>(last_[i % 80] >> shift);
  }
  return true;
}

EncodeStatus G711Encoder::encode(const AudioFrame& frame, base::EncodedFrame& out) {
  out.clear();
  if (frame.sample_rate != 8000 || frame.channels != 1 || frame.samples.empty()) return EncodeStatus::Error;
  out.codec = config_.codec;
  out.rtp_timestamp = frame.rtp_timestamp;
  out.data.resize(frame.samples.size());
  const bool ulaw = config_.codec == base::CodecId::Pcmu;
  for (size_t i = 0; i < frame.samples.size(); ++i) {
    out.data[i] = ulaw ? linear_to_ulaw(frame.samples[i]) : linear_to_alaw(frame.samples[i]);
  }
  return EncodeStatus::Encoded;
}

}  // namespace medley::codec
