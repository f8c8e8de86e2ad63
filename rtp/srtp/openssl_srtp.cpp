// SRTP/SRTCP packet processing on OpenSSL: IVs, what is encrypted and authenticated, index and replay rules.
#include "rtp/srtp/openssl_srtp.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace medley::rtp {
namespace {

constexpr uint32_t kSrtcpEBit = 0x80000000u;
constexpr uint32_t kSrtcpMaxIndex = 0x7FFFFFFFu;
// EVP takes int lengths; libsrtp2 takes an int too. Nothing real comes near (UDP carries at most 64 KiB).
constexpr size_t kMaxPacket = 1u << 30;

// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i the 48-bit SRTP or 31-bit SRTCP index.
void aes_cm_iv(const uint8_t* salt14, uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
  uint8_t in[16] = {};
  base::store_be32(in + 4, ssrc);
  base::store_be64(in + 8, index << 16);
  for (size_t i = 0; i < 14; ++i) iv[i] = in[i] ^ salt14[i];
  iv[14] = in[14];
  iv[15] = in[15];
}

// RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt.
void gcm_rtp_iv(const uint8_t* salt12, uint32_t ssrc, uint64_t index, uint8_t iv[12]) {
  uint8_t in[12] = {};
  base::store_be32(in + 2, ssrc);
  base::store_be32(in + 6, static_cast<uint32_t>(index >> 16));
  base::store_be16(in + 10, static_cast<uint16_t>(index));
  for (size_t i = 0; i < 12; ++i) iv[i] = in[i] ^ salt12[i];
}

// RFC 7714 §9.1: IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt.
void gcm_rtcp_iv(const uint8_t* salt12, uint32_t ssrc, uint32_t index, uint8_t iv[12]) {
  uint8_t in[12] = {};
  base::store_be32(in + 2, ssrc);
  base::store_be32(in + 8, index);
  for (size_t i = 0; i < 12; ++i) iv[i] = in[i] ^ salt12[i];
}

}  // namespace

std::unique_ptr<OpenSslSrtp> OpenSslSrtp::create(SrtpProfile profile, std::optional<Keys> outbound,
                                                 std::optional<Keys> inbound, size_t window_bits,
                                                 size_t max_ssrcs) {
  std::unique_ptr<OpenSslSrtp> s(new OpenSslSrtp(profile));
  auto make = [&](const Keys& k, bool encrypt) -> std::unique_ptr<Direction> {
    auto d = std::make_unique<Direction>(window_bits, max_ssrcs);
    if (!d->rtp.init(profile, k.key, k.salt, false, encrypt) || !d->rtcp.init(profile, k.key, k.salt, true, encrypt))
      return nullptr;
    return d;
  };
  if (outbound && !(s->out_ = make(*outbound, true))) return nullptr;
  if (inbound && !(s->in_ = make(*inbound, false))) return nullptr;
  return s;
}

std::unique_ptr<OpenSslSrtp> OpenSslSrtp::create_from_session_keys(SrtpProfile profile, const SessionKeys& rtp,
                                                                   const SessionKeys& rtcp, bool outbound) {
  std::unique_ptr<OpenSslSrtp> s(new OpenSslSrtp(profile));
  auto d = std::make_unique<Direction>(1024, 16);
  if (!d->rtp.init_session(profile, rtp.key, rtp.salt, rtp.auth_key, outbound) ||
      !d->rtcp.init_session(profile, rtcp.key, rtcp.salt, rtcp.auth_key, outbound))
    return nullptr;
  (outbound ? s->out_ : s->in_) = std::move(d);
  return s;
}

bool OpenSslSrtp::remove_ssrc(uint32_t ssrc) {
  bool removed = false;
  if (out_) removed |= out_->streams.remove(ssrc);
  if (in_) removed |= in_->streams.remove(ssrc);
  return removed;
}

SrtpResult<size_t> OpenSslSrtp::protect_rtp(base::MutableBytes buffer, size_t len) {
  if (!out_) return SrtpError::NoKey;
  if (len > buffer.size() || len > kMaxPacket) return SrtpError::BufferTooSmall;
  uint8_t* p = buffer.data();
  const size_t tag_len = info_.rtp_tag_len;
  auto hdr = parse_srtp_rtp_header(p, len);
  if (!hdr) return hdr.error();
  if (buffer.size() - len < tag_len) return SrtpError::BufferTooSmall;

  SrtpStreamState* st = out_->streams.find_or_add(hdr->ssrc);
  if (st == nullptr) return SrtpError::SsrcLimit;
  RtpReplayWindow::Estimate est;
  if (!st->rtp.estimate(hdr->seq, est)) return SrtpError::KeyLimit;
  // A sender never reuses an index: the same index twice would reuse keystream (RFC 3711 §9.1).
  if (!st->rtp.check(est)) return SrtpError::Replay;
  st->rtp.add(est);

  uint8_t* payload = p + hdr->header_len;
  const size_t payload_len = len - hdr->header_len;
  SrtpCipher& c = out_->rtp;
  if (c.aead()) {
    uint8_t iv[12];
    gcm_rtp_iv(c.salt(), hdr->ssrc, est.index, iv);
    if (!c.gcm(iv, base::Bytes(p, hdr->header_len), {}, payload, payload_len, p + len)) return SrtpError::Internal;
  } else {
    uint8_t iv[16];
    aes_cm_iv(c.salt(), hdr->ssrc, est.index, iv);
    if (!c.ctr(iv, payload, payload_len)) return SrtpError::Internal;
    // RFC 3711 §4.2: the tag covers the packet then the ROC.
    uint8_t roc[4];
    base::store_be32(roc, static_cast<uint32_t>(est.index >> 16));
    uint8_t mac[20];
    c.hmac(base::Bytes(p, len), roc, mac);
    std::memcpy(p + len, mac, tag_len);
  }
  return len + tag_len;
}

SrtpResult<size_t> OpenSslSrtp::unprotect_rtp(base::MutableBytes buffer, size_t len) {
  if (!in_) return SrtpError::NoKey;
  if (len > buffer.size() || len > kMaxPacket) return SrtpError::BufferTooSmall;
  uint8_t* p = buffer.data();
  const size_t tag_len = info_.rtp_tag_len;
  auto hdr = parse_srtp_rtp_header(p, len);
  if (!hdr) return hdr.error();
  if (len - hdr->header_len < tag_len) return SrtpError::TooShort;

  // A new SSRC gets state only once a packet of it authenticates; until then its ROC is taken as 0.
  SrtpStreamState* st = in_->streams.find(hdr->ssrc);
  RtpReplayWindow::Estimate est{hdr->seq, hdr->seq};
  if (st != nullptr) {
    if (!st->rtp.estimate(hdr->seq, est)) return SrtpError::KeyLimit;
    if (!st->rtp.check(est)) return SrtpError::Replay;
  }

  uint8_t* payload = p + hdr->header_len;
  const size_t payload_len = len - hdr->header_len - tag_len;
  uint8_t* tag = p + len - tag_len;
  SrtpCipher& c = in_->rtp;
  if (c.aead()) {
    uint8_t iv[12];
    gcm_rtp_iv(c.salt(), hdr->ssrc, est.index, iv);
    if (!c.gcm(iv, base::Bytes(p, hdr->header_len), {}, payload, payload_len, tag)) return SrtpError::BadAuth;
  } else {
    uint8_t roc[4];
    base::store_be32(roc, static_cast<uint32_t>(est.index >> 16));
    uint8_t mac[20];
    c.hmac(base::Bytes(p, len - tag_len), roc, mac);
    if (CRYPTO_memcmp(mac, tag, tag_len) != 0) return SrtpError::BadAuth;
    uint8_t iv[16];
    aes_cm_iv(c.salt(), hdr->ssrc, est.index, iv);
    if (!c.ctr(iv, payload, payload_len)) return SrtpError::Internal;
  }

  // RFC 3711 §3.3.1: ROC and replay list move only after authentication.
  if (st == nullptr && (st = in_->streams.find_or_add(hdr->ssrc)) == nullptr) return SrtpError::SsrcLimit;
  st->rtp.add(est);
  return len - tag_len;
}

SrtpResult<size_t> OpenSslSrtp::protect_rtcp(base::MutableBytes buffer, size_t len) {
  if (!out_) return SrtpError::NoKey;
  if (len > buffer.size() || len > kMaxPacket) return SrtpError::BufferTooSmall;
  if (len < 8) return SrtpError::TooShort;
  uint8_t* p = buffer.data();
  if (!srtp_rtcp_version_ok(p)) return SrtpError::BadHeader;
  const size_t tag_len = info_.rtcp_tag_len;
  if (buffer.size() - len < tag_len + 4) return SrtpError::BufferTooSmall;
  const uint32_t ssrc = base::load_be32(p + 4);

  SrtpStreamState* st = out_->streams.find_or_add(ssrc);
  if (st == nullptr) return SrtpError::SsrcLimit;
  if (st->srtcp_index >= kSrtcpMaxIndex) return SrtpError::KeyLimit;
  const uint32_t index = ++st->srtcp_index;

  // RFC 3711 §3.4: everything after the first 8 bytes (the first header and sender SSRC) is encrypted.
  uint8_t* payload = p + 8;
  const size_t payload_len = len - 8;
  SrtpCipher& c = out_->rtcp;
  if (c.aead()) {
    // RFC 7714 §9: header || ciphertext || tag || E+index; AAD = header || E+index.
    uint8_t* trailer = p + len + tag_len;
    base::store_be32(trailer, kSrtcpEBit | index);
    uint8_t iv[12];
    gcm_rtcp_iv(c.salt(), ssrc, index, iv);
    if (!c.gcm(iv, base::Bytes(p, 8), base::Bytes(trailer, 4), payload, payload_len, p + len))
      return SrtpError::Internal;
  } else {
    // RFC 3711 §3.4: header || ciphertext || E+index || tag; the tag covers everything before it.
    base::store_be32(p + len, kSrtcpEBit | index);
    uint8_t iv[16];
    aes_cm_iv(c.salt(), ssrc, index, iv);
    if (!c.ctr(iv, payload, payload_len)) return SrtpError::Internal;
    uint8_t mac[20];
    c.hmac(base::Bytes(p, len + 4), {}, mac);
    std::memcpy(p + len + 4, mac, tag_len);
  }
  return len + tag_len + 4;
}

SrtpResult<size_t> OpenSslSrtp::unprotect_rtcp(base::MutableBytes buffer, size_t len) {
  if (!in_) return SrtpError::NoKey;
  if (len > buffer.size() || len > kMaxPacket) return SrtpError::BufferTooSmall;
  const size_t tag_len = info_.rtcp_tag_len;
  if (len < 8 + tag_len + 4) return SrtpError::TooShort;
  uint8_t* p = buffer.data();
  if (!srtp_rtcp_version_ok(p)) return SrtpError::BadHeader;
  const uint32_t ssrc = base::load_be32(p + 4);
  SrtpCipher& c = in_->rtcp;
  const size_t plain_len = len - tag_len - 4;
  uint8_t* trailer = c.aead() ? p + len - 4 : p + plain_len;
  const uint32_t word = base::load_be32(trailer);
  const bool encrypted = (word & kSrtcpEBit) != 0;
  const uint32_t index = word & kSrtcpMaxIndex;

  SrtpStreamState* st = in_->streams.find(ssrc);
  if (c.aead()) {
    if (st != nullptr && !st->rtcp.check(index)) return SrtpError::Replay;
    uint8_t iv[12];
    gcm_rtcp_iv(c.salt(), ssrc, index, iv);
    uint8_t* tag = p + plain_len;
    // RFC 7714 §9.3: without the E-bit the whole compound is AAD and nothing is decrypted.
    bool ok = encrypted ? c.gcm(iv, base::Bytes(p, 8), base::Bytes(trailer, 4), p + 8, plain_len - 8, tag)
                        : c.gcm(iv, base::Bytes(p, plain_len), base::Bytes(trailer, 4), nullptr, 0, tag);
    if (!ok) return SrtpError::BadAuth;
  } else {
    // We always encrypt SRTCP; as libsrtp2, an AES-CM packet claiming to be clear is refused.
    if (!encrypted) return SrtpError::BadHeader;
    if (st != nullptr && !st->rtcp.check(index)) return SrtpError::Replay;
    uint8_t mac[20];
    c.hmac(base::Bytes(p, len - tag_len), {}, mac);
    if (CRYPTO_memcmp(mac, p + len - tag_len, tag_len) != 0) return SrtpError::BadAuth;
    uint8_t iv[16];
    aes_cm_iv(c.salt(), ssrc, index, iv);
    if (!c.ctr(iv, p + 8, plain_len - 8)) return SrtpError::Internal;
  }

  if (st == nullptr && (st = in_->streams.find_or_add(ssrc)) == nullptr) return SrtpError::SsrcLimit;
  st->rtcp.add(index);
  return plain_len;
}

}  // namespace medley::rtp
