// Tests for the RTCP compound reader and writer: framing, error values, reduced-size RTCP, all-or-nothing appends.
#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"
#include "rtp/rtcp/compound.hpp"

namespace medley::rtp::rtcp {
namespace {

using test::build;
using test::Bytes;
using test::read_data;

// SR without blocks (libwebrtc sender_report_unittest.cc kPacket) followed by an SDES CNAME built by hand.
const Bytes kSrSdes = {
    0x80, 200, 0x00, 0x06,   // V=2 P=0 RC=0 PT=SR len=6 (28 bytes)
    0x12, 0x34, 0x56, 0x78,  // sender ssrc
    0x11, 0x12, 0x14, 0x18,  // NTP seconds
    0x22, 0x24, 0x26, 0x28,  // NTP fraction
    0x33, 0x34, 0x35, 0x36,  // RTP timestamp
    0x44, 0x45, 0x46, 0x47,  // packet count
    0x55, 0x56, 0x57, 0x58,  // octet count
    0x81, 202, 0x00, 0x03,   // V=2 P=0 SC=1 PT=SDES len=3 (16 bytes)
    0x12, 0x34, 0x56, 0x78,  // chunk ssrc
    0x01, 0x04, 'a', 'b',    // CNAME len 4 "abcd"
    'c', 'd', 0x00, 0x00,    // END + pad to the word
};

TEST(RtcpCompound, ReadsRealDumpAndReportsUnknownTypes) {
  Bytes d = read_data("dump_rr_sdes_bye_pli_rrr_app.bin");
  ASSERT_EQ(d.size(), 132u);
  CompoundReader r(d);
  std::vector<size_t> kinds;
  while (auto p = r.next()) kinds.push_back(p->index());
  EXPECT_TRUE(r.ok()) << to_string(r.error());
  // RR, SDES, BYE, PLI, RRR (RTPFB FMT 5) and APP: the last two are unknown, not errors.
  EXPECT_EQ(kinds, (std::vector<size_t>{1, 2, 3, 6, 9, 9}));
  EXPECT_EQ(r.packet_count(), 6u);
  EXPECT_EQ(r.unknown_count(), 2u);
  EXPECT_EQ(r.offset(), 132u);
  EXPECT_TRUE(validate_compound(d));
}

TEST(RtcpCompound, ReadsSrAndSdes) {
  CompoundReader r(kSrSdes);
  auto a = r.next();
  ASSERT_TRUE(a && std::holds_alternative<SenderReportView>(*a));
  EXPECT_EQ(std::get<SenderReportView>(*a).sender_info().octet_count, 0x55565758u);
  auto b = r.next();
  ASSERT_TRUE(b && std::holds_alternative<SdesView>(*b));
  EXPECT_EQ(std::get<SdesView>(*b).cname(Ssrc(0x12345678)), "abcd");
  EXPECT_FALSE(r.next());
  EXPECT_TRUE(r.ok());
}

TEST(RtcpCompound, ReducedSizeSingleFeedbackIsAccepted) {
  // RFC 5506: a lone PLI, no SR/RR first.
  const Bytes pli = {0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  CompoundReader r(pli);
  auto p = r.next();
  ASSERT_TRUE(p && std::holds_alternative<PliView>(*p));
  EXPECT_EQ(std::get<PliView>(*p).media_ssrc(), Ssrc(2));
  EXPECT_FALSE(r.next());
  EXPECT_TRUE(r.ok());
}

TEST(RtcpCompound, EmptyDatagramYieldsNothing) {
  CompoundReader r(base::Bytes{});
  EXPECT_FALSE(r.next());
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(validate_compound(base::Bytes{}));
}

TEST(RtcpCompound, TruncatedHeaderIsAnError) {
  Bytes d = kSrSdes;
  d.resize(28 + 3);  // SR whole, then 3 bytes of the SDES header
  CompoundReader r(d);
  EXPECT_TRUE(r.next());
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), ReadError::kTruncated);
  EXPECT_EQ(r.offset(), 28u);
}

TEST(RtcpCompound, LengthPastEndKeepsEarlierPackets) {
  Bytes d = kSrSdes;
  d[28 + 3] = 0x04;  // SDES claims 20 bytes, 16 are there
  CompoundReader r(d);
  auto first = r.next();
  ASSERT_TRUE(first);
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), ReadError::kTruncated);
  // The SR read before the error is still a valid view.
  EXPECT_EQ(std::get<SenderReportView>(*first).sender_ssrc(), Ssrc(0x12345678));
}

TEST(RtcpCompound, PionInvalidHeaderLength) {
  // pion/rtcp packet_test.go TestInvalidHeaderLength: RR claiming len=100 with nothing after the header.
  const Bytes d = {0x81, 0xc9, 0x00, 0x64};
  CompoundReader r(d);
  EXPECT_FALSE(r.next_view());
  EXPECT_EQ(r.error(), ReadError::kTruncated);
}

TEST(RtcpCompound, BadVersion) {
  Bytes d = kSrSdes;
  d[28] = 0x41;  // V=1 on the SDES
  CompoundReader r(d);
  EXPECT_TRUE(r.next());
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), ReadError::kBadVersion);
  Bytes zero(20, 0);  // pion full_intra_request_test.go "invalid header": all zeros
  CompoundReader z(zero);
  EXPECT_FALSE(z.next());
  EXPECT_EQ(z.error(), ReadError::kBadVersion);
}

TEST(RtcpCompound, PaddingOnlyOnLastPacket) {
  Bytes d = kSrSdes;
  d[0] |= 0x20;  // P on the SR, which is not last
  d[27] = 4;     // a plausible count: the octet count's last byte
  CompoundReader strict(d);
  EXPECT_FALSE(strict.next());
  EXPECT_EQ(strict.error(), ReadError::kPaddingNotLast);
  EXPECT_EQ(strict.offset(), 0u);

  // Lenient mode (libwebrtc peers): the padding is stripped from that packet alone; the SR needs its 24 bytes, so
  // stripping 4 leaves it short and the SR is malformed.
  CompoundReader lenient(d, ReadOptions{.padding_only_last = false});
  EXPECT_FALSE(lenient.next());
  EXPECT_EQ(lenient.error(), ReadError::kMalformed);
}

TEST(RtcpCompound, PaddingOnLastPacketIsStripped) {
  // A PLI with 4 bytes of padding: len=3, last byte 4.
  const Bytes d = {0xa1, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4};
  CompoundReader r(d);
  auto v = r.next_view();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->padding);
  EXPECT_EQ(v->payload.size(), 8u);
  EXPECT_EQ(v->data.size(), 16u);
}

TEST(RtcpCompound, BadPaddingCount) {
  Bytes d = {0xa1, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0};  // count 0
  CompoundReader r(d);
  EXPECT_FALSE(r.next_view());
  EXPECT_EQ(r.error(), ReadError::kBadPadding);
  d.back() = 13;  // longer than the 12-byte body
  CompoundReader r2(d);
  EXPECT_FALSE(r2.next_view());
  EXPECT_EQ(r2.error(), ReadError::kBadPadding);
}

TEST(RtcpCompound, MalformedKnownPacketEndsIterationWithError) {
  Bytes d = kSrSdes;
  d[37] = 0x20;  // the SDES CNAME item claims 32 bytes of text
  CompoundReader r(d);
  EXPECT_TRUE(r.next());
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), ReadError::kMalformed);
  EXPECT_EQ(r.offset(), 28u);
  EXPECT_EQ(r.packet_count(), 1u);
  EXPECT_FALSE(validate_compound(d));
}

TEST(RtcpCompound, WriterBuildsByteExactCompound) {
  Bytes out(64);
  CompoundWriter cw(out);
  SenderInfo info{NtpTime{0x1112141822242628ull}, 0x33343536, 0x44454647, 0x55565758};
  EXPECT_TRUE(cw.append([&](base::ByteWriter& w) { return write_sender_report(w, Ssrc(0x12345678), info); }));
  EXPECT_TRUE(cw.append([&](base::ByteWriter& w) { return write_sdes_cname(w, Ssrc(0x12345678), "abcd"); }));
  EXPECT_EQ(Bytes(cw.written().begin(), cw.written().end()), kSrSdes);
}

TEST(RtcpCompound, WriterIsAllOrNothing) {
  Bytes out(36);
  CompoundWriter cw(out);
  auto pli = [](base::ByteWriter& w) { return write_pli(w, Ssrc(1), Ssrc(2)); };
  EXPECT_TRUE(cw.append(pli));
  SenderInfo info;
  EXPECT_FALSE(cw.append([&](base::ByteWriter& w) { return write_sender_report(w, Ssrc(1), info); }));  // 28 > 24
  EXPECT_EQ(cw.size(), 12u);
  EXPECT_TRUE(cw.append(pli));  // a smaller packet still goes in after a refused one
  EXPECT_EQ(cw.size(), 24u);
  EXPECT_TRUE(validate_compound(cw.written()));
}

}  // namespace
}  // namespace medley::rtp::rtcp
