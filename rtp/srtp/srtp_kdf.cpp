// SRTP key derivation on OpenSSL AES-CTR.
#include "rtp/srtp/srtp_kdf.hpp"

#include <cstring>

#include "rtp/srtp/openssl_srtp_cipher.hpp"

namespace medley::rtp {

bool srtp_kdf(base::Bytes master_key, base::Bytes master_salt, SrtpKdfLabel label, base::MutableBytes out) {
  const EvpCiphers& c = evp_ciphers();
  const EVP_CIPHER* cipher = master_key.size() == 16 ? c.aes128_ctr : master_key.size() == 32 ? c.aes256_ctr : nullptr;
  if (cipher == nullptr || master_salt.size() > 14) return false;
  uint8_t iv[16] = {};
  std::memcpy(iv, master_salt.data(), master_salt.size());
  // key_id = label || index DIV kdr; with kdr 0 the index part is zero, so only the label byte lands, at
  // bit 48 of the 112-bit salt (byte 7 of 14).
  iv[7] ^= static_cast<uint8_t>(label);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return false;
  bool ok = EVP_EncryptInit_ex(ctx, cipher, nullptr, master_key.data(), iv) == 1;
  std::memset(out.data(), 0, out.size());
  int n = 0;
  ok = ok && EVP_EncryptUpdate(ctx, out.data(), &n, out.data(), static_cast<int>(out.size())) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

}  // namespace medley::rtp
