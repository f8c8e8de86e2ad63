// Fuzzes one socket's receive path as a WebRtcEndpoint runs it: the shared port's routing (server/net/udp_demux),
// RFC 7983 classification, then STUN parse and
// integrity check, the DTLS transport (server role, mid-handshake state kept across datagrams), or SRTP/SRTCP
// unprotect with fixed keys. Each input is a sequence of length-prefixed datagrams; nothing may crash or hang.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ice/certificate.hpp"
#include "ice/demux.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"
#include "ice/stun_integrity.hpp"
#include "ice/stun_message.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/srtp/srtp_session.hpp"
#include "server/net/udp_demux.hpp"

using namespace medley;

namespace {
std::shared_ptr<const ice::DtlsContext> context() {
  static std::shared_ptr<const ice::DtlsContext> ctx = [] {
    auto cert = ice::Certificate::generate();
    if (!cert) __builtin_trap();
    auto c = ice::DtlsContext::create(*cert);
    if (!c) __builtin_trap();
    return *c;
  }();
  return ctx;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto key = ice::StunIntegrityKey::short_term("fuzzpasswordfuzzpassword");
  static const std::vector<uint8_t> material(60, 0x42);  // AES_CM_128: 2 × (16 + 14)
  rtp::SrtpConfig cfg;
  cfg.profile = rtp::SrtpProfile::AesCm128HmacSha1_80;
  auto srtp = rtp::SrtpSession::from_dtls(cfg, material, rtp::SrtpKeyRole::DtlsServer);
  if (!srtp) __builtin_trap();

  ice::DtlsTransportConfig dcfg;
  dcfg.role = ice::DtlsRole::Server;
  ice::DtlsTransport dtls(context(), dcfg);
  ice::DtlsOutbox out;
  int64_t now_us = 1'000'000;

  static server::net::UdpDemux udp_demux = [] {
    server::net::UdpDemux d;
    d.add_ufrag("abcd", 1);
    d.add_remote(*ice::TransportAddress::parse("127.0.0.1", 5000), 2);
    return d;
  }();
  static const ice::TransportAddress from = *ice::TransportAddress::parse("127.0.0.1", 5000);

  base::ByteReader in(base::Bytes(data, size));
  std::vector<uint8_t> buf;
  while (in.ok() && in.remaining() >= 2) {
    const size_t n = in.u16() % 1500;
    base::Bytes dgram = in.bytes(std::min(n, in.remaining()));
    now_us += 7000;
    const base::Timestamp now = base::Timestamp::micros(now_us);
    (void)udp_demux.route(from, dgram);  // the shared port's routing sees every datagram first
    switch (ice::classify_datagram(dgram)) {
      case ice::DatagramKind::Stun: {
        auto msg = ice::StunMessageView::parse(dgram);
        if (msg) {
          (void)ice::verify_integrity(*msg, key);
          (void)ice::verify_fingerprint(*msg);
          (void)msg->username();
          (void)msg->xor_mapped_address();
        }
        break;
      }
      case ice::DatagramKind::Dtls:
        dtls.handle_datagram(now, dgram, out);
        break;
      case ice::DatagramKind::Rtp:
        buf.assign(dgram.begin(), dgram.end());
        (void)srtp->unprotect_rtp(buf, buf.size());
        break;
      case ice::DatagramKind::Rtcp:
        buf.assign(dgram.begin(), dgram.end());
        (void)srtp->unprotect_rtcp(buf, buf.size());
        break;
      default:
        break;
    }
    dtls.handle_timeout(now, out);
    out.clear();
  }
  return 0;
}
