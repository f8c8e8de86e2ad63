// Tests for NACK, PLI, FIR and REMB: vectors from libwebrtc and pion, negative cases, round trips.
#include <gtest/gtest.h>

#include <algorithm>

#include "rtcp_test_util.hpp"
#include "rtp/rtcp/fir.hpp"
#include "rtp/rtcp/nack.hpp"
#include "rtp/rtcp/pli.hpp"
#include "rtp/rtcp/remb.hpp"

namespace medley::rtp::rtcp {
namespace {

using test::build;
using test::Bytes;
using test::frame;

// libwebrtc modules/rtp_rtcp/source/rtcp_packet/nack_unittest.cc: kList / kPacket and kWrapList / kWrapPacket.
const std::vector<uint16_t> kNackList = {0, 1, 3, 8, 16};
const Bytes kNackPacket = {0x81, 205, 0, 3, 0x12, 0x34, 0x56, 0x78, 0x23, 0x45, 0x67, 0x89, 0x00, 0x00, 0x80, 0x85};
const std::vector<uint16_t> kNackWrapList = {0xffdc, 0xffec, 0xfffe, 0xffff, 0x0000, 0x0001, 0x0003, 0x0014, 0x0064};
const Bytes kNackWrapPacket = {0x81, 205,  0,    6,    0x12, 0x34, 0x56, 0x78, 0x23, 0x45, 0x67, 0x89, 0xff, 0xdc,
                               0x80, 0x00, 0xff, 0xfe, 0x00, 0x17, 0x00, 0x14, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00};

std::vector<uint16_t> lost_of(const NackView& v) {
  std::vector<uint16_t> out;
  for (uint16_t s : v.lost()) out.push_back(s);
  return out;
}

TEST(RtcpNack, LibwebrtcVectors) {
  auto w = [](const std::vector<uint16_t>& l) {
    return build([&](base::ByteWriter& bw) { return write_nack(bw, Ssrc(0x12345678), Ssrc(0x23456789), l); });
  };
  EXPECT_EQ(w(kNackList), kNackPacket);
  EXPECT_EQ(w(kNackWrapList), kNackWrapPacket);

  auto v = NackView::parse(frame(kNackPacket));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(0x12345678));
  EXPECT_EQ(v->media_ssrc(), Ssrc(0x23456789));
  EXPECT_EQ(v->pair_count(), 1u);
  EXPECT_EQ(v->pair(0), (NackPair{0, 0x8085}));
  EXPECT_EQ(lost_of(*v), kNackList);
  EXPECT_EQ(v->lost_count(), kNackList.size());

  auto wv = NackView::parse(frame(kNackWrapPacket));
  ASSERT_TRUE(wv);
  EXPECT_EQ(wv->pair_count(), 4u);
  EXPECT_EQ(lost_of(*wv), kNackWrapList);
}

TEST(RtcpNack, UnorderedInputIsCorrectIfNotMinimal) {
  // libwebrtc nack_unittest.cc BadOrder.
  const std::vector<uint16_t> list = {1, 25, 13, 12, 9, 27, 29};
  const Bytes v_bytes = build([&](base::ByteWriter& w) { return write_nack(w, Ssrc(1), Ssrc(2), list); });
  auto v = NackView::parse(frame(v_bytes));
  ASSERT_TRUE(v);
  auto got = lost_of(*v);
  std::sort(got.begin(), got.end());
  auto want = list;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(RtcpNack, PackingIsMinimalForSortedLists) {
  // A pair holds the PID and 16 more, so 18 consecutive losses need two pairs. Across the wrap too.
  std::vector<uint16_t> l;
  for (int i = 0; i < 18; ++i) l.push_back(static_cast<uint16_t>(0xfff8 + i));
  std::array<NackPair, 4> pairs{};
  EXPECT_EQ(pack_nack_pairs(l, pairs), 1u + 1u);
  EXPECT_EQ(pairs[0], (NackPair{0xfff8, 0xffff}));
  EXPECT_EQ(pairs[1], (NackPair{0x0009, 0x0000}));
  // Duplicates are absorbed; output is counted even when `out` is too small.
  const uint16_t dup[] = {5, 5, 6, 6, 100, 300};
  std::array<NackPair, 1> one{};
  EXPECT_EQ(pack_nack_pairs(dup, one), 3u);
  EXPECT_EQ(one[0], (NackPair{5, 0x0001}));
}

TEST(RtcpNack, NegativeCases) {
  // libwebrtc nack_unittest.cc kTooSmallPacket: no FCI at all.
  const Bytes zero = {0x81, 205, 0, 2, 0x12, 0x34, 0x56, 0x78, 0x23, 0x45, 0x67, 0x89};
  EXPECT_FALSE(NackView::parse(frame(zero)));
  const Bytes short_fb = {0x81, 205, 0, 1, 0x12, 0x34, 0x56, 0x78};
  EXPECT_FALSE(NackView::parse(frame(short_fb)));
  EXPECT_TRUE(build([](base::ByteWriter& w) { return write_nack(w, Ssrc(1), Ssrc(2), {}); }).empty());
  EXPECT_TRUE(build([](base::ByteWriter& w) { return write_nack_pairs(w, Ssrc(1), Ssrc(2), {}); }).empty());
  // Not a NACK: RTPFB FMT 15.
  Bytes twcc = kNackPacket;
  twcc[0] = 0x8f;
  EXPECT_FALSE(NackView::parse(frame(twcc)));
}

TEST(RtcpNack, RoundTripRandomLists) {
  uint32_t x = 12345;
  for (int round = 0; round < 200; ++round) {
    std::vector<uint16_t> lost;
    uint16_t seq = static_cast<uint16_t>(x);
    size_t n = 1 + (x % 60);
    for (size_t i = 0; i < n; ++i) {
      x = x * 1103515245 + 12345;
      seq = static_cast<uint16_t>(seq + 1 + (x >> 16) % 20);
      lost.push_back(seq);
    }
    const Bytes v_bytes = build([&](base::ByteWriter& w) { return write_nack(w, Ssrc(1), Ssrc(2), lost); });
    auto v = NackView::parse(frame(v_bytes));
    ASSERT_TRUE(v);
    EXPECT_EQ(lost_of(*v), lost);
  }
}

TEST(RtcpPli, RealDumpVectorAndRoundTrip) {
  // pion/rtcp packet_test.go realPacket(), fourth packet.
  const Bytes b = {0x81, 0xce, 0x00, 0x02, 0x90, 0x2f, 0x9e, 0x2e, 0x90, 0x2f, 0x9e, 0x2e};
  auto v = PliView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(0x902f9e2e));
  EXPECT_EQ(v->media_ssrc(), Ssrc(0x902f9e2e));
  EXPECT_EQ(build([](base::ByteWriter& w) { return write_pli(w, Ssrc(0x902f9e2e), Ssrc(0x902f9e2e)); }), b);
  const Bytes short_pli = {0x81, 0xce, 0x00, 0x01, 0x90, 0x2f, 0x9e, 0x2e};
  EXPECT_FALSE(PliView::parse(frame(short_pli)));
}

TEST(RtcpFir, PionVectors) {
  // pion/rtcp full_intra_request_test.go "also valid" (media ssrc non-zero although RFC 5104 says 0).
  const Bytes b = {0x84, 0xce, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x4b, 0xc4, 0xfc, 0xb4, 0x12, 0x34,
                   0x56, 0x78, 0x42, 0x00, 0x00, 0x00, 0x98, 0x76, 0x54, 0x32, 0x57, 0x00, 0x00, 0x00};
  auto v = FirView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(0));
  EXPECT_EQ(v->media_ssrc(), Ssrc(0x4bc4fcb4));
  ASSERT_EQ(v->entry_count(), 2u);
  EXPECT_EQ(v->entry(0), (FirEntry{Ssrc(0x12345678), 0x42}));
  EXPECT_EQ(v->entry(1), (FirEntry{Ssrc(0x98765432), 0x57}));
  // pion "wrong length": len=3, one entry cut to its SSRC.
  const Bytes cut = {0x84, 0xce, 0x00, 0x03, 0, 0, 0, 0, 0x4b, 0xc4, 0xfc, 0xb4, 0x12, 0x34, 0x56, 0x78};
  EXPECT_FALSE(FirView::parse(frame(cut)));
}

TEST(RtcpFir, WriteByHand) {
  const FirEntry e[] = {{Ssrc(0x01020304), 7}};
  const Bytes want = {
      0x84, 206,  0x00, 0x04,  // V=2 FMT=4 PT=PSFB len=4
      0x00, 0x00, 0x00, 0x09,  // sender ssrc 9
      0x00, 0x00, 0x00, 0x00,  // media ssrc 0 (RFC 5104 §4.3.1.2)
      0x01, 0x02, 0x03, 0x04,  // FCI: ssrc
      0x07, 0x00, 0x00, 0x00,  // seq nr 7, reserved
  };
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_fir(w, Ssrc(9), e); }), want);
  EXPECT_TRUE(build([](base::ByteWriter& w) { return write_fir(w, Ssrc(9), {}); }).empty());
}

// libwebrtc modules/rtp_rtcp/source/rtcp_packet/remb_unittest.cc kPacket (bitrate 0x3fb93 * 2).
const Bytes kLibwebrtcRemb = {0x8f, 206,  0x00, 0x07, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
                              0x00, 'R',  'E',  'M',  'B',  0x03, 0x07, 0xfb, 0x93, 0x23, 0x45,
                              0x67, 0x89, 0x23, 0x45, 0x67, 0x8a, 0x23, 0x45, 0x67, 0x8b};

TEST(RtcpRemb, LibwebrtcVector) {
  const Ssrc ssrcs[] = {Ssrc(0x23456789), Ssrc(0x2345678a), Ssrc(0x2345678b)};
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_remb(w, Ssrc(0x12345678), 0x3fb93 * 2, ssrcs); }),
            kLibwebrtcRemb);
  auto v = RembView::parse(frame(kLibwebrtcRemb));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(0x12345678));
  EXPECT_EQ(v->bitrate_bps(), 0x3fb93u * 2);
  ASSERT_EQ(v->ssrc_count(), 3u);
  EXPECT_EQ(v->ssrc(2), Ssrc(0x2345678b));
}

TEST(RtcpRemb, ChromeVector) {
  Bytes b = test::read_data("chrome_remb.bin");
  auto v = RembView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(1));
  EXPECT_EQ(v->bitrate_bps(), 8927168u);
  ASSERT_EQ(v->ssrc_count(), 1u);
  EXPECT_EQ(v->ssrc(0), Ssrc(1215622422));
  const Ssrc s[] = {Ssrc(1215622422)};
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_remb(w, Ssrc(1), 8927168, s); }), b);
}

TEST(RtcpRemb, ExponentMantissaChoice) {
  EXPECT_EQ(RembBitrate::encode(0).exponent, 0);
  EXPECT_EQ(RembBitrate::encode((1u << 18) - 1).exponent, 0);
  EXPECT_EQ(RembBitrate::encode(1u << 18).exponent, 1);
  // pion receiver_estimated_maximum_bitrate_test.go: 8927167 rounds down to mantissa 139486, exp 6 (8927104).
  RembBitrate r = RembBitrate::encode(8927167);
  EXPECT_EQ(r.exponent, 6);
  EXPECT_EQ(r.mantissa, 139486u);
  EXPECT_EQ(r.decode(), 8927104u);
  // 64-bit: libwebrtc remb_unittest.cc CreateAndParse64bitBitrate (0x3fb93 << 30).
  uint64_t big = uint64_t{0x3fb93} << 30;
  const Bytes v_bytes = build([&](base::ByteWriter& w) { return write_remb(w, Ssrc(1), big, {}); });
  auto v = RembView::parse(frame(v_bytes));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->bitrate_bps(), big);
  EXPECT_EQ(v->ssrc_count(), 0u);
  // Never more than asked, within one part in 2^17.
  for (uint64_t bps : {uint64_t{1}, uint64_t{999'999}, uint64_t{123'456'789'012}, ~uint64_t{0}}) {
    uint64_t got = RembBitrate::encode(bps).decode();
    EXPECT_LE(got, bps);
    EXPECT_GE(got, bps - (bps >> 17));
  }
}

TEST(RtcpRemb, NegativeCases) {
  Bytes n = kLibwebrtcRemb;
  n[16] = 4;  // libwebrtc ParseFailsWhenSsrcCountMismatchLength: num ssrc past the end
  EXPECT_FALSE(RembView::parse(frame(n)));
  Bytes id = kLibwebrtcRemb;
  id[12] = 'N';  // libwebrtc ParseFailsWhenUniqueIdentifierIsNotRemb
  EXPECT_FALSE(RembView::is_remb(frame(id)));
  EXPECT_FALSE(RembView::parse(frame(id)));
  Bytes big = kLibwebrtcRemb;
  big[17] |= 0xfc;  // libwebrtc ParseFailsWhenBitrateDoNotFitIn64bits: exponent 63, mantissa >= 2
  big[19] |= 0x02;
  EXPECT_FALSE(RembView::parse(frame(big)));
  // libwebrtc ParseFailsOnTooSmallPacketToBeRemb: 16 bytes, ends after "REMB".
  Bytes small(kLibwebrtcRemb.begin(), kLibwebrtcRemb.begin() + 16);
  small[3] = 3;
  EXPECT_FALSE(RembView::parse(frame(small)));
  std::vector<Ssrc> too_many(256, Ssrc(1));
  EXPECT_TRUE(build([&](base::ByteWriter& w) { return write_remb(w, Ssrc(1), 1000, too_many); }, 4096).empty());
}

}  // namespace
}  // namespace medley::rtp::rtcp
