// STUN costs per message on the ICE hot paths: receiving a binding request (parse + MESSAGE-INTEGRITY +
// FINGERPRINT) and answering it (building a binding success response), plus their parts.
//
// Run: build/hr/bench/bench_stun --benchmark_repetitions=3 --benchmark_min_time=0.2 (use the medians).
// "CPU" is ns per message. The request is the shape libwebrtc sends (USERNAME 4+1+4 chars, GOOG-NETWORK-INFO,
// ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT: 100 bytes) with a 24-char password.
// BM_VerifyIntegrity_OneShotHmac shows what the prepared StunIntegrityKey saves over OpenSSL's HMAC() with the
// password each time; BM_KeyFromPassword is the one-off cost of preparing it.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <vector>

#include "ice/stun_message.hpp"
#include "ice/stun_writer.hpp"

using namespace medley;
using namespace medley::ice;

namespace {

constexpr std::string_view kPassword = "98szF+9MTKDhGHtuSYkBLdb/";

std::vector<uint8_t> make_request() {
  const StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
  uint8_t buf[256];
  const StunTransactionId txid = {0x56, 0x43, 0x33, 0x48, 0x49, 0x78, 0x4c, 0x44, 0x46, 0x6d, 0x48, 0x76};
  StunWriter w(buf, StunMethod::Binding, StunClass::Request, txid);
  w.add_username("F2oW:rR1Q");
  const uint8_t net[4] = {0, 2, 0, 0};
  w.add(StunAttr::GoogNetworkInfo, net);
  w.add_ice_controlling(0xe49d094b7a833583ull);
  w.add_use_candidate();
  w.add_priority(1853829887);
  w.add_message_integrity(key);
  w.add_fingerprint();
  const auto out = w.finish();
  return std::vector<uint8_t>(out->begin(), out->end());
}

void BM_ReceiveBindingRequest(benchmark::State& state) {
  const auto req = make_request();
  const StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
  for (auto _ : state) {
    auto m = StunMessageView::parse(req);
    bool ok = m.ok() && verify_fingerprint(*m) && verify_integrity(*m, key) && m->username().has_value() &&
              m->priority().has_value() && m->unknown_comprehension_required().empty();
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ReceiveBindingRequest);

void BM_Parse(benchmark::State& state) {
  const auto req = make_request();
  for (auto _ : state) {
    auto m = StunMessageView::parse(req);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_Parse);

void BM_VerifyIntegrity(benchmark::State& state) {
  const auto req = make_request();
  const auto m = *StunMessageView::parse(req);
  const StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
  for (auto _ : state) benchmark::DoNotOptimize(verify_integrity(m, key));
}
BENCHMARK(BM_VerifyIntegrity);

// The same check with OpenSSL's one-shot HMAC() keyed from the password every time (what code without a
// prepared key does): copies the message to patch the length field, then HMAC(EVP_sha1()).
void BM_VerifyIntegrity_OneShotHmac(benchmark::State& state) {
  const auto req = make_request();
  const auto m = *StunMessageView::parse(req);
  const size_t at = m.integrity_offset();
  std::vector<uint8_t> copy(req.begin(), req.begin() + static_cast<std::ptrdiff_t>(at));
  for (auto _ : state) {
    std::memcpy(copy.data(), req.data(), at);
    copy[2] = 0;
    copy[3] = static_cast<uint8_t>(at + 24 - 20);
    uint8_t mac[20];
    unsigned int len = 0;
    HMAC(EVP_sha1(), kPassword.data(), static_cast<int>(kPassword.size()), copy.data(), at, mac, &len);
    benchmark::DoNotOptimize(std::memcmp(mac, req.data() + at + 4, 20) == 0);
  }
}
BENCHMARK(BM_VerifyIntegrity_OneShotHmac);

void BM_VerifyFingerprint(benchmark::State& state) {
  const auto req = make_request();
  const auto m = *StunMessageView::parse(req);
  for (auto _ : state) benchmark::DoNotOptimize(verify_fingerprint(m));
}
BENCHMARK(BM_VerifyFingerprint);

void BM_KeyFromPassword(benchmark::State& state) {
  for (auto _ : state) {
    StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_KeyFromPassword);

void BM_BuildBindingSuccess(benchmark::State& state) {
  const StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
  const StunTransactionId txid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const TransportAddress mapped = *TransportAddress::parse(state.range(0) == 4 ? "192.0.2.2" : "fd00::2", 42039);
  uint8_t buf[1500];
  for (auto _ : state) {
    auto out = write_binding_success(buf, txid, mapped, key);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(state.range(0) == 4 ? "IPv4" : "IPv6");
}
BENCHMARK(BM_BuildBindingSuccess)->Arg(4)->Arg(6);

void BM_BuildBindingRequest(benchmark::State& state) {
  const StunIntegrityKey key = StunIntegrityKey::short_term(kPassword);
  const StunTransactionId txid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  StunBindingRequestParams p;
  p.username = "F2oW:rR1Q";
  p.priority = 1853829887;
  p.controlling = true;
  p.tie_breaker = 0xe49d094b7a833583ull;
  p.use_candidate = true;
  uint8_t buf[1500];
  for (auto _ : state) {
    auto out = write_binding_request(buf, txid, p, key);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BuildBindingRequest);

}  // namespace

BENCHMARK_MAIN();
