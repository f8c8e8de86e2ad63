// StunIntegrityKey: HMAC-SHA1/SHA256 pad states prepared once per key, MD5 long-term key derivation.
// Deprecated SHA1_*/SHA256_*/MD5 calls on purpose: copying a prepared SHA_CTX is the cheapest reusable HMAC key
// state in OpenSSL 3 (see rtp::HmacSha1 for the measurement), and an ICE agent keys every check the same way.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ice/stun_integrity.hpp"

#include <openssl/crypto.h>
#include <openssl/md5.h>

#include <cstring>

namespace medley::ice {
namespace {

template <class Ctx, size_t kDigest>
void prepare_pads(base::Bytes key, Ctx& inner, Ctx& outer, int (*init)(Ctx*), int (*update)(Ctx*, const void*, size_t),
                  unsigned char* (*oneshot)(const unsigned char*, size_t, unsigned char*)) {
  uint8_t block[64] = {};
  if (key.size() > sizeof(block)) {
    oneshot(key.data(), key.size(), block);  // RFC 2104: keys longer than the block are hashed first
    static_assert(kDigest <= sizeof(block));
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[64];
  for (size_t i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x36;
  init(&inner);
  update(&inner, pad, sizeof(pad));
  for (size_t i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x5c;
  init(&outer);
  update(&outer, pad, sizeof(pad));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

}  // namespace

StunIntegrityKey::StunIntegrityKey() : StunIntegrityKey(base::Bytes{}) {}

StunIntegrityKey::StunIntegrityKey(base::Bytes key) {
  prepare_pads<SHA_CTX, 20>(key, sha1_inner_, sha1_outer_, SHA1_Init, SHA1_Update, SHA1);
  prepare_pads<SHA256_CTX, 32>(key, sha256_inner_, sha256_outer_, SHA256_Init, SHA256_Update, SHA256);
}

StunIntegrityKey::~StunIntegrityKey() {
  OPENSSL_cleanse(&sha1_inner_, sizeof(sha1_inner_));
  OPENSSL_cleanse(&sha1_outer_, sizeof(sha1_outer_));
  OPENSSL_cleanse(&sha256_inner_, sizeof(sha256_inner_));
  OPENSSL_cleanse(&sha256_outer_, sizeof(sha256_outer_));
}

StunIntegrityKey StunIntegrityKey::short_term(std::string_view password) {
  return StunIntegrityKey(base::Bytes(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
}

std::array<uint8_t, 16> StunIntegrityKey::long_term_md5(std::string_view username, std::string_view realm,
                                                         std::string_view password) {
  std::array<uint8_t, 16> out{};
  MD5_CTX c;
  MD5_Init(&c);
  MD5_Update(&c, username.data(), username.size());
  MD5_Update(&c, ":", 1);
  MD5_Update(&c, realm.data(), realm.size());
  MD5_Update(&c, ":", 1);
  MD5_Update(&c, password.data(), password.size());
  MD5_Final(out.data(), &c);
  OPENSSL_cleanse(&c, sizeof(c));
  return out;
}

StunIntegrityKey StunIntegrityKey::long_term(std::string_view username, std::string_view realm,
                                             std::string_view password) {
  std::array<uint8_t, 16> k = long_term_md5(username, realm, password);
  StunIntegrityKey key{base::Bytes(k)};
  OPENSSL_cleanse(k.data(), k.size());
  return key;
}

void StunIntegrityKey::hmac_sha1(base::Bytes a, base::Bytes b, base::Bytes c, uint8_t out[20]) const {
  SHA_CTX ctx = sha1_inner_;
  if (!a.empty()) SHA1_Update(&ctx, a.data(), a.size());
  if (!b.empty()) SHA1_Update(&ctx, b.data(), b.size());
  if (!c.empty()) SHA1_Update(&ctx, c.data(), c.size());
  SHA1_Final(out, &ctx);
  ctx = sha1_outer_;
  SHA1_Update(&ctx, out, 20);
  SHA1_Final(out, &ctx);
}

void StunIntegrityKey::hmac_sha256(base::Bytes a, base::Bytes b, base::Bytes c, uint8_t out[32]) const {
  SHA256_CTX ctx = sha256_inner_;
  if (!a.empty()) SHA256_Update(&ctx, a.data(), a.size());
  if (!b.empty()) SHA256_Update(&ctx, b.data(), b.size());
  if (!c.empty()) SHA256_Update(&ctx, c.data(), c.size());
  SHA256_Final(out, &ctx);
  ctx = sha256_outer_;
  SHA256_Update(&ctx, out, 32);
  SHA256_Final(out, &ctx);
}

}  // namespace medley::ice
