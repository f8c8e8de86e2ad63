// Tests for ice/checklist and ice/candidate_pair: pair priority (RFC 8445 §6.1.2.3), freezing per foundation,
// scheduling order, triggered queue, bounds and eviction.
#include <gtest/gtest.h>

#include "ice/checklist.hpp"

namespace medley::ice {
namespace {

TEST(PairPriority, Formula) {
  // 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)
  EXPECT_EQ(pair_priority(2130706431u, 1694498815u), (uint64_t{1694498815u} << 32) + 2ull * 2130706431u + 1);
  EXPECT_EQ(pair_priority(1694498815u, 2130706431u), (uint64_t{1694498815u} << 32) + 2ull * 2130706431u);
  EXPECT_EQ(pair_priority(5, 5), (uint64_t{5} << 32) + 10);
  EXPECT_EQ(pair_priority(0xFFFFFFFFu, 0xFFFFFFFFu), (uint64_t{0xFFFFFFFFu} << 32) + 2ull * 0xFFFFFFFFu);
}

TEST(Checklist, OnePairPerFoundationWaitsTheRestAreFrozen) {
  Checklist c(10);
  auto* a = c.add(0, 0, 100, "h1:r1");
  auto* b = c.add(0, 1, 200, "h1:r1");
  auto* d = c.add(0, 2, 50, "h1:r2");
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(c.find(1)->state, PairState::Waiting);
  EXPECT_EQ(c.find(2)->state, PairState::Frozen);
  EXPECT_EQ(c.find(3)->state, PairState::Waiting);
  EXPECT_EQ(c.add(0, 0, 100, "h1:r1"), nullptr);  // already present

  // Highest-priority Waiting first.
  CandidatePair* next = c.next_check();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, 1u);
  next->state = PairState::InProgress;
  next = c.next_check();
  EXPECT_EQ(next->id, 3u);
  next->state = PairState::Failed;
  // Nothing Waiting: the best Frozen pair is next.
  next = c.next_check();
  EXPECT_EQ(next->id, 2u);

  // A success unfreezes its foundation.
  c.find(1)->state = PairState::Succeeded;
  c.unfreeze("h1:r1");
  EXPECT_EQ(c.find(2)->state, PairState::Waiting);
}

TEST(Checklist, TriggeredQueueComesFirstAndNominationsJumpIt) {
  Checklist c(10);
  c.add(0, 0, 300, "a");
  c.add(0, 1, 200, "b");
  c.add(0, 2, 100, "c");
  c.trigger(3);
  c.trigger(2);
  c.trigger(3);  // already queued: keeps its place
  EXPECT_EQ(c.next_check()->id, 3u);
  c.find(3)->state = PairState::InProgress;
  c.trigger(1, /*front=*/true);
  EXPECT_EQ(c.next_check()->id, 1u);
  c.find(1)->state = PairState::InProgress;
  EXPECT_EQ(c.next_check()->id, 2u);
  c.find(2)->state = PairState::InProgress;
  EXPECT_EQ(c.next_check(), nullptr);
  EXPECT_FALSE(c.has_work());
  EXPECT_TRUE(c.any_pending());

  // A queued pair that succeeded meanwhile is not checked again, unless it is being nominated.
  c.trigger(2);
  c.find(2)->state = PairState::Succeeded;
  EXPECT_FALSE(c.has_work());
  EXPECT_EQ(c.next_check(), nullptr);
  c.trigger(2);
  c.find(2)->state = PairState::Succeeded;
  c.find(2)->nominating = true;
  EXPECT_EQ(c.next_check()->id, 2u);
}

TEST(Checklist, OrdinaryChecksOffLeavesOnlyTriggered) {
  Checklist c(10);
  c.add(0, 0, 300, "a");
  c.add(0, 1, 200, "b");
  EXPECT_FALSE(c.has_work(false));
  EXPECT_EQ(c.next_check(false), nullptr);
  c.trigger(2);
  EXPECT_EQ(c.next_check(false)->id, 2u);
}

TEST(Checklist, BoundedWithEvictionOfTheWorst) {
  Checklist c(3);
  c.add(0, 0, 10, "a");
  c.add(0, 1, 20, "b");
  c.add(0, 2, 30, "c");
  EXPECT_EQ(c.add(0, 3, 5, "d"), nullptr);  // worse than all: dropped
  ASSERT_NE(c.add(0, 4, 40, "e"), nullptr);  // evicts priority 10
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.find(0, 0), nullptr);
  // Failed pairs go first, whatever their priority; in-flight and valid ones never.
  c.find(0, 2)->state = PairState::Failed;
  c.find(0, 1)->state = PairState::InProgress;
  c.find(0, 4)->valid = true;
  ASSERT_NE(c.add(0, 5, 1, "f"), nullptr);
  EXPECT_EQ(c.find(0, 2), nullptr);
  // Only "f" (Waiting, priority 1) can go now.
  ASSERT_NE(c.add(0, 6, 1000, "g"), nullptr);
  EXPECT_EQ(c.find(0, 5), nullptr);
  EXPECT_NE(c.find(0, 1), nullptr);
  EXPECT_NE(c.find(0, 4), nullptr);
  EXPECT_EQ(c.size(), 3u);
  for (int i = 0; i < 100; ++i) c.add(1, static_cast<uint16_t>(i), static_cast<uint64_t>(i), "x");
  EXPECT_EQ(c.size(), 3u);
}

TEST(Checklist, BestValid) {
  Checklist c(10);
  c.add(0, 0, 10, "a");
  c.add(0, 1, 20, "b");
  EXPECT_EQ(c.best_valid(false), nullptr);
  c.find(1)->valid = true;
  c.find(1)->valid_priority = 10;
  c.find(2)->valid = true;
  c.find(2)->valid_priority = 5;
  EXPECT_EQ(c.best_valid(false)->id, 1u);
  EXPECT_EQ(c.best_valid(true), nullptr);
  c.find(2)->nominated = true;
  EXPECT_EQ(c.best_valid(true)->id, 2u);
}

}  // namespace
}  // namespace medley::ice
