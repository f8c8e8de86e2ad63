// G.711: decoding tables against FFmpeg's, ITU codewords, encode/decode consistency and error bounds, the codecs.
#include "codec/g711.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>

using namespace medley;
using namespace medley::codec;

namespace {

std::vector<int16_t> load_table(const char* name) {
  std::ifstream f(std::string(MEDLEY_TEST_DATA) + "/codec/" + name, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<int16_t> v;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    v.push_back(static_cast<int16_t>(static_cast<uint8_t>(bytes[i]) | (static_cast<uint8_t>(bytes[i + 1]) << 8)));
  }
  return v;
}

TEST(G711, DecodesLikeFfmpegForEveryCode) {
  const auto ulaw = load_table("g711_ulaw_decoded.s16le");
  const auto alaw = load_table("g711_alaw_decoded.s16le");
  ASSERT_EQ(ulaw.size(), 256u);
  ASSERT_EQ(alaw.size(), 256u);
  for (int c = 0; c < 256; ++c) {
    EXPECT_EQ(ulaw_to_linear(static_cast<uint8_t>(c)), ulaw[static_cast<size_t>(c)]) << c;
    EXPECT_EQ(alaw_to_linear(static_cast<uint8_t>(c)), alaw[static_cast<size_t>(c)]) << c;
  }
}

TEST(G711, ItuCodewords) {
  // Zero: mu-law's positive zero 0xff, A-law's 0xd5 (0x80 with even bits inverted).
  EXPECT_EQ(linear_to_ulaw(0), 0xff);
  EXPECT_EQ(linear_to_alaw(0), 0xd5);
  EXPECT_EQ(linear_to_alaw(-1), 0x55);
  // Full scale: the last segment's top codes.
  EXPECT_EQ(linear_to_ulaw(32767), 0x80);
  EXPECT_EQ(linear_to_ulaw(-32768), 0x00);
  EXPECT_EQ(linear_to_alaw(32767), 0xaa);
  EXPECT_EQ(linear_to_alaw(-32768), 0x2a);
  EXPECT_EQ(ulaw_to_linear(0x80), 32124);
  EXPECT_EQ(ulaw_to_linear(0x00), -32124);
  EXPECT_EQ(alaw_to_linear(0xaa), 32256);
  EXPECT_EQ(alaw_to_linear(0x2a), -32256);
  // Table 2a, worked by hand: +4000 on the 16-bit scale is 1000 on mu-law's 14-bit scale, segment 5 (991..2015,
  // step 64), interval 0. On the wire the sign bit is 1 for positive and the seven magnitude bits are inverted:
  // 1, ~101, ~0000 = 1 010 1111 = 0xaf. It decodes to the interval's middle, 1023 x 4 = 4092.
  EXPECT_EQ(linear_to_ulaw(4000), 0xaf);
  EXPECT_EQ(ulaw_to_linear(0xaf), 4092);
  EXPECT_EQ(linear_to_ulaw(-4000), 0x2f);
  // Table 1a: +4000 is 500 on A-law's 13-bit scale, segment 4 (256..511, step 16), interval 15: 1 100 1111 = 0xcf,
  // even bits inverted on the wire = 0x9a; decodes to 256 + 15 x 16 + 8 = 504, x 8 = 4032.
  EXPECT_EQ(linear_to_alaw(4000), 0x9a);
  EXPECT_EQ(alaw_to_linear(0x9a), 4032);
  EXPECT_EQ(linear_to_alaw(-4000), 0x1a);
}

TEST(G711, EncodeInvertsDecodeForEveryCode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    // mu-law has two zeros (0x7f and 0xff): both decode to 0, which encodes as 0xff.
    const uint8_t ulaw_expect = code == 0x7f ? 0xff : code;
    EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(code)), ulaw_expect) << c;
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(code)), code) << c;
  }
}

TEST(G711, QuantizationErrorWithinHalfAStep) {
  for (int x = -32768; x <= 32767; ++x) {
    const auto s = static_cast<int16_t>(x);
    const int eu = std::abs(ulaw_to_linear(linear_to_ulaw(s)) - x);
    const int ea = std::abs(alaw_to_linear(linear_to_alaw(s)) - x);
    const int mag = std::abs(x);
    // mu-law: step 8 << segment on the 16-bit scale (segments double from 8 at |x| < 256 + bias); A-law: step 16
    // up to 512, doubling per segment above. Half a step, plus the clipped range at the very top.
    const int ustep = mag < 32635 ? 8 << std::max(0, static_cast<int>(std::log2((mag + 132) / 256.0)) + 1) : 2048;
    const int astep = mag < 512 ? 16 : 16 << static_cast<int>(std::log2(mag / 256.0));
    ASSERT_LE(eu, std::max(ustep / 2, 644)) << x;  // 644: the clip region above 32124
    ASSERT_LE(ea, std::max(astep / 2, 512)) << x;
    if (mag < 4000) {
      ASSERT_LE(eu, mag < 100 ? 4 : mag / 16 + 8) << x;
      ASSERT_LE(ea, mag < 500 ? 8 : mag / 16 + 8) << x;
    }
  }
}

TEST(G711, SineSnrAboutThirtyEightDb) {
  for (auto codec : {base::CodecId::Pcmu, base::CodecId::Pcma}) {
    AudioEncoderConfig c;
    c.codec = codec;
    c.sample_rate = 8000;
    auto enc = make_audio_encoder(c);
    auto dec = make_audio_decoder(codec);
    ASSERT_TRUE(enc.ok() && dec.ok());
    AudioFrame in;
    in.sample_rate = 8000;
    in.rtp_timestamp = 160;
    for (int i = 0; i < 160; ++i) in.samples.push_back(static_cast<int16_t>(10000 * std::sin(i * 2 * 3.14159 * 440 / 8000)));
    base::EncodedFrame pkt;
    ASSERT_EQ((*enc)->encode(in, pkt), EncodeStatus::Encoded);
    EXPECT_EQ(pkt.data.size(), 160u);
    EXPECT_EQ(pkt.codec, codec);
    EXPECT_EQ(pkt.rtp_timestamp, 160u);
    AudioFrame out;
    ASSERT_TRUE((*dec)->decode(pkt, out));
    ASSERT_EQ(out.samples.size(), 160u);
    double sig = 0, err = 0;
    for (size_t i = 0; i < 160; ++i) {
      sig += double(in.samples[i]) * in.samples[i];
      err += double(in.samples[i] - out.samples[i]) * (in.samples[i] - out.samples[i]);
    }
    EXPECT_GT(10 * std::log10(sig / err), 35.0);
    // Loss: a quieter repeat, then silence.
    AudioFrame lost;
    ASSERT_TRUE((*dec)->conceal(nullptr, 160, lost));
    EXPECT_EQ(lost.samples.size(), 160u);
    for (int k = 0; k < 5; ++k) ASSERT_TRUE((*dec)->conceal(nullptr, 160, lost));
    for (auto s : lost.samples) EXPECT_EQ(s, 0);
    EXPECT_FALSE((*dec)->conceal(nullptr, 0, lost));
    EXPECT_FALSE((*dec)->conceal(nullptr, SIZE_MAX, lost));
    EXPECT_TRUE(lost.samples.empty());
  }
}

TEST(G711, EncoderRefusesWhatIsNotEightKilohertzMono) {
  AudioEncoderConfig c;
  c.codec = base::CodecId::Pcma;
  c.sample_rate = 48000;
  EXPECT_FALSE(make_audio_encoder(c).ok());
  c.sample_rate = 8000;
  auto enc = make_audio_encoder(c);
  ASSERT_TRUE(enc.ok());
  AudioFrame in;
  in.sample_rate = 16000;
  in.samples.assign(320, 0);
  base::EncodedFrame pkt;
  EXPECT_EQ((*enc)->encode(in, pkt), EncodeStatus::Error);
  auto dec = make_audio_decoder(base::CodecId::Pcma);
  AudioFrame out;
  EXPECT_FALSE((*dec)->decode(base::EncodedFrame{}, out));
}

}  // namespace
