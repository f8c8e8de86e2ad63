// The backend seam behind SrtpSession (our OpenSSL transform or libsrtp2), and the RTP/RTCP header checks
// both backends apply before any crypto.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rtp/base/bytes.hpp"
#include "rtp/srtp/srtp_error.hpp"

namespace medley::rtp {

class SrtpTransform {
 public:
  virtual ~SrtpTransform() = default;
  virtual SrtpResult<size_t> protect_rtp(base::MutableBytes buffer, size_t len) = 0;
  virtual SrtpResult<size_t> unprotect_rtp(base::MutableBytes buffer, size_t len) = 0;
  virtual SrtpResult<size_t> protect_rtcp(base::MutableBytes buffer, size_t len) = 0;
  virtual SrtpResult<size_t> unprotect_rtcp(base::MutableBytes buffer, size_t len) = 0;
  // Forgets an SSRC's state in both directions (its ROC and replay window). True when it was known.
  virtual bool remove_ssrc(uint32_t ssrc) = 0;
};

// Just enough of an RTP header to protect it: where the payload starts, SSRC and sequence number.
struct SrtpRtpHeader {
  size_t header_len;  // fixed header + CSRCs + extension: the part that stays clear (and is GCM's AAD)
  uint32_t ssrc;
  uint16_t seq;
};

// Validates as libsrtp2's srtp_validate_rtp_header() does, plus the version (libsrtp2 does not look at it;
// RFC 7983 demux has sent only first bytes 128..191 here anyway). len must not exceed the data behind p.
inline SrtpResult<SrtpRtpHeader> parse_srtp_rtp_header(const uint8_t* p, size_t len) {
  if (len < 12) return SrtpError::TooShort;
  if ((p[0] >> 6) != 2) return SrtpError::BadHeader;
  size_t header_len = 12 + 4 * size_t{p[0] & 0x0Fu};
  const bool extension = (p[0] & 0x10) != 0;
  if (extension) header_len += 4;
  if (len < header_len) return SrtpError::BadHeader;
  if (extension) {
    header_len += 4 * size_t{base::load_be16(p + header_len - 2)};
    if (len < header_len) return SrtpError::BadHeader;
  }
  return SrtpRtpHeader{header_len, base::load_be32(p + 8), base::load_be16(p + 2)};
}

inline bool srtp_rtcp_version_ok(const uint8_t* p) { return (p[0] >> 6) == 2; }

}  // namespace medley::rtp
