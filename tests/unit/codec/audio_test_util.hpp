// Test helpers for audio: tones, single-bin DFT amplitude, RMS.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace medley::codec::test {

constexpr double kPi = 3.14159265358979323846;

inline std::vector<int16_t> tone(double freq, int rate, size_t n, double amplitude, size_t offset = 0) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * kPi * freq * double(i + offset) / rate)));
  }
  return v;
}

// Amplitude of the frequency component `freq` (Hann-windowed, so leakage from other tones stays small).
inline double amplitude_at(std::span<const int16_t> x, double freq, int rate) {
  std::complex<double> acc = 0;
  double wsum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = 0.5 - 0.5 * std::cos(2 * kPi * double(i) / double(x.size() - 1));
    acc += w * double(x[i]) * std::polar(1.0, -2 * kPi * freq * double(i) / rate);
    wsum += w;
  }
  return 2 * std::abs(acc) / wsum;
}

inline double rms(std::span<const int16_t> x) {
  double s = 0;
  for (auto v : x) s += double(v) * v;
  return x.empty() ? 0 : std::sqrt(s / double(x.size()));
}

inline double db(double ratio) { return 20 * std::log10(ratio); }

}  // namespace medley::codec::test
