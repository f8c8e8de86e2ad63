// The libsrtp2 backend: one srtp_t per direction with wildcard-SSRC policies, errors mapped to SrtpError.
#include "rtp/srtp/libsrtp2_srtp.hpp"

#include <arpa/inet.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace medley::rtp {
namespace {

bool libsrtp2_ready() {
  // srtp_init() registers libsrtp2's crypto kernel once per process (DESIGN: C libraries with global state).
  static const bool ok = srtp_init() == srtp_err_status_ok;
  return ok;
}

void set_policy(SrtpProfile profile, srtp_crypto_policy_t& rtp, srtp_crypto_policy_t& rtcp) {
  switch (profile) {
    case SrtpProfile::AesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);
      break;
    case SrtpProfile::AesCm128HmacSha1_32:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);  // RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag
      break;
    case SrtpProfile::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp);
      break;
    case SrtpProfile::AeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp);
      break;
  }
}

srtp_t make_session(SrtpProfile profile, const LibSrtp2Srtp::Keys& k, bool outbound, size_t window_bits) {
  uint8_t key[SRTP_MAX_KEY_LEN] = {};
  std::memcpy(key, k.key.data(), k.key.size());
  std::memcpy(key + k.key.size(), k.salt.data(), k.salt.size());
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  set_policy(profile, policy.rtp, policy.rtcp);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = key;
  policy.window_size = window_bits;
  policy.allow_repeat_tx = 0;
  srtp_t session = nullptr;
  if (srtp_create(&session, &policy) != srtp_err_status_ok) session = nullptr;
  std::memset(key, 0, sizeof(key));
  return session;
}

SrtpError map_error(srtp_err_status_t s) {
  switch (s) {
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail: return SrtpError::BadAuth;  // GCM reports a short or bad tag this way too
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return SrtpError::Replay;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err: return SrtpError::TooShort;
    case srtp_err_status_cant_check: return SrtpError::BadHeader;
    case srtp_err_status_key_expired: return SrtpError::KeyLimit;
    default: return SrtpError::Internal;
  }
}

}  // namespace

bool LibSrtp2Srtp::Ssrcs::has(uint32_t ssrc) const { return std::find(known.begin(), known.end(), ssrc) != known.end(); }

std::unique_ptr<LibSrtp2Srtp> LibSrtp2Srtp::create(SrtpProfile profile, std::optional<Keys> outbound,
                                                   std::optional<Keys> inbound, size_t window_bits,
                                                   size_t max_ssrcs) {
  if (!libsrtp2_ready()) return nullptr;
  std::unique_ptr<LibSrtp2Srtp> s(new LibSrtp2Srtp(profile_info(profile), max_ssrcs));
  if (outbound && (s->out_ = make_session(profile, *outbound, true, window_bits)) == nullptr) return nullptr;
  if (inbound && (s->in_ = make_session(profile, *inbound, false, window_bits)) == nullptr) return nullptr;
  return s;
}

LibSrtp2Srtp::~LibSrtp2Srtp() {
  if (out_ != nullptr) srtp_dealloc(out_);
  if (in_ != nullptr) srtp_dealloc(in_);
}

bool LibSrtp2Srtp::remove_ssrc(uint32_t ssrc) {
  bool removed = false;
  for (auto [ctx, ssrcs] : {std::pair{out_, &out_ssrcs_}, std::pair{in_, &in_ssrcs_}}) {
    auto it = std::find(ssrcs->known.begin(), ssrcs->known.end(), ssrc);
    if (it == ssrcs->known.end()) continue;
    ssrcs->known.erase(it);
    srtp_remove_stream(ctx, htonl(ssrc));
    removed = true;
  }
  return removed;
}

SrtpResult<size_t> LibSrtp2Srtp::protect_rtp(base::MutableBytes buffer, size_t len) {
  if (out_ == nullptr) return SrtpError::NoKey;
  if (len > buffer.size() || len > (1u << 30)) return SrtpError::BufferTooSmall;
  auto hdr = parse_srtp_rtp_header(buffer.data(), len);
  if (!hdr) return hdr.error();
  if (buffer.size() - len < info_.rtp_tag_len) return SrtpError::BufferTooSmall;
  // libsrtp2 creates the stream right after its header check, whatever follows: mirror that.
  if (!out_ssrcs_.has(hdr->ssrc)) {
    if (out_ssrcs_.known.size() >= max_ssrcs_) return SrtpError::SsrcLimit;
    out_ssrcs_.known.push_back(hdr->ssrc);
  }
  int n = static_cast<int>(len);
  srtp_err_status_t s = srtp_protect(out_, buffer.data(), &n);
  if (s != srtp_err_status_ok) return map_error(s);
  return static_cast<size_t>(n);
}

SrtpResult<size_t> LibSrtp2Srtp::unprotect_rtp(base::MutableBytes buffer, size_t len) {
  if (in_ == nullptr) return SrtpError::NoKey;
  if (len > buffer.size() || len > (1u << 30)) return SrtpError::BufferTooSmall;
  auto hdr = parse_srtp_rtp_header(buffer.data(), len);
  if (!hdr) return hdr.error();
  const bool known = in_ssrcs_.has(hdr->ssrc);
  int n = static_cast<int>(len);
  srtp_err_status_t s = srtp_unprotect(in_, buffer.data(), &n);
  if (s != srtp_err_status_ok) return map_error(s);
  if (!known) {
    if (in_ssrcs_.known.size() >= max_ssrcs_) {
      srtp_remove_stream(in_, htonl(hdr->ssrc));
      return SrtpError::SsrcLimit;
    }
    in_ssrcs_.known.push_back(hdr->ssrc);
  }
  return static_cast<size_t>(n);
}

SrtpResult<size_t> LibSrtp2Srtp::protect_rtcp(base::MutableBytes buffer, size_t len) {
  if (out_ == nullptr) return SrtpError::NoKey;
  if (len > buffer.size() || len > (1u << 30)) return SrtpError::BufferTooSmall;
  if (len < 8) return SrtpError::TooShort;
  if (!srtp_rtcp_version_ok(buffer.data())) return SrtpError::BadHeader;
  if (buffer.size() - len < info_.rtcp_tag_len + 4) return SrtpError::BufferTooSmall;
  const uint32_t ssrc = base::load_be32(buffer.data() + 4);
  if (!out_ssrcs_.has(ssrc)) {
    if (out_ssrcs_.known.size() >= max_ssrcs_) return SrtpError::SsrcLimit;
    out_ssrcs_.known.push_back(ssrc);
  }
  int n = static_cast<int>(len);
  srtp_err_status_t s = srtp_protect_rtcp(out_, buffer.data(), &n);
  if (s != srtp_err_status_ok) return map_error(s);
  return static_cast<size_t>(n);
}

SrtpResult<size_t> LibSrtp2Srtp::unprotect_rtcp(base::MutableBytes buffer, size_t len) {
  if (in_ == nullptr) return SrtpError::NoKey;
  if (len > buffer.size() || len > (1u << 30)) return SrtpError::BufferTooSmall;
  if (len < 8 + info_.rtcp_tag_len + 4) return SrtpError::TooShort;
  if (!srtp_rtcp_version_ok(buffer.data())) return SrtpError::BadHeader;
  const uint32_t ssrc = base::load_be32(buffer.data() + 4);
  const bool known = in_ssrcs_.has(ssrc);
  int n = static_cast<int>(len);
  srtp_err_status_t s = srtp_unprotect_rtcp(in_, buffer.data(), &n);
  if (s != srtp_err_status_ok) return map_error(s);
  if (!known) {
    if (in_ssrcs_.known.size() >= max_ssrcs_) {
      srtp_remove_stream(in_, htonl(ssrc));
      return SrtpError::SsrcLimit;
    }
    in_ssrcs_.known.push_back(ssrc);
  }
  return static_cast<size_t>(n);
}

}  // namespace medley::rtp
