// DtlsContext: the one SSL_CTX a certificate needs (DTLS 1.2, use_srtp profiles, peer certificate required).
#pragma once

#include <memory>
#include <string>

#include "ice/certificate.hpp"
#include "rtp/base/result.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace medley::ice {

// DTLS-SRTP protection profiles we offer, in our order of preference. As DTLS server OpenSSL walks its own list
// and takes the first one the client offered, so this order decides: GCM first (a third of AES-CM+HMAC's cost,
// DESIGN.md), then the 256-bit GCM, then AES-CM with the 80-bit tag, then the 32-bit tag.
inline constexpr const char* kDtlsSrtpProfiles =
    "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";

// Shared by every DtlsTransport using that certificate (DESIGN.md: one SSL_CTX, memory BIOs per session).
// SSL_CTX is safe to share across threads once built; nothing here changes after create().
class DtlsContext {
 public:
  // srtp_profiles: OpenSSL's colon-separated names, in preference order (a load generator narrows it to force one).
  static base::Result<std::shared_ptr<const DtlsContext>, std::string> create(
      const Certificate& certificate, const char* srtp_profiles = kDtlsSrtpProfiles);

  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const Certificate& certificate() const { return certificate_; }
  SSL_CTX* native() const { return ctx_; }

 private:
  DtlsContext(Certificate certificate, SSL_CTX* ctx) : certificate_(std::move(certificate)), ctx_(ctx) {}

  Certificate certificate_;
  SSL_CTX* ctx_;
};

}  // namespace medley::ice
