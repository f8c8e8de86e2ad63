// Certificate (our DTLS identity: key + self-signed X.509) and Fingerprint (RFC 8122 a=fingerprint values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/base/bytes.hpp"
#include "rtp/base/result.hpp"

// OpenSSL types, so this header does not pull in OpenSSL.
typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

namespace medley::ice {

// Hash functions RFC 8122 §5 lets an SDP fingerprint name (MD5/MD2 are refused: too weak to mean anything).
enum class FingerprintAlgorithm : uint8_t { Sha1, Sha224, Sha256, Sha384, Sha512 };

std::string_view name(FingerprintAlgorithm a);  // as SDP spells it: "sha-256"
std::optional<FingerprintAlgorithm> fingerprint_algorithm_from_name(std::string_view sdp_name);  // any case
size_t digest_len(FingerprintAlgorithm a);

// A certificate fingerprint: the hash of its DER encoding (RFC 8122 §5).
struct Fingerprint {
  FingerprintAlgorithm algorithm = FingerprintAlgorithm::Sha256;
  std::vector<uint8_t> bytes;

  // From the two halves of "a=fingerprint:sha-256 AB:CD:...": hex pairs separated by colons, any case.
  // nullopt for an unknown algorithm, bad hex or a length that does not match the algorithm.
  static std::optional<Fingerprint> parse(std::string_view algorithm, std::string_view value);
  // The same from bytes already decoded (an SDP model's a=fingerprint); nullopt as for parse().
  static std::optional<Fingerprint> from_bytes(std::string_view algorithm, base::Bytes bytes);
  // The hash of cert's DER encoding; nullopt only if OpenSSL fails.
  static std::optional<Fingerprint> of(X509* cert, FingerprintAlgorithm algorithm);

  std::string value() const;                                                   // "AB:CD:..." (uppercase)
  std::string to_sdp() const { return std::string(name(algorithm)) + " " + value(); }  // "sha-256 AB:..."
  bool operator==(const Fingerprint&) const = default;
};

struct CertificateOptions {
  std::string common_name = "medley";
  // Wall-clock "now" in seconds since the UNIX epoch for the validity window; 0 lets OpenSSL read the wall clock
  // (a certificate is made once at start-up, not on the media path; tests pass a fixed value).
  int64_t unix_time = 0;
  int64_t valid_before_s = 30 * 86400;  // notBefore = now - this: tolerates peers with clocks running behind
  int64_t valid_after_s = 365 * 86400;  // notAfter = now + this
};

// A private key and its X.509 certificate. Immutable; copies share the same OpenSSL objects.
class Certificate {
 public:
  // A fresh ECDSA P-256 key and a self-signed certificate with a random 64-bit serial.
  static base::Result<Certificate, std::string> generate(const CertificateOptions& options = {});
  // A certificate and its private key from PEM text (one PEM holding both, in any order, as Kurento's
  // pemCertificateECDSA / pemCertificateRSA files do). ECDSA and RSA keys are accepted; encrypted keys are not.
  // The first CERTIFICATE block is ours; further ones (a chain) are ignored.
  static base::Result<Certificate, std::string> from_pem(std::string_view pem);

  // The certificate then the private key (PKCS#8), both PEM: what from_pem() reads back.
  std::string to_pem() const;

  Fingerprint fingerprint(FingerprintAlgorithm algorithm) const;
  const Fingerprint& fingerprint_sha256() const { return sha256_; }
  // "AB:CD:..." as SDP's a=fingerprint:sha-256 wants it.
  std::string fingerprint_sha256_string() const { return sha256_.value(); }

  X509* x509() const { return cert_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }

 private:
  Certificate(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key);

  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
  Fingerprint sha256_;
};

// The OpenSSL error queue as one line (and cleared), for error messages.
std::string openssl_errors(std::string_view what);

}  // namespace medley::ice
