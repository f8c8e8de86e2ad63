// SrtpSession: the one SRTP/SRTCP interface the rest of Medley sees; which backend runs behind it is config.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "rtp/base/bytes.hpp"
#include "rtp/srtp/srtp_error.hpp"
#include "rtp/srtp/srtp_profile.hpp"

namespace medley::rtp {

class SrtpTransform;

enum class SrtpBackend : uint8_t {
  OpenSsl,   // our transform on OpenSSL EVP (default: ~5x cheaper than Debian's NSS-built libsrtp2 for AES-CM)
  LibSrtp2,  // the reference implementation
};

struct SrtpConfig {
  SrtpProfile profile = SrtpProfile::AeadAes128Gcm;
  SrtpBackend backend = SrtpBackend::OpenSsl;
  // RTP replay window in packets, per SSRC; rounded up to a power of two in [64, 16384]. SRTCP keeps 128.
  size_t replay_window = 1024;
  // SSRCs tracked per direction; a new one beyond this is refused (SrtpError::SsrcLimit) until remove_ssrc().
  // Refusing instead of evicting keeps an evicted stream's old packets from replaying and a sender's ROC from
  // restarting at 0 over used keystream.
  size_t max_ssrcs = 64;
};

// One direction's master key and salt (RFC 3711 §8.1). Both empty: no key for that direction.
struct SrtpMasterKey {
  base::Bytes key;   // 16 bytes (AES-128 profiles) or 32 (AEAD_AES_256_GCM)
  base::Bytes salt;  // 14 bytes (AES-CM) or 12 (GCM)
};

// Which end of the DTLS handshake we were: decides which half of the exported keying material we send with.
enum class SrtpKeyRole : uint8_t { DtlsClient, DtlsServer };

// Protects what we send with the outbound key and unprotects what we receive with the inbound key, in place.
// ROC and replay state is kept per SSRC and per direction. Not thread-safe: one owner (a pipeline's strand).
// After an error the packet bytes are unspecified (GCM decrypts before the tag check) and must be dropped.
class SrtpSession {
 public:
  static SrtpResult<SrtpSession> create(const SrtpConfig& config, SrtpMasterKey outbound, SrtpMasterKey inbound);
  // From the DTLS-SRTP exporter output (RFC 5764 §4.2: client key | server key | client salt | server salt,
  // srtp_keying_material_len(profile) bytes). The DTLS client sends with the client write key.
  static SrtpResult<SrtpSession> from_dtls(const SrtpConfig& config, base::Bytes keying_material, SrtpKeyRole role);

  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;
  ~SrtpSession();

  // RTP packet of packet_len bytes at the start of buffer → SRTP packet, tag appended; returns its length.
  // buffer must have rtp_overhead() bytes of room behind the packet.
  SrtpResult<size_t> protect_rtp(base::MutableBytes buffer, size_t packet_len);
  // SRTP packet of len bytes → RTP packet; returns its length.
  SrtpResult<size_t> unprotect_rtp(base::MutableBytes buffer, size_t len);
  // RTCP compound → SRTCP (always encrypted, E-bit set, RFC 3711 §3.4); needs rtcp_overhead() bytes of room.
  SrtpResult<size_t> protect_rtcp(base::MutableBytes buffer, size_t packet_len);
  SrtpResult<size_t> unprotect_rtcp(base::MutableBytes buffer, size_t len);

  // Forgets an SSRC in both directions (BYE, removed track), freeing its slot; its ROC, index and replay state
  // start over if it returns. Only for a stream that has ended for good: sending again with that SSRC under
  // this key would reuse keystream (AES-CM) or GCM nonces, and its old inbound packets could be replayed.
  // New outbound streams take a new SSRC; re-keying (a new DTLS handshake) is the only safe reset.
  bool remove_ssrc(uint32_t ssrc);

  SrtpProfile profile() const { return config_.profile; }
  SrtpBackend backend() const { return config_.backend; }
  size_t rtp_overhead() const { return profile_info(config_.profile).rtp_tag_len; }
  size_t rtcp_overhead() const { return profile_info(config_.profile).rtcp_tag_len + 4; }

 private:
  SrtpSession(const SrtpConfig& config, std::unique_ptr<SrtpTransform> transform);

  SrtpConfig config_;
  std::unique_ptr<SrtpTransform> transform_;
};

}  // namespace medley::rtp
