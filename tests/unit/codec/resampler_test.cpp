// Resampler: passband gain, image and alias rejection, streaming equals one shot, delay, refused ratios.
#include "codec/resampler.hpp"

#include <gtest/gtest.h>

#include "audio_test_util.hpp"

using namespace medley::codec;

namespace {

std::vector<int16_t> run(Resampler& r, const std::vector<int16_t>& in, size_t chunk) {
  std::vector<int16_t> out;
  for (size_t i = 0; i < in.size(); i += chunk) {
    const size_t n = std::min(chunk, in.size() - i);
    r.process(std::span<const int16_t>(in.data() + i, n), out);
  }
  return out;
}

// The settled middle of a signal: skip the filter's start-up and keep a whole number of milliseconds.
std::span<const int16_t> settled(const std::vector<int16_t>& v, int rate) {
  const size_t skip = static_cast<size_t>(rate / 50);  // 20 ms
  return std::span<const int16_t>(v).subspan(skip, v.size() - 2 * skip);
}

TEST(Resampler, UpsamplingKeepsThePassbandAndRejectsImages) {
  for (double f : {300.0, 1000.0, 3000.0, 3300.0}) {
    auto r = Resampler::create(8000, 48000, 1);
    ASSERT_TRUE(r);
    const auto out = run(*r, test::tone(f, 8000, 8000, 10000), 160);
    ASSERT_EQ(out.size(), 48000u);
    const auto s = settled(out, 48000);
    EXPECT_NEAR(test::db(test::amplitude_at(s, f, 48000) / 10000), 0.0, 0.2) << f;
    // Zero-stuffing images of f around multiples of 8 kHz.
    for (double image : {8000 - f, 8000 + f, 16000 - f, 16000 + f}) {
      EXPECT_LT(test::db(test::amplitude_at(s, image, 48000) / 10000), -70.0) << f << " image " << image;
    }
  }
}

TEST(Resampler, DownsamplingKeepsThePassbandAndRejectsAliases) {
  for (double f : {300.0, 1000.0, 3000.0, 3300.0}) {
    auto r = Resampler::create(48000, 8000, 1);
    ASSERT_TRUE(r);
    const auto out = run(*r, test::tone(f, 48000, 48000, 10000), 960);
    ASSERT_EQ(out.size(), 8000u);
    EXPECT_NEAR(test::db(test::amplitude_at(settled(out, 8000), f, 8000) / 10000), 0.0, 0.2) << f;
  }
  // Tones above 4 kHz would fold back into the band: 4.5 kHz -> 3.5 kHz, 10 kHz -> 2 kHz, 15 kHz -> 1 kHz.
  for (double f : {4500.0, 10000.0, 15000.0, 23000.0}) {
    auto r = Resampler::create(48000, 8000, 1);
    const auto out = run(*r, test::tone(f, 48000, 48000, 10000), 960);
    EXPECT_LT(test::db(test::rms(settled(out, 8000)) / (10000 / std::sqrt(2.0))), -65.0) << f;
  }
}

TEST(Resampler, ChunksMakeTheSameSignalAsOneCall) {
  const auto in = test::tone(440, 8000, 8000, 12000);
  auto a = Resampler::create(8000, 48000, 1);
  auto b = Resampler::create(8000, 48000, 1);
  EXPECT_EQ(run(*a, in, in.size()), run(*b, in, 37));  // odd chunk size: phases carry over
  const auto in48 = test::tone(440, 48000, 48000, 12000);
  auto c = Resampler::create(48000, 8000, 1);
  auto d = Resampler::create(48000, 8000, 1);
  EXPECT_EQ(run(*c, in48, in48.size()), run(*d, in48, 1001));
}

TEST(Resampler, DelayIsWhereAnImpulseLands) {
  auto r = Resampler::create(8000, 48000, 1);
  std::vector<int16_t> in(400, 0);
  in[100] = 20000;
  const auto out = run(*r, in, 160);
  const auto peak = std::max_element(out.begin(), out.end()) - out.begin();
  EXPECT_NEAR(peak, 100 * 6 + r->delay_out_samples(), 1);
}

TEST(Resampler, StereoChannelsStayApart) {
  auto r = Resampler::create(8000, 48000, 2);
  ASSERT_TRUE(r);
  const auto left = test::tone(500, 8000, 8000, 8000);
  const auto right = test::tone(2000, 8000, 8000, 8000);
  std::vector<int16_t> in;
  for (size_t i = 0; i < left.size(); ++i) {
    in.push_back(left[i]);
    in.push_back(right[i]);
  }
  AudioFrame fin, fout;
  fin.sample_rate = 8000;
  fin.channels = 2;
  fin.samples = in;
  fin.rtp_timestamp = 1600;
  ASSERT_TRUE(r->process(fin, fout));
  EXPECT_EQ(fout.sample_rate, 48000);
  EXPECT_EQ(fout.rtp_timestamp, 9600u);
  ASSERT_EQ(fout.samples.size(), 96000u);
  std::vector<int16_t> l, rr;
  for (size_t i = 0; i < fout.samples.size(); i += 2) {
    l.push_back(fout.samples[i]);
    rr.push_back(fout.samples[i + 1]);
  }
  EXPECT_NEAR(test::amplitude_at(settled(l, 48000), 500, 48000), 8000, 100);
  EXPECT_LT(test::amplitude_at(settled(l, 48000), 2000, 48000), 5);
  EXPECT_NEAR(test::amplitude_at(settled(rr, 48000), 2000, 48000), 8000, 100);
  EXPECT_LT(test::amplitude_at(settled(rr, 48000), 500, 48000), 5);
  fin.sample_rate = 16000;
  EXPECT_FALSE(r->process(fin, fout));
}

TEST(Resampler, FullScaleClipsInsteadOfWrapping) {
  auto r = Resampler::create(8000, 48000, 1);
  std::vector<int16_t> square;
  for (int i = 0; i < 800; ++i) square.push_back((i / 4) % 2 ? 32767 : -32768);
  const auto out = run(*r, square, 160);
  // Gibbs overshoot would exceed int16; a wrap would show as a jump of ~65536 between neighbours.
  for (size_t i = 1; i < out.size(); ++i) ASSERT_LT(std::abs(out[i] - out[i - 1]), 40000) << i;
}

TEST(Resampler, RefusesWhatItCannotDo) {
  EXPECT_FALSE(Resampler::create(44100, 48000, 1));  // 147/160
  EXPECT_FALSE(Resampler::create(0, 48000, 1));
  EXPECT_FALSE(Resampler::create(8000, 48000, 3));
  EXPECT_TRUE(Resampler::create(16000, 48000, 1));
  EXPECT_TRUE(Resampler::create(48000, 48000, 2));
}

}  // namespace
