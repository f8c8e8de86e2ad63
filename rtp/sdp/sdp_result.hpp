// The result of parsing SDP text: a value or a ParseError with the 1-based line number and a reason.
#pragma once

#include <cassert>
#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace medley::rtp::sdp {

struct ParseError {
  size_t line = 0;  // 1-based line in the input; 0 when the error is about the whole text or a lone value
  std::string reason;
};

// A small std::expected stand-in (g++ 12 has no <expected> in C++20).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                  // NOLINT(google-explicit-constructor)
  Result(ParseError error) : v_(std::move(error)) {}         // NOLINT(google-explicit-constructor)
  static Result fail(std::string reason) { return Result(ParseError{0, std::move(reason)}); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const ParseError& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, ParseError> v_;
};

}  // namespace medley::rtp::sdp
