// Opus: round trip, FEC recovery of a lost packet versus PLC, DTX, fmtp options, broken packets; G.711 <-> Opus.
#include "codec/opus_codec.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "audio_test_util.hpp"
#include "codec/g711.hpp"
#include "codec/resampler.hpp"

using namespace medley;
using namespace medley::codec;

namespace {

// Voiced-speech-like: a gliding fundamental with harmonics under a syllable-rate envelope.
std::vector<int16_t> speechlike(size_t n) {
  std::vector<int16_t> v(n);
  double phase = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / 48000;
    const double f0 = 140 + 40 * std::sin(2 * test::kPi * 1.3 * t);
    phase += 2 * test::kPi * f0 / 48000;
    double s = 0;
    for (int h = 1; h <= 12; ++h) s += std::sin(h * phase) / h;
    const double env = 0.55 + 0.45 * std::sin(2 * test::kPi * 3.0 * t);
    v[i] = static_cast<int16_t>(6000 * env * s);
  }
  return v;
}

AudioFrame frame_at(const std::vector<int16_t>& pcm, size_t index, size_t len = 960) {
  AudioFrame f;
  f.sample_rate = 48000;
  f.channels = 1;
  f.rtp_timestamp = static_cast<uint32_t>(index * len);
  f.samples.assign(pcm.begin() + static_cast<ptrdiff_t>(index * len),
                   pcm.begin() + static_cast<ptrdiff_t>((index + 1) * len));
  return f;
}

double snr_db(std::span<const int16_t> ref, std::span<const int16_t> got) {
  double sig = 0, err = 0;
  for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
    sig += double(ref[i]) * ref[i];
    err += double(ref[i] - got[i]) * (ref[i] - got[i]);
  }
  return 10 * std::log10(sig / std::max(err, 1.0));
}

std::vector<base::EncodedFrame> encode_all(const AudioEncoderConfig& config, const std::vector<int16_t>& pcm) {
  auto enc = make_audio_encoder(config);
  EXPECT_TRUE(enc.ok());
  std::vector<base::EncodedFrame> packets;
  for (size_t i = 0; (i + 1) * 960 <= pcm.size(); ++i) {
    base::EncodedFrame p;
    EXPECT_EQ((*enc)->encode(frame_at(pcm, i), p), EncodeStatus::Encoded);
    EXPECT_EQ(p.rtp_timestamp, i * 960);
    packets.push_back(p);
  }
  return packets;
}

TEST(Opus, RoundTripKeepsATone) {
  AudioEncoderConfig c;
  c.bitrate_bps = 64000;
  c.voip = false;
  const auto pcm = test::tone(1000, 48000, 48000, 8000);
  const auto packets = encode_all(c, pcm);
  auto dec = make_audio_decoder(base::CodecId::Opus);
  ASSERT_TRUE(dec.ok());
  std::vector<int16_t> out;
  AudioFrame f;
  for (const auto& p : packets) {
    ASSERT_TRUE((*dec)->decode(p, f));
    EXPECT_EQ(f.samples_per_channel(), 960u);
    EXPECT_EQ(f.sample_rate, 48000);
    out.insert(out.end(), f.samples.begin(), f.samples.end());
  }
  const std::span<const int16_t> tail(out.data() + 4800, out.size() - 4800);
  EXPECT_NEAR(test::db(test::amplitude_at(tail, 1000, 48000) / 8000), 0.0, 1.0);
  EXPECT_LT(test::db(test::amplitude_at(tail, 3000, 48000) / 8000), -40.0);
}

// A lost packet rebuilt from the next packet's LBRR copy is much closer to what the lossless decoder produced
// than concealment without it.
TEST(Opus, InbandFecRecoversALostPacket) {
  AudioEncoderConfig c;
  c.bitrate_bps = 24000;
  c.inband_fec = true;
  c.expected_loss_percent = 20;
  const auto pcm = speechlike(48000);
  const auto packets = encode_all(c, pcm);
  ASSERT_EQ(packets.size(), 50u);
  double fec_total = 0, plc_total = 0;
  int trials = 0;
  for (size_t lost : {20u, 27u, 33u, 41u}) {
    auto ref = std::move(*make_audio_decoder(base::CodecId::Opus));
    auto fec = std::move(*make_audio_decoder(base::CodecId::Opus));
    auto plc = std::move(*make_audio_decoder(base::CodecId::Opus));
    AudioFrame r, a, b;
    for (size_t i = 0; i < lost; ++i) {
      ASSERT_TRUE(ref->decode(packets[i], r));
      ASSERT_TRUE(fec->decode(packets[i], a));
      ASSERT_TRUE(plc->decode(packets[i], b));
    }
    ASSERT_TRUE(ref->decode(packets[lost], r));
    ASSERT_TRUE(fec->conceal(&packets[lost + 1], 960, a));
    ASSERT_TRUE(plc->conceal(nullptr, 960, b));
    ASSERT_EQ(a.samples.size(), 960u);
    ASSERT_EQ(b.samples.size(), 960u);
    fec_total += snr_db(r.samples, a.samples);
    plc_total += snr_db(r.samples, b.samples);
    ++trials;
    // The packet after the loss still decodes normally.
    ASSERT_TRUE(fec->decode(packets[lost + 1], a));
  }
  const double fec_snr = fec_total / trials;
  const double plc_snr = plc_total / trials;
  std::printf("FEC %.1f dB PLC %.1f dB\n", fec_snr, plc_snr);
  EXPECT_GT(fec_snr, 6.0);
  EXPECT_GT(fec_snr, plc_snr + 3.0) << "FEC " << fec_snr << " dB, PLC " << plc_snr << " dB";
}

TEST(Opus, ConcealRefusesOddDurations) {
  auto dec = std::move(*make_audio_decoder(base::CodecId::Opus));
  AudioFrame f;
  EXPECT_TRUE(dec->conceal(nullptr, 480, f));
  EXPECT_EQ(f.samples.size(), 480u);
  EXPECT_FALSE(dec->conceal(nullptr, 100, f));
  EXPECT_FALSE(dec->conceal(nullptr, 0, f));
  EXPECT_FALSE(dec->conceal(nullptr, 5761, f));
}

TEST(Opus, DtxDropsSilence) {
  AudioEncoderConfig c;
  c.dtx = true;
  auto enc = std::move(*make_audio_encoder(c));
  AudioFrame silence;
  silence.samples.assign(960, 0);
  base::EncodedFrame p;
  int dropped = 0;
  for (int i = 0; i < 50; ++i) {
    const auto st = enc->encode(silence, p);
    ASSERT_NE(st, EncodeStatus::Error);
    dropped += st == EncodeStatus::Dropped;
  }
  EXPECT_GT(dropped, 30);
  c.dtx = false;
  auto plain = std::move(*make_audio_encoder(c));
  for (int i = 0; i < 50; ++i) ASSERT_EQ(plain->encode(silence, p), EncodeStatus::Encoded);
}

TEST(Opus, FmtpOptions) {
  AudioEncoderConfig c;
  c.inband_fec = false;
  c.apply_opus_fmtp("minptime=10; useinbandfec=1;usedtx=1;stereo=1;maxaveragebitrate=20000;bogus;x=;sprop-stereo=1");
  EXPECT_TRUE(c.inband_fec);
  EXPECT_TRUE(c.dtx);
  EXPECT_EQ(c.channels, 2);
  EXPECT_EQ(c.bitrate_bps, 20000u);
  c.apply_opus_fmtp("maxaveragebitrate=128000;useinbandfec=0;stereo=0;usedtx=x");
  EXPECT_EQ(c.bitrate_bps, 20000u);  // only ever lowered
  EXPECT_FALSE(c.inband_fec);
  EXPECT_EQ(c.channels, 1);
  EXPECT_TRUE(c.dtx);  // malformed value ignored
  c.apply_opus_fmtp("");
  c.apply_opus_fmtp(";;;=");
}

TEST(Opus, EncoderChecksItsInput) {
  AudioEncoderConfig c;
  c.sample_rate = 16000;
  EXPECT_FALSE(make_audio_encoder(c).ok());
  c.sample_rate = 48000;
  c.channels = 3;
  EXPECT_FALSE(make_audio_encoder(c).ok());
  c.channels = 1;
  c.bitrate_bps = 1000;
  EXPECT_FALSE(make_audio_encoder(c).ok());
  c.bitrate_bps = 32000;
  auto enc = std::move(*make_audio_encoder(c));
  EXPECT_TRUE(enc->set_bitrate(16000));
  EXPECT_FALSE(enc->set_bitrate(1));
  AudioFrame f;
  f.samples.assign(1000, 0);  // not 10/20/40/60 ms
  base::EncodedFrame p;
  EXPECT_EQ(enc->encode(f, p), EncodeStatus::Error);
  f.samples.assign(960, 0);
  f.sample_rate = 8000;
  EXPECT_EQ(enc->encode(f, p), EncodeStatus::Error);
  EXPECT_FALSE(make_audio_decoder(base::CodecId::Opus, 3).ok());
  EXPECT_FALSE(make_audio_decoder(base::CodecId::Vp8).ok());
}

TEST(Opus, BrokenPacketsAreErrorsNeverCrashes) {
  auto dec = std::move(*make_audio_decoder(base::CodecId::Opus, 2));
  AudioFrame f;
  base::EncodedFrame p;
  EXPECT_FALSE(dec->decode(p, f));  // empty
  p.data = {0x03, 0x00};            // code 3 with a frame count of 0 (RFC 6716 section 3.2.5, R5)
  EXPECT_FALSE(dec->decode(p, f));
  EXPECT_TRUE(f.samples.empty());
  p.data = {0x03, 0x30};            // code 3 asking for 48 frames of 10 ms: 480 ms > 120 ms (R5)
  EXPECT_FALSE(dec->decode(p, f));
  p.data = {0x01, 0x05};            // code 1 (two equal frames) with an odd payload (R3)
  EXPECT_FALSE(dec->decode(p, f));
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    p.data.resize(rng() % 400 + 1);
    for (auto& b : p.data) b = static_cast<uint8_t>(rng());
    if (dec->decode(p, f)) {
      EXPECT_LE(f.samples_per_channel(), 5760u);
      EXPECT_EQ(f.samples.size() % 2, 0u);
    }
  }
}

// A plain-RTP G.711 leg into an Opus leg and back: PCMU at 8 kHz, decoded, resampled to 48 kHz, through Opus,
// back to 8 kHz, PCMU again; the tone comes out at its level.
TEST(Transcode, PcmuToOpusAndBack) {
  const auto source = test::tone(440, 8000, 16000, 9000);
  auto pcmu_enc = std::move(*make_audio_encoder({.codec = base::CodecId::Pcmu, .sample_rate = 8000}));
  auto pcmu_dec = std::move(*make_audio_decoder(base::CodecId::Pcmu));
  auto opus_enc = std::move(*make_audio_encoder({}));
  auto opus_dec = std::move(*make_audio_decoder(base::CodecId::Opus));
  auto up = *Resampler::create(8000, 48000, 1);
  auto down = *Resampler::create(48000, 8000, 1);
  std::vector<int16_t> result;
  AudioFrame in, pcm8, pcm48, opus_out, back8, final_pcm;
  base::EncodedFrame g711, opus, g711_out;
  for (size_t i = 0; i + 160 <= source.size(); i += 160) {
    in.sample_rate = 8000;
    in.samples.assign(source.begin() + static_cast<ptrdiff_t>(i), source.begin() + static_cast<ptrdiff_t>(i + 160));
    in.rtp_timestamp = static_cast<uint32_t>(i);
    ASSERT_EQ(pcmu_enc->encode(in, g711), EncodeStatus::Encoded);
    ASSERT_TRUE(pcmu_dec->decode(g711, pcm8));
    ASSERT_TRUE(up.process(pcm8, pcm48));
    ASSERT_EQ(pcm48.samples.size(), 960u);
    ASSERT_EQ(opus_enc->encode(pcm48, opus), EncodeStatus::Encoded);
    EXPECT_EQ(opus.rtp_timestamp, i * 6);
    ASSERT_TRUE(opus_dec->decode(opus, opus_out));
    ASSERT_TRUE(down.process(opus_out, back8));
    ASSERT_EQ(back8.samples.size(), 160u);
    ASSERT_EQ(pcmu_enc->encode(back8, g711_out), EncodeStatus::Encoded);
    ASSERT_TRUE(pcmu_dec->decode(g711_out, final_pcm));
    result.insert(result.end(), final_pcm.samples.begin(), final_pcm.samples.end());
  }
  const std::span<const int16_t> tail(result.data() + 4000, result.size() - 4000);
  EXPECT_NEAR(test::db(test::amplitude_at(tail, 440, 8000) / 9000), 0.0, 1.5);
  EXPECT_LT(test::db(test::amplitude_at(tail, 1320, 8000) / 9000), -30.0);
}

}  // namespace
