// Differential tests: our OpenSSL transform against libsrtp2 for every profile. Same keys and packets must give
// byte-identical SRTP/SRTCP; each side must unprotect the other's output; both must refuse the same tampered,
// replayed, truncated packets, with ROC wrap, CSRCs, extensions, padding, compounds and many SSRCs.
#include <gtest/gtest.h>

#include <random>

#include "srtp_test_util.hpp"

namespace medley::rtp {
namespace {

using test::make_receiver;
using test::make_rtcp;
using test::make_rtp;
using test::make_sender;
using test::Packet;
using test::RtpShape;
using test::TestKeys;

constexpr auto kOurs = SrtpBackend::OpenSsl;
constexpr auto kLib = SrtpBackend::LibSrtp2;

struct Sides {
  Sides(SrtpProfile p, size_t window = 1024, size_t max_ssrcs = 64)
      : keys(test::test_keys(p, 1)),
        ours_tx(make_sender(p, kOurs, keys, window, max_ssrcs)),
        lib_tx(make_sender(p, kLib, keys, window, max_ssrcs)),
        ours_rx(make_receiver(p, kOurs, keys, window, max_ssrcs)),
        lib_rx(make_receiver(p, kLib, keys, window, max_ssrcs)) {}
  TestKeys keys;
  SrtpSession ours_tx, lib_tx, ours_rx, lib_rx;
};

enum class Kind { Rtp, Rtcp };

SrtpResult<size_t> protect(SrtpSession& s, Kind k, Packet& p) {
  return k == Kind::Rtp ? s.protect_rtp(p.span(), p.len) : s.protect_rtcp(p.span(), p.len);
}
SrtpResult<size_t> unprotect(SrtpSession& s, Kind k, Packet& p) {
  return k == Kind::Rtp ? s.unprotect_rtp(p.span(), p.len) : s.unprotect_rtcp(p.span(), p.len);
}

// Protects plain on both senders and checks identical output; returns it (empty when both refused).
std::vector<uint8_t> protect_both(Sides& s, Kind k, const std::vector<uint8_t>& plain) {
  Packet a(plain), b(plain);
  auto ra = protect(s.ours_tx, k, a);
  auto rb = protect(s.lib_tx, k, b);
  EXPECT_EQ(ra.ok(), rb.ok()) << (ra.ok() ? "libsrtp2 refused: " + std::string(name(rb.error()))
                                          : "we refused: " + std::string(name(ra.error())));
  if (!ra.ok() || !rb.ok()) return {};
  a.len = *ra;
  b.len = *rb;
  EXPECT_EQ(test::hex(a.bytes()), test::hex(b.bytes()));
  return a.bytes();
}

// Unprotects the same bytes on both receivers; checks the same verdict and plaintext. Returns the verdict.
bool unprotect_both(Sides& s, Kind k, const std::vector<uint8_t>& wire, const std::vector<uint8_t>* expect = nullptr) {
  Packet a(wire), b(wire);
  auto ra = unprotect(s.ours_rx, k, a);
  auto rb = unprotect(s.lib_rx, k, b);
  EXPECT_EQ(ra.ok(), rb.ok()) << "ours " << (ra.ok() ? "accepted" : name(ra.error())) << ", libsrtp2 "
                              << (rb.ok() ? "accepted" : name(rb.error())) << " len " << wire.size();
  if (ra.ok() && rb.ok()) {
    a.len = *ra;
    b.len = *rb;
    EXPECT_EQ(test::hex(a.bytes()), test::hex(b.bytes()));
    if (expect) {
      EXPECT_EQ(test::hex(a.bytes()), test::hex(*expect));
    }
  }
  return ra.ok();
}

// Round trip: both senders agree, and both receivers accept with the original plaintext.
void round_trip(Sides& s, Kind k, const std::vector<uint8_t>& plain) {
  auto wire = protect_both(s, k, plain);
  ASSERT_FALSE(wire.empty());
  EXPECT_TRUE(unprotect_both(s, k, wire, &plain));
}

class SrtpDiff : public ::testing::TestWithParam<SrtpProfile> {};

INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpDiff, ::testing::ValuesIn(kAllSrtpProfiles),
                         [](const auto& info) { return std::string(name(info.param)); });

TEST_P(SrtpDiff, RtpShapesByteIdentical) {
  Sides s(GetParam());
  uint16_t seq = 1000;
  for (size_t payload : {0, 1, 15, 16, 17, 100, 500, 1200}) {
    for (uint8_t cc : {0, 1, 15}) {
      for (size_t ext : {0, 1, 3}) {
        for (uint8_t pad : {0, 4}) {
          if (pad > payload) continue;
          RtpShape shape{.seq = seq++, .payload_len = payload, .csrc_count = cc, .extension_words = ext, .padding = pad};
          round_trip(s, Kind::Rtp, make_rtp(shape));
        }
      }
    }
  }
}

TEST_P(SrtpDiff, EachSideUnprotectsTheOther) {
  // Ours protects → libsrtp2 unprotects, and the other way, on separate sender/receiver pairs.
  auto p = GetParam();
  auto keys = test::test_keys(p, 7);
  auto ours_tx = make_sender(p, kOurs, keys), lib_tx = make_sender(p, kLib, keys);
  auto ours_rx = make_receiver(p, kOurs, keys), lib_rx = make_receiver(p, kLib, keys);
  for (uint16_t i = 0; i < 50; ++i) {
    auto plain = make_rtp({.seq = static_cast<uint16_t>(i * 3), .payload_len = 20u + i * 9}, static_cast<uint8_t>(i));
    Packet a(plain), b(plain);
    ASSERT_TRUE(ours_tx.protect_rtp(a.span(), a.len).ok());
    a.len = plain.size() + ours_tx.rtp_overhead();
    ASSERT_TRUE(lib_tx.protect_rtp(b.span(), b.len).ok());
    b.len = plain.size() + lib_tx.rtp_overhead();
    auto ra = lib_rx.unprotect_rtp(a.span(), a.len);
    auto rb = ours_rx.unprotect_rtp(b.span(), b.len);
    ASSERT_TRUE(ra.ok());
    ASSERT_TRUE(rb.ok());
    a.len = *ra;
    b.len = *rb;
    EXPECT_EQ(a.bytes(), plain);
    EXPECT_EQ(b.bytes(), plain);

    auto rtcp = make_rtcp(0xCAFE0000u + i % 3, static_cast<uint8_t>(i % 5));
    Packet c(rtcp), d(rtcp);
    auto pc = ours_tx.protect_rtcp(c.span(), c.len);
    auto pd = lib_tx.protect_rtcp(d.span(), d.len);
    ASSERT_TRUE(pc.ok() && pd.ok());
    c.len = *pc;
    d.len = *pd;
    auto uc = lib_rx.unprotect_rtcp(c.span(), c.len);
    auto ud = ours_rx.unprotect_rtcp(d.span(), d.len);
    ASSERT_TRUE(uc.ok() && ud.ok());
    c.len = *uc;
    d.len = *ud;
    EXPECT_EQ(c.bytes(), rtcp);
    EXPECT_EQ(d.bytes(), rtcp);
  }
}

TEST_P(SrtpDiff, RtcpCompoundsByteIdentical) {
  Sides s(GetParam());
  for (uint8_t blocks = 0; blocks < 31; blocks += 3) {
    round_trip(s, Kind::Rtcp, make_rtcp(0x5EED0001, blocks));
    round_trip(s, Kind::Rtcp, make_rtcp(0x5EED0002, blocks));
  }
  // The minimum an SRTCP packet can carry: the 8-byte first header alone.
  round_trip(s, Kind::Rtcp, {0x80, 201, 0x00, 0x01, 0x5E, 0xED, 0x00, 0x03});
}

TEST_P(SrtpDiff, RocWrapAndBeyond) {
  Sides s(GetParam());
  const uint32_t ssrc = 0xABCD0001;
  // Contiguous across the first wrap, then strides below 2^15 so the ROC is estimated up to 4, with
  // contiguous runs at each wrap.
  std::vector<uint64_t> indices;
  for (uint64_t i = 65500; i < 65600; ++i) indices.push_back(i);
  for (uint64_t i = 65600; i < 4 * 65536 + 200; i += 20000) {
    indices.push_back(i);
    const uint64_t wrap = (i / 65536 + 1) * 65536;
    if (wrap - i < 20000)
      for (uint64_t j = wrap - 3; j < wrap + 3; ++j) indices.push_back(j);
  }
  uint64_t last = 0;
  for (uint64_t idx : indices) {
    if (idx <= last) continue;
    last = idx;
    auto plain = make_rtp({.ssrc = ssrc, .seq = static_cast<uint16_t>(idx), .payload_len = 64}, static_cast<uint8_t>(idx));
    round_trip(s, Kind::Rtp, plain);
  }
}

TEST_P(SrtpDiff, ReorderedAcrossWrap) {
  Sides s(GetParam());
  const uint32_t ssrc = 0xABCD0002;
  std::vector<std::vector<uint8_t>> wires;
  std::vector<std::vector<uint8_t>> plains;
  for (uint32_t i = 65530; i < 65540; ++i) {
    plains.push_back(make_rtp({.ssrc = ssrc, .seq = static_cast<uint16_t>(i), .payload_len = 40}));
    wires.push_back(protect_both(s, Kind::Rtp, plains.back()));
  }
  // Arrival order: 0..3 then 9, 8, 6 (ROC 1), then 5, 4 (ROC 0, from before the wrap), then duplicates.
  for (size_t i : {0, 1, 2, 3, 9, 8, 6, 5, 4}) EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[i], &plains[i]));
  for (size_t i : {9, 4, 0}) EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[i]));
  EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[7], &plains[7]));
}

TEST_P(SrtpDiff, EveryFlippedByteRefused) {
  Sides s(GetParam());
  for (Kind k : {Kind::Rtp, Kind::Rtcp}) {
    auto plain = k == Kind::Rtp ? make_rtp({.seq = 77, .payload_len = 48, .csrc_count = 2, .extension_words = 2})
                                : make_rtcp(0x11223344, 2);
    auto wire = protect_both(s, k, plain);
    ASSERT_FALSE(wire.empty());
    for (size_t pos = 0; pos < wire.size(); ++pos) {
      for (uint8_t bit : {0x01, 0x80}) {
        auto bad = wire;
        bad[pos] ^= bit;
        EXPECT_FALSE(unprotect_both(s, k, bad)) << "position " << pos << " bit " << int(bit);
      }
    }
    EXPECT_TRUE(unprotect_both(s, k, wire, &plain));  // the untouched packet still passes afterwards
  }
}

TEST_P(SrtpDiff, TruncatedRefused) {
  Sides s(GetParam());
  for (Kind k : {Kind::Rtp, Kind::Rtcp}) {
    auto plain = k == Kind::Rtp ? make_rtp({.seq = 5, .payload_len = 30, .extension_words = 1}) : make_rtcp(0x99, 1);
    auto wire = protect_both(s, k, plain);
    for (size_t len = 0; len < wire.size(); ++len)
      EXPECT_FALSE(unprotect_both(s, k, {wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(len)})) << len;
    EXPECT_TRUE(unprotect_both(s, k, wire, &plain));
  }
}

TEST_P(SrtpDiff, MalformedPlainPacketsRefusedByBothSenders) {
  Sides s(GetParam());
  auto rtp = make_rtp({.seq = 9, .payload_len = 0, .csrc_count = 2, .extension_words = 2});
  for (size_t len = 0; len < rtp.size(); ++len)
    EXPECT_TRUE(protect_both(s, Kind::Rtp, {rtp.begin(), rtp.begin() + static_cast<std::ptrdiff_t>(len)}).empty());
  auto rtcp = make_rtcp(0x42, 0);
  for (size_t len = 0; len < 8; ++len)
    EXPECT_TRUE(protect_both(s, Kind::Rtcp, {rtcp.begin(), rtcp.begin() + static_cast<std::ptrdiff_t>(len)}).empty());
  auto v1 = rtp;
  v1[0] = (v1[0] & 0x3F) | 0x40;  // version 1
  EXPECT_TRUE(protect_both(s, Kind::Rtp, v1).empty());
}

TEST_P(SrtpDiff, ReplayRefused) {
  Sides s(GetParam());
  std::vector<std::vector<uint8_t>> wires;
  for (uint16_t seq = 1; seq <= 1100; ++seq)
    wires.push_back(protect_both(s, Kind::Rtp, make_rtp({.seq = seq, .payload_len = 8})));
  // Deliver all but #50 and #80, then replay.
  for (size_t i = 0; i < wires.size(); ++i)
    if (i != 50 && i != 80) {
      EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[i]));
    }
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[1099]));  // duplicate of the newest
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[1000]));  // duplicate inside the window
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[50]));    // never seen but 1049 behind: older than 1024
  EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[80]));     // never seen, 1019 behind: inside
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[80]));

  std::vector<std::vector<uint8_t>> rtcp;
  for (int i = 0; i < 200; ++i) rtcp.push_back(protect_both(s, Kind::Rtcp, make_rtcp(0x77, 1)));
  for (size_t i = 0; i < rtcp.size(); ++i)
    if (i != 10 && i != 150) {
      EXPECT_TRUE(unprotect_both(s, Kind::Rtcp, rtcp[i]));
    }
  EXPECT_FALSE(unprotect_both(s, Kind::Rtcp, rtcp[199]));
  EXPECT_FALSE(unprotect_both(s, Kind::Rtcp, rtcp[10]));  // SRTCP keeps libsrtp2's 128-packet list
  EXPECT_TRUE(unprotect_both(s, Kind::Rtcp, rtcp[150]));
}

TEST_P(SrtpDiff, SmallWindowConfigured) {
  Sides s(GetParam(), 64);
  std::vector<std::vector<uint8_t>> wires;
  for (uint16_t seq = 0; seq < 200; ++seq) wires.push_back(protect_both(s, Kind::Rtp, make_rtp({.seq = seq})));
  EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[199]));
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wires[135]));  // 64 behind
  EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wires[136]));   // 63 behind
}

TEST_P(SrtpDiff, SenderRefusesToReuseAnIndex) {
  Sides s(GetParam());
  auto plain = make_rtp({.seq = 500});
  EXPECT_FALSE(protect_both(s, Kind::Rtp, plain).empty());
  EXPECT_TRUE(protect_both(s, Kind::Rtp, plain).empty());  // same index again: keystream reuse, refused
  EXPECT_FALSE(protect_both(s, Kind::Rtp, make_rtp({.seq = 499})).empty());  // older but unused: fine
}

TEST_P(SrtpDiff, ManySsrcsInterleaved) {
  Sides s(GetParam());
  std::mt19937 rng(42);
  std::vector<uint16_t> seqs(40);
  for (auto& q : seqs) q = static_cast<uint16_t>(rng());
  for (int round = 0; round < 20; ++round) {
    for (uint32_t i = 0; i < seqs.size(); ++i) {
      auto plain = make_rtp({.ssrc = 0x1000 + i * 7919, .seq = seqs[i]++, .payload_len = 10u + i});
      round_trip(s, Kind::Rtp, plain);
      if (round % 5 == 0) round_trip(s, Kind::Rtcp, make_rtcp(0x1000 + i * 7919, 1));
    }
  }
}

TEST_P(SrtpDiff, SsrcLimitAndRemove) {
  Sides s(GetParam(), 1024, 4);
  for (uint32_t ssrc = 1; ssrc <= 4; ++ssrc) round_trip(s, Kind::Rtp, make_rtp({.ssrc = ssrc}));
  auto fifth = make_rtp({.ssrc = 5});
  Packet a(fifth), b(fifth);
  auto ra = s.ours_tx.protect_rtp(a.span(), a.len);
  auto rb = s.lib_tx.protect_rtp(b.span(), b.len);
  ASSERT_FALSE(ra.ok());
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(ra.error(), SrtpError::SsrcLimit);
  EXPECT_EQ(rb.error(), SrtpError::SsrcLimit);
  // A receiver's table fills only with authenticated SSRCs; a full one refuses the fifth after auth.
  Packet c(fifth);
  auto other_tx = make_sender(GetParam(), kOurs, s.keys);
  auto pc = other_tx.protect_rtp(c.span(), c.len);
  ASSERT_TRUE(pc.ok());
  std::vector<uint8_t> wire(c.buf.begin(), c.buf.begin() + static_cast<std::ptrdiff_t>(*pc));
  EXPECT_FALSE(unprotect_both(s, Kind::Rtp, wire));
  for (auto* sess : {&s.ours_tx, &s.lib_tx, &s.ours_rx, &s.lib_rx}) EXPECT_TRUE(sess->remove_ssrc(2));
  EXPECT_FALSE(s.ours_rx.remove_ssrc(2));
  round_trip(s, Kind::Rtp, make_rtp({.ssrc = 5}));
  EXPECT_TRUE(unprotect_both(s, Kind::Rtp, wire, &fifth) == false);  // same index as the one just accepted
}

// Random traffic: several SSRCs, loss, reordering, duplicates, RTCP mixed in, a few corrupted packets.
TEST_P(SrtpDiff, RandomTrafficAgrees) {
  Sides s(GetParam());
  std::mt19937 rng(1234 + static_cast<unsigned>(GetParam()));
  struct Out {
    Kind kind;
    std::vector<uint8_t> wire;
  };
  std::vector<Out> in_flight;
  std::vector<uint16_t> seqs = {65500, 10, 40000};
  for (int step = 0; step < 3000; ++step) {
    const size_t st = rng() % seqs.size();
    const uint32_t ssrc = 0xBEEF0000 + static_cast<uint32_t>(st);
    if (rng() % 10 == 0) {
      in_flight.push_back({Kind::Rtcp, protect_both(s, Kind::Rtcp, make_rtcp(ssrc, static_cast<uint8_t>(rng() % 4)))});
    } else {
      seqs[st] = static_cast<uint16_t>(seqs[st] + 1 + (rng() % 20 == 0 ? rng() % 300 : 0));
      RtpShape shape{.ssrc = ssrc, .seq = seqs[st], .payload_len = rng() % 300,
                     .csrc_count = static_cast<uint8_t>(rng() % 8 == 0 ? rng() % 4 : 0),
                     .extension_words = rng() % 3 == 0 ? 1 + rng() % 3 : 0};
      in_flight.push_back({Kind::Rtp, protect_both(s, Kind::Rtp, make_rtp(shape, static_cast<uint8_t>(step)))});
    }
    // Deliver a random in-flight packet (reorder), sometimes twice, sometimes corrupted, sometimes lost.
    while (in_flight.size() > 8 || (!in_flight.empty() && rng() % 2)) {
      const size_t pick = rng() % in_flight.size();
      Out o = in_flight[pick];
      const unsigned fate = rng() % 20;
      if (fate == 0) {
        in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));  // lost
        continue;
      }
      if (fate == 1 && !o.wire.empty()) o.wire[rng() % o.wire.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      if (fate != 2) in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));  // 2: duplicate
      unprotect_both(s, o.kind, o.wire);
    }
  }
}

TEST(SrtpSession, DtlsKeySplit) {
  for (SrtpProfile p : kAllSrtpProfiles) {
    std::vector<uint8_t> material(srtp_keying_material_len(p));
    for (size_t i = 0; i < material.size(); ++i) material[i] = static_cast<uint8_t>(i * 11 + 5);
    auto client = SrtpSession::from_dtls({.profile = p}, material, SrtpKeyRole::DtlsClient);
    auto server = SrtpSession::from_dtls({.profile = p, .backend = kLib}, material, SrtpKeyRole::DtlsServer);
    ASSERT_TRUE(client.ok() && server.ok());
    for (auto [from, to] : {std::pair{&*client, &*server}, std::pair{&*server, &*client}}) {
      auto plain = make_rtp({.seq = 3});
      Packet pk(plain);
      auto n = from->protect_rtp(pk.span(), pk.len);
      ASSERT_TRUE(n.ok());
      auto m = to->unprotect_rtp(pk.span(), *n);
      ASSERT_TRUE(m.ok());
      pk.len = *m;
      EXPECT_EQ(pk.bytes(), plain);
    }
    // The client sends with the first key and first salt of the block (RFC 5764 §4.2).
    const auto& info = profile_info(p);
    TestKeys client_write{{material.begin(), material.begin() + static_cast<std::ptrdiff_t>(info.master_key_len)},
                          {material.begin() + static_cast<std::ptrdiff_t>(2 * info.master_key_len),
                           material.begin() + static_cast<std::ptrdiff_t>(2 * info.master_key_len + info.master_salt_len)}};
    auto rx = make_receiver(p, kLib, client_write);
    auto plain = make_rtp({.seq = 4});
    Packet pk(plain);
    auto n = client->protect_rtp(pk.span(), pk.len);
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(rx.unprotect_rtp(pk.span(), *n).ok());
    EXPECT_FALSE(SrtpSession::from_dtls({.profile = p}, base::Bytes(material).first(10), SrtpKeyRole::DtlsClient).ok());
  }
}

TEST(SrtpSession, ErrorsAsValues) {
  for (SrtpBackend b : {kOurs, kLib}) {
    const auto p = SrtpProfile::AesCm128HmacSha1_80;
    auto keys = test::test_keys(p, 3);
    auto short_key = SrtpSession::create({.profile = p, .backend = b}, {base::Bytes(keys.key).first(8), keys.salt}, {});
    ASSERT_FALSE(short_key.ok());
    EXPECT_EQ(short_key.error(), SrtpError::BadKey);
    auto tx = make_sender(p, b, keys);
    auto rx = make_receiver(p, b, keys);
    auto plain = make_rtp({.seq = 1});
    std::vector<uint8_t> exact = plain;  // no room for the tag
    auto r = tx.protect_rtp(exact, exact.size());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SrtpError::BufferTooSmall);
    Packet pk(plain);
    EXPECT_EQ(rx.protect_rtp(pk.span(), pk.len).error(), SrtpError::NoKey);
    EXPECT_EQ(tx.unprotect_rtcp(pk.span(), pk.len).error(), SrtpError::NoKey);
    auto n = tx.protect_rtp(pk.span(), pk.len);
    ASSERT_TRUE(n.ok());
    pk.buf[*n - 1] ^= 1;
    EXPECT_EQ(rx.unprotect_rtp(pk.span(), *n).error(), SrtpError::BadAuth);
    EXPECT_EQ(tx.protect_rtp(pk.span(), 5).error(), SrtpError::TooShort);
    EXPECT_EQ(tx.protect_rtp(pk.span(), pk.buf.size() + 1).error(), SrtpError::BufferTooSmall);
  }
}

}  // namespace
}  // namespace medley::rtp
