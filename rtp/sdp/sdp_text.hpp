// Small text helpers the SDP parsers share: strict decimal numbers, token splitting, appending numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medley::rtp::sdp::text {

// Digits only (no sign, no spaces), at most `max`; nullopt on anything else or overflow.
std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max = UINT64_MAX);

// Splits on runs of spaces; no empty tokens.
std::vector<std::string_view> split_spaces(std::string_view s);

// Splits on every `sep`, keeping empty pieces ("a;;b" -> "a", "", "b").
std::vector<std::string_view> split(std::string_view s, char sep);

// Splits at the first `sep`: {before, after}; after is nullopt when sep is absent.
std::pair<std::string_view, std::optional<std::string_view>> split_once(std::string_view s, char sep);

std::string_view trim(std::string_view s);

// True for a token as SDP uses it (RFC 8866 section 9: visible ASCII except a few separators); we only
// reject what would break re-serialization: empty, spaces and control characters.
bool is_token(std::string_view s);

void append_uint(std::string& out, uint64_t v);

}  // namespace medley::rtp::sdp::text
