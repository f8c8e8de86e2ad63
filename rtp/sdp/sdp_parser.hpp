// SDP text to SessionDescription (RFC 8866 section 5): CRLF or bare LF, typed attributes, errors with line numbers.
#pragma once

#include <cstddef>
#include <string_view>

#include "rtp/sdp/sdp_result.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {

// Limits that keep a hostile offer from costing much; real browser SDPs are far below them. The size limit counts
// bytes other than CR and LF, so that re-serializing an accepted SDP (LF to CRLF, a final line ending added)
// never takes it over the limit.
inline constexpr size_t kMaxSdpSize = 1 << 20;
inline constexpr size_t kMaxLineLength = 8192;
inline constexpr size_t kMaxMediaSections = 1024;

// Never throws; on error, ParseError::line is the 1-based line that failed (0 for the whole text).
Result<SessionDescription> parse_sdp(std::string_view text);

}  // namespace medley::rtp::sdp
