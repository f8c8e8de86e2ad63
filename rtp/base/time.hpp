// Time values for sans-IO cores: a steady Timestamp and a Duration, both in microseconds.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace medley::base {

// A span of time in microseconds. Cores never read a clock: time arrives with every input.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration micros(int64_t us) { return Duration(us); }
  static constexpr Duration millis(int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration seconds(int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration infinite() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t us() const { return us_; }
  constexpr int64_t ms() const { return us_ / 1000; }
  constexpr double seconds_f() const { return static_cast<double>(us_) / 1e6; }
  constexpr bool is_infinite() const { return us_ == std::numeric_limits<int64_t>::max(); }

  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }
  constexpr Duration operator-() const { return Duration(-us_); }
  constexpr Duration operator*(int64_t k) const { return Duration(us_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(us_ / k); }
  constexpr Duration& operator+=(Duration o) { us_ += o.us_; return *this; }
  constexpr Duration& operator-=(Duration o) { us_ -= o.us_; return *this; }
  constexpr auto operator<=>(const Duration&) const = default;

 private:
  constexpr explicit Duration(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// A point on the steady clock, microseconds since an arbitrary epoch chosen by the caller (the server, a test).
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp micros(int64_t us) { return Timestamp(us); }
  static constexpr Timestamp millis(int64_t ms) { return Timestamp(ms * 1000); }
  static constexpr Timestamp zero() { return Timestamp(0); }
  // "Never": what next_timeout() returns when nothing is pending.
  static constexpr Timestamp infinite() { return Timestamp(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t us() const { return us_; }
  constexpr int64_t ms() const { return us_ / 1000; }
  constexpr bool is_infinite() const { return us_ == std::numeric_limits<int64_t>::max(); }

  constexpr Timestamp operator+(Duration d) const {
    if (is_infinite() || d.is_infinite()) return infinite();
    return Timestamp(us_ + d.us());
  }
  constexpr Timestamp operator-(Duration d) const { return Timestamp(us_ - d.us()); }
  constexpr Duration operator-(Timestamp o) const { return Duration::micros(us_ - o.us_); }
  constexpr Timestamp& operator+=(Duration d) { *this = *this + d; return *this; }
  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

constexpr Timestamp earliest(Timestamp a, Timestamp b) { return a < b ? a : b; }

}  // namespace medley::base
