// Why an SRTP/SRTCP protect or unprotect refused a packet, and the small result type that carries it.
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

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
class SrtpResult {
 public:
  SrtpResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  SrtpResult(SrtpError error) : v_(std::in_place_index<1>, error) {}     // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  const T& value() const {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  SrtpError error() const {
    assert(!ok());
    return *std::get_if<1>(&v_);
  }

 private:
  std::variant<T, SrtpError> v_;
};

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
