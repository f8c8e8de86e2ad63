// Tests for transport-wide CC feedback: vectors from pion and by hand, libwebrtc's builder size cases, negative
// cases, splitting by size and delta range, round trips.
#include <gtest/gtest.h>

#include <vector>

#include "rtcp_test_util.hpp"
#include "rtp/rtcp/twcc_feedback.hpp"
#include "rtp/rtcp/twcc_feedback_builder.hpp"

namespace medley::rtp::rtcp {
namespace {

using base::Duration;
using base::Timestamp;
using test::Bytes;
using test::frame;

struct Status {
  uint16_t seq;
  TwccSymbol symbol;
  int16_t ticks;
  bool operator==(const Status&) const = default;
};

std::vector<Status> statuses(const TwccFeedbackView& v) {
  std::vector<Status> out;
  for (const TwccPacketStatus& s : v) out.push_back({s.seq, s.symbol, s.delta_ticks});
  return out;
}

constexpr auto N = TwccSymbol::kNotReceived;
constexpr auto S = TwccSymbol::kSmallDelta;
constexpr auto L = TwccSymbol::kLargeDelta;

TEST(RtcpTwcc, PionVectorAndRun) {
  // pion/rtcp transport_layer_cc_test.go TestTransportLayerCC_Unmarshal "example6" (see the .txt dissection).
  Bytes b = test::read_data("pion_twcc_vector_and_run.bin");
  auto v = TwccFeedbackView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sender_ssrc(), Ssrc(2608133663u));
  EXPECT_EQ(v->media_ssrc(), Ssrc(2473712828u));
  EXPECT_EQ(v->base_seq(), 34108);
  EXPECT_EQ(v->status_count(), 9);
  EXPECT_EQ(v->reference_time_raw(), 6551830u);
  EXPECT_EQ(v->reference_time(), Duration::millis(6551830LL * 64));
  EXPECT_EQ(v->feedback_count(), 179);
  EXPECT_EQ(v->received_count(), 6u);
  EXPECT_EQ(statuses(*v), (std::vector<Status>{{34108, S, 155},
                                               {34109, S, 170},
                                               {34110, S, 106},
                                               {34111, S, 170},
                                               {34112, S, 123},
                                               {34113, N, 0},
                                               {34114, L, 265},
                                               {34115, N, 0},
                                               {34116, N, 0}}));
  // Absolute arrival: reference + running sum of deltas.
  Duration last;
  for (const auto& s : *v) last = s.arrival;
  EXPECT_EQ(last, Duration::millis(6551830LL * 64) + Duration::micros((155 + 170 + 106 + 170 + 123 + 265) * 250));
}

TEST(RtcpTwcc, PionSingle) {
  // pion "example1": one packet, run length chunk, delta 37 ms.
  const Bytes v_bytes = test::read_data("pion_twcc_single.bin");
  auto v = TwccFeedbackView::parse(frame(v_bytes));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->base_seq(), 153);
  EXPECT_EQ(v->reference_time_raw(), 4057090u);
  EXPECT_EQ(v->feedback_count(), 23);
  EXPECT_EQ(statuses(*v), (std::vector<Status>{{153, S, 148}}));
  EXPECT_EQ(v->begin()->delta(), Duration::millis(37));
}

TEST(RtcpTwcc, PionRunLengthsAndOneBitVector) {
  // pion TestTransportLayerCC_Marshal "example3" but with P cleared: its Unmarshal vector sets P with a zero
  // count, which RFC 3550 forbids and libwebrtc's CommonHeader rejects, as do we (checked below).
  Bytes b = {0x8f, 0xcd, 0x0,  0x7,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x1,  0x74, 0x0,  0x6,
             0x45, 0xb1, 0x5a, 0x40, 0x40, 0x2,  0x20, 0x04, 0x1f, 0xfe, 0x1f, 0x9a, 0xd0, 0x0,  0xd0, 0x0};
  auto v = TwccFeedbackView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(statuses(*v), (std::vector<Status>{
                              {372, L, 8190}, {373, L, 8090}, {374, S, 208}, {375, S, 0}, {376, S, 208}, {377, S, 0}}));
  b[0] |= 0x20;
  CompoundReader r(b);
  EXPECT_FALSE(r.next_view());
  EXPECT_EQ(r.error(), ReadError::kBadPadding);

  // pion TestTransportLayerCC_Marshal "example5": 1-bit vector, P set with count 2.
  const Bytes one_bit = {0xaf, 0xcd, 0x0, 0x6,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x0, 0x1,
                         0x0,  0xe,  0x10, 0x63, 0x6d, 0x0,  0xba, 0x0,  0x10, 0xc,  0xc,  0x10, 0x0, 0x2};
  auto o = TwccFeedbackView::parse(frame(one_bit));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status_count(), 14);
  auto st = statuses(*o);
  ASSERT_EQ(st.size(), 14u);
  EXPECT_EQ(st[0], (Status{1, S, 16}));
  EXPECT_EQ(st[3], (Status{4, N, 0}));
  EXPECT_EQ(st[4], (Status{5, S, 16}));
  EXPECT_EQ(st[13], (Status{14, N, 0}));
  EXPECT_EQ(o->received_count(), 4u);
}

TEST(RtcpTwcc, EmptyFeedbackIsAccepted) {
  // pion "example7": status count 0 (libwebrtc rejects it; it carries nothing, so accepting costs nothing).
  const Bytes b = {0x8f, 0xcd, 0x0, 0x4, 0x9a, 0xcb, 0x4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  auto v = TwccFeedbackView::parse(frame(b));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status_count(), 0);
  EXPECT_TRUE(v->begin() == v->end());
}

TEST(RtcpTwcc, NegativeCases) {
  // pion "example8": status count 3 but the only chunk covers 1 and one delta follows.
  const Bytes more_status = {0xaf, 0xcd, 0x0, 0x5,  0xfa, 0x17, 0xfa, 0x17, 0x43, 0x3, 0x2f, 0xa0,
                             0x0,  0x99, 0x0, 0x3,  0x3d, 0xe8, 0x2,  0x17, 0x20, 0x3, 0x94, 0x1};
  EXPECT_FALSE(TwccFeedbackView::parse(frame(more_status)));
  // pion "example9": run of 2 large deltas, only one byte of delta.
  const Bytes short_deltas = {0xaf, 0xcd, 0x0, 0x5,  0xfa, 0x17, 0xfa, 0x17, 0x43, 0x3, 0x2f, 0xa0,
                              0x0,  0x99, 0x0, 0x2,  0x3d, 0xe8, 0x2,  0x17, 0x40, 0x2, 0x94, 0x1};
  EXPECT_FALSE(TwccFeedbackView::parse(frame(short_deltas)));
  // pion "example2" (Unmarshal): a 2-bit vector full of the reserved symbol 3; libwebrtc rejects it too.
  const Bytes reserved = {0xaf, 0xcd, 0x0,  0x6,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x1, 0x74,
                          0x0,  0xe,  0x45, 0xb1, 0x5a, 0x40, 0xd8, 0x0,  0xf0, 0xff, 0xd0, 0x0,  0x0, 0x3};
  EXPECT_FALSE(TwccFeedbackView::parse(frame(reserved)));
  // Fixed fields cut short: 12 payload bytes.
  const Bytes fixed_short = {0x8f, 0xcd, 0x0, 0x3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1};
  EXPECT_FALSE(TwccFeedbackView::parse(frame(fixed_short)));
  // Zero-length run chunks until the end: never covers the status count.
  const Bytes zero_runs = {0x8f, 0xcd, 0x0, 0x5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(TwccFeedbackView::parse(frame(zero_runs)));
}

Timestamp ms(int64_t v) { return Timestamp::millis(v); }

Bytes build_one(TwccFeedbackBuilder& b, const std::vector<TwccArrival>& in, size_t* consumed = nullptr) {
  Bytes out(70000);
  base::ByteWriter w(out);
  size_t n = b.write(in, w);
  if (consumed) *consumed = n;
  out.resize(w.size());
  return out;
}

TEST(RtcpTwccBuilder, ByteExactByHand) {
  TwccFeedbackBuilder b(Ssrc(0x11111111), Ssrc(0x22222222));
  b.set_feedback_count(7);
  // 102 is lost; 104 arrives 100 ms late: a large delta, so a 2-bit vector.
  std::vector<TwccArrival> in = {
      {100, Timestamp::micros(65'000)}, {101, ms(66)}, {103, ms(67)}, {104, ms(167)}};
  const Bytes want = {
      0x8f, 0xcd, 0x00, 0x06,  // V=2 P=0 FMT=15 PT=205 len=6 (28 bytes)
      0x11, 0x11, 0x11, 0x11,  // sender ssrc
      0x22, 0x22, 0x22, 0x22,  // media ssrc
      0x00, 0x64, 0x00, 0x05,  // base seq 100, status count 5
      0x00, 0x00, 0x01, 0x07,  // reference time 1 (64 ms), feedback count 7
      0xd4, 0x60,              // 2-bit vector: small small lost small large (+2 unused)
      0x04, 0x04, 0x04,        // deltas 1 ms, 1 ms, 1 ms (4 ticks each)
      0x01, 0x90,              // large delta 400 ticks = 100 ms
      0x00,                    // zero padding to the word, P not set
  };
  size_t n = 0;
  EXPECT_EQ(build_one(b, in, &n), want);
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(b.feedback_count(), 8);
  auto v = TwccFeedbackView::parse(frame(want));
  ASSERT_TRUE(v);
  EXPECT_EQ(statuses(*v), (std::vector<Status>{{100, S, 4}, {101, S, 4}, {102, N, 0}, {103, S, 4}, {104, L, 400}}));
}

// Expected sizes from libwebrtc transport_feedback_unittest.cc (FeedbackTester with the default 1 ms spacing,
// seq * 1 ms arrival times), checked here after round-tripping through our parser.
struct SizeCase {
  const char* name;
  std::vector<uint16_t> seqs;
  std::vector<int64_t> times_us;  // empty: seq * default delta, adding 65536 * delta on each wrap
  int64_t default_delta_us;
  size_t expected_size;  // before rounding to words
};

TEST(RtcpTwccBuilder, LibwebrtcSizeCases) {
  constexpr int64_t kLimitPlusTick = 256 * 250;  // kDeltaLimit + kDeltaTick
  const std::vector<SizeCase> cases = {
      {"OneBitVector", {1, 2, 7, 8, 9, 10, 13}, {}, 1000, 20 + 2 + 7},
      {"FullOneBitVector", {1, 2, 7, 8, 9, 10, 13, 14}, {}, 1000, 20 + 2 + 8},
      {"OneBitVectorWrapReceived", {0xfffd, 0xfffe, 0xffff, 0, 1, 2}, {}, 1000, 20 + 2 + 6},
      {"OneBitVectorWrapMissing", {0xfffd, 0xfffe, 1, 2}, {}, 1000, 20 + 2 + 4},
      {"TwoBitVector", {1, 2, 6, 7}, {}, kLimitPlusTick, 20 + 2 + 4 * 2},
      {"TwoBitVectorFull", {1, 2, 6, 7, 8}, {}, kLimitPlusTick, 20 + 2 * 2 + 5 * 2},
      {"LargeAndNegativeDeltas", {1, 2, 6, 7, 8}, {2000, 1000, 4000, 3000, 3000 + 64000}, 0, 20 + 2 + 3 * 2 + 1},
      {"MaxRle", {0, (1 << 13) - 1 + 14}, {1000, 2000}, 0, 20 + 3 * 2 + 2},
      {"MinRle", {0, 14 * 2 + 1}, {1000, 2000}, 0, 20 + 3 * 2 + 2},
      {"OneToTwoBitVector", {0, 6}, {0, kLimitPlusTick}, 0, 20 + 2 + 1 + 2},
      {"OneToTwoBitVectorSimpleSplit", {0, 7}, {0, kLimitPlusTick}, 0, 20 + 2 * 2 + 1 + 2},
  };
  for (const SizeCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<TwccArrival> in;
    int64_t wrap = 0;
    for (size_t i = 0; i < c.seqs.size(); ++i) {
      if (c.times_us.empty()) {
        if (i > 0 && c.seqs[i] < c.seqs[i - 1]) wrap += 0x10000 * c.default_delta_us;
        in.push_back({c.seqs[i], Timestamp::micros(wrap + c.seqs[i] * c.default_delta_us)});
      } else {
        in.push_back({c.seqs[i], Timestamp::micros(c.times_us[i])});
      }
    }
    TwccFeedbackBuilder b(Ssrc(1), Ssrc(2), 100000);
    size_t n = 0;
    Bytes out = build_one(b, in, &n);
    EXPECT_EQ(n, in.size());
    EXPECT_EQ(out.size(), (c.expected_size + 3) / 4 * 4);
    auto v = TwccFeedbackView::parse(frame(out));
    ASSERT_TRUE(v);
    std::vector<std::pair<uint16_t, int64_t>> got;
    for (const auto& s : *v) {
      if (s.received()) got.emplace_back(s.seq, s.arrival.us());
    }
    ASSERT_EQ(got.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      EXPECT_EQ(got[i].first, in[i].seq);
      EXPECT_EQ(got[i].second, in[i].arrival.us());  // all inputs sit on 250 µs ticks and below the 24-bit wrap
    }
  }
}

TEST(RtcpTwccBuilder, OneToTwoBitVectorSplitChunkCount) {
  // libwebrtc TransportFeedbackOneToTwoBitVectorSplit: 22 packets, small deltas but one large at index 8.
  std::vector<TwccArrival> in;
  int64_t t = 1000;
  for (uint16_t i = 0; i < 22; ++i) {
    if (i > 0) t += (i == 8) ? 64000 : 1000;
    in.push_back({i, Timestamp::micros(t)});
  }
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  EXPECT_EQ(build_one(b, in).size(), (20 + 3 * 2 + 21 + 2 + 3) / 4 * 4u);
}

TEST(RtcpTwccBuilder, SplitsBySizeAndCoversEverything) {
  std::vector<TwccArrival> in;
  int64_t t = 5'000'000;
  uint32_t x = 7;
  uint16_t seq = 65000;  // wraps inside the run
  for (int i = 0; i < 1000; ++i) {
    x = x * 1103515245 + 12345;
    seq = static_cast<uint16_t>(seq + 1 + ((x >> 20) % 8 == 0 ? (x >> 10) % 30 : 0));
    t += 250 * static_cast<int64_t>((x >> 8) % 600);  // up to 150 ms: some large deltas
    in.push_back({seq, Timestamp::micros(t)});
  }
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2), 200);
  std::span<const TwccArrival> rest = in;
  std::vector<TwccArrival> got;
  uint8_t expected_fb = 0;
  Bytes buf(200);
  while (!rest.empty()) {
    base::ByteWriter w(buf);
    size_t n = b.write(rest, w);
    ASSERT_GT(n, 0u);
    ASSERT_LE(w.size(), 200u);
    EXPECT_EQ(w.size() % 4, 0u);
    const Bytes v_bytes = Bytes(buf.begin(), buf.begin() + w.size());
    auto v = TwccFeedbackView::parse(frame(v_bytes));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->feedback_count(), expected_fb++);
    EXPECT_EQ(v->base_seq(), rest[0].seq);
    for (const auto& s : *v) {
      if (s.received()) got.push_back({s.seq, Timestamp::micros(s.arrival.us())});
    }
    rest = rest.subspan(n);
  }
  EXPECT_GT(expected_fb, 5);
  ASSERT_EQ(got.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(got[i].seq, in[i].seq);
    EXPECT_EQ(got[i].arrival, in[i].arrival);
  }
}

TEST(RtcpTwccBuilder, OutOfRangeDeltaStartsNewPacket) {
  // libwebrtc TransportFeedbackLimits: 32767 ticks fit, 32768 do not.
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  std::vector<TwccArrival> fits = {{0, Timestamp::zero()}, {1, Timestamp::micros(32767 * 250)}};
  size_t n = 0;
  build_one(b, fits, &n);
  EXPECT_EQ(n, 2u);
  std::vector<TwccArrival> too_far = {{0, Timestamp::zero()}, {1, Timestamp::micros(32768 * 250)}};
  build_one(b, too_far, &n);
  EXPECT_EQ(n, 1u);
  build_one(b, std::vector<TwccArrival>(too_far.begin() + 1, too_far.end()), &n);
  EXPECT_EQ(n, 1u);
  // Negative: -32768 ticks fit.
  std::vector<TwccArrival> back = {{0, ms(10'000)}, {1, Timestamp::micros(10'000'000 - 32768 * 250)}};
  Bytes out = build_one(b, back, &n);
  EXPECT_EQ(n, 2u);
  auto v = TwccFeedbackView::parse(frame(out));
  ASSERT_TRUE(v);
  auto st = statuses(*v);
  EXPECT_EQ(st[1], (Status{1, L, -32768}));
}

TEST(RtcpTwccBuilder, SequenceLimits) {
  // libwebrtc TransportFeedbackLimits: a jump of exactly 0x8000 is newer; 0x8001 is not; 0xffff statuses max.
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2), 100000);
  size_t n = 0;
  build_one(b, {{0, ms(0)}, {0x8000, ms(1)}, {0xfffe, ms(2)}, {0xffff, ms(3)}}, &n);
  EXPECT_EQ(n, 3u);
  build_one(b, {{0, ms(0)}, {0x8001, ms(1)}}, &n);
  EXPECT_EQ(n, 1u);
  // Duplicates or reordering end the packet rather than corrupt it.
  build_one(b, {{5, ms(0)}, {6, ms(1)}, {6, ms(2)}}, &n);
  EXPECT_EQ(n, 2u);
  build_one(b, {{5, ms(0)}, {4, ms(1)}}, &n);
  EXPECT_EQ(n, 1u);
}

TEST(RtcpTwccBuilder, RoundingAndTooSmallBuffers) {
  // libwebrtc TransportFeedbackAliasing: deltas of a third of a tick do not drift.
  std::vector<TwccArrival> in;
  for (int i = 0; i < 100; ++i) in.push_back({static_cast<uint16_t>(i), Timestamp::micros(i * 250 / 3)});
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  const Bytes v_bytes = build_one(b, in);
  auto v = TwccFeedbackView::parse(frame(v_bytes));
  ASSERT_TRUE(v);
  int i = 0;
  for (const auto& s : *v) {
    EXPECT_LE(std::abs(s.arrival.us() - i * 250 / 3), 125);
    ++i;
  }
  EXPECT_EQ(i, 100);

  Bytes tiny(TwccFeedbackBuilder::kMinPacketSize - 1);
  base::ByteWriter w(tiny);
  EXPECT_EQ(b.write(in, w), 0u);
  EXPECT_EQ(w.size(), 0u);
  Bytes exact(TwccFeedbackBuilder::kMinPacketSize);
  base::ByteWriter w2(exact);
  EXPECT_EQ(b.write(in, w2), 2u);  // 20 fixed + 1 chunk + 2 small deltas = 24
  EXPECT_EQ(b.write({}, w2), 0u);
}

TEST(RtcpTwccBuilder, ReferenceTimeWraps) {
  // The 24-bit reference wraps every 2^24 * 64 ms; arrivals parse back equal modulo the wrap.
  int64_t t = kTwccReferenceWrap.us() * 3 + 5 * 64'000 + 750;
  TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  const Bytes v_bytes = build_one(b, {{9, Timestamp::micros(t)}});
  auto v = TwccFeedbackView::parse(frame(v_bytes));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->reference_time_raw(), 5u);
  EXPECT_EQ(v->begin()->arrival.us(), t % kTwccReferenceWrap.us());
}

}  // namespace
}  // namespace medley::rtp::rtcp
