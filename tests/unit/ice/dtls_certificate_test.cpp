// Certificate generation, PEM loading and SDP fingerprints.
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"

using namespace medley;
using namespace medley::ice;

namespace {

constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

std::string pem_of(X509* x, EVP_PKEY* k, bool key_first = false, const EVP_CIPHER* enc = nullptr) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  auto write_key = [&] {
    static char pass[] = "secret";
    PEM_write_bio_PrivateKey(bio.get(), k, enc, enc ? reinterpret_cast<unsigned char*>(pass) : nullptr,
                             enc ? 6 : 0, nullptr, nullptr);
  };
  if (key_first) write_key();
  PEM_write_bio_X509(bio.get(), x);
  if (!key_first) write_key();
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// An RSA-2048 self-signed certificate made directly with OpenSSL, as an operator's pemCertificateRSA would be.
std::string make_rsa_pem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("rsa"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  std::string pem = pem_of(x, key);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

int64_t asn1_to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

TEST(Fingerprint, ParsesAndFormatsSdpValues) {
  auto fp = Fingerprint::parse("sha-256",
                               "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:"
                               "33:E8:70:88:A2");
  ASSERT_TRUE(fp);
  EXPECT_EQ(fp->algorithm, FingerprintAlgorithm::Sha256);
  ASSERT_EQ(fp->bytes.size(), 32u);
  EXPECT_EQ(fp->bytes[0], 0x19);
  EXPECT_EQ(fp->bytes[31], 0xA2);
  EXPECT_EQ(fp->to_sdp(),
            "sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2");

  // Case does not matter (RFC 8122 §5: the hex is case-insensitive; so is the hash name, RFC 4572 grammar).
  auto lower = Fingerprint::parse("SHA-256", "19:e2:1c:3b:4b:9f:81:e6:b8:5c:f4:a5:a8:d8:73:04:bb:05:2f:70:9f:04:a9:"
                                             "0e:05:e9:26:33:e8:70:88:a2");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, *fp);

  auto sha1 = Fingerprint::parse("sha-1", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
  ASSERT_TRUE(sha1);
  EXPECT_EQ(sha1->algorithm, FingerprintAlgorithm::Sha1);
  EXPECT_EQ(sha1->bytes.size(), 20u);
}

TEST(Fingerprint, RejectsMalformedValues) {
  const std::string ok32 = "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2";
  EXPECT_FALSE(Fingerprint::parse("md5", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B"));  // refused hash
  EXPECT_FALSE(Fingerprint::parse("sha-257", ok32));
  EXPECT_FALSE(Fingerprint::parse("sha-1", ok32));                       // length of another hash
  EXPECT_FALSE(Fingerprint::parse("sha-256", ok32.substr(0, ok32.size() - 3)));  // one byte short
  EXPECT_FALSE(Fingerprint::parse("sha-256", ok32 + ":00"));             // one byte long
  std::string bad_hex = ok32;
  bad_hex[4] = 'G';
  EXPECT_FALSE(Fingerprint::parse("sha-256", bad_hex));
  std::string bad_sep = ok32;
  bad_sep[2] = '-';
  EXPECT_FALSE(Fingerprint::parse("sha-256", bad_sep));
  EXPECT_FALSE(Fingerprint::parse("sha-256", ""));
  EXPECT_FALSE(Fingerprint::parse("", ""));
}

// From an SDP model's decoded bytes: the same value as parsing the text; a length that does not fit the hash or an
// unknown hash is refused.
TEST(Fingerprint, FromDecodedBytes) {
  auto text = Fingerprint::parse("sha-1", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
  ASSERT_TRUE(text);
  auto bytes = Fingerprint::from_bytes("SHA-1", text->bytes);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, *text);
  const std::vector<uint8_t> short_one(text->bytes.begin(), text->bytes.end() - 1);
  EXPECT_FALSE(Fingerprint::from_bytes("sha-1", short_one));
  EXPECT_FALSE(Fingerprint::from_bytes("sha-256", text->bytes));
  EXPECT_FALSE(Fingerprint::from_bytes("md5", std::vector<uint8_t>(16, 1)));
}

TEST(Certificate, GeneratesEcdsaP256SelfSigned) {
  auto c = Certificate::generate({.unix_time = kNow});
  ASSERT_TRUE(c) << c.error();
  X509* x = c->x509();
  EVP_PKEY* k = c->private_key();
  EXPECT_EQ(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
  char group[64] = {};
  size_t glen = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(k, group, sizeof group, &glen), 1);
  EXPECT_STREQ(group, "prime256v1");

  // Self-signed: subject == issuer, and its own key verifies the signature.
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
  EXPECT_EQ(X509_verify(x, k), 1);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "medley");

  // 30 days back, one year ahead, from the given time.
  EXPECT_EQ(asn1_to_unix(X509_get0_notBefore(x)), kNow - 30 * 86400);
  EXPECT_EQ(asn1_to_unix(X509_get0_notAfter(x)), kNow + 365 * 86400);

  // A positive, non-zero serial.
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr);
  EXPECT_FALSE(BN_is_negative(serial));
  EXPECT_FALSE(BN_is_zero(serial));
  BN_free(serial);

  // The SDP fingerprint: 32 bytes as uppercase hex pairs joined by colons, matching OpenSSL's own digest.
  const std::string s = c->fingerprint_sha256_string();
  ASSERT_EQ(s.size(), 32u * 3 - 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (i % 3 == 2)
      EXPECT_EQ(s[i], ':');
    else
      EXPECT_TRUE((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')) << s;
  }
  unsigned char md[32];
  unsigned int len = 0;
  X509_digest(x, EVP_sha256(), md, &len);
  EXPECT_EQ(c->fingerprint_sha256().bytes, std::vector<uint8_t>(md, md + 32));
  EXPECT_EQ(c->fingerprint(FingerprintAlgorithm::Sha512).bytes.size(), 64u);
  EXPECT_EQ(c->fingerprint(FingerprintAlgorithm::Sha1).bytes.size(), 20u);
  EXPECT_EQ(Fingerprint::parse("sha-256", s), c->fingerprint_sha256());
}

TEST(Certificate, EachGenerationIsANewIdentity) {
  auto a = Certificate::generate();
  auto b = Certificate::generate();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->fingerprint_sha256(), b->fingerprint_sha256());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->x509()), X509_get0_serialNumber(b->x509())), 0);
}

TEST(Certificate, PemRoundTripKeepsTheFingerprint) {
  auto c = Certificate::generate({.unix_time = kNow});
  ASSERT_TRUE(c);
  const std::string pem = c->to_pem();
  EXPECT_NE(pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto back = Certificate::from_pem(pem);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->fingerprint_sha256(), c->fingerprint_sha256());
  EXPECT_EQ(EVP_PKEY_eq(back->private_key(), c->private_key()), 1);
  // And it can serve as a DTLS identity.
  EXPECT_TRUE(DtlsContext::create(*back));
}

TEST(Certificate, PemWithTheKeyFirstLoadsToo) {
  auto c = Certificate::generate();
  ASSERT_TRUE(c);
  auto back = Certificate::from_pem(pem_of(c->x509(), c->private_key(), /*key_first=*/true));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->fingerprint_sha256(), c->fingerprint_sha256());
}

TEST(Certificate, RsaPemIsAccepted) {
  auto back = Certificate::from_pem(make_rsa_pem());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(EVP_PKEY_get_base_id(back->private_key()), EVP_PKEY_RSA);
  EXPECT_TRUE(DtlsContext::create(*back));
}

TEST(Certificate, BadPemIsAnErrorValue) {
  auto empty = Certificate::from_pem("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("empty"), std::string::npos);

  auto garbage = Certificate::from_pem("hello, not a PEM at all");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().find("CERTIFICATE"), std::string::npos) << garbage.error();

  auto a = Certificate::generate();
  auto b = Certificate::generate();
  ASSERT_TRUE(a && b);

  // Certificate only.
  std::string pem = a->to_pem();
  auto cert_only = Certificate::from_pem(pem.substr(0, pem.find("-----BEGIN PRIVATE KEY-----")));
  ASSERT_FALSE(cert_only);
  EXPECT_NE(cert_only.error().find("PRIVATE KEY"), std::string::npos) << cert_only.error();

  // Key of another certificate.
  auto mismatch = Certificate::from_pem(pem_of(a->x509(), b->private_key()));
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().find("does not match"), std::string::npos) << mismatch.error();

  // An encrypted key: refused, never a passphrase prompt.
  auto encrypted = Certificate::from_pem(pem_of(a->x509(), a->private_key(), false, EVP_aes_128_cbc()));
  ASSERT_FALSE(encrypted);
  EXPECT_NE(encrypted.error().find("PRIVATE KEY"), std::string::npos) << encrypted.error();

  // A certificate block with its base64 cut short.
  std::string cut = pem;
  cut.erase(100, 200);
  EXPECT_FALSE(Certificate::from_pem(cut));
}
