// Fuzzes DtlsTransport with arbitrary datagrams and clock steps, in each state of its life.
//
// Input: byte 0 picks the state (mod 4), and with bit 2 both ends run with release_when_idle (the connected server
// frees its OpenSSL session after its grace, which the clock steps can pass; what follows reaches a released one):
//   0  a fresh server;
//   1  a server that has answered a real client's ClientHello (its flight 2 is out, its timer runs);
//   2  a connected server (full handshake with a real client first);
//   3  a client that has sent its ClientHello (fuzzing what a server might answer).
// Then chunks of [u16 big-endian n][n bytes]: one datagram; n >= 0x8000 instead advances the clock by
// (n & 0x7FFF) ms and calls handle_timeout. Seeds: recorded handshakes (tests/unit/ice/dtls_transport_test.cpp,
// RecordSeedsForTheFuzzer). Nothing may crash, and random bytes must never complete a handshake (that would
// need the peer's private key): Connected from a fuzzed-only side traps.
// OpenSSL's randomness is not seeded, so a replayed input meets fresh handshake values; the structure (record
// numbers, message sequence, states) is the same each time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <variant>
#include <vector>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"

using namespace medley;
using namespace medley::ice;

namespace {

struct Identities {
  std::shared_ptr<const DtlsContext> client;
  std::shared_ptr<const DtlsContext> server;
};

const Identities& identities() {
  static const Identities ids = [] {
    auto c = Certificate::generate({.common_name = "client", .unix_time = 1'700'000'000});
    auto s = Certificate::generate({.common_name = "server", .unix_time = 1'700'000'000});
    if (!c || !s) abort();
    auto cc = DtlsContext::create(*c);
    auto sc = DtlsContext::create(*s);
    if (!cc || !sc) abort();
    return Identities{*cc, *sc};
  }();
  return ids;
}

DtlsTransportConfig config(DtlsRole role, const DtlsContext& peer, bool release) {
  DtlsTransportConfig c{.role = role, .remote_fingerprint = peer.certificate().fingerprint_sha256(), .mtu = 1200};
  c.release_when_idle = release;
  return c;
}

bool connected_in(const DtlsOutbox& out) {
  for (const auto& e : out.events.items())
    if (std::holds_alternative<DtlsConnected>(e)) return true;
  return false;
}

// A real client against the server: only its ClientHello delivered, or the whole handshake.
void handshake(DtlsTransport& client, DtlsTransport& server, base::Timestamp now, bool to_the_end) {
  DtlsOutbox co;
  DtlsOutbox so;
  client.start(now, co);
  for (int round = 0; round < 8; ++round) {
    for (auto& d : co.datagrams) server.handle_datagram(now, d, so);
    co.clear();
    if (!to_the_end) return;
    for (auto& d : so.datagrams) client.handle_datagram(now, d, co);
    so.clear();
    if (server.state() == DtlsTransport::State::Connected && client.state() == DtlsTransport::State::Connected &&
        co.datagrams.empty())
      return;
  }
  abort();  // a clean handshake must finish
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Identities& ids = identities();
  const int mode = size > 0 ? data[0] % 4 : 0;
  base::Timestamp now = base::Timestamp::millis(1000);

  const bool release = size > 0 && (data[0] & 4) != 0;
  DtlsTransport client(ids.client, config(DtlsRole::Client, *ids.server, release));
  DtlsTransport server(ids.server, config(DtlsRole::Server, *ids.client, release));
  DtlsTransport* target = &server;
  DtlsOutbox out;
  switch (mode) {
    case 0: server.start(now, out); break;
    case 1: handshake(client, server, now, false); break;
    case 2: handshake(client, server, now, true); break;
    case 3:
      target = &client;
      client.start(now, out);
      break;
  }
  out.clear();
  const bool may_connect = mode == 2;

  size_t pos = 1;
  while (pos + 2 <= size) {
    const size_t n = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (n >= 0x8000) {
      now += base::Duration::millis(static_cast<int64_t>(n & 0x7FFF));
      target->handle_timeout(now, out);
    } else {
      const size_t len = n < size - pos ? n : size - pos;
      target->handle_datagram(now, base::Bytes(data + pos, len), out);
      pos += len;
    }
    if (!may_connect && connected_in(out)) __builtin_trap();
    if (target->state() == DtlsTransport::State::Connected && (pos & 7) == 0) {
      const uint8_t payload[] = {1, 2, 3, 4};
      target->send_application_data(payload, out);
    }
    out.clear();
  }
  if ((size & 1) != 0) target->close(now, out);
  return 0;
}
