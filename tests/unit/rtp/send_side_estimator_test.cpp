// SendSideEstimator: growth without loss (bounded by the acknowledged rate), decrease under loss, REMB as a cap,
// feedback about packets we never sent ignored.
#include "rtp/send_side_estimator.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtcp/compound.hpp"
#include "rtp/rtcp/twcc_feedback_builder.hpp"

namespace medley::rtp {
namespace {

using base::Duration;
using base::Timestamp;

// Sends `count` packets of `bytes` from `first`, 1 ms apart at the receiver; every `lose_every`-th is lost (0: none).
// Returns the feedback as the receiver would write it, fed to the estimator.
bool feed(SendSideEstimator& e, uint16_t& seq, int count, size_t bytes, int lose_every, Timestamp& clock) {
  std::vector<rtcp::TwccArrival> arrivals;
  const uint16_t first = seq;
  for (int i = 0; i < count; ++i, ++seq) {
    e.on_packet_sent(seq, bytes);
    clock = clock + Duration::millis(1);
    if (lose_every && (seq - first) % lose_every == lose_every - 1) continue;
    arrivals.push_back({seq, clock});
  }
  rtcp::TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  std::span<const rtcp::TwccArrival> rest(arrivals);
  bool changed = false;
  while (!rest.empty()) {
    std::vector<uint8_t> buf(1500);
    base::ByteWriter w(base::MutableBytes(buf.data(), buf.size()));
    const size_t n = b.write(rest, w);
    EXPECT_GT(n, 0u);
    if (n == 0) break;
    rest = rest.subspan(n);
    rtcp::CompoundReader r(base::Bytes(buf.data(), w.size()));
    auto view = r.next_view();
    EXPECT_TRUE(view);
    auto fb = rtcp::TwccFeedbackView::parse(*view);
    EXPECT_TRUE(fb);
    if (fb) changed |= e.on_feedback(*fb, clock);
  }
  return changed;
}

TEST(SendSideEstimator, GrowsWithoutLossUpToWhatGetsThrough) {
  SendSideEstimator e({.initial_bps = 300'000});
  uint16_t seq = 65000;  // wraps during the test
  Timestamp clock = Timestamp::millis(1000);
  for (int round = 0; round < 20; ++round) feed(e, seq, 100, 1200, 0, clock);
  // 1200 bytes per ms acknowledged = 9.6 Mbit/s: the estimate grew from 300 k, and stays under 1.5x of that.
  EXPECT_GT(e.estimate_bps(), 600'000u);
  EXPECT_LE(e.estimate_bps(), 9'600'000u * 3 / 2 + 10'000);
  EXPECT_NEAR(static_cast<double>(e.acknowledged_bps()), 9.6e6, 0.5e6);
  EXPECT_EQ(e.last_loss(), 0.0);
}

TEST(SendSideEstimator, DropsUnderHeavyLossAndHoldsUnderLight) {
  SendSideEstimator e({.initial_bps = 2'000'000});
  uint16_t seq = 0;
  Timestamp clock = Timestamp::millis(1000);
  feed(e, seq, 100, 1200, 4, clock);  // 25 % lost
  EXPECT_NEAR(e.last_loss(), 0.25, 0.02);
  EXPECT_LT(e.estimate_bps(), 2'000'000u * 90 / 100);
  const uint64_t after_loss = e.estimate_bps();
  feed(e, seq, 100, 1200, 20, clock);  // 5 %: between the thresholds, unchanged
  EXPECT_EQ(e.estimate_bps(), after_loss);
}

TEST(SendSideEstimator, RembCapsAndMinimumHolds) {
  SendSideEstimator e({.initial_bps = 1'000'000, .min_bps = 50'000});
  e.on_remb(200'000, Timestamp::millis(0));
  EXPECT_EQ(e.estimate_bps(), 200'000u);
  e.on_remb(1'000, Timestamp::millis(0));
  EXPECT_EQ(e.estimate_bps(), 50'000u);
  uint16_t seq = 0;
  Timestamp clock = Timestamp::millis(1000);
  for (int i = 0; i < 30; ++i) feed(e, seq, 100, 1200, 2, clock);  // 50 % loss for long
  EXPECT_GE(e.estimate_bps(), 50'000u);
}

TEST(SendSideEstimator, IgnoresFeedbackOnPacketsItDidNotSend) {
  SendSideEstimator e({.initial_bps = 1'000'000});
  std::vector<rtcp::TwccArrival> arrivals;
  for (uint16_t s = 100; s < 200; s += 2) arrivals.push_back({s, Timestamp::millis(s)});
  rtcp::TwccFeedbackBuilder b(Ssrc(1), Ssrc(2));
  std::vector<uint8_t> buf(1500);
  base::ByteWriter w(base::MutableBytes(buf.data(), buf.size()));
  ASSERT_GT(b.write(arrivals, w), 0u);
  rtcp::CompoundReader r(base::Bytes(buf.data(), w.size()));
  auto fb = rtcp::TwccFeedbackView::parse(*r.next_view());
  ASSERT_TRUE(fb);
  EXPECT_FALSE(e.on_feedback(*fb, Timestamp::millis(300)));  // 50 % "lost", but none of them were ours
  EXPECT_EQ(e.estimate_bps(), 1'000'000u);
}

}  // namespace
}  // namespace medley::rtp
