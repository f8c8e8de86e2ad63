// OpenSSL EVP ciphers fetched once, HMAC-SHA1 with precomputed pads, and per-session SRTP cipher state.
// Deprecated SHA1_* calls on purpose: see HmacSha1 in the header for the measurement.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "rtp/srtp/openssl_srtp_cipher.hpp"

#include <openssl/crypto.h>

#include <cstring>

#include "rtp/srtp/srtp_kdf.hpp"

namespace medley::rtp {

const EvpCiphers& evp_ciphers() {
  // A function-local static: initialised once, thread-safe by the language, kept for the process lifetime.
  static const EvpCiphers ciphers = {
      EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr),
  };
  return ciphers;
}

void HmacSha1::init(base::Bytes key) {
  uint8_t block[64] = {};
  if (key.size() > sizeof(block)) {
    SHA1(key.data(), key.size(), block);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[64];
  for (size_t i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, pad, sizeof(pad));
  for (size_t i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, pad, sizeof(pad));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

void HmacSha1::compute(base::Bytes a, base::Bytes b, uint8_t out[20]) const {
  SHA_CTX c = inner_;
  SHA1_Update(&c, a.data(), a.size());
  if (!b.empty()) SHA1_Update(&c, b.data(), b.size());
  SHA1_Final(out, &c);
  c = outer_;
  SHA1_Update(&c, out, 20);
  SHA1_Final(out, &c);
}

SrtpCipher::~SrtpCipher() {
  EVP_CIPHER_CTX_free(ctx_);
  OPENSSL_cleanse(salt_, sizeof(salt_));
  OPENSSL_cleanse(static_cast<void*>(&hmac_), sizeof(hmac_));
}

bool SrtpCipher::init(SrtpProfile profile, base::Bytes master_key, base::Bytes master_salt, bool rtcp,
                      bool encrypt) {
  const SrtpProfileInfo& info = profile_info(profile);
  const auto label = [rtcp](SrtpKdfLabel l) {
    return static_cast<SrtpKdfLabel>(static_cast<uint8_t>(l) + (rtcp ? 3 : 0));
  };
  uint8_t key[32];
  uint8_t salt[14];
  uint8_t auth_key[20];
  const size_t salt_len = info.aead ? 12 : 14;
  const size_t auth_len = info.aead ? 0 : 20;
  bool ok = srtp_kdf(master_key, master_salt, label(SrtpKdfLabel::RtpEncryption),
                     base::MutableBytes(key, info.master_key_len)) &&
            srtp_kdf(master_key, master_salt, label(SrtpKdfLabel::RtpSalt), base::MutableBytes(salt, salt_len)) &&
            (auth_len == 0 ||
             srtp_kdf(master_key, master_salt, label(SrtpKdfLabel::RtpAuth), base::MutableBytes(auth_key, auth_len)));
  ok = ok && init_session(profile, base::Bytes(key, info.master_key_len), base::Bytes(salt, salt_len),
                          base::Bytes(auth_key, auth_len), encrypt);
  OPENSSL_cleanse(key, sizeof(key));
  OPENSSL_cleanse(salt, sizeof(salt));
  OPENSSL_cleanse(auth_key, sizeof(auth_key));
  return ok;
}

bool SrtpCipher::init_session(SrtpProfile profile, base::Bytes key, base::Bytes salt, base::Bytes auth_key,
                              bool encrypt) {
  const SrtpProfileInfo& info = profile_info(profile);
  const EvpCiphers& ciphers = evp_ciphers();
  aead_ = info.aead;
  encrypt_ = encrypt;
  if (key.size() != info.master_key_len || salt.size() != (aead_ ? 12u : 14u) || (!aead_ && auth_key.size() != 20))
    return false;
  const EVP_CIPHER* cipher = aead_ ? (info.master_key_len == 32 ? ciphers.aes256_gcm : ciphers.aes128_gcm)
                                   : ciphers.aes128_ctr;
  if (cipher == nullptr) return false;
  std::memcpy(salt_, salt.data(), salt.size());
  if (!aead_) hmac_.init(auth_key);
  if (ctx_ == nullptr) ctx_ = EVP_CIPHER_CTX_new();
  return ctx_ != nullptr && EVP_CipherInit_ex(ctx_, cipher, nullptr, key.data(), nullptr, encrypt ? 1 : 0) == 1;
}

bool SrtpCipher::ctr(const uint8_t iv[16], uint8_t* data, size_t len) {
  int n = 0;
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1) return false;
  return len == 0 || EVP_EncryptUpdate(ctx_, data, &n, data, static_cast<int>(len)) == 1;
}

bool SrtpCipher::gcm(const uint8_t iv[12], base::Bytes aad1, base::Bytes aad2, uint8_t* data, size_t len,
                     uint8_t* tag) {
  int n = 0;
  if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, iv, encrypt_ ? 1 : 0) != 1) return false;
  if (!aad1.empty() && EVP_CipherUpdate(ctx_, nullptr, &n, aad1.data(), static_cast<int>(aad1.size())) != 1)
    return false;
  if (!aad2.empty() && EVP_CipherUpdate(ctx_, nullptr, &n, aad2.data(), static_cast<int>(aad2.size())) != 1)
    return false;
  if (len > 0 && EVP_CipherUpdate(ctx_, data, &n, data, static_cast<int>(len)) != 1) return false;
  uint8_t none[16];  // GCM's final writes no bytes
  if (encrypt_) {
    return EVP_CipherFinal_ex(ctx_, none, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1) return false;
  return EVP_CipherFinal_ex(ctx_, none, &n) == 1;
}

}  // namespace medley::rtp
