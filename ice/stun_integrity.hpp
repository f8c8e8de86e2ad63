// StunIntegrityKey: a STUN password turned once into prepared HMAC-SHA1 and HMAC-SHA256 key states.
#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "rtp/base/bytes.hpp"

namespace medley::ice {

// An ICE agent checks every request against the same local password, so the HMAC inner/outer pad states are
// computed once here and copied per message (the same trade as rtp::HmacSha1: copying a SHA_CTX is the cheapest
// reusable key state in OpenSSL 3). Immutable after construction; copyable; cleansed on destruction.
class StunIntegrityKey {
 public:
  StunIntegrityKey();  // the empty key (a valid HMAC key, but nobody should use it)
  explicit StunIntegrityKey(base::Bytes key);
  ~StunIntegrityKey();
  StunIntegrityKey(const StunIntegrityKey&) = default;
  StunIntegrityKey& operator=(const StunIntegrityKey&) = default;

  // Short-term credentials (ICE): the key is the password bytes (RFC 8489 §9.1.1; the OpaqueString profile is
  // the identity for the ASCII ice-pwd characters RFC 8839 allows).
  static StunIntegrityKey short_term(std::string_view password);
  // Long-term credentials (TURN), RFC 8489 §9.2.2 with the MD5 password algorithm:
  // key = MD5(username ":" realm ":" password).
  static StunIntegrityKey long_term(std::string_view username, std::string_view realm, std::string_view password);
  static std::array<uint8_t, 16> long_term_md5(std::string_view username, std::string_view realm,
                                               std::string_view password);

  // HMAC over a || b || c.
  void hmac_sha1(base::Bytes a, base::Bytes b, base::Bytes c, uint8_t out[20]) const;
  void hmac_sha256(base::Bytes a, base::Bytes b, base::Bytes c, uint8_t out[32]) const;

 private:
  SHA_CTX sha1_inner_{};
  SHA_CTX sha1_outer_{};
  SHA256_CTX sha256_inner_{};
  SHA256_CTX sha256_outer_{};
};

}  // namespace medley::ice
