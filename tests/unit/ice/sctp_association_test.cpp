// SctpAssociation: two usrsctp associations back to back in one process, driven by a fake clock.
#include "ice/sctp_association.hpp"

#include <gtest/gtest.h>

#include <random>

#include "sctp_test_pair.hpp"

namespace medley::ice {
namespace {

using test::SctpPair;
using Msg = SctpAssociation::MessageReceived;
using Reset = SctpAssociation::StreamReset;
using base::Bytes;

constexpr uint32_t kPpidBinary = 53;

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(seed);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(SctpAssociation, ConnectsBothWays) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  EXPECT_EQ(SctpPair::of<SctpAssociation::Connected>(p.events_a).size(), 1u);
  EXPECT_EQ(SctpPair::of<SctpAssociation::Connected>(p.events_b).size(), 1u);
  EXPECT_NE(p.a.id(), p.b.id());
  EXPECT_NE(p.a.id(), 0u);
  // libwebrtc's MTU: every SCTP packet fits in 1200 bytes of DTLS payload.
  EXPECT_LE(p.largest_packet, 1200u);
}

TEST(SctpAssociation, NextTimeoutIsAFixedTickWhileAlive) {
  SctpAssociation a(SctpConfig{});
  EXPECT_TRUE(a.next_timeout().is_infinite());
  a.start(base::Timestamp::millis(5000));
  EXPECT_EQ(a.next_timeout(), base::Timestamp::millis(5010));
  a.handle_timeout(base::Timestamp::millis(5010));
  EXPECT_EQ(a.next_timeout(), base::Timestamp::millis(5020));
  a.close(base::Timestamp::millis(5011));
  EXPECT_TRUE(a.next_timeout().is_infinite());
}

TEST(SctpAssociation, MessagesBothWays) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  const std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
  const std::vector<uint8_t> bin = {0, 1, 2, 255};
  ASSERT_FALSE(p.a.send(3, 51, hello, true, {}));
  ASSERT_FALSE(p.b.send(4, kPpidBinary, bin, true, {}));
  p.exchange();
  auto at_b = SctpPair::of<Msg>(p.events_b);
  auto at_a = SctpPair::of<Msg>(p.events_a);
  ASSERT_EQ(at_b.size(), 1u);
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_b[0].stream, 3);
  EXPECT_EQ(at_b[0].ppid, 51u);
  EXPECT_EQ(at_b[0].bytes, hello);
  EXPECT_FALSE(at_b[0].unordered);
  EXPECT_EQ(at_a[0].stream, 4);
  EXPECT_EQ(at_a[0].ppid, kPpidBinary);
  EXPECT_EQ(at_a[0].bytes, bin);
}

TEST(SctpAssociation, SendBeforeConnectedIsQueued) {
  SctpPair p;
  p.a.start(p.now);
  const std::vector<uint8_t> early = {'e'};
  ASSERT_FALSE(p.a.send(0, 51, early, true, {}));
  EXPECT_EQ(p.a.queued_bytes(), 1u);
  p.b.start(p.now);
  ASSERT_TRUE(p.run_until([&] { return !SctpPair::of<Msg>(p.events_b).empty(); }));
  EXPECT_EQ(SctpPair::of<Msg>(p.events_b)[0].bytes, early);
  EXPECT_EQ(p.a.queued_bytes(), 0u);
}

TEST(SctpAssociation, LargeMessagesBothWaysAreReassembled) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  const auto big_a = pattern(256 * 1024, 1);
  const auto big_b = pattern(256 * 1024, 2);
  ASSERT_FALSE(p.a.send(1, kPpidBinary, big_a, true, {}));
  ASSERT_FALSE(p.b.send(2, kPpidBinary, big_b, true, {}));
  ASSERT_TRUE(p.run_until([&] {
    return SctpPair::of<Msg>(p.events_a).size() == 1 && SctpPair::of<Msg>(p.events_b).size() == 1;
  }));
  EXPECT_EQ(SctpPair::of<Msg>(p.events_b)[0].bytes, big_a);
  EXPECT_EQ(SctpPair::of<Msg>(p.events_a)[0].bytes, big_b);
  EXPECT_EQ(p.a.queued_bytes(), 0u);
}

TEST(SctpAssociation, ManyLargeMessagesQueueBeyondTheSendBuffer) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  std::vector<std::vector<uint8_t>> sent;
  for (uint32_t i = 0; i < 6; ++i) {
    sent.push_back(pattern(100 * 1024 + i, 10 + i));
    ASSERT_FALSE(p.a.send(static_cast<uint16_t>(i % 2), kPpidBinary, sent.back(), true, {}));
  }
  EXPECT_GT(p.a.queued_bytes(), 0u);  // more than usrsctp's 256 KiB buffer: some waits in our queue
  ASSERT_TRUE(p.run_until([&] { return SctpPair::of<Msg>(p.events_b).size() == sent.size(); }));
  auto got = SctpPair::of<Msg>(p.events_b);
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i].bytes, sent[i]) << i;
}

TEST(SctpAssociation, OversizeIncomingMessageIsDroppedAndTheAssociationLivesOn) {
  SctpConfig small;
  small.max_receive_message_size = 10 * 1024;
  SctpPair p(small);
  ASSERT_TRUE(p.connect());
  // a's own limit (also 10 KiB) would refuse to send; raise it on a fresh pair where only b is strict.
  SctpConfig sender;
  SctpPair q(sender);
  q.b = SctpAssociation(small);
  ASSERT_TRUE(q.connect());
  ASSERT_FALSE(q.a.send(1, kPpidBinary, pattern(200 * 1024, 3), true, {}));
  ASSERT_FALSE(q.a.send(1, kPpidBinary, pattern(100, 4), true, {}));
  ASSERT_TRUE(q.run_until([&] { return SctpPair::of<Msg>(q.events_b).size() == 1; }));
  EXPECT_EQ(SctpPair::of<Msg>(q.events_b)[0].bytes, pattern(100, 4));
  EXPECT_EQ(q.b.stats().dropped_oversize_messages, 1u);
}

TEST(SctpAssociation, UnorderedMessagesOvertakeALostOne) {
  for (bool ordered : {false, true}) {
    SctpPair p;
    ASSERT_TRUE(p.connect());
    bool drop_all = true;
    p.drop = [&](bool from_a, const std::vector<uint8_t>&) { return from_a && drop_all; };
    ASSERT_FALSE(p.a.send(5, kPpidBinary, std::vector<uint8_t>{1}, ordered, {}));
    p.exchange();  // the DATA with message 1 is lost
    drop_all = false;
    for (uint8_t i = 2; i <= 5; ++i) ASSERT_FALSE(p.a.send(5, kPpidBinary, std::vector<uint8_t>{i}, ordered, {}));
    ASSERT_TRUE(p.run_until([&] { return SctpPair::of<Msg>(p.events_b).size() == 5; }));
    auto got = SctpPair::of<Msg>(p.events_b);
    std::vector<uint8_t> order;
    for (auto& m : got) {
      order.push_back(m.bytes.at(0));
      EXPECT_EQ(m.unordered, !ordered);
    }
    if (ordered) {
      EXPECT_EQ(order, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
    } else {
      EXPECT_EQ(order, (std::vector<uint8_t>{2, 3, 4, 5, 1}));  // 1 comes with the retransmission
    }
  }
}

TEST(SctpAssociation, PartialReliabilityLosesMessagesButTheStreamGoesOn) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  std::mt19937 rng(7);
  bool lossy = true;
  p.drop = [&](bool from_a, const std::vector<uint8_t>&) { return lossy && from_a && rng() % 100 < 30; };
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    std::vector<uint8_t> m = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)};
    ASSERT_FALSE(p.a.send(7, kPpidBinary, m, false, SctpReliability::max_retransmits(0)));
    p.step(base::Duration::millis(5));
  }
  p.run_until([] { return false; }, base::Duration::seconds(5));
  lossy = false;
  const std::vector<uint8_t> last = {0xAA, 0xBB, 0xCC};
  ASSERT_FALSE(p.a.send(7, kPpidBinary, last, false, SctpReliability::max_retransmits(0)));
  ASSERT_TRUE(p.run_until([&] {
    auto got = SctpPair::of<Msg>(p.events_b);
    return !got.empty() && got.back().bytes == last;
  }));
  size_t received = SctpPair::of<Msg>(p.events_b).size() - 1;
  EXPECT_GT(p.dropped, 0u);
  EXPECT_GT(p.a.stats().abandoned_messages, 0u);
  EXPECT_LT(received, static_cast<size_t>(kCount));  // some were lost for good (no retransmission)
  EXPECT_GT(received, static_cast<size_t>(kCount / 2));
  EXPECT_EQ(p.a.state(), SctpAssociation::State::kConnected);
  EXPECT_EQ(p.b.state(), SctpAssociation::State::kConnected);
}

TEST(SctpAssociation, LifetimeLimitedMessagesExpire) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  bool lossy = true;
  p.drop = [&](bool from_a, const std::vector<uint8_t>&) { return lossy && from_a; };
  ASSERT_FALSE(p.a.send(9, kPpidBinary, std::vector<uint8_t>{1}, true, SctpReliability::max_lifetime_ms(100)));
  p.exchange();
  lossy = false;
  ASSERT_FALSE(p.a.send(9, kPpidBinary, std::vector<uint8_t>{2}, true, {}));
  ASSERT_TRUE(p.run_until([&] { return !SctpPair::of<Msg>(p.events_b).empty(); }));
  p.run_until([] { return false; }, base::Duration::seconds(1));
  auto got = SctpPair::of<Msg>(p.events_b);
  ASSERT_EQ(got.size(), 1u);  // ordered, yet 2 is not held back forever behind the abandoned 1
  EXPECT_EQ(got[0].bytes, std::vector<uint8_t>{2});
  EXPECT_GE(p.a.stats().abandoned_messages, 1u);
}

TEST(SctpAssociation, ReliableMessageIsRetransmittedAfterLoss) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  int lost = 0;
  p.drop = [&](bool from_a, const std::vector<uint8_t>& pkt) {
    // Drop the first two transmissions of the DATA chunk (chunk type 0 right after the common header).
    return from_a && pkt.size() > 12 && pkt[12] == 0 && lost++ < 2;
  };
  base::Timestamp sent_at = p.now;
  ASSERT_FALSE(p.a.send(9, kPpidBinary, std::vector<uint8_t>{7}, true, {}));
  ASSERT_TRUE(p.run_until([&] { return !SctpPair::of<Msg>(p.events_b).empty(); }));
  // RTO 1 s (rto_min), then doubled: the third transmission leaves 3 s after the first.
  EXPECT_GE(p.now - sent_at, base::Duration::millis(3000));
  EXPECT_LT(p.now - sent_at, base::Duration::millis(3100));
}

TEST(SctpAssociation, StreamResetIsSeenOnBothSides) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  ASSERT_FALSE(p.a.send(11, kPpidBinary, std::vector<uint8_t>{1}, true, {}));
  ASSERT_FALSE(p.a.reset_stream(11));
  ASSERT_TRUE(p.run_until([&] {
    return !SctpPair::of<Reset>(p.events_b).empty() && !SctpPair::of<Reset>(p.events_a).empty();
  }));
  // The message queued before the reset arrives before it.
  ASSERT_EQ(SctpPair::of<Msg>(p.events_b).size(), 1u);
  auto rb = SctpPair::of<Reset>(p.events_b);
  auto ra = SctpPair::of<Reset>(p.events_a);
  EXPECT_EQ(rb[0].stream, 11);
  EXPECT_EQ(rb[0].direction, Reset::Direction::kIncoming);
  EXPECT_EQ(ra[0].stream, 11);
  EXPECT_EQ(ra[0].direction, Reset::Direction::kOutgoing);
  // The stream is usable again afterwards (a new channel may take the id).
  ASSERT_FALSE(p.a.send(11, kPpidBinary, std::vector<uint8_t>{2}, true, {}));
  ASSERT_TRUE(p.run_until([&] { return SctpPair::of<Msg>(p.events_b).size() == 2; }));
}

TEST(SctpAssociation, TwentyStreamsAtOnce) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  for (uint16_t s = 0; s < 40; s += 2) {
    ASSERT_FALSE(p.a.send(s, kPpidBinary, std::vector<uint8_t>{static_cast<uint8_t>(s)}, true, {}));
    ASSERT_FALSE(p.b.send(s + 1, kPpidBinary, std::vector<uint8_t>{static_cast<uint8_t>(s + 1)}, true, {}));
  }
  ASSERT_TRUE(p.run_until([&] {
    return SctpPair::of<Msg>(p.events_a).size() == 20 && SctpPair::of<Msg>(p.events_b).size() == 20;
  }));
  for (auto& m : SctpPair::of<Msg>(p.events_b)) EXPECT_EQ(m.bytes.at(0), m.stream);
  for (auto& m : SctpPair::of<Msg>(p.events_a)) EXPECT_EQ(m.bytes.at(0), m.stream);
}

TEST(SctpAssociation, SendErrorsAreValues) {
  SctpConfig c;
  c.max_send_message_size = 1000;
  c.max_queued_bytes = 2500;
  SctpAssociation a(c);
  EXPECT_EQ(a.send(0, 51, std::vector<uint8_t>{1}, true, {}), SctpSendError::Closed);  // not started
  a.start(base::Timestamp::millis(1));
  EXPECT_EQ(a.send(0, 51, {}, true, {}), SctpSendError::Empty);
  EXPECT_EQ(a.send(0, 51, std::vector<uint8_t>(1001), true, {}), SctpSendError::TooLarge);
  EXPECT_EQ(a.send(1024, 51, std::vector<uint8_t>(1), true, {}), SctpSendError::InvalidStream);
  EXPECT_EQ(a.reset_stream(65535), SctpSendError::InvalidStream);
  EXPECT_FALSE(a.send(0, 51, std::vector<uint8_t>(1000), true, {}));
  EXPECT_FALSE(a.send(0, 51, std::vector<uint8_t>(1000), true, {}));
  EXPECT_EQ(a.send(0, 51, std::vector<uint8_t>(1000), true, {}), SctpSendError::BufferFull);
  a.close(base::Timestamp::millis(2));
  EXPECT_EQ(a.send(0, 51, std::vector<uint8_t>{1}, true, {}), SctpSendError::Closed);
  EXPECT_EQ(a.queued_bytes(), 0u);
}

TEST(SctpAssociation, CloseAbortsAndThePeerSeesIt) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  p.a.close(p.now);
  EXPECT_EQ(p.a.state(), SctpAssociation::State::kClosed);
  p.exchange();  // the ABORT
  EXPECT_EQ(SctpPair::of<SctpAssociation::Closed>(p.events_a).size(), 1u);
  EXPECT_EQ(p.b.state(), SctpAssociation::State::kFailed);
  ASSERT_EQ(SctpPair::of<SctpAssociation::Failed>(p.events_b).size(), 1u);
}

TEST(SctpAssociation, UnreachablePeerFailsAfterInitRetransmissions) {
  SctpPair p;
  p.drop = [](bool, const std::vector<uint8_t>&) { return true; };
  p.start();
  ASSERT_TRUE(p.run_until([&] { return p.a.state() == SctpAssociation::State::kFailed; },
                          base::Duration::seconds(600)));
  EXPECT_GE(p.a.stats().packets_out, 9u);  // INIT and its 8 retransmissions (RFC 9260 Max.Init.Retransmits)
  ASSERT_EQ(SctpPair::of<SctpAssociation::Failed>(p.events_a).size(), 1u);
}

TEST(SctpAssociation, GarbageInputDoesNotHurt) {
  SctpPair p;
  ASSERT_TRUE(p.connect());
  std::mt19937 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(rng() % 1500);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (junk.size() >= 4 && i % 2 == 0) {  // keep the right ports so usrsctp looks deeper
      junk[0] = 0x13, junk[1] = 0x88, junk[2] = 0x13, junk[3] = 0x88;
    }
    p.b.handle_packet(p.now, junk);
  }
  EXPECT_GT(p.b.stats().dropped_short_packets, 0u);
  p.exchange();
  EXPECT_EQ(p.b.state(), SctpAssociation::State::kConnected);
  ASSERT_FALSE(p.a.send(0, 51, std::vector<uint8_t>{'o', 'k'}, true, {}));
  ASSERT_TRUE(p.run_until([&] { return !SctpPair::of<Msg>(p.events_b).empty(); }));
}

TEST(SctpAssociation, ManyAssociationsShareTheRuntime) {
  std::vector<std::unique_ptr<SctpPair>> pairs;
  for (int i = 0; i < 8; ++i) {
    pairs.push_back(std::make_unique<SctpPair>());
    ASSERT_TRUE(pairs.back()->connect());
  }
  for (int i = 0; i < 8; ++i) {
    ASSERT_FALSE(pairs[i]->a.send(0, 51, std::vector<uint8_t>{static_cast<uint8_t>(i)}, true, {}));
  }
  for (auto& p : pairs) {
    ASSERT_TRUE(p->run_until([&] { return !SctpPair::of<Msg>(p->events_b).empty(); }));
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(SctpPair::of<Msg>(pairs[i]->events_b).at(0).bytes.at(0), i);
  }
  pairs.erase(pairs.begin() + 3);  // destroying one pair leaves the others working
  ASSERT_FALSE(pairs[3]->a.send(0, 51, std::vector<uint8_t>{42}, true, {}));
  ASSERT_TRUE(pairs[3]->run_until([&] { return SctpPair::of<Msg>(pairs[3]->events_b).size() == 2; }));
}

}  // namespace
}  // namespace medley::ice
