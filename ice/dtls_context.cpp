// DtlsContext: SSL_CTX setup for WebRTC's DTLS-SRTP (RFC 5763/5764, RFC 8827 §6.5).
#include "ice/dtls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace medley::ice {

// The peer's certificate is self-signed and vouched for only by the fingerprint in its SDP (RFC 8122 §5), so
// chain errors (self-signed, expired, unknown issuer) are accepted; what matters is the fingerprint, which
// DtlsTransport compares in this callback (defined in dtls_transport.cpp, where the session state is) so that a
// mismatch aborts the handshake with an alert, and again before it exports any key.
int dtls_verify_peer_callback(int preverify_ok, X509_STORE_CTX* store);

base::Result<std::shared_ptr<const DtlsContext>, std::string> DtlsContext::create(const Certificate& certificate,
                                                                             const char* srtp_profiles) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  if (ctx == nullptr) return openssl_errors("SSL_CTX_new(DTLS_method) failed");
  std::shared_ptr<const DtlsContext> out(new DtlsContext(certificate, ctx));

  // DTLS 1.0 is deprecated for WebRTC (RFC 8827 §6.5) and refused by current browsers.
  bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1;
  ok = ok && SSL_CTX_use_certificate(ctx, certificate.x509()) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, certificate.private_key()) == 1;
  ok = ok && SSL_CTX_check_private_key(ctx) == 1;
  if (!ok) return openssl_errors("DTLS context: certificate/key setup failed");

  // Forward-secret AEAD suites first, as browsers offer them; the CBC ones stay for old peers.
  ok = SSL_CTX_set_cipher_list(ctx,
                               "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                               "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                               "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                               "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
                               "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA") == 1;
  ok = ok && SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
  // SSL_CTX_set_tlsext_use_srtp returns 0 on success.
  ok = ok && SSL_CTX_set_tlsext_use_srtp(ctx, srtp_profiles) == 0;
  if (!ok) return openssl_errors("DTLS context: cipher, group or SRTP profile setup failed");

  // NO_QUERY_MTU: the MTU is ours (SSL_set_mtu), there is no socket to ask. No tickets, no session cache, no
  // renegotiation: every WebRTC DTLS session is a fresh full handshake with fresh SRTP keys.
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // An idle connection gives its record buffers back (tens of KB each way); WebRTC's DTLS is idle once SRTP keys
  // are exported, unless data channels run over it.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &dtls_verify_peer_callback);
  return out;
}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

}  // namespace medley::ice
