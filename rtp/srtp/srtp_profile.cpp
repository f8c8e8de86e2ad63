// SRTP profile table and the DTLS server's profile preference.
#include "rtp/srtp/srtp_profile.hpp"

namespace medley::rtp {
namespace {

// DTLS-SRTP ids: RFC 5764 §4.1.2 (0x0001, 0x0002) and RFC 7714 §14.2 (0x0007, 0x0008).
constexpr SrtpProfileInfo kInfo[] = {
    {16, 14, 10, 10, false, 0x0001, "SRTP_AES128_CM_SHA1_80"},
    {16, 14, 4, 10, false, 0x0002, "SRTP_AES128_CM_SHA1_32"},
    {16, 12, 16, 16, true, 0x0007, "SRTP_AEAD_AES_128_GCM"},
    {32, 12, 16, 16, true, 0x0008, "SRTP_AEAD_AES_256_GCM"},
};
constexpr std::string_view kNames[] = {"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM",
                                       "AEAD_AES_256_GCM"};

}  // namespace

const SrtpProfileInfo& profile_info(SrtpProfile profile) { return kInfo[static_cast<size_t>(profile)]; }

std::string_view name(SrtpProfile profile) { return kNames[static_cast<size_t>(profile)]; }

std::optional<SrtpProfile> srtp_profile_from_dtls_id(uint16_t id) {
  for (SrtpProfile p : kAllSrtpProfiles)
    if (profile_info(p).dtls_id == id) return p;
  return std::nullopt;
}

std::optional<SrtpProfile> srtp_profile_from_openssl_name(std::string_view n) {
  for (SrtpProfile p : kAllSrtpProfiles)
    if (profile_info(p).openssl_name == n) return p;
  return std::nullopt;
}

std::optional<SrtpProfile> choose_srtp_profile(std::span<const SrtpProfile> offered) {
  constexpr SrtpProfile kPreference[] = {SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm,
                                         SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AesCm128HmacSha1_32};
  for (SrtpProfile want : kPreference)
    for (SrtpProfile p : offered)
      if (p == want) return p;
  return std::nullopt;
}

}  // namespace medley::rtp
