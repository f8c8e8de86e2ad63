// Why an SRTP/SRTCP protect or unprotect refused a packet, and the small result type that carries it.
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

#include "rtp/base/result.hpp"

namespace medley::rtp {

enum class SrtpError : uint8_t {
  BadAuth,         // tag mismatch (HMAC or GCM): tampered, wrong key, or wrong ROC guess
  Replay,          // index already seen, or older than the replay window (RFC 3711 §3.3.2)
  TooShort,        // shorter than header + tag (+ SRTCP index)
  BufferTooSmall,  // protect: no room for the tag behind the packet
  BadHeader,       // not RTP/RTCP version 2, or CSRC/extension lengths run past the packet; SRTCP E-bit refused
  KeyLimit,        // index space exhausted (2^48 SRTP, 2^31 SRTCP packets): rekey
  SsrcLimit,       // a new SSRC while the per-SSRC table is full (see SrtpConfig::max_ssrcs)
  NoKey,           // this session has no key for that direction
  BadKey,          // create(): key or salt of the wrong length for the profile
  Internal,        // the crypto library failed (allocation, provider)
};

std::string_view name(SrtpError e);

// A value or an SrtpError (std::expected is C++23).
template <class T>
using SrtpResult = base::Result<T, SrtpError>;

inline std::string_view name(SrtpError e) {
  switch (e) {
    case SrtpError::BadAuth: return "BadAuth";
    case SrtpError::Replay: return "Replay";
    case SrtpError::TooShort: return "TooShort";
    case SrtpError::BufferTooSmall: return "BufferTooSmall";
    case SrtpError::BadHeader: return "BadHeader";
    case SrtpError::KeyLimit: return "KeyLimit";
    case SrtpError::SsrcLimit: return "SsrcLimit";
    case SrtpError::NoKey: return "NoKey";
    case SrtpError::BadKey: return "BadKey";
    case SrtpError::Internal: return "Internal";
  }
  return "?";
}

}  // namespace medley::rtp
