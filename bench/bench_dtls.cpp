// DTLS benchmarks: full DTLS-SRTP handshakes per core-second (client and server in one thread, so the CPU time
// counts both sides), certificate generation, and application-data records through a connected pair.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"

using namespace medley;
using namespace medley::ice;

namespace {

struct Pair {
  std::shared_ptr<const DtlsContext> client;
  std::shared_ptr<const DtlsContext> server;
};

std::string rsa_pem(const char* cn) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

const Pair& ecdsa_pair() {
  static const Pair p = [] {
    auto c = Certificate::generate();
    auto s = Certificate::generate();
    if (!c || !s) abort();
    return Pair{*DtlsContext::create(*c), *DtlsContext::create(*s)};
  }();
  return p;
}

const Pair& rsa_pair() {
  static const Pair p = [] {
    auto c = Certificate::from_pem(rsa_pem("client"));
    auto s = Certificate::from_pem(rsa_pem("server"));
    if (!c || !s) abort();
    return Pair{*DtlsContext::create(*c), *DtlsContext::create(*s)};
  }();
  return p;
}

DtlsTransportConfig config(DtlsRole role, const DtlsContext& peer) {
  return {.role = role, .remote_fingerprint = peer.certificate().fingerprint_sha256()};
}

// One full handshake; both connected, or abort (a benchmark of failures would measure nothing).
void handshake(DtlsTransport& client, DtlsTransport& server, DtlsOutbox& co, DtlsOutbox& so) {
  const base::Timestamp now = base::Timestamp::millis(1);
  client.start(now, co);
  for (int round = 0; round < 8; ++round) {
    for (auto& d : co.datagrams) server.handle_datagram(now, d, so);
    co.clear();
    for (auto& d : so.datagrams) client.handle_datagram(now, d, co);
    so.clear();
    if (client.state() == DtlsTransport::State::Connected && server.state() == DtlsTransport::State::Connected)
      return;
  }
  abort();
}

void run_handshakes(benchmark::State& state, const Pair& p) {
  DtlsOutbox co;
  DtlsOutbox so;
  for (auto _ : state) {
    DtlsTransport client(p.client, config(DtlsRole::Client, *p.server));
    DtlsTransport server(p.server, config(DtlsRole::Server, *p.client));
    handshake(client, server, co, so);
    co.clear();
    so.clear();
  }
  // Per CPU-second of this one thread, which ran both ends: the server's share alone is about half.
  state.counters["handshakes_per_core_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_DtlsHandshakeEcdsaP256(benchmark::State& state) { run_handshakes(state, ecdsa_pair()); }
BENCHMARK(BM_DtlsHandshakeEcdsaP256)->Unit(benchmark::kMillisecond);

void BM_DtlsHandshakeRsa2048(benchmark::State& state) { run_handshakes(state, rsa_pair()); }
BENCHMARK(BM_DtlsHandshakeRsa2048)->Unit(benchmark::kMillisecond);

void BM_CertificateGenerateEcdsaP256(benchmark::State& state) {
  for (auto _ : state) {
    auto c = Certificate::generate();
    if (!c) abort();
    benchmark::DoNotOptimize(c->fingerprint_sha256());
  }
}
BENCHMARK(BM_CertificateGenerateEcdsaP256)->Unit(benchmark::kMicrosecond);

void BM_DtlsContextCreate(benchmark::State& state) {
  auto c = Certificate::generate();
  if (!c) abort();
  for (auto _ : state) benchmark::DoNotOptimize(DtlsContext::create(*c));
}
BENCHMARK(BM_DtlsContextCreate)->Unit(benchmark::kMicrosecond);

// An SCTP-sized record each way through a connected pair (AES-128-GCM DTLS suite): send + receive.
void BM_DtlsApplicationData(benchmark::State& state) {
  const Pair& p = ecdsa_pair();
  DtlsOutbox co;
  DtlsOutbox so;
  DtlsTransport client(p.client, config(DtlsRole::Client, *p.server));
  DtlsTransport server(p.server, config(DtlsRole::Server, *p.client));
  handshake(client, server, co, so);
  co.clear();
  so.clear();
  std::vector<uint8_t> payload(static_cast<size_t>(state.range(0)), 0x5A);
  const base::Timestamp now = base::Timestamp::millis(2);
  for (auto _ : state) {
    client.send_application_data(payload, co);
    server.handle_datagram(now, co.datagrams[0], so);
    co.clear();
    so.clear();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_DtlsApplicationData)->Arg(100)->Arg(1100);

}  // namespace

BENCHMARK_MAIN();
