// Known-answer tests: RFC 3711 Appendix B (AES-CM keystream, key derivation), RFC 7714 §16/§17 (AES-GCM SRTP
// and SRTCP), plus the profile table, profile choice and replay-window rules.
#include <gtest/gtest.h>

#include "rtp/srtp/openssl_srtp.hpp"
#include "rtp/srtp/openssl_srtp_cipher.hpp"
#include "rtp/srtp/replay_window.hpp"
#include "rtp/srtp/srtp_kdf.hpp"
#include "rtp/srtp/srtp_profile.hpp"
#include "rtp/srtp/srtp_session.hpp"
#include "srtp_test_util.hpp"

namespace medley::rtp {
namespace {

using test::hex;
using test::unhex;

// RFC 3711 Appendix B.2: AES-CM keystream for session key 2B7E..., salt F0F1...FD, SSRC 0, index 0.
TEST(SrtpVectors, Rfc3711B2AesCmKeystream) {
  SrtpCipher c;
  auto key = unhex("2B7E151628AED2A6ABF7158809CF4F3C");
  auto salt = unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  std::vector<uint8_t> auth(20, 0);
  ASSERT_TRUE(c.init_session(SrtpProfile::AesCm128HmacSha1_80, key, salt, auth, true));
  auto iv = unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  std::vector<uint8_t> ks(0xFF02 * 16, 0);
  ASSERT_TRUE(c.ctr(iv.data(), ks.data(), ks.size()));
  auto block = [&](size_t i) { return hex(base::Bytes(ks).subspan(i * 16, 16)); };
  EXPECT_EQ(block(0), "e03ead0935c95e80e166b16dd92b4eb4");
  EXPECT_EQ(block(1), "d23513162b02d0f72a43a2fe4a5f97ab");
  EXPECT_EQ(block(2), "41e95b3bb0a2e8dd477901e4fca894c0");
  EXPECT_EQ(block(0xFEFF), "ec8cdf7398607cb0f2d21675ea9ea1e4");
  EXPECT_EQ(block(0xFF00), "362b7c3c6773516318a077d7fc5073ae");
  EXPECT_EQ(block(0xFF01), "6a2cc3787889374fbeb4c81b17ba6c44");
}

// RFC 3711 Appendix B.3: key derivation with master key E1F9..., master salt 0EC6..., kdr 0.
TEST(SrtpVectors, Rfc3711B3KeyDerivation) {
  auto mk = unhex("E1F97A0D3E018BE0D64FA32C06DE4139");
  auto ms = unhex("0EC675AD498AFEEBB6960B3AABE6");
  uint8_t enc[16], salt[14], auth[94];
  ASSERT_TRUE(srtp_kdf(mk, ms, SrtpKdfLabel::RtpEncryption, enc));
  ASSERT_TRUE(srtp_kdf(mk, ms, SrtpKdfLabel::RtpSalt, salt));
  ASSERT_TRUE(srtp_kdf(mk, ms, SrtpKdfLabel::RtpAuth, auth));
  EXPECT_EQ(hex(enc), "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ(hex(salt), "30cbbc08863d8c85d49db34a9ae1");
  // All 94 octets the RFC prints (six AES blocks, so the counter must step correctly); HMAC uses the first 20.
  EXPECT_EQ(hex(auth),
            "cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce"
            "e049646c43d9327ad175578ef72270986371c10c9a369ac2f94a8c5fbcdddc25"
            "6d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2");
}

TEST(SrtpVectors, KdfRejectsUnsupportedSizes) {
  uint8_t out[16];
  auto salt = unhex("0EC675AD498AFEEBB6960B3AABE6");
  EXPECT_FALSE(srtp_kdf(unhex("0011223344556677"), salt, SrtpKdfLabel::RtpEncryption, out));
  EXPECT_FALSE(srtp_kdf(unhex("E1F97A0D3E018BE0D64FA32C06DE4139"), unhex("00112233445566778899AABBCCDDEEFF"),
                        SrtpKdfLabel::RtpEncryption, out));
}

// RFC 7714 §16: the "Gallia est omnis divisa in partes tres" packet, SSRC 0x5501a0b2, seq 0xf17b, ROC 0,
// session key 0001..0f (or ..1f), session salt "Quid pro quo".
constexpr std::string_view kGcmSalt = "517569642070726f2071756f";
constexpr std::string_view kGcmKey128 = "000102030405060708090a0b0c0d0e0f";
constexpr std::string_view kGcmKey256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kGcmRtp =
    "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
// RFC 7714 §17.1-17.4 operate on this sender report (SSRC "Mars"), SRTCP index 0x5d4.
constexpr std::string_view kGcmRtcp =
    "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

struct GcmVector {
  SrtpProfile profile;
  std::string_view key;
  std::string_view srtp;   // §16.1.1 / §16.2.1
  std::string_view srtcp;  // §17.1 / §17.2
};
const GcmVector kGcmVectors[] = {
    {SrtpProfile::AeadAes128Gcm, kGcmKey128,
     "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
     "899d7f27beb16a9152cf765ee4390cce",
     "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275b"
     "c84aa45896cf4d2fc5abf87245d9eade800005d4"},
    {SrtpProfile::AeadAes256Gcm, kGcmKey256,
     "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3"
     "db36dfffd6b0f9bb7878d7a76c13",
     "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de0476f1b6fad"
     "1d1eb30c4446839f57ff6f6cb26ac3be800005d4"},
};

std::unique_ptr<OpenSslSrtp> gcm_session(const GcmVector& v, bool outbound) {
  auto key = unhex(v.key);
  auto salt = unhex(kGcmSalt);
  OpenSslSrtp::SessionKeys k{key, salt, {}};
  return OpenSslSrtp::create_from_session_keys(v.profile, k, k, outbound);
}

TEST(SrtpVectors, Rfc7714Section16SrtpGcm) {
  for (const auto& v : kGcmVectors) {
    SCOPED_TRACE(name(v.profile));
    test::Packet p(unhex(kGcmRtp));
    auto tx = gcm_session(v, true);
    ASSERT_TRUE(tx);
    auto n = tx->protect_rtp(p.span(), p.len);
    ASSERT_TRUE(n.ok());
    p.len = *n;
    EXPECT_EQ(hex(p.bytes()), hex(unhex(v.srtp)));  // §16.x.1 encryption

    auto rx = gcm_session(v, false);
    test::Packet q(unhex(v.srtp));
    auto m = rx->unprotect_rtp(q.span(), q.len);  // §16.x.2 decryption
    ASSERT_TRUE(m.ok());
    q.len = *m;
    EXPECT_EQ(hex(q.bytes()), std::string(kGcmRtp));
  }
}

TEST(SrtpVectors, Rfc7714Section17SrtcpGcm) {
  for (const auto& v : kGcmVectors) {
    SCOPED_TRACE(name(v.profile));
    auto rx = gcm_session(v, false);
    test::Packet q(unhex(v.srtcp));
    auto m = rx->unprotect_rtcp(q.span(), q.len);  // §17.x decryption
    ASSERT_TRUE(m.ok());
    q.len = *m;
    EXPECT_EQ(hex(q.bytes()), std::string(kGcmRtcp));
    // The same packet again is a replay.
    test::Packet again(unhex(v.srtcp));
    auto r = rx->unprotect_rtcp(again.span(), again.len);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SrtpError::Replay);

    // Our sender numbers SRTCP from 1: wind it to the vector's index 0x5d4.
    auto tx = gcm_session(v, true);
    for (uint32_t i = 1; i < 0x5d4; ++i) {
      test::Packet scratch(unhex(kGcmRtcp));
      ASSERT_TRUE(tx->protect_rtcp(scratch.span(), scratch.len).ok());
    }
    test::Packet p(unhex(kGcmRtcp));
    auto n = tx->protect_rtcp(p.span(), p.len);
    ASSERT_TRUE(n.ok());
    p.len = *n;
    EXPECT_EQ(hex(p.bytes()), hex(unhex(v.srtcp)));
  }
}

// RFC 7714 §17.3: E-bit clear, the whole compound authenticated as AAD, nothing encrypted.
TEST(SrtpVectors, Rfc7714Section17_3SrtcpGcmTagOnly) {
  auto rx = gcm_session(kGcmVectors[0], false);
  test::Packet q(unhex(std::string(kGcmRtcp) + "841dd9683dd78ec92ae58790125f62b3000005d4"));
  auto m = rx->unprotect_rtcp(q.span(), q.len);
  ASSERT_TRUE(m.ok());
  q.len = *m;
  EXPECT_EQ(hex(q.bytes()), std::string(kGcmRtcp));

  // One flipped bit anywhere (including the E-bit) fails.
  auto good = unhex(std::string(kGcmRtcp) + "841dd9683dd78ec92ae58790125f62b3000005d5");
  auto rx2 = gcm_session(kGcmVectors[0], false);
  test::Packet bad(good);
  EXPECT_FALSE(rx2->unprotect_rtcp(bad.span(), bad.len).ok());
}

TEST(SrtpProfiles, TableAndDtlsIds) {
  EXPECT_EQ(name(SrtpProfile::AesCm128HmacSha1_80), "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(name(SrtpProfile::AesCm128HmacSha1_32), "AES_CM_128_HMAC_SHA1_32");
  EXPECT_EQ(name(SrtpProfile::AeadAes128Gcm), "AEAD_AES_128_GCM");
  EXPECT_EQ(name(SrtpProfile::AeadAes256Gcm), "AEAD_AES_256_GCM");
  // RFC 5764 §4.1.2 and RFC 7714 §14.2.
  EXPECT_EQ(profile_info(SrtpProfile::AesCm128HmacSha1_80).dtls_id, 0x0001);
  EXPECT_EQ(profile_info(SrtpProfile::AesCm128HmacSha1_32).dtls_id, 0x0002);
  EXPECT_EQ(profile_info(SrtpProfile::AeadAes128Gcm).dtls_id, 0x0007);
  EXPECT_EQ(profile_info(SrtpProfile::AeadAes256Gcm).dtls_id, 0x0008);
  for (SrtpProfile p : kAllSrtpProfiles) {
    EXPECT_EQ(srtp_profile_from_dtls_id(profile_info(p).dtls_id), p);
    EXPECT_EQ(srtp_profile_from_openssl_name(profile_info(p).openssl_name), p);
  }
  EXPECT_EQ(srtp_profile_from_dtls_id(0x0003), std::nullopt);  // NULL cipher profiles are not supported
  EXPECT_EQ(srtp_profile_from_openssl_name("SRTP_NULL_SHA1_80"), std::nullopt);
  EXPECT_EQ(profile_info(SrtpProfile::AesCm128HmacSha1_32).rtp_tag_len, 4u);
  EXPECT_EQ(profile_info(SrtpProfile::AesCm128HmacSha1_32).rtcp_tag_len, 10u);
  EXPECT_EQ(srtp_keying_material_len(SrtpProfile::AesCm128HmacSha1_80), 60u);
  EXPECT_EQ(srtp_keying_material_len(SrtpProfile::AeadAes128Gcm), 56u);
  EXPECT_EQ(srtp_keying_material_len(SrtpProfile::AeadAes256Gcm), 88u);
}

TEST(SrtpProfiles, ServerPrefersGcm) {
  using P = SrtpProfile;
  const P chrome[] = {P::AeadAes256Gcm, P::AeadAes128Gcm, P::AesCm128HmacSha1_80, P::AesCm128HmacSha1_32};
  EXPECT_EQ(choose_srtp_profile(chrome), P::AeadAes128Gcm);
  const P no128[] = {P::AesCm128HmacSha1_80, P::AeadAes256Gcm};
  EXPECT_EQ(choose_srtp_profile(no128), P::AeadAes256Gcm);
  const P legacy[] = {P::AesCm128HmacSha1_32, P::AesCm128HmacSha1_80};
  EXPECT_EQ(choose_srtp_profile(legacy), P::AesCm128HmacSha1_80);
  const P only32[] = {P::AesCm128HmacSha1_32};
  EXPECT_EQ(choose_srtp_profile(only32), P::AesCm128HmacSha1_32);
  EXPECT_EQ(choose_srtp_profile({}), std::nullopt);
}

TEST(RtpReplayWindow, RoundsSize) {
  EXPECT_EQ(RtpReplayWindow::round_bits(0), 64u);
  EXPECT_EQ(RtpReplayWindow::round_bits(64), 64u);
  EXPECT_EQ(RtpReplayWindow::round_bits(1000), 1024u);
  EXPECT_EQ(RtpReplayWindow::round_bits(1u << 20), 16384u);
}

TEST(RtpReplayWindow, EstimatesRocAcrossWrap) {
  RtpReplayWindow w(64);
  RtpReplayWindow::Estimate e;
  auto accept = [&](uint16_t seq) {
    ASSERT_TRUE(w.estimate(seq, e));
    ASSERT_TRUE(w.check(e));
    w.add(e);
  };
  accept(65534);
  EXPECT_EQ(w.highest_index(), 65534u);
  accept(1);  // wrapped: ROC 1
  EXPECT_EQ(w.highest_index(), 65536u + 1);
  ASSERT_TRUE(w.estimate(65535, e));  // late packet from before the wrap: ROC 0
  EXPECT_EQ(e.index, 65535u);
  EXPECT_EQ(e.delta, -2);
  EXPECT_TRUE(w.check(e));
  w.add(e);
  EXPECT_FALSE(w.check(e));  // now seen
  EXPECT_EQ(w.roc(), 1u);
}

TEST(RtpReplayWindow, LowIndexAssumesRocZeroAsLibsrtp2) {
  // Below index 2^15 a "late" 65000 is taken as far ahead with ROC 0 (RFC 3711 Appendix A would say ROC -1).
  RtpReplayWindow w(1024);
  RtpReplayWindow::Estimate e;
  ASSERT_TRUE(w.estimate(100, e));
  w.add(e);
  ASSERT_TRUE(w.estimate(65000, e));
  EXPECT_EQ(e.index, 65000u);
  EXPECT_EQ(e.delta, 64900);
}

TEST(RtpReplayWindow, RefusesOlderThanWindow) {
  RtpReplayWindow w(64);
  RtpReplayWindow::Estimate e;
  for (uint16_t s : {100, 163}) {
    ASSERT_TRUE(w.estimate(s, e));
    w.add(e);
  }
  ASSERT_TRUE(w.estimate(99, e));  // 64 behind: outside
  EXPECT_FALSE(w.check(e));
  ASSERT_TRUE(w.estimate(100, e));  // 63 behind, seen
  EXPECT_FALSE(w.check(e));
  ASSERT_TRUE(w.estimate(101, e));  // 62 behind, unseen
  EXPECT_TRUE(w.check(e));
  // A jump past the whole window forgets everything in it.
  ASSERT_TRUE(w.estimate(400, e));
  w.add(e);
  ASSERT_TRUE(w.estimate(399, e));
  EXPECT_TRUE(w.check(e));
}

TEST(RtcpReplayWindow, MatchesLibsrtpRdb) {
  RtcpReplayWindow w;
  EXPECT_TRUE(w.check(0));
  w.add(5);
  EXPECT_FALSE(w.check(5));
  EXPECT_TRUE(w.check(4));
  w.add(1000);  // window now [873, 1000]
  EXPECT_FALSE(w.check(872));
  EXPECT_TRUE(w.check(873));
  EXPECT_FALSE(w.check(1000));
  EXPECT_TRUE(w.check(1001));
  w.add(1001);
  EXPECT_FALSE(w.check(873));  // slid out
  EXPECT_FALSE(w.check(1001));
  w.add(0x7FFFFFFF);
  EXPECT_FALSE(w.check(0x7FFFFFFF));
  EXPECT_TRUE(w.check(0x7FFFFFFE));
}

}  // namespace
}  // namespace medley::rtp
