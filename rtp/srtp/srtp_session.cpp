// SrtpSession: key checks, DTLS-SRTP key split, and dispatch to the configured backend.
#include "rtp/srtp/srtp_session.hpp"

#include <optional>

#include "rtp/srtp/libsrtp2_srtp.hpp"
#include "rtp/srtp/openssl_srtp.hpp"
#include "rtp/srtp/replay_window.hpp"

namespace medley::rtp {

SrtpSession::SrtpSession(const SrtpConfig& config, std::unique_ptr<SrtpTransform> transform)
    : config_(config), transform_(std::move(transform)) {}
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;
SrtpSession::~SrtpSession() = default;

SrtpResult<SrtpSession> SrtpSession::create(const SrtpConfig& config, SrtpMasterKey outbound,
                                            SrtpMasterKey inbound) {
  const SrtpProfileInfo& info = profile_info(config.profile);
  // nullopt for an absent direction; BadKey (via ok=false) for a present one of the wrong size.
  bool ok = true;
  auto check = [&](const SrtpMasterKey& k) -> std::optional<SrtpMasterKey> {
    if (k.key.empty() && k.salt.empty()) return std::nullopt;
    if (k.key.size() != info.master_key_len || k.salt.size() != info.master_salt_len) ok = false;
    return k;
  };
  auto out = check(outbound);
  auto in = check(inbound);
  if (!ok) return SrtpError::BadKey;
  const size_t window = RtpReplayWindow::round_bits(config.replay_window);
  std::unique_ptr<SrtpTransform> t;
  if (config.backend == SrtpBackend::LibSrtp2) {
    auto keys = [](const std::optional<SrtpMasterKey>& k) {
      return k ? std::optional<LibSrtp2Srtp::Keys>({k->key, k->salt}) : std::nullopt;
    };
    t = LibSrtp2Srtp::create(config.profile, keys(out), keys(in), window, config.max_ssrcs);
  } else {
    auto keys = [](const std::optional<SrtpMasterKey>& k) {
      return k ? std::optional<OpenSslSrtp::Keys>({k->key, k->salt}) : std::nullopt;
    };
    t = OpenSslSrtp::create(config.profile, keys(out), keys(in), window, config.max_ssrcs);
  }
  if (!t) return SrtpError::Internal;
  return SrtpSession(config, std::move(t));
}

SrtpResult<SrtpSession> SrtpSession::from_dtls(const SrtpConfig& config, base::Bytes material, SrtpKeyRole role) {
  const SrtpProfileInfo& info = profile_info(config.profile);
  if (material.size() != srtp_keying_material_len(config.profile)) return SrtpError::BadKey;
  const size_t k = info.master_key_len;
  const size_t s = info.master_salt_len;
  SrtpMasterKey client{material.subspan(0, k), material.subspan(2 * k, s)};
  SrtpMasterKey server{material.subspan(k, k), material.subspan(2 * k + s, s)};
  return role == SrtpKeyRole::DtlsClient ? create(config, client, server) : create(config, server, client);
}

SrtpResult<size_t> SrtpSession::protect_rtp(base::MutableBytes buffer, size_t len) {
  return transform_->protect_rtp(buffer, len);
}
SrtpResult<size_t> SrtpSession::unprotect_rtp(base::MutableBytes buffer, size_t len) {
  return transform_->unprotect_rtp(buffer, len);
}
SrtpResult<size_t> SrtpSession::protect_rtcp(base::MutableBytes buffer, size_t len) {
  return transform_->protect_rtcp(buffer, len);
}
SrtpResult<size_t> SrtpSession::unprotect_rtcp(base::MutableBytes buffer, size_t len) {
  return transform_->unprotect_rtcp(buffer, len);
}
bool SrtpSession::remove_ssrc(uint32_t ssrc) { return transform_->remove_ssrc(ssrc); }

}  // namespace medley::rtp
