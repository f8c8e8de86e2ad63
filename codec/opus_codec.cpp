// Opus over libopus: FEC- and DTX-aware encoder, decoder with FEC recovery and PLC.
#include "codec/opus_codec.hpp"

#include <limits>

namespace medley::codec {

namespace {
constexpr int kMaxFrame = 5760;  // 120 ms at 48 kHz, the longest Opus packet

bool valid_lost_length(size_t n) { return n > 0 && n <= kMaxFrame && n % 120 == 0; }  // multiples of 2.5 ms
}  // namespace

base::Result<std::unique_ptr<AudioDecoder>, CodecError> OpusAudioDecoder::create(int channels) {
  if (channels != 1 && channels != 2) return CodecError{"Opus decoder: 1 or 2 channels"};
  int err = OPUS_OK;
  OpusDecoder* dec = opus_decoder_create(48000, channels, &err);
  if (err != OPUS_OK || dec == nullptr) return CodecError{std::string("opus_decoder_create: ") + opus_strerror(err)};
  return std::unique_ptr<AudioDecoder>(new OpusAudioDecoder(dec, channels));
}

OpusAudioDecoder::~OpusAudioDecoder() { opus_decoder_destroy(dec_); }

bool OpusAudioDecoder::decode(const base::EncodedFrame& packet, AudioFrame& out) {
  out.sample_rate = 48000;
  out.channels = channels_;
  out.rtp_timestamp = packet.rtp_timestamp;
  out.samples.resize(static_cast<size_t>(kMaxFrame * channels_));
  if (packet.data.empty() || packet.data.size() > static_cast<size_t>(std::numeric_limits<opus_int32>::max())) {
    out.samples.clear();
    return false;
  }
  const int n = opus_decode(dec_, packet.data.data(), static_cast<opus_int32>(packet.data.size()), out.samples.data(),
                            kMaxFrame, 0);
  if (n < 0) {
    out.samples.clear();
    return false;
  }
  out.samples.resize(static_cast<size_t>(n * channels_));
  return true;
}

bool OpusAudioDecoder::conceal(const base::EncodedFrame* next, size_t samples_per_channel, AudioFrame& out) {
  out.sample_rate = 48000;
  out.channels = channels_;
  if (!valid_lost_length(samples_per_channel)) {
    out.samples.clear();
    return false;
  }
  out.samples.resize(samples_per_channel * static_cast<size_t>(channels_));
  const int frame = static_cast<int>(samples_per_channel);
  int n = -1;
  if (next != nullptr && !next->data.empty() &&
      next->data.size() <= static_cast<size_t>(std::numeric_limits<opus_int32>::max())) {
    // decode_fec = 1: the LBRR copy of the previous frame inside `next` (RFC 6716 section 2.1.7); libopus falls
    // back to PLC by itself when the packet carries none.
    n = opus_decode(dec_, next->data.data(), static_cast<opus_int32>(next->data.size()), out.samples.data(), frame,
                    1);
  }
  if (n < 0) n = opus_decode(dec_, nullptr, 0, out.samples.data(), frame, 0);
  if (n < 0) {
    out.samples.clear();
    return false;
  }
  out.samples.resize(static_cast<size_t>(n * channels_));
  return true;
}

base::Result<std::unique_ptr<AudioEncoder>, CodecError> OpusAudioEncoder::create(const AudioEncoderConfig& config) {
  if (config.sample_rate != 48000) return CodecError{"Opus encoder: 48 kHz input"};
  if (config.channels != 1 && config.channels != 2) return CodecError{"Opus encoder: 1 or 2 channels"};
  if (config.bitrate_bps < 6000 || config.bitrate_bps > 510000) return CodecError{"Opus encoder: 6..510 kbit/s"};
  int err = OPUS_OK;
  OpusEncoder* enc = opus_encoder_create(48000, config.channels,
                                         config.voip ? OPUS_APPLICATION_VOIP : OPUS_APPLICATION_AUDIO, &err);
  if (err != OPUS_OK || enc == nullptr) return CodecError{std::string("opus_encoder_create: ") + opus_strerror(err)};
  std::unique_ptr<OpusAudioEncoder> e(new OpusAudioEncoder(enc, config));
  bool ok = opus_encoder_ctl(enc, OPUS_SET_BITRATE(static_cast<opus_int32>(config.bitrate_bps))) == OPUS_OK;
  ok = ok && opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(config.inband_fec ? 1 : 0)) == OPUS_OK;
  ok = ok && opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(config.expected_loss_percent)) == OPUS_OK;
  ok = ok && opus_encoder_ctl(enc, OPUS_SET_DTX(config.dtx ? 1 : 0)) == OPUS_OK;
  ok = ok && opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(9)) == OPUS_OK;  // libwebrtc's desktop default
  if (!ok) return CodecError{"Opus encoder: a setting was refused"};
  return std::unique_ptr<AudioEncoder>(std::move(e));
}

OpusAudioEncoder::~OpusAudioEncoder() { opus_encoder_destroy(enc_); }

bool OpusAudioEncoder::set_bitrate(uint32_t bitrate_bps) {
  if (bitrate_bps < 6000 || bitrate_bps > 510000) return false;
  if (opus_encoder_ctl(enc_, OPUS_SET_BITRATE(static_cast<opus_int32>(bitrate_bps))) != OPUS_OK) return false;
  config_.bitrate_bps = bitrate_bps;
  return true;
}

EncodeStatus OpusAudioEncoder::encode(const AudioFrame& frame, base::EncodedFrame& out) {
  out.clear();
  const size_t n = frame.samples_per_channel();
  const bool valid_duration = n == 480 || n == 960 || n == 1920 || n == 2880;
  if (frame.sample_rate != 48000 || frame.channels != config_.channels || !valid_duration ||
      n * static_cast<size_t>(frame.channels) != frame.samples.size()) {
    return EncodeStatus::Error;
  }
  constexpr opus_int32 kMaxPacket = 1500;  // one RTP payload
  out.data.resize(kMaxPacket);
  const opus_int32 bytes =
      opus_encode(enc_, frame.samples.data(), static_cast<int>(n), out.data.data(), kMaxPacket);
  if (bytes < 0) {
    out.data.clear();
    return EncodeStatus::Error;
  }
  out.data.resize(static_cast<size_t>(bytes));
  out.codec = base::CodecId::Opus;
  out.rtp_timestamp = frame.rtp_timestamp;
  // In DTX libopus returns 1-2 byte packets: nothing worth sending (libwebrtc drops them likewise).
  if (config_.dtx && bytes <= 2) return EncodeStatus::Dropped;
  return EncodeStatus::Encoded;
}

}  // namespace medley::codec
