// The result of parsing SDP text: a value or a ParseError with the 1-based line number and a reason.
#pragma once

#include <cassert>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "rtp/base/result.hpp"

namespace medley::rtp::sdp {

struct ParseError {
  size_t line = 0;  // 1-based line in the input; 0 when the error is about the whole text or a lone value
  std::string reason;
};

template <class T>
using Result = base::Result<T, ParseError>;

// An error about a lone value (line 0); the parser fills in the line when the value came from one.
inline ParseError fail(std::string reason) { return ParseError{0, std::move(reason)}; }
// "a=<attr>: <why>", the form every attribute parser reports.
inline ParseError attribute_error(std::string_view attr, std::string_view why) {
  std::string r = "a=";
  r += attr;
  r += ": ";
  r += why;
  return ParseError{0, std::move(r)};
}

}  // namespace medley::rtp::sdp
