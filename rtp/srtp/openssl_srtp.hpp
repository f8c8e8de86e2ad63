// Our SRTP/SRTCP transform on OpenSSL EVP (RFC 3711 AES-CM + HMAC-SHA1, RFC 7714 AES-GCM): the default backend.
#pragma once

#include <memory>
#include <optional>

#include "rtp/srtp/openssl_srtp_cipher.hpp"
#include "rtp/srtp/srtp_profile.hpp"
#include "rtp/srtp/srtp_stream_table.hpp"
#include "rtp/srtp/srtp_transform.hpp"

namespace medley::rtp {

class OpenSslSrtp final : public SrtpTransform {
 public:
  struct Keys {
    base::Bytes key;
    base::Bytes salt;
  };
  // Empty keys for a direction leave it unkeyed (its calls return NoKey). nullptr when OpenSSL fails.
  static std::unique_ptr<OpenSslSrtp> create(SrtpProfile profile, std::optional<Keys> outbound,
                                             std::optional<Keys> inbound, size_t window_bits, size_t max_ssrcs);

  // Session keys given directly, one direction (for the RFC 7714 §16/§17 vectors, which skip the KDF).
  struct SessionKeys {
    base::Bytes key;
    base::Bytes salt;
    base::Bytes auth_key;
  };
  static std::unique_ptr<OpenSslSrtp> create_from_session_keys(SrtpProfile profile, const SessionKeys& rtp,
                                                               const SessionKeys& rtcp, bool outbound);

  SrtpResult<size_t> protect_rtp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> unprotect_rtp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> protect_rtcp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> unprotect_rtcp(base::MutableBytes buffer, size_t len) override;
  bool remove_ssrc(uint32_t ssrc) override;

 private:
  struct Direction {
    Direction(size_t window_bits, size_t max_ssrcs) : streams(window_bits, max_ssrcs) {}
    SrtpCipher rtp;
    SrtpCipher rtcp;
    SrtpStreamTable streams;
  };
  explicit OpenSslSrtp(SrtpProfile profile) : info_(profile_info(profile)) {}

  const SrtpProfileInfo& info_;
  std::unique_ptr<Direction> out_;
  std::unique_ptr<Direction> in_;
};

}  // namespace medley::rtp
