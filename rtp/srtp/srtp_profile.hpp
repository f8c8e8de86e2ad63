// SRTP protection profiles: key, salt and tag sizes, DTLS-SRTP ids (RFC 5764 §4.1.2, RFC 7714 §14.2) and names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace medley::rtp {

enum class SrtpProfile : uint8_t {
  AesCm128HmacSha1_80,  // RFC 3711 default transform, 80-bit tag
  AesCm128HmacSha1_32,  // 32-bit tag on SRTP only; SRTCP keeps 80 bits (RFC 5764 §4.1.2)
  AeadAes128Gcm,        // RFC 7714, 16-byte tag
  AeadAes256Gcm,
};

inline constexpr SrtpProfile kAllSrtpProfiles[] = {
    SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AesCm128HmacSha1_32, SrtpProfile::AeadAes128Gcm,
    SrtpProfile::AeadAes256Gcm};

struct SrtpProfileInfo {
  size_t master_key_len;   // also the session encryption key length
  size_t master_salt_len;  // 14 for AES-CM, 12 for GCM (RFC 7714 §11)
  size_t rtp_tag_len;
  size_t rtcp_tag_len;
  bool aead;
  uint16_t dtls_id;              // DTLS-SRTP protection profile id on the wire (use_srtp extension)
  std::string_view openssl_name; // name for SSL_CTX_set_tlsext_use_srtp
};

const SrtpProfileInfo& profile_info(SrtpProfile profile);
std::string_view name(SrtpProfile profile);  // e.g. "AES_CM_128_HMAC_SHA1_80", as RFC 4568/5764 spell it

std::optional<SrtpProfile> srtp_profile_from_dtls_id(uint16_t id);
std::optional<SrtpProfile> srtp_profile_from_openssl_name(std::string_view name);

// Bytes of DTLS keying material to export ("EXTRACTOR-dtls_srtp", RFC 5764 §4.2): two keys and two salts.
inline size_t srtp_keying_material_len(SrtpProfile p) {
  const auto& i = profile_info(p);
  return 2 * (i.master_key_len + i.master_salt_len);
}

// Most bytes protect_rtp / protect_rtcp append (tag, plus the 4-byte E||index word for SRTCP).
inline constexpr size_t kSrtpMaxRtpOverhead = 16;
inline constexpr size_t kSrtpMaxRtcpOverhead = 16 + 4;

// As DTLS server, picks among the client's offered profiles: GCM first (its cost is a third of
// AES-CM + HMAC-SHA1, HMAC being 80 % of that), then 256-bit GCM, then AES-CM with the long tag.
std::optional<SrtpProfile> choose_srtp_profile(std::span<const SrtpProfile> offered);

}  // namespace medley::rtp
