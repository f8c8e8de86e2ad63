// Audio codec factories and the Opus fmtp reader.
#include "codec/audio_codec.hpp"

#include <charconv>
#include <string>

#include "codec/g711.hpp"
#include "codec/opus_codec.hpp"

namespace medley::codec {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

void AudioEncoderConfig::apply_opus_fmtp(std::string_view fmtp) {
  while (!fmtp.empty()) {
    const size_t semi = fmtp.find(';');
    std::string_view item = trim(fmtp.substr(0, semi));
    fmtp = semi == std::string_view::npos ? std::string_view{} : fmtp.substr(semi + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value = trim(item.substr(eq + 1));
    uint32_t v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc{} || end != value.data() + value.size()) continue;
    if (iequals(key, "useinbandfec")) {
      inband_fec = v == 1;
    } else if (iequals(key, "usedtx")) {
      dtx = v == 1;
    } else if (iequals(key, "stereo")) {
      channels = v == 1 ? 2 : 1;
    } else if (iequals(key, "maxaveragebitrate") && v >= 6000 && v <= 510000) {
      // RFC 7587 6.1: the receiver's upper bound; only ever lowers what we send.
      if (v < bitrate_bps) bitrate_bps = v;
    }
  }
}

base::Result<std::unique_ptr<AudioDecoder>, CodecError> make_audio_decoder(base::CodecId codec, int channels) {
  switch (codec) {
    case base::CodecId::Opus:
      return OpusAudioDecoder::create(channels);
    case base::CodecId::Pcmu:
    case base::CodecId::Pcma:
      return std::unique_ptr<AudioDecoder>(new G711Decoder(codec));
    default:
      return CodecError{"no audio decoder for " + std::string(base::codec_name(codec))};
  }
}

base::Result<std::unique_ptr<AudioEncoder>, CodecError> make_audio_encoder(const AudioEncoderConfig& config) {
  switch (config.codec) {
    case base::CodecId::Opus:
      return OpusAudioEncoder::create(config);
    case base::CodecId::Pcmu:
    case base::CodecId::Pcma:
      if (config.sample_rate != 8000 || config.channels != 1) return CodecError{"G.711: 8 kHz mono"};
      return std::unique_ptr<AudioEncoder>(new G711Encoder(config));
    default:
      return CodecError{"no audio encoder for " + std::string(base::codec_name(config.codec))};
  }
}

}  // namespace medley::codec
