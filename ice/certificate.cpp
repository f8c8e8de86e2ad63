// Certificate generation and PEM loading on OpenSSL 3; SDP fingerprints (RFC 8122).
#include "ice/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cctype>
#include <climits>

namespace medley::ice {
namespace {

struct AlgorithmInfo {
  FingerprintAlgorithm algorithm;
  std::string_view name;
  size_t len;
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {FingerprintAlgorithm::Sha1, "sha-1", 20},     {FingerprintAlgorithm::Sha224, "sha-224", 28},
    {FingerprintAlgorithm::Sha256, "sha-256", 32}, {FingerprintAlgorithm::Sha384, "sha-384", 48},
    {FingerprintAlgorithm::Sha512, "sha-512", 64},
};

const EVP_MD* digest_of(FingerprintAlgorithm a) {
  switch (a) {
    case FingerprintAlgorithm::Sha1: return EVP_sha1();
    case FingerprintAlgorithm::Sha224: return EVP_sha224();
    case FingerprintAlgorithm::Sha256: return EVP_sha256();
    case FingerprintAlgorithm::Sha384: return EVP_sha384();
    case FingerprintAlgorithm::Sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return BioPtr(nullptr, &BIO_free);
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

// PEM reading must never prompt for a passphrase on a terminal: encrypted keys simply fail.
int no_passphrase(char*, int, int, void*) { return -1; }

std::shared_ptr<X509> own(X509* x) { return std::shared_ptr<X509>(x, &X509_free); }
std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, &EVP_PKEY_free); }

}  // namespace

std::string_view name(FingerprintAlgorithm a) {
  for (const auto& i : kAlgorithms)
    if (i.algorithm == a) return i.name;
  return "sha-256";
}

size_t digest_len(FingerprintAlgorithm a) {
  for (const auto& i : kAlgorithms)
    if (i.algorithm == a) return i.len;
  return 32;
}

std::optional<FingerprintAlgorithm> fingerprint_algorithm_from_name(std::string_view sdp_name) {
  for (const auto& i : kAlgorithms) {
    if (i.name.size() != sdp_name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < sdp_name.size() && same; ++k)
      same = std::tolower(static_cast<unsigned char>(sdp_name[k])) == i.name[k];
    if (same) return i.algorithm;
  }
  return std::nullopt;
}

std::optional<Fingerprint> Fingerprint::parse(std::string_view algorithm, std::string_view value) {
  auto alg = fingerprint_algorithm_from_name(algorithm);
  if (!alg) return std::nullopt;
  const size_t n = digest_len(*alg);
  // Exactly n hex pairs joined by n-1 colons.
  if (value.size() != n * 3 - 1) return std::nullopt;
  Fingerprint fp{*alg, {}};
  fp.bytes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t at = i * 3;
    if (i > 0 && value[at - 1] != ':') return std::nullopt;
    int hi = hex_value(value[at]);
    int lo = hex_value(value[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    fp.bytes.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return fp;
}

std::optional<Fingerprint> Fingerprint::from_bytes(std::string_view algorithm, base::Bytes bytes) {
  auto alg = fingerprint_algorithm_from_name(algorithm);
  if (!alg || bytes.size() != digest_len(*alg)) return std::nullopt;
  return Fingerprint{*alg, std::vector<uint8_t>(bytes.begin(), bytes.end())};
}

std::optional<Fingerprint> Fingerprint::of(X509* cert, FingerprintAlgorithm algorithm) {
  if (cert == nullptr) return std::nullopt;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, digest_of(algorithm), md, &len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return Fingerprint{algorithm, std::vector<uint8_t>(md, md + len)};
}

std::string Fingerprint::value() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.empty() ? 0 : bytes.size() * 3 - 1);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::string openssl_errors(std::string_view what) {
  std::string out(what);
  bool first = true;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += first ? ": " : "; ";
    out += buf;
    first = false;
  }
  return out;
}

Certificate::Certificate(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key)
    : cert_(std::move(cert)), key_(std::move(key)) {
  sha256_ = Fingerprint::of(cert_.get(), FingerprintAlgorithm::Sha256).value_or(Fingerprint{});
}

base::Result<Certificate, std::string> Certificate::generate(const CertificateOptions& options) {
  ERR_clear_error();
  // ECDSA P-256: what browsers make for WebRTC, and signs ~20x faster than RSA-2048 in the handshake.
  auto key = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return openssl_errors("ECDSA P-256 key generation failed");
  auto cert = own(X509_new());
  if (!cert) return openssl_errors("X509_new failed");

  // A random positive serial (RFC 5280 §4.1.2.2: at most 20 octets, positive): 63 random bits.
  uint8_t serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return openssl_errors("RAND_bytes failed");
  serial_bytes[0] &= 0x7F;
  serial_bytes[0] |= 0x01;  // never zero
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr), &BN_free);
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
    return openssl_errors("setting the serial failed");

  bool ok = X509_set_version(cert.get(), 2) == 1;  // v3
  if (options.unix_time > 0) {
    const time_t now = static_cast<time_t>(options.unix_time);
    time_t t = now;
    ok = ok && X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -options.valid_before_s, &t) != nullptr;
    t = now;
    ok = ok && X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, options.valid_after_s, &t) != nullptr;
  } else {
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -options.valid_before_s) != nullptr;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), options.valid_after_s) != nullptr;
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1,
                                        -1, 0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1;
  ok = ok && X509_set_pubkey(cert.get(), key.get()) == 1;
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return openssl_errors("building the self-signed certificate failed");
  return Certificate(std::move(cert), std::move(key));
}

base::Result<Certificate, std::string> Certificate::from_pem(std::string_view pem) {
  ERR_clear_error();
  if (pem.empty()) return std::string("empty PEM");
  // Two passes over the text: PEM_read_bio_* skips blocks of other types, so the order does not matter.
  auto cert_bio = memory_bio(pem);
  auto key_bio = memory_bio(pem);
  if (!cert_bio || !key_bio) return openssl_errors("PEM too large");
  auto cert = own(PEM_read_bio_X509(cert_bio.get(), nullptr, &no_passphrase, nullptr));
  if (!cert) return openssl_errors("no readable CERTIFICATE block in the PEM");
  ERR_clear_error();
  auto key = own(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &no_passphrase, nullptr));
  if (!key) return openssl_errors("no readable (unencrypted) PRIVATE KEY block in the PEM");
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA)
    return std::string("unsupported private key type (ECDSA or RSA expected)");
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return openssl_errors("the private key does not match the certificate");
  return Certificate(std::move(cert), std::move(key));
}

std::string Certificate::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1 ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

Fingerprint Certificate::fingerprint(FingerprintAlgorithm algorithm) const {
  if (algorithm == FingerprintAlgorithm::Sha256) return sha256_;
  return Fingerprint::of(cert_.get(), algorithm).value_or(Fingerprint{algorithm, {}});
}

}  // namespace medley::ice
