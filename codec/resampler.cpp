// Resampler: Kaiser-windowed sinc prototype split into L polyphase branches, stepped M input phases per output.
#include "codec/resampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace medley::codec {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kStopbandDb = 80.0;
constexpr int kTapsPerUnit = 64;  // prototype taps per max(L, M): sets the transition band width

double bessel_i0(double x) {  // power series; converges quickly for the beta values used here
  double sum = 1.0;
  double term = 1.0;
  for (int k = 1; k < 50; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

}  // namespace

std::optional<Resampler> Resampler::create(int in_rate, int out_rate, int channels) {
  if (in_rate <= 0 || out_rate <= 0 || in_rate > 384000 || out_rate > 384000) return std::nullopt;
  if (channels != 1 && channels != 2) return std::nullopt;
  const int g = std::gcd(in_rate, out_rate);
  Resampler r;
  r.in_rate_ = in_rate;
  r.out_rate_ = out_rate;
  r.channels_ = channels;
  r.up_ = out_rate / g;
  r.down_ = in_rate / g;
  if (r.up_ > 48 || r.down_ > 48) return std::nullopt;
  const int L = r.up_;
  r.taps_ = (kTapsPerUnit * std::max(L, r.down_) + L - 1) / L;
  const int n = r.taps_ * L;  // prototype length, at the rate in_rate * L
  // Kaiser's estimate of the transition width for this length and attenuation (radians per prototype sample),
  // and a cutoff half of it below the lower Nyquist frequency, so that band edge is already in the stopband.
  const double beta = 0.1102 * (kStopbandDb - 8.7);
  const double transition = (kStopbandDb - 8.0) / (2.285 * n);
  const double nyquist = kPi / std::max(L, r.down_);  // the lower rate's Nyquist, in prototype radians
  const double wc = nyquist - transition / 2;
  std::vector<double> h(static_cast<size_t>(n));
  const double centre = (n - 1) / 2.0;
  double dc = 0;
  for (int i = 0; i < n; ++i) {
    const double x = i - centre;
    const double sinc = x == 0 ? wc / kPi : std::sin(wc * x) / (kPi * x);
    const double w = (2.0 * i) / (n - 1) - 1.0;
    const double window = bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - w * w))) / bessel_i0(beta);
    h[static_cast<size_t>(i)] = sinc * window;
    dc += h[static_cast<size_t>(i)];
  }
  // Unity gain at DC for each phase on average: the zero-stuffed input carries 1/L of the energy.
  r.phases_.resize(static_cast<size_t>(n));
  for (int p = 0; p < L; ++p) {
    for (int k = 0; k < r.taps_; ++k) {
      r.phases_[static_cast<size_t>(p * r.taps_ + k)] = static_cast<float>(h[static_cast<size_t>(p + k * L)] * L / dc);
    }
  }
  r.reset();
  return r;
}

int Resampler::delay_out_samples() const {
  const double prototype_delay = (taps_ * up_ - 1) / 2.0;  // at in_rate * L
  return static_cast<int>(std::lround(prototype_delay / down_));
}

void Resampler::reset() {
  history_.assign(static_cast<size_t>(channels_) * static_cast<size_t>(taps_ - 1), 0.0f);
  t_ = 0;
}

void Resampler::process(std::span<const int16_t> in, std::vector<int16_t>& out) {
  const size_t ch = static_cast<size_t>(channels_);
  const size_t frames = in.size() / ch;
  const size_t hist = static_cast<size_t>(taps_ - 1);
  const size_t stride = hist + frames;
  // Per channel [history | new input] in one run, so every tap reads contiguous memory.
  work_.resize(ch * stride);
  for (size_t c = 0; c < ch; ++c) {
    std::copy_n(history_.begin() + static_cast<ptrdiff_t>(c * hist), hist,
                work_.begin() + static_cast<ptrdiff_t>(c * stride));
    for (size_t i = 0; i < frames; ++i) work_[c * stride + hist + i] = static_cast<float>(in[i * ch + c]);
  }
  const int64_t end = static_cast<int64_t>(frames) * up_;
  for (; t_ < end; t_ += down_) {
    const size_t i = static_cast<size_t>(t_ / up_);
    const size_t p = static_cast<size_t>(t_ % up_);
    const float* coeffs = &phases_[p * static_cast<size_t>(taps_)];
    for (size_t c = 0; c < ch; ++c) {
      const float* x = &work_[c * stride + hist + i];  // x[0] is the newest sample, x[-k] older ones
      float acc = 0;
      for (int k = 0; k < taps_; ++k) acc += coeffs[k] * x[-k];
      const float v = std::clamp(std::nearbyint(acc), -32768.0f, 32767.0f);
      out.push_back(static_cast<int16_t>(v));
    }
  }
  t_ -= end;
  for (size_t c = 0; c < ch; ++c) {
    std::copy_n(work_.begin() + static_cast<ptrdiff_t>(c * stride + frames), hist,
                history_.begin() + static_cast<ptrdiff_t>(c * hist));
  }
}

bool Resampler::process(const AudioFrame& in, AudioFrame& out) {
  if (in.sample_rate != in_rate_ || in.channels != channels_) return false;
  out.sample_rate = out_rate_;
  out.channels = channels_;
  out.rtp_timestamp = static_cast<uint32_t>(static_cast<uint64_t>(in.rtp_timestamp) * up_ / down_);
  out.samples.clear();
  process(in.samples, out.samples);
  return true;
}

}  // namespace medley::codec
