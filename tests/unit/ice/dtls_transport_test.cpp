// DtlsTransport: handshakes in both roles, SRTP profile and keys, fingerprint pinning, loss and retransmission
// on a fake clock, garbage input, close_notify, application data, MTU.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "dtls_test_util.hpp"
#include "rtp/srtp/srtp_session.hpp"

using namespace medley;
using namespace medley::ice;
using namespace medley::ice::test;
using base::Duration;

namespace {

constexpr uint8_t kClientHello = 1;

std::string failures(const Endpoint& e) {
  std::string r;
  for (const auto& f : e.all<DtlsFailed>()) r += f.reason + "; ";
  return r;
}

void expect_connected_pair(Link& link) {
  ASSERT_EQ(link.a().count<DtlsFailed>() + link.b().count<DtlsFailed>(), 0u)
      << "a: " << failures(link.a()) << " b: " << failures(link.b());
  ASSERT_EQ(link.a().t.state(), DtlsTransport::State::Connected);
  ASSERT_EQ(link.b().t.state(), DtlsTransport::State::Connected);
  const DtlsConnected* ca = link.a().connected();
  const DtlsConnected* cb = link.b().connected();
  ASSERT_TRUE(ca && cb);
  EXPECT_EQ(link.a().count<DtlsConnected>(), 1u);
  EXPECT_EQ(link.b().count<DtlsConnected>(), 1u);
  EXPECT_EQ(link.a().count<DtlsFailed>(), 0u);
  EXPECT_EQ(link.b().count<DtlsFailed>(), 0u);
  EXPECT_EQ(ca->srtp_profile_id, cb->srtp_profile_id);
  EXPECT_EQ(ca->keying_material, cb->keying_material);
  EXPECT_FALSE(ca->keying_material.empty());
  EXPECT_NE(ca->role, cb->role);
}

// A small RTP packet with room behind it for the SRTP tag.
std::vector<uint8_t> rtp_packet(uint32_t ssrc, uint16_t seq) {
  std::vector<uint8_t> p = {0x80, 96, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0x10, 0x00,
                            uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  for (int i = 0; i < 40; ++i) p.push_back(static_cast<uint8_t>(i * 7));
  return p;
}

// One side's protected RTP unprotects on the other, both directions, with the exported keys.
void expect_srtp_works(const DtlsConnected& a, const DtlsConnected& b) {
  auto profile = rtp::srtp_profile_from_dtls_id(a.srtp_profile_id);
  ASSERT_TRUE(profile);
  ASSERT_EQ(a.keying_material.size(), rtp::srtp_keying_material_len(*profile));
  rtp::SrtpConfig config{.profile = *profile};
  auto role = [](DtlsRole r) {
    return r == DtlsRole::Client ? rtp::SrtpKeyRole::DtlsClient : rtp::SrtpKeyRole::DtlsServer;
  };
  auto sa = rtp::SrtpSession::from_dtls(config, a.keying_material, role(a.role));
  auto sb = rtp::SrtpSession::from_dtls(config, b.keying_material, role(b.role));
  ASSERT_TRUE(sa && sb);
  for (int dir = 0; dir < 2; ++dir) {
    rtp::SrtpSession& tx = dir == 0 ? *sa : *sb;
    rtp::SrtpSession& rx = dir == 0 ? *sb : *sa;
    for (uint16_t seq = 1; seq <= 3; ++seq) {
      const auto plain = rtp_packet(0x1234 + dir, seq);
      std::vector<uint8_t> buf = plain;
      buf.resize(plain.size() + rtp::kSrtpMaxRtpOverhead);
      auto n = tx.protect_rtp(buf, plain.size());
      ASSERT_TRUE(n);
      EXPECT_NE(std::vector<uint8_t>(buf.begin() + 12, buf.begin() + plain.size()),
                std::vector<uint8_t>(plain.begin() + 12, plain.end()));
      auto m = rx.unprotect_rtp(buf, *n);
      ASSERT_TRUE(m) << "direction " << dir << ": " << rtp::name(m.error());
      EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + *m), plain);
    }
    // And a packet protected with the wrong half of the keys (as if both thought they were client) fails.
  }
  auto wrong = rtp::SrtpSession::from_dtls(config, a.keying_material, role(b.role));
  ASSERT_TRUE(wrong);
  const auto plain = rtp_packet(0x9999, 1);
  std::vector<uint8_t> buf = plain;
  buf.resize(plain.size() + rtp::kSrtpMaxRtpOverhead);
  auto n = wrong->protect_rtp(buf, plain.size());
  ASSERT_TRUE(n);
  EXPECT_FALSE(sb->unprotect_rtp(buf, *n));
}

}  // namespace

TEST(DtlsTimer, RetransmissionIsDrivenByTheGivenClockOnThisOpenSsl) {
  // Debian 12 ships OpenSSL 3.0: the deterministic timer mode must be on, or the loss tests below would need
  // real time to pass.
  EXPECT_TRUE(dtls_timer_fully_sans_io()) << OpenSSL_version(OPENSSL_VERSION);
}

TEST(DtlsTransport, HandshakeAsClientAndAsServer) {
  for (int a_is_client = 0; a_is_client < 2; ++a_is_client) {
    SCOPED_TRACE(a_is_client ? "a client" : "a server");
    DtlsTransportConfig ca{.role = a_is_client ? DtlsRole::Client : DtlsRole::Server};
    DtlsTransportConfig cb{.role = a_is_client ? DtlsRole::Server : DtlsRole::Client};
    Link link(ca, cb);
    link.start();
    link.run();
    expect_connected_pair(link);
    EXPECT_EQ(link.a().connected()->role, ca.role);
    EXPECT_EQ(link.b().connected()->role, cb.role);
    // Each saw the other's certificate.
    EXPECT_EQ(link.a().connected()->remote_fingerprint, cert_b().fingerprint_sha256());
    EXPECT_EQ(link.b().connected()->remote_fingerprint, cert_a().fingerprint_sha256());
    // Nothing left to retransmit, nothing was retransmitted.
    EXPECT_TRUE(link.a().t.next_timeout().is_infinite());
    EXPECT_TRUE(link.b().t.next_timeout().is_infinite());
    EXPECT_EQ(link.a().t.stats().retransmission_timeouts, 0u);
    EXPECT_EQ(link.b().t.stats().retransmission_timeouts, 0u);
    // Every datagram is a DTLS record (RFC 7983 demux range).
    for (int i = 0; i < 2; ++i)
      for (const auto& d : link.ep(i).sent) EXPECT_TRUE(is_dtls_record(d));
  }
}

TEST(DtlsTransport, ServerPrefersAes128GcmWhenTheClientOffersEverything) {
  Link link = Link::client_server();
  link.start();
  link.run();
  expect_connected_pair(link);
  EXPECT_EQ(link.a().connected()->srtp_profile_id, 0x0007);
  EXPECT_EQ(link.a().connected()->srtp_profile_name, "SRTP_AEAD_AES_128_GCM");
  EXPECT_EQ(link.a().connected()->keying_material.size(), 56u);
  expect_srtp_works(*link.a().connected(), *link.b().connected());
}

// A client with its own offer list (as another stack would send), against our server.
struct OfferCase {
  const char* client_offer;
  uint16_t expected_id;
  size_t key_len;
};

TEST(DtlsTransport, ServerPicksByItsOwnOrderAndEveryProfileYieldsWorkingSrtp) {
  const OfferCase cases[] = {
      {"SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM", 0x0007, 56},
      {"SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM", 0x0008, 88},
      {"SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80", 0x0001, 60},
      {"SRTP_AES128_CM_SHA1_32", 0x0002, 60},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.client_offer);
    auto ctx = DtlsContext::create(cert_a());
    ASSERT_TRUE(ctx);
    ASSERT_EQ(SSL_CTX_set_tlsext_use_srtp((*ctx)->native(), c.client_offer), 0);
    Link link({.role = DtlsRole::Client}, {.role = DtlsRole::Server}, *ctx, context_b());
    link.start();
    link.run();
    expect_connected_pair(link);
    EXPECT_EQ(link.b().connected()->srtp_profile_id, c.expected_id);
    EXPECT_EQ(link.b().connected()->keying_material.size(), c.key_len);
    expect_srtp_works(*link.a().connected(), *link.b().connected());
  }
}

TEST(DtlsTransport, WrongFingerprintFailsEitherSideAndNoKeysLeave) {
  for (int side = 0; side < 2; ++side) {
    SCOPED_TRACE(side == 0 ? "client expects wrong" : "server expects wrong");
    DtlsTransportConfig c{.role = DtlsRole::Client};
    DtlsTransportConfig s{.role = DtlsRole::Server};
    // One bit off the peer's real fingerprint.
    Fingerprint w = side == 0 ? cert_b().fingerprint_sha256() : cert_a().fingerprint_sha256();
    w.bytes[side == 0 ? 5 : 0] ^= 0x01;
    (side == 0 ? c : s).remote_fingerprint = w;
    Link link(c, s);
    link.start();
    link.run();
    Endpoint& checker = link.ep(side);
    EXPECT_EQ(checker.t.state(), DtlsTransport::State::Failed);
    ASSERT_EQ(checker.count<DtlsFailed>(), 1u);
    EXPECT_NE(checker.all<DtlsFailed>()[0].reason.find("fingerprint"), std::string::npos)
        << checker.all<DtlsFailed>()[0].reason;
    // The bad_certificate alert fails the other side too; nobody ever reports Connected or keys.
    EXPECT_EQ(link.ep(1 - side).t.state(), DtlsTransport::State::Failed);
    EXPECT_EQ(link.a().count<DtlsConnected>() + link.b().count<DtlsConnected>(), 0u);
    EXPECT_TRUE(checker.t.next_timeout().is_infinite());
  }
}

TEST(DtlsTransport, OtherHashFunctionsPinToo) {
  for (auto alg : {FingerprintAlgorithm::Sha1, FingerprintAlgorithm::Sha384, FingerprintAlgorithm::Sha512}) {
    DtlsTransportConfig c{.role = DtlsRole::Client, .remote_fingerprint = cert_b().fingerprint(alg)};
    DtlsTransportConfig s{.role = DtlsRole::Server, .remote_fingerprint = cert_a().fingerprint(alg)};
    Link link(c, s);
    link.start();
    link.run();
    expect_connected_pair(link);
    EXPECT_EQ(link.a().connected()->remote_fingerprint.algorithm, alg);
  }
}

TEST(DtlsTransport, FingerprintMayArriveAfterTheHandshake) {
  // The server learns the client's fingerprint only from the SDP answer, which can arrive after the DTLS
  // handshake finished (the client got the offer first and started at once).
  for (int good = 0; good < 2; ++good) {
    SCOPED_TRACE(good ? "right fingerprint" : "wrong fingerprint");
    // Link fills in missing fingerprints, so this pair is driven by hand.
    Endpoint server(context_b(), {.role = DtlsRole::Server});
    Endpoint client(context_a(), {.role = DtlsRole::Client, .remote_fingerprint = cert_b().fingerprint_sha256()});
    base::Timestamp now = base::Timestamp::millis(5);
    client.t.start(now, client.out);
    for (int round = 0; round < 10; ++round) {
      auto to_server = std::move(client.out.datagrams);
      for (auto& ev : client.out.events) client.events.push_back(ev);
      client.out.clear();
      for (auto& d : to_server) server.t.handle_datagram(now, d, server.out);
      auto to_client = std::move(server.out.datagrams);
      for (auto& ev : server.out.events) server.events.push_back(ev);
      server.out.clear();
      for (auto& d : to_client) client.t.handle_datagram(now, d, client.out);
    }
    for (auto& ev : client.out.events) client.events.push_back(ev);
    client.out.clear();
    // The client is connected; the server finished the handshake but reports nothing yet and sends nothing.
    EXPECT_EQ(client.t.state(), DtlsTransport::State::Connected);
    EXPECT_EQ(server.t.state(), DtlsTransport::State::Connecting);
    EXPECT_TRUE(server.events.empty());
    // Application data from the client before the check is dropped, not delivered.
    ASSERT_FALSE(client.t.send_application_data(std::vector<uint8_t>{1, 2, 3}, client.out));
    for (auto& d : client.out.datagrams) server.t.handle_datagram(now, d, server.out);
    client.out.clear();
    EXPECT_TRUE(server.out.events.empty());

    Fingerprint fp = cert_a().fingerprint_sha256();
    if (!good) fp.bytes[31] ^= 0xFF;
    EXPECT_TRUE(server.t.set_remote_fingerprint(fp, server.out));
    ASSERT_EQ(server.out.events.size(), 1u);
    if (good) {
      ASSERT_TRUE(std::holds_alternative<DtlsConnected>(server.out.events[0]));
      EXPECT_EQ(std::get<DtlsConnected>(server.out.events[0]).keying_material, client.connected()->keying_material);
      EXPECT_FALSE(server.t.set_remote_fingerprint(fp, server.out));  // too late to change
    } else {
      ASSERT_TRUE(std::holds_alternative<DtlsFailed>(server.out.events[0]));
      EXPECT_EQ(server.t.state(), DtlsTransport::State::Failed);
    }
  }
}

TEST(DtlsTransport, LostClientHelloIsRetransmittedOnTheFakeClock) {
  Link link = Link::client_server();
  link.filter = [](int from, size_t batch, std::vector<uint8_t>&) { return !(from == 0 && batch == 1); };
  link.start();
  // The ClientHello is lost: nothing happens until the clock reaches the retransmission timeout.
  ASSERT_EQ(link.a().sent.size(), 1u);
  EXPECT_EQ(first_handshake_type(link.a().sent[0]), kClientHello);
  const base::Timestamp t0 = link.now();
  EXPECT_EQ(link.a().t.next_timeout(), t0 + Duration::millis(100));
  EXPECT_TRUE(link.b().t.next_timeout().is_infinite());
  link.a().t.handle_timeout(t0 + Duration::millis(99), link.a().out);  // early: nothing
  EXPECT_TRUE(link.a().out.datagrams.empty());

  link.advance(Duration::millis(100));
  link.a().t.handle_timeout(link.now(), link.a().out);
  ASSERT_EQ(link.a().out.datagrams.size(), 1u);
  EXPECT_EQ(first_handshake_type(link.a().out.datagrams[0]), kClientHello);
  // Same message, new record: the record sequence number (bytes 5..10) moved on.
  EXPECT_NE(std::vector<uint8_t>(link.a().out.datagrams[0].begin() + 5, link.a().out.datagrams[0].begin() + 11),
            std::vector<uint8_t>(link.a().sent[0].begin() + 5, link.a().sent[0].begin() + 11));
  // Backoff doubles.
  EXPECT_EQ(link.a().t.next_timeout(), link.now() + Duration::millis(200));
  link.collect(0);
  link.run();
  expect_connected_pair(link);
  EXPECT_EQ(link.a().t.stats().retransmission_timeouts, 1u);
}

TEST(DtlsTransport, EveryLostFlightIsRecovered) {
  // Flights: 1 ClientHello (a), 2 ServerHello..ServerHelloDone (b), 3 Certificate..Finished (a),
  // 4 ChangeCipherSpec+Finished (b). Losing flight 4 is the interesting one: the server runs no timer for its
  // last flight; the client's retransmitted flight 3 makes the already connected server send it again.
  struct Loss {
    int from;
    size_t batch;
    uint8_t first_byte;  // what the lost flight starts with, to be sure the right one went missing
  };
  for (Loss loss : {Loss{0, 1, 22}, Loss{1, 1, 22}, Loss{0, 2, 22}, Loss{1, 2, 20}}) {
    SCOPED_TRACE("side " + std::to_string(loss.from) + " flight " + std::to_string(loss.batch));
    Link link = Link::client_server();
    int dropped = 0;
    link.filter = [&](int from, size_t batch, std::vector<uint8_t>& d) {
      if (from != loss.from || batch != loss.batch) return true;
      if (dropped == 0) {
        EXPECT_EQ(d[0], loss.first_byte);
      }
      ++dropped;
      return false;
    };
    link.start();
    link.run();
    EXPECT_GE(dropped, 1);
    expect_connected_pair(link);
    EXPECT_EQ(link.ep(loss.from == 1 && loss.batch == 2 ? 0 : loss.from).t.stats().retransmission_timeouts, 1u);
  }
}

TEST(DtlsTransport, ReorderedFlightStillCompletes) {
  // A small MTU spreads the server's flight over several datagrams; deliver them backwards.
  Link link = Link::client_server(256);
  link.start();
  ASSERT_EQ(link.queue().size(), 1u);  // the ClientHello
  InFlight hello = link.queue().front();
  link.queue().pop_front();
  link.deliver(hello.to, hello.bytes);
  ASSERT_GE(link.queue().size(), 3u);  // the server's flight, fragmented
  std::reverse(link.queue().begin(), link.queue().end());
  link.run();
  expect_connected_pair(link);
}

TEST(DtlsTransport, SmallMtuIsRespected) {
  for (size_t mtu : {256u, 300u, 576u, 1200u}) {
    SCOPED_TRACE(mtu);
    Link link = Link::client_server(mtu);
    link.start();
    link.run();
    expect_connected_pair(link);
    for (int i = 0; i < 2; ++i)
      for (const auto& d : link.ep(i).sent) EXPECT_LE(d.size(), mtu);
    if (mtu < 600) {
      EXPECT_GT(link.b().sent.size(), 2u);  // the certificate flight was fragmented
    }
  }
}

TEST(DtlsTransport, GiveUpAfterTooManyRetransmissions) {
  Link link = Link::client_server();
  link.filter = [](int, size_t, std::vector<uint8_t>&) { return false; };  // a black hole
  link.start();
  std::vector<int64_t> gaps;
  base::Timestamp last = link.now();
  while (!link.a().t.next_timeout().is_infinite()) {
    const base::Timestamp t = link.a().t.next_timeout();
    gaps.push_back((t - last).ms());
    last = t;
    link.advance(t - link.now());
    link.a().t.handle_timeout(link.now(), link.a().out);
    link.collect(0);
    ASSERT_LT(gaps.size(), 100u);
  }
  EXPECT_EQ(link.a().t.state(), DtlsTransport::State::Failed);
  ASSERT_EQ(link.a().count<DtlsFailed>(), 1u);
  // 100, 200, 400, ... capped at 4 s; OpenSSL gives up on its 13th timeout.
  ASSERT_GE(gaps.size(), 6u);
  EXPECT_EQ(gaps[0], 100);
  EXPECT_EQ(gaps[1], 200);
  EXPECT_EQ(gaps[2], 400);
  EXPECT_EQ(gaps[6], 4000);
  EXPECT_EQ(gaps.back(), 4000);
  EXPECT_EQ(link.a().sent.size(), gaps.size());  // the first ClientHello, then one per timeout but the last
}

TEST(DtlsTransport, GarbageNeverBreaksTheHandshake) {
  std::mt19937 rng(7);
  auto random_bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng());
    return v;
  };
  Link link = Link::client_server();
  // Before: both sides get junk (the client before start() ignores it).
  for (int i = 0; i < 2; ++i) {
    link.deliver(i, random_bytes(1));
    link.deliver(i, random_bytes(100));
    link.deliver(i, {});
    link.deliver(i, {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 1, 2, 3});  // length runs past the end
  }
  EXPECT_EQ(link.a().t.stats().datagrams_ignored, 4u);
  EXPECT_EQ(link.b().t.stats().datagrams_ignored, 1u);  // the empty one
  // During: around every real datagram, junk and a truncated copy before it, a corrupted copy after it (the
  // record number is already used by then: dropped as a replay. Before it, a corrupted plaintext handshake
  // record would be parsed and abort the handshake, as in any DTLS stack: only ICE consent keeps such
  // injection out).
  std::vector<InFlight> after;
  link.filter = [&](int from, size_t, std::vector<uint8_t>& d) {
    for (auto& f : after) link.queue().push_back(std::move(f));
    after.clear();
    link.queue().push_back({1 - from, random_bytes(1 + rng() % 300)});
    link.queue().push_back({1 - from, std::vector<uint8_t>(d.begin(), d.begin() + d.size() / 2)});
    std::vector<uint8_t> flipped = d;
    flipped[flipped.size() - 1] ^= 0x55;
    after.push_back({1 - from, flipped});
    return true;
  };
  link.start();
  link.run();
  for (auto& f : after) link.deliver(f.to, f.bytes);
  link.filter = nullptr;
  expect_connected_pair(link);
  // After: junk, then application data still flows.
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 20; ++k) link.deliver(i, random_bytes(1 + rng() % 200));
    link.deliver(i, link.ep(1 - i).sent.front());  // a stale ClientHello/ServerHello
  }
  EXPECT_EQ(link.a().t.state(), DtlsTransport::State::Connected);
  EXPECT_EQ(link.b().t.state(), DtlsTransport::State::Connected);
  ASSERT_FALSE(link.a().t.send_application_data(std::vector<uint8_t>{9, 9}, link.a().out));
  link.collect(0);
  link.run();
  ASSERT_EQ(link.b().count<DtlsApplicationData>(), 1u);
}

TEST(DtlsTransport, ApplicationDataBothWays) {
  Link link = Link::client_server();
  // Not before the handshake.
  EXPECT_EQ(link.a().t.send_application_data(std::vector<uint8_t>{1}, link.a().out), DtlsSendError::NotConnected);
  link.start();
  link.run();
  expect_connected_pair(link);
  std::vector<uint8_t> small = {0x13, 0x88, 0x13, 0x88, 1, 2, 3, 4};  // an SCTP common header's start
  std::vector<uint8_t> big(1100);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i);
  for (int from = 0; from < 2; ++from) {
    Endpoint& tx = link.ep(from);
    ASSERT_FALSE(tx.t.send_application_data(small, tx.out));
    ASSERT_FALSE(tx.t.send_application_data(big, tx.out));
    EXPECT_EQ(tx.out.datagrams.size(), 2u);  // one record, one datagram each
    for (const auto& d : tx.out.datagrams) {
      EXPECT_EQ(d[0], 23);                 // application_data record
      EXPECT_LE(d.size(), 1200u);
    }
    link.collect(from);
    link.run();
    auto got = link.ep(1 - from).all<DtlsApplicationData>();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].bytes, small);
    EXPECT_EQ(got[1].bytes, big);
    link.ep(1 - from).events.clear();
  }
  std::vector<uint8_t> too_big(DtlsTransport::kMaxApplicationData + 1);
  EXPECT_EQ(link.a().t.send_application_data(too_big, link.a().out), DtlsSendError::TooLarge);
  EXPECT_EQ(link.a().t.stats().application_records_out, 2u);
  EXPECT_EQ(link.b().t.stats().application_records_in, 2u);
}

TEST(DtlsTransport, CloseNotifyClosesThePeer) {
  for (int closer = 0; closer < 2; ++closer) {
    Link link = Link::client_server();
    link.start();
    link.run();
    expect_connected_pair(link);
    Endpoint& c = link.ep(closer);
    c.t.close(link.now(), c.out);
    ASSERT_EQ(c.out.datagrams.size(), 1u);
    EXPECT_EQ(c.out.datagrams[0][0], 21);  // an alert record
    link.collect(closer);
    link.run();
    EXPECT_EQ(c.t.state(), DtlsTransport::State::Closed);
    EXPECT_EQ(link.ep(1 - closer).t.state(), DtlsTransport::State::Closed);
    EXPECT_EQ(c.count<DtlsClosed>(), 1u);
    EXPECT_EQ(link.ep(1 - closer).count<DtlsClosed>(), 1u);
    EXPECT_EQ(link.ep(1 - closer).count<DtlsFailed>(), 0u);
    // Closed is final: nothing more goes in or out.
    EXPECT_EQ(c.t.send_application_data(std::vector<uint8_t>{1}, c.out), DtlsSendError::NotConnected);
    const auto ignored = link.ep(1 - closer).t.stats().datagrams_ignored;
    link.deliver(1 - closer, c.sent.back());
    EXPECT_EQ(link.ep(1 - closer).t.stats().datagrams_ignored, ignored + 1);
    c.t.close(link.now(), c.out);
    EXPECT_TRUE(c.out.events.empty());
  }
}

// release_when_idle: the client frees its session as soon as it connects, the server after its grace (it may have
// to resend its last flight); SRTP keys were already out. close() still sends a close_notify the peer accepts, and
// the peer's close_notify still closes a released transport; anything else is ignored.
TEST(DtlsTransport, ReleasedWhenIdleStillClosesBothWays) {
  for (int closer = 0; closer < 2; ++closer) {
    SCOPED_TRACE("closer " + std::to_string(closer));
    DtlsTransportConfig c{.role = DtlsRole::Client};
    DtlsTransportConfig srv{.role = DtlsRole::Server};
    c.release_when_idle = true;
    srv.release_when_idle = true;
    srv.server_release_grace = Duration::seconds(10);
    Link link(c, srv);
    link.start();
    link.run(Duration::seconds(1));
    expect_connected_pair(link);
    EXPECT_TRUE(link.a().t.released());   // client: at once
    EXPECT_FALSE(link.b().t.released());  // server: not before its grace
    link.run(Duration::seconds(11));
    EXPECT_TRUE(link.b().t.released());
    EXPECT_EQ(link.a().t.state(), DtlsTransport::State::Connected);
    EXPECT_EQ(link.b().t.state(), DtlsTransport::State::Connected);
    Endpoint& e = link.ep(closer);
    EXPECT_EQ(e.t.send_application_data(std::vector<uint8_t>{1}, e.out), DtlsSendError::NotConnected);
    // Garbage and a record of another shape are ignored.
    Endpoint& other = link.ep(1 - closer);
    const auto ignored = other.t.stats().datagrams_ignored;
    link.deliver(1 - closer, std::vector<uint8_t>{23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 1, 0});
    EXPECT_EQ(other.t.stats().datagrams_ignored, ignored + 1);
    EXPECT_EQ(other.t.state(), DtlsTransport::State::Connected);

    e.t.close(link.now(), e.out);
    ASSERT_EQ(e.out.datagrams.size(), 1u);
    EXPECT_EQ(e.out.datagrams[0][0], 21);
    link.collect(closer);
    link.run();
    EXPECT_EQ(e.t.state(), DtlsTransport::State::Closed);
    EXPECT_EQ(other.t.state(), DtlsTransport::State::Closed);
    EXPECT_EQ(other.count<DtlsClosed>(), 1u);
    EXPECT_EQ(other.count<DtlsFailed>(), 0u);
  }
}

// The server keeps its session through the grace: a client whose last flight went unanswered (our flight 4 lost)
// retransmits and still connects.
TEST(DtlsTransport, ServerReleaseWaitsForALostLastFlight) {
  DtlsTransportConfig c{.role = DtlsRole::Client};
  DtlsTransportConfig srv{.role = DtlsRole::Server};
  c.release_when_idle = true;
  srv.release_when_idle = true;
  Link link(c, srv);
  int dropped = 0;
  link.filter = [&](int from, size_t batch, std::vector<uint8_t>&) {
    if (from == 1 && batch == 2) {
      ++dropped;
      return false;
    }
    return true;
  };
  link.start();
  link.run();
  EXPECT_GE(dropped, 1);
  expect_connected_pair(link);
  EXPECT_TRUE(link.a().t.released());
}

TEST(DtlsTransport, CloseBeforeConnectingReportsClosedAndSendsNothing) {
  Link link = Link::client_server();
  link.start();
  link.a().t.close(link.now(), link.a().out);
  EXPECT_TRUE(link.a().out.datagrams.empty());
  link.collect(0);
  EXPECT_EQ(link.a().count<DtlsClosed>(), 1u);
  EXPECT_TRUE(link.a().t.next_timeout().is_infinite());
}

TEST(DtlsTransport, ServerStartsOnTheFirstClientHelloEvenWithoutStart) {
  Endpoint client(context_a(), {.role = DtlsRole::Client, .remote_fingerprint = cert_b().fingerprint_sha256()});
  Endpoint server(context_b(), {.role = DtlsRole::Server, .remote_fingerprint = cert_a().fingerprint_sha256()});
  const base::Timestamp now = base::Timestamp::millis(1);
  client.t.start(now, client.out);
  ASSERT_EQ(client.out.datagrams.size(), 1u);
  EXPECT_EQ(server.t.state(), DtlsTransport::State::New);
  server.t.handle_datagram(now, client.out.datagrams[0], server.out);
  EXPECT_EQ(server.t.state(), DtlsTransport::State::Connecting);
  EXPECT_FALSE(server.out.datagrams.empty());
}

// Writes the datagrams of a clean handshake (and of a connected session) as fuzz seeds, when asked:
//   MEDLEY_DTLS_SEED_DIR=fuzz/corpus/dtls ./test_ice_dtls_transport --gtest_filter=*Seeds*
// Format (fuzz/fuzz_dtls.cpp): byte 0 the state to fuzz in, then [u16 length][datagram] repeated.
// Without the variable it still runs the handshake and close it records (a test, not a skip, so CI's summary
// lists no skipped tests).
TEST(DtlsTransport, RecordSeedsForTheFuzzer) {
  const char* dir = std::getenv("MEDLEY_DTLS_SEED_DIR");
  Link link = Link::client_server(600);
  link.start();
  link.run();
  expect_connected_pair(link);
  ASSERT_FALSE(link.a().t.send_application_data(std::vector<uint8_t>(60, 0x42), link.a().out));
  link.collect(0);
  link.a().t.close(link.now(), link.a().out);
  link.collect(0);
  auto write = [&](const std::string& name, uint8_t state, const std::vector<std::vector<uint8_t>>& ds) {
    std::ofstream f(std::string(dir) + "/" + name, std::ios::binary);
    f.put(static_cast<char>(state));
    for (const auto& d : ds) {
      f.put(static_cast<char>(d.size() >> 8));
      f.put(static_cast<char>(d.size() & 0xFF));
      f.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    }
  };
  const auto& client = link.a().sent;
  EXPECT_FALSE(client.empty());
  if (dir == nullptr) return;
  for (size_t i = 0; i < client.size(); ++i) {
    for (uint8_t state = 0; state < 3; ++state)
      write("client_dgram_" + std::to_string(i) + "_state" + std::to_string(state), state, {client[i]});
  }
  write("client_all_fresh", 0, client);
  write("server_all_to_client", 3, link.b().sent);
  // Clock steps (length 0x8000 | ms) between datagrams, for the retransmission paths.
  const std::vector<uint8_t> step = {0x80, 100};
  write("timeouts_after_hello", 1, {});
  std::ofstream f(std::string(dir) + "/timeouts_after_hello", std::ios::binary | std::ios::app);
  for (int k = 0; k < 6; ++k) f.write(reinterpret_cast<const char*>(step.data()), 2);
}
