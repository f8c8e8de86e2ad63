// Tests for SR/RR report blocks, NTP helpers, SDES and BYE: byte-exact vectors, negative cases, round trips.
#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"
#include "rtp/rtcp/bye.hpp"
#include "rtp/rtcp/ntp_time.hpp"
#include "rtp/rtcp/sdes.hpp"
#include "rtp/rtcp/sender_report.hpp"

namespace medley::rtp::rtcp {
namespace {

using test::build;
using test::Bytes;
using test::frame;

std::vector<SdesItem> items_of(const SdesChunkView& c) {
  std::vector<SdesItem> out;
  for (SdesItem i : c) out.push_back(i);
  return out;
}

// libwebrtc modules/rtp_rtcp/source/rtcp_packet/sender_report_unittest.cc kPacket.
const Bytes kLibwebrtcSr = {0x80, 200,  0x00, 0x06, 0x12, 0x34, 0x56, 0x78, 0x11, 0x12, 0x14, 0x18, 0x22, 0x24,
                            0x26, 0x28, 0x33, 0x34, 0x35, 0x36, 0x44, 0x45, 0x46, 0x47, 0x55, 0x56, 0x57, 0x58};

// By hand (RFC 3550 §6.4.2): RR, one block with a negative cumulative loss.
const Bytes kRrNegativeLoss = {
    0x81, 201,  0x00, 0x07,  // V=2 P=0 RC=1 PT=RR len=7
    0x00, 0x00, 0x00, 0x2a,  // sender ssrc 42
    0xde, 0xad, 0xbe, 0xef,  // block ssrc
    0x40,                    // fraction lost 64/256
    0xff, 0xff, 0xfe,        // cumulative lost -2 (duplicates outnumber losses)
    0x00, 0x01, 0x00, 0x05,  // extended highest seq: cycle 1, seq 5
    0x00, 0x00, 0x01, 0x00,  // jitter 256
    0x12, 0x34, 0x56, 0x78,  // LSR
    0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s (0x18000 / 65536)
};

TEST(RtcpSr, ParsesLibwebrtcVector) {
  auto sr = SenderReportView::parse(frame(kLibwebrtcSr));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc(), Ssrc(0x12345678));
  EXPECT_EQ(sr->sender_info().ntp.seconds(), 0x11121418u);
  EXPECT_EQ(sr->sender_info().ntp.fraction(), 0x22242628u);
  EXPECT_EQ(sr->sender_info().rtp_timestamp, 0x33343536u);
  EXPECT_EQ(sr->sender_info().packet_count, 0x44454647u);
  EXPECT_EQ(sr->sender_info().octet_count, 0x55565758u);
  EXPECT_EQ(sr->report_count(), 0u);
  EXPECT_TRUE(sr->extension().empty());
}

TEST(RtcpSr, WritesLibwebrtcVector) {
  SenderInfo info{NtpTime{0x1112141822242628ull}, 0x33343536, 0x44454647, 0x55565758};
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_sender_report(w, Ssrc(0x12345678), info); }), kLibwebrtcSr);
}

TEST(RtcpSr, RoundTripWithBlocksAndTooManyBlocks) {
  std::vector<ReportBlock> blocks;
  for (uint32_t i = 0; i < 3; ++i) {
    blocks.push_back(ReportBlock{Ssrc(100 + i), static_cast<uint8_t>(i), -5 + static_cast<int32_t>(i) * 1000,
                                 0x10000u + i, 7 * i, 0xabcd0000u + i, 0x100u * i});
  }
  SenderInfo info{NtpTime{0x0102030405060708ull}, 1, 2, 3};
  Bytes b = build([&](base::ByteWriter& w) { return write_sender_report(w, Ssrc(9), info, blocks); });
  ASSERT_EQ(b.size(), 28u + 3 * 24);
  auto sr = SenderReportView::parse(frame(b));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_info(), info);
  ASSERT_EQ(sr->report_count(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(sr->report_block(i), blocks[i]);

  std::vector<ReportBlock> many(32);
  EXPECT_TRUE(build([&](base::ByteWriter& w) { return write_sender_report(w, Ssrc(9), info, many); }).empty());
}

TEST(RtcpSr, CountPastLengthIsRejected) {
  Bytes b = kLibwebrtcSr;
  b[0] = 0x81;  // RC=1 but no block follows
  EXPECT_FALSE(SenderReportView::parse(frame(b)));
  Bytes shorter(kLibwebrtcSr.begin(), kLibwebrtcSr.begin() + 24);
  shorter[3] = 0x05;  // SR cut to 24 bytes: sender info incomplete
  EXPECT_FALSE(SenderReportView::parse(frame(shorter)));
}

TEST(RtcpRr, ParsesRealDumpBlock) {
  // pion/rtcp packet_test.go realPacket(), first packet.
  Bytes d = test::read_data("dump_rr_sdes_bye_pli_rrr_app.bin");
  d.resize(32);
  auto rr = ReceiverReportView::parse(frame(d));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc(), Ssrc(0x902f9e2e));
  ASSERT_EQ(rr->report_count(), 1u);
  ReportBlock b = rr->report_block(0);
  EXPECT_EQ(b.ssrc, Ssrc(0xbc5e9a40));
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 0);
  EXPECT_EQ(b.extended_highest_seq, 0x46e1u);
  EXPECT_EQ(b.jitter, 273u);
  EXPECT_EQ(b.lsr, 0x9f36432u);
  EXPECT_EQ(b.dlsr, 150137u);
}

TEST(RtcpRr, NegativeCumulativeLostBothWays) {
  auto rr = ReceiverReportView::parse(frame(kRrNegativeLoss));
  ASSERT_TRUE(rr);
  ReportBlock b = rr->report_block(0);
  EXPECT_EQ(b.ssrc, Ssrc(0xdeadbeef));
  EXPECT_EQ(b.fraction_lost, 0x40);
  EXPECT_EQ(b.cumulative_lost, -2);
  EXPECT_EQ(b.extended_highest_seq, 0x10005u);
  EXPECT_EQ(b.jitter, 256u);
  EXPECT_EQ(b.lsr, 0x12345678u);
  EXPECT_EQ(compact_ntp_to_duration(b.dlsr), base::Duration::millis(1500));
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_receiver_report(w, Ssrc(42), std::span(&b, 1)); }),
            kRrNegativeLoss);
}

TEST(RtcpRr, CumulativeLostIsClampedToSigned24Bits) {
  ReportBlock hi{Ssrc(1), 0, 0x1000000, 0, 0, 0, 0};
  ReportBlock lo{Ssrc(1), 0, -0x1000000, 0, 0, 0, 0};
  ReportBlock both[] = {hi, lo};
  const Bytes rr_bytes = build([&](base::ByteWriter& w) {
    return write_receiver_report(w, Ssrc(2), both);
  });
  auto rr = ReceiverReportView::parse(frame(rr_bytes));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->report_block(0).cumulative_lost, 0x7fffff);
  EXPECT_EQ(rr->report_block(1).cumulative_lost, -0x800000);
}

TEST(RtcpRr, EmptyRrAndExtension) {
  // An RR with no blocks plus one word of profile extension.
  const Bytes b = {0x80, 201, 0x00, 0x02, 0, 0, 0, 7, 0xca, 0xfe, 0xba, 0xbe};
  auto rr = ReceiverReportView::parse(frame(b));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->report_count(), 0u);
  EXPECT_EQ(rr->extension().size(), 4u);
  EXPECT_EQ(build([](base::ByteWriter& w) { return write_receiver_report(w, Ssrc(7)); }),
            (Bytes{0x80, 201, 0x00, 0x01, 0, 0, 0, 7}));
}

TEST(RtcpNtp, CompactAndRtt) {
  NtpTime t{0x1112141822242628ull};
  EXPECT_EQ(t.compact(), 0x14182224u);
  EXPECT_EQ(compact_ntp_to_duration(0x10000), base::Duration::seconds(1));
  EXPECT_EQ(duration_to_compact_ntp(base::Duration::millis(250)), 0x4000u);
  EXPECT_EQ(duration_to_compact_ntp(base::Duration::micros(-5)), 0u);
  EXPECT_EQ(duration_to_compact_ntp(base::Duration::seconds(100000)), 0xffffffffu);
  // RFC 3550 §6.4.1 example, figure 2: A=0xb710:8000 (46864.500 s), LSR=0xb705:2000 (46853.125 s),
  // DLSR=0x0005:4000 (5.250 s) -> RTT 6.125 s.
  EXPECT_EQ(rtt_from_report(0xb7108000, 0xb7052000, 0x00054000), base::Duration::micros(6'125'000));
  EXPECT_EQ(rtt_from_report(0xb7108000, 0, 0x00054000), std::nullopt);
  EXPECT_EQ(rtt_from_report(0x00001000, 0x00002000, 0), base::Duration::zero());  // negative -> 0
  EXPECT_EQ(rtt_from_report(0x00000100, 0xffffff00, 0x100), compact_ntp_to_duration(0x100));  // across the wrap
}

TEST(RtcpNtp, DurationRoundTrip) {
  base::Duration d = base::Duration::micros(3'913'056'000'123'456);  // 2024-ish, microsecond precision
  NtpTime t = NtpTime::from_duration(d);
  EXPECT_EQ(t.seconds(), 3'913'056'000u);
  EXPECT_EQ(t.to_duration(), d);
  EXPECT_EQ(NtpTime::from_duration(base::Duration::millis(500)).value, 0x80000000ull);
}

TEST(RtcpSdes, ParsesRealCname) {
  // pion/rtcp packet_test.go realPacket(), second packet.
  Bytes d = test::read_data("dump_rr_sdes_bye_pli_rrr_app.bin");
  Bytes sdes(d.begin() + 32, d.begin() + 84);
  auto v = SdesView::parse(frame(sdes));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->chunk_count(), 1u);
  EXPECT_EQ(v->cname(Ssrc(0x902f9e2e)), "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}");
  EXPECT_EQ(v->cname(Ssrc(1)), std::nullopt);
  // and the writer produces the same 52 bytes
  EXPECT_EQ(build([](base::ByteWriter& w) {
              return write_sdes_cname(w, Ssrc(0x902f9e2e), "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}");
            }),
            sdes);
}

TEST(RtcpSdes, TwoChunksSeveralItemsByHand) {
  const Bytes b = {
      0x82, 202,  0x00, 0x05,  // V=2 SC=2 PT=SDES len=5 (24 bytes)
      0x00, 0x00, 0x00, 0x01,  // chunk 1: ssrc 1
      0x01, 0x01, 'x',  0x06,  // CNAME len 1 "x"; TOOL...
      0x02, 't',  'l',  0x00,  // ... len 2 "tl"; END (chunk 1 is 12 bytes, already word aligned)
      0x00, 0x00, 0x00, 0x02,  // chunk 2: ssrc 2
      0x02, 0x00, 0x00, 0x00,  // NAME len 0; END; one pad octet
  };
  auto v = SdesView::parse(frame(b));
  ASSERT_TRUE(v);
  std::vector<std::pair<uint32_t, std::vector<SdesItem>>> got;
  for (SdesChunkView c : *v) {
    std::vector<SdesItem> items = items_of(c);
    got.emplace_back(c.ssrc().value, items);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, 1u);
  EXPECT_EQ(got[0].second, (std::vector<SdesItem>{{kSdesCname, "x"}, {kSdesTool, "tl"}}));
  EXPECT_EQ(got[1].first, 2u);
  EXPECT_EQ(got[1].second, (std::vector<SdesItem>{{kSdesName, ""}}));
}

TEST(RtcpSdes, RoundTripAndLimits) {
  const SdesItem a[] = {{kSdesCname, "user@host"}, {kSdesPriv, std::string_view("\x03" "abcde", 6)}};
  const SdesItem b[] = {{kSdesCname, "z"}};
  const SdesChunk chunks[] = {{Ssrc(10), a}, {Ssrc(20), b}, {Ssrc(30), {}}};
  Bytes out = build([&](base::ByteWriter& w) { return write_sdes(w, chunks); });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.size() % 4, 0u);
  auto v = SdesView::parse(frame(out));
  ASSERT_TRUE(v);
  size_t i = 0;
  for (SdesChunkView c : *v) {
    EXPECT_EQ(c.ssrc(), chunks[i].ssrc);
    EXPECT_EQ(items_of(c),
              std::vector<SdesItem>(chunks[i].items.begin(), chunks[i].items.end()));
    ++i;
  }
  EXPECT_EQ(i, 3u);

  std::string long_text(256, 'a');
  EXPECT_TRUE(build([&](base::ByteWriter& w) { return write_sdes_cname(w, Ssrc(1), long_text); }).empty());
  const SdesItem end_item[] = {{kSdesEnd, "x"}};
  const SdesChunk bad[] = {{Ssrc(1), end_item}};
  EXPECT_TRUE(build([&](base::ByteWriter& w) { return write_sdes(w, bad); }).empty());
}

TEST(RtcpSdes, MissingTerminatorAndItemPastEnd) {
  const Bytes no_end = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
  EXPECT_FALSE(SdesView::parse(frame(no_end)));
  const Bytes past_end = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
  EXPECT_FALSE(SdesView::parse(frame(past_end)));
  const Bytes too_many_chunks = {0x82, 202, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(SdesView::parse(frame(too_many_chunks)));
}

TEST(RtcpBye, RealDumpAndReason) {
  // pion/rtcp packet_test.go realPacket(), third packet.
  const Bytes b = {0x81, 0xcb, 0x00, 0x01, 0x90, 0x2f, 0x9e, 0x2e};
  auto v = ByeView::parse(frame(b));
  ASSERT_TRUE(v);
  ASSERT_EQ(v->ssrc_count(), 1u);
  EXPECT_EQ(v->ssrc(0), Ssrc(0x902f9e2e));
  EXPECT_EQ(v->reason(), std::nullopt);
  const Ssrc s[] = {Ssrc(0x902f9e2e)};
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_bye(w, s); }), b);

  // By hand: two SSRCs and the reason "bye" (RFC 3550 §6.6).
  const Bytes r = {0x82, 203, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x03, 'b', 'y', 'e'};
  auto rv = ByeView::parse(frame(r));
  ASSERT_TRUE(rv);
  EXPECT_EQ(rv->ssrc(1), Ssrc(2));
  EXPECT_EQ(rv->reason(), "bye");
  const Ssrc two[] = {Ssrc(1), Ssrc(2)};
  EXPECT_EQ(build([&](base::ByteWriter& w) { return write_bye(w, two, "bye"); }), r);
}

TEST(RtcpBye, ReasonOrListPastEnd) {
  const Bytes reason_long = {0x81, 203, 0x00, 0x02, 0, 0, 0, 1, 0x05, 'b', 'y', 'e'};
  EXPECT_FALSE(ByeView::parse(frame(reason_long)));
  const Bytes list_long = {0x83, 203, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(ByeView::parse(frame(list_long)));
}

}  // namespace
}  // namespace medley::rtp::rtcp
